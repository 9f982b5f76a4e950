import { describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, answerDialog, e2eSuite, login, look, open, settled, shot } from './harness';
import { ApiClient, createUnit, EXPERT_PASSWORD, expert, forwardedAndAccepted, openOnlineReview } from './api';

// Issue 13 items 7–10 in Chromium: 自治区科协 assigns (预览, 确认分配), an expert scores in the 网上评选 window
// (保存, 提交 with the total in the confirmation), the sheet locks, the progress shows it; at a desktop's width and
// the score page on a phone (390×844).
const UNIT = '塔城地区科学技术协会';
const PHONE = { width: 390, height: 844 };

/** 李明远's log-in name (an expert logs in with the 手机) */
const EXPERT_A = '13999226601';
let candidateA = '';
const e2e = e2eSuite({
  async setup(platform) {
    const admin = new ApiClient(platform.url);
    await admin.login('admin', ADMIN_PASSWORD);
    // 评选活动设置: 初评须公示 off for this journey (the 公示 has its own), the 网上评选 window open today, two reviews per
    // candidate, at most five per expert
    await openOnlineReview(admin, { k: 2, L: 5 });
    const unitId = await createUnit(admin, { unitName: UNIT, region: '塔城地区', contactName: '马合沙提', mobile: '13609908811', username: 'tckx' });
    const u = new ApiClient(platform.url);
    await u.login('tckx', 'Unit2023x');
    candidateA = await forwardedAndAccepted(platform.url, admin, u, unitId, { name: '阿依古丽', username: 'ayiguli01', mobile: '13899996601' });
    await forwardedAndAccepted(platform.url, admin, u, unitId, { name: '王建新', username: 'wangjx01', mobile: '13899996602' });
    await expert(platform.url, admin, '李明远', '新疆大学', EXPERT_A);
    await expert(platform.url, admin, '张慧', '新疆农业大学', '13999226602');
    // works at the recommending unit: recused from both (同单位)
    await expert(platform.url, admin, '赵刚', '塔城地区 科学技术协会', '13999226603');
  },
});

describe('网上评选 in Chromium', () => {
  it('自治区科协 previews and confirms the plan; 回避 keeps the unit’s own expert out', async () => {
    const page = await open(e2e);
    await login(page, 'admin', ADMIN_PASSWORD);
    await page.getByRole('menuitem', { name: '网上评选管理' }).click();
    await page.getByRole('button', { name: '预览' }).click();
    await page
      .getByText('预览：新增4份评审')
      .waitFor()
      .catch(async (err: unknown) => {
        await shot(page, 'review-plan-preview-failed');
        throw err;
      });
    await settled(page);
    expect(await page.locator('.ant-table-row').count()).toBe(2);
    expect(await page.getByText('赵刚').count()).toBe(0);
    await look(page, 'review-plan-preview');
    await page.getByRole('button', { name: '确认分配' }).click();
    await answerDialog(page, '确认分配');
    await page.getByText('已分配：新增4份评审，2位候选人进入网上评选').waitFor();
    await page.getByRole('tab', { name: '分配情况' }).click();
    await page.getByText('李明远 · 未评').first().waitFor();
    await settled(page);
    await look(page, 'review-assignments');
  });

  it('the expert scores: 保存, 提交 with the total in the confirmation, then locked; the score page on a phone', async () => {
    const page = await open(e2e);
    await login(page, EXPERT_A, EXPERT_PASSWORD);
    await page.getByRole('menuitem', { name: '网上评选' }).click();
    await page.getByText('共 2 位候选人').waitFor();
    await settled(page);
    await look(page, 'review-expert-list');
    await page.locator('tr', { hasText: '阿依古丽' }).getByRole('button', { name: '评审' }).click();
    await page.getByText('评分表').first().waitFor();
    await page.getByText('推荐单位意见及初评').waitFor();
    await page.getByRole('radio', { name: '是' }).check();
    await page.getByLabel('业绩突出').fill('45.5');
    await page.getByLabel('事迹感人').fill('26');
    await page.getByRole('button', { name: '保存' }).click();
    await page.getByText('评分已保存，当前总分 71.5 分').waitFor();
    await page.getByLabel('典型性与代表性').fill('18.3');
    await page.getByLabel('评语').fill('长期扎根南疆农业一线，推广成效显著。');
    await page.getByRole('button', { name: '提交' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('89.8').waitFor();
    await shot(page, 'review-submit-confirm');
    await dialog.getByRole('button', { name: '提交' }).click();
    await page.getByText('评分已提交，总分 89.8 分').waitFor();
    await page.getByText('评分表已锁定').waitFor();
    expect(await page.getByRole('button', { name: '保存' }).count()).toBe(0);
    await settled(page);
    await look(page, 'review-score-submitted');

    const phone = await open(e2e, PHONE);
    await login(phone, EXPERT_A, EXPERT_PASSWORD);
    await phone.waitForURL((u) => !u.pathname.startsWith('/login'));
    await phone.goto(`/zmkj/review/${candidateA}`);
    await phone.getByText('评分表').first().waitFor();
    await settled(phone);
    await shot(phone, 'review-score-phone');
    const width = await phone.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(PHONE.width);
  });

  it('expert B declares 回避 on one candidate: it leaves the list and its page cannot be opened; the unit’s own expert has none', async () => {
    const page = await open(e2e);
    await login(page, '13999226602', EXPERT_PASSWORD);
    await page.getByRole('menuitem', { name: '网上评选' }).click();
    await page.getByText('共 2 位候选人').waitFor();
    const other = page.locator('tr', { hasText: '王建新' });
    await other.getByRole('button', { name: '评审' }).click();
    await page.getByText('评分表').first().waitFor();
    const url = page.url();
    await page.getByRole('button', { name: '申报回避' }).click();
    await page.getByRole('textbox', { name: '回避理由' }).fill('与候选人为同一课题组成员');
    await page.getByRole('button', { name: '确认回避' }).click();
    await page.getByText('已申报回避，该候选人已从您的评审任务中移除').waitFor();
    await page.getByText('共 1 位候选人').waitFor();
    expect(await page.getByText('王建新').count()).toBe(0);
    // the candidate's own address: refused as if it did not exist (404), nothing of the 申请书 shown
    await page.goto(url);
    await page.getByText('无法打开该候选人的评审').waitFor();
    expect(await page.getByText('王建新').count()).toBe(0);
    await settled(page);
    await look(page, 'review-recused-expert');

    // 赵刚 works at the recommending unit (同单位): never assigned, nothing to open
    const zhao = await open(e2e);
    await login(zhao, '13999226603', EXPERT_PASSWORD);
    await zhao.getByRole('menuitem', { name: '网上评选' }).click();
    await zhao.getByText('自治区科协尚未分配给您评审任务').first().waitFor();
    await zhao.goto(`/zmkj/review/${candidateA}`);
    await zhao.getByText('无法打开该候选人的评审').waitFor();
    expect(await zhao.getByText('阿依古丽').count()).toBe(0);
  });

  it('progress shows the submitted sheet; 催办 reaches the expert who has not finished', async () => {
    const page = await open(e2e);
    await login(page, 'admin', ADMIN_PASSWORD);
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    await page.goto('/admin/review');
    await page.getByRole('tab', { name: '评审进度' }).click();
    await page.getByText('李明远').first().waitFor();
    await page.getByRole('button', { name: '催办' }).click();
    await page.getByText(/已向\d位尚未完成评审的专家发送催办/).waitFor();
    await settled(page);
    await look(page, 'review-progress');

    // 评选活动设置: the 评分标准 is shown, and locked now that a sheet is saved
    await page.getByRole('menuitem', { name: '评选活动设置' }).click();
    await page.getByText('网上评选', { exact: true }).first().waitFor();
    // 业绩突出 50 → 40, 事迹感人 30 → 40: still 100 in all, so only the lock refuses it
    await page.getByLabel('满分').nth(0).fill('40');
    await page.getByLabel('满分').nth(1).fill('40');
    await page
      .getByRole('button', { name: /保\s*存/ })
      .first()
      .click();
    await page.getByText('评分标准已锁定').first().waitFor();
    await page.getByText('网上评选', { exact: true }).first().scrollIntoViewIfNeeded();
    await shot(page, 'review-settings-locked');
  });
});
