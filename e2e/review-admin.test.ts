import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ADMIN_PASSWORD, answerDialog, e2eSuite, login, look, open, settled, shot } from './harness';
import { ApiClient, createUnit, expert, forwardedAndAccepted, openOnlineReview } from './api';

// Issue 13 item 7 in Chromium, 自治区科协's 网上评选管理: 分配评审专家 for a picked subset (候选人 and 评审专家: the
// preview lists only the picked candidates), then 回避登记: 【登记回避】 for an assigned pair, after which the expert no
// longer reaches the candidate and 分配情况 shows it short of k. At a desktop's width and on a phone (390×844).
const UNIT = '阿勒泰地区科学技术协会';
const PHONE = { width: 390, height: 844 };

const ids: Record<string, string> = {};
let zhangHui: ApiClient;
const e2e = e2eSuite({
  async setup(platform) {
    const admin = new ApiClient(platform.url);
    await admin.login('admin', ADMIN_PASSWORD);
    await openOnlineReview(admin, { k: 2, L: 5 });
    const unitId = await createUnit(admin, { unitName: UNIT, region: '阿勒泰地区', contactName: '叶尔兰', mobile: '13609906611', username: 'altkx' });
    const u = new ApiClient(platform.url);
    await u.login('altkx', 'Unit2023x');
    ids['阿依古丽'] = await forwardedAndAccepted(platform.url, admin, u, unitId, { name: '阿依古丽', username: 'ayiguli02', mobile: '13899997701' });
    ids['王建新'] = await forwardedAndAccepted(platform.url, admin, u, unitId, { name: '王建新', username: 'wangjx02', mobile: '13899997702' });
    ids['古丽娜'] = await forwardedAndAccepted(platform.url, admin, u, unitId, { name: '古丽娜', username: 'gulina02', mobile: '13899997703' });
    await expert(platform.url, admin, '李明远', '新疆大学', '13999337701');
    zhangHui = await expert(platform.url, admin, '张慧', '新疆农业大学', '13999337702');
    await expert(platform.url, admin, '王磊', '新疆医科大学', '13999337703');
    // two 评审组 of any 推荐领域: 王磊 alone in 医学组
    const experts = await admin.call<{ rows: { id: string; realName: string }[] }>('GET', '/api/admin/experts?pageSize=100');
    const idOf = (name: string) => experts.rows.find((e) => e.realName === name)!.id;
    const medical = await admin.call<{ id: string }>('POST', '/api/admin/expert-groups', { name: '医学组' });
    await admin.call('POST', `/api/admin/expert-groups/${medical.id}/members`, { expertIds: [idOf('王磊')] });
    const farm = await admin.call<{ id: string }>('POST', '/api/admin/expert-groups', { name: '农学组' });
    await admin.call('POST', `/api/admin/expert-groups/${farm.id}/members`, { expertIds: [idOf('李明远'), idOf('张慧')] });
  },
});

/** Picks options of a multiple Select (searched by `texts`), then closes its list. */
async function pickMany(page: Page, label: string, texts: string[]): Promise<void> {
  const box = page.getByRole('combobox', { name: label });
  for (const text of texts) {
    await box.click();
    await box.fill(text);
    await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option', { hasText: text }).first().click();
  }
  await page.keyboard.press('Escape');
}

/** Picks one option of a single Select by searching `text`. */
async function pickOne(page: Page, label: string, text: string): Promise<void> {
  const box = page.getByRole('combobox', { name: label });
  // the field's own row: the chosen option shows there (the dropdown lives elsewhere in the page)
  const field = page.locator('.ant-form-item', { has: box });
  // a busy machine can lose a pick made while the search's reply re-renders the list: pick again until it shows
  for (let attempt = 1; ; attempt++) {
    await box.click();
    await box.fill(text);
    await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option', { hasText: text }).first().click();
    const shown = await expect
      .poll(() => field.innerText(), { timeout: 3_000 })
      .toContain(text)
      .then(() => true)
      .catch(() => false);
    if (shown) return;
    if (attempt === 3) throw new Error(`${label}：选择“${text}”后没有显示所选项`);
  }
}

describe('网上评选管理 in Chromium: the plan’s subsets and 回避登记', () => {
  it('previews and confirms a plan for picked candidates and experts: the preview lists only those', async () => {
    const page = await open(e2e);
    await login(page, 'admin', ADMIN_PASSWORD);
    await page.getByRole('menuitem', { name: '网上评选管理' }).click();
    await page.getByRole('combobox', { name: '候选人' }).waitFor();
    await page.getByText('全部（共3位）').first().waitFor();
    await pickMany(page, '候选人', ['阿依古丽', '王建新']);
    await pickMany(page, '评审专家', ['李明远', '张慧']);
    await page.getByRole('button', { name: '预览' }).click();
    await page.getByText('本次分配涵盖：候选人（所选）2位；评审专家（所选）2位').waitFor();
    await page.getByText('预览：新增4份评审').waitFor();
    await settled(page);
    const rows = page.locator('.ant-table-row');
    expect(await rows.count()).toBe(2);
    const table = (await page.locator('.ant-table').first().innerText()).replace(/\s+/g, ' ');
    expect(table).toContain('阿依古丽');
    expect(table).toContain('王建新');
    expect(table).not.toContain('古丽娜');
    expect(table).not.toContain('王磊');
    await look(page, 'review-admin-plan-subset');

    await page.getByRole('button', { name: '确认分配' }).click();
    await answerDialog(page, '确认分配');
    await page.getByText('已分配：新增4份评审，2位候选人进入网上评选').waitFor();
    await page.getByRole('tab', { name: '分配情况' }).click();
    await page.locator('tr', { hasText: '古丽娜' }).getByText('还差2份').waitFor();

    // 按评审组分配 for the one left: 医学组 only, 古丽娜 only (a preview: nothing stored)
    await page.getByRole('tab', { name: '分配评审专家' }).click();
    await page.getByRole('radio', { name: '按评审组分配' }).check();
    await page.getByText('全部（共2个）').waitFor();
    await pickMany(page, '候选人', ['古丽娜']);
    await pickMany(page, '评审组', ['医学组']);
    await page.getByRole('button', { name: '预览' }).click();
    await page.getByText('本次分配涵盖：候选人（所选）1位；评审组（所选）1个，组内专家1位').waitFor();
    await settled(page);
    expect(await page.locator('.ant-table-row').count()).toBe(1);
    const groups = (await page.locator('.ant-table').first().innerText()).replace(/\s+/g, ' ');
    expect(groups).toContain('古丽娜');
    expect(groups).toContain('王磊');
    expect(groups).not.toContain('李明远');
    await look(page, 'review-admin-plan-groups');
  });

  it('records a 回避 through the page: listed, the expert loses the candidate, the candidate is short of k', async () => {
    // 张慧 reaches 阿依古丽 before
    expect((await zhangHui.call<{ items: { applicationId: string }[] }>('GET', '/api/review/mine')).items.map((i) => i.applicationId)).toContain(
      ids['阿依古丽'],
    );
    const page = await open(e2e);
    await login(page, 'admin', ADMIN_PASSWORD);
    await page.getByRole('menuitem', { name: '网上评选管理' }).click();
    await page.getByRole('tab', { name: '回避登记' }).click();
    await page.getByText('暂无回避登记').waitFor();
    await page.getByRole('button', { name: '登记回避' }).click();
    const dialog = page.getByRole('dialog');
    // the reason is required: named on the form, nothing sent (once the dialog has opened and its lists loaded)
    await dialog.getByRole('combobox', { name: '评审专家' }).waitFor();
    await settled(page);
    await dialog.getByRole('button', { name: '登记回避' }).click();
    await dialog
      .getByText('请选择评审专家')
      .waitFor()
      .catch(async (err: unknown) => {
        await shot(page, 'review-admin-conflict-empty-failed');
        throw err;
      });
    await pickOne(page, '评审专家', '张慧');
    await pickOne(page, '候选人', '阿依古丽');
    await dialog.getByRole('textbox', { name: '回避理由' }).fill('与候选人为同一课题组成员');
    await settled(page);
    await shot(page, 'review-admin-conflict-form');
    await dialog.getByRole('button', { name: '登记回避' }).click();
    await page.getByText('已登记评审专家「张慧」对候选人「阿依古丽」回避；该候选人现有1份有效评审，少于每人至少2份').waitFor();
    const row = page.locator('.ant-table-row', { hasText: '阿依古丽' });
    await row.getByText('与候选人为同一课题组成员').waitFor();
    await row.getByText('自治区科协登记').waitFor();
    await settled(page);
    await look(page, 'review-admin-conflicts');

    // the expert: the candidate is gone from the list and its sheet is not found
    const mine = await zhangHui.call<{ items: { applicationId: string }[] }>('GET', '/api/review/mine');
    expect(mine.items.map((i) => i.applicationId)).not.toContain(ids['阿依古丽']);
    expect(mine.items.map((i) => i.applicationId)).toContain(ids['王建新']);
    const refused = await zhangHui.call('GET', `/api/review/applications/${ids['阿依古丽']}/sheet`).then(
      () => 'answered',
      (err: Error) => err.message,
    );
    expect(refused).toContain(': 404 ');

    // the organizer: 分配情况 shows the candidate short of k, with the 回避 marked
    await page.getByRole('tab', { name: '分配情况' }).click();
    const cand = page.locator('tr', { hasText: '阿依古丽' });
    await cand.getByText('还差1份').waitFor();
    await cand.getByText('张慧 · 回避').waitFor();

    // the page on a phone
    const phone = await open(e2e, PHONE);
    await login(phone, 'admin', ADMIN_PASSWORD);
    await phone.waitForURL((u) => !u.pathname.startsWith('/login'));
    await phone.goto('/admin/review');
    await phone.getByRole('tab', { name: '回避登记' }).click();
    await phone.locator('.ant-table-row', { hasText: '阿依古丽' }).waitFor();
    await settled(phone);
    await look(phone, 'review-admin-conflicts-phone');
    await phone.getByRole('tab', { name: '分配评审专家' }).click();
    await phone.getByRole('combobox', { name: '候选人' }).waitFor();
    await settled(phone);
    await shot(phone, 'review-admin-plan-phone');
    const width = await phone.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(PHONE.width);
  });
});
