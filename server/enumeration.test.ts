// Issue 10, item 3: log-in and 找回 answer a real user name and an unknown one alike (text, status, time).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { outbox, users } from './db/schema';
import { buildApplicant } from './testing/factories';
import { CAPTCHA, Client, startTestPlatform } from './testing/harness';

let t: Awaited<ReturnType<typeof startTestPlatform>>;
beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(async () => t?.close());

/** status and body, with the clock time of a lock's end (HH:MM) left out */
const answer = (res: { statusCode: number; body: string }) => ({ status: res.statusCode, body: res.body.replace(/\d{2}:\d{2}/g, 'HH:MM') });

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

describe('登录', () => {
  it('answers a wrong password and an unknown user name identically, up to and during the lock', async () => {
    const { username, password } = await buildApplicant(t.s);
    const real = new Client(t.app, '198.51.100.40');
    const ghost = new Client(t.app, '198.51.100.41');
    for (let i = 1; i <= 5; i++) {
      const a = await real.post('/api/auth/login', { username, password: `wrong-pass${i}`, captcha: CAPTCHA });
      const b = await ghost.post('/api/auth/login', { username: 'nobody-here-1', password: `wrong-pass${i}`, captcha: CAPTCHA });
      expect(answer(b), `try ${i}`).toEqual(answer(a));
      expect(a.statusCode).toBe(i < 5 ? 401 : 423);
    }
    // locked: even the right password is answered as for a name that does not exist
    const a = await real.post('/api/auth/login', { username, password, captcha: CAPTCHA });
    const b = await ghost.post('/api/auth/login', { username: 'nobody-here-1', password, captcha: CAPTCHA });
    expect(a.statusCode).toBe(423);
    expect(answer(b)).toEqual(answer(a));
  });

  it('spends the same time on an unknown user name as on a wrong password (a password hash is checked either way)', async () => {
    const { username } = await buildApplicant(t.s);
    const timeOf = async (name: string, address: string) => {
      const started = performance.now();
      const res = await new Client(t.app, address).post('/api/auth/login', { username: name, password: 'wrong-pass1', captcha: CAPTCHA });
      const ms = performance.now() - started;
      expect(res.statusCode).toBe(401);
      return ms;
    };
    await timeOf(username, '10.7.0.1'); // warm up both paths
    await timeOf('nobody-here-2', '10.7.0.2');
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 10; i++) {
      // each try from its own address, so that no lock cuts a path short
      known.push(await timeOf(username, `10.8.${i}.1`));
      unknown.push(await timeOf(`nobody-here-2`, `10.9.${i}.1`));
    }
    // generous: an argon2 verify is tens of milliseconds; skipping it would take a fraction of that
    expect(median(unknown)).toBeGreaterThan(median(known) * 0.5);
    expect(median(known)).toBeGreaterThan(median(unknown) * 0.5);
  });
});

describe('找回', () => {
  it('answers the same whether the name exists, has the chosen address or not, and sends only to a real one', async () => {
    const withMobile = await buildApplicant(t.s, { mobile: '13733334444' });
    const noEmail = await buildApplicant(t.s);
    await t.s.db.update(users).set({ email: null }).where(eq(users.id, noEmail.user.id));
    const send = (username: string, channel: string) => new Client(t.app).post('/api/auth/recover/send', { username, channel, captcha: CAPTCHA }).then(answer);
    const real = await send(withMobile.username, 'mobile');
    expect(real.status).toBe(200);
    expect(real.body).not.toContain('4444');
    expect(await send('nobody-here-3', 'mobile')).toEqual(real);
    expect(await send(noEmail.username, 'mobile')).toEqual(real); // has a mobile: sent
    const missing = await send(noEmail.username, 'email'); // has no e-mail: nothing sent, nothing said
    expect(missing.status).toBe(200);
    expect(await send('nobody-here-3', 'email')).toEqual(missing);
    expect(await send(withMobile.username, 'email')).toEqual(missing);
    expect(await t.s.db.select().from(outbox).where(eq(outbox.recipient, '13733334444'))).toHaveLength(1);
    const toNoEmail = await t.s.db.select().from(outbox).where(eq(outbox.userId, noEmail.user.id));
    expect(toNoEmail.map((m) => m.channel)).toEqual(['mobile']);
  });

  it('answers a wrong code for an unknown name as for a real one', async () => {
    const { username } = await buildApplicant(t.s);
    await new Client(t.app).post('/api/auth/recover/send', { username, channel: 'mobile', captcha: CAPTCHA });
    const reset = (name: string) =>
      new Client(t.app).post('/api/auth/recover/reset', { username: name, code: '000000', newPassword: 'NewPass99' }).then(answer);
    expect(await reset('nobody-here-4')).toEqual(await reset(username));
  });
});

describe('注册', () => {
  it('says a name is taken only after a valid captcha, so that each probe costs one', async () => {
    const { username } = await buildApplicant(t.s);
    const body = { username, password: 'Abcdef12x', realName: '李四', mobile: '13912345678', email: 'ls@example.cn' };
    const c = new Client(t.app);
    await c.get('/api/captcha');
    const wrong = await c.post('/api/auth/register/applicant', { ...body, captcha: '00000' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).not.toContain('已被注册');
    expect((await c.post('/api/auth/register/applicant', { ...body, captcha: CAPTCHA })).statusCode).toBe(409);
  });
});
