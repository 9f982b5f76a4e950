import { describe, expect, it } from 'vitest';
import { ACTIONS, abilitiesFor, decide, type Action } from './workflow';
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
    (['view', 'unitOpinion', 'unitUpload', 'return', 'forward'] as const).map((a) => [st, 'unit', a, 'any'] as [ApplicationStatus, Role, Action, 'any']),
  ),
  ['returned_to_applicant', 'unit', 'withdrawReturn', 'any'],
  ['submitted_to_org', 'unit', 'withdrawForward', 'unviewed'],
  ['submitted_to_org', 'organizer', 'view', 'any'],
  ['submitted_to_org', 'organizer', 'orgOpinion', 'any'],
  ['submitted_to_org', 'organizer', 'orgReturn', 'any'],
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
    expect(next('orgReturn', 'submitted_to_org', 'organizer')).toBe('returned_to_unit');
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
