import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ADMIN_PASSWORD, answerDialog, e2eSuite, login, look, open, openPending, settled } from './harness';
import { ApiClient, createUnit, publishPublicity, submitted } from './api';
import { pdfBytes } from '../server/testing/files';

// Issue 13, slice 1 in Chromium: the unit's 初评 and its two departments' opinions, 【提交】 to 自治区科协, 受理 there,
// and what the unit and the applicant see afterwards; at a desktop's width and a phone's (390×844).
const UNIT = '伊犁哈萨克自治州科学技术协会';
const PHONE = { width: 390, height: 844 };
const FORWARDED = `[${UNIT}]提交到[自治区科协]`;
const ACCEPTED = '[自治区科协]已受理';
const REASON = '群众评议中对其推广数据存在疑问，需核实';

let phoneApplication = '';
let reyila = '';
/** the unit's API session: its 初评公示 (the 公示 pages have their own journey, e2e/publicity) */
let unitApi: ApiClient;
const e2e = e2eSuite({
  async setup(platform) {
    const admin = new ApiClient(platform.url);
    await admin.login('admin', ADMIN_PASSWORD);
    const unitId = await createUnit(admin, { unitName: UNIT, region: '伊犁哈萨克自治州', contactName: '努尔兰', mobile: '13609907788', username: 'ylkx' });
    reyila = await submitted(platform.url, { name: '热依拉', username: 'reyila01', mobile: '13899997701' }, unitId);
    // a second candidate, forwarded through the API, for the phone's views
    phoneApplication = await submitted(platform.url, { name: '巴图', username: 'batu01', mobile: '13899997702' }, unitId);
    unitApi = new ApiClient(platform.url);
    await unitApi.login('ylkx', 'Unit2023x');
    await unitApi.call('POST', `/api/applications/${phoneApplication}/open`);
  },
});

const row = (page: Page, text: string) => page.locator('tr', { hasText: text }).first();

async function upload(page: Page, label: string, file: string) {
  await page
    .locator(`section[aria-label="${label}"] input[type=file]`)
    .first()
    .setInputFiles({ name: file, mimeType: 'application/pdf', buffer: pdfBytes(file) });
  await page.getByText(file).first().waitFor();
}

describe('初评 → 提交 → 受理', () => {
  it('the unit records 初评 and uploads the two opinions; 自治区科协 受理; the unit and the applicant see where it is', async () => {
    const u = await open(e2e);
    await login(u, 'ylkx', 'Unit2023x');
    await openPending(u, '热依拉');
    await u.getByRole('tab', { name: '推荐单位意见' }).click();
    await u.getByRole('region', { name: '初评' }).waitFor();
    await look(u, 'intake-01-unit-preliminary');

    // 推荐单位意见 and the three scans, but no 初评: 提交 says what is missing
    await u.getByRole('textbox', { name: '推荐单位意见' }).fill('经初评，该同志扎根基层，事迹突出，同意推荐。');
    await u.getByRole('button', { name: '保存', exact: true }).click();
    await u.getByText('已保存', { exact: true }).first().waitFor();
    await upload(u, '推荐报告扫描件', '推荐报告（盖章）.pdf');
    await upload(u, '干部人事管理部门意见', '州委组织部意见.pdf');
    await upload(u, '纪检监察部门意见', '州纪委监委意见.pdf');
    await u.getByRole('button', { name: '提交', exact: true }).click();
    await u.getByRole('alert').filter({ hasText: '初评结果为通过后方可提交' }).first().waitFor();
    await look(u, 'intake-02-refused-without-preliminary');
    // A refusal comes back within a frame or two: the button must come back whole each time, not keep spinning
    // (antd's loading animation left the spinner on for good when the reply beat it: "loading 提交")
    for (let i = 0; i < 5; i++) {
      const reply = u.waitForResponse((r) => r.url().endsWith('/transitions/forward') && r.request().method() === 'POST');
      await u.getByRole('button', { name: '提交', exact: true }).click();
      expect((await reply).status()).toBe(409);
      await expect.poll(() => u.locator('.handle-buttons .ant-btn-loading-icon, .handle-buttons .anticon-loading').count(), { timeout: 5000 }).toBe(0);
    }

    // 不通过 needs a reason
    await u.getByRole('radio', { name: '不通过', exact: true }).check();
    await u.getByRole('button', { name: '保存初评' }).click();
    await u.getByText('初评结果为不通过时，请填写不通过的理由').first().waitFor();
    expect(await u.getByRole('textbox', { name: '初评理由' }).getAttribute('aria-invalid')).toBe('true');
    await look(u, 'intake-03-reason-required');
    await u.getByRole('textbox', { name: '初评理由' }).fill(REASON);
    await u.getByRole('button', { name: '保存初评' }).click();
    await u.getByText('初评已保存：不通过').first().waitFor();
    // the refusal of this 提交 itself (the alert of the first one is still on the page): the request must be
    // answered before 初评 changes, or the two would overlap
    const refused = u.waitForResponse((r) => r.url().endsWith('/transitions/forward') && r.request().method() === 'POST');
    await u.getByRole('button', { name: '提交', exact: true }).click();
    expect((await refused).ok()).toBe(false);
    await u.getByRole('alert').filter({ hasText: '初评结果为通过后方可提交' }).first().waitFor();

    // changed to 通过, then 提交
    await u.getByRole('radio', { name: '通过', exact: true }).check();
    await u.getByRole('textbox', { name: '初评理由' }).fill('');
    await u.getByRole('button', { name: '保存初评' }).click();
    await u.getByText('初评已保存：通过').first().waitFor();
    await look(u, 'intake-04-preliminary-passed');
    // 初评须公示 (on by default): without a 公示 that has ended, 提交 names what is missing
    const noPublicity = u.waitForResponse((r) => r.url().endsWith('/transitions/forward') && r.request().method() === 'POST');
    await u.getByRole('button', { name: '提交', exact: true }).click();
    expect((await noPublicity).status()).toBe(409);
    await u.getByRole('alert').filter({ hasText: '公示' }).first().waitFor();
    await publishPublicity(unitApi, [reyila]);
    await u.getByRole('button', { name: '提交', exact: true }).click();
    await u.getByRole('tab', { name: '已办理的' }).click();
    await row(u, '热依拉').getByRole('link', { name: FORWARDED }).waitFor();
    await row(u, '热依拉').getByRole('button', { name: '收回' }).waitFor();

    // 自治区科协 opens it: the unit's 初评 read-only; 受理 with a confirmation
    const o = await open(e2e);
    await login(o, 'admin', ADMIN_PASSWORD);
    // 评选活动设置: 初评须公示, on by default (the notice: 初评结果须公示); saving keeps it
    await o.getByRole('menuitem', { name: '评选活动设置' }).click();
    const publicity = o.getByRole('switch', { name: '初评须公示' });
    await publicity.waitFor();
    await expect.poll(() => publicity.getAttribute('aria-checked')).toBe('true');
    await o.getByRole('button', { name: /保\s*存/ }).click();
    await o.getByText('评选活动设置已保存').first().waitFor();
    await look(o, 'intake-05a-settings');
    await openPending(o, '热依拉');
    await o.getByRole('button', { name: '退回', exact: true }).waitFor();
    await o.getByRole('tab', { name: '推荐单位意见' }).click();
    await o.getByRole('region', { name: '初评' }).getByText('通过', { exact: true }).waitFor();
    await o.getByText('州纪委监委意见.pdf').first().waitFor();
    expect(await o.getByRole('button', { name: '保存初评' }).count()).toBe(0);
    await look(o, 'intake-05-org-handle');
    await o.getByRole('button', { name: '受理', exact: true }).click();
    const confirm = o.getByRole('dialog').filter({ hasText: '确定受理该申请书吗？' });
    await confirm.getByText('受理后申请书进入评选，推荐单位不能再收回。').waitFor();
    await look(o, 'intake-06-org-accept-confirm');
    await answerDialog(o, '确定');
    await o.getByRole('tab', { name: '已办理的' }).click();
    await row(o, '热依拉').getByRole('link', { name: ACCEPTED }).waitFor();
    await settled(o);
    await look(o, 'intake-07-org-accepted');

    // the unit: the status, and no 收回
    await u.reload();
    await row(u, '热依拉').getByRole('link', { name: ACCEPTED }).waitFor();
    expect(await row(u, '热依拉').getByRole('button', { name: '收回' }).count()).toBe(0);
    await settled(u);
    await look(u, 'intake-08-unit-sees-accepted');

    // the applicant: the status text in 我的申报表, and nothing of 初评
    const a = await open(e2e);
    await login(a, 'reyila01', 'Apply2023x');
    await a.getByRole('menuitem', { name: '我的申报表' }).click();
    await a.getByText(ACCEPTED).first().waitFor();
    await settled(a);
    expect(await a.locator('body').textContent()).not.toContain('初评');
    await look(a, 'intake-09-applicant-list');
  }, 300_000); // axe on every page

  it('on a phone (390×844): the unit’s 初评 and scans, 自治区科协’s 受理, the applicant’s list', async () => {
    const u = await open(e2e, PHONE);
    await login(u, 'ylkx', 'Unit2023x');
    await u.waitForURL((url) => url.pathname !== '/login');
    await u.goto(`/zmkj/handle/${phoneApplication}`);
    await u.getByText('最美科技工作者/巴图').first().waitFor();
    await u.getByRole('tab', { name: '推荐单位意见' }).click();
    await u.getByRole('radio', { name: '通过', exact: true }).check();
    await u.getByRole('button', { name: '保存初评' }).click();
    await u.getByText('初评已保存：通过').first().waitFor();
    await u.getByRole('textbox', { name: '推荐单位意见' }).fill('同意推荐。');
    await u.getByRole('button', { name: '保存', exact: true }).click();
    await u.getByText('已保存', { exact: true }).first().waitFor();
    await upload(u, '推荐报告扫描件', '推荐报告.pdf');
    await upload(u, '干部人事管理部门意见', '干部意见.pdf');
    await upload(u, '纪检监察部门意见', '纪检意见.pdf');
    await look(u, 'intake-10-phone-unit');
    await publishPublicity(unitApi, [phoneApplication]);
    await u.getByRole('button', { name: '提交', exact: true }).click();
    await u.getByRole('tab', { name: '已办理的' }).waitFor();

    const o = await open(e2e, PHONE);
    await login(o, 'admin', ADMIN_PASSWORD);
    await o.waitForURL((url) => url.pathname !== '/login');
    await o.goto(`/zmkj/handle/${phoneApplication}`);
    await o.getByText('最美科技工作者/巴图').first().waitFor();
    await o.getByRole('button', { name: '受理', exact: true }).waitFor();
    await look(o, 'intake-11-phone-org');
    await o.getByRole('button', { name: '受理', exact: true }).click();
    await answerDialog(o, '确定');
    await o.getByRole('tab', { name: '已办理的' }).waitFor();

    const a = await open(e2e, PHONE);
    await login(a, 'batu01', 'Apply2023x');
    await a.waitForURL((url) => url.pathname !== '/login');
    await a.goto('/zmkj/mine');
    await a.getByText(ACCEPTED).first().waitFor();
    await settled(a);
    await look(a, 'intake-12-phone-applicant');
  }, 300_000);
});
