// Request bodies of the account endpoints (docs/API.md), validated identically on server and web.
import { z } from 'zod';
import { REGIONS, UNIT_TYPES } from './codes';
import { text } from './text';
import {
  checkedString,
  checkEmail,
  checkMobile,
  checkOfficePhone,
  checkPassword,
  emailSchema,
  mobileSchema,
  passwordSchema,
  usernameSchema,
} from './validators';

/**
 * The password policy's rule that needs the user name (core/validators.ts checkPassword): added to every body that
 * carries both, so that the browser and the server refuse a password equal to (or containing) the name alike.
 */
function passwordNotName(field: 'password' | 'newPassword') {
  return (value: Record<string, unknown>, ctx: z.RefinementCtx) => {
    const password = value[field];
    const username = value.username;
    if (typeof password !== 'string' || typeof username !== 'string' || checkPassword(password)) return;
    const message = checkPassword(password, username);
    if (message) ctx.addIssue({ code: 'custom', path: [field], message });
  };
}

const required = (label: string, message: string) => text(label, { required: message }).trim().min(1, message);
// Login and recovery must accept any existing username, so only presence is checked there.
const loginUsername = required('用户名', '请输入用户名');
const captcha = required('验证码', '请输入验证码');

const lengthBetween = (label: string, min: number, max: number, hint = '') =>
  text(label)
    .trim()
    .min(1, `请填写${label}`)
    .refine((v) => Array.from(v).length >= min && Array.from(v).length <= max, {
      message: `${label}长度不正确，应为${min}至${max}个字${hint}`,
    });

const oneOf = (label: string, options: readonly string[]) =>
  text(label, { required: `请选择${label}` }).refine((v) => options.includes(v), { message: `请选择${label}（可选：${options.join('、')}）` });

export const loginSchema = z.object({
  username: loginUsername,
  password: text('密码', { required: '请输入密码' }).min(1, '请输入密码'),
  captcha,
  /** asked only while the account is under attack from many addresses, then sent to its mobile (docs/SECURITY.md) */
  smsCode: text('短信验证码', { required: '请输入短信验证码' })
    .trim()
    .regex(/^\d{6}$/, '短信验证码格式不正确，应为短信或邮件中收到的6位数字')
    .optional(),
});

export const applicantRegisterSchema = z
  .object({
    username: usernameSchema,
    password: passwordSchema,
    realName: lengthBetween('真实姓名', 2, 30),
    mobile: mobileSchema,
    email: emailSchema,
    captcha,
  })
  .superRefine(passwordNotName('password'));

/**
 * The account's own 手机 (required: 找回, the log-in code under attack and the 待办理 texts go there) and an
 * optional 电子邮箱 (a second way for 找回). A unit's 联系电话 may be a landline: it is not the account's mobile.
 */
function contactFields() {
  return {
    mobile: checkedString((v) => checkMobile(v, '手机'), '手机'),
    email: text('电子邮箱')
      .trim()
      .superRefine((v, ctx) => {
        const message = v ? checkEmail(v) : null;
        if (message) ctx.addIssue({ code: 'custom', message });
      })
      .optional()
      .nullable()
      .transform((v) => v || null),
  };
}

/**
 * PUT /api/account/contact: the logged-in account's 手机 and 电子邮箱 (an empty or absent e-mail removes it). They are
 * where 找回 sends its codes, so the change asks for the account's password again: a session left open or taken
 * cannot move the account's recovery to another phone (docs/SECURITY.md, ASVS 6.2 / 7.5).
 */
export const accountContactSchema = z.object({
  ...contactFields(),
  currentPassword: text('当前密码', { required: '请输入当前密码，确认是本人修改' }).min(1, '请输入当前密码，确认是本人修改'),
});

const unitFields = {
  username: usernameSchema,
  password: passwordSchema,
  unitName: lengthBetween('单位名称', 4, 100, '，请填写单位全称'),
  unitType: oneOf('单位类型', UNIT_TYPES),
  region: oneOf('所在地区', REGIONS),
  contactName: lengthBetween('联系人姓名', 2, 30),
  contactPhone: checkedString((v) => checkOfficePhone(v, '联系电话')),
  ...contactFields(),
};

export const unitRegisterSchema = z.object({ ...unitFields, captcha }).superRefine(passwordNotName('password'));

/** The organizer creating a unit account directly: no captcha. */
export const unitCreateSchema = z.object(unitFields).superRefine(passwordNotName('password'));

export const recoverSendSchema = z.object({
  username: loginUsername,
  channel: z.enum(['mobile', 'email'], { error: '请选择找回方式：手机或电子邮箱' }),
  captcha,
});

export const recoverResetSchema = z
  .object({
    username: loginUsername,
    code: text('验证码', { required: '请输入收到的6位验证码' })
      .trim()
      .regex(/^\d{6}$/, '验证码格式不正确，应为短信或邮件中收到的6位数字'),
    newPassword: passwordSchema,
  })
  .superRefine(passwordNotName('newPassword'));

export type LoginInput = z.infer<typeof loginSchema>;
export type ApplicantRegisterInput = z.infer<typeof applicantRegisterSchema>;
export type UnitRegisterInput = z.infer<typeof unitRegisterSchema>;
export type UnitCreateInput = z.infer<typeof unitCreateSchema>;
export type RecoverSendInput = z.infer<typeof recoverSendSchema>;
export type AccountContactInput = z.infer<typeof accountContactSchema>;
export type RecoverResetInput = z.infer<typeof recoverResetSchema>;

/**
 * POST /api/auth/password (修改密码, and 修改初始密码 for an account created with a password sent by SMS): the
 * present password and a new one under the platform's rule. The server also refuses a new password equal to the old.
 */
export const passwordChangeSchema = z.object({
  oldPassword: text('原密码', { required: '请输入原密码' }).min(1, '请输入原密码'),
  newPassword: passwordSchema,
});
export type PasswordChangeInput = z.infer<typeof passwordChangeSchema>;
