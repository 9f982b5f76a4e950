// The 申请书 form: field list in the manual's order, draft validation for 【保存】, completeness for 【提交】.
import { z } from 'zod';
import { DEGREES, EDUCATION_LEVELS, ETHNIC_GROUPS, GENDERS, POLITICAL_STATUSES, RECOMMEND_FIELDS } from './codes';
import { checkIdAgainst, parseIdNumber } from './idcard';
import { checkCharacters, replyText, text as textSchemaOf } from './text';
import { checkDate, checkEmail, checkMobile, checkOfficePhone, checkPostcode, chinaToday } from './validators';

/**
 * The 申请书 as stored and sent (ApplicationDetail.form): every field optional, as a draft may be half-filled. It
 * names the fields a reply may carry and their types; what a field must look like is applicationDraftSchema's and
 * checkCompleteness' (below), applied when the values come in.
 */
export const applicationFormSchema = z.object({
  idNumber: replyText().optional(),
  name: replyText().optional(),
  gender: replyText().optional(),
  ethnicity: replyText().optional(),
  birthDate: replyText().optional(),
  nativePlace: replyText().optional(),
  politicalStatus: replyText().optional(),
  education: replyText().optional(),
  degree: replyText().optional(),
  school: replyText().optional(),
  major: replyText().optional(),
  workUnit: replyText().optional(),
  duties: replyText().optional(),
  title: replyText().optional(),
  officePhone: replyText().optional(),
  mobile: replyText().optional(),
  email: replyText().optional(),
  address: replyText().optional(),
  postcode: replyText().optional(),
  field: replyText().optional(),
  mainDeeds: replyText().optional(),
  story: replyText().optional(),
  worksInXinjiang: z.boolean().optional(),
  isAcademician: z.boolean().optional(),
  previousWinner: z.boolean().optional(),
  activeMilitary: z.boolean().optional(),
  civilServant: z.boolean().optional(),
  seniorOfficial: z.boolean().optional(),
  nationalHonour: z.boolean().optional(),
  zuimeiTitle: z.boolean().optional(),
});
export type ApplicationForm = z.infer<typeof applicationFormSchema>;

export type ApplicationFieldKey = keyof ApplicationForm;
type BoolKey = { [K in ApplicationFieldKey]-?: NonNullable<ApplicationForm[K]> extends boolean ? K : never }[ApplicationFieldKey];
type TextKey = Exclude<ApplicationFieldKey, BoolKey>;

export interface ApplicationField {
  key: ApplicationFieldKey;
  label: string;
  required: boolean;
  kind: 'text' | 'textarea' | 'select' | 'date' | 'bool';
  options?: readonly string[];
  section: 'personal' | 'deeds' | 'eligibility';
  maxLength?: number;
  help?: string;
}

const SHORT = 200;
const LONG = 5000;

const text = (key: TextKey, label: string, maxLength = SHORT, help?: string): ApplicationField => ({
  key,
  label,
  required: true,
  kind: 'text',
  section: 'personal',
  maxLength,
  ...(help ? { help } : {}),
});
const select = (key: TextKey, label: string, options: readonly string[]): ApplicationField => ({
  key,
  label,
  required: true,
  kind: 'select',
  options,
  section: 'personal',
});
const bool = (key: BoolKey, label: string): ApplicationField => ({
  key,
  label,
  required: true,
  kind: 'bool',
  section: 'eligibility',
});

export const APPLICATION_FIELDS: readonly ApplicationField[] = [
  text('idNumber', '身份证号码', 18, '18位居民身份证号码，最后一位可为X'),
  text('name', '申请人姓名', 50),
  select('gender', '性别', GENDERS),
  select('ethnicity', '民族', ETHNIC_GROUPS),
  { key: 'birthDate', label: '出生日期', required: true, kind: 'date', section: 'personal', help: '须与身份证号码一致' },
  text('nativePlace', '籍贯'),
  select('politicalStatus', '政治面貌', POLITICAL_STATUSES),
  select('education', '学历', EDUCATION_LEVELS),
  select('degree', '学位', DEGREES),
  text('school', '毕业院校'),
  text('major', '所学专业'),
  text('workUnit', '单位名称', SHORT, '请填写单位全称'),
  text('duties', '工作职责'),
  text('title', '专业技术职务'),
  text('officePhone', '办公电话', 30, '如0991-6386020'),
  text('mobile', '手机', 11),
  text('email', '电子邮箱', 100),
  text('address', '通讯地址'),
  text('postcode', '邮政编码', 6),
  select('field', '推荐领域', RECOMMEND_FIELDS),
  { key: 'mainDeeds', label: '主要事迹', required: true, kind: 'textarea', section: 'deeds', maxLength: LONG, help: '1500字以内为宜' },
  { key: 'story', label: '感人故事', required: true, kind: 'textarea', section: 'deeds', maxLength: LONG },
  bool('worksInXinjiang', '是否在新疆工作'),
  bool('isAcademician', '是否为两院院士'),
  bool('previousWinner', '是否曾获评“新疆最美科技工作者”'),
  bool('activeMilitary', '是否为现役军人'),
  bool('civilServant', '是否为公务员或参照公务员法管理人员'),
  bool('seniorOfficial', '是否为党政机关现任厅局级以上行政职务者'),
  bool('nationalHonour', '是否已获得国家级荣誉表彰'),
  bool('zuimeiTitle', '是否已获得中宣部“最美”系列称号'),
];

const FIELD_BY_KEY = new Map<string, ApplicationField>(APPLICATION_FIELDS.map((f) => [f.key, f]));

export function applicationField(key: string): ApplicationField | undefined {
  return FIELD_BY_KEY.get(key);
}

export function fieldLabel(key: string): string {
  return FIELD_BY_KEY.get(key)?.label ?? key;
}

const charCount = (s: string) => Array.from(s).length;

/** The format error of a present (non-empty) value, or null. Shared by the draft schema and checkCompleteness. */
export function checkFieldValue(field: ApplicationField, value: unknown): string | null {
  const { key, label, kind } = field;
  if (kind === 'bool') return typeof value === 'boolean' ? null : `${label}：请选择“是”或“否”`;
  if (typeof value !== 'string') return `${label}应为文字，请重新填写`;
  const badCharacters = checkCharacters(value, label);
  if (badCharacters) return badCharacters;
  const v = value.trim();
  if (field.maxLength !== undefined && charCount(v) > field.maxLength) {
    return `${label}不能超过${field.maxLength}字，当前为${charCount(v)}字`;
  }
  switch (key) {
    case 'idNumber': {
      const parsed = parseIdNumber(v);
      return parsed.ok ? null : parsed.message;
    }
    case 'mobile':
      return checkMobile(v, '手机号码');
    case 'officePhone':
      return checkOfficePhone(v, label);
    case 'postcode':
      return checkPostcode(v, label);
    case 'email':
      return checkEmail(v, label);
  }
  if (kind === 'select' && field.options && !field.options.includes(v)) {
    const shown = v.length > 20 ? `${v.slice(0, 20)}…` : v;
    const choices = field.options.length <= 13 ? `（可选：${field.options.join('、')}）` : '';
    return `${label}“${shown}”不是可选项，请从下拉列表中选择${choices}`;
  }
  if (kind === 'date') {
    const dateError = checkDate(v, label);
    if (dateError) return dateError;
    if (key === 'birthDate' && (v < '1900-01-01' || v > chinaToday())) {
      return `${label}${v}不在合理范围内，应在1900-01-01至今天之间`;
    }
  }
  return null;
}

const isBlank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

// Blank input (undefined, null, '' or spaces) becomes undefined so a draft may be saved half-filled.
function normalize(key: ApplicationFieldKey) {
  return (v: unknown) => {
    if (isBlank(v)) return undefined;
    if (typeof v !== 'string') return v;
    return key === 'idNumber' ? v.trim().toUpperCase() : v.trim();
  };
}

function refineWith(field: ApplicationField) {
  return (value: unknown, ctx: z.RefinementCtx) => {
    if (value === undefined) return;
    const message = checkFieldValue(field, value);
    if (message) ctx.addIssue({ code: 'custom', message });
  };
}

const textSchema = (f: ApplicationField) =>
  z.preprocess(
    normalize(f.key),
    textSchemaOf(f.label, { required: `${f.label}应为文字，请重新填写` })
      .optional()
      .superRefine(refineWith(f)),
  );
const boolSchema = (f: ApplicationField) =>
  z.preprocess(
    normalize(f.key),
    z
      .boolean({ error: `${f.label}：请选择“是”或“否”` })
      .optional()
      .superRefine(refineWith(f)),
  );

type DraftShape = { [K in TextKey]: ReturnType<typeof textSchema> } & { [K in BoolKey]: ReturnType<typeof boolSchema> };

const draftShape = Object.fromEntries(APPLICATION_FIELDS.map((f) => [f.key, f.kind === 'bool' ? boolSchema(f) : textSchema(f)])) as DraftShape;

/** 【保存】: every key optional, blanks become undefined, present values must be well-formed; unknown keys stripped. */
export const applicationDraftSchema = z.object(draftShape, { error: '申请书内容应为表单对象' });

/** A field named with what is wrong with it: 【提交】's missing items, 【保存】's notSaved. */
export const formIssueSchema = z.object({ field: replyText(), label: replyText(), message: replyText() });
export type FormIssue = z.infer<typeof formIssueSchema>;

/** 【提交】: what is still missing or wrong, in form order; [] when the form may be submitted. */
export function checkCompleteness(form: ApplicationForm): FormIssue[] {
  const issues: FormIssue[] = [];
  const values = form as Record<string, unknown>;
  for (const f of APPLICATION_FIELDS) {
    const value = values[f.key];
    if (isBlank(value)) {
      if (f.required) {
        const verb = f.kind === 'select' || f.kind === 'bool' ? '请选择' : '请填写';
        issues.push({ field: f.key, label: f.label, message: verb + f.label });
      }
      continue;
    }
    const message = checkFieldValue(f, value);
    if (message) issues.push({ field: f.key, label: f.label, message });
  }
  // ID disagreements are only meaningful when both sides are individually well-formed.
  const flagged = new Set(issues.map((i) => i.field));
  if (typeof form.idNumber === 'string' && !flagged.has('idNumber')) {
    for (const field of ['birthDate', 'gender'] as const) {
      const value = form[field];
      if (flagged.has(field) || typeof value !== 'string') continue;
      const [message] = field === 'birthDate' ? checkIdAgainst(form.idNumber, value, undefined) : checkIdAgainst(form.idNumber, undefined, value);
      if (message) issues.push({ field, label: fieldLabel(field), message });
    }
  }
  return issues;
}

/** Turns a ZodError from applicationDraftSchema into the API's `fields` list. */
export function formIssuesFromZod(error: z.ZodError): FormIssue[] {
  return error.issues.map((issue) => {
    const field = issue.path.length > 0 ? String(issue.path[0]) : '';
    return { field, label: field ? fieldLabel(field) : '申请书', message: issue.message };
  });
}
