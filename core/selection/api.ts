// 入围名单 and 最终评选结果 over HTTP (issue 14, 1. and 4.–7.): the request bodies and the replies of
// server/routes/selection.ts. Kept here, beside the checker and the solver the replies carry, rather than in the shared
// replies.ts (as core/review/api.ts does for 网上评选).
import { z } from 'zod';
import { publicityInputSchema } from '../publicity';
import { replyText, text } from '../text';
import { SELECTION_ATTRIBUTES, SELECTION_LISTS } from './types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const candidateId = (label: string) =>
  text(label)
    .trim()
    .regex(UUID, `${label}不正确，请重新选择`)
    .transform((v) => v.toLowerCase());

/** A change's reason: required, 2–500 characters (it is the record of why the list differs from the ranking). */
export const SHORTLIST_REASON_MAX_LENGTH = 500;
const reason = (label: string) =>
  text(label, { required: `请填写${label}` })
    .trim()
    .min(2, `请填写${label}（至少2个字）`)
    .max(SHORTLIST_REASON_MAX_LENGTH, `${label}不能超过${SHORTLIST_REASON_MAX_LENGTH}字`);

// ───────────────────────── 入围名单 ─────────────────────────

export const shortlistAddSchema = z.object({ applicationId: candidateId('候选人'), reason: reason('增补理由') });
export const shortlistRemoveSchema = z.object({ applicationId: candidateId('候选人'), reason: reason('移出理由') });
export const shortlistMarkSchema = z.object({
  applicationId: candidateId('候选人'),
  frontline: z.boolean({ error: '“基层一线”应为是或否' }),
});

export const SHORTLIST_ACTION_LABELS = { build: '生成入围名单', add: '增补', remove: '移出', mark: '标记基层一线' } as const;
export type ShortlistAction = keyof typeof SHORTLIST_ACTION_LABELS;

/** The online rank and figure as they stood when the entry was made (shortlist_entries.online). */
export const onlineSnapshotSchema = z.object({
  rank: z.number().nullable(),
  tied: z.boolean(),
  figure: z.number().nullable(),
  /** the ranking figure (core/review RankFigure) */
  by: replyText(),
});
export type OnlineSnapshot = z.infer<typeof onlineSnapshotSchema>;

export const shortlistEntrySchema = z.object({
  applicationId: replyText(),
  number: replyText(),
  name: replyText(),
  workUnit: replyText(),
  unitName: replyText().nullable(),
  field: replyText(),
  /** ranking (taken from the 网上评选 ranking) | manual (增补 by the organizer) */
  origin: replyText(),
  online: onlineSnapshotSchema.nullable(),
  /** "第3", "并列第7", "未评分" */
  rankLabel: replyText(),
  frontline: z.boolean(),
});
export type ShortlistEntry = z.infer<typeof shortlistEntrySchema>;

export const shortlistChangeSchema = z.object({
  id: z.number(),
  action: replyText(),
  actionLabel: replyText(),
  applicationId: replyText().nullable(),
  name: replyText().nullable(),
  reason: replyText().nullable(),
  /** a build's summary ("按平均分取前40名…") or a mark's "是"/"否" */
  detail: replyText().nullable(),
  actorName: replyText(),
  at: replyText(),
});
export type ShortlistChange = z.infer<typeof shortlistChangeSchema>;

/** A candidate still in the review who is not on the list: what 增补 may choose from. */
export const shortlistOutsiderSchema = z.object({
  applicationId: replyText(),
  number: replyText(),
  name: replyText(),
  rankLabel: replyText(),
  gateFailed: z.boolean(),
});

export const shortlistReplySchema = z.object({
  campaignId: replyText(),
  /** N: settings.selection.shortlistSize, or 2 × settings.winners when that is 0 */
  size: z.number(),
  built: z.boolean(),
  /** the meeting's first round has started: 重新生成 is refused (增补/移出 stay open until the selection is confirmed) */
  rebuildLocked: z.boolean(),
  /** the selection is confirmed: nothing on the list changes until it is reopened */
  locked: z.boolean(),
  entries: z.array(shortlistEntrySchema),
  outsiders: z.array(shortlistOutsiderSchema),
  changes: z.array(shortlistChangeSchema),
});
export type ShortlistReply = z.infer<typeof shortlistReplySchema>;

// ───────────────────────── 最终评选结果 ─────────────────────────

export const selectionPickSchema = z.object({
  winners: z.array(candidateId('当选人员'), { error: '请选择当选人员' }).max(1000, '当选人员过多'),
  nationals: z.array(candidateId('全国推荐人选'), { error: '请选择全国推荐人选' }).max(1000, '全国推荐人选过多'),
  version: z.number({ error: '请刷新页面后重试（缺少名单版本）' }).int('名单版本不正确，请刷新页面后重试'),
});
export type SelectionPickInput = z.infer<typeof selectionPickSchema>;

export const selectionVersionSchema = z.object({
  version: z.number({ error: '请刷新页面后重试（缺少名单版本）' }).int('名单版本不正确，请刷新页面后重试'),
});
export const selectionReopenSchema = z.object({
  version: z.number({ error: '请刷新页面后重试（缺少名单版本）' }).int('名单版本不正确，请刷新页面后重试'),
  reason: reason('重新打开的理由'),
});
export const selectionReplacementSchema = z.object({ applicationId: candidateId('被取消的当选人员') });

/** 发布最终公示: the 公示's own fields, with the confirmed winners as its entries (each with its 事迹简介). */
export const finalPublicityInputSchema = publicityInputSchema;

const checkLineSchema = z.object({
  constraintId: replyText(),
  list: z.enum(SELECTION_LISTS),
  value: replyText().optional(),
  count: z.number(),
  size: z.number(),
  ok: z.boolean(),
  text: replyText(),
});
export const selectionCheckSchema = z.object({ ok: z.boolean(), lines: z.array(checkLineSchema), sizeLines: z.array(checkLineSchema) });

/** A candidate of the pool with what the checker needs (SelectionCandidate) and what the page shows. */
export const selectionCandidateViewSchema = z.object({
  id: replyText(),
  name: replyText(),
  merit: z.number(),
  age: z.number().nullable(),
  flags: z.object({ academician: z.boolean(), youth: z.boolean(), frontline: z.boolean() }),
  values: z.object({
    field: replyText(),
    region: replyText(),
    unitType: replyText(),
    unit: replyText(),
    gender: replyText(),
    ethnicity: replyText(),
  }),
  number: replyText(),
  workUnit: replyText(),
  birthDate: replyText(),
  onlineRankLabel: replyText(),
  onlineRank: z.number().nullable(),
  /** 集中评选: 当选 赞成 votes in the last closed round that included the candidate (null: in no closed round) */
  votes: z.number().nullable(),
  /** elected 当选 / 全国推荐 by a closed round of the meeting */
  electedWin: z.boolean(),
  electedNational: z.boolean(),
  /** an upheld 异议 on the final 公示 removes the candidate from every proposal */
  objectionUpheld: z.boolean(),
});
export type SelectionCandidateView = z.infer<typeof selectionCandidateViewSchema>;

export const constraintViewSchema = z.object({
  id: replyText(),
  attribute: z.enum(SELECTION_ATTRIBUTES),
  value: replyText().optional(),
  each: z.boolean().optional(),
  op: z.enum(['min', 'max']),
  measure: z.enum(['count', 'share']),
  bound: z.number(),
  of: z.enum(SELECTION_LISTS),
  label: replyText().optional(),
  text: replyText(),
});

export const proposalSchema = z.union([
  z.object({
    feasible: z.literal(true),
    winners: z.array(replyText()),
    nationals: z.array(replyText()),
    explanations: z.array(replyText()),
    objective: z.number(),
    method: replyText(),
  }),
  z.object({ feasible: z.literal(false), reasons: z.array(replyText()) }),
]);

export const proposalReplySchema = z.object({
  /** selection_events id of the proposal */
  eventId: z.number(),
  /** propose (按规则推荐) | replace (an upheld 异议's replacement) */
  action: replyText(),
  proposal: proposalSchema,
  at: replyText(),
});
export type ProposalReply = z.infer<typeof proposalReplySchema>;

export const selectionEventSchema = z.object({
  id: z.number(),
  action: replyText(),
  actionLabel: replyText(),
  reason: replyText().nullable(),
  actorName: replyText(),
  at: replyText(),
});

export const SELECTION_ACTION_LABELS = {
  pick: '调整名单',
  propose: '按规则推荐',
  accept: '采用推荐名单',
  confirm: '确认名单',
  reopen: '重新打开',
  replace: '异议成立后推荐递补',
  publicity: '发布最终公示',
  // 发布 (issue 15, server/usecases/publication.ts)
  schedulePublish: '定时发布',
  cancelPublish: '取消定时发布',
  publishFailed: '定时发布未能执行',
  publish: '发布结果',
  correctProfile: '更正宣传稿',
  createCampaign: '创建评选活动（复制上一年度设置）',
} as const;

export const removalSchema = z.object({
  applicationId: replyText(),
  name: replyText(),
  finding: replyText().nullable(),
  /** still among the current pick's winners */
  stillPicked: z.boolean(),
});

export const finalPublicitySummarySchema = z.object({
  id: replyText(),
  title: replyText(),
  startsOn: replyText(),
  endsOn: replyText(),
  phaseLabel: replyText(),
  objectionsOpen: z.number(),
  objectionsUpheld: z.number(),
  /** the 公示's list equals the current pick's winners */
  matchesPick: z.boolean(),
});

export const selectionStateSchema = z.object({
  campaignId: replyText(),
  /** draft | confirmed */
  status: replyText(),
  version: z.number(),
  sizes: z.object({ winners: z.number(), nationals: z.number() }),
  nationalsWithinWinners: z.boolean(),
  youthAgeLimit: z.number(),
  ageReferenceDate: replyText(),
  candidates: z.array(selectionCandidateViewSchema),
  constraints: z.array(constraintViewSchema),
  pick: z.object({ winners: z.array(replyText()), nationals: z.array(replyText()) }),
  check: selectionCheckSchema,
  lastProposal: proposalReplySchema.nullable(),
  confirmedAt: replyText().nullable(),
  finalPublicity: finalPublicitySummarySchema.nullable(),
  removals: z.array(removalSchema),
  readyToPublish: z.object({ ready: z.boolean(), reason: replyText().nullable() }),
  events: z.array(selectionEventSchema),
});
export type SelectionState = z.infer<typeof selectionStateSchema>;

export const balanceReplySchema = z.object({
  rows: z.array(
    z.object({
      attribute: replyText(),
      attributeLabel: replyText(),
      value: replyText(),
      shortlist: z.number(),
      chosen: z.number(),
    }),
  ),
});
export type BalanceReply = z.infer<typeof balanceReplySchema>;
