import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ADMIN_PASSWORD, CAPTCHA, e2eSuite, login, newPage, look, choose } from './harness';

const e2e = e2eSuite();

const errorToast = (page: Page) => page.locator('.ant-message-notice, .ant-alert-error').first();

describe('推荐单位 registers, waits for 自治区科协, then logs in', () => {
  it('a unit cannot log in until the organizer approves it', async () => {
    const { page } = await newPage(e2e.browser, e2e.platform.url);
    await page.goto('/register');
    await page.getByRole('tab', { name: '推荐单位注册' }).click();
    await page.getByLabel('单位名称').waitFor();
    await page.getByLabel('单位名称').fill('昌吉回族自治州科学技术协会');
    await choose(page, '单位类型', '地州市科协');
    await choose(page, '所在地区', '昌吉回族自治州');
    await page.getByLabel('联系人').fill('马建国');
    // 联系电话 a landline; the account's own 手机 receives 找回 codes and texts (issue 11)
    await page.getByLabel('联系电话').fill('0994-2345678');
    await page.getByLabel('手机', { exact: true }).fill('13909941234');
    await page.getByLabel('电子邮箱').fill('cjkx@example.cn');
    await page.getByLabel('用户名').fill('cjkx2023');
    await page.getByLabel('密码', { exact: true }).fill('Changji2023');
    await page.getByLabel('确认密码').fill('Changji2023');
    await page.getByLabel('验证码').fill(CAPTCHA);
    await look(page, 'unit-01-register');
    await page.getByRole('button', { name: /注\s*册/ }).click();
    await page.getByText('审核通过后方可登录').first().waitFor();
    await look(page, 'unit-02-pending');

    // logging in now is refused, and says why
    await login(page, 'cjkx2023', 'Changji2023');
    await page.getByText('该推荐单位账号正在等待自治区科协审核，审核通过后方可登录').first().waitFor();
    expect(page.url()).toContain('/login');
    await look(page, 'unit-03-login-refused');

    // 自治区科协 approves it under 推荐单位管理 → 待审核
    const org = await newPage(e2e.browser, e2e.platform.url);
    await login(org.page, 'admin', ADMIN_PASSWORD);
    await org.page.getByRole('menuitem', { name: '推荐单位管理' }).click();
    const row = org.page.locator('tr', { hasText: '昌吉回族自治州科学技术协会' });
    await row.waitFor();
    await look(org.page, 'unit-04-organizer-pending');
    await row
      .getByRole('button', { name: /通\s*过/ })
      .first()
      .click();
    await row.waitFor({ state: 'detached' });
    await org.page.getByRole('tab', { name: '已通过' }).click();
    await org.page.locator('tr', { hasText: '昌吉回族自治州科学技术协会' }).waitFor();

    // the approval SMS is in the 消息发件箱
    await org.page.getByRole('menuitem', { name: '消息发件箱' }).click();
    await org.page.getByText(/昌吉回族自治州科学技术协会的推荐单位账号 cjkx2023 已通过自治区科协审核/).waitFor();
    await look(org.page, 'unit-05-outbox');

    // now the unit logs in and sees its menu
    await login(page, 'cjkx2023', 'Changji2023');
    await page.getByRole('menuitem', { name: '待审核申报表' }).waitFor();
    expect(await page.getByRole('menuitem', { name: '查询申报表' }).isVisible()).toBe(true);
    expect(await page.getByRole('menuitem', { name: '我的申报表' }).count()).toBe(0);
    await look(page, 'unit-06-home');
    // 账号信息 from the menu: the 手机 given at registration, editable
    await page.getByRole('menuitem', { name: '账号信息' }).click();
    await expect.poll(() => page.getByLabel('手机', { exact: true }).inputValue()).toBe('13909941234');
    await page.getByLabel('手机', { exact: true }).fill('13909945678');
    // the recovery phone changes only with the password: without it, the field says so and nothing is saved
    await page.getByRole('button', { name: /保\s*存/ }).click();
    await page.getByText('请输入当前密码，确认是本人修改').first().waitFor();
    await page.getByLabel('当前密码').fill('Changji2023x');
    await page.getByRole('button', { name: /保\s*存/ }).click();
    await page.getByText('当前密码不正确，账号信息未修改').first().waitFor();
    await page.getByLabel('当前密码').fill('Changji2023');
    await page.getByRole('button', { name: /保\s*存/ }).click();
    await page.getByText('账号信息已保存').first().waitFor();
    expect(await page.getByLabel('当前密码').inputValue()).toBe('');
    await look(page, 'unit-07-account');
    expect(await errorToast(page).count()).toBeGreaterThanOrEqual(0);
  }, 240_000); // axe on every page
});

describe('找回 through the outbox', () => {
  it('resets a forgotten password with the code the organizer can read in 消息发件箱', async () => {
    // an applicant registers through the API the web uses
    const res = await fetch(`${e2e.platform.url}/api/auth/me`);
    // the readable token and the httpOnly secret it is bound to (docs/SECURITY.md, CSRF)
    const cookies = res.headers.getSetCookie().map((c) => c.split(';')[0]!);
    const csrf = cookies.find((c) => c.startsWith('csrf='))!.slice('csrf='.length);
    const reg = await fetch(`${e2e.platform.url}/api/auth/register/applicant`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf, cookie: cookies.join('; ') },
      body: JSON.stringify({
        username: 'forgetful1',
        password: 'OldPass123',
        realName: '阿依古丽',
        mobile: '13566667777',
        email: 'ayi@example.cn',
        captcha: CAPTCHA,
      }),
    });
    expect(reg.status).toBe(200);

    const { page } = await newPage(e2e.browser, e2e.platform.url);
    await page.goto('/login');
    await page.getByRole('link', { name: '找回' }).waitFor();
    await look(page, 'recover-00-login');
    await page.getByRole('link', { name: '找回' }).click();
    await page.getByLabel('找回方式').waitFor();
    await page.getByLabel('用户名').fill('forgetful1');
    await page.getByLabel('找回方式').getByText('手机').click();
    await page.getByLabel('验证码').fill(CAPTCHA);
    await page.getByRole('button', { name: /发送验证码/ }).click();
    await page.getByText(/若该用户名存在且登记了手机号码，验证码已发送至该手机/).waitFor(); // the same answer for any name (docs/SECURITY.md)
    await look(page, 'recover-01-sent');

    const org = await newPage(e2e.browser, e2e.platform.url);
    await login(org.page, 'admin', ADMIN_PASSWORD);
    await org.page.getByRole('menuitem', { name: '消息发件箱' }).click();
    const message = org.page.locator('tr', { hasText: '13566667777' }).first();
    await message.waitFor();
    const code = /验证码 (\d{6})/.exec((await message.textContent()) ?? '')![1]!;

    await page.getByLabel('验证码').fill(code);
    await page.getByLabel('新密码', { exact: true }).fill('NewPass456');
    await page.getByLabel('确认新密码').fill('NewPass456');
    await page.getByRole('button', { name: /重置密码/ }).click();
    await page.getByText('密码已重置').waitFor();
    await look(page, 'recover-02-done');

    await login(page, 'forgetful1', 'OldPass123');
    await page
      .getByText(/用户名或密码错误/)
      .first()
      .waitFor();
    await login(page, 'forgetful1', 'NewPass456');
    await page.getByRole('menuitem', { name: '我的申报表' }).waitFor();
  }, 240_000); // axe on every page
});
