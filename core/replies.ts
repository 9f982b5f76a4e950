// The shapes of the API's replies (docs/API.md), defined once as zod schemas: the server registers them as each
// route's response schema, so a reply carries exactly these fields (any other property a presenter returns is
// dropped on the way out) and the OpenAPI document (GET /api/docs/json) is generated from them; the types are
// derived from them, so a field added, renamed or made nullable on one side fails the other's typecheck. The web
// imports only the types (erased at build time). The schemas of the pieces the web also uses at run time (statuses,
// actions, attachment kinds, eligibility) are built here from their tables, not beside them: those modules stay
// free of zod, so that a page using them does not load it.
import { z } from 'zod';
import { applicationFormSchema, formIssueSchema } from './application';
import { campaignSettingsSchema } from './campaign';
import { ROLES } from './codes';
import { PRELIMINARY_RESULTS } from './preliminary';
import { APPLICATION_STATUSES } from './status';
import { replyText } from './text';
import { ACTIONS, type Action } from './workflow';

/** Times are ISO strings (Date.toISOString()). */
const timestamp = () => z.iso.datetime();

/** One boolean per action of core/workflow.ts ACTIONS (its Abilities): the buttons the server would allow. */
export const abilitiesSchema = z.object(Object.fromEntries(ACTIONS.map((a) => [a, z.boolean()])) as Record<Action, z.ZodBoolean>);

/** An attachment as the API sends it (server/usecases/presenters.ts presentAttachment). */
export const attachmentViewSchema = z.object({
  id: replyText(),
  kind: replyText(),
  kindLabel: replyText(),
  /** the download name: photos are 姓名+序号.jpg, everything else keeps the uploaded name */
  name: replyText(),
  size: z.number(),
  mime: replyText(),
  /** photos: the stable 序号 of 姓名+序号.jpg, never reused */
  seq: z.number().nullable(),
  /** images: pixel size; videos: as displayed, i.e. after the track's rotation */
  width: z.number().nullable(),
  height: z.number().nullable(),
  durationSeconds: z.number().nullable(),
  /** a re-encoded JPEG (no metadata) exists at /api/attachments/:id/preview */
  hasPreview: z.boolean(),
  /** an image whose preview a job is making (seconds after the upload): GET /api/attachments/:id/meta tells when it is there */
  previewPending: z.boolean(),
  createdAt: timestamp(),
});
export type AttachmentView = z.infer<typeof attachmentViewSchema>;

/** 评选标准 (core/eligibility.ts checkEligibility, its EligibilityResult). */
export const eligibilityResultSchema = z.object({
  /** Reasons the candidate cannot be recommended. */
  refused: z.array(replyText()),
  /** "原则上不再推荐": shown to the unit and organizer, who decide. */
  flags: z.array(replyText()),
});

export const unitRefSchema = z.object({
  id: replyText(),
  name: replyText(),
  region: replyText(),
  type: replyText(),
});
export type UnitRef = z.infer<typeof unitRefSchema>;

/** The signed-in user (GET /api/auth/me), as every request's session presents it. */
export const sessionUserSchema = z.object({
  id: replyText(),
  username: replyText(),
  role: z.enum(ROLES),
  realName: replyText(),
  mobile: replyText().nullable(),
  email: replyText().nullable(),
  unit: unitRefSchema.nullable(),
  /** an account created with an initial password sent by SMS (评审专家): every call but 修改初始密码, 退出 and me is refused */
  mustChangePassword: z.boolean(),
  /**
   * the session's stage (docs/api/security.md): full — signed in; mfa — the password was right, the authenticator's
   * code (or a recovery code) is owed; enroll — the role requires two-factor log-in and none is set up: only
   * enrolment is open. Absent: full.
   */
  stage: z.enum(['full', 'mfa', 'enroll']).optional(),
});
export type SessionUser = z.infer<typeof sessionUserSchema>;

/** GET /api/auth/me: the user (null before log-in) and whether 使用合作网站登录 is offered. */
export const meReplySchema = z.object({
  user: sessionUserSchema.nullable(),
  oidc: z.object({ enabled: z.boolean(), name: replyText() }),
});
export type MeReply = z.infer<typeof meReplySchema>;

/** Log-in and an applicant's registration: the user now signed in. */
export const userReplySchema = z.object({ user: sessionUserSchema });
export type UserReply = z.infer<typeof userReplySchema>;

/** A unit's registration: not signed in until 自治区科协 approves it. */
export const pendingReplySchema = z.object({ pending: z.literal(true), message: replyText() });
export type PendingReply = z.infer<typeof pendingReplySchema>;

/** 找回: the same text whether or not the name exists. */
export const messageReplySchema = z.object({ message: replyText() });
export type MessageReply = z.infer<typeof messageReplySchema>;

/** An action with nothing else to say (退出, 删除, a new password). */
export const okReplySchema = z.object({ ok: z.literal(true) });
export type OkReply = z.infer<typeof okReplySchema>;

/** 账号信息: the account's own 手机 and 电子邮箱. */
export const accountContactReplySchema = z.object({ mobile: replyText().nullable(), email: replyText().nullable() });
export type AccountContact = z.infer<typeof accountContactReplySchema>;

export const campaignViewSchema = z.object({
  id: replyText(),
  programCode: replyText(),
  programName: replyText(),
  year: z.number().int(),
  title: replyText(),
  settings: campaignSettingsSchema,
});
export type CampaignView = z.infer<typeof campaignViewSchema>;

/** One row of a list: 我的申请书, 查询申报表, 待审核申报表. */
export const applicationRowSchema = z.object({
  id: replyText(),
  number: replyText(),
  applicantName: replyText(),
  /** 工作单位 (the form's 单位名称) */
  workUnit: replyText(),
  status: z.enum(APPLICATION_STATUSES),
  statusLabel: replyText(),
  unitName: replyText().nullable(),
  /** 添加时间 */
  createdAt: timestamp(),
  updatedAt: timestamp(),
  /** 转交时间 */
  transferredAt: timestamp().nullable(),
  /** 已阅: when and by whom the current receiver opened it */
  viewedAt: timestamp().nullable(),
  viewedBy: replyText().nullable(),
  abilities: abilitiesSchema,
});
export type ApplicationRow = z.infer<typeof applicationRowSchema>;

/** The unit's 初评 as the unit and 自治区科协 see it: the result, the reason, who recorded it and when. */
export const preliminaryViewSchema = z.object({
  result: z.enum(PRELIMINARY_RESULTS),
  /** 通过 / 不通过 */
  resultLabel: replyText(),
  reason: replyText().nullable(),
  /** the unit (and account) that recorded it, by name as it was */
  by: replyText(),
  at: timestamp(),
});
export type PreliminaryView = z.infer<typeof preliminaryViewSchema>;

export const applicationDetailSchema = applicationRowSchema.extend({
  campaignId: replyText(),
  form: applicationFormSchema,
  pledgedAt: timestamp().nullable(),
  attachments: z.array(attachmentViewSchema),
  eligibility: eligibilityResultSchema,
  /** 修改意见, 推荐单位意见 and 自治区科协's opinion: shown to those who may see them (the applicant: `return` only) */
  opinions: z.object({ return: replyText().nullable(), recommend: replyText().nullable(), org: replyText().nullable() }),
  /**
   * The unit's 初评 (null until recorded): for the unit and 自治区科协 only — absent from the applicant's reply, so
   * neither the result nor a 不通过 reason ever reaches the applicant.
   */
  preliminary: preliminaryViewSchema.nullable().optional(),
  /** PUT (保存) only: the named fields whose values were malformed and so were not saved (the rest were) */
  notSaved: z.array(formIssueSchema).optional(),
});
export type ApplicationDetail = z.infer<typeof applicationDetailSchema>;

/** GET /api/applications: 查询申报表 and 待审核申报表, one page and the total. */
export const queryResultSchema = z.object({
  rows: z.array(applicationRowSchema),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
});
export type QueryResult = z.infer<typeof queryResultSchema>;

/** GET …/check: what 【提交】 still needs. */
export const checkReplySchema = z.object({
  complete: z.boolean(),
  missing: z.array(formIssueSchema),
});
export type CheckReply = z.infer<typeof checkReplySchema>;

/** One line of 流程情况. */
export const historyEntrySchema = z.object({
  at: timestamp(),
  action: replyText(),
  actionLabel: replyText(),
  fromName: replyText(),
  toName: replyText(),
  fromStatus: replyText().nullable(),
  toStatus: replyText(),
  actorName: replyText(),
  opinion: replyText().nullable(),
});
export type HistoryEntry = z.infer<typeof historyEntrySchema>;

export const fieldChangeSchema = z.object({
  field: replyText(),
  label: replyText(),
  before: replyText(),
  after: replyText(),
});
export type FieldChange = z.infer<typeof fieldChangeSchema>;

/** What changed since the submission the unit returned. */
export const changesReplySchema = z.object({
  /** when the submission compared against was made; null when there is nothing to compare */
  comparedTo: timestamp().nullable(),
  changes: z.array(fieldChangeSchema),
});
export type ChangesReply = z.infer<typeof changesReplySchema>;

export const appNotificationSchema = z.object({
  id: z.number().int(),
  applicationId: replyText().nullable(),
  body: replyText(),
  createdAt: timestamp(),
  read: z.boolean(),
});
export type AppNotification = z.infer<typeof appNotificationSchema>;

export const notificationsReplySchema = z.object({
  items: z.array(appNotificationSchema),
  /** Unread messages the user may see, not only the listed ones. */
  unread: z.number().int(),
});
export type NotificationsReply = z.infer<typeof notificationsReplySchema>;

/** POST /api/notifications/read: how many of the user's messages were marked, and how many are still unread. */
export const markReadReplySchema = z.object({ updated: z.number().int(), unread: z.number().int() });
export type MarkReadReply = z.infer<typeof markReadReplySchema>;

/** A 推荐单位 as the organizer manages it (推荐单位管理). */
export const adminUnitSchema = z.object({
  id: replyText(),
  name: replyText(),
  type: replyText(),
  region: replyText(),
  contactName: replyText(),
  contactPhone: replyText(),
  status: replyText(),
  statusLabel: replyText(),
  /** the unit's account; null if it has none */
  username: replyText().nullable(),
  createdAt: timestamp(),
  refusedReason: replyText().nullable(),
});
export type AdminUnit = z.infer<typeof adminUnitSchema>;

/** One message of 消息发件箱 (GET /api/admin/outbox): every SMS and e-mail the sender wrote. */
export const outboxMessageSchema = z.object({
  id: z.number().int(),
  channel: replyText(),
  recipient: replyText(),
  subject: replyText(),
  body: replyText(),
  /** the message template's key it was made from (core/messages.ts) */
  template: replyText().nullable(),
  /** recorded (no sender configured: only kept here) | queued | sent | failed (after the last attempt) */
  status: replyText(),
  /** aliyun-sms | tencent-sms | smtp */
  provider: replyText().nullable(),
  providerMessageId: replyText().nullable(),
  attempts: z.number().int(),
  /** the last delivery error, in plain words */
  error: replyText().nullable(),
  sentAt: timestamp().nullable(),
  createdAt: timestamp(),
});
export type OutboxMessage = z.infer<typeof outboxMessageSchema>;
