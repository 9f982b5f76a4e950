import { dictionary } from '@zxcvbn-ts/language-common';
import { COMMON_PASSWORDS } from '../../core/common-passwords';
import { PASSWORD_RULE } from '../../core';
import { AppError } from '../errors';

/**
 * The long list of common passwords (ASVS 5.0 V6.2.4: at least the top 3000 that pass the policy): zxcvbn-ts's 49,000
 * most used passwords from the published breach corpora, with core/common-passwords.ts's (the patterns Chinese users
 * favour, also checked in the browser). Compared without regard to case. Built at first use (about 50 ms), kept.
 */
let list: Set<string> | null = null;
function commonList(): Set<string> {
  list ??= new Set([...dictionary['passwords-common'].map((p) => p.toLowerCase()), ...COMMON_PASSWORDS]);
  return list;
}

export const isCommonPassword = (password: string) => commonList().has(password.toLowerCase());

/** Refuses a common password on the field `field` with the policy's message (the browser shows the same). */
export function refuseCommonPassword(password: string, field: 'password' | 'newPassword'): void {
  if (!isCommonPassword(password)) return;
  const message = `该密码是常见密码，容易被猜中，请换一个不常见的密码（${PASSWORD_RULE}）`;
  throw new AppError('VALIDATION', message, [{ field, label: field === 'password' ? '密码' : '新密码', message }]);
}
