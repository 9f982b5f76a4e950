// Security headers and the CSP on every kind of response (issue 16 item 7, docs/SECURITY.md): the web app (index.html,
// a hashed asset, a deep link), the API (a reply, an error, a 404), the public pages (/results, /verify), the files
// (an attachment download, the captcha image), and HSTS over HTTPS in production only.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { buildApplicant, buildApplication } from './testing/factories';
import { pdfBytes } from './testing/files';
import { Client, json, startTestPlatform } from './testing/harness';

const web = fs.mkdtempSync(path.join(os.tmpdir(), 'xjkx-headers-web-'));
fs.mkdirSync(path.join(web, 'assets'));
fs.writeFileSync(
  path.join(web, 'index.html'),
  '<!doctype html><html><head><script type="module" src="/assets/index-abc.js"></script></head><body></body></html>',
);
fs.writeFileSync(path.join(web, 'assets', 'index-abc.js'), 'console.log(1)');

let t: Awaited<ReturnType<typeof startTestPlatform>>;
let prod: Awaited<ReturnType<typeof startTestPlatform>>;
beforeAll(async () => {
  t = await startTestPlatform({ WEB_DIST: web });
  prod = await startTestPlatform({ WEB_DIST: web, COOKIE_SECURE: '1' });
});
afterAll(async () => {
  await t?.close();
  await prod?.close();
  fs.rmSync(web, { recursive: true, force: true });
});

function directives(res: LightMyRequestResponse): Map<string, string[]> {
  const csp = String(res.headers['content-security-policy'] ?? '');
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [name!, values]),
  );
}

function expectStrictHeaders(res: LightMyRequestResponse, what: string) {
  const csp = directives(res);
  expect(csp.size, `${what}: a CSP`).toBeGreaterThan(5);
  expect(csp.get('script-src'), what).toEqual(["'self'"]);
  expect(csp.get('script-src-attr'), what).toEqual(["'none'"]);
  expect(csp.get('default-src'), what).toEqual(["'self'"]);
  expect(csp.get('object-src'), what).toEqual(["'none'"]);
  expect(csp.get('frame-ancestors'), what).toEqual(["'none'"]);
  expect(csp.get('base-uri'), what).toEqual(["'none'"]);
  expect(csp.get('form-action'), what).toEqual(["'self'"]);
  // 'unsafe-inline' for styles only (Ant Design's CSS-in-JS); never for scripts, never 'unsafe-eval'
  for (const [name, values] of csp) {
    if (name !== 'style-src') expect(values, `${what}: ${name}`).not.toContain("'unsafe-inline'");
    expect(values, `${what}: ${name}`).not.toContain("'unsafe-eval'");
  }
  expect(res.headers['x-content-type-options'], what).toBe('nosniff');
  expect(res.headers['x-frame-options'], what).toBe('DENY');
  expect(res.headers['referrer-policy'], what).toBe('strict-origin-when-cross-origin');
  expect(res.headers['cross-origin-opener-policy'], what).toBe('same-origin');
  expect(res.headers['cross-origin-resource-policy'], what).toBe('same-origin');
  expect(res.headers['x-powered-by'], what).toBeUndefined();
}

describe('security headers on every kind of response', () => {
  it('the web app, the API, the public pages, files and errors all carry the strict CSP and the other headers; no HSTS over plain HTTP', async () => {
    const c = new Client(t.app);
    const applicant = await buildApplicant(t.s);
    await c.login(applicant.username, applicant.password);
    const application = await buildApplication(t.s, applicant.user);
    const up = await c.upload(`/api/applications/${application.id}/attachments`, 'integrity_pledge', '承诺书.pdf', pdfBytes());
    expect(up.statusCode, up.body).toBe(200);

    const cases: [string, LightMyRequestResponse, number][] = [
      ['the SPA at /', await c.get('/'), 200],
      ['a deep link of the SPA', await c.get('/account/security'), 200],
      ['a hashed asset', await c.get('/assets/index-abc.js'), 200],
      ['an API reply', await c.get('/api/auth/me'), 200],
      ['an API error', await new Client(t.app).get('/api/account/security'), 401],
      ['an unknown API', await c.get('/api/nothing-here'), 404],
      ['the public results page', await c.get('/results'), 200],
      ['a certificate check page', await c.get('/verify/NOSUCHCODE'), 404],
      ['an attachment download', await c.get(`/api/attachments/${json<{ id: string }>(up).id}`), 200],
      ['the captcha image', await c.get('/api/captcha'), 200],
    ];
    for (const [what, res, status] of cases) {
      expect(res.statusCode, what).toBe(status);
      // the API's replies are not kept by the browser or a proxy
      if (what.startsWith('an API') || what.startsWith('an unknown API') || what.startsWith('an attachment')) {
        expect(res.headers['cache-control'], what).toMatch(/no-store/);
      }
      expectStrictHeaders(res, what);
      expect(res.headers['strict-transport-security'], what).toBeUndefined();
    }
  });

  it('sends HSTS (a year, subdomains) and upgrade-insecure-requests over HTTPS in production', async () => {
    for (const url of ['/', '/api/auth/me', '/results']) {
      const res = await new Client(prod.app).get(url);
      expectStrictHeaders(res, url);
      expect(res.headers['strict-transport-security'], url).toBe('max-age=31536000; includeSubDomains');
      expect(directives(res).has('upgrade-insecure-requests'), url).toBe(true);
    }
  });
});
