import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ADMIN_PASSWORD, e2eSuite, login, newPage, look, choose, settled, openPending } from './harness';
import { ApiClient, createUnit, applicantWithApplication, preliminaryPassed, publishPublicity, submitted } from './api';
import { pdfBytes } from '../server/testing/files';

// The manual's routing (一.6–10, 二.1–11) in Chromium: applicant and unit side by side.
const UNIT = '乌鲁木齐市科学技术协会';
let unitId = '';
let gulnarId = '';

const e2e = e2eSuite({
  async setup(platform) {
    const admin = new ApiClient(platform.url);
    await admin.login('admin', ADMIN_PASSWORD);
    unitId = await createUnit(admin, { unitName: UNIT, region: '乌鲁木齐市', contactName: '王五', mobile: '13609901234', username: 'wlmqkx' });
  },
});

const confirm = (page: Page) => page.locator('.ant-popconfirm').getByRole('button', { name: '确定' }).click();
const row = (page: Page, text: string) => page.locator('tr', { hasText: text }).first();

async function submitFromEditor(page: Page, chooseUnit: boolean) {
  await page.getByRole('menuitem', { name: '我的申报表' }).click();
  await row(page, 'ZMKJ2023').getByText('编辑申请书/提交').click();
  await page.getByRole('button', { name: '提交', exact: true }).click();
  if (chooseUnit) {
    const dialog = page.getByRole('dialog', { name: '选择推荐单位' });
    await dialog.waitFor();
    await choose(page, '推荐单位', UNIT);
    await dialog.getByRole('button', { name: '确定提交' }).click();
  }
  await page
    .getByRole('link', { name: `[申报人]提交到[${UNIT}]` })
    .first()
    .waitFor();
}

describe('提交, 收回, 办理, 退回 and 转交', () => {
  it('follows the manual between 申报人 and 推荐单位', async () => {
    gulnarId = (await applicantWithApplication(e2e.platform.url, { name: '古丽娜尔', username: 'gulnar01', mobile: '13899990001' })).id;
    const a = (await newPage(e2e.browser, e2e.platform.url)).page;
    const u = (await newPage(e2e.browser, e2e.platform.url)).page;

    // 申报人 【编辑申请书/提交】 → 【提交】 to the chosen 推荐单位; "收回" appears
    await login(a, 'gulnar01', 'Apply2023x');
    await submitFromEditor(a, true);
    await row(a, 'ZMKJ2023').getByRole('button', { name: '收回' }).waitFor();
    await look(a, 'routing-01-submitted');
    // opened by its address now, the 申请书 shows every field and lets none be changed (text, list, date, text, 是/否)
    await a.goto(`${e2e.platform.url}/zmkj/applications/${gulnarId}`);
    await a.getByText(/仅当【状态】是申报人时可以编辑/).waitFor();
    for (const label of ['籍贯', '民族', '出生日期', '主要事迹']) expect(await a.getByLabel(label, { exact: true }).isDisabled()).toBe(true);
    for (const radio of await a.getByRole('radiogroup', { name: '是否在新疆工作' }).getByRole('radio').all()) expect(await radio.isDisabled()).toBe(true);
    await a.getByRole('menuitem', { name: '我的申报表' }).click();
    await row(a, 'ZMKJ2023').getByRole('button', { name: '收回' }).waitFor();

    // 收回 before the unit has opened it: 状态 back to 申报人
    await row(a, 'ZMKJ2023').getByRole('button', { name: '收回' }).click();
    await confirm(a);
    await row(a, 'ZMKJ2023').getByRole('link', { name: '申报人', exact: true }).waitFor();
    await submitFromEditor(a, true);

    // the unit 办理: the applicant's 收回 is gone and 已阅 shows
    await login(u, 'wlmqkx', 'Unit2023x');
    await openPending(u, '古丽娜尔', true);
    await u.getByText('[手机: 13899990001]').first().waitFor();
    await look(u, 'routing-02-handle');
    await u.getByRole('button', { name: '附件', exact: true }).click();
    await u.getByRole('navigation', { name: '附件导航' }).getByText('单位意见.png').click();
    await u.locator('img[alt="所在单位意见：单位意见.png"]').waitFor();
    await look(u, 'routing-03-viewer');
    await u.keyboard.press('Escape');
    await a.reload();
    await row(a, 'ZMKJ2023').getByText('已阅', { exact: true }).waitFor();
    expect(await row(a, 'ZMKJ2023').getByRole('button', { name: '收回' }).count()).toBe(0);
    await look(a, 'routing-04-viewed');

    // 修改意见 → 保存 → 退回
    await u.getByRole('tab', { name: '修改意见' }).click();
    await u.getByRole('textbox', { name: '修改意见' }).fill('请在主要事迹中注明推广面积的数据来源。');
    await u.getByRole('button', { name: '保存', exact: true }).click();
    await u.getByText('已保存', { exact: true }).first().waitFor();
    await u.getByRole('button', { name: '退回', exact: true }).click();
    await u.getByRole('tab', { name: '已办理的' }).waitFor();

    // the unit 收回 its return (until the applicant resubmits), then returns again
    await u.getByRole('tab', { name: '已办理的' }).click();
    await row(u, '古丽娜尔').getByRole('button', { name: '收回' }).click();
    await confirm(u);
    await openPending(u, '古丽娜尔', true);
    await u.getByRole('tab', { name: '修改意见' }).click();
    await u.getByRole('button', { name: '退回', exact: true }).click();
    await u.getByRole('tab', { name: '已办理的' }).waitFor();

    // the applicant reads the 修改意见, edits and resubmits to the same unit
    await a.reload();
    await row(a, 'ZMKJ2023')
      .getByRole('link', { name: `[${UNIT}]退回到[申报人]` })
      .waitFor();
    await row(a, 'ZMKJ2023').getByText('编辑申请书/提交').click();
    await a
      .getByText(/请在主要事迹中注明推广面积的数据来源/)
      .first()
      .waitFor();
    await look(a, 'routing-05-returned');
    await a
      .getByRole('textbox', { name: '主要事迹' })
      .fill('扎根南疆二十年，培育抗旱棉花新品种6个，累计推广800万亩（数据来源：自治区农业农村厅2022年统计公报）。');
    await a.getByRole('button', { name: '提交', exact: true }).click();
    await a
      .getByRole('link', { name: `[申报人]提交到[${UNIT}]` })
      .first()
      .waitFor();

    // the unit sees what changed, records 初评 通过, writes 推荐单位意见, uploads 推荐报告扫描件 and the two departments'
    // opinions, and 提交 to 自治区科协
    await openPending(u, '古丽娜尔', true);
    await u.getByText('申报人重新提交后的修改：').first().waitFor();
    await look(u, 'routing-06-changes');
    await u.getByRole('tab', { name: '推荐单位意见' }).click();
    await u.getByRole('radio', { name: '通过', exact: true }).check();
    await u.getByRole('button', { name: '保存初评' }).click();
    await u.getByText('初评已保存：通过').first().waitFor();
    // 初评须公示 (on by default): the unit's 初评公示, already over (the 公示 pages have their own journey: e2e/publicity)
    const publisher = new ApiClient(e2e.platform.url);
    await publisher.login('wlmqkx', 'Unit2023x');
    await publishPublicity(publisher, [gulnarId]);
    await u.getByRole('textbox', { name: '推荐单位意见' }).fill('经初评并公示无异议，同意推荐。');
    await u.getByRole('button', { name: '保存', exact: true }).click();
    await u.getByText('已保存', { exact: true }).first().waitFor();
    // each scan stored before the next (its name shows while it is still uploading: 提交 must not overtake it)
    for (const [label, file] of [
      ['推荐报告扫描件', '推荐报告（盖章）.pdf'],
      ['干部人事管理部门意见', '组织部意见.pdf'],
      ['纪检监察部门意见', '纪委监委意见.pdf'],
    ] as const) {
      const stored = u.waitForResponse((r) => r.url().endsWith('/attachments') && r.request().method() === 'POST');
      await u
        .locator(`section[aria-label="${label}"] input[type=file]`)
        .first()
        .setInputFiles({ name: file, mimeType: 'application/pdf', buffer: pdfBytes(label) });
      expect((await stored).status()).toBe(200);
      await u.getByText(file).first().waitFor();
    }
    await u.getByRole('button', { name: '提交', exact: true }).click();
    await u.getByRole('tab', { name: '已办理的' }).click();
    await row(u, '古丽娜尔')
      .getByRole('link', { name: `[${UNIT}]提交到[自治区科协]` })
      .waitFor();
    await look(u, 'routing-07-forwarded');

    // 收回 before 自治区科协 has opened it, then 提交 again
    await row(u, '古丽娜尔').getByRole('button', { name: '收回' }).click();
    await confirm(u);
    await openPending(u, '古丽娜尔', true);
    await u.getByRole('button', { name: '提交', exact: true }).click();
    await u.getByRole('tab', { name: '已办理的' }).click();
    await row(u, '古丽娜尔')
      .getByRole('link', { name: `[${UNIT}]提交到[自治区科协]` })
      .waitFor();

    // two more forwarded and a fourth refused with the quota
    const unitApi = new ApiClient(e2e.platform.url);
    await unitApi.login('wlmqkx', 'Unit2023x');
    const others = [
      ['王建国', 'wangjg01', '13899990002'],
      ['李明', 'liming01', '13899990003'],
      ['张伟', 'zhangw01', '13899990004'],
    ] as const;
    for (const [i, [name, username, mobile]] of others.entries()) {
      const id = await submitted(e2e.platform.url, { name, username, mobile }, unitId);
      await preliminaryPassed(unitApi, id);
      await publishPublicity(unitApi, [id]);
      if (i < 2) await unitApi.call('POST', `/api/applications/${id}/transitions/forward`);
    }
    await openPending(u, '张伟', true);
    await u.getByRole('button', { name: '提交', exact: true }).click();
    await u
      .getByText(/每个推荐单位最多向自治区科协推荐3名候选人/)
      .first()
      .waitFor();
    await look(u, 'routing-08-quota');
  }, 240_000); // axe on every page

  it('查询申报表 with each filter and sort, and 流程情况', async () => {
    const u = (await newPage(e2e.browser, e2e.platform.url)).page;
    await login(u, 'wlmqkx', 'Unit2023x');
    await u.getByRole('menuitem', { name: '查询申报表' }).click();
    const total = u.locator('.query-total').first();
    await expect.poll(() => total.textContent(), { timeout: 10_000 }).toContain('共4');

    await u.getByLabel('条件').fill('古丽');
    await u.getByRole('button', { name: '查询', exact: true }).click();
    await expect.poll(() => total.textContent(), { timeout: 10_000 }).toContain('共1');
    await u.getByLabel('条件').fill('');

    await u.getByRole('button', { name: '更多筛选条件' }).click();
    await choose(u, '年度', '2023');
    await u.getByLabel('工作单位').fill('新疆');
    await u.getByRole('button', { name: '查询', exact: true }).click();
    await u.getByText('输入必须大于或等于4个字符').first().waitFor();
    await look(u, 'routing-09-query-hint');
    await u.getByLabel('工作单位').fill('新疆农业科学院');
    await u.getByRole('button', { name: '查询', exact: true }).click();
    await expect.poll(() => total.textContent(), { timeout: 10_000 }).toContain('共4');
    await choose(u, '当前步骤', '[推荐单位]提交到[自治区科协]');
    await look(u, 'routing-09b-step');
    await u.getByRole('button', { name: '查询', exact: true }).click();
    await expect.poll(() => total.textContent(), { timeout: 10_000 }).toContain('共3');
    await choose(u, '当前步骤', '全部');
    await u.getByRole('button', { name: '查询', exact: true }).click();
    await expect.poll(() => total.textContent(), { timeout: 10_000 }).toContain('共4');

    const sort = u.getByRole('group', { name: '排序' });
    for (const label of ['转交时间', '工作单位', '推荐单位', '申请书编号从高到低']) {
      await sort.getByRole('button', { name: label }).click();
      await expect.poll(() => sort.getByRole('button', { name: label }).getAttribute('aria-pressed'), { timeout: 10_000 }).toBe('true');
    }
    const numbers = await u.locator('tr').filter({ hasText: 'ZMKJ2023' }).allTextContents();
    const seqs = numbers.map((t) => Number(/ZMKJ2023(\d+)/.exec(t)![1]));
    expect(seqs).toEqual([...seqs].sort((x, y) => y - x));
    await look(u, 'routing-10-query');

    // the status opens 流程情况: every transfer with 从, 到, 办理人, 意见
    await row(u, '古丽娜尔')
      .getByRole('link', { name: `[${UNIT}]提交到[自治区科协]` })
      .click();
    const flow = u.getByRole('dialog');
    await flow.getByText('流程情况').first().waitFor();
    await flow.getByText('请在主要事迹中注明推广面积的数据来源。').first().waitFor();
    expect(await flow.locator('tr').count()).toBeGreaterThanOrEqual(10);
    await look(u, 'routing-11-flow');
  }, 240_000); // axe on every page
});

// The organizer's part (manual 三): 自治区科协 in its own browser beside the unit.
describe('自治区科协: 待审核申报表, 办理, 退回 to the unit', () => {
  let o: Page;
  let u: Page;
  const FORWARDED = `[${UNIT}]提交到[自治区科协]`;
  const RETURNED = `[自治区科协]退回到[${UNIT}]`;
  const ORG_OPINION = '推荐报告缺少纪检监察部门意见，请补充后重新提交。';

  beforeAll(async () => {
    o = (await newPage(e2e.browser, e2e.platform.url)).page;
    u = (await newPage(e2e.browser, e2e.platform.url)).page;
    await login(u, 'wlmqkx', 'Unit2023x');
    await login(o, 'admin', ADMIN_PASSWORD);
  });

  it('lists the forwarded applications; its 办理 counts as viewed and ends the unit’s 收回', async () => {
    // until 自治区科协 opens it, the unit may take its forward back
    await u.getByRole('menuitem', { name: '待审核申报表' }).click();
    await u.getByRole('tab', { name: '已办理的' }).click();
    await row(u, '古丽娜尔').getByRole('link', { name: FORWARDED }).waitFor();
    await row(u, '古丽娜尔').getByRole('button', { name: '收回' }).waitFor();

    // 最美科技工作者 → 待审核申报表: the three forwarded, not the fourth the quota kept at the unit
    await o.getByRole('menuitem', { name: '最美科技工作者' }).waitFor();
    await o.getByRole('menuitem', { name: '待审核申报表' }).click();
    await o.getByRole('tab', { name: '待审核的', selected: true }).waitFor();
    for (const name of ['古丽娜尔', '王建国', '李明']) await row(o, name).getByRole('link', { name: FORWARDED }).waitFor();
    expect(await o.locator('tr', { hasText: '张伟' }).count()).toBe(0);
    await settled(o);
    await look(o, 'routing-12-org-pending');

    // 办理: the application, the unit's 推荐单位意见 and 推荐报告扫描件, read-only
    await row(o, '古丽娜尔').getByText('办理', { exact: true }).click();
    await o.getByText('最美科技工作者/古丽娜尔').first().waitFor();
    await o.getByText('[手机: 13899990001]').first().waitFor();
    expect(await o.getByRole('button', { name: '提交', exact: true }).count()).toBe(0);
    await o.getByRole('button', { name: '退回', exact: true }).waitFor();
    await look(o, 'routing-13-org-handle');
    await o.getByRole('tab', { name: '推荐单位意见' }).click();
    await o.getByText('经初评并公示无异议，同意推荐。').first().waitFor();
    await o.getByText('推荐报告（盖章）.pdf').first().waitFor();
    expect(await o.getByRole('textbox', { name: '推荐单位意见' }).count()).toBe(0);
    await look(o, 'routing-14-org-unit-opinion');

    // the unit (reload): still 提交到自治区科协, but 收回 is gone and 已阅 says why
    await u.reload();
    await row(u, '古丽娜尔').getByRole('link', { name: FORWARDED }).waitFor();
    await row(u, '王建国').getByRole('button', { name: '收回' }).waitFor(); // not yet opened: still its own to take back
    expect(await row(u, '古丽娜尔').getByRole('button', { name: '收回' }).count()).toBe(0);
    await row(u, '古丽娜尔').getByText('已阅', { exact: true }).waitFor();
    expect(await row(u, '王建国').getByText('已阅', { exact: true }).count()).toBe(0);
    await settled(u);
    await look(u, 'routing-15-unit-viewed');
  }, 240_000); // axe on every page

  it('退回 with an opinion; the unit reads it under 待审核的 and 提交 again', async () => {
    // 退回 needs a saved 退回意见
    await o.getByRole('tab', { name: '退回意见' }).click();
    await o.getByRole('textbox', { name: '退回意见' }).fill(ORG_OPINION);
    await o.getByRole('button', { name: '退回', exact: true }).click();
    await o.getByText('【退回意见】尚未保存，请先点击【保存】，再点击【退回】').first().waitFor();
    await o.getByRole('button', { name: '保存', exact: true }).click();
    await o.getByText('已保存', { exact: true }).first().waitFor();
    await look(o, 'routing-16-org-opinion');
    await o.getByRole('button', { name: '退回', exact: true }).click();
    await o.getByRole('tab', { name: '已办理的' }).click();
    await row(o, '古丽娜尔').getByRole('link', { name: RETURNED }).waitFor();
    await settled(o);
    await look(o, 'routing-17-org-returned');

    // the unit: a message in the bell, the application under 待审核的, the organizer's opinion in 办理
    await u.reload();
    const bell = u.getByRole('button', { name: /^消息通知（\d+条未读）$/ });
    await bell.click();
    await u.getByRole('list', { name: '消息列表' }).getByText(`自治区科协对申请书`).first().waitFor();
    await u.getByRole('list', { name: '消息列表' }).getByText(`当前状态：${RETURNED}`).first().waitFor();
    await look(u, 'routing-18-unit-bell');
    // opening the bell marked them read: closed, it counts none; after a reload too (the server's count)
    await u.getByRole('button', { name: '消息通知', exact: true }).click();
    await u.getByRole('list', { name: '消息列表' }).waitFor({ state: 'hidden' });
    await u.reload();
    await u.getByRole('button', { name: '消息通知', exact: true }).waitFor();
    await u.getByRole('tab', { name: '待审核的' }).click();
    await row(u, '古丽娜尔').getByRole('link', { name: RETURNED }).waitFor();
    await settled(u);
    await look(u, 'routing-19-unit-pending');
    await openPending(u, '古丽娜尔', true);
    await u.getByText(`自治区科协退回意见：${ORG_OPINION}`).first().waitFor();
    await look(u, 'routing-20-unit-reads-opinion');

    // 推荐单位意见 and 推荐报告扫描件 are still there: 提交 again, and 自治区科协 has it back
    await u.getByRole('button', { name: '提交', exact: true }).click();
    await u.getByRole('tab', { name: '已办理的' }).click();
    await row(u, '古丽娜尔').getByRole('link', { name: FORWARDED }).waitFor();
    await row(u, '古丽娜尔').getByRole('button', { name: '收回' }).waitFor();
    await o.getByRole('tab', { name: '待审核的' }).click();
    await o.reload();
    await row(o, '古丽娜尔').getByRole('link', { name: FORWARDED }).waitFor();
    await settled(o);
    await look(o, 'routing-21-org-pending-again');
  }, 240_000); // axe on every page
});
