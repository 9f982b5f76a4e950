// The application lifecycle as one table: (action, role, statuses) → next status and guards.
// The server asks it before every write; the web asks it which buttons to show. Guards that need the
// database (completeness, quota, stage windows, saved opinions) are facts the server supplies.
import type { Role } from './codes';
import { STATUS_HOLDER, STATUS_LABELS, type ApplicationStatus } from './status';

export const ACTIONS = [
  'edit',
  'pledge',
  'upload',
  'delete',
  'submit',
  'withdraw',
  'view',
  'unitOpinion',
  'unitUpload',
  'preliminary',
  'return',
  'withdrawReturn',
  'forward',
  'withdrawForward',
  'orgOpinion',
  'orgReturn',
  'accept',
  'startReview',
  'endOnlineReview',
  'publishWin',
  'publishNational',
  'publishNotWon',
] as const;
export type Action = (typeof ACTIONS)[number];

export interface ActionMeta {
  /** the manual's name of the action, used in buttons and refusals */
  label: string;
  /**
   * How a refusal is answered over HTTP: `conflict` (409) for a transfer that a page may still offer after the
   * application moved on (another tab, the receiver opened it, the quota filled meanwhile): reloading shows
   * the truth; `forbidden` (403) for an action this user may not take on it at all.
   */
  refusedAs: 'conflict' | 'forbidden';
}

export const ACTION_META: Record<Action, ActionMeta> = {
  edit: { label: '编辑', refusedAs: 'forbidden' },
  pledge: { label: '承诺', refusedAs: 'forbidden' },
  upload: { label: '上传附件', refusedAs: 'forbidden' },
  delete: { label: '删除', refusedAs: 'forbidden' },
  submit: { label: '提交', refusedAs: 'conflict' },
  withdraw: { label: '收回', refusedAs: 'conflict' },
  view: { label: '办理', refusedAs: 'forbidden' },
  unitOpinion: { label: '填写意见', refusedAs: 'forbidden' },
  unitUpload: { label: '上传附件', refusedAs: 'forbidden' },
  preliminary: { label: '初评', refusedAs: 'forbidden' },
  return: { label: '退回', refusedAs: 'forbidden' },
  withdrawReturn: { label: '收回', refusedAs: 'conflict' },
  forward: { label: '提交', refusedAs: 'conflict' },
  withdrawForward: { label: '收回', refusedAs: 'conflict' },
  orgOpinion: { label: '填写意见', refusedAs: 'forbidden' },
  orgReturn: { label: '退回', refusedAs: 'forbidden' },
  // 形式审查 passed: into the review. A page may still offer it after the unit took its forward back.
  accept: { label: '受理', refusedAs: 'conflict' },
  // 网上评选: the confirmed assignment plan moves the candidate to 网上评选中 (server/usecases/review-assign.ts)
  startReview: { label: '分配评审专家', refusedAs: 'conflict' },
  // 入围名单 built (server/usecases/shortlist.ts): every candidate in 网上评选 moves on to 评审中, shortlisted or not;
  // the label says only that the online stage is over (流程情况 shows it to the applicant and the unit)
  endOnlineReview: { label: '网上评选结束', refusedAs: 'conflict' },
  // 发布 (server/usecases/publication.ts): one action per outcome, since a rule has one `to`; all three read 发布结果 in
  // 流程情况 and in messages. No button of its own: 发布结果 (or its scheduled run) does it for the whole campaign
  publishWin: { label: '发布结果', refusedAs: 'conflict' },
  publishNational: { label: '发布结果', refusedAs: 'conflict' },
  publishNotWon: { label: '发布结果', refusedAs: 'conflict' },
};

/** The manual's name of each action, used in buttons and refusals. */
export const ACTION_LABELS = Object.fromEntries(ACTIONS.map((a) => [a, ACTION_META[a].label])) as Record<Action, string>;

/** What a 流程情况 row records: a workflow action, or 我要申请 (the draft's creation). */
export type EventKind = Action | 'create';

export const EVENT_LABELS: Record<EventKind, string> = { ...ACTION_LABELS, create: '我要申请' };

export type Guard =
  /** the actor's role holds the application in this status */
  | 'holder'
  /** the receiver has neither opened nor handled it since the transfer */
  | 'notViewed'
  /** form complete, pledged, three scans, eligible */
  | 'complete'
  /** 申报 window open */
  | 'applyWindow'
  /** 初评 window open */
  | 'preliminaryWindow'
  /** 修改意见 saved */
  | 'returnOpinion'
  /** 推荐单位意见 saved, 推荐报告扫描件, 干部人事管理部门意见 and 纪检监察部门意见 uploaded */
  | 'recommendation'
  /** the unit's 初评 recorded as 通过 */
  | 'preliminaryPassed'
  /**
   * 初评公示 done, when the campaign's 初评须公示 (settings.preliminary.requirePublicity) is on: a published 公示
   * including the candidate whose period has ended, with no open objection about it (issue 13's 公示 slice
   * supplies the fact; while the setting is off it holds)
   */
  | 'publicityDone'
  /** fewer than the campaign's quota already forwarded by this unit */
  | 'quota'
  /** 自治区科协's opinion saved */
  | 'orgOpinion';

export interface Rule {
  action: Action;
  role: Role;
  from: readonly ApplicationStatus[];
  /** the next status; absent for actions that do not transfer the application */
  to?: ApplicationStatus;
  guards: readonly Guard[];
}

const APPLICANT_HOLDS: readonly ApplicationStatus[] = ['applicant', 'returned_to_applicant'];
const UNIT_HOLDS: readonly ApplicationStatus[] = ['submitted_to_unit', 'returned_to_unit'];

export const RULES: readonly Rule[] = [
  { action: 'edit', role: 'applicant', from: APPLICANT_HOLDS, guards: ['holder'] },
  { action: 'pledge', role: 'applicant', from: APPLICANT_HOLDS, guards: ['holder'] },
  { action: 'upload', role: 'applicant', from: APPLICANT_HOLDS, guards: ['holder'] },
  { action: 'delete', role: 'applicant', from: APPLICANT_HOLDS, guards: ['holder'] },
  { action: 'submit', role: 'applicant', from: APPLICANT_HOLDS, to: 'submitted_to_unit', guards: ['holder', 'complete', 'applyWindow'] },
  { action: 'withdraw', role: 'applicant', from: ['submitted_to_unit'], to: 'applicant', guards: ['notViewed'] },
  { action: 'view', role: 'unit', from: UNIT_HOLDS, guards: ['holder'] },
  { action: 'unitOpinion', role: 'unit', from: UNIT_HOLDS, guards: ['holder'] },
  { action: 'unitUpload', role: 'unit', from: UNIT_HOLDS, guards: ['holder'] },
  // 初评: recorded, and changed, while the unit holds it, within the 初评 window
  { action: 'preliminary', role: 'unit', from: UNIT_HOLDS, guards: ['holder', 'preliminaryWindow'] },
  { action: 'return', role: 'unit', from: UNIT_HOLDS, to: 'returned_to_applicant', guards: ['holder', 'returnOpinion'] },
  // until the applicant resubmits or deletes it: both leave this status
  { action: 'withdrawReturn', role: 'unit', from: ['returned_to_applicant'], to: 'submitted_to_unit', guards: [] },
  {
    action: 'forward',
    role: 'unit',
    from: UNIT_HOLDS,
    to: 'submitted_to_org',
    guards: ['holder', 'recommendation', 'preliminaryPassed', 'publicityDone', 'quota', 'preliminaryWindow'],
  },
  { action: 'withdrawForward', role: 'unit', from: ['submitted_to_org'], to: 'submitted_to_unit', guards: ['notViewed'] },
  { action: 'view', role: 'organizer', from: ['submitted_to_org'], guards: ['holder'] },
  { action: 'orgOpinion', role: 'organizer', from: ['submitted_to_org'], guards: ['holder'] },
  { action: 'orgReturn', role: 'organizer', from: ['submitted_to_org'], to: 'returned_to_unit', guards: ['holder', 'orgOpinion'] },
  // 形式审查: 受理 into the review (退回 is the other outcome); from then on the unit cannot 收回
  { action: 'accept', role: 'organizer', from: ['submitted_to_org'], to: 'accepted', guards: ['holder'] },
  // 网上评选: experts assigned (a confirmed plan); no button of its own, the assignment page does it
  { action: 'startReview', role: 'organizer', from: ['accepted'], to: 'online_review', guards: ['holder'] },
  // 入围名单: no button of its own, building the shortlist does it for the whole campaign
  { action: 'endOnlineReview', role: 'organizer', from: ['online_review'], to: 'final_review', guards: ['holder'] },
  // 发布结果: every candidate in 评审中 gets its outcome, in the one transaction of 发布 (readiness checked there: the
  // final 公示 over with no open objection and the confirmed selection equal to its list)
  { action: 'publishWin', role: 'organizer', from: ['final_review'], to: 'won', guards: ['holder'] },
  { action: 'publishNational', role: 'organizer', from: ['final_review'], to: 'national', guards: ['holder'] },
  { action: 'publishNotWon', role: 'organizer', from: ['final_review'], to: 'not_won', guards: ['holder'] },
];

/** The 发布结果 action that gives each outcome. */
export const PUBLISH_ACTION: Record<'won' | 'national' | 'not_won', Action> = {
  won: 'publishWin',
  national: 'publishNational',
  not_won: 'publishNotWon',
};

/** What the table needs to know about one application. */
export interface WorkflowState {
  status: ApplicationStatus;
  /** the current receiver has opened or handled it since it was transferred */
  viewed: boolean;
}

export interface Actor {
  role: Role;
  /** the applicant of this application, the unit it was submitted to, or the organizer */
  related: boolean;
}

/** Facts only the database knows; a guard whose fact is not supplied is not checked (used for buttons). */
export type Facts = Partial<Record<Exclude<Guard, 'holder' | 'notViewed'>, boolean>> & {
  quotaText?: string;
  windowText?: string;
  /** what the 'recommendation' guard found missing, so the refusal names it (every one that is) */
  recommendationMissing?: RecommendationMissing;
  /** the 'publicityDone' refusal naming what is missing, e.g. "初评公示期至2023年4月25日，公示期满后方可提交" */
  publicityText?: string;
};

/** What 【提交】 to 自治区科协 needs from the unit: 推荐单位意见 saved, and the labels of the unit's scans not uploaded. */
export interface RecommendationMissing {
  opinion: boolean;
  /** labels of the missing scans, in UNIT_ATTACHMENT_KINDS order: 推荐报告扫描件, 干部人事管理部门意见, 纪检监察部门意见 */
  scans: readonly string[];
}

/** 【提交】 to 自治区科协 refused: names 推荐单位意见 and every one of the unit's scans that is missing. */
export function recommendationRefusal(missing: RecommendationMissing | undefined): string {
  const scans = (missing?.scans ?? []).map((l) => `【${l}】`).join('、');
  if (missing?.opinion && !scans) {
    return '尚未填写【推荐单位意见】：请先在【推荐单位意见】中填写意见并点击【保存】，然后点击【提交】';
  }
  if (scans && !missing?.opinion) {
    return `尚未上传${scans}：请在【附件】中上传${scans}，然后点击【提交】`;
  }
  if (scans) {
    return `尚未填写【推荐单位意见】，也未上传${scans}：请先在【推荐单位意见】中填写意见并【保存】，再在【附件】中上传${scans}，然后点击【提交】`;
  }
  return '请先在【推荐单位意见】中填写意见并【保存】，再在【附件】中上传推荐报告扫描件及干部人事管理、纪检监察部门意见，然后点击【提交】';
}

export function findRule(action: Action, role: Role, status: ApplicationStatus): Rule | undefined {
  return RULES.find((r) => r.action === action && r.role === role && r.from.includes(status));
}

export type Decision = { ok: true; rule: Rule } | { ok: false; reason: string };

const GUARD_REFUSALS: Record<Exclude<Guard, 'holder' | 'notViewed' | 'quota' | 'applyWindow' | 'preliminaryWindow'>, string> = {
  complete: '申请书尚未填写完整，请检查后再提交',
  returnOpinion: '请先在【修改意见】中填写意见并点击【保存】，再点击【退回】',
  recommendation: '请先在【推荐单位意见】中填写意见并【保存】，再在【附件】中上传【推荐报告扫描件】，然后点击【提交】',
  preliminaryPassed: '初评结果为通过后方可提交：请在【推荐单位意见】中选择初评结果“通过”并点击【保存初评】，然后点击【提交】',
  publicityDone: '初评公示期满且无异议后方可提交',
  orgOpinion: '请先填写退回意见并【保存】，再点击【退回】',
};

/** Whether `actor` may do `action` now, and if not, why — in words the user can act on. */
export function decide(action: Action, state: WorkflowState, actor: Actor, facts: Facts = {}): Decision {
  const statusText = STATUS_LABELS[state.status];
  const rule = findRule(action, actor.role, state.status);
  if (!actor.related || !rule) {
    return { ok: false, reason: refusalByStatus(action, actor.role, statusText) };
  }
  for (const guard of rule.guards) {
    if (guard === 'holder' && STATUS_HOLDER[state.status] !== actor.role) return { ok: false, reason: refusalByStatus(action, actor.role, statusText) };
    if (guard === 'notViewed' && state.viewed) {
      const who = action === 'withdraw' ? '推荐单位' : '自治区科协';
      const ask = action === 'withdraw' ? '请联系推荐单位退回申请书至申请人' : '请联系自治区科协退回申请书至推荐单位';
      return { ok: false, reason: `${who}已经查看或办理此申请书，不能收回；${ask}` };
    }
    if (guard === 'quota' && facts.quota === false) return { ok: false, reason: facts.quotaText ?? '已达到推荐名额上限' };
    if ((guard === 'applyWindow' || guard === 'preliminaryWindow') && facts[guard] === false) {
      return { ok: false, reason: facts.windowText ?? '当前不在办理时间内' };
    }
    if (guard === 'recommendation' && facts.recommendation === false) {
      return { ok: false, reason: recommendationRefusal(facts.recommendationMissing) };
    }
    if (guard === 'publicityDone' && facts.publicityDone === false && facts.publicityText) {
      return { ok: false, reason: facts.publicityText };
    }
    if (guard in GUARD_REFUSALS && facts[guard as keyof typeof GUARD_REFUSALS] === false) {
      return { ok: false, reason: GUARD_REFUSALS[guard as keyof typeof GUARD_REFUSALS] };
    }
  }
  return { ok: true, rule };
}

function refusalByStatus(action: Action, role: Role, statusText: string): string {
  if (role === 'applicant' && ['edit', 'pledge', 'upload', 'delete', 'submit'].includes(action)) {
    return `申请书当前状态为“${statusText}”，不能${ACTION_LABELS[action]}：仅当【状态】是申报人时申请书在申请人手中，可以${ACTION_LABELS[action]}；如需修改，请联系相关单位负责人退回申请书至申请人`;
  }
  if (action === 'accept') return `申请书当前状态为“${statusText}”，不能受理`;
  if (action === 'withdraw' || action === 'withdrawReturn' || action === 'withdrawForward') {
    return `申请书当前状态为“${statusText}”，不能收回`;
  }
  return `申请书当前状态为“${statusText}”，您不能${ACTION_LABELS[action]}`;
}

export type Abilities = Record<Action, boolean>;

/**
 * The buttons to show: every action whose rule and structural guards (holder, not viewed) pass.
 * "收回" appears exactly when the server would allow it.
 */
export function abilitiesFor(state: WorkflowState, actor: Actor): Abilities {
  return Object.fromEntries(ACTIONS.map((a) => [a, decide(a, state, actor).ok])) as Abilities;
}
