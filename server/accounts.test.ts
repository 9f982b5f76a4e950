import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, gt, like } from 'drizzle-orm';
import { loginFailures, outbox, rateLimits, sessions, units, users } from './db/schema';
import { buildApp } from './app';
import { sweepRateLimits } from './rate-limit-store';
import { buildApplicant, buildOrganizer, buildUnit, TEST_PASSWORD } from './testing/factories';
import { CAPTCHA, Client, json, startTestPlatform } from './testing/harness';
import { loadConfig } from './config';

let t: Awaited<ReturnType<typeof startTestPlatform>>;
beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(async () => t?.close());

const errorOf = (res: { json(): unknown }) => (res.json() as { error: { code: string; message: string; fields?: { field: string }[] } }).error;

describe('注册 and 登录', () => {
  it('registers an applicant, logs in with the captcha and shows the user on /me', async () => {
    const c = new Client(t.app);
    const reg = await c.post('/api/auth/register/applicant', {
      username: 'zhangsan01',
      password: 'Abcdef12x',
      realName: '张三',
      mobile: '13912345678',
      email: 'zs@example.cn',
      captcha: CAPTCHA,
    });
    expect(reg.statusCode).toBe(200);
    expect(json(reg).user).toMatchObject({ username: 'zhangsan01', role: 'applicant', realName: '张三' });
    const me = json<{ user: { username: string } }>(await c.get('/api/auth/me'));
    expect(me.user.username).toBe('zhangsan01');

    const again = new Client(t.app);
    await again.login('ZhangSan01', 'Abcdef12x'); // user names are case-insensitive
    expect(json<{ user: { role: string } }>(await again.get('/api/auth/me')).user.role).toBe('applicant');
  });

  it('refuses bad registration input with named Chinese messages and creates nothing', async () => {
    const c = new Client(t.app);
    const res = await c.post('/api/auth/register/applicant', { username: 'ab', password: '123', realName: '', mobile: '123', email: 'x', captcha: CAPTCHA });
    expect(res.statusCode).toBe(400);
    const err = errorOf(res);
    expect(err.code).toBe('VALIDATION');
    expect(err.fields!.map((f) => f.field).sort()).toEqual(['email', 'mobile', 'password', 'realName', 'username']);
    expect(err.message).toMatch(/手机/);
    expect(await t.s.db.select().from(users).where(eq(users.username, 'ab'))).toHaveLength(0);
  });

  it('refuses a duplicate user name', async () => {
    const { username } = await buildApplicant(t.s);
    const res = await new Client(t.app).post('/api/auth/register/applicant', {
      username,
      password: 'Abcdef12x',
      realName: '李四',
      mobile: '13912345678',
      email: 'ls@example.cn',
      captcha: CAPTCHA,
    });
    expect(res.statusCode).toBe(409);
    expect(errorOf(res).message).toContain('用户名已被注册');
  });

  it('checks the image captcha: a wrong answer is refused, the shown answer passes once', async () => {
    const { username } = await buildApplicant(t.s);
    const c = new Client(t.app);
    const img = await c.get('/api/captcha');
    expect(img.headers['content-type']).toContain('image/svg+xml');
    expect(c.cookies.get('captcha')).toBeTruthy();
    const wrong = await c.post('/api/auth/login', { username, password: TEST_PASSWORD, captcha: '00000' });
    expect(wrong.statusCode).toBe(400);
    expect(errorOf(wrong).code).toBe('CAPTCHA');
    // the captcha was consumed by the failed try: the same id no longer works even with a correct answer
    const stale = await c.post('/api/auth/login', { username, password: TEST_PASSWORD, captcha: '11111' });
    expect(errorOf(stale).code).toBe('CAPTCHA');
    expect(errorOf(stale).message).toMatch(/过期|失效/);
  });

  it('gives a new session id at every log-in and ends the session at 退出', async () => {
    const { username, password } = await buildApplicant(t.s);
    const c = new Client(t.app);
    await c.login(username, password);
    const first = c.cookies.get('sid');
    await c.login(username, password);
    const second = c.cookies.get('sid');
    expect(second).toBeTruthy();
    expect(second).not.toBe(first);
    c.cookies.set('sid', first!);
    expect(json(await c.get('/api/auth/me')).user).toBeNull();
    c.cookies.set('sid', second!);
    await c.post('/api/auth/logout');
    c.cookies.set('sid', second!);
    expect(json(await c.get('/api/auth/me')).user).toBeNull();
  });

  it('locks an account for 15 minutes after 5 wrong passwords from one address, even for the right password', async () => {
    const { username, password } = await buildApplicant(t.s);
    const c = new Client(t.app);
    for (let i = 1; i <= 4; i++) {
      const res = await c.post('/api/auth/login', { username, password: 'wrong-pass1', captcha: CAPTCHA });
      expect(res.statusCode).toBe(401);
      expect(errorOf(res).message).toContain(`再错 ${5 - i} 次`);
    }
    const fifth = await c.post('/api/auth/login', { username, password: 'wrong-pass1', captcha: CAPTCHA });
    expect(fifth.statusCode).toBe(423);
    const right = await c.post('/api/auth/login', { username, password, captcha: CAPTCHA });
    expect(right.statusCode).toBe(423);
    expect(errorOf(right).message).toContain('锁定15分钟');
    expect(c.cookies.has('sid')).toBe(false);
    // the lock is kept for this name and this address (server/proxy-lockout.test.ts: other addresses are not locked)
    const [row] = await t.s.db
      .select()
      .from(loginFailures)
      .where(and(eq(loginFailures.ip, '127.0.0.1'), gt(loginFailures.lockedUntil, new Date())));
    expect(row!.lockedUntil!.getTime() - Date.now()).toBeGreaterThan(14 * 60_000);
    // once the lock has passed, the right password works again
    await t.s.db
      .update(loginFailures)
      .set({ lockedUntil: new Date(Date.now() - 1000) })
      .where(eq(loginFailures.account, row!.account));
    expect((await c.post('/api/auth/login', { username, password, captcha: CAPTCHA })).statusCode).toBe(200);
  });

  it('expires a session idle for more than 30 minutes', async () => {
    const { username, password, user } = await buildApplicant(t.s);
    const c = new Client(t.app);
    await c.login(username, password);
    expect((await c.get('/api/applications/mine')).statusCode).toBe(200);
    await t.s.db
      .update(sessions)
      .set({ lastSeenAt: new Date(Date.now() - 31 * 60_000) })
      .where(eq(sessions.userId, user.id));
    const res = await c.get('/api/applications/mine');
    expect(res.statusCode).toBe(401);
    expect(errorOf(res).message).toContain('重新登录');
    expect(await t.s.db.select().from(sessions).where(eq(sessions.userId, user.id))).toHaveLength(0);
  });

  it('refuses a state-changing request without the CSRF token and changes nothing', async () => {
    const { username, password, user } = await buildApplicant(t.s);
    const c = new Client(t.app);
    await c.login(username, password);
    const res = await c.request('POST', '/api/applications', {}, { csrf: false });
    expect(res.statusCode).toBe(403);
    expect(errorOf(res).code).toBe('CSRF');
    const forged = await c.request('POST', '/api/applications', {}, { csrf: false, headers: { 'x-csrf-token': 'forged' } });
    expect(forged.statusCode).toBe(403);
    expect(json<unknown[]>(await c.get('/api/applications/mine'))).toHaveLength(0);
    expect(user.id).toBeTruthy();
  });
});

describe('推荐单位 registration and approval', () => {
  it('a registered unit cannot log in until 自治区科协 approves it', async () => {
    const c = new Client(t.app);
    const reg = await c.post('/api/auth/register/unit', {
      username: 'kmkx2023',
      password: 'Abcdef12x',
      unitName: '克拉玛依市科学技术协会',
      unitType: '地州市科协',
      region: '克拉玛依市',
      contactName: '王五',
      contactPhone: '13609901234',
      mobile: '13609901234',
      captcha: CAPTCHA,
    });
    expect(reg.statusCode).toBe(200);
    expect(json(reg).pending).toBe(true);
    const pending = await c.post('/api/auth/login', { username: 'kmkx2023', password: 'Abcdef12x', captcha: CAPTCHA });
    expect(pending.statusCode).toBe(403);
    expect(errorOf(pending).message).toBe('该推荐单位账号正在等待自治区科协审核，审核通过后方可登录');

    const org = await buildOrganizer(t.s);
    const admin = new Client(t.app);
    await admin.login(org.username, org.password);
    const list = json<{ id: string; name: string }[]>(await admin.get('/api/admin/units?status=pending'));
    const unit = list.find((u) => u.name === '克拉玛依市科学技术协会')!;
    const approved = await admin.post(`/api/admin/units/${unit.id}/approve`);
    expect(json(approved).status).toBe('active');
    const again = await admin.post(`/api/admin/units/${unit.id}/approve`);
    expect(again.statusCode).toBe(409);

    const login = await c.post('/api/auth/login', { username: 'kmkx2023', password: 'Abcdef12x', captcha: CAPTCHA });
    expect(login.statusCode).toBe(200);
    expect(json(login).user).toMatchObject({ role: 'unit', unit: { name: '克拉玛依市科学技术协会', region: '克拉玛依市' } });
    const sms = await t.s.db.select().from(outbox).where(eq(outbox.recipient, '13609901234'));
    expect(sms.some((m) => m.body.includes('已通过自治区科协审核'))).toBe(true);
  });

  it('a refused unit is told why', async () => {
    const { unit, username, password } = await buildUnit(t.s, { status: 'pending' });
    const org = await buildOrganizer(t.s);
    const admin = new Client(t.app);
    await admin.login(org.username, org.password);
    const refused = await admin.post(`/api/admin/units/${unit.id}/refuse`, { reason: '单位名称与公章不符' });
    expect(json(refused).status).toBe('refused');
    const res = await new Client(t.app).post('/api/auth/login', { username, password, captcha: CAPTCHA });
    expect(res.statusCode).toBe(403);
    expect(errorOf(res).message).toContain('单位名称与公章不符');
  });

  it('refuses unit registration outside the code tables', async () => {
    const res = await new Client(t.app).post('/api/auth/register/unit', {
      username: 'badunit1',
      password: 'Abcdef12x',
      unitName: '某某单位测试',
      unitType: '不存在的类型',
      region: '北京市',
      contactName: '王五',
      contactPhone: '13609901234',
      mobile: '13609901234',
      captcha: CAPTCHA,
    });
    expect(res.statusCode).toBe(400);
    expect(
      errorOf(res)
        .fields!.map((f) => f.field)
        .sort(),
    ).toEqual(['region', 'unitType']);
    expect(await t.s.db.select().from(units).where(eq(units.name, '某某单位测试'))).toHaveLength(0);
  });
});

describe('找回', () => {
  it('resets the password with the code sent to the registered mobile, read from the outbox', async () => {
    const { username, user } = await buildApplicant(t.s, { mobile: '13700001111' });
    const c = new Client(t.app);
    const old = new Client(t.app);
    await old.login(username, TEST_PASSWORD);
    const sent = await c.post('/api/auth/recover/send', { username, channel: 'mobile', captcha: CAPTCHA });
    expect(sent.statusCode).toBe(200);
    // the same answer as for an unknown name (server/enumeration.test.ts): no masked number
    expect(json(sent).message).toContain('验证码已发送至该手机');
    const [msg] = await t.s.db.select().from(outbox).where(eq(outbox.userId, user.id));
    const code = /验证码 (\d{6})/.exec(msg!.body)![1]!;
    expect(msg!.recipient).toBe('13700001111');

    const wrong = await c.post('/api/auth/recover/reset', { username, code: code === '000000' ? '111111' : '000000', newPassword: 'NewPass99' });
    expect(wrong.statusCode).toBe(400);
    const ok = await c.post('/api/auth/recover/reset', { username, code, newPassword: 'NewPass99' });
    expect(ok.statusCode).toBe(200);
    expect((await c.post('/api/auth/recover/reset', { username, code, newPassword: 'Other999x' })).statusCode).toBe(400); // used once
    expect((await new Client(t.app).post('/api/auth/login', { username, password: TEST_PASSWORD, captcha: CAPTCHA })).statusCode).toBe(401);
    await new Client(t.app).login(username, 'NewPass99');
    expect(json(await old.get('/api/auth/me')).user).toBeNull(); // old sessions ended
  });

  it('sends to the e-mail address when asked', async () => {
    const { username } = await buildApplicant(t.s, { email: 'mail.me@example.cn' });
    const res = await new Client(t.app).post('/api/auth/recover/send', { username, channel: 'email', captcha: CAPTCHA });
    expect(json(res).message).toContain('验证码已发送至该邮箱');
    const rows = await t.s.db.select().from(outbox).where(eq(outbox.recipient, 'mail.me@example.cn'));
    expect(rows).toHaveLength(1);
  });
});

describe('rate limits and configuration', () => {
  it('limits log-in attempts per address', async () => {
    const limited = await startTestPlatform({ RATE_LIMIT_LOGIN: '3' });
    try {
      const c = new Client(limited.app);
      const codes: number[] = [];
      for (let i = 0; i < 4; i++) codes.push((await c.post('/api/auth/login', { username: 'nobody', password: 'x', captcha: CAPTCHA })).statusCode);
      expect(codes).toEqual([401, 401, 401, 429]);
    } finally {
      await limited.close();
    }
  });

  it('counts in the database: two app instances share one limit, and a new window starts afresh', async () => {
    const limited = await startTestPlatform({ RATE_LIMIT_LOGIN: '3' });
    const second = await buildApp(limited.s); // another instance on the same database
    try {
      const [a, b] = [new Client(limited.app), new Client(second)];
      const attempt = (c: Client) => c.post('/api/auth/login', { username: 'nobody', password: 'x', captcha: CAPTCHA }).then((r) => r.statusCode);
      const codes = [await attempt(a), await attempt(b), await attempt(a), await attempt(b)];
      expect(codes).toEqual([401, 401, 401, 429]);
      const refused = await b.post('/api/auth/login', { username: 'nobody', password: 'x', captcha: CAPTCHA });
      expect(json<{ error: { message: string } }>(refused).error.message).toMatch(/^操作过于频繁，请在 \d+ 秒后再试$/);
      const [row] = await limited.s.db.select().from(rateLimits).where(like(rateLimits.key, '%/api/auth/login%'));
      expect(row!.count).toBe(5);
      // the window is over: counting starts again
      await limited.s.db.update(rateLimits).set({ windowStart: new Date(Date.now() - 2 * 60_000) });
      expect(await attempt(b)).toBe(401);
      expect((await limited.s.db.select().from(rateLimits).where(like(rateLimits.key, '%/api/auth/login%')))[0]!.count).toBe(1);
      // other routes keep their own counters
      expect((await a.post('/api/auth/register/applicant', {})).statusCode).not.toBe(429);
      // housekeeping removes counters whose window ended more than a day ago, and only those
      await limited.s.db.insert(rateLimits).values({ key: 'POST /old 10.0.0.1', count: 9, windowStart: new Date(Date.now() - 25 * 3600_000) });
      expect(await sweepRateLimits(limited.s.db)).toBe(1);
      const left = (await limited.s.db.select().from(rateLimits)).map((r) => r.key);
      expect(left.some((k) => k.includes('/api/auth/login'))).toBe(true);
      expect(left).not.toContain('POST /old 10.0.0.1');
    } finally {
      await second.close();
      await limited.close();
    }
  });

  it('refuses to start in production with CAPTCHA_TEST_ANSWER set', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', CAPTCHA_TEST_ANSWER: '1' })).toThrow(/CAPTCHA_TEST_ANSWER/);
    expect(() => loadConfig({ NODE_ENV: 'production' })).not.toThrow();
  });
});
