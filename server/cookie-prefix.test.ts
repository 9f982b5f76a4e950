// Cookie names and attributes (ASVS 5.0 3.3.1, 3.3.3; server/auth/cookies.ts): over HTTPS (COOKIE_SECURE=1) every
// cookie is `__Host-` prefixed (Secure, Path=/, no Domain) or, for the one limited to /api, `__Secure-`; a cookie
// under the plain name, which a sibling subdomain or a plain-HTTP page could plant, is neither a session nor a CSRF
// token. Over plain HTTP the names stay plain (browsers refuse the prefixes there).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { applications } from './db/schema';
import { buildApplicant } from './testing/factories';
import { Client, json, startTestPlatform } from './testing/harness';

let secure: Awaited<ReturnType<typeof startTestPlatform>>;
let plain: Awaited<ReturnType<typeof startTestPlatform>>;
beforeAll(async () => {
  secure = await startTestPlatform({ COOKIE_SECURE: '1' });
  plain = await startTestPlatform({ COOKIE_SECURE: '0' });
});
afterAll(async () => {
  await secure?.close();
  await plain?.close();
});

interface SetCookie {
  name: string;
  value: string;
  path?: string;
  domain?: string;
  secure?: boolean;
  httpOnly?: boolean;
}
const setCookies = (res: LightMyRequestResponse) => res.cookies as SetCookie[];

/** what a browser requires of a prefixed cookie (RFC 6265bis 4.1.3) */
function expectPrefixRules(c: SetCookie) {
  if (c.name.startsWith('__Host-')) {
    expect(c, c.name).toMatchObject({ secure: true, path: '/' });
    expect(c.domain, c.name).toBeUndefined();
  } else {
    expect(c.name, 'every cookie over HTTPS is prefixed').toMatch(/^__Secure-/);
    expect(c.secure, c.name).toBe(true);
  }
}

const applicationsOf = (t: typeof secure, userId: string) =>
  t.s.db.select({ id: applications.id }).from(applications).where(eq(applications.applicantId, userId));

describe('cookie names over HTTPS: __Host- and __Secure-', () => {
  it('hands out only prefixed cookies with the attributes browsers require, and a session works with them', async () => {
    const c = new Client(secure.app);
    const me = await c.get('/api/auth/me');
    const captcha = await c.get('/api/captcha');
    const applicant = await buildApplicant(secure.s);
    const login = await c.login(applicant.username, applicant.password);

    const all = [...setCookies(me), ...setCookies(captcha), ...setCookies(login)];
    expect(new Set(all.map((x) => x.name))).toEqual(new Set(['__Host-csrf', '__Host-csrf_secret', '__Secure-captcha', '__Host-sid']));
    for (const cookie of all) expectPrefixRules(cookie);
    expect(all.find((x) => x.name === '__Host-sid')).toMatchObject({ httpOnly: true });
    expect(all.find((x) => x.name === '__Host-csrf_secret')).toMatchObject({ httpOnly: true });
    expect(all.find((x) => x.name === '__Secure-captcha')).toMatchObject({ httpOnly: true, path: '/api' });

    // logged in by __Host-sid, and a write passes the CSRF check with __Host-csrf
    expect(json<{ user: { username: string } | null }>(await c.get('/api/auth/me')).user?.username).toBe(applicant.username);
    const created = await c.post('/api/applications', {});
    expect(created.statusCode, created.body).toBe(200);
    expect(await applicationsOf(secure, applicant.user.id)).toHaveLength(1);

    // 退出 clears the session cookie under its own name, with Secure (a browser ignores a __Host- cookie without it)
    const out = await c.post('/api/auth/logout', {});
    expect(out.statusCode, out.body).toBe(200);
    const cleared = setCookies(out).find((x) => x.name === '__Host-sid');
    expect(cleared).toMatchObject({ value: '', secure: true, path: '/' });
    expect(json<{ user: unknown }>(await c.get('/api/auth/me')).user).toBeNull();
  });

  it('a plain-named sid or csrf (planted by a sibling subdomain or over HTTP) is not a session and not a token; nothing is written', async () => {
    const applicant = await buildApplicant(secure.s);
    const c = new Client(secure.app);
    await c.login(applicant.username, applicant.password);
    const sid = c.cookies.get('__Host-sid')!;
    const token = c.csrfToken()!;
    const secret = c.cookies.get('__Host-csrf_secret')!;
    expect(sid && token && secret).toBeTruthy();

    // the session id under the plain name: anonymous
    const asPlain = await secure.app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: `sid=${sid}` } });
    expect(json<{ user: unknown }>(asPlain).user).toBeNull();

    // a write with every cookie under its plain name: refused (not logged in, or the CSRF check), nothing created
    const planted = await secure.app.inject({
      method: 'POST',
      url: '/api/applications',
      headers: { cookie: `sid=${sid}; csrf=${token}; csrf_secret=${secret}`, 'x-csrf-token': token },
      payload: {},
    });
    expect([401, 403]).toContain(planted.statusCode);
    // the real session with a planted plain csrf_secret beside it: the prefixed secret is the one checked
    const mixed = await secure.app.inject({
      method: 'POST',
      url: '/api/applications',
      headers: { cookie: `__Host-sid=${sid}; csrf_secret=planted; csrf=${token}`, 'x-csrf-token': token },
      payload: {},
    });
    expect(mixed.statusCode, mixed.body).toBe(403);
    expect(await applicationsOf(secure, applicant.user.id)).toHaveLength(0);
  });
});

describe('cookie names over plain HTTP', () => {
  it('are plain, without Secure (a browser would drop a Secure or prefixed cookie on http://)', async () => {
    const c = new Client(plain.app);
    const me = await c.get('/api/auth/me');
    const applicant = await buildApplicant(plain.s);
    const login = await c.login(applicant.username, applicant.password);
    const all = [...setCookies(me), ...setCookies(login)];
    expect(new Set(all.map((x) => x.name))).toEqual(new Set(['csrf', 'csrf_secret', 'sid']));
    for (const cookie of all) expect(cookie.secure, cookie.name).toBeFalsy();
    expect(json<{ user: { username: string } | null }>(await c.get('/api/auth/me')).user?.username).toBe(applicant.username);
  });
});
