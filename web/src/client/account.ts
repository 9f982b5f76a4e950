// 账号信息 (docs/API.md "Accounts"): any logged-in account's own 手机 and 电子邮箱.
import type { AccountContactInput } from '../../../core';
import { api } from '../api';

export interface Contact {
  mobile: string | null;
  email: string | null;
}

export function getContact(): Promise<Contact> {
  return api<Contact>('GET', '/api/account/contact');
}

/** PUT /api/account/contact: replaces both (no `email` or `""` removes it). */
export function saveContact(body: AccountContactInput): Promise<Contact> {
  return api<Contact>('PUT', '/api/account/contact', body);
}
