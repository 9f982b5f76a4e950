// What 【提交】 requires of an application, as a pure rule: the server refuses by it, and GET …/check lists it.
import { checkCompleteness, type ApplicationForm, type FormIssue } from './application';
import { attachmentKindLabel, REQUIRED_APPLICANT_ATTACHMENTS } from './attachments';
import { checkEligibility, type EligibilityRecord } from './eligibility';
import { checkMediaCounts, type MediaSettings } from './media';

export interface SubmissionFacts {
  /** the whole form, 身份证号码 included (its agreement with 出生年月 and 性别 is checked) */
  form: ApplicationForm;
  /** 【我承诺】 was clicked */
  pledged: boolean;
  /** the kind of each live attachment (photo, video, pledge_scan, …) */
  attachmentKinds: readonly string[];
  /** the platform's records of the person (earlier years' results): core/eligibility.ts EligibilityRecord */
  record?: EligibilityRecord;
}

/** Every missing or wrong field, the eligibility refusals, the pledge, the three scans, and the photo and video counts. */
export function missingForSubmission(facts: SubmissionFacts, media: MediaSettings): { complete: boolean; missing: FormIssue[] } {
  const missing = checkCompleteness(facts.form);
  for (const reason of checkEligibility(facts.form, facts.record).refused) missing.push({ field: 'eligibility', label: '资格条件', message: reason });
  if (!facts.pledged) missing.push({ field: 'pledge', label: '承诺', message: '请阅读评选条例后点击【我承诺】' });
  for (const kind of REQUIRED_APPLICANT_ATTACHMENTS) {
    if (!facts.attachmentKinds.includes(kind)) {
      missing.push({ field: `attachment.${kind}`, label: attachmentKindLabel(kind), message: `请在【附件】中上传${attachmentKindLabel(kind)}` });
    }
  }
  const count = (kind: string) => facts.attachmentKinds.filter((k) => k === kind).length;
  for (const message of checkMediaCounts({ photos: count('photo'), videos: count('video') }, media)) {
    missing.push({ field: message.startsWith('照片') ? 'media.photo' : 'media.video', label: message.startsWith('照片') ? '照片' : '视频', message });
  }
  return { complete: missing.length === 0, missing };
}
