// Eligibility per the notice's 评选标准. Only explicit answers count: an unanswered question is a
// completeness problem (checkCompleteness), not a reason to refuse.
import type { z } from 'zod';
import type { ApplicationForm } from './application';
import type { eligibilityResultSchema } from './replies';

const EXCLUSION_RULE = '不包括现役军人、公务员和参照公务员法管理的党政机关现任厅局级以上行政职务者';

/** Reasons the candidate cannot be recommended (`refused`), and "原则上不再推荐" (`flags`, for the unit and organizer to decide). */
export type EligibilityResult = z.infer<typeof eligibilityResultSchema>;

/** What the platform's own records say of the person (issue 15, 6.): the earlier years they were published 当选. */
export interface EligibilityRecord {
  /** years of earlier campaigns of the same program in which this person (by 身份证号码 or account) was 当选 or 推荐全国 */
  previousWinYears?: readonly number[];
}

/** The refusal of a previous winner who answered 是 themselves (without the platform's records). */
export const PREVIOUS_WINNER_DECLARED = '往年获评“新疆最美科技工作者”人员不再推荐';
/** How a refusal from the platform's records begins (the browser cannot find it from the form: the server adds it). */
export const RECORD_REFUSAL_PREFIX = '经核查，';

/** 往年获评人员不再推荐, backed by the results: names the year(s), in the words the applicant and unit read. */
export function previousWinnerRefusal(years: readonly number[]): string {
  return `${RECORD_REFUSAL_PREFIX}申报人已获评${years.map((y) => `${y}年`).join('、')}“新疆最美科技工作者”：往年获评“新疆最美科技工作者”人员不再推荐`;
}

export function checkEligibility(form: ApplicationForm, record: EligibilityRecord = {}): EligibilityResult {
  const refused: string[] = [];
  const flags: string[] = [];
  if (form.worksInXinjiang === false) {
    refused.push('评选在新疆工作的科技工作者中开展，不在新疆工作的人员不能申报');
  }
  // the results first: a previous winner is refused whatever the 申请书 answers (one reason, naming the year)
  if (record.previousWinYears?.length) refused.push(previousWinnerRefusal(record.previousWinYears));
  else if (form.previousWinner === true) refused.push(PREVIOUS_WINNER_DECLARED);
  if (form.activeMilitary === true) refused.push(`现役军人不在评选范围内（评选标准：${EXCLUSION_RULE}）`);
  if (form.civilServant === true) {
    refused.push(`公务员和参照公务员法管理人员不在评选范围内（评选标准：${EXCLUSION_RULE}）`);
  }
  if (form.seniorOfficial === true) {
    refused.push(`党政机关现任厅局级以上行政职务者不在评选范围内（评选标准：${EXCLUSION_RULE}）`);
  }
  const honourRule = '已获得国家级荣誉表彰、中宣部“最美”系列称号的科技人员原则上不再推荐';
  if (form.nationalHonour === true) flags.push(`已获得国家级荣誉表彰：${honourRule}`);
  if (form.zuimeiTitle === true) flags.push(`已获得中宣部“最美”系列称号：${honourRule}`);
  return { refused, flags };
}
