// 网上评选's requests and replies (issue 13, 7.–10.): the organizer's assignment, progress, 催办 and 退回重评, the
// expert's list, score sheet and 回避. Zod schemas, as core/replies.ts does for the rest of the API: the server
// registers the reply schemas as the routes' response schemas (only their fields leave the server); the web imports
// the types. Kept beside the review's pure rules, not in the shared core/replies.ts.
import { z } from 'zod';
import { replyText, text } from '../text';
import { CRITERION_KINDS } from './rubric';
import { RECUSAL_CODES } from './recusal';

const timestamp = () => z.iso.datetime();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const uuid = (label: string) =>
  text(label)
    .regex(UUID, `${label}编号不正确`)
    .transform((v) => v.toLowerCase());

// ---------------------------------------------------------------------------------------------------------------
// Sheets' statuses

/** A sheet as the expert's list shows it: 未评 (no sheet, or one emptied by a reset), 已保存, 已提交. */
export const SHEET_STATES = ['todo', 'saved', 'submitted'] as const;
export type SheetState = (typeof SHEET_STATES)[number];
export const SHEET_STATE_LABELS: Record<SheetState, string> = { todo: '未评', saved: '已保存', submitted: '已提交' };

/** score_sheet_changes.action: 保存, 提交, 退回重评, 重置评审, and 回避 (a saved sheet set aside when its expert declared 回避). */
export const SHEET_CHANGE_LABELS: Record<string, string> = { save: '保存', submit: '提交', reopen: '退回重评', reset: '重置评审', recuse: '申报回避' };

// ---------------------------------------------------------------------------------------------------------------
// Requests

export const PLAN_MODES = ['balanced', 'groups'] as const;
export type PlanMode = (typeof PLAN_MODES)[number];

/**
 * 分配评审专家: `balanced` (every candidate at least k reviews, no expert more than L; k and L default to the campaign's
 * settings) or `groups` (each 评审组 reviews the candidates of its 推荐领域). Without `candidateIds`, every candidate
 * of the campaign that is 已受理 or 网上评选中; without `expertIds`, every enabled expert (balanced) or every group
 * (`groupIds`, groups mode).
 */
export const planRequestSchema = z.object({
  mode: z.enum(PLAN_MODES, { error: '分配方式应为 balanced（均衡分配）或 groups（按评审组分配）' }),
  k: z.number({ error: '每位候选人至少评审份数应为1至50之间的整数' }).int('每位候选人至少评审份数应为1至50之间的整数').min(1).max(50).optional(),
  L: z.number({ error: '每位专家最多评审份数应为1至1000之间的整数' }).int('每位专家最多评审份数应为1至1000之间的整数').min(1).max(1000).optional(),
  candidateIds: z.array(uuid('候选人'), { error: '候选人应为列表' }).max(5000).optional(),
  expertIds: z.array(uuid('评审专家'), { error: '评审专家应为列表' }).max(2000).optional(),
  groupIds: z.array(uuid('评审组'), { error: '评审组应为列表' }).max(200).optional(),
});
export type PlanRequest = z.infer<typeof planRequestSchema>;

/** One assignment added or removed by hand (调整分配). */
export const assignmentChangeSchema = z.object({ applicationId: uuid('候选人'), expertId: uuid('评审专家') });
export type AssignmentChange = z.infer<typeof assignmentChangeSchema>;

/**
 * A score sheet's body as a shape (its keys), checked before anything else: the values are checked against the
 * campaign's 评分标准 once the candidate is known (rubric.ts scoreSheetSchema).
 */
export const sheetBodySchema = z.object(
  { scores: z.unknown().optional(), gates: z.unknown().optional(), comment: z.unknown().optional() },
  { error: '评分表格式不正确：应为 { scores, gates, comment }' },
);

/** 回避理由: one rule for the expert's 申报回避 and the organizer's 登记回避 (2–200 characters). */
const recusalReason = () => text('回避理由').trim().min(2, '请填写回避理由（至少2个字），如“与候选人为同一课题组成员”').max(200, '回避理由不能超过200字');

/** 申报回避: the expert's reason. */
export const recusalRequestSchema = z.object({ reason: recusalReason() });

/** 登记回避: the organizer records a 回避 for one expert and one candidate of the campaign, with the reason. */
export const conflictRequestSchema = z.object({ expertId: uuid('评审专家'), applicationId: uuid('候选人'), reason: recusalReason() });
export type ConflictRequest = z.infer<typeof conflictRequestSchema>;

/** 退回重评 and 重置评审: the organizer's reason, recorded. */
export const reasonRequestSchema = (label: string) =>
  z.object({ reason: text(label).trim().min(2, `请填写${label}（至少2个字）`).max(500, `${label}不能超过500字`) });

// ---------------------------------------------------------------------------------------------------------------
// Replies

/** The 网上评选 window: inclusive dates in Beijing time; opensAt/closesAt the instants (closesAt: the day after end, 00:00). */
export const reviewWindowSchema = z.object({
  campaignId: replyText(),
  campaignTitle: replyText(),
  start: replyText(),
  end: replyText(),
  opensAt: timestamp(),
  closesAt: timestamp(),
  open: z.boolean(),
});
export type ReviewWindow = z.infer<typeof reviewWindowSchema>;

export const rubricViewSchema = z.object({
  criteria: z.array(z.object({ key: replyText(), name: replyText(), description: replyText(), kind: z.enum(CRITERION_KINDS), maxScore: z.number() })),
});

const sheetValues = {
  scores: z.record(replyText(), z.number().nullable()),
  gates: z.record(replyText(), z.boolean().nullable()),
  comment: replyText().nullable(),
  /** the sum of the score criteria, one decimal; null while nothing is scored */
  total: z.number().nullable(),
};

/** One line of the expert's 网上评选 list. */
export const reviewItemSchema = z.object({
  applicationId: replyText(),
  number: replyText(),
  applicantName: replyText(),
  workUnit: replyText(),
  unitName: replyText().nullable(),
  state: z.enum(SHEET_STATES),
  stateLabel: replyText(),
  total: z.number().nullable(),
  updatedAt: timestamp().nullable(),
  /** 退回重评's reason, while the sheet waits to be submitted again */
  reopenReason: replyText().nullable(),
});

export const reviewListReplySchema = z.object({
  window: reviewWindowSchema.nullable(),
  items: z.array(reviewItemSchema),
  counts: z.object({ todo: z.number().int(), saved: z.number().int(), submitted: z.number().int() }),
});
export type ReviewListReply = z.infer<typeof reviewListReplySchema>;

/** The expert's own sheet on one candidate, with the rubric and the window (GET/PUT …/sheet, POST …/submit). */
export const sheetReplySchema = z.object({
  sheetId: replyText().nullable(),
  applicationId: replyText(),
  state: z.enum(SHEET_STATES),
  stateLabel: replyText(),
  ...sheetValues,
  submittedAt: timestamp().nullable(),
  updatedAt: timestamp().nullable(),
  reopenReason: replyText().nullable(),
  rubric: rubricViewSchema,
  window: reviewWindowSchema,
});
export type SheetReply = z.infer<typeof sheetReplySchema>;

export const sheetChangeSchema = z.object({
  action: replyText(),
  actionLabel: replyText(),
  actorName: replyText(),
  at: timestamp(),
  reason: replyText().nullable(),
  oldValue: z.unknown(),
  newValue: z.unknown(),
});

/** A sheet as the organizer reads it (GET /api/review/sheets/:id, 退回重评's reply), with every change. */
export const sheetDetailSchema = z.object({
  id: replyText(),
  applicationId: replyText(),
  expertId: replyText(),
  expertName: replyText(),
  state: z.enum(SHEET_STATES),
  stateLabel: replyText(),
  ...sheetValues,
  submittedAt: timestamp().nullable(),
  updatedAt: timestamp(),
  changes: z.array(sheetChangeSchema),
});
export type SheetDetail = z.infer<typeof sheetDetailSchema>;

const personSchema = z.object({ id: replyText(), name: replyText(), workUnit: replyText().nullable() });

export const planReplySchema = z.object({
  ok: z.boolean(),
  /** why the plan cannot be made, in Chinese (the planner's explanation) */
  reason: replyText().nullable(),
  problems: z.array(replyText()),
  suggestedL: z.number().int().nullable(),
  mode: z.enum(PLAN_MODES),
  k: z.number().int(),
  L: z.number().int().nullable(),
  /** every assignment of the plan (kept and new) */
  assignments: z.array(z.object({ applicationId: replyText(), expertId: replyText(), added: z.boolean() })),
  added: z.number().int(),
  candidates: z.array(z.object({ id: replyText(), number: replyText(), name: replyText(), workUnit: replyText(), coverage: z.number().int() })),
  experts: z.array(personSchema.extend({ load: z.number().int() })),
  /** the pairs kept apart by 回避 (本人, 同单位, 申报回避) */
  recused: z.array(z.object({ applicationId: replyText(), expertId: replyText(), code: z.enum(RECUSAL_CODES), text: replyText() })),
  /** candidates below k (groups mode, or after 回避) */
  belowK: z.array(z.object({ applicationId: replyText(), text: replyText() })),
  /** confirm only: the candidates moved to 网上评选中 */
  moved: z.number().int(),
});
export type PlanReply = z.infer<typeof planReplySchema>;

export const assignmentsReplySchema = z.object({
  k: z.number().int(),
  candidates: z.array(
    z.object({
      applicationId: replyText(),
      number: replyText(),
      applicantName: replyText(),
      workUnit: replyText(),
      status: replyText(),
      experts: z.array(
        z.object({
          expertId: replyText(),
          name: replyText(),
          /** the sheet (for 退回重评 and reading it), null before the expert saved one */
          sheetId: replyText().nullable(),
          state: z.enum(SHEET_STATES),
          stateLabel: replyText(),
          /** declared 回避 (the expert's or the organizer's), with the reason */
          recusal: replyText().nullable(),
        }),
      ),
      /** assignments that count: assigned and not recused */
      valid: z.number().int(),
      /** short of k: what is missing, in Chinese; null when covered */
      shortfall: replyText().nullable(),
    }),
  ),
  experts: z.array(personSchema.extend({ field: replyText().nullable(), disabled: z.boolean() })),
});
export type AssignmentsReply = z.infer<typeof assignmentsReplySchema>;

export const progressReplySchema = z.object({
  window: reviewWindowSchema,
  experts: z.array(
    personSchema.extend({
      assigned: z.number().int(),
      saved: z.number().int(),
      submitted: z.number().int(),
      lastActivity: timestamp().nullable(),
    }),
  ),
  candidates: z.array(
    z.object({
      applicationId: replyText(),
      number: replyText(),
      applicantName: replyText(),
      /** sheets required: assigned experts minus 回避 */
      required: z.number().int(),
      submitted: z.number().int(),
    }),
  ),
  reminders: z.array(z.object({ kind: replyText(), at: timestamp(), experts: z.number().int() })),
});
export type ProgressReply = z.infer<typeof progressReplySchema>;

export const reminderReplySchema = z.object({ experts: z.number().int(), message: replyText() });
export const resetReplySchema = z.object({ sheets: z.number().int(), message: replyText() });

/** Who declared a 回避: the expert (申报回避) or 自治区科协 (登记回避). */
export const CONFLICT_DECLARERS = ['expert', 'organizer'] as const;
export const CONFLICT_DECLARER_LABELS: Record<(typeof CONFLICT_DECLARERS)[number], string> = { expert: '专家申报', organizer: '自治区科协登记' };

/** 回避登记 (GET/POST /api/review/campaigns/:id/conflicts): every declared 回避 of the campaign, newest first. */
export const conflictsReplySchema = z.object({
  conflicts: z.array(
    z.object({
      expertId: replyText(),
      expertName: replyText(),
      expertWorkUnit: replyText().nullable(),
      applicationId: replyText(),
      number: replyText(),
      applicantName: replyText(),
      reason: replyText(),
      declaredBy: z.enum(CONFLICT_DECLARERS),
      declaredByLabel: replyText(),
      /** who recorded it: the expert's name, or 自治区科协 */
      actorName: replyText(),
      createdAt: timestamp(),
      /** whether the expert was assigned the candidate (the assignment stays, it no longer counts) */
      assigned: z.boolean(),
    }),
  ),
  /** after a 登记回避: what it did, in Chinese (the candidate's remaining reviews against k) */
  message: replyText().nullable(),
});
export type ConflictsReply = z.infer<typeof conflictsReplySchema>;
