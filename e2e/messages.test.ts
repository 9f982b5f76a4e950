// Issue 16 items 3 and 8 in Chromium: 自治区科协 edits the 找回密码验证码 SMS template in 消息模板与后台任务; an applicant's
// 找回 makes that message from the new text (消息发件箱 shows it); its delivery through 腾讯云短信 (a local fake that
// verifies the TC3 signature) fails at once for want of the provider's template code, is listed in 失败任务 with its
// reason, and once the code is filled in, 【重新发送】 delivers it (消息发件箱: 已发送).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './api';
import { ADMIN_PASSWORD, CAPTCHA, answerDialog, consoleErrors, e2eSuite, login, look, newPage, startServer } from './harness';
import { fakeTencentSms, type FakeSms } from '../server/testing/fake-providers';

let sms: FakeSms;
beforeAll(async () => {
  sms = await fakeTencentSms('AKIDe2e', 'e2e-secret', '1400000009');
});
afterAll(async () => sms?.close());

const e2e = e2eSuite({
  start: () =>
    startServer({
      SMS_PROVIDER: 'tencent',
      TENCENT_SMS_SECRET_ID: 'AKIDe2e',
      TENCENT_SMS_SECRET_KEY: 'e2e-secret',
      TENCENT_SMS_SDK_APP_ID: '1400000009',
      TENCENT_SMS_ENDPOINT: sms.url,
      SMS_SIGN_NAME: '新疆科技工作者之家',
    }),
});

const NEW_TEXT = '【新疆科技工作者之家】{用户名}：您的找回密码验证码为 {验证码}，15分钟内有效，请勿转告他人。';

describe('消息模板与后台任务', () => {
  it('edit a template, trigger the message, see it in 消息发件箱; the failed delivery re-sent from 失败任务', async () => {
    const { page } = await newPage(e2e.browser, e2e.platform.url);
    const errors = consoleErrors(page);
    await login(page, 'admin', ADMIN_PASSWORD);
    await page.getByRole('menuitem', { name: '消息模板与后台任务' }).click();
    await page.getByText('短信：腾讯云短信').waitFor();
    await page.getByRole('button', { name: '编辑找回密码验证码短信' }).click();
    const dialog = page.getByRole('dialog', { name: /编辑消息模板：找回密码验证码/ });
    await dialog.waitFor();
    const body = dialog.getByRole('textbox', { name: '内容' });
    // an unknown placeholder is named before anything is sent
    await body.fill('【新疆科技工作者之家】{姓名}的验证码 {验证码}');
    await dialog.getByText('{姓名} 不能用于“找回密码验证码”').waitFor();
    await body.fill(NEW_TEXT);
    await dialog.getByTestId('template-preview').getByText('zhangsan：您的找回密码验证码为 123456').waitFor();
    await look(page, 'messages-01-template-editor');
    // unsaved: 取消 and the browser's Back ask first; 留在此页 keeps what was typed
    const leave = page.locator('.unsaved-confirm');
    await dialog.getByRole('button', { name: '取消' }).click();
    await leave.getByText('消息模板有未保存的修改，离开后将丢失。是否离开？').waitFor();
    await answerDialog(page, '留在此页');
    await leave.waitFor({ state: 'detached' });
    await page.evaluate(() => history.back());
    await leave.getByText('消息模板有未保存的修改').waitFor();
    await answerDialog(page, '留在此页');
    await leave.waitFor({ state: 'detached' });
    expect(page.url()).toContain('/admin/messages');
    expect(await body.inputValue()).toBe(NEW_TEXT);
    await dialog.getByRole('button', { name: '保存' }).click();
    await page.getByText('已保存“找回密码验证码”（短信）').waitFor();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('row', { name: /找回密码验证码.*已修改/ }).waitFor();

    // the message, made from the new text when it is sent
    const applicant = new ApiClient(e2e.platform.url);
    await applicant.call('POST', '/api/auth/register/applicant', {
      username: 'msgjourney',
      password: 'Apply2023x',
      realName: '马晓燕',
      mobile: '13912340001',
      email: 'msgjourney@example.cn',
      captcha: CAPTCHA,
    });
    await new ApiClient(e2e.platform.url).call('POST', '/api/auth/recover/send', { username: 'msgjourney', channel: 'mobile', captcha: CAPTCHA });

    await page.getByRole('menuitem', { name: '消息发件箱' }).click();
    const row = page.getByRole('row', { name: /msgjourney：您的找回密码验证码为 \d{6}，15分钟内有效/ });
    await row.waitFor();
    // no 模板编号 yet: the delivery fails at once, saying what is missing
    for (let i = 0; i < 30 && !(await row.getByText('发送失败').count()); i++) {
      await page.getByRole('button', { name: '刷新' }).click();
      await page.waitForTimeout(500);
    }
    await row.getByText('没有填写短信平台模板编号（腾讯云 TemplateId）').first().waitFor();
    await look(page, 'messages-02-outbox-failed');

    // 失败任务 lists it; fill in the code, then 【重新发送】
    await page.getByRole('menuitem', { name: '消息模板与后台任务' }).click();
    await page.getByRole('button', { name: '编辑找回密码验证码短信' }).click();
    await dialog.getByRole('textbox', { name: '短信平台模板编号' }).fill('2233445');
    await dialog.getByRole('button', { name: '保存' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('tab', { name: /失败任务/ }).click();
    const failed = page.getByRole('row', { name: /发送消息.*找回密码.*13912340001/ });
    await failed.waitFor();
    expect(await failed.textContent()).toContain('没有填写短信平台模板编号');
    await look(page, 'messages-03-failed-jobs');
    await failed.getByRole('button', { name: '重新发送' }).click();
    await page.getByText('已重新发送给 13912340001').waitFor();

    await page.getByRole('menuitem', { name: '消息发件箱' }).click();
    for (let i = 0; i < 30 && !(await row.getByText('已发送').count()); i++) {
      await page.getByRole('button', { name: '刷新' }).click();
      await page.waitForTimeout(500);
    }
    await row.getByText('已发送').waitFor();
    expect(sms.sent.at(-1)).toMatchObject({ phone: '+8613912340001', template: '2233445' });
    expect((sms.sent.at(-1)!.params as string[])[0]).toBe('msgjourney');
    expect(sms.refused).toEqual([]);
    // the refused placeholder never reached the server (checked in the page); nothing else went wrong
    expect(errors).toEqual([]);
  });
});
