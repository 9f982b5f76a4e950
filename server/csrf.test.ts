// Issue 10, item 7: the CSRF token is an HMAC bound to the session (or, before log-in, to a pre-session
// value), not any value that merely matches a cookie (docs/SECURITY.md).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { applications } from './db/schema';
import { buildApplicant } from './testing/factories';
import { CAPTCHA, Client, json, startTestPlatform } from './testing/harness';

let t: Awaited<ReturnType<typeof startTestPlatform>>;
beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(async () => t?.close());

const errorOf = (res: { json(): unknown }) => (res.json() as { error: { code: string } }).error;

/** a request with exactly these cookies and this x-csrf-token, as a forger would send it */
function forge(method: 'POST' | 'GET', url: string, cookies: Map<string, string>, token: string, body: object = {}) {
  return t.app.inject({
    method,
    url,
    headers: { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'x-csrf-token': token },
    payload: body,
  });
}

const applicationsOf = (userId: string) => t.s.db.select().from(applications).where(eq(applications.applicantId, userId));

describe('CSRF token bound to the session', () => {
  it("refuses session A's token with session B's cookies, and changes nothing", async () => {
    const a = await buildApplicant(t.s);
    const b = await buildApplicant(t.s);
    const ca = new Client(t.app);
    const cb = new Client(t.app);
    await ca.login(a.username, a.password);
    await cb.login(b.username, b.password);
    const tokenA = ca.cookies.get('csrf')!;

    // A's token as header and as the readable cookie, with B's session
    const mixed = new Map(cb.cookies).set('csrf', tokenA);
    const res = await forge('POST', '/api/applications', mixed, tokenA);
    expect(res.statusCode).toBe(403);
    expect(errorOf(res).code).toBe('CSRF');
    // any value that matches the readable cookie is no token either
    const made = await forge('POST', '/api/applications', new Map(cb.cookies).set('csrf', 'made-up'), 'made-up');
    expect(made.statusCode).toBe(403);
    expect(errorOf(made).code).toBe('CSRF');
    // A's secret cookie too, with B's session id: still bound to A's session
    const secretsOfA = new Map(ca.cookies).set('sid', cb.cookies.get('sid')!);
    expect((await forge('POST', '/api/applications', secretsOfA, tokenA)).statusCode).toBe(403);
    expect(await applicationsOf(b.user.id)).toHaveLength(0);

    // B's own token works
    expect((await cb.post('/api/applications', {})).statusCode).toBe(200);
    expect(await applicationsOf(b.user.id)).toHaveLength(1);
  });

  it('binds anonymous requests to a pre-session value: one browser cannot use another one’s token', async () => {
    const { username, password } = await buildApplicant(t.s);
    const x = new Client(t.app);
    const y = new Client(t.app);
    await x.get('/api/auth/me');
    await y.get('/api/auth/me');
    const tokenX = x.cookies.get('csrf')!;
    expect(tokenX).toBeTruthy();
    expect(y.cookies.get('csrf')).not.toBe(tokenX);
    const res = await forge('POST', '/api/auth/login', new Map(y.cookies).set('csrf', tokenX), tokenX, { username, password, captcha: CAPTCHA });
    expect(res.statusCode).toBe(403);
    expect(errorOf(res).code).toBe('CSRF');
    expect(res.cookies.some((c) => c.name === 'sid')).toBe(false);
  });

  it('keeps the secret in an httpOnly cookie and hands the token out in a readable one', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/auth/me' });
    const csrf = res.cookies.find((c) => c.name === 'csrf')!;
    expect(csrf.httpOnly).toBeFalsy();
    const secrets = res.cookies.filter((c) => c.name !== 'csrf');
    expect(secrets.length).toBeGreaterThan(0);
    for (const c of secrets) expect(c.httpOnly).toBe(true);
  });

  it('changes the token at log-in and at 退出, and refuses the old one', async () => {
    const { username, password, user } = await buildApplicant(t.s);
    const c = new Client(t.app);
    await c.get('/api/auth/me');
    const before = c.cookies.get('csrf')!;
    await c.login(username, password);
    const during = c.cookies.get('csrf')!;
    expect(during).toBeTruthy();
    expect(during).not.toBe(before);
    // the token from before log-in, with the logged-in cookies
    const stale = await forge('POST', '/api/applications', new Map(c.cookies).set('csrf', before), before);
    expect(stale.statusCode).toBe(403);
    expect(errorOf(stale).code).toBe('CSRF');
    expect(await applicationsOf(user.id)).toHaveLength(0);
    expect((await c.post('/api/applications', {})).statusCode).toBe(200);

    expect((await c.post('/api/auth/logout')).statusCode).toBe(200);
    const after = c.cookies.get('csrf')!;
    expect(after).toBeTruthy();
    expect(after).not.toBe(during);
    expect(after).not.toBe(before);
    // the logged-out browser's old token and secret no longer work, even for an anonymous request
    const old = await forge('POST', '/api/auth/login', new Map(c.cookies).set('csrf', during), during, { username, password, captcha: CAPTCHA });
    expect(old.statusCode).toBe(403);
    expect(json(await c.post('/api/auth/login', { username, password, captcha: CAPTCHA })).user).toBeTruthy();
  });
});
