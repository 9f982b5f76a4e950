// Session and accounts (docs/API.md "Accounts"): who is logged in, log-in and 退出, registration, 找回.
import type { ApplicantRegisterInput, LoginInput, RecoverResetInput, RecoverSendInput, UnitRegisterInput } from '../../../core';
import { api } from '../api';
import type { MeReply, User } from '../types';

/** GET /api/auth/me (also sets the csrf cookies when missing). */
export function me(): Promise<MeReply> {
  return api<MeReply>('GET', '/api/auth/me');
}

export function login(body: LoginInput): Promise<{ user: User }> {
  return api<{ user: User }>('POST', '/api/auth/login', body);
}

export function logout(): Promise<{ ok: true }> {
  return api<{ ok: true }>('POST', '/api/auth/logout');
}

/** POST /api/auth/register/applicant: logged in at once. */
export function registerApplicant(body: ApplicantRegisterInput): Promise<{ user: User }> {
  return api<{ user: User }>('POST', '/api/auth/register/applicant', body);
}

/** POST /api/auth/register/unit: waits for 自治区科协 (not logged in). */
export function registerUnit(body: UnitRegisterInput): Promise<{ pending: boolean; message?: string }> {
  return api<{ pending: boolean; message?: string }>('POST', '/api/auth/register/unit', body);
}

/** POST /api/auth/recover/send: the same message whether or not the name exists. */
export function sendRecoveryCode(body: RecoverSendInput): Promise<{ message: string }> {
  return api<{ message: string }>('POST', '/api/auth/recover/send', body);
}

export function resetPassword(body: RecoverResetInput): Promise<{ ok: true }> {
  return api<{ ok: true }>('POST', '/api/auth/recover/reset', body);
}

/** The captcha image (`<img src>`); a new `token` loads a new one (and sets the `captcha` cookie). */
export const captchaUrl = (token: string | number) => `/api/captcha?t=${token}`;

/** 使用合作网站登录: the OpenID Connect start (a plain link). */
export const OIDC_START_URL = '/api/auth/oidc/start';
