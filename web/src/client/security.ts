// 账号安全 (docs/api/security.md): the second step of log-in, TOTP enrolment, recovery codes and sessions.
import type { RecoveryCodesReply, SecurityOverview, TotpEnabledReply, TotpSetupReply, UserSessionsReply } from '../../../core/security';
import { api } from '../api';
import type { User } from '../types';

/** POST /api/auth/mfa: the authenticator's 6 digits or a recovery code; the session becomes full. */
export function submitSecondFactor(code: string): Promise<{ user: User }> {
  return api<{ user: User }>('POST', '/api/auth/mfa', { code });
}

export function getSecurity(): Promise<SecurityOverview> {
  return api<SecurityOverview>('GET', '/api/account/security');
}

export function beginTotpSetup(): Promise<TotpSetupReply> {
  return api<TotpSetupReply>('POST', '/api/account/totp/setup');
}

export function enableTotp(code: string): Promise<TotpEnabledReply> {
  return api<TotpEnabledReply>('POST', '/api/account/totp/enable', { code });
}

export function regenerateRecoveryCodes(code: string): Promise<RecoveryCodesReply> {
  return api<RecoveryCodesReply>('POST', '/api/account/totp/recovery-codes', { code });
}

export function disableTotp(code: string): Promise<{ ok: true }> {
  return api<{ ok: true }>('POST', '/api/account/totp/disable', { code });
}

export function revokeSession(id: string): Promise<{ ok: true }> {
  return api<{ ok: true }>('DELETE', `/api/account/sessions/${encodeURIComponent(id)}`);
}

export function revokeOtherSessions(): Promise<{ ended: number }> {
  return api<{ ended: number }>('POST', '/api/account/sessions/revoke-others');
}

/** 自治区科协: an account's sessions by its user name. */
export function userSessions(username: string): Promise<UserSessionsReply> {
  return api<UserSessionsReply>('GET', `/api/admin/sessions?username=${encodeURIComponent(username)}`);
}

export function revokeUserSessions(userId: string): Promise<{ ended: number }> {
  return api<{ ended: number }>('DELETE', `/api/admin/users/${encodeURIComponent(userId)}/sessions`);
}

/** 自治区科协: 重置两步验证 of an account that lost its phone and recovery codes. */
export function resetUserTotp(userId: string): Promise<{ ended: number }> {
  return api<{ ended: number }>('DELETE', `/api/admin/users/${encodeURIComponent(userId)}/totp`);
}
