import { and, desc, eq, gt, isNull, sql } from 'drizzle-orm';
import type { ApplicantRegisterInput, RecoverResetInput, RecoverSendInput, UnitCreateInput } from '../../core';
import type { Services } from '../context';
import type { Db } from '../db/client';
import { isUniqueViolation } from '../db/client';
import { auditLog, recoveryCodes, units, users } from '../db/schema';
import { AppError } from '../errors';
import { hashPassword, verifyAgainstDummy, verifyPassword } from '../auth/passwords';
import { destroyUserSessions, presentSessionUser, type SessionUser } from '../auth/sessions';
import { randomDigits, safeEqual, sha256 } from '../crypto';

const normalize = (username: string) => username.trim().toLowerCase();

const fmtTime = (d: Date) =>
  d.toLocaleTimeString('zh-CN', { hour: '2-digit', minute: '2-digit', hour12: false, timeZone: 'Asia/Shanghai' });

/**
 * Checks a user name and password. Five failures in a row lock the account for 15 minutes; a unit's
 * account opens only once 自治区科协 has approved the unit.
 */
export async function authenticate(s: Services, username: string, password: string): Promise<SessionUser> {
  const { db, config } = s;
  const [row] = await db
    .select({ user: users, unit: units })
    .from(users)
    .leftJoin(units, eq(units.id, users.unitId))
    .where(eq(users.username, normalize(username)));
  if (!row) {
    await verifyAgainstDummy(password);
    throw new AppError('UNAUTHENTICATED', '用户名或密码错误，请重新输入');
  }
  const { user, unit } = row;
  if (user.lockedUntil && user.lockedUntil.getTime() > Date.now()) {
    throw new AppError('LOCKED', `连续${config.lockoutThreshold}次密码错误，账号已锁定${config.lockoutMinutes}分钟，请于 ${fmtTime(user.lockedUntil)} 后再试，或使用【找回】重置密码`);
  }
  if (!(await verifyPassword(user.passwordHash, password))) {
    // Counted in SQL so that concurrent failures cannot undercount.
    const [after] = await db
      .update(users)
      .set({ failedLogins: sql`${users.failedLogins} + 1` })
      .where(eq(users.id, user.id))
      .returning({ failedLogins: users.failedLogins });
    const failures = after?.failedLogins ?? 0;
    if (failures >= config.lockoutThreshold) {
      const until = new Date(Date.now() + config.lockoutMinutes * 60_000);
      await db.update(users).set({ lockedUntil: until, failedLogins: 0 }).where(eq(users.id, user.id));
      await audit(db, user.id, 'account.locked', 'user', user.id);
      throw new AppError('LOCKED', `连续${config.lockoutThreshold}次密码错误，账号已锁定${config.lockoutMinutes}分钟，请于 ${fmtTime(until)} 后再试，或使用【找回】重置密码`);
    }
    throw new AppError('UNAUTHENTICATED', `用户名或密码错误，请重新输入（再错 ${config.lockoutThreshold - failures} 次账号将被锁定${config.lockoutMinutes}分钟）`);
  }
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
  await db.update(users).set({ failedLogins: 0, lockedUntil: null }).where(eq(users.id, user.id));
  return presentSessionUser(user, unit);
}

async function insertUser(db: Db, values: typeof users.$inferInsert) {
  try {
    const [row] = await db.insert(users).values({ ...values, username: normalize(values.username) }).returning();
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
): Promise<typeof units.$inferSelect> {
  const passwordHash = await hashPassword(input.password);
  return s.db.transaction(async (tx) => {
    let unit;
    try {
      [unit] = await tx
        .insert(units)
        .values({
          name: input.unitName.trim(),
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
      mobile: /^1\d{10}$/.test(input.contactPhone) ? input.contactPhone : null,
      unitId: unit!.id,
    });
    await audit(tx, by?.organizerId ?? user.id, by ? 'unit.create' : 'unit.register', 'unit', unit!.id);
    return unit!;
  });
}

const maskMobile = (m: string) => m.replace(/^(\d{3})\d{4}(\d{4})$/, '$1****$2');
const maskEmail = (e: string) => e.replace(/^(.)(.*)(@.*)$/, (_all, a: string, b: string, c: string) => a + '*'.repeat(Math.max(b.length, 1)) + c);

/** 找回: a 6-digit code, valid 15 minutes, sent to the registered mobile or e-mail. */
export async function sendRecoveryCode(s: Services, input: Omit<RecoverSendInput, 'captcha'>): Promise<{ sentTo: string }> {
  const [user] = await s.db.select().from(users).where(eq(users.username, normalize(input.username)));
  if (!user) {
    const message = '未找到该用户名，请核对后重新输入';
    throw new AppError('NOT_FOUND', message, [{ field: 'username', label: '用户名', message }]);
  }
  const recipient = input.channel === 'mobile' ? user.mobile : user.email;
  if (!recipient) {
    const message = input.channel === 'mobile' ? '该账号未登记手机号码，请选择电子邮箱找回或联系自治区科协' : '该账号未登记电子邮箱，请选择手机找回或联系自治区科协';
    throw new AppError('VALIDATION', message, [{ field: 'channel', label: '找回方式', message }]);
  }
  const code = randomDigits(6);
  await s.db.transaction(async (tx) => {
    // Only the newest code works.
    await tx.update(recoveryCodes).set({ usedAt: new Date() }).where(and(eq(recoveryCodes.userId, user.id), isNull(recoveryCodes.usedAt)));
    await tx.insert(recoveryCodes).values({
      userId: user.id,
      codeHash: sha256(code),
      channel: input.channel,
      expiresAt: new Date(Date.now() + 15 * 60_000),
    });
    await s.sender.send(tx, {
      channel: input.channel,
      recipient,
      userId: user.id,
      subject: '找回密码验证码',
      body: `【新疆科技工作者之家】您正在找回账号 ${user.username} 的密码，验证码 ${code}，15分钟内有效。如非本人操作，请忽略本消息。`,
    });
  });
  return { sentTo: input.channel === 'mobile' ? maskMobile(recipient) : maskEmail(recipient) };
}

export async function resetPassword(s: Services, input: RecoverResetInput): Promise<void> {
  const [user] = await s.db.select().from(users).where(eq(users.username, normalize(input.username)));
  const invalid = () => {
    const message = '验证码不正确或已过期，请重新获取验证码';
    return new AppError('VALIDATION', message, [{ field: 'code', label: '验证码', message }]);
  };
  if (!user) throw invalid();
  const [code] = await s.db
    .select()
    .from(recoveryCodes)
    .where(and(eq(recoveryCodes.userId, user.id), isNull(recoveryCodes.usedAt), gt(recoveryCodes.expiresAt, new Date())))
    .orderBy(desc(recoveryCodes.createdAt))
    .limit(1);
  if (!code || code.attempts >= 5) throw invalid();
  if (!safeEqual(code.codeHash, sha256(input.code))) {
    await s.db.update(recoveryCodes).set({ attempts: sql`${recoveryCodes.attempts} + 1` }).where(eq(recoveryCodes.id, code.id));
    throw invalid();
  }
  const passwordHash = await hashPassword(input.newPassword);
  await s.db.transaction(async (tx) => {
    await tx.update(recoveryCodes).set({ usedAt: new Date() }).where(eq(recoveryCodes.id, code.id));
    await tx.update(users).set({ passwordHash, failedLogins: 0, lockedUntil: null }).where(eq(users.id, user.id));
    await destroyUserSessions(tx, user.id);
    await audit(tx, user.id, 'account.password_reset', 'user', user.id);
  });
}

export async function audit(db: Db, actorId: string | null, action: string, targetType: string, targetId: string, detail?: unknown) {
  await db.insert(auditLog).values({ actorId, action, targetType, targetId, detail: detail ?? null });
}
