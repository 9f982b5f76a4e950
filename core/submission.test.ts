import { describe, expect, it } from 'vitest';
import { defaultCampaignSettings } from './campaign';
import { APPLICATION_STATUSES, holderOf, QUOTA_STATUSES, STATUS_HOLDER, STATUS_LABELS, STATUS_META } from './status';
import { missingForSubmission } from './submission';
import { ACTION_META, ACTIONS, ACTION_LABELS } from './workflow';

const media = defaultCampaignSettings(2023).media;
const fields = (r: ReturnType<typeof missingForSubmission>) => r.missing.map((m) => m.field);

describe('missingForSubmission: what 【提交】 requires beyond the form', () => {
  it('names the pledge, each of the three scans and the photo count when they are missing', () => {
    const r = missingForSubmission({ form: {}, pledged: false, attachmentKinds: [] }, media);
    expect(r.complete).toBe(false);
    expect(fields(r)).toEqual(
      expect.arrayContaining(['pledge', 'attachment.integrity_pledge', 'attachment.unit_opinion', 'attachment.political_review', 'media.photo']),
    );
    expect(r.missing.find((m) => m.field === 'pledge')?.message).toBe('请阅读评选条例后点击【我承诺】');
  });

  it('names nothing of those once pledged, the scans uploaded and a photo there; a missing scan alone is named alone', () => {
    const all = ['integrity_pledge', 'unit_opinion', 'political_review', 'photo'];
    const done = missingForSubmission({ form: {}, pledged: true, attachmentKinds: all }, media);
    expect(fields(done).filter((f) => f === 'pledge' || f.startsWith('attachment.') || f.startsWith('media.'))).toEqual([]);
    const one = missingForSubmission({ form: {}, pledged: true, attachmentKinds: all.filter((k) => k !== 'unit_opinion') }, media);
    expect(fields(one).filter((f) => f.startsWith('attachment.'))).toEqual(['attachment.unit_opinion']);
  });

  it('counts videos against the campaign maximum', () => {
    const kinds = ['integrity_pledge', 'unit_opinion', 'political_review', 'photo', ...Array.from({ length: media.videoMaxCount + 1 }, () => 'video')];
    expect(fields(missingForSubmission({ form: {}, pledged: true, attachmentKinds: kinds }, media))).toContain('media.video');
  });
});

describe('the status table', () => {
  it('gives every status a label, a holder and whether it takes a forwarding place; the derived tables agree', () => {
    for (const s of APPLICATION_STATUSES) {
      expect(STATUS_LABELS[s]).toBe(STATUS_META[s].label);
      expect(STATUS_HOLDER[s]).toBe(STATUS_META[s].holder);
      expect(holderOf(s)).toBe(STATUS_META[s].holder);
    }
    // forwarded, 受理 and in 网上评选: each still holds one of its unit's places; so does a published outcome
    expect(QUOTA_STATUSES).toEqual(['submitted_to_org', 'accepted', 'online_review', 'final_review', 'won', 'national', 'not_won']);
  });

  it('treats a status it does not know (a later review stage) as the organizer’s, never the applicant’s', () => {
    expect(holderOf('under_review')).toBe('organizer');
  });
});

describe('the action table', () => {
  it('labels every action and says how its refusal is answered: 409 for the transfers a stale page may offer', () => {
    for (const a of ACTIONS) expect(ACTION_LABELS[a]).toBe(ACTION_META[a].label);
    expect(ACTIONS.filter((a) => ACTION_META[a].refusedAs === 'conflict')).toEqual([
      'submit',
      'withdraw',
      'withdrawReturn',
      'forward',
      'withdrawForward',
      'accept',
      // 分配评审专家 (已受理 → 网上评选中): a plan confirmed over a candidate another confirm already moved
      'startReview',
      // 入围名单 built: a candidate another build already moved
      'endOnlineReview',
      // 发布结果: a candidate another 发布 (or its scheduled run) already gave its outcome
      'publishWin',
      'publishNational',
      'publishNotWon',
    ]);
  });
});
