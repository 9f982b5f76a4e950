// Format checks return null when valid, else a Chinese message saying what is wrong and what is required.
// The zod schemas reuse the same functions so server and web show identical messages.
import { COMMON_PASSWORDS } from './common-passwords';
import { text } from './text';

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written YYYY-MM-DD (rejects 2023-02-30). */
export function isValidDate(value: string): boolean {
  const m = DATE_RE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** Today's date (YYYY-MM-DD) in Beijing time, which Xinjiang's institutions use, whatever the host's zone. */
export function chinaToday(now: Date = new Date()): string {
  return new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}

export function checkDate(value: string, label = '日期'): string | null {
  const v = value.trim();
  if (!v) return `请填写${label}`;
  return isValidDate(v) ? null : `${label}“${v}”不是有效日期，应为YYYY-MM-DD格式，如1980-05-01`;
}

const MOBILE_RE = /^1[3-9]\d{9}$/;
// Area code 0 + 2–3 digits, number 7–8 digits, optional extension; the hyphens are optional.
const LANDLINE_RE = /^0\d{2,3}-?\d{7,8}(-\d{1,6})?$/;

export function checkMobile(value: string, label = '手机号码'): string | null {
  const v = value.trim();
  if (!v) return `请填写${label}`;
  return MOBILE_RE.test(v) ? null : `${label}格式不正确，应为11位数字，以1开头、第二位为3至9`;
}

export function checkOfficePhone(value: string, label = '办公电话'): string | null {
  const v = value.trim();
  if (!v) return `请填写${label}`;
  if (MOBILE_RE.test(v) || LANDLINE_RE.test(v)) return null;
  return `${label}格式不正确，应为带区号的固定电话（如0991-6386020，分机写作0991-6386020-123）或11位手机号码`;
}

export function checkPostcode(value: string, label = '邮政编码'): string | null {
  const v = value.trim();
  if (!v) return `请填写${label}`;
  return /^\d{6}$/.test(v) ? null : `${label}格式不正确，应为6位数字，如830000`;
}

const EMAIL_RE = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

export function checkEmail(value: string, label = '电子邮箱'): string | null {
  const v = value.trim();
  if (!v) return `请填写${label}`;
  if (v.length > 100) return `${label}过长，应不超过100个字符`;
  return EMAIL_RE.test(v) ? null : `${label}格式不正确，应为如 name@example.com 的邮箱地址`;
}

export function checkUsername(value: string): string | null {
  const v = value.trim();
  if (!v) return '请填写用户名';
  if (v.length < 4 || v.length > 32) return `用户名长度不正确，应为4至32个字符，当前为${v.length}个`;
  if (!/^[A-Za-z]/.test(v)) return '用户名应以英文字母开头';
  if (!/^[A-Za-z0-9_]+$/.test(v)) return '用户名只能包含英文字母、数字和下划线，且以字母开头';
  return null;
}

export const PASSWORD_RULE = '密码应为8至64位，至少包含大写字母、小写字母、数字、符号四类中的三类，且不能是常见密码或与用户名相同';

const PASSWORD_CLASSES: [RegExp, string][] = [
  [/[A-Z]/, '大写字母'],
  [/[a-z]/, '小写字母'],
  [/\d/, '数字'],
  [/[^A-Za-z0-9]/, '符号'],
];

/**
 * The password policy (docs/SECURITY.md): 8 to 64 characters from at least 3 of the 4 classes (upper, lower, digit,
 * symbol), not a common password (core/common-passwords.ts), not the user name. `username` is checked when known
 * (registration, change, reset, admin-set). The message says what is missing. Existing passwords are not re-checked
 * at log-in: the rule applies when a password is set.
 */
export function checkPassword(value: string, username?: string): string | null {
  if (!value) return `请填写密码，${PASSWORD_RULE}`;
  if (value.length < 8 || value.length > 64) return `密码长度不正确（当前为${value.length}位），${PASSWORD_RULE}`;
  const have = PASSWORD_CLASSES.filter(([re]) => re.test(value)).map(([, label]) => label);
  if (have.length < 3) {
    const missing = PASSWORD_CLASSES.filter(([re]) => !re.test(value)).map(([, label]) => label);
    return `密码过于简单：目前只包含${have.join('、')}，还须加入${missing.join('或')}中的${3 - have.length === 1 ? '一类' : '两类'}（${PASSWORD_RULE}）`;
  }
  if (COMMON_PASSWORDS.has(value.toLowerCase())) return `该密码是常见密码，容易被猜中，请换一个不常见的密码（${PASSWORD_RULE}）`;
  const name = username?.trim().toLowerCase();
  if (name && value.toLowerCase() === name) return `密码不能与用户名相同，请换一个密码（${PASSWORD_RULE}）`;
  return null;
}

/** A trimmed string schema whose only rule is `check`; a missing value gets the check's own "请填写" message. */
export function checkedString(check: (value: string) => string | null, label = '此项') {
  return text(label, { required: check('') ?? '请填写此项' })
    .trim()
    .superRefine((value, ctx) => {
      const message = check(value);
      if (message) ctx.addIssue({ code: 'custom', message });
    });
}

export const mobileSchema = checkedString((v) => checkMobile(v), '手机号码');
export const officePhoneSchema = checkedString((v) => checkOfficePhone(v), '办公电话');
export const postcodeSchema = checkedString((v) => checkPostcode(v), '邮政编码');
export const emailSchema = checkedString((v) => checkEmail(v), '电子邮箱');
export const usernameSchema = checkedString(checkUsername, '用户名');
// Passwords are not trimmed: spaces may be deliberate.
export const passwordSchema = text('密码', { required: `请填写密码，${PASSWORD_RULE}` }).superRefine((value, ctx) => {
  const message = checkPassword(value);
  if (message) ctx.addIssue({ code: 'custom', message });
});
