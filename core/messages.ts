// Message templates (issue 16 item 8): every text the platform sends (短信, 邮件) has a key, a default text here and
// the named placeholders it may use ({姓名}); the organizer may override subject and body per channel in 消息模板
// (table message_templates), and a message is made from the current template when it is sent. Shared by the server
// (rendering, the save's check) and the web (the editor's preview and check). Not re-exported by the core barrel.
import { z } from 'zod';
import { replyText, text } from './text';

/** the job kinds of this area (server/jobs/messages.ts): one message's delivery, 网上评选's automatic 催办 */
export const DELIVER_JOB = 'deliver-message';
export const REMIND_JOB = 'review-auto-remind';

/** the outbox's delivery status (消息发件箱) */
export const OUTBOX_STATUS_LABELS: Record<string, string> = { recorded: '仅记录', queued: '待发送', sent: '已发送', failed: '发送失败' };

export const TEMPLATE_CHANNELS = ['sms', 'email'] as const;
export type TemplateChannel = (typeof TEMPLATE_CHANNELS)[number];
export const TEMPLATE_CHANNEL_LABELS: Record<TemplateChannel, string> = { sms: '短信', email: '邮件' };

/**
 * A placeholder: `name` is what the template text says ({姓名}); `param` is its name towards the SMS provider (阿里云's
 * TemplateParam keys ${name}; 腾讯云's TemplateParamSet takes the values in the order of this list: {1}, {2} …).
 */
export interface Placeholder {
  name: string;
  param: string;
  example: string;
}

export interface MessageDef {
  label: string;
  /** when the platform sends it */
  when: string;
  channels: readonly TemplateChannel[];
  placeholders: readonly Placeholder[];
  subject: string;
  body: string;
}

const SIGN = '【新疆科技工作者之家】';
const p = (name: string, param: string, example: string): Placeholder => ({ name, param, example });
const APP = [p('申请书编号', 'number', '2026-0001'), p('申请人', 'applicant', '张三')] as const;

export const MESSAGE_DEFS = {
  'unit.approved': {
    label: '推荐单位注册审核通过',
    when: '自治区科协审核通过推荐单位的注册时，发给该单位账号的手机',
    channels: ['sms'],
    placeholders: [p('单位名称', 'unit', '乌鲁木齐市科协'), p('用户名', 'username', 'wlmqkx')],
    subject: '推荐单位注册审核通过',
    body: `${SIGN}{单位名称}的推荐单位账号 {用户名} 已通过自治区科协审核，现在可以登录评选平台。`,
  },
  'unit.rejected': {
    label: '推荐单位注册审核未通过',
    when: '自治区科协审核不通过推荐单位的注册时，发给该单位账号的手机',
    channels: ['sms'],
    placeholders: [p('单位名称', 'unit', '乌鲁木齐市科协'), p('理由', 'reason', '单位名称与证明材料不一致')],
    subject: '推荐单位注册审核未通过',
    body: `${SIGN}{单位名称}的推荐单位注册未通过自治区科协审核，理由：{理由}。如有疑问请联系 0991-6386020。`,
  },
  'account.login-code': {
    label: '登录验证码',
    when: '账号在多个网络地址多次密码错误后登录时，发给账号登记的手机或电子邮箱',
    channels: ['sms', 'email'],
    placeholders: [p('用户名', 'username', 'zhangsan'), p('验证码', 'code', '123456'), p('有效分钟', 'minutes', '10')],
    subject: '登录验证码',
    body: `${SIGN}您的账号 {用户名} 正在登录，验证码 {验证码}，{有效分钟}分钟内有效。如非本人操作，您的密码可能已泄露，请立即使用【找回】重置密码。`,
  },
  'account.recover-code': {
    label: '找回密码验证码',
    when: '用户使用【找回】时，发给账号登记的手机或电子邮箱',
    channels: ['sms', 'email'],
    placeholders: [p('用户名', 'username', 'zhangsan'), p('验证码', 'code', '123456')],
    subject: '找回密码验证码',
    body: `${SIGN}您正在找回账号 {用户名} 的密码，验证码 {验证码}，15分钟内有效。如非本人操作，请忽略本消息。`,
  },
  'application.status': {
    label: '申请书状态变更',
    when: '申请书退回申请人或交到申请人办理时，发给申请人的手机',
    channels: ['sms'],
    placeholders: [p('办理方', 'actor', '乌鲁木齐市科协'), ...APP, p('操作', 'action', '退回'), p('当前状态', 'status', '已退回')],
    subject: '申请书状态变更',
    body: `${SIGN}{办理方}对申请书 {申请书编号}（{申请人}）进行了【{操作}】，当前状态：{当前状态}。`,
  },
  'application.todo': {
    label: '申请书待办理',
    when: '申请书交到推荐单位办理时（提交、退回推荐单位、受理），发给该单位账号的手机',
    channels: ['sms'],
    placeholders: [p('办理方', 'actor', '张三'), ...APP, p('操作', 'action', '提交'), p('当前状态', 'status', '待乌鲁木齐市科协审核')],
    subject: '申请书待办理',
    body: `${SIGN}{办理方}对申请书 {申请书编号}（{申请人}）进行了【{操作}】，当前状态：{当前状态}。`,
  },
  'application.result': {
    label: '评选结果',
    when: '自治区科协发布评选结果时，发给申请人的手机',
    channels: ['sms'],
    placeholders: [...APP, p('结果', 'result', '当选')],
    subject: '评选结果',
    body: `${SIGN}评选结果已发布：申请书 {申请书编号}（{申请人}）{结果}。`,
  },
  'review.reopen': {
    label: '网上评选退回重评',
    when: '自治区科协退回评审专家已提交的评分时，发给该专家的手机',
    channels: ['sms'],
    placeholders: [p('申请书编号', 'number', '2026-0001'), p('候选人', 'candidate', '张三'), p('理由', 'reason', '评分与评语不一致')],
    subject: '网上评选退回重评',
    body: `${SIGN}自治区科协退回了您对候选人 {申请书编号}（{候选人}）的评分，请重新评审后提交。理由：{理由}`,
  },
  'review.remind': {
    label: '网上评选催办',
    when: '网上评选催办（手动或截止前自动）时，发给尚有评分未提交的评审专家的手机',
    channels: ['sms'],
    placeholders: [p('评选活动', 'campaign', '2026年度新疆最美科技工作者'), p('截止时间', 'closes', '2026-06-30 24:00'), p('未评人数', 'count', '3')],
    subject: '网上评选催办',
    body: `${SIGN}{评选活动}网上评选将于{截止时间}截止，您还有{未评人数}位候选人的评分未提交，请尽快登录平台完成评审。`,
  },
  'publicity.code': {
    label: '公示异议验证码',
    when: '公众在公示页面提交异议前获取短信验证码时',
    channels: ['sms'],
    placeholders: [p('验证码', 'code', '123456')],
    subject: '公示异议验证码',
    body: `${SIGN}您正在提交公示异议，验证码 {验证码}，10分钟内有效。如非本人操作，请忽略本消息。`,
  },
  'publicity.objection': {
    label: '公示收到异议',
    when: '推荐单位发布的初评公示收到异议时，发给该单位账号的手机',
    channels: ['sms'],
    placeholders: [p('公示标题', 'title', '乌鲁木齐市科协初评公示'), p('候选人', 'candidate', '张三')],
    subject: '公示收到异议',
    body: `${SIGN}您发布的公示《{公示标题}》收到一件关于候选人{候选人}的异议，请登录平台在【初评公示】中核实并记录结论。`,
  },
  'publicity.decided': {
    label: '公示异议核实结论',
    when: '异议核实并记录结论后，发给提出异议者的手机',
    channels: ['sms'],
    placeholders: [
      p('公示标题', 'title', '乌鲁木齐市科协初评公示'),
      p('候选人', 'candidate', '张三'),
      p('结论', 'conclusion', '异议不成立'),
      p('核实情况', 'finding', '经核实，所反映情况与事实不符'),
    ],
    subject: '公示异议核实结论',
    body: `${SIGN}您对公示《{公示标题}》中候选人{候选人}提出的异议已核实，结论：{结论}。核实情况：{核实情况}`,
  },
  'expert.account': {
    label: '评审专家账号开通',
    when: '自治区科协新建或导入评审专家时，发给专家的手机',
    channels: ['sms'],
    placeholders: [p('姓名', 'name', '李四'), p('用户名', 'username', '13912345678'), p('初始密码', 'password', 'Xj8k2m4p9')],
    subject: '评审专家账号开通',
    body: `${SIGN}{姓名}您好：自治区科协已为您开通“新疆最美科技工作者”评审专家账号，用户名 {用户名}，初始密码 {初始密码}。请登录评选平台，首次登录须修改密码。如非本人，请忽略本消息。`,
  },
  'expert.password': {
    label: '评审专家初始密码',
    when: '自治区科协为评审专家【重发初始密码】时，发给专家的手机',
    channels: ['sms'],
    placeholders: [p('姓名', 'name', '李四'), p('用户名', 'username', '13912345678'), p('初始密码', 'password', 'Xj8k2m4p9')],
    subject: '评审专家初始密码',
    body: `${SIGN}{姓名}您好：自治区科协已为您开通“新疆最美科技工作者”评审专家账号，用户名 {用户名}，初始密码 {初始密码}。请登录评选平台，首次登录须修改密码。如非本人，请忽略本消息。`,
  },
} as const satisfies Record<string, MessageDef>;

export type MessageKey = keyof typeof MESSAGE_DEFS;
export const MESSAGE_KEYS = Object.keys(MESSAGE_DEFS) as MessageKey[];
/** the values of a message's placeholders, by their `param` */
export type MessageValues<K extends MessageKey> = Record<(typeof MESSAGE_DEFS)[K]['placeholders'][number]['param'], string | number>;

export const isMessageKey = (key: string): key is MessageKey => Object.hasOwn(MESSAGE_DEFS, key);

/** 短信: the most characters a body may have once filled (the providers' long-SMS limit is 500 including the 签名) */
export const SMS_MAX_LENGTH = 500;
/** one SMS holds 70 characters; a longer one is sent as parts of 67 */
export const smsParts = (length: number) => (length <= 70 ? 1 : Math.ceil(length / 67));
export const SUBJECT_MAX_LENGTH = 100;
export const EMAIL_MAX_LENGTH = 5000;
export const PROVIDER_TEMPLATE_MAX_LENGTH = 50;

const PLACEHOLDER = /\{([^{}]*)\}/g;
const length = (s: string) => Array.from(s).length;

/** Fills `{name}` placeholders with `values` (by the placeholder's `param`); an unknown one stays as written. */
export function renderTemplate(template: string, placeholders: readonly Placeholder[], values: Record<string, string | number>): string {
  const byName = new Map(placeholders.map((ph) => [ph.name, ph.param]));
  return template.replace(PLACEHOLDER, (whole, name: string) => {
    const param = byName.get(name.trim());
    return param !== undefined && values[param] !== undefined ? String(values[param]) : whole;
  });
}

/** The example values of a message's placeholders (the editor's preview). */
export const exampleValues = (def: MessageDef) => Object.fromEntries(def.placeholders.map((ph) => [ph.param, ph.example]));

export interface TemplateIssue {
  field: 'subject' | 'body' | 'providerTemplate';
  message: string;
}

/**
 * The save's check (server and the editor alike): only the message's placeholders, braces that pair, the lengths
 * (短信 filled with the examples ≤ SMS_MAX_LENGTH). Every problem named in Chinese.
 */
export function checkTemplate(def: MessageDef, channel: TemplateChannel, t: { subject: string; body: string }): TemplateIssue[] {
  const issues: TemplateIssue[] = [];
  const allowed = def.placeholders.map((ph) => `{${ph.name}}`).join('、');
  for (const field of ['subject', 'body'] as const) {
    const value = t[field];
    const label = field === 'subject' ? '标题' : '内容';
    const unknown = [...value.matchAll(PLACEHOLDER)].map((m) => m[1]!.trim()).filter((name) => !def.placeholders.some((ph) => ph.name === name));
    if (unknown.length) {
      issues.push({
        field,
        message: `${label}中的占位符 ${[...new Set(unknown)].map((n) => `{${n}}`).join('、')} 不能用于“${def.label}”，可用的占位符：${allowed}`,
      });
    } else if (/[{}]/.test(value.replace(PLACEHOLDER, ''))) {
      issues.push({ field, message: `${label}中有不成对的花括号 { }：占位符应写成 {名称}，可用的占位符：${allowed}` });
    }
  }
  if (!t.body.trim()) issues.push({ field: 'body', message: '内容不能为空' });
  if (channel === 'email' && !t.subject.trim()) issues.push({ field: 'subject', message: '邮件标题不能为空' });
  if (length(t.subject) > SUBJECT_MAX_LENGTH) issues.push({ field: 'subject', message: `标题最多 ${SUBJECT_MAX_LENGTH} 个字，当前 ${length(t.subject)} 个字` });
  if (channel === 'sms') {
    const filled = length(renderTemplate(t.body, def.placeholders, exampleValues(def)));
    if (filled > SMS_MAX_LENGTH) issues.push({ field: 'body', message: `短信内容（按示例值填入后）最多 ${SMS_MAX_LENGTH} 个字，当前 ${filled} 个字，请删减` });
  } else if (length(t.body) > EMAIL_MAX_LENGTH) {
    issues.push({ field: 'body', message: `邮件内容最多 ${EMAIL_MAX_LENGTH} 个字，当前 ${length(t.body)} 个字` });
  }
  return issues;
}

// ---- the API (docs/api/messages.md) ----

export const templateSaveSchema = z
  .object({
    subject: text('标题').max(SUBJECT_MAX_LENGTH * 4),
    body: text('内容').max(EMAIL_MAX_LENGTH * 4),
    providerTemplate: text('短信平台模板编号').max(PROVIDER_TEMPLATE_MAX_LENGTH).nullable().optional(),
  })
  .strict();
export type TemplateSave = z.infer<typeof templateSaveSchema>;

const placeholderSchema = z.object({ name: replyText(), param: replyText(), example: replyText() });

export const messageTemplateViewSchema = z.object({
  key: replyText(),
  channel: z.enum(TEMPLATE_CHANNELS),
  label: replyText(),
  when: replyText(),
  placeholders: z.array(placeholderSchema),
  /** the text in use: the organizer's, else the default */
  subject: replyText(),
  body: replyText(),
  providerTemplate: replyText().nullable(),
  defaultSubject: replyText(),
  defaultBody: replyText(),
  /** true when the organizer changed it (【恢复默认】 applies) */
  customized: z.boolean(),
  updatedAt: z.iso.datetime().nullable(),
});
export type MessageTemplateView = z.infer<typeof messageTemplateViewSchema>;

/** a failed job (失败任务) as the dead-letter view shows it */
export const failedJobSchema = z.object({
  id: replyText(),
  kind: replyText(),
  /** the kind in Chinese */
  label: replyText(),
  attempts: z.number().int(),
  error: replyText().nullable(),
  createdAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().nullable(),
  /** for a delivery: the message's outbox id, recipient and subject */
  message: z.object({ id: z.number().int(), recipient: replyText(), subject: replyText() }).nullable(),
});
export type FailedJob = z.infer<typeof failedJobSchema>;

export const backgroundSummarySchema = z.object({
  queued: z.number().int(),
  running: z.number().int(),
  failed: z.number().int(),
  failedMessages: z.number().int(),
  /** the senders configured: what a message goes through (null: only recorded in the outbox) */
  senders: z.object({ sms: replyText().nullable(), email: replyText().nullable() }),
  jobs: z.array(failedJobSchema),
});
export type BackgroundSummary = z.infer<typeof backgroundSummarySchema>;
