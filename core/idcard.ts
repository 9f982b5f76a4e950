// Resident identity numbers per GB 11643-1999: 6-digit region, 8-digit birth date, 3-digit sequence, check char.
import { chinaToday, isValidDate } from './validators';

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';

export type ParsedId = { ok: true; id: string; birthDate: string; gender: '男' | '女'; regionCode: string } | { ok: false; message: string };

/** The check character (ISO 7064 MOD 11-2) for a 17-digit body. */
export function idCheckChar(body17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(body17[i]) * (WEIGHTS[i] ?? 0);
  return CHECK_CHARS[sum % 11] ?? '';
}

/** `today` (YYYY-MM-DD) exists for tests; by default it is today in Beijing time. */
export function parseIdNumber(raw: string, today: string = chinaToday()): ParsedId {
  const id = (raw ?? '').trim().toUpperCase();
  if (!id) return { ok: false, message: '请填写身份证号码（18位）' };
  if (/^\d{15}$/.test(id)) return { ok: false, message: '不支持15位旧身份证号码，请填写18位身份证号码' };
  if (id.length !== 18) {
    return { ok: false, message: `身份证号码位数不正确，应为18位，当前为${id.length}位` };
  }
  if (!/^\d{17}[\dX]$/.test(id)) {
    return { ok: false, message: '身份证号码格式不正确，前17位应为数字，最后一位为数字或字母X' };
  }
  const birthDate = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
  if (!isValidDate(birthDate)) {
    return { ok: false, message: `身份证号码中的出生日期（第7至14位）${id.slice(6, 14)}不是有效日期，请核对` };
  }
  if (birthDate < '1900-01-01' || birthDate > today) {
    return { ok: false, message: `身份证号码中的出生日期${birthDate}不在合理范围内（应在1900-01-01至今天之间），请核对` };
  }
  if (idCheckChar(id.slice(0, 17)) !== id[17]) {
    return { ok: false, message: '身份证号码校验位不正确，请核对后重新填写' };
  }
  const gender = Number(id[16]) % 2 === 1 ? '男' : '女';
  return { ok: true, id, birthDate, gender, regionCode: id.slice(0, 6) };
}

/**
 * Disagreements between the ID number and the separately entered 出生日期 / 性别.
 * An invalid ID yields no messages here: its own error is reported on the 身份证号码 field.
 */
export function checkIdAgainst(id: string, birthDate?: string, gender?: string): string[] {
  const parsed = parseIdNumber(id);
  if (!parsed.ok) return [];
  const messages: string[] = [];
  const b = birthDate?.trim();
  if (b && b !== parsed.birthDate) messages.push(`出生日期与身份证号码不一致：身份证号码中为${parsed.birthDate}`);
  const g = gender?.trim();
  if (g && g !== parsed.gender) messages.push(`性别与身份证号码不一致：身份证号码中为${parsed.gender}`);
  return messages;
}

/** Keeps the first and last four characters, e.g. 6501**********123X, for lists seen by others. */
export function maskIdNumber(id: string): string {
  const v = (id ?? '').trim();
  if (v.length <= 8) return '*'.repeat(v.length);
  return v.slice(0, 4) + '*'.repeat(v.length - 8) + v.slice(-4);
}

/** Age in full years on refDate (both YYYY-MM-DD); a birthday on refDate counts as reached. */
export function ageAt(birthDate: string, refDate: string): number {
  const years = Number(refDate.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return refDate.slice(5, 10) < birthDate.slice(5, 10) ? years - 1 : years;
}
