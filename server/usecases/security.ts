// 账号安全 (issue 16 item 7, docs/api/security.md): TOTP two-factor enrolment, the second step of log-in, recovery
// codes, and the sessions of an account (listed, revoked by their user or by 自治区科协).
import crypto from 'node:crypto';
import { and, asc, count, desc, eq, isNull, lt, ne, or } from 'drizzle-orm';
import QRCode from 'qrcode';
import type { Role, SecurityOverview, SessionInfo } from '../../core';
import type { Services } from '../context';
import type { Db } from '../db/client';
import { loginFailures, sessions, totpRecoveryCodes, users } from '../db/schema';
import { audit } from '../audit';
import { AppError } from '../errors';
import { sha256 } from '../crypto';
import { hashPassword, verifyPassword } from '../auth/passwords';
import type { SessionUser } from '../auth/sessions';
import { matchTotp, newTotpSecret, otpauthUri } from '../auth/totp';
import { lockedError, lockoutKey, recordFailure } from './accounts';

export const RECOVERY_CODE_COUNT = 10;
const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** A recovery code: 10 characters (≈ 49 bits) in two groups of five, e.g. "k7m2p-x9qra", from the CSPRNG. */
function newRecoveryCode(): string {
  const chars = Array.from({ length: 10 }, () => RECOVERY_ALPHABET[crypto.randomInt(0, RECOVERY_ALPHABET.length)]);
  return `${chars.slice(0, 5).join('')}-${chars.slice(5).join('')}`;
}
const normalizeRecoveryCode = (code: string) => code.trim().toLowerCase().replace(/[\s-]/g, '');
/**
 * Stored as an argon2id hash with its own random salt (the password parameters, auth/passwords.ts): a recovery code
 * has less than 112 bits, so a plain hash could be reversed by trying every code (ASVS 5.0 V6.5.2).
 */
const recoveryHash = (code: string) => hashPassword(`totp-recovery:${normalizeRecoveryCode(code)}`);

/** The public reference of a session: a hash of its stored id (itself a hash of the cookie token), never the id. */
export const sessionRef = (sessionId: string) => sha256(`session-ref:${sessionId}`).slice(0, 24);

const codeError = (message: string) => new AppError('VALIDATION', message, [{ field: 'code', label: '验证码', message }]);
const CODE_HINT = '请打开手机上的身份验证器（如腾讯身份验证器、Microsoft Authenticator），输入“新疆科协”下显示的6位数字';

export const mfaRequired = (s: Services, role: Role) => s.config.mfaRequiredRoles.includes(role);

async function userRow(db: Db, userId: string) {
  const [row] = await db.select().from(users).where(eq(users.id, userId));
  if (!row) throw new AppError('UNAUTHENTICATED', '登录已失效，请重新登录');
  return row;
}

/**
 * A TOTP code for the user's secret: accepted once — the step must be later than the last one accepted, set in the
 * same statement (users.totp_last_step), so a code replayed (even concurrently, or on another instance) is refused.
 */
async function acceptTotp(db: Db, s: Services, row: typeof users.$inferSelect, code: string): Promise<boolean> {
  if (!row.totpSecret) return false;
  const step = matchTotp(s.cipher.decrypt(row.totpSecret), code.trim());
  if (step === null) return false;
  const [taken] = await db
    .update(users)
    .set({ totpLastStep: step })
    .where(and(eq(users.id, row.id), or(isNull(users.totpLastStep), lt(users.totpLastStep, step))))
    .returning({ id: users.id });
  return !!taken;
}

/**
 * A recovery code of the user, each good once: checked against each unused code's hash, then used_at set in a
 * statement that only one request can win.
 */
async function acceptRecoveryCode(db: Db, userId: string, code: string): Promise<boolean> {
  const normalized = normalizeRecoveryCode(code);
  if (!/^[a-z0-9]{10}$/.test(normalized)) return false;
  const unused = await db
    .select({ id: totpRecoveryCodes.id, codeHash: totpRecoveryCodes.codeHash })
    .from(totpRecoveryCodes)
    .where(and(eq(totpRecoveryCodes.userId, userId), isNull(totpRecoveryCodes.usedAt)));
  for (const row of unused) {
    if (!(await verifyPassword(row.codeHash, `totp-recovery:${normalized}`))) continue;
    const [used] = await db
      .update(totpRecoveryCodes)
      .set({ usedAt: new Date() })
      .where(and(eq(totpRecoveryCodes.id, row.id), isNull(totpRecoveryCodes.usedAt)))
      .returning({ id: totpRecoveryCodes.id });
    return !!used;
  }
  return false;
}

async function replaceRecoveryCodes(db: Db, userId: string): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  const hashes = await Promise.all(codes.map(recoveryHash));
  await db.delete(totpRecoveryCodes).where(eq(totpRecoveryCodes.userId, userId));
  await db.insert(totpRecoveryCodes).values(hashes.map((codeHash) => ({ userId, codeHash })));
  return codes;
}

/** Ends the user's sessions but the one in use (null: all of them). Returns how many ended. */
async function endOtherSessions(db: Db, userId: string, keepToken: string | null): Promise<number> {
  const rows = await db
    .delete(sessions)
    .where(keepToken ? and(eq(sessions.userId, userId), ne(sessions.id, sha256(keepToken))) : eq(sessions.userId, userId))
    .returning({ id: sessions.id });
  return rows.length;
}

/**
 * The second step of log-in (session stage 'mfa'): the authenticator's code or one of the recovery codes. A wrong
 * code counts into the log-in lockout of the name and address (docs/SECURITY.md): at the threshold the session is
 * ended and the pair locked, as for wrong passwords.
 */
export async function completeSecondFactor(s: Services, user: SessionUser, sessionToken: string, code: string, ip: string): Promise<SessionUser> {
  if (user.stage !== 'mfa') throw new AppError('CONFLICT', '当前登录无需输入动态验证码');
  const row = await userRow(s.db, user.id);
  const given = code.trim();
  let via: 'totp' | 'recovery' | null = null;
  if (/^\d{6}$/.test(given)) via = (await acceptTotp(s.db, s, row, given)) ? 'totp' : null;
  else via = (await acceptRecoveryCode(s.db, user.id, given)) ? 'recovery' : null;
  if (!via) {
    const after = await recordFailure(s.db, s.config, lockoutKey(row.username), ip);
    await audit(s.db, user.id, 'account.mfa_failed', 'user', user.id, { failures: after.failures }, ip);
    if (after.lockedUntil) {
      await s.db.delete(sessions).where(eq(sessions.id, sha256(sessionToken)));
      throw lockedError(s.config, after.lockedUntil);
    }
    throw codeError(
      `验证码不正确或已使用过（再错 ${s.config.lockoutThreshold - after.failures} 次账号将被锁定${s.config.lockoutMinutes}分钟）。${CODE_HINT}；手机不在身边时可输入一个恢复码`,
    );
  }
  await s.db.transaction(async (tx) => {
    await tx
      .update(sessions)
      .set({ stage: 'full', mfaAt: new Date() })
      .where(eq(sessions.id, sha256(sessionToken)));
    await tx.delete(loginFailures).where(and(eq(loginFailures.account, lockoutKey(row.username)), eq(loginFailures.ip, ip)));
    await audit(tx, user.id, 'account.login', 'user', user.id, { via: `password+${via}` }, ip);
    if (via === 'recovery') await audit(tx, user.id, 'account.totp_recovery_code_used', 'user', user.id, { at: 'login' }, ip);
  });
  return { ...user, stage: 'full' };
}

async function sessionsOf(db: Db, userId: string, currentToken: string | null): Promise<SessionInfo[]> {
  const current = currentToken ? sha256(currentToken) : null;
  const rows = await db.select().from(sessions).where(eq(sessions.userId, userId)).orderBy(desc(sessions.lastSeenAt), asc(sessions.createdAt));
  return rows.map((r) => ({
    id: sessionRef(r.id),
    createdAt: r.createdAt.toISOString(),
    lastSeenAt: r.lastSeenAt.toISOString(),
    ip: r.ip,
    userAgent: r.userAgent,
    stage: r.stage as SessionInfo['stage'],
    current: r.id === current,
  }));
}

/** 账号安全: whether TOTP is on (and required), how many recovery codes are left, and the account's sessions. */
export async function securityOverview(s: Services, user: SessionUser, sessionToken: string): Promise<SecurityOverview> {
  const row = await userRow(s.db, user.id);
  const [left] = await s.db
    .select({ n: count() })
    .from(totpRecoveryCodes)
    .where(and(eq(totpRecoveryCodes.userId, user.id), isNull(totpRecoveryCodes.usedAt)));
  return {
    totp: {
      enabled: !!row.totpEnabledAt,
      enabledAt: row.totpEnabledAt?.toISOString() ?? null,
      required: mfaRequired(s, user.role),
      recoveryCodesLeft: row.totpEnabledAt ? Number(left?.n ?? 0) : 0,
    },
    sessions: await sessionsOf(s.db, user.id, sessionToken),
  };
}

/**
 * 开启两步验证, first step: a new secret (kept encrypted with the field cipher, not yet in force), its otpauth URI and
 * the QR code of it. Asked again, it replaces the secret not yet confirmed.
 */
export async function beginTotpSetup(s: Services, user: SessionUser): Promise<{ secret: string; uri: string; qr: string }> {
  const row = await userRow(s.db, user.id);
  if (row.totpEnabledAt) throw new AppError('CONFLICT', '两步验证已开启；如需更换手机，请先关闭两步验证（必须开启的账号请先生成新的恢复码并联系自治区科协）');
  const secret = newTotpSecret();
  await s.db
    .update(users)
    .set({ totpSecret: s.cipher.encrypt(secret), totpLastStep: null })
    .where(eq(users.id, user.id));
  const uri = otpauthUri(secret, row.username);
  const qr = await QRCode.toDataURL(uri, { errorCorrectionLevel: 'M', margin: 1, width: 220 });
  return { secret, uri, qr };
}

/**
 * 开启两步验证, second step: a code from the app proves it holds the secret. TOTP is on from now, 10 recovery codes are
 * made (shown this once), the account's other sessions end, and this session becomes full (an 'enroll' session too).
 */
export async function confirmTotpSetup(s: Services, user: SessionUser, sessionToken: string, code: string, ip: string) {
  const row = await userRow(s.db, user.id);
  if (row.totpEnabledAt) throw new AppError('CONFLICT', '两步验证已开启，无需重复开启');
  if (!row.totpSecret) throw new AppError('CONFLICT', '请先点击【开启两步验证】获取二维码，再输入验证码');
  return s.db.transaction(async (tx) => {
    if (!(await acceptTotp(tx, s, row, code))) throw codeError(`验证码不正确或已过期。${CODE_HINT}；请确认手机时间准确`);
    await tx.update(users).set({ totpEnabledAt: new Date() }).where(eq(users.id, user.id));
    const recoveryCodes = await replaceRecoveryCodes(tx, user.id);
    const ended = await endOtherSessions(tx, user.id, sessionToken);
    await tx
      .update(sessions)
      .set({ stage: 'full', mfaAt: new Date() })
      .where(eq(sessions.id, sha256(sessionToken)));
    await audit(tx, user.id, 'account.totp_enabled', 'user', user.id, { sessionsEnded: ended }, ip);
    return { recoveryCodes, user: { ...user, stage: 'full' as const } };
  });
}

/** A present code (TOTP, or a recovery code) for the changes below; a wrong one is refused with what to type. */
async function requireCode(s: Services, db: Db, row: typeof users.$inferSelect, code: string): Promise<'totp' | 'recovery'> {
  const given = code.trim();
  if (/^\d{6}$/.test(given) ? await acceptTotp(db, s, row, given) : await acceptRecoveryCode(db, row.id, given)) {
    return /^\d{6}$/.test(given) ? 'totp' : 'recovery';
  }
  throw codeError(`验证码不正确或已使用过。${CODE_HINT}，或输入一个未用过的恢复码`);
}

/** 生成新的恢复码: with a present code; the old codes stop working, the other sessions end. */
export async function regenerateRecoveryCodes(s: Services, user: SessionUser, sessionToken: string, code: string, ip: string) {
  const row = await userRow(s.db, user.id);
  if (!row.totpEnabledAt) throw new AppError('CONFLICT', '两步验证尚未开启，没有恢复码');
  const via = await requireCode(s, s.db, row, code);
  return s.db.transaction(async (tx) => {
    const recoveryCodes = await replaceRecoveryCodes(tx, user.id);
    const ended = await endOtherSessions(tx, user.id, sessionToken);
    await audit(tx, user.id, 'account.totp_recovery_codes_regenerated', 'user', user.id, { via, sessionsEnded: ended }, ip);
    return { recoveryCodes };
  });
}

/** 关闭两步验证: with a present code, and only where the role does not require it; the other sessions end. */
export async function disableTotp(s: Services, user: SessionUser, sessionToken: string, code: string, ip: string): Promise<void> {
  if (mfaRequired(s, user.role)) throw new AppError('FORBIDDEN', '您的账号必须使用两步验证，不能关闭；更换手机时请使用恢复码登录后联系自治区科协');
  const row = await userRow(s.db, user.id);
  if (!row.totpEnabledAt) throw new AppError('CONFLICT', '两步验证尚未开启');
  const via = await requireCode(s, s.db, row, code);
  await s.db.transaction(async (tx) => {
    await tx.update(users).set({ totpSecret: null, totpEnabledAt: null, totpLastStep: null }).where(eq(users.id, user.id));
    await tx.delete(totpRecoveryCodes).where(eq(totpRecoveryCodes.userId, user.id));
    const ended = await endOtherSessions(tx, user.id, sessionToken);
    await audit(tx, user.id, 'account.totp_disabled', 'user', user.id, { via, sessionsEnded: ended }, ip);
  });
}

/** 退出该会话: one of the user's own sessions, by its reference; another user's reference is not found. */
export async function revokeOwnSession(s: Services, user: SessionUser, sessionToken: string, ref: string, ip: string): Promise<void> {
  const mine = await s.db.select({ id: sessions.id }).from(sessions).where(eq(sessions.userId, user.id));
  const target = mine.find((r) => sessionRef(r.id) === ref);
  if (!target) throw new AppError('NOT_FOUND', '未找到该会话，可能已退出或已过期，请刷新页面');
  if (target.id === sha256(sessionToken)) throw new AppError('CONFLICT', '这是您当前使用的会话，请使用右上角的【退出】');
  await s.db.delete(sessions).where(and(eq(sessions.id, target.id), eq(sessions.userId, user.id)));
  await audit(s.db, user.id, 'account.session_revoked', 'user', user.id, { session: ref }, ip);
}

/** 退出其他所有会话. */
export async function revokeOtherSessions(s: Services, user: SessionUser, sessionToken: string, ip: string): Promise<{ ended: number }> {
  const ended = await endOtherSessions(s.db, user.id, sessionToken);
  await audit(s.db, user.id, 'account.sessions_revoked', 'user', user.id, { ended }, ip);
  return { ended };
}

/** 自治区科协: an account's sessions, found by its user name. */
export async function sessionsOfUsername(s: Services, username: string) {
  const [row] = await s.db.select().from(users).where(eq(users.username, username.trim().toLowerCase()));
  if (!row) throw new AppError('NOT_FOUND', `未找到用户名为“${username.trim()}”的账号，请核对后重试`);
  return {
    user: { id: row.id, username: row.username, realName: row.realName, role: row.role as Role, totpEnabled: !!row.totpEnabledAt },
    sessions: await sessionsOf(s.db, row.id, null),
  };
}

/** 自治区科协: ends every session of an account (the organizer's own current one excepted). */
export async function revokeUserSessions(s: Services, organizer: SessionUser, organizerToken: string, userId: string, ip: string): Promise<{ ended: number }> {
  const [row] = await s.db.select({ id: users.id }).from(users).where(eq(users.id, userId));
  if (!row) throw new AppError('NOT_FOUND', '未找到该账号，可能已被删除');
  const ended = await endOtherSessions(s.db, userId, userId === organizer.id ? organizerToken : null);
  await audit(s.db, organizer.id, 'admin.sessions_revoked', 'user', userId, { ended }, ip);
  return { ended };
}

/**
 * 自治区科协: 重置两步验证 of an account whose owner lost both the phone and the recovery codes — after checking who is
 * asking by the office's own means (in person, a call to the number on file: ASVS 5.0 V6.4.4). TOTP is off, the codes
 * deleted, every session of the account ended; a role that requires TOTP enrols again at its next log-in. Not for
 * one's own account (another organizer does it).
 */
export async function resetUserTotp(s: Services, organizer: SessionUser, userId: string, ip: string): Promise<{ ended: number }> {
  if (userId === organizer.id) throw new AppError('FORBIDDEN', '不能重置自己的两步验证：请使用恢复码登录，或请另一位自治区科协管理员重置');
  const [row] = await s.db.select({ id: users.id, enabled: users.totpEnabledAt }).from(users).where(eq(users.id, userId));
  if (!row) throw new AppError('NOT_FOUND', '未找到该账号，可能已被删除');
  if (!row.enabled) throw new AppError('CONFLICT', '该账号尚未开启两步验证，无需重置');
  return s.db.transaction(async (tx) => {
    await tx.update(users).set({ totpSecret: null, totpEnabledAt: null, totpLastStep: null }).where(eq(users.id, userId));
    await tx.delete(totpRecoveryCodes).where(eq(totpRecoveryCodes.userId, userId));
    const ended = await endOtherSessions(tx, userId, null);
    await audit(tx, organizer.id, 'admin.totp_reset', 'user', userId, { sessionsEnded: ended }, ip);
    return { ended };
  });
}
