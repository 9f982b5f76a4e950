// 账号安全 (issue 16 item 7): TOTP enrolment and log-in, recovery codes, required roles, the password policy,
// sessions listed and revoked, through HTTP (docs/api/security.md, docs/SECURITY.md).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, desc, eq } from 'drizzle-orm';
import { auditLog, loginFailures, outbox, sessions, totpRecoveryCodes, users } from './db/schema';
import { totpCode, totpStep } from './auth/totp';
import { buildApplicant, buildExpert, buildOrganizer, buildUnit, TEST_PASSWORD } from './testing/factories';
import { CAPTCHA, Client, json, startTestPlatform } from './testing/harness';
import { lockoutKey } from './usecases/accounts';

let t: Awaited<ReturnType<typeof startTestPlatform>>;
beforeAll(async () => {
  t = await startTestPlatform({ MFA_REQUIRED_ROLES: 'organizer,expert' });
});
afterAll(async () => t?.close());

type Err = { error: { code: string; message: string; fields?: { field: string; message: string }[] } };
const errorOf = (res: { json(): unknown }) => (res.json() as Err).error;
type Me = { user: { id: string; stage?: string; role: string } | null };

/**
 * The codes of one secret, each at a later step than the one before (a code is good once), within ±1 step of now:
 * up to three in one 30-second step.
 */
function codes(secret: string) {
  let last = -Infinity;
  return () => {
    const step = Math.max(last + 1, totpStep() - 1);
    if (step > totpStep() + 1) throw new Error('no fresh TOTP step left in this window');
    last = step;
    return totpCode(secret, step);
  };
}

async function login(username: string, password = TEST_PASSWORD) {
  const c = new Client(t.app);
  const res = await c.post('/api/auth/login', { username, password, captcha: CAPTCHA });
  expect(res.statusCode, res.body).toBe(200);
  return { c, user: json<{ user: { stage: string } }>(res).user };
}

/** Enrols a logged-in client: returns the secret, the recovery codes and the code source. */
async function enrol(c: Client) {
  const setup = await c.post('/api/account/totp/setup');
  expect(setup.statusCode, setup.body).toBe(200);
  const { secret, uri, qr } = json<{ secret: string; uri: string; qr: string }>(setup);
  const next = codes(secret);
  const enabled = await c.post('/api/account/totp/enable', { code: next() });
  expect(enabled.statusCode, enabled.body).toBe(200);
  return { secret, uri, qr, next, recoveryCodes: json<{ recoveryCodes: string[] }>(enabled).recoveryCodes };
}

describe('TOTP enrolment (optional for units and applicants)', () => {
  it('shows the QR code and secret, refuses a wrong code, then turns on with 10 recovery codes stored hashed, ending other sessions', async () => {
    const unit = await buildUnit(t.s);
    const { c, user } = await login(unit.username);
    expect(user.stage).toBe('full');
    const other = (await login(unit.username)).c;

    const setup = json<{ secret: string; uri: string; qr: string }>(await c.post('/api/account/totp/setup'));
    expect(setup.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(setup.uri).toContain(`otpauth://totp/%E6%96%B0%E7%96%86%E7%A7%91%E5%8D%8F:${unit.username}?secret=${setup.secret}`);
    expect(setup.qr).toMatch(/^data:image\/png;base64,/);
    // the secret is stored encrypted, not in clear
    const [row] = await t.s.db.select().from(users).where(eq(users.id, unit.user.id));
    expect(row!.totpSecret).not.toContain(setup.secret);
    expect(t.s.cipher.decrypt(row!.totpSecret!)).toBe(setup.secret);
    expect(row!.totpEnabledAt).toBeNull();

    const wrong = await c.post('/api/account/totp/enable', { code: totpCode(setup.secret, totpStep() + 5) });
    expect(wrong.statusCode).toBe(400);
    expect(errorOf(wrong).message).toContain('验证码不正确或已过期');
    const malformed = await c.post('/api/account/totp/enable', { code: '12ab' });
    expect(errorOf(malformed).fields?.[0]).toMatchObject({ field: 'code', message: '验证码应为身份验证器中显示的6位数字' });

    const ok = await c.post('/api/account/totp/enable', { code: totpCode(setup.secret) });
    expect(ok.statusCode, ok.body).toBe(200);
    const { recoveryCodes } = json<{ recoveryCodes: string[] }>(ok);
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    for (const code of recoveryCodes) expect(code).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
    const stored = await t.s.db.select().from(totpRecoveryCodes).where(eq(totpRecoveryCodes.userId, unit.user.id));
    expect(stored).toHaveLength(10);
    expect(stored.map((r) => r.codeHash).join()).not.toContain(recoveryCodes[0]!.replace('-', ''));
    // salted argon2id, each with its own salt (a code has less than 112 bits)
    for (const r of stored) expect(r.codeHash).toMatch(/^\$argon2id\$/);
    expect(new Set(stored.map((r) => r.codeHash.split('$')[4])).size).toBe(10);

    const overview = json<{ totp: { enabled: boolean; required: boolean; recoveryCodesLeft: number }; sessions: unknown[] }>(
      await c.get('/api/account/security'),
    );
    expect(overview.totp).toMatchObject({ enabled: true, required: false, recoveryCodesLeft: 10 });
    expect(overview.sessions).toHaveLength(1);
    // the other session has ended
    expect(json<Me>(await other.get('/api/auth/me')).user).toBeNull();
    // a second setup is refused while on
    expect(errorOf(await c.post('/api/account/totp/setup')).code).toBe('CONFLICT');
    const [audited] = await t.s.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.actorId, unit.user.id), eq(auditLog.action, 'account.totp_enabled')));
    expect(audited).toBeDefined();
  });
});

describe('登录 with TOTP', () => {
  it('asks for the code after the password; refuses everything else until it is given; a wrong code is refused; a code works once', async () => {
    const applicant = await buildApplicant(t.s);
    const first = await login(applicant.username);
    const { secret } = await enrol(first.c);
    const next = codes(secret);
    next(); // the step enrolment used

    const { c, user } = await login(applicant.username);
    expect(user.stage).toBe('mfa');
    expect(json<Me>(await c.get('/api/auth/me')).user?.stage).toBe('mfa');
    for (const [method, url] of [
      ['GET', '/api/account/security'],
      ['GET', '/api/account/contact'],
      ['POST', '/api/account/sessions/revoke-others'],
    ] as const) {
      const res = await c.request(method, url, method === 'POST' ? {} : undefined);
      expect(res.statusCode, url).toBe(403);
      expect(errorOf(res)).toMatchObject({ code: 'MFA_REQUIRED', message: '请先输入身份验证器中的6位动态验证码（或一个恢复码）完成登录' });
    }
    // the first session (full) is untouched by the second log-in's stage
    expect((await first.c.get('/api/account/security')).statusCode).toBe(200);

    const wrong = await c.post('/api/auth/mfa', { code: totpCode(secret, totpStep() + 7) });
    expect(wrong.statusCode).toBe(400);
    expect(errorOf(wrong).message).toContain('验证码不正确或已使用过（再错 4 次账号将被锁定15分钟）');
    const code = next();
    const ok = await c.post('/api/auth/mfa', { code });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(json<Me>(ok).user?.stage).toBe('full');
    expect((await c.get('/api/account/contact')).statusCode).toBe(200);
    // the counter of wrong codes is cleared by the right one
    expect(
      await t.s.db
        .select()
        .from(loginFailures)
        .where(eq(loginFailures.account, lockoutKey(applicant.username))),
    ).toHaveLength(0);

    // the same code again, in another log-in: refused (users.totp_last_step)
    const again = await login(applicant.username);
    const replay = await again.c.post('/api/auth/mfa', { code });
    expect(replay.statusCode).toBe(400);
    expect(errorOf(replay).message).toContain('已使用过');
    expect(json<Me>(await again.c.get('/api/auth/me')).user?.stage).toBe('mfa');
  });

  it('accepts each recovery code once, in place of the code', async () => {
    const applicant = await buildApplicant(t.s);
    const { recoveryCodes } = await enrol((await login(applicant.username)).c);
    const a = await login(applicant.username);
    const used = recoveryCodes[3]!;
    const ok = await a.c.post('/api/auth/mfa', { code: used.toUpperCase() });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(json<Me>(ok).user?.stage).toBe('full');
    const left = json<{ totp: { recoveryCodesLeft: number } }>(await a.c.get('/api/account/security'));
    expect(left.totp.recoveryCodesLeft).toBe(9);
    const b = await login(applicant.username);
    const twice = await b.c.post('/api/auth/mfa', { code: used });
    expect(twice.statusCode).toBe(400);
    expect(json<Me>(await b.c.get('/api/auth/me')).user?.stage).toBe('mfa');
    const audited = await t.s.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.actorId, applicant.user.id), eq(auditLog.action, 'account.totp_recovery_code_used')));
    expect(audited).toHaveLength(1);
  });

  it('locks the name and address after 5 wrong codes and ends the half-open session', async () => {
    const applicant = await buildApplicant(t.s);
    const { secret } = await enrol((await login(applicant.username)).c);
    const { c } = await login(applicant.username);
    for (let i = 0; i < 4; i++) expect((await c.post('/api/auth/mfa', { code: totpCode(secret, totpStep() + 9 + i) })).statusCode).toBe(400);
    const fifth = await c.post('/api/auth/mfa', { code: totpCode(secret, totpStep() + 20) });
    expect(fifth.statusCode).toBe(423);
    expect(errorOf(fifth).code).toBe('LOCKED');
    expect(json<Me>(await c.get('/api/auth/me')).user).toBeNull();
    // the right password is refused from that address while locked
    const locked = await new Client(t.app).post('/api/auth/login', { username: applicant.username, password: TEST_PASSWORD, captcha: CAPTCHA });
    expect(locked.statusCode).toBe(423);
  });

  it('lets an optional user turn TOTP off with a code, ending other sessions', async () => {
    const unit = await buildUnit(t.s);
    const a = await login(unit.username);
    const { next } = await enrol(a.c);
    const wrong = await a.c.post('/api/account/totp/disable', { code: '000000' === next() ? '111111' : '000000' });
    expect(wrong.statusCode).toBe(400);
    const [still] = await t.s.db.select().from(users).where(eq(users.id, unit.user.id));
    expect(still!.totpEnabledAt).not.toBeNull();
    const off = await a.c.post('/api/account/totp/disable', { code: next() });
    expect(off.statusCode, off.body).toBe(200);
    const [row] = await t.s.db.select().from(users).where(eq(users.id, unit.user.id));
    expect(row).toMatchObject({ totpSecret: null, totpEnabledAt: null });
    expect(await t.s.db.select().from(totpRecoveryCodes).where(eq(totpRecoveryCodes.userId, unit.user.id))).toHaveLength(0);
    expect((await login(unit.username)).user.stage).toBe('full');
  });

  it('regenerates recovery codes with a code: the old ones stop working', async () => {
    const applicant = await buildApplicant(t.s);
    const a = await login(applicant.username);
    const { next, recoveryCodes } = await enrol(a.c);
    const res = await a.c.post('/api/account/totp/recovery-codes', { code: next() });
    expect(res.statusCode, res.body).toBe(200);
    const fresh = json<{ recoveryCodes: string[] }>(res).recoveryCodes;
    expect(fresh).toHaveLength(10);
    expect(fresh).not.toContain(recoveryCodes[0]);
    const b = await login(applicant.username);
    expect((await b.c.post('/api/auth/mfa', { code: recoveryCodes[0]! })).statusCode).toBe(400);
    expect((await b.c.post('/api/auth/mfa', { code: fresh[0]! })).statusCode).toBe(200);
  });
});

describe('TOTP required for 自治区科协 and 评审专家 (MFA_REQUIRED_ROLES)', () => {
  it('an organizer without TOTP may only enrol (and log out) until done, then works; it cannot turn TOTP off', async () => {
    const organizer = await buildOrganizer(t.s);
    const { c, user } = await login(organizer.username);
    expect(user.stage).toBe('enroll');
    for (const url of ['/api/admin/units', '/api/account/security', '/api/applications']) {
      const res = await c.get(url);
      expect(res.statusCode, url).toBe(403);
      expect(errorOf(res).code).toBe('MFA_ENROLL_REQUIRED');
    }
    const { next } = await enrol(c);
    expect(json<Me>(await c.get('/api/auth/me')).user?.stage).toBe('full');
    expect((await c.get('/api/admin/units')).statusCode).toBe(200);
    const off = await c.post('/api/account/totp/disable', { code: next() });
    expect(off.statusCode).toBe(403);
    expect(errorOf(off).message).toContain('必须使用两步验证，不能关闭');
    const [row] = await t.s.db.select().from(users).where(eq(users.id, organizer.user.id));
    expect(row!.totpEnabledAt).not.toBeNull();
    expect((await login(organizer.username)).user.stage).toBe('mfa');
  });

  it('an expert must enrol too; an applicant and a unit need not; log-out works in the enroll stage', async () => {
    const expert = await buildExpert(t.s);
    const e = await login(expert.username);
    expect(e.user.stage).toBe('enroll');
    expect((await e.c.post('/api/auth/logout')).statusCode).toBe(200);
    expect(json<Me>(await e.c.get('/api/auth/me')).user).toBeNull();
    expect((await login((await buildApplicant(t.s)).username)).user.stage).toBe('full');
    expect((await login((await buildUnit(t.s)).username)).user.stage).toBe('full');
  });

  it('the first organizer created at first start must enrol at first log-in', async () => {
    const { ensureOrganizer } = await import('./services');
    await t.s.db.delete(users).where(eq(users.role, 'organizer'));
    const created = await ensureOrganizer(t.s);
    expect(created?.username).toBe('admin');
    const { user } = await login('admin', created!.password!);
    expect(user.stage).toBe('enroll');
  });
});

describe('lost factors', () => {
  it('找回 (password reset) does not bypass TOTP: the next log-in still asks for the code', async () => {
    const applicant = await buildApplicant(t.s);
    await enrol((await login(applicant.username)).c);
    const c = new Client(t.app);
    expect((await c.post('/api/auth/recover/send', { username: applicant.username, channel: 'mobile', captcha: CAPTCHA })).statusCode).toBe(200);
    const [sent] = await t.s.db.select().from(outbox).where(eq(outbox.userId, applicant.user.id)).orderBy(desc(outbox.createdAt)).limit(1);
    const code = /验证码 (\d{6})/.exec(sent!.body)![1]!;
    expect((await c.post('/api/auth/recover/reset', { username: applicant.username, code, newPassword: 'Reset#Pass2024' })).statusCode).toBe(200);
    expect((await login(applicant.username, 'Reset#Pass2024')).user.stage).toBe('mfa');
  });

  it('the organizer resets the two-factor log-in of an account that lost phone and codes; nobody else may, nor for oneself', async () => {
    const expert = await buildExpert(t.s);
    const e = await login(expert.username);
    await enrol(e.c);
    const organizer = await buildOrganizer(t.s);
    const o = await login(organizer.username);
    await enrol(o.c);
    const unit = (await login((await buildUnit(t.s)).username)).c;
    const refused = await unit.del(`/api/admin/users/${expert.user.id}/totp`);
    expect(refused.statusCode).toBe(403);
    const [still] = await t.s.db.select().from(users).where(eq(users.id, expert.user.id));
    expect(still!.totpEnabledAt).not.toBeNull();
    expect(errorOf(await o.c.del(`/api/admin/users/${organizer.user.id}/totp`)).code).toBe('FORBIDDEN');

    const reset = await o.c.del(`/api/admin/users/${expert.user.id}/totp`);
    expect(json(reset)).toEqual({ ended: 1 });
    expect(json<Me>(await e.c.get('/api/auth/me')).user).toBeNull();
    const [row] = await t.s.db.select().from(users).where(eq(users.id, expert.user.id));
    expect(row).toMatchObject({ totpSecret: null, totpEnabledAt: null });
    expect((await login(expert.username)).user.stage).toBe('enroll');
    const [audited] = await t.s.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.actorId, organizer.user.id), eq(auditLog.action, 'admin.totp_reset')));
    expect(audited?.targetId).toBe(expert.user.id);
  });
});

describe('密码策略', () => {
  it('refuses weak passwords at registration, change and reset with a message naming what is missing', async () => {
    const c = new Client(t.app);
    const body = { username: 'policy01', realName: '王五', mobile: '13912345670', email: 'p1@example.cn', captcha: CAPTCHA };
    for (const [password, message] of [
      ['abcdefgh', '目前只包含小写字母'],
      ['Aa123456', '常见密码'],
      ['Woaini1314', '常见密码'],
      ['Qq123456', '常见密码'],
      ['Policy01', '不能与用户名相同'],
      ['Ab1!', '8至64位'],
    ]) {
      const res = await c.post('/api/auth/register/applicant', { ...body, password });
      expect(res.statusCode, password).toBe(400);
      expect(errorOf(res).fields?.find((f) => f.field === 'password')?.message, password).toContain(message);
    }
    // the server's long list (49,000 breached passwords): passes the classes, not in the browser's short list
    const breached = await c.post('/api/auth/register/applicant', { ...body, password: 'Blink182' });
    expect(errorOf(breached).fields?.find((f) => f.field === 'password')?.message).toContain('常见密码');
    expect(await t.s.db.select().from(users).where(eq(users.username, 'policy01'))).toHaveLength(0);

    const applicant = await buildApplicant(t.s);
    const a = await login(applicant.username);
    const weak = await a.c.post('/api/auth/password', { oldPassword: TEST_PASSWORD, newPassword: 'qwer1234' });
    expect(weak.statusCode).toBe(400);
    expect(errorOf(weak).fields?.[0]?.message).toContain('还须加入大写字母或符号中的一类');

    const reset = await c.post('/api/auth/recover/reset', { username: applicant.username, code: '123456', newPassword: 'Aa123456' });
    expect(errorOf(reset).fields?.find((f) => f.field === 'newPassword')?.message).toContain('常见密码');
  });

  it('refuses a change to a password equal to the user name', async () => {
    const applicant = await buildApplicant(t.s, { username: `Pw_${Date.now().toString(36)}` });
    const a = await login(applicant.username);
    const toName = await a.c.post('/api/auth/password', { oldPassword: TEST_PASSWORD, newPassword: applicant.username });
    expect(toName.statusCode).toBe(400);
    expect(errorOf(toName).fields?.[0]?.message).toContain('不能与用户名相同');
  });
});

describe('会话', () => {
  it('ends a session after 12 hours however active, and a half-open one (code owed) after 10 minutes', async () => {
    const applicant = await buildApplicant(t.s);
    const a = await login(applicant.username);
    const [row] = await t.s.db.select().from(sessions).where(eq(sessions.userId, applicant.user.id));
    await t.s.db
      .update(sessions)
      .set({ createdAt: new Date(Date.now() - 11.9 * 3600_000) })
      .where(eq(sessions.id, row!.id));
    expect(json<Me>(await a.c.get('/api/auth/me')).user).not.toBeNull();
    await t.s.db
      .update(sessions)
      .set({ createdAt: new Date(Date.now() - 12.1 * 3600_000) })
      .where(eq(sessions.id, row!.id));
    expect(json<Me>(await a.c.get('/api/auth/me')).user).toBeNull();

    await enrol((await login(applicant.username)).c);
    const half = await login(applicant.username);
    expect(half.user.stage).toBe('mfa');
    await t.s.db
      .update(sessions)
      .set({ createdAt: new Date(Date.now() - 11 * 60_000) })
      .where(and(eq(sessions.userId, applicant.user.id), eq(sessions.stage, 'mfa')));
    expect(json<Me>(await half.c.get('/api/auth/me')).user).toBeNull();
  });

  it('lists the own sessions with the current one marked, revokes one, refuses another user’s, revokes all others', async () => {
    const unit = await buildUnit(t.s);
    const a = await login(unit.username);
    const b = await login(unit.username);
    const c3 = await login(unit.username);
    const list = json<{ sessions: { id: string; current: boolean; ip: string; userAgent: string | null; createdAt: string; lastSeenAt: string }[] }>(
      await a.c.get('/api/account/security'),
    ).sessions;
    expect(list).toHaveLength(3);
    expect(list.filter((x) => x.current)).toHaveLength(1);
    expect(list[0]).toMatchObject({ ip: '127.0.0.1' });
    const stored = await t.s.db.select({ id: sessions.id }).from(sessions).where(eq(sessions.userId, unit.user.id));
    // the reference is neither the cookie nor the stored id
    for (const x of list) expect(stored.map((r) => r.id)).not.toContain(x.id);

    const bRef = json<{ sessions: { id: string; current: boolean }[] }>(await b.c.get('/api/account/security')).sessions.find((x) => x.current)!.id;
    // another user cannot end it: not found, and it still works
    const stranger = await login((await buildUnit(t.s)).username);
    const refused = await stranger.c.del(`/api/account/sessions/${bRef}`);
    expect(refused.statusCode).toBe(404);
    expect((await b.c.get('/api/account/security')).statusCode).toBe(200);
    // its owner can
    expect((await a.c.del(`/api/account/sessions/${bRef}`)).statusCode).toBe(200);
    expect(json<Me>(await b.c.get('/api/auth/me')).user).toBeNull();
    // not the current one
    const own = json<{ sessions: { id: string; current: boolean }[] }>(await a.c.get('/api/account/security')).sessions.find((x) => x.current)!.id;
    expect(errorOf(await a.c.del(`/api/account/sessions/${own}`)).code).toBe('CONFLICT');

    const rest = await a.c.post('/api/account/sessions/revoke-others');
    expect(json(rest)).toEqual({ ended: 1 });
    expect(json<Me>(await c3.c.get('/api/auth/me')).user).toBeNull();
    expect(json<Me>(await a.c.get('/api/auth/me')).user).not.toBeNull();
    expect((await stranger.c.get('/api/auth/me')).json()).toMatchObject({ user: { role: 'unit' } });
  });

  it('a password change ends the other sessions', async () => {
    const applicant = await buildApplicant(t.s);
    const a = await login(applicant.username);
    const b = await login(applicant.username);
    expect((await a.c.post('/api/auth/password', { oldPassword: TEST_PASSWORD, newPassword: 'Another#Pass9' })).statusCode).toBe(200);
    expect(json<Me>(await b.c.get('/api/auth/me')).user).toBeNull();
    expect(json<Me>(await a.c.get('/api/auth/me')).user).not.toBeNull();
  });

  it('the organizer finds any account’s sessions and ends them; nobody else may', async () => {
    const organizer = await buildOrganizer(t.s);
    const o = await login(organizer.username);
    await enrol(o.c);
    const target = await buildUnit(t.s);
    const t1 = await login(target.username);
    const t2 = await login(target.username);

    // a unit may not look or end: refused, and the sessions still work
    const unitClient = (await login((await buildUnit(t.s)).username)).c;
    expect((await unitClient.get(`/api/admin/sessions?username=${target.username}`)).statusCode).toBe(403);
    const refused = await unitClient.del(`/api/admin/users/${target.user.id}/sessions`);
    expect(refused.statusCode).toBe(403);
    expect(json<Me>(await t1.c.get('/api/auth/me')).user).not.toBeNull();

    const found = json<{ user: { id: string; username: string }; sessions: unknown[] }>(
      await o.c.get(`/api/admin/sessions?username=${target.username.toUpperCase()}`),
    );
    expect(found.user).toMatchObject({ id: target.user.id, username: target.username });
    expect(found.sessions).toHaveLength(2);
    const unknown = await o.c.get('/api/admin/sessions?username=nobody_here');
    expect(unknown.statusCode).toBe(404);
    expect(errorOf(unknown).message).toContain('未找到用户名为“nobody_here”的账号');

    const ended = await o.c.del(`/api/admin/users/${target.user.id}/sessions`);
    expect(json(ended)).toEqual({ ended: 2 });
    expect(json<Me>(await t1.c.get('/api/auth/me')).user).toBeNull();
    expect(json<Me>(await t2.c.get('/api/auth/me')).user).toBeNull();
    const [audited] = await t.s.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.actorId, organizer.user.id), eq(auditLog.action, 'admin.sessions_revoked'), eq(auditLog.targetId, target.user.id)));
    expect(audited).toBeDefined();
  });
});
