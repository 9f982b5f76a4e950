// Issue 10, item 2: X-Forwarded-For is honoured only from a configured proxy, and failed log-ins by an
// attacker somewhere else cannot keep the rightful user out (docs/SECURITY.md).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, desc, eq } from 'drizzle-orm';
import { loadConfig } from './config';
import { outbox, users } from './db/schema';
import { buildApplicant, buildOrganizer, TEST_PASSWORD } from './testing/factories';
import { CAPTCHA, Client, json, startTestPlatform } from './testing/harness';

type Platform = Awaited<ReturnType<typeof startTestPlatform>>;
const errorOf = (res: { json(): unknown }) => (res.json() as { error: { code: string; message: string; fields?: { field: string; message: string }[] } }).error;

/** An empty registration: 400 while the address has budget left, 429 after. */
const register = (c: Client, forwardedFor?: string) =>
  c.request('POST', '/api/auth/register/applicant', {}, { headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {} }).then((r) => r.statusCode);

async function spendBudget(c: Client, forwardedFor: string, n = 10) {
  for (let i = 0; i < n; i++) expect(await register(c, forwardedFor)).toBe(400);
  expect(await register(c, forwardedFor)).toBe(429);
}

describe('TRUST_PROXY', () => {
  it('by default ignores X-Forwarded-For: a new header value gets no fresh budget', async () => {
    const p = await startTestPlatform({ RATE_LIMIT_REGISTER: '10' });
    try {
      const c = new Client(p.app);
      await spendBudget(c, '203.0.113.1');
      expect(await register(c, '203.0.113.2')).toBe(429);
      expect(await register(c, '198.51.100.9, 203.0.113.3')).toBe(429);
      expect(await register(c)).toBe(429);
    } finally {
      await p.close();
    }
  });

  it('honours X-Forwarded-For from the configured proxy only', async () => {
    const p = await startTestPlatform({ RATE_LIMIT_REGISTER: '10', TRUST_PROXY: '127.0.0.1' });
    try {
      const viaProxy = new Client(p.app); // app.inject's remote address is 127.0.0.1: the proxy
      await spendBudget(viaProxy, '203.0.113.1');
      expect(await register(viaProxy, '203.0.113.2')).toBe(400); // another client behind the proxy
      // a client that reaches the server directly cannot pose as someone else
      const direct = new Client(p.app, '192.0.2.50');
      await spendBudget(direct, '203.0.113.10');
      expect(await register(direct, '203.0.113.11')).toBe(429);
    } finally {
      await p.close();
    }
  });

  it('reads TRUST_PROXY as addresses/CIDRs, off by default, and refuses anything else in Chinese', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '' }).trustProxy).toBe(false);
    // a hop count cannot tell the proxy from a client that reaches the server directly (Fastify 5 ignores one too)
    expect(() => loadConfig({ TRUST_PROXY: '1' })).toThrow(/TRUST_PROXY 不接受代理层数/);
    expect(loadConfig({ TRUST_PROXY: ' 10.0.0.0/8, 127.0.0.1 ,::1,fd00::/8' }).trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1', '::1', 'fd00::/8']);
    expect(loadConfig({ TRUST_PROXY: 'loopback' }).trustProxy).toEqual(['loopback']);
    for (const bad of ['true', 'nginx', '10.0.0.0/33', '300.1.1.1', '127.0.0.1,,', '-1', '1.5']) {
      expect(() => loadConfig({ TRUST_PROXY: bad }), bad).toThrow(/TRUST_PROXY/);
    }
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/代理/);
  });
});

describe('lockout that an attacker cannot turn against the rightful user', () => {
  let t: Platform;
  beforeAll(async () => {
    t = await startTestPlatform();
  });
  afterAll(async () => t?.close());

  const login = (c: Client, username: string, password: string, extra: Record<string, string> = {}) =>
    c.post('/api/auth/login', { username, password, captcha: CAPTCHA, ...extra });

  async function attack(username: string, address: string) {
    const attacker = new Client(t.app, address);
    for (let i = 0; i < 5; i++) await login(attacker, username, `wrong-pass${i}`);
    return attacker;
  }

  const loginCodes = async (userId: string) =>
    (
      await t.s.db
        .select()
        .from(outbox)
        .where(and(eq(outbox.userId, userId), eq(outbox.subject, '登录验证码')))
        .orderBy(desc(outbox.id))
    ).map((m) => ({
      recipient: m.recipient,
      code: /验证码 (\d{6})/.exec(m.body)![1]!,
    }));

  it("locks the attacker's address, not the account: the right password works from another address", async () => {
    const { username, password } = await buildApplicant(t.s);
    const attacker = await attack(username, '198.51.100.7');
    const locked = await login(attacker, username, password);
    expect(locked.statusCode).toBe(423);
    expect(errorOf(locked).message).toContain('锁定15分钟');

    const owner = new Client(t.app, '192.0.2.10');
    const res = await login(owner, username, password);
    expect(res.statusCode).toBe(200);
    expect(owner.cookies.has('sid')).toBe(true);
  });

  it('from many addresses, the account asks the right password for a code sent to the registered mobile', async () => {
    const { username, password, user } = await buildApplicant(t.s, { mobile: '13711112222' });
    for (const address of ['198.51.100.11', '198.51.100.12', '198.51.100.13', '198.51.100.14']) await attack(username, address);

    // a wrong password from yet another address is told nothing new, and no text is sent
    const guess = await login(new Client(t.app, '198.51.100.15'), username, 'still-wrong1');
    expect(guess.statusCode).toBe(401);
    expect(await loginCodes(user.id)).toHaveLength(0);

    const owner = new Client(t.app, '192.0.2.20');
    const first = await login(owner, username, password);
    expect(first.statusCode).toBe(400);
    const err = errorOf(first);
    expect(err.fields!.map((f) => f.field)).toEqual(['smsCode']);
    expect(err.message).toContain('137****2222');
    expect(owner.cookies.has('sid')).toBe(false);
    const [sent] = await loginCodes(user.id);
    expect(sent!.recipient).toBe('13711112222');

    const wrong = await login(owner, username, password, { smsCode: sent!.code === '000000' ? '111111' : '000000' });
    expect(wrong.statusCode).toBe(400);
    expect(errorOf(wrong).fields!.map((f) => f.field)).toEqual(['smsCode']);
    // the code alone is not enough: the password is checked first
    expect((await login(owner, username, 'wrong-pass9', { smsCode: sent!.code })).statusCode).toBe(401);

    const ok = await login(owner, username, password, { smsCode: sent!.code });
    expect(ok.statusCode).toBe(200);
    expect(json<{ user: { username: string } }>(ok).user.username).toBe(username);
    // the code works once
    expect((await login(new Client(t.app, '192.0.2.21'), username, password, { smsCode: sent!.code })).statusCode).toBe(400);
  });

  it('sends the code to the e-mail address when there is no mobile; without either, the password and captcha suffice', async () => {
    const { username, password, user } = await buildApplicant(t.s, { email: 'owner@example.cn' });
    await t.s.db.update(users).set({ mobile: null }).where(eq(users.id, user.id));
    for (const address of ['198.51.100.21', '198.51.100.22', '198.51.100.23', '198.51.100.24']) await attack(username, address);
    const owner = new Client(t.app, '192.0.2.30');
    const first = await login(owner, username, password);
    expect(first.statusCode).toBe(400);
    expect(errorOf(first).message).toContain('o****@example.cn');
    const [sent] = await loginCodes(user.id);
    expect(sent!.recipient).toBe('owner@example.cn');
    expect((await login(owner, username, password, { smsCode: sent!.code })).statusCode).toBe(200);

    const org = await buildOrganizer(t.s); // no mobile, no e-mail
    for (const address of ['198.51.100.31', '198.51.100.32', '198.51.100.33', '198.51.100.34']) await attack(org.username, address);
    expect((await login(new Client(t.app, '192.0.2.31'), org.username, org.password)).statusCode).toBe(200);
  });

  it('找回 lifts the lock of a shared address: the owner resets the password and logs in from it', async () => {
    const { username, user } = await buildApplicant(t.s, { mobile: '13722223333' });
    const shared = '203.0.113.77'; // e.g. one NAT address for a whole campus
    await attack(username, shared);
    const owner = new Client(t.app, shared);
    expect((await login(owner, username, TEST_PASSWORD)).statusCode).toBe(423);
    expect((await owner.post('/api/auth/recover/send', { username, channel: 'mobile', captcha: CAPTCHA })).statusCode).toBe(200);
    const [msg] = await t.s.db
      .select()
      .from(outbox)
      .where(and(eq(outbox.userId, user.id), eq(outbox.subject, '找回密码验证码')));
    const code = /验证码 (\d{6})/.exec(msg!.body)![1]!;
    expect((await owner.post('/api/auth/recover/reset', { username, code, newPassword: 'NewPass99' })).statusCode).toBe(200);
    expect((await login(owner, username, 'NewPass99')).statusCode).toBe(200);
  });
});
