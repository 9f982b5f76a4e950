// 评审专家 (issue 13, item 6): the organizer's expert accounts, their Excel import and 评审组 — the request bodies, the
// import's column rules and the replies, shared by the server and the web.
import { z } from 'zod';
import { RECOMMEND_FIELDS } from './codes';
import { parseIdNumber } from './idcard';
import { text, replyText } from './text';
import { checkEmail, checkMobile } from './validators';

/** The import's limits: at most this many experts per file, and a file of at most this many bytes. */
export const EXPERT_IMPORT_MAX_ROWS = 2000;
export const EXPERT_IMPORT_MAX_BYTES = 2 * 1024 * 1024;
export const EXPERT_IMPORT_MAX_MB = 2;

export const EXPERT_NAME_MAX = 30;
export const EXPERT_WORK_UNIT_MAX = 100;
export const EXPERT_FIELD_MAX = 50;
export const EXPERT_GROUP_NAME_MAX = 50;

/** The expert's fields in the order of the import's columns (and the 新建 form). */
export const EXPERT_COLUMNS = [
  { key: 'realName', label: '姓名', required: true },
  { key: 'workUnit', label: '工作单位', required: true },
  { key: 'field', label: '专业领域', required: true },
  { key: 'mobile', label: '手机', required: true },
  { key: 'email', label: '电子邮箱', required: false },
] as const;
export type ExpertColumnKey = (typeof EXPERT_COLUMNS)[number]['key'] | 'idNumber';

/** The template's header row (GET /api/admin/experts/template). */
export const EXPERT_TEMPLATE_HEADER: readonly string[] = EXPERT_COLUMNS.map((c) => c.label);

/** Other spellings of a header that mean the same column; 身份证号码 is an optional extra column (本人 回避). */
const HEADER_ALIASES: Record<string, ExpertColumnKey> = {
  姓名: 'realName',
  专家姓名: 'realName',
  工作单位: 'workUnit',
  单位: 'workUnit',
  专业领域: 'field',
  领域: 'field',
  专业: 'field',
  手机: 'mobile',
  手机号: 'mobile',
  手机号码: 'mobile',
  电子邮箱: 'email',
  邮箱: 'email',
  电子邮件: 'email',
  email: 'email',
  身份证号码: 'idNumber',
  身份证号: 'idNumber',
};

/**
 * A header cell as matched: NFKC (full-width letters and brackets made half-width), every space removed, a
 * trailing note in brackets dropped ("电子邮箱（选填）", "手机(必填)"), a required-mark * dropped.
 */
export function normaliseHeader(cell: string): string {
  return cell
    .normalize('NFKC')
    .replace(/[\s\u200B-\u200D\u2060\uFEFF]+/gu, '')
    .replace(/^\*+|\*+$/gu, '')
    .replace(/\([^)]*\)$/u, '')
    .toLowerCase();
}

/** The column a header cell names, or null. */
export function headerColumn(cell: string): ExpertColumnKey | null {
  return HEADER_ALIASES[normaliseHeader(cell)] ?? null;
}

/** A cell's text as typed: trimmed of every kind of space (U+3000 too). */
export function cellText(value: string): string {
  return value.replace(/^[\s\u200B-\u200D\u2060\uFEFF]+|[\s\u200B-\u200D\u2060\uFEFF]+$/gu, '');
}

/** A 手机 as stored: half-width digits, spaces and hyphens removed, a +86 / 0086 prefix dropped. */
export function normaliseExpertMobile(value: string): string {
  const digits = value.normalize('NFKC').replace(/[\s\u200B-\u200D\u2060\uFEFF-]+/gu, '');
  return digits.replace(/^(\+86|0086)(?=1\d{10}$)/u, '');
}

const length = (v: string) => Array.from(v).length;

/** The expert's fields after normalisation (the import's row, the 新建 form). */
export interface ExpertFields {
  realName: string;
  workUnit: string;
  field: string;
  mobile: string;
  email: string | null;
  idNumber: string | null;
}

export interface ExpertFieldIssue {
  field: ExpertColumnKey;
  label: string;
  message: string;
}

/**
 * Checks an expert's fields as typed (a row of the import or the 新建 form): every problem, named. Returns the
 * normalised values (手机 and 电子邮箱 made half-width, the 身份证号码 upper-case) when there is none.
 */
export function checkExpertFields(
  raw: Partial<Record<ExpertColumnKey, string | null | undefined>>,
): { ok: true; value: ExpertFields } | { ok: false; issues: ExpertFieldIssue[] } {
  const issues: ExpertFieldIssue[] = [];
  const get = (k: ExpertColumnKey) => cellText(raw[k] ?? '');
  const bounded = (k: ExpertColumnKey, label: string, min: number, max: number) => {
    const v = get(k);
    if (!v) issues.push({ field: k, label, message: `缺少${label}` });
    else if (length(v) < min || length(v) > max) issues.push({ field: k, label, message: `${label}长度应为${min}至${max}个字，当前为${length(v)}个` });
    return v;
  };
  const realName = bounded('realName', '姓名', 2, EXPERT_NAME_MAX);
  const workUnit = bounded('workUnit', '工作单位', 2, EXPERT_WORK_UNIT_MAX);
  const field = bounded('field', '专业领域', 2, EXPERT_FIELD_MAX);
  const typedMobile = get('mobile');
  const mobile = normaliseExpertMobile(typedMobile);
  if (!typedMobile) issues.push({ field: 'mobile', label: '手机', message: '缺少手机' });
  else {
    const m = checkMobile(mobile, '手机');
    if (m) issues.push({ field: 'mobile', label: '手机', message: `手机“${typedMobile}”格式不正确，应为11位数字，以1开头、第二位为3至9` });
  }
  const typedEmail = get('email');
  const email = typedEmail ? typedEmail.normalize('NFKC') : null;
  if (email) {
    const m = checkEmail(email);
    if (m) issues.push({ field: 'email', label: '电子邮箱', message: `电子邮箱“${typedEmail}”格式不正确，应为如 name@example.com 的邮箱地址` });
  }
  const typedId = get('idNumber');
  let idNumber: string | null = null;
  if (typedId) {
    const parsed = parseIdNumber(typedId.normalize('NFKC'));
    if (parsed.ok) idNumber = parsed.id;
    else issues.push({ field: 'idNumber', label: '身份证号码', message: parsed.message });
  }
  if (issues.length) return { ok: false, issues };
  return { ok: true, value: { realName, workUnit, field, mobile, email, idNumber } };
}

/**
 * The zod form of checkExpertFields for a JSON body: one issue per field, on the field's own path. The object is
 * strict here (a transform hides it from http.ts parse's own strictness): an unknown key is refused.
 */
const expertFieldsShape = {
  realName: text('姓名'),
  workUnit: text('工作单位'),
  field: text('专业领域'),
  mobile: text('手机'),
  email: text('电子邮箱').nullable().optional(),
  idNumber: text('身份证号码').nullable().optional(),
};

function checkedExpert<T extends Partial<Record<ExpertColumnKey, string | null | undefined>>>(value: T, ctx: z.RefinementCtx): ExpertFields {
  const checked = checkExpertFields(value);
  if (checked.ok) return checked.value;
  for (const issue of checked.issues) ctx.addIssue({ code: 'custom', path: [issue.field], message: issue.message });
  return z.NEVER;
}

/** POST /api/admin/experts (新建评审专家): 姓名, 工作单位, 专业领域, 手机 required; 电子邮箱 and 身份证号码 optional. */
export const expertCreateSchema = z.object(expertFieldsShape).strict().transform(checkedExpert);
export type ExpertCreateInput = z.input<typeof expertCreateSchema>;

/**
 * PUT /api/admin/experts/:id (修改): the same fields; `idNumber` absent keeps the recorded 身份证号码, `null` or ""
 * removes it, a number replaces it.
 */
export const expertUpdateSchema = z
  .object(expertFieldsShape)
  .strict()
  .transform((value, ctx) => ({
    ...checkedExpert(value, ctx),
    keepIdNumber: value.idNumber === undefined,
  }));
export type ExpertUpdateInput = z.input<typeof expertUpdateSchema>;

export const EXPERT_STATUSES = ['active', 'disabled'] as const;
export type ExpertStatus = (typeof EXPERT_STATUSES)[number];
export const EXPERT_STATUS_LABELS: Record<ExpertStatus, string> = { active: '正常', disabled: '已停用' };

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** GET /api/admin/experts: 查询 by 姓名 / 单位 / 领域 / 手机, a 评审组, a status; pages of 20 like 查询申报表. */
export const expertQuerySchema = z.object({
  keyword: z.preprocess(blankToUndefined, text('查询条件').trim().max(50, '查询条件不能超过50个字').optional()),
  groupId: z.preprocess(
    blankToUndefined,
    text('评审组')
      .regex(/^[0-9a-f-]{36}$/i, '评审组不是可选项')
      .optional(),
  ),
  status: z.preprocess((v) => (v === 'all' ? undefined : blankToUndefined(v)), z.enum(EXPERT_STATUSES, { error: '状态不是可选项' }).optional()),
  page: z.coerce.number().int().min(1, '页码应为正整数').default(1),
  pageSize: z.coerce.number().int().min(1, '每页显示条数应在1至100之间').max(100, '每页显示条数应在1至100之间').default(20),
});
export type ExpertQuery = z.infer<typeof expertQuerySchema>;

/** POST/PUT /api/admin/expert-groups: 评审组名称 and an optional 推荐领域. */
export const expertGroupInputSchema = z.object({
  name: text('评审组名称')
    .trim()
    .min(2, '评审组名称应为2至50个字')
    .refine((v) => length(v) <= EXPERT_GROUP_NAME_MAX, '评审组名称应为2至50个字'),
  field: z.preprocess(
    (v) => (v === '' ? null : v),
    text('推荐领域')
      .refine((v) => RECOMMEND_FIELDS.includes(v), `推荐领域不是可选项（可选：${RECOMMEND_FIELDS.join('、')}）`)
      .nullable()
      .optional(),
  ),
});
export type ExpertGroupInput = z.input<typeof expertGroupInputSchema>;

/** POST /api/admin/expert-groups/:id/members: the experts to add (at most 500 at a time). */
export const groupMembersInputSchema = z.object({
  expertIds: z
    .array(text('评审专家').regex(/^[0-9a-f-]{36}$/i, '评审专家的编号不正确'), { error: '请选择要加入的评审专家' })
    .min(1, '请选择要加入的评审专家')
    .max(500, '一次最多加入500位评审专家'),
});

// ---- replies ----

const timestamp = () => z.iso.datetime();
const groupRefSchema = z.object({ id: replyText(), name: replyText() });

/** One expert as 自治区科协 sees it (the 身份证号码 only as "recorded or not": it is kept as a keyed hash). */
export const adminExpertSchema = z.object({
  id: replyText(),
  username: replyText(),
  realName: replyText(),
  workUnit: replyText(),
  field: replyText(),
  mobile: replyText().nullable(),
  email: replyText().nullable(),
  hasIdNumber: z.boolean(),
  disabled: z.boolean(),
  /** still on the initial password sent by SMS */
  mustChangePassword: z.boolean(),
  statusLabel: replyText(),
  /** the 评审组 of the current campaign the expert belongs to */
  groups: z.array(groupRefSchema),
  createdAt: timestamp(),
});
export type AdminExpert = z.infer<typeof adminExpertSchema>;

export const expertListSchema = z.object({
  rows: z.array(adminExpertSchema),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
});
export type ExpertList = z.infer<typeof expertListSchema>;

export const expertGroupSchema = z.object({
  id: replyText(),
  campaignId: replyText(),
  name: replyText(),
  field: replyText().nullable(),
  members: z.array(
    z.object({ id: replyText(), realName: replyText(), workUnit: replyText(), field: replyText(), mobile: replyText().nullable(), disabled: z.boolean() }),
  ),
  createdAt: timestamp(),
});
export type ExpertGroupView = z.infer<typeof expertGroupSchema>;

/** POST /api/admin/experts/import: a clean file, previewed (dryRun) or imported; a file with bad rows is a 400. */
export const expertImportReplySchema = z.object({
  dryRun: z.boolean(),
  /** how many experts the file holds (imported unless dryRun) */
  count: z.number().int(),
  experts: z.array(
    z.object({
      row: z.number().int(),
      realName: replyText(),
      workUnit: replyText(),
      field: replyText(),
      mobile: replyText(),
      email: replyText().nullable(),
      hasIdNumber: z.boolean(),
    }),
  ),
});
export type ExpertImportReply = z.infer<typeof expertImportReplySchema>;

/** A bad row of the import, as the 400's `fields` carry it: `field` is `row<n>`, `label` 第n行. */
export const importRowOf = (field: string): number | null => {
  const m = /^row(\d+)$/.exec(field);
  return m ? Number(m[1]) : null;
};
