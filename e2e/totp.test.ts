// 两步验证 in Chromium (issue 16 item 7): the first organizer must enrol at first log-in (QR code and key, a code,
// the 10 recovery codes shown once), then logs in with a code from the authenticator, is refused a wrong one, and
// logs in with a recovery code, each good once. Codes are computed here from the key the page shows (RFC 6238).
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { totpCode, totpStep } from '../server/auth/totp';
import { ADMIN_PASSWORD, e2eSuite, login, open, startServer } from './harness';

const e2e = e2eSuite({ start: () => startServer({ MFA_REQUIRED_ROLES: 'organizer,expert' }) });

/** Each code at a later time step than the one before (a code is accepted once), within one step of now. */
function codeSource(secret: string) {
  let last = -Infinity;
  return () => {
    last = Math.max(last + 1, totpStep() - 1);
    return totpCode(secret, last);
  };
}

async function logout(page: Page) {
  await page.getByRole('button', { name: '退出', exact: true }).click();
  await page.waitForURL(/\/login$/);
}

describe('两步验证', () => {
  it('enrolment at first log-in, a code, a wrong code, a recovery code', async () => {
    const page = await open(e2e);

    // 1. the first organizer has no TOTP: after the password only the set-up page opens
    await login(page, 'admin', ADMIN_PASSWORD);
    await page.waitForURL(/\/mfa-setup$/);
    await page.getByText('您的账号必须开启两步验证').waitFor();
    // any other page sends it back here
    await page.goto('/organizer/units');
    await page.waitForURL(/\/mfa-setup$/);
    await page.getByRole('button', { name: '开启两步验证' }).click();
    await page.getByRole('img', { name: '两步验证二维码' }).waitFor();
    const secret = (await page.locator('.totp-secret').getAttribute('data-secret'))!;
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const next = codeSource(secret);

    await page.getByLabel('动态验证码').fill('000000' === totpCode(secret) ? '111111' : '000000');
    await page.getByRole('button', { name: '确认开启' }).click();
    await page.getByRole('alert').filter({ hasText: '验证码不正确或已过期' }).waitFor();

    await page.getByLabel('动态验证码').fill(next());
    await page.getByRole('button', { name: '确认开启' }).click();
    await page.getByText('两步验证已开启').waitFor();
    const recoveryCodes = await page.getByRole('list', { name: '恢复码' }).locator('code').allInnerTexts();
    expect(recoveryCodes).toHaveLength(10);
    await page.getByRole('button', { name: '我已保存恢复码' }).click();
    await page.waitForURL((url) => url.pathname === '/');

    // 账号安全 shows it on, 10 codes left, this session marked 当前
    await page.goto('/account/security');
    await page.getByText('已开启').waitFor();
    await page.getByText('10 个').waitFor();
    await page.locator('.ant-tag', { hasText: '当前' }).waitFor();

    // 2. log-in with the code of the authenticator; a wrong code first
    await logout(page);
    await login(page, 'admin', ADMIN_PASSWORD);
    await page.getByRole('heading', { name: '两步验证' }).waitFor();
    await page.getByLabel('动态验证码').fill(totpCode(secret, totpStep() + 5));
    await page.getByRole('button', { name: '验证并登录' }).click();
    await page.getByRole('alert').filter({ hasText: '验证码不正确或已使用过' }).waitFor();
    await page.getByLabel('动态验证码').fill(next());
    await page.getByRole('button', { name: '验证并登录' }).click();
    // signed in: back to 我的主页 (or to the page the log-out left from)
    await page.waitForURL((url) => url.pathname !== '/login');
    await page.getByRole('button', { name: '退出', exact: true }).waitFor();

    // 3. log-in with a recovery code; the same code a second time is refused
    await logout(page);
    await login(page, 'admin', ADMIN_PASSWORD);
    await page.getByLabel('动态验证码').fill(recoveryCodes[0]!);
    await page.getByRole('button', { name: '验证并登录' }).click();
    await page.waitForURL((url) => url.pathname !== '/login');
    await page.getByRole('button', { name: '退出', exact: true }).waitFor();
    await page.goto('/account/security');
    await page.getByText('9 个').waitFor();

    await logout(page);
    await login(page, 'admin', ADMIN_PASSWORD);
    await page.getByLabel('动态验证码').fill(recoveryCodes[0]!);
    await page.getByRole('button', { name: '验证并登录' }).click();
    await page.getByRole('alert').filter({ hasText: '验证码不正确或已使用过' }).waitFor();
    await page.getByRole('button', { name: '返回重新登录' }).click();
    await page.getByLabel('用户名').waitFor();
  });
});
