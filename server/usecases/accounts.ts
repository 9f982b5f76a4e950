import { and, desc, eq, gt, isNull, lt, or, sql } from 'drizzle-orm';
import type { AccountContact, AccountContactInput, ApplicantRegisterInput, RecoverResetInput, RecoverSendInput, UnitCreateInput } from '../../core';
import { checkPassword, pinyinSortKey } from '../../core';
import type { Config } from '../config';
import type { Services } from '../context';
import type { Db } from '../db/client';
import { isUniqueViolation } from '../db/client';
import { loginFailures, recoveryCodes, sessions, units, users } from '../db/schema';
import { audit } from '../audit';
import { AppError } from '../errors';
import { hashPassword, verifyAgainstDummy, verifyPassword } from '../auth/passwords';
import { refuseCommonPassword } from '../auth/common-passwords';
import { destroyUserSessions, presentSessionUser, type SessionUser } from '../auth/sessions';
import { randomDigits, safeEqual, sha256 } from '../crypto';

const normalize = (username: string) => username.trim().toLowerCase();

const fmtTime = (d: Date) => d.toLocaleTimeString('zh-CN', { hour: '2-digit', minute: '2-digit', hour12: false, timeZone: 'Asia/Shanghai' });

/**
 * The lockout's key: a hash of the user name as typed. Unknown names are counted like real ones (so a lock
 * tells nothing about existence), and a password typed into the name field by mistake is not stored.
 */
export const lockoutKey = (username: string) => sha256(`login:${normalize(username)}`);

export const lockedError = (config: Config, until: Date) =>
  new AppError(
    'LOCKED',
    `连续${config.lockoutThreshold}次密码错误，该账号在您当前的网络地址已锁定${config.lockoutMinutes}分钟，请于 ${fmtTime(until)} 后再试，或使用【找回】重置密码`,
  );

/** one more failure for (name, address) in one statement; the lockoutThreshold-th sets the lock */
export async function recordFailure(db: Db, config: Config, account: string, ip: string): Promise<{ failures: number; lockedUntil: Date | null }> {
  const minutes = sql`${config.lockoutMinutes}::int * interval '1 minute'`;
  const windowOver = sql`${loginFailures.windowStart} + ${minutes} <= now()`;
  const [row] = await db
    .insert(loginFailures)
    .values({ account, ip, failures: 1, windowStart: sql`now()`, lockedUntil: config.lockoutThreshold <= 1 ? sql`now() + ${minutes}` : null })
    .onConflictDoUpdate({
      target: [loginFailures.account, loginFailures.ip],
      set: {
        failures: sql`case when ${windowOver} then 1 else ${loginFailures.failures} + 1 end`,
        windowStart: sql`case when ${windowOver} then now() else ${loginFailures.windowStart} end`,
        lockedUntil: sql`case when ${windowOver} then null
          when ${loginFailures.failures} + 1 >= ${config.lockoutThreshold}::int then now() + ${minutes}
          else ${loginFailures.lockedUntil} end`,
      },
    })
    .returning({ failures: loginFailures.failures, lockedUntil: loginFailures.lockedUntil });
  return row!;
}

/** failed log-ins for the name from every address in the current windows (and locks still running) */
async function failuresFromAllAddresses(db: Db, config: Config, account: string): Promise<number> {
  const [row] = await db
    .select({ total: sql<number>`coalesce(sum(${loginFailures.failures}), 0)::int` })
    .from(loginFailures)
    .where(
      and(
        eq(loginFailures.account, account),
        or(sql`${loginFailures.windowStart} > now() - ${config.lockoutMinutes}::int * interval '1 minute'`, gt(loginFailures.lockedUntil, sql`now()`)),
      ),
    );
  return Number(row?.total ?? 0);
}

/** Old counters: windows over and locks lifted more than a day ago (called at each failure, cheap with the index). */
async function sweepLoginFailures(db: Db): Promise<void> {
  await db
    .delete(loginFailures)
    .where(and(lt(loginFailures.windowStart, sql`now() - interval '1 day'`), or(isNull(loginFailures.lockedUntil), lt(loginFailures.lockedUntil, sql`now()`))));
}

export interface Credentials {
  username: string;
  password: string;
  /** the code sent to the registered mobile, asked while the name is under attack from many addresses */
  smsCode?: string;
}

/**
 * Checks a user name and password from `address` (docs/SECURITY.md):
 * - lockoutThreshold failures for one name from one address lock that pair for lockoutMinutes; other
 *   addresses are not affected, so an attacker cannot lock the owner out;
 * - stepUpThreshold failures for one name from all addresses: the right password must come with a code
 *   sent to the registered mobile (or e-mail);
 * - an unknown name is answered exactly as a wrong password, in text, status and time: it is counted and
 *   locked the same way, and its password is checked against a dummy hash.
 * A unit's account opens only once 自治区科协 has approved the unit.
 */
export async function authenticate(s: Services, credentials: Credentials, address: string): Promise<SessionUser> {
  const { db, config } = s;
  const account = lockoutKey(credentials.username);
  const [pair] = await db
    .select({ lockedUntil: loginFailures.lockedUntil })
    .from(loginFailures)
    .where(and(eq(loginFailures.account, account), eq(loginFailures.ip, address), gt(loginFailures.lockedUntil, sql`now()`)));
  if (pair?.lockedUntil) throw lockedError(config, pair.lockedUntil);

  const [row] = await db
    .select({ user: users, unit: units })
    .from(users)
    .leftJoin(units, eq(units.id, users.unitId))
    .where(eq(users.username, normalize(credentials.username)));
  // the same work for an unknown name: one argon2 verification
  const passwordOk = row ? await verifyPassword(row.user.passwordHash, credentials.password) : await verifyAgainstDummy(credentials.password);
  if (!row || !passwordOk) {
    const after = await recordFailure(db, config, account, address);
    await sweepLoginFailures(db);
    if (after.lockedUntil) throw lockedError(config, after.lockedUntil);
    throw new AppError(
      'UNAUTHENTICATED',
      `用户名或密码错误，请重新输入（再错 ${config.lockoutThreshold - after.failures} 次账号将被锁定${config.lockoutMinutes}分钟）`,
    );
  }
  // From here on the caller has shown the password: telling them about the account is no disclosure.
  const { user, unit } = row;
  if (user.disabled) throw new AppError('FORBIDDEN', '该账号已被停用，请联系自治区科协');
  if (unit && unit.status !== 'active') {
    if (unit.status === 'pending') {
      throw new AppError('PENDING_APPROVAL', '该推荐单位账号正在等待自治区科协审核，审核通过后方可登录');
    }
    if (unit.status === 'refused') {
      throw new AppError('FORBIDDEN', `该推荐单位注册申请未通过审核${unit.refusedReason ? `（理由：${unit.refusedReason}）` : ''}，请联系自治区科协`);
    }
    throw new AppError('FORBIDDEN', '该推荐单位账号已停用，请联系自治区科协');
  }
  if ((await failuresFromAllAddresses(db, config, account)) >= config.stepUpThreshold) {
    await requireLoginCode(s, user, credentials.smsCode);
  }
  await db.delete(loginFailures).where(and(eq(loginFailures.account, account), eq(loginFailures.ip, address)));
  return presentSessionUser(user, unit);
}

const LOGIN_CODE_MINUTES = 10;
const LOGIN_CODE_ATTEMPTS = 5;

/**
 * The second factor while a name is under attack: a 6-digit code sent to the registered mobile, or the
 * e-mail address when there is no mobile. Throws VALIDATION on the field `smsCode` until the newest code
 * is given; sends a new code when there is none usable (at most one a minute). An account with neither
 * mobile nor e-mail cannot be reached: the password and the captcha are all there is (docs/SECURITY.md).
 */
async function requireLoginCode(s: Services, user: typeof users.$inferSelect, given: string | undefined): Promise<void> {
  const channel = user.mobile ? 'mobile' : user.email ? 'email' : null;
  if (!channel) return;
  const recipient = (channel === 'mobile' ? user.mobile : user.email)!;
  const where = channel === 'mobile' ? `您登记的手机 ${maskMobile(recipient)}` : `您登记的电子邮箱 ${maskEmail(recipient)}`;
  const [code] = await s.db
    .select()
    .from(recoveryCodes)
    .where(and(eq(recoveryCodes.userId, user.id), eq(recoveryCodes.purpose, 'login'), isNull(recoveryCodes.usedAt), gt(recoveryCodes.expiresAt, new Date())))
    .orderBy(desc(recoveryCodes.createdAt))
    .limit(1);
  const usable = code && code.attempts < LOGIN_CODE_ATTEMPTS ? code : null;
  const fieldError = (message: string) => new AppError('VALIDATION', message, [{ field: 'smsCode', label: '短信验证码', message: '请输入收到的6位验证码' }]);
  if (given && usable) {
    if (safeEqual(usable.codeHash, sha256(given))) {
      await s.db.update(recoveryCodes).set({ usedAt: new Date() }).where(eq(recoveryCodes.id, usable.id));
      return;
    }
    const [after] = await s.db
      .update(recoveryCodes)
      .set({ attempts: sql`${recoveryCodes.attempts} + 1` })
      .where(eq(recoveryCodes.id, usable.id))
      .returning({ attempts: recoveryCodes.attempts });
    if ((after?.attempts ?? LOGIN_CODE_ATTEMPTS) < LOGIN_CODE_ATTEMPTS) {
      throw fieldError(`短信验证码不正确，请核对${where}收到的验证码后重新输入`);
    }
  }
  const sentLately = usable && !given && Date.now() - usable.createdAt.getTime() < 60_000;
  if (!sentLately) {
    const fresh = randomDigits(6);
    await s.db.transaction(async (tx) => {
      await tx
        .update(recoveryCodes)
        .set({ usedAt: new Date() })
        .where(and(eq(recoveryCodes.userId, user.id), eq(recoveryCodes.purpose, 'login'), isNull(recoveryCodes.usedAt)));
      await tx.insert(recoveryCodes).values({
        userId: user.id,
        purpose: 'login',
        codeHash: sha256(fresh),
        channel,
        expiresAt: new Date(Date.now() + LOGIN_CODE_MINUTES * 60_000),
      });
      await s.sender.send(tx, {
        channel,
        recipient,
        userId: user.id,
        template: 'account.login-code',
        values: { username: user.username, code: fresh, minutes: LOGIN_CODE_MINUTES },
      });
      await audit(tx, user.id, 'account.login_code_sent', 'user', user.id, { channel });
    });
  }
  throw fieldError(
    `该账号近期在多个网络地址出现多次密码错误。为保护账号安全，已向${where} 发送登录验证码（${LOGIN_CODE_MINUTES}分钟内有效），请输入该验证码和新的图片验证码后再次登录`,
  );
}

async function insertUser(db: Db, values: typeof users.$inferInsert) {
  try {
    const [row] = await db
      .insert(users)
      .values({ ...values, username: normalize(values.username) })
      .returning();
    return row!;
  } catch (err) {
    if (isUniqueViolation(err)) {
      const message = '该用户名已被注册，请换一个用户名';
      throw new AppError('CONFLICT', message, [{ field: 'username', label: '用户名', message }]);
    }
    throw err;
  }
}

export async function registerApplicant(s: Services, input: Omit<ApplicantRegisterInput, 'captcha'>): Promise<SessionUser> {
  refuseCommonPassword(input.password, 'password');
  const user = await insertUser(s.db, {
    username: input.username,
    passwordHash: await hashPassword(input.password),
    role: 'applicant',
    realName: input.realName,
    mobile: input.mobile,
    email: input.email,
  });
  await audit(s.db, user.id, 'account.register', 'user', user.id);
  return presentSessionUser(user, null);
}

/**
 * A unit and its administrator account in one transaction. Self-registered units wait for approval;
 * units created by the organizer are active at once.
 */
export async function createUnitAccount(
  s: Services,
  input: UnitCreateInput,
  by: { organizerId: string } | null,
  /** a password chosen by someone else (自治区科协's 新建, the CLI): its owner must change it at first log-in */
  opts: { mustChangePassword?: boolean } = {},
): Promise<typeof units.$inferSelect> {
  refuseCommonPassword(input.password, 'password');
  const passwordHash = await hashPassword(input.password);
  return s.db.transaction(async (tx) => {
    let unit;
    try {
      [unit] = await tx
        .insert(units)
        .values({
          name: input.unitName.trim(),
          nameSort: pinyinSortKey(input.unitName.trim()),
          type: input.unitType,
          region: input.region,
          contactName: input.contactName,
          contactPhone: input.contactPhone,
          status: by ? 'active' : 'pending',
          decidedAt: by ? new Date() : null,
          decidedBy: by?.organizerId ?? null,
        })
        .returning();
    } catch (err) {
      if (isUniqueViolation(err)) {
        const message = '该单位名称已注册，请勿重复注册；如忘记账号请使用【找回】';
        throw new AppError('CONFLICT', message, [{ field: 'unitName', label: '单位名称', message }]);
      }
      throw err;
    }
    const user = await insertUser(tx, {
      username: input.username,
      passwordHash,
      role: 'unit',
      realName: input.contactName,
      // the account's own mobile and e-mail (找回, the log-in code, 待办理 texts); 联系电话 may be a landline
      mobile: input.mobile,
      email: input.email ?? null,
      unitId: unit!.id,
      mustChangePassword: opts.mustChangePassword ?? false,
    });
    await audit(tx, by?.organizerId ?? user.id, by ? 'unit.create' : 'unit.register', 'unit', unit!.id);
    return unit!;
  });
}

/** 账号信息: the logged-in account's 手机 and 电子邮箱. */
export async function getAccountContact(s: Services, userId: string): Promise<AccountContact> {
  const [row] = await s.db.select({ mobile: users.mobile, email: users.email }).from(users).where(eq(users.id, userId));
  if (!row) throw new AppError('UNAUTHENTICATED', '登录已失效，请重新登录');
  return row;
}

/** 账号信息【保存】: replaces the account's 手机 and 电子邮箱 (no e-mail given: none). */
export async function updateAccountContact(s: Services, userId: string, input: AccountContactInput): Promise<AccountContact> {
  const [account] = await s.db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, userId));
  if (!account) throw new AppError('UNAUTHENTICATED', '登录已失效，请重新登录');
  if (!(await verifyPassword(account.passwordHash, input.currentPassword))) {
    const message = '当前密码不正确，账号信息未修改';
    throw new AppError('VALIDATION', message, [{ field: 'currentPassword', label: '当前密码', message }]);
  }
  return s.db.transaction(async (tx) => {
    const [before] = await tx.select({ mobile: users.mobile, email: users.email }).from(users).where(eq(users.id, userId)).for('update');
    if (!before) throw new AppError('UNAUTHENTICATED', '登录已失效，请重新登录');
    const after = { mobile: input.mobile, email: input.email ?? null };
    await tx.update(users).set(after).where(eq(users.id, userId));
    await audit(tx, userId, 'account.contact', 'user', userId, {
      mobileChanged: before.mobile !== after.mobile,
      emailChanged: before.email !== after.email,
    });
    return after;
  });
}

const maskMobile = (m: string) => m.replace(/^(\d{3})\d{4}(\d{4})$/, '$1****$2');
const maskEmail = (e: string) => e.replace(/^(.)(.*)(@.*)$/, (_all, a: string, b: string, c: string) => a + '*'.repeat(Math.max(b.length, 1)) + c);

/**
 * What 找回 answers, whatever happened: the same text for a real name with the chosen address, a real name
 * without it and an unknown name, so that 找回 cannot be used to find out who has an account (docs/SECURITY.md).
 */
export const recoverySentMessage = (channel: RecoverSendInput['channel']) =>
  channel === 'mobile'
    ? '若该用户名存在且登记了手机号码，验证码已发送至该手机，15分钟内有效。如未收到，请核对用户名，或改用电子邮箱找回，或联系自治区科协'
    : '若该用户名存在且登记了电子邮箱，验证码已发送至该邮箱，15分钟内有效。如未收到，请核对用户名，或改用手机找回，或联系自治区科协';

/** 找回: a 6-digit code, valid 15 minutes, sent to the registered mobile or e-mail — when there is one. */
export async function sendRecoveryCode(s: Services, input: Omit<RecoverSendInput, 'captcha'>): Promise<{ message: string }> {
  const answer = { message: recoverySentMessage(input.channel) };
  const [user] = await s.db
    .select()
    .from(users)
    .where(eq(users.username, normalize(input.username)));
  const recipient = input.channel === 'mobile' ? user?.mobile : user?.email;
  if (!user || !recipient) return answer;
  const code = randomDigits(6);
  await s.db.transaction(async (tx) => {
    // Only the newest code works.
    await tx
      .update(recoveryCodes)
      .set({ usedAt: new Date() })
      .where(and(eq(recoveryCodes.userId, user.id), eq(recoveryCodes.purpose, 'recover'), isNull(recoveryCodes.usedAt)));
    await tx.insert(recoveryCodes).values({
      userId: user.id,
      purpose: 'recover',
      codeHash: sha256(code),
      channel: input.channel,
      expiresAt: new Date(Date.now() + 15 * 60_000),
    });
    await s.sender.send(tx, {
      channel: input.channel,
      recipient,
      userId: user.id,
      template: 'account.recover-code',
      values: { username: user.username, code },
    });
  });
  return answer;
}

export async function resetPassword(s: Services, input: RecoverResetInput): Promise<void> {
  const [user] = await s.db
    .select()
    .from(users)
    .where(eq(users.username, normalize(input.username)));
  const invalid = () => {
    const message = '验证码不正确或已过期，请重新获取验证码';
    return new AppError('VALIDATION', message, [{ field: 'code', label: '验证码', message }]);
  };
  if (!user) throw invalid();
  const [code] = await s.db
    .select()
    .from(recoveryCodes)
    .where(and(eq(recoveryCodes.userId, user.id), eq(recoveryCodes.purpose, 'recover'), isNull(recoveryCodes.usedAt), gt(recoveryCodes.expiresAt, new Date())))
    .orderBy(desc(recoveryCodes.createdAt))
    .limit(1);
  if (!code || code.attempts >= 5) throw invalid();
  if (!safeEqual(code.codeHash, sha256(input.code))) {
    await s.db
      .update(recoveryCodes)
      .set({ attempts: sql`${recoveryCodes.attempts} + 1` })
      .where(eq(recoveryCodes.id, code.id));
    throw invalid();
  }
  refuseCommonPassword(input.newPassword, 'newPassword');
  const passwordHash = await hashPassword(input.newPassword);
  await s.db.transaction(async (tx) => {
    await tx.update(recoveryCodes).set({ usedAt: new Date() }).where(eq(recoveryCodes.id, code.id));
    await tx.update(users).set({ passwordHash }).where(eq(users.id, user.id));
    // the owner has shown the registered mobile or e-mail: the name's locks and counters start afresh
    await tx.delete(loginFailures).where(eq(loginFailures.account, lockoutKey(user.username)));
    await destroyUserSessions(tx, user.id);
    await audit(tx, user.id, 'account.password_reset', 'user', user.id);
  });
}

/**
 * 修改密码 (and 修改初始密码): the present password, then the new one (not the same). Clears must_change_password,
 * ends the account's other sessions (the one in use stays), lifts the name's lockout counters.
 */
export async function changePassword(
  s: Services,
  user: SessionUser,
  sessionToken: string,
  input: { oldPassword: string; newPassword: string },
): Promise<SessionUser> {
  const [row] = await s.db.select().from(users).where(eq(users.id, user.id));
  if (!row) throw new AppError('UNAUTHENTICATED', '登录已失效，请重新登录');
  if (!(await verifyPassword(row.passwordHash, input.oldPassword))) {
    const initial = row.role === 'expert' ? '原密码不正确：请输入短信中收到的初始密码' : '原密码不正确：请输入自治区科协告知您的初始密码';
    const message = row.mustChangePassword ? initial : '原密码不正确，请重新输入';
    throw new AppError('VALIDATION', message, [{ field: 'oldPassword', label: '原密码', message }]);
  }
  // the policy's rule that needs the name (core/validators.ts checkPassword; the body's schema checked the rest)
  const policy = checkPassword(input.newPassword, row.username);
  if (policy) throw new AppError('VALIDATION', policy, [{ field: 'newPassword', label: '新密码', message: policy }]);
  refuseCommonPassword(input.newPassword, 'newPassword');
  if (input.newPassword === input.oldPassword) {
    const message = '新密码不能与原密码相同，请设置一个新的密码';
    throw new AppError('VALIDATION', message, [{ field: 'newPassword', label: '新密码', message }]);
  }
  const passwordHash = await hashPassword(input.newPassword);
  const updated = await s.db.transaction(async (tx) => {
    const [after] = await tx.update(users).set({ passwordHash, mustChangePassword: false }).where(eq(users.id, user.id)).returning();
    await tx.delete(sessions).where(and(eq(sessions.userId, user.id), sql`${sessions.id} <> ${sha256(sessionToken)}`));
    await tx.delete(loginFailures).where(eq(loginFailures.account, lockoutKey(row.username)));
    await audit(tx, user.id, row.mustChangePassword ? 'account.initial_password_changed' : 'account.password_change', 'user', user.id);
    return after!;
  });
  return { ...user, mustChangePassword: updated.mustChangePassword };
}
