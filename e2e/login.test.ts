import { describe, expect, it } from 'vitest';
import { ApiClient } from './api';
import { ADMIN_PASSWORD, CAPTCHA, e2eSuite, login, newPage, look, startServer } from './harness';

// The server believes X-Forwarded-For from 127.0.0.1 (this test), so the attack below comes from four
// addresses, while the browser, which sends no such header, is 127.0.0.1 itself (docs/SECURITY.md).
const e2e = e2eSuite({ start: () => startServer({ TRUST_PROXY: '127.0.0.1' }) });

/** five wrong passwords for `username` from `address`, with the cookies and CSRF token of a fresh browser */
async function attack(base: string, username: string, address: string) {
  const me = await fetch(`${base}/api/auth/me`);
  const cookies = me.headers.getSetCookie().map((c) => c.split(';')[0]!);
  const csrf = cookies.find((c) => c.startsWith('csrf='))!.slice('csrf='.length);
  for (let i = 0; i < 5; i++) {
    const res = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: cookies.join('; '), 'x-csrf-token': csrf, 'x-forwarded-for': address },
      body: JSON.stringify({ username, password: `wrong-pass${i}`, captcha: CAPTCHA }),
    });
    expect(res.status).toBe(i < 4 ? 401 : 423);
  }
}

describe('登录 while the account is under attack', () => {
  it('the owner logs in with the code sent to the registered mobile; the CSRF token changes at log-in', async () => {
    const base = e2e.platform.url;
    await new ApiClient(base).call('POST', '/api/auth/register/applicant', {
      username: 'besieged1',
      password: 'Owner2023x',
      realName: '古丽娜',
      mobile: '13677778888',
      email: 'gln@example.cn',
      captcha: CAPTCHA,
    });
    for (const address of ['198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.4']) await attack(base, 'besieged1', address);

    const { context, page } = await newPage(e2e.browser, base);
    await login(page, 'besieged1', 'Owner2023x');
    await page.getByText(/已向您登记的手机 136\*\*\*\*8888 发送登录验证码/).waitFor();
    await page.getByLabel('短信验证码').waitFor();
    await look(page, 'login-01-sms-asked');
    const before = (await context.cookies()).find((c) => c.name === 'csrf')!.value;

    const admin = new ApiClient(base);
    await admin.login('admin', ADMIN_PASSWORD);
    const outbox = await admin.call<{ recipient: string; body: string }[]>('GET', '/api/admin/outbox');
    const text = outbox.find((m) => m.recipient === '13677778888' && m.body.includes('正在登录'))!;
    const code = /验证码 (\d{6})/.exec(text.body)![1]!;

    await page.getByLabel('短信验证码').fill(code);
    await page.getByLabel('验证码', { exact: true }).fill(CAPTCHA);
    await page.getByRole('button', { name: /登\s*录/ }).click();
    await page.getByRole('menuitem', { name: '我的申报表' }).waitFor();
    await look(page, 'login-02-in');
    const after = (await context.cookies()).find((c) => c.name === 'csrf')!.value;
    expect(after).not.toBe(before);
    // the new token works: 我要申请 creates an application through the API client of the page
    await page.getByRole('menuitem', { name: '我的申报表' }).click();
    await page.getByRole('button', { name: /我要申请/ }).click();
    await page.waitForURL(/\/zmkj\/applications\//);
    await page.getByText('最美科技工作者/古丽娜').first().waitFor();
  });
});
