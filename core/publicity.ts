// 公示 and 异议 (the notice's 三、3 ①: 初评 results are made public before 【提交】 to 自治区科协). One mechanism for a
// unit's 初评公示 (scope 'preliminary') and 自治区科协's final 公示 (scope 'final', issue 14): a notice with a period,
// its candidates with only the public fields, every version kept; real-name objections checked by an SMS code,
// decided by the owner of the notice. The rules the server checks and the browser's forms show, and the replies.
import { z } from 'zod';
import { replyText, text } from './text';
import { checkMobile, checkOfficePhone, isValidDate } from './validators';

export const PUBLICITY_SCOPES = ['preliminary', 'final'] as const;
export type PublicityScope = (typeof PUBLICITY_SCOPES)[number];

export const PUBLICITY_STATUSES = ['published', 'withdrawn'] as const;
export type PublicityStatus = (typeof PUBLICITY_STATUSES)[number];
export const PUBLICITY_STATUS_LABELS: Record<PublicityStatus, string> = { published: '已发布', withdrawn: '已撤回' };

export const PUBLICITY_ACTION_LABELS = { publish: '发布', correct: '更正', withdraw: '撤回' } as const;
export type PublicityAction = keyof typeof PUBLICITY_ACTION_LABELS;

export const OBJECTION_STATUSES = ['open', 'upheld', 'rejected'] as const;
export type ObjectionStatus = (typeof OBJECTION_STATUSES)[number];
export const OBJECTION_STATUS_LABELS: Record<ObjectionStatus, string> = { open: '待核实', upheld: '异议成立', rejected: '异议不成立' };

export const PUBLICITY_LIMITS = {
  title: 100,
  contactName: 50,
  objectionMethod: 1000,
  summary: 300,
  entries: 50,
  /** the longest 公示期, in days (inclusive) */
  periodDays: 90,
  withdrawReason: 500,
  objectorName: 50,
  objectionContent: 2000,
  finding: 2000,
  evidenceFiles: 3,
  evidenceBytes: 10 * 1024 * 1024,
} as const;

/** The evidence an objector may attach, recognised by content: PDF, JPEG, PNG. */
export const EVIDENCE_MIME = ['application/pdf', 'image/jpeg', 'image/png'] as const;

const trimmed = (label: string, max: number) => text(label).trim().min(1, `请填写${label}`).max(max, `${label}不能超过${max}字`);

const dateField = (label: string) =>
  text(label, { required: `请填写${label}，格式为YYYY-MM-DD` })
    .trim()
    .refine(isValidDate, { message: `${label}不是有效日期，应为YYYY-MM-DD格式，如2023-04-20` });

/** Days from `a` to `b` (YYYY-MM-DD), b − a. */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

/** "2023年4月25日" for 2023-04-25: the notice's way of writing a date. */
export function chineseDate(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One candidate of a 公示 as the unit sends it: the application and the 事迹简介 it writes. */
export const publicityEntryInputSchema = z.object({
  applicationId: text('候选人')
    .trim()
    .regex(UUID, '候选人不正确，请重新选择')
    .transform((v) => v.toLowerCase()),
  summary: trimmed('事迹简介', PUBLICITY_LIMITS.summary),
});

/** 发布公示 / 更正公示: the whole notice. The server also checks each candidate (this unit's, 初评 通过). */
export const publicityInputSchema = z
  .object({
    title: trimmed('公示标题', PUBLICITY_LIMITS.title),
    startsOn: dateField('公示开始日期'),
    endsOn: dateField('公示结束日期'),
    contactName: trimmed('联系人', PUBLICITY_LIMITS.contactName),
    contactPhone: text('联系电话')
      .trim()
      .superRefine((v, ctx) => {
        const m = checkOfficePhone(v, '联系电话');
        if (m) ctx.addIssue({ code: 'custom', message: m });
      }),
    objectionMethod: trimmed('受理异议的方式', PUBLICITY_LIMITS.objectionMethod),
    entries: z
      .array(publicityEntryInputSchema, { error: '请选择公示的候选人' })
      .min(1, '请至少选择一名公示的候选人')
      .max(PUBLICITY_LIMITS.entries, `一次公示最多${PUBLICITY_LIMITS.entries}名候选人`),
  })
  .superRefine((v, ctx) => {
    if (isValidDate(v.startsOn) && isValidDate(v.endsOn)) {
      if (v.endsOn < v.startsOn) {
        ctx.addIssue({ code: 'custom', path: ['endsOn'], message: `公示结束日期（${v.endsOn}）不能早于开始日期（${v.startsOn}）` });
      } else if (daysBetween(v.startsOn, v.endsOn) + 1 > PUBLICITY_LIMITS.periodDays) {
        ctx.addIssue({ code: 'custom', path: ['endsOn'], message: `公示期不能超过${PUBLICITY_LIMITS.periodDays}天，请调整结束日期` });
      }
    }
    const seen = new Set<string>();
    v.entries.forEach((e, i) => {
      if (seen.has(e.applicationId)) {
        ctx.addIssue({ code: 'custom', path: ['entries', i, 'applicationId'], message: `第${i + 1}名候选人重复，每名候选人只能公示一次` });
      }
      seen.add(e.applicationId);
    });
  });
export type PublicityInput = z.infer<typeof publicityInputSchema>;

/** 撤回公示: the reason is shown on the unit's pages and kept with the version. */
export const publicityWithdrawSchema = z.object({ reason: trimmed('撤回理由', PUBLICITY_LIMITS.withdrawReason) });

/** 获取短信验证码 on the public page: the mobile and the image captcha. */
export const phoneCodeRequestSchema = z.object({
  mobile: text('手机')
    .trim()
    .superRefine((v, ctx) => {
      const m = checkMobile(v, '手机');
      if (m) ctx.addIssue({ code: 'custom', message: m });
    }),
  captcha: text('图片验证码', { required: '请填写图片验证码' }).trim().min(1, '请填写图片验证码'),
});

/** The 异议 form, without its files (sent as the `data` field of a multipart request, or as JSON). */
export const objectionInputSchema = z.object({
  name: trimmed('姓名', PUBLICITY_LIMITS.objectorName),
  mobile: phoneCodeRequestSchema.shape.mobile,
  code: text('短信验证码', { required: '请填写短信验证码' })
    .trim()
    .regex(/^\d{6}$/, '短信验证码应为6位数字'),
  /** the candidate's place in the 公示 (1, 2, …) as the public page lists them */
  entry: z.number({ error: '请选择异议涉及的候选人' }).int('请选择异议涉及的候选人').min(1, '请选择异议涉及的候选人'),
  content: trimmed('异议内容', PUBLICITY_LIMITS.objectionContent),
});
export type ObjectionInput = z.infer<typeof objectionInputSchema>;

/** 核实: the owner records 核实情况 and the conclusion; the objector is told by SMS. */
export const objectionDecisionSchema = z.object({
  conclusion: z.enum(['upheld', 'rejected'], { error: '请选择核实结论：异议成立（upheld）或异议不成立（rejected）' }),
  finding: trimmed('核实情况', PUBLICITY_LIMITS.finding),
});
export type ObjectionDecisionInput = z.infer<typeof objectionDecisionSchema>;

// ---- replies ----

/** A candidate on the public page: only 姓名, 工作单位, 专业技术职务, 推荐领域 and the 事迹简介. */
export const publicEntrySchema = z.object({
  position: z.number().int(),
  name: replyText(),
  workUnit: replyText(),
  jobTitle: replyText(),
  field: replyText(),
  summary: replyText(),
});

/** The public index's row, and the page's header. */
export const publicPublicitySchema = z.object({
  id: replyText(),
  scope: z.enum(PUBLICITY_SCOPES),
  publisher: replyText(),
  title: replyText(),
  startsOn: replyText(),
  endsOn: replyText(),
  /** today is within the period: the 异议 form is open */
  open: z.boolean(),
  status: z.enum(PUBLICITY_STATUSES),
  version: z.number().int(),
  updatedAt: replyText(),
});
export type PublicPublicity = z.infer<typeof publicPublicitySchema>;

export const publicIndexReplySchema = z.object({ campaign: replyText(), items: z.array(publicPublicitySchema) });
export type PublicIndexReply = z.infer<typeof publicIndexReplySchema>;

/** The public page: withdrawn → only the header and the words 该公示已撤回. */
export const publicPageReplySchema = publicPublicitySchema.extend({
  contactName: replyText().nullable(),
  contactPhone: replyText().nullable(),
  objectionMethod: replyText().nullable(),
  entries: z.array(publicEntrySchema),
  message: replyText().nullable(),
});
export type PublicPageReply = z.infer<typeof publicPageReplySchema>;

/** A candidate the unit may put in a 公示 (this unit holds it, 初评 通过), with the fields the 公示 copies. */
export const publicityCandidateSchema = z.object({
  applicationId: replyText(),
  number: replyText(),
  name: replyText(),
  workUnit: replyText(),
  jobTitle: replyText(),
  field: replyText(),
  /** the published 公示 it is already in, if any */
  inPublicity: replyText().nullable(),
});
export type PublicityCandidate = z.infer<typeof publicityCandidateSchema>;

export const publicityEntrySchema = publicEntrySchema.extend({ applicationId: replyText(), number: replyText() });

export const publicityVersionSchema = z.object({
  version: z.number().int(),
  action: z.enum(['publish', 'correct', 'withdraw']),
  actionLabel: replyText(),
  actorName: replyText(),
  at: replyText(),
  content: z.object({
    title: replyText(),
    startsOn: replyText(),
    endsOn: replyText(),
    contactName: replyText(),
    contactPhone: replyText(),
    objectionMethod: replyText(),
    status: replyText(),
    withdrawnReason: replyText().nullable(),
    entries: z.array(publicityEntrySchema),
  }),
});
export type PublicityVersion = z.infer<typeof publicityVersionSchema>;

/** The owner's (and 自治区科协's) view of a 公示. */
export const publicityViewSchema = z.object({
  id: replyText(),
  scope: z.enum(PUBLICITY_SCOPES),
  unitId: replyText().nullable(),
  publisher: replyText(),
  title: replyText(),
  startsOn: replyText(),
  endsOn: replyText(),
  contactName: replyText(),
  contactPhone: replyText(),
  objectionMethod: replyText(),
  status: z.enum(PUBLICITY_STATUSES),
  statusLabel: replyText(),
  /** 公示中 / 未开始 / 已期满 / 已撤回 */
  phaseLabel: replyText(),
  version: z.number().int(),
  withdrawnReason: replyText().nullable(),
  createdAt: replyText(),
  updatedAt: replyText(),
  entries: z.array(publicityEntrySchema),
  objections: z.object({ total: z.number().int(), open: z.number().int() }),
  /** the signed-in user owns it: may correct, withdraw and decide its objections */
  mine: z.boolean(),
});
export type PublicityView = z.infer<typeof publicityViewSchema>;

export const publicityDetailSchema = publicityViewSchema.extend({ versions: z.array(publicityVersionSchema) });
export type PublicityDetail = z.infer<typeof publicityDetailSchema>;

export const objectionFileSchema = z.object({ id: replyText(), name: replyText(), mime: replyText(), size: z.number().int() });

export const objectionViewSchema = z.object({
  id: replyText(),
  publicityId: replyText(),
  publicityTitle: replyText(),
  publisher: replyText(),
  applicationId: replyText(),
  candidateName: replyText(),
  name: replyText(),
  mobile: replyText(),
  content: replyText(),
  files: z.array(objectionFileSchema),
  status: z.enum(OBJECTION_STATUSES),
  statusLabel: replyText(),
  finding: replyText().nullable(),
  decidedByName: replyText().nullable(),
  decidedAt: replyText().nullable(),
  createdAt: replyText(),
  /** the signed-in user owns the 公示: may record the 核实 */
  mine: z.boolean(),
});
export type ObjectionView = z.infer<typeof objectionViewSchema>;

export const publicityPhase = (p: { status: string; startsOn: string; endsOn: string }, today: string): string =>
  p.status === 'withdrawn' ? '已撤回' : today < p.startsOn ? '未开始' : today > p.endsOn ? '已期满' : '公示中';
