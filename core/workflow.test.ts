import { describe, expect, it } from 'vitest';
import { ACTIONS, abilitiesFor, decide, recommendationRefusal, type Action } from './workflow';
import { APPLICATION_STATUSES, type ApplicationStatus } from './status';
import { ROLES, type Role } from './codes';

// The specification, written out by hand from the manual: who may do what in which status, and where
// "viewed" (the receiver has opened it) matters. Everything not listed must be refused.
const ALLOWED: [ApplicationStatus, Role, Action, 'any' | 'unviewed'][] = [
  ...(['applicant', 'returned_to_applicant'] as const).flatMap((st) =>
    (['edit', 'pledge', 'upload', 'delete', 'submit'] as const).map((a) => [st, 'applicant', a, 'any'] as [ApplicationStatus, Role, Action, 'any']),
  ),
  ['submitted_to_unit', 'applicant', 'withdraw', 'unviewed'],
  ...(['submitted_to_unit', 'returned_to_unit'] as const).flatMap((st) =>
    (['view', 'unitOpinion', 'unitUpload', 'preliminary', 'return', 'forward'] as const).map(
      (a) => [st, 'unit', a, 'any'] as [ApplicationStatus, Role, Action, 'any'],
    ),
  ),
  ['returned_to_applicant', 'unit', 'withdrawReturn', 'any'],
  ['submitted_to_org', 'unit', 'withdrawForward', 'unviewed'],
  ['submitted_to_org', 'organizer', 'view', 'any'],
  ['submitted_to_org', 'organizer', 'orgOpinion', 'any'],
  ['submitted_to_org', 'organizer', 'orgReturn', 'any'],
  // 形式审查: 受理 (or 退回, above); after it nobody moves it in this slice, and the unit's 收回 is gone
  ['submitted_to_org', 'organizer', 'accept', 'any'],
  // 网上评选: the confirmed assignment plan moves an accepted candidate to 网上评选中
  ['accepted', 'organizer', 'startReview', 'any'],
  // 入围名单 built: every candidate in 网上评选 moves to 评审中 (shortlisted or not)
  ['online_review', 'organizer', 'endOnlineReview', 'any'],
  // 发布结果: every candidate in 评审中 gets its outcome (当选, 推荐全国 or 未当选); after it nobody moves it again
  ['final_review', 'organizer', 'publishWin', 'any'],
  ['final_review', 'organizer', 'publishNational', 'any'],
  ['final_review', 'organizer', 'publishNotWon', 'any'],
];

describe('the workflow table, walked whole', () => {
  it('allows exactly the specified (status, role, action) and refuses every other', () => {
    let checked = 0;
    for (const status of APPLICATION_STATUSES) {
      for (const role of ROLES) {
        for (const action of ACTIONS) {
          for (const viewed of [false, true]) {
            for (const related of [true, false]) {
              const spec = ALLOWED.find(([s, r, a]) => s === status && r === role && a === action);
              const expected = !!spec && related && (spec[3] === 'any' || !viewed);
              const got = decide(action, { status, viewed }, { role, related }).ok;
              expect({ status, role, action, viewed, related, allowed: got }).toEqual({ status, role, action, viewed, related, allowed: expected });
              checked++;
            }
          }
        }
      }
    }
    expect(checked).toBe(APPLICATION_STATUSES.length * ROLES.length * ACTIONS.length * 4);
  });

  it('leads each transfer to the manual’s next status', () => {
    const next = (action: Action, status: ApplicationStatus, role: Role) => {
      const d = decide(action, { status, viewed: false }, { role, related: true });
      return d.ok ? d.rule.to : undefined;
    };
    expect(next('submit', 'applicant', 'applicant')).toBe('submitted_to_unit');
    expect(next('submit', 'returned_to_applicant', 'applicant')).toBe('submitted_to_unit');
    expect(next('withdraw', 'submitted_to_unit', 'applicant')).toBe('applicant');
    expect(next('return', 'submitted_to_unit', 'unit')).toBe('returned_to_applicant');
    expect(next('withdrawReturn', 'returned_to_applicant', 'unit')).toBe('submitted_to_unit');
    expect(next('forward', 'submitted_to_unit', 'unit')).toBe('submitted_to_org');
    expect(next('forward', 'returned_to_unit', 'unit')).toBe('submitted_to_org');
    expect(next('withdrawForward', 'submitted_to_org', 'unit')).toBe('submitted_to_unit');
    expect(next('startReview', 'accepted', 'organizer')).toBe('online_review');
    expect(next('endOnlineReview', 'online_review', 'organizer')).toBe('final_review');
    expect(next('publishWin', 'final_review', 'organizer')).toBe('won');
    expect(next('publishNational', 'final_review', 'organizer')).toBe('national');
    expect(next('publishNotWon', 'final_review', 'organizer')).toBe('not_won');
    expect(next('orgReturn', 'submitted_to_org', 'organizer')).toBe('returned_to_unit');
    expect(next('accept', 'submitted_to_org', 'organizer')).toBe('accepted');
    expect(next('preliminary', 'submitted_to_unit', 'unit')).toBeUndefined(); // recorded, not a transfer
  });

  it('forwards only after 初评 通过 and the 公示 the campaign asks for, and says what is missing', () => {
    const unit = { role: 'unit', related: true } as const;
    const state = { status: 'submitted_to_unit', viewed: true } as const;
    const all = { recommendation: true, preliminaryPassed: true, publicityDone: true, quota: true, preliminaryWindow: true };
    expect(decide('forward', state, unit, all).ok).toBe(true);
    const notPassed = decide('forward', state, unit, { ...all, preliminaryPassed: false });
    expect(notPassed.ok).toBe(false);
    if (!notPassed.ok) expect(notPassed.reason).toContain('初评结果为通过后方可提交');
    const publicity = decide('forward', state, unit, { ...all, publicityDone: false, publicityText: '初评公示期至2023年4月25日，公示期满后方可提交' });
    expect(publicity).toEqual({ ok: false, reason: '初评公示期至2023年4月25日，公示期满后方可提交' });
    const noText = decide('forward', state, unit, { ...all, publicityDone: false });
    if (!noText.ok) expect(noText.reason).toContain('公示期满');
    // the materials first: the refusal names every missing one
    const scans = decide('forward', state, unit, {
      ...all,
      preliminaryPassed: false,
      recommendation: false,
      recommendationMissing: { opinion: false, scans: ['干部人事管理部门意见', '纪检监察部门意见'] },
    });
    expect(scans).toEqual({
      ok: false,
      reason: '尚未上传【干部人事管理部门意见】、【纪检监察部门意见】：请在【附件】中上传【干部人事管理部门意见】、【纪检监察部门意见】，然后点击【提交】',
    });
    const one = recommendationRefusal({ opinion: true, scans: ['纪检监察部门意见'] });
    expect(one).toContain('尚未填写【推荐单位意见】，也未上传【纪检监察部门意见】');
    expect(one).not.toContain('推荐报告扫描件');
  });

  it('受理 ends the unit’s 收回; only 自治区科协 holding a forwarded application may 受理', () => {
    expect(abilitiesFor({ status: 'accepted', viewed: true }, { role: 'unit', related: true }).withdrawForward).toBe(false);
    expect(abilitiesFor({ status: 'accepted', viewed: false }, { role: 'unit', related: true }).withdrawForward).toBe(false);
    const again = decide('accept', { status: 'accepted', viewed: true }, { role: 'organizer', related: true });
    expect(again).toEqual({ ok: false, reason: '申请书当前状态为“[自治区科协]已受理”，不能受理' });
    expect(decide('accept', { status: 'submitted_to_org', viewed: false }, { role: 'unit', related: true }).ok).toBe(false);
    expect(decide('accept', { status: 'submitted_to_unit', viewed: false }, { role: 'organizer', related: true }).ok).toBe(false);
    // 初评 is the holder's: not after 提交 to 自治区科协, and never outside its window
    expect(decide('preliminary', { status: 'submitted_to_org', viewed: false }, { role: 'unit', related: true }).ok).toBe(false);
    const closed = decide(
      'preliminary',
      { status: 'returned_to_unit', viewed: true },
      { role: 'unit', related: true },
      { preliminaryWindow: false, windowText: '初评时间已过' },
    );
    expect(closed).toEqual({ ok: false, reason: '初评时间已过' });
  });

  it('explains refusals in the manual’s words', () => {
    const viewed = decide('withdraw', { status: 'submitted_to_unit', viewed: true }, { role: 'applicant', related: true });
    expect(viewed.ok).toBe(false);
    if (!viewed.ok) expect(viewed.reason).toContain('推荐单位已经查看或办理此申请书');
    const edit = decide('edit', { status: 'submitted_to_org', viewed: false }, { role: 'applicant', related: true });
    if (!edit.ok) expect(edit.reason).toContain('仅当【状态】是申报人时');
    const quota = decide(
      'forward',
      { status: 'submitted_to_unit', viewed: true },
      { role: 'unit', related: true },
      { recommendation: true, quota: false, quotaText: '最多3名', preliminaryWindow: true },
    );
    expect(quota).toEqual({ ok: false, reason: '最多3名' });
    const opinion = decide('return', { status: 'submitted_to_unit', viewed: true }, { role: 'unit', related: true }, { returnOpinion: false });
    if (!opinion.ok) expect(opinion.reason).toContain('【修改意见】');
  });

  it('shows 收回 exactly when it is allowed', () => {
    expect(abilitiesFor({ status: 'submitted_to_unit', viewed: false }, { role: 'applicant', related: true }).withdraw).toBe(true);
    expect(abilitiesFor({ status: 'submitted_to_unit', viewed: true }, { role: 'applicant', related: true }).withdraw).toBe(false);
    expect(abilitiesFor({ status: 'submitted_to_org', viewed: false }, { role: 'unit', related: true }).withdrawForward).toBe(true);
    expect(abilitiesFor({ status: 'submitted_to_org', viewed: true }, { role: 'unit', related: true }).withdrawForward).toBe(false);
    expect(abilitiesFor({ status: 'submitted_to_org', viewed: false }, { role: 'unit', related: false }).withdrawForward).toBe(false);
  });
});
