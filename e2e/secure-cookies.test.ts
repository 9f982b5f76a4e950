import { describe, expect, it } from 'vitest';
import { ApiClient } from './api';
import { CAPTCHA, e2eSuite, login, newPage, startServer } from './harness';

// Over HTTPS (COOKIE_SECURE=1, production's default) the cookies are __Host-/__Secure- prefixed (server/auth/cookies.ts,
// ASVS 3.3.3). Chromium treats http://127.0.0.1 as a secure context, so it keeps them here as it would over HTTPS;
// the web app must then echo the token of __Host-csrf. A log-in, a write (我要申请) and 退出 through the page.
const e2e = e2eSuite({ start: () => startServer({ COOKIE_SECURE: '1' }) });

describe('登录 with prefixed cookies (COOKIE_SECURE=1)', () => {
  it('the browser keeps only __Host-/__Secure- cookies; a write passes the CSRF check; 退出 ends the session', async () => {
    const base = e2e.platform.url;
    await new ApiClient(base).call('POST', '/api/auth/register/applicant', {
      username: 'hostcookie1',
      password: 'Owner2023x',
      realName: '阿依古丽',
      mobile: '13677770001',
      email: 'hostcookie@example.cn',
      captcha: CAPTCHA,
    });
    const { context, page } = await newPage(e2e.browser, base);
    await login(page, 'hostcookie1', 'Owner2023x');
    await page.getByRole('menuitem', { name: '我的申报表' }).waitFor();

    const cookies = await context.cookies();
    expect(cookies.map((c) => c.name).sort()).toEqual(['__Host-csrf', '__Host-csrf_secret', '__Host-sid', '__Secure-captcha']);
    for (const c of cookies) expect(c.secure, c.name).toBe(true);
    expect(cookies.find((c) => c.name === '__Host-sid')).toMatchObject({ httpOnly: true, path: '/' });

    // a write: 我要申请 creates the application (its POST carries the token read from __Host-csrf)
    await page.getByRole('menuitem', { name: '我的申报表' }).click();
    await page.getByRole('button', { name: /我要申请/ }).click();
    await page.waitForURL(/\/zmkj\/applications\//);
    await page.getByText('最美科技工作者/阿依古丽').first().waitFor();

    // 退出: the session cookie goes, and the pages ask for a log-in again
    await page.getByRole('button', { name: /退\s*出/ }).click();
    await page.waitForURL(/\/login/);
    expect((await context.cookies()).map((c) => c.name)).not.toContain('__Host-sid');
    await page.goto('/zmkj/mine');
    await page.waitForURL(/\/login/);
  });
});
