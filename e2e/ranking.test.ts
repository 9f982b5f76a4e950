import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { readSheet } from 'read-excel-file/node';
import { ADMIN_PASSWORD, e2eSuite, login, look, open, settled, shot } from './harness';
import { ApiClient, createUnit, beijingDay, expert, forwardedAndAccepted } from './api';
import type { RankFigure, RankingReply } from '../core/review';

// Issue 13 item 11 in Chromium: 网上评选结果 for 自治区科协. Five candidates, three experts who each review all of
// them (one sheet left unsubmitted); the page ranks as the API does by each figure, shows 并列, the 政治过硬 mark,
// the incomplete and the disputed candidates, links to the 申请书 and downloads the .xlsx; desktop and 390×844.
const UNIT = '阿勒泰地区科学技术协会';
const PHONE = { width: 390, height: 844 };

/** A total split over 业绩突出 (50), 事迹感人 (30) and 典型性与代表性 (20), in tenths. */
function scores(total: number) {
  const story = Math.round(total * 3) / 10;
  const typical = Math.round(total * 2) / 10;
  return { achievement: Math.round((total - story - typical) * 10) / 10, story, typical };
}

// totals by expert (the first is lenient and close, the third harsh and wide): by 平均分 乙 first among the complete,
// 甲 and 丙 tied; by z分数 甲 before 乙 and 戊 down to third. 戊 lacks the third expert's sheet; 丁 gets a 政治过硬 否.
const NAMES = ['甲文华', '乙志强', '丙丽娜', '丁海涛', '戊建国'] as const;
const TOTALS: (number | null)[][] = [
  [90, 88, 86, 84, 85],
  [80, 70, 75, 60, 90],
  [50, 72, 59, 40, null],
];

let campaignId = '';
let admin: ApiClient;
const ids = new Map<string, string>();
const e2e = e2eSuite({
  async setup(platform) {
    admin = new ApiClient(platform.url);
    await admin.login('admin', ADMIN_PASSWORD);
    const current = await admin.call<{ id: string }>('GET', '/api/campaigns/current?program=ZMKJ');
    campaignId = current.id;
    const campaign = await admin.call<{ settings: Record<string, unknown> & { windows: Record<string, unknown>; review: Record<string, unknown> } }>(
      'GET',
      `/api/admin/campaigns/${campaignId}`,
    );
    // 网上评选 open today; every expert reviews every candidate (k 3, L 5); 初评须公示 off (the 公示 has its journey)
    const settings = {
      ...campaign.settings,
      preliminary: { requirePublicity: false },
      windows: { ...campaign.settings.windows, online: { start: beijingDay(-1), end: beijingDay(6) } },
      review: { ...campaign.settings.review, k: 3, L: 5 },
    };
    await admin.call('PUT', `/api/admin/campaigns/${campaignId}`, { settings });
    // two units: a unit recommends at most three
    const units: { id: string; client: ApiClient }[] = [];
    const pairs = [
      [UNIT, '阿勒泰地区'],
      ['哈密市科学技术协会', '哈密市'],
    ] as const;
    for (const [i, [unitName, region]] of pairs.entries()) {
      const unitId = await createUnit(admin, { unitName, region, contactName: '叶尔兰', mobile: `1360990661${i}`, username: `rankunit${i}` });
      const client = new ApiClient(platform.url);
      await client.login(`rankunit${i}`, 'Unit2023x');
      units.push({ id: unitId, client });
    }
    for (const [i, name] of NAMES.entries()) {
      const unit = units[i < 3 ? 0 : 1]!;
      ids.set(name, await forwardedAndAccepted(platform.url, admin, unit.client, unit.id, { name, username: `rank0${i}`, mobile: `1389999770${i}` }));
    }
    const experts = [
      await expert(platform.url, admin, '李明远', '新疆大学', '13999227701'),
      await expert(platform.url, admin, '张慧', '新疆农业大学', '13999227702'),
      await expert(platform.url, admin, '马国栋', '石河子大学', '13999227703'),
    ];
    await admin.call('POST', `/api/review/campaigns/${campaignId}/plan/confirm`, { mode: 'balanced', k: 3, L: 5 });
    for (const [e, ex] of experts.entries()) {
      for (const [i, name] of NAMES.entries()) {
        const total = TOTALS[e]![i]!;
        if (total === null) continue;
        const sheet = `/api/review/applications/${ids.get(name)}/sheet`;
        const body = { scores: scores(total), gates: { political: !(e === 2 && name === '丁海涛') } };
        await ex.call('PUT', sheet, body);
        await ex.call('POST', `${sheet}/submit`, body);
      }
    }
  },
});

/** The table's 排名 and 姓名, row by row. */
async function shown(page: Page) {
  return page.locator('.ant-table-tbody tr.ant-table-row').evaluateAll((trs) =>
    trs.map((tr) => {
      const cells = tr.querySelectorAll('td');
      return [cells[0]!.textContent!.trim(), cells[2]!.textContent!.trim()];
    }),
  );
}

const expected = async (by: RankFigure) => {
  const r = await admin.call<RankingReply>('GET', `/api/review/campaigns/${campaignId}/ranking?by=${by}`);
  return r.rows.map((row) => [row.rankLabel, row.name]);
};

describe('网上评选结果 in Chromium', () => {
  it('ranks as the API does by each figure, with 并列, the marks, the link to the 申请书 and the .xlsx', async () => {
    const page = await open(e2e);
    await login(page, 'admin', ADMIN_PASSWORD);
    await page.getByRole('menuitem', { name: '网上评选结果' }).click();
    await page
      .getByRole('heading', { name: '网上评选结果' })
      .or(page.getByText('网上评选结果', { exact: true }).first())
      .waitFor();
    await page.locator('.ant-table-row').first().waitFor();
    await settled(page);
    // the campaign's choice (消除评委宽严差异后的估计分), marked 默认, with its note
    await page.getByText('消除评委宽严差异后的估计分（默认）').waitFor();
    await page.getByText('按“总分 = 候选人水平 + 专家宽严偏差”').waitFor();
    expect(await shown(page)).toEqual(await expected('additive'));
    await look(page, 'ranking-additive');

    // 平均分: 戊 first (two sheets), 乙, then 甲 and 丙 并列第3, 丁 last
    await page.getByLabel('排名依据').click();
    await page.locator('.ant-select-item-option', { hasText: /^平均分$/ }).click();
    await page.getByText('全部已提交评分表总分的平均值').waitFor();
    await settled(page);
    const byMean = await shown(page);
    expect(byMean).toEqual(await expected('mean'));
    expect(byMean).toEqual([
      ['第1', '戊建国'],
      ['第2', '乙志强'],
      ['并列第3', '甲文华'],
      ['并列第3', '丙丽娜'],
      ['第5', '丁海涛'],
    ]);

    // the figure that ranks stands beside the name, emphasised: 乙's mean of 88, 70 and 72
    expect(await page.locator('.ant-table-thead th').nth(3).textContent()).toBe('平均分');
    expect(await page.locator('tr', { hasText: '乙志强' }).locator('td').nth(3).locator('strong').textContent()).toBe('76.67');

    // z分数: the harsh expert's wide scores count no more than the lenient one's: 甲 now before 乙, no tie
    await page.getByLabel('排名依据').click();
    await page.locator('.ant-select-item-option', { hasText: /^标准分（z分数）平均$/ }).click();
    await page.getByText('每份总分换算为该专家全部评分的标准分').waitFor();
    await settled(page);
    const byZ = await shown(page);
    expect(byZ).toEqual(await expected('zMean'));
    // (戊's two sheets sit low in each expert's own scale: from first to third)
    expect(byZ).toEqual([
      ['第1', '甲文华'],
      ['第2', '乙志强'],
      ['第3', '戊建国'],
      ['第4', '丙丽娜'],
      ['第5', '丁海涛'],
    ]);
    expect(byZ.some(([l]) => l!.startsWith('并列'))).toBe(false);

    // the marks: 丁's 否, 戊's missing sheet, 甲's spread (50 to 90)
    await page.locator('tr', { hasText: '丁海涛' }).getByText('政治过硬有否决票 1').waitFor();
    await page.locator('tr', { hasText: '戊建国' }).getByText('尚有1份未提交').waitFor();
    await page.locator('tr', { hasText: '甲文华' }).getByText('分歧较大').waitFor();
    // 戊's two sheets agree (85, 90) and say 是: no other mark; 乙 has no 否 and all three sheets
    expect(
      await page
        .locator('tr', { hasText: '戊建国' })
        .getByText(/分歧较大|否决票/)
        .count(),
    ).toBe(0);
    expect(
      await page
        .locator('tr', { hasText: '乙志强' })
        .getByText(/否决票|未提交/)
        .count(),
    ).toBe(0);
    await look(page, 'ranking-zmean');
    await page.locator('tr', { hasText: '甲文华' }).getByText('分歧较大').hover();
    await page.getByRole('tooltip').getByText('标准差不低于8分').waitFor();
    await shot(page, 'ranking-spread-tooltip');

    // 【下载Excel】 by the figure chosen: the same order as the page
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: '下载Excel' }).click()]);
    expect(download.suggestedFilename()).toMatch(/\.xlsx$/);
    const rows = await readSheet(fs.readFileSync((await download.path())!));
    expect(rows[0]!.slice(0, 3)).toEqual(['排名', '申请书编号', '姓名']);
    expect(rows.slice(1).map((r) => [r[0], r[2]])).toEqual(byZ);

    // the name opens the 申请书 (read-only)
    await page.getByRole('link', { name: '丁海涛' }).click();
    await page.waitForURL(`**/zmkj/view/${ids.get('丁海涛')}`);
    await page.getByText('丁海涛').first().waitFor();
  });

  it('on a phone the figure and the download stay on screen; the table scrolls inside its card', async () => {
    const page = await open(e2e, PHONE);
    await login(page, 'admin', ADMIN_PASSWORD);
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    await page.goto('/admin/ranking');
    await page.locator('.ant-table-row').first().waitFor();
    await settled(page);
    expect(await page.getByLabel('排名依据').isVisible()).toBe(true);
    expect(await page.getByRole('link', { name: '下载Excel' }).isVisible()).toBe(true);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(PHONE.width);
    await look(page, 'ranking-phone');
  });

  it('says so when no sheet is submitted, when the design splits, and when loading fails', async () => {
    const page = await open(e2e);
    await login(page, 'admin', ADMIN_PASSWORD);
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    const real = await admin.call<RankingReply>('GET', `/api/review/campaigns/${campaignId}/ranking`);
    let reply: unknown = { ...real, submittedSheets: 0, rows: real.rows.map((r) => ({ ...r, sheets: 0, rank: null, rankLabel: '未评分' })) };
    let status = 200;
    await page.route('**/api/review/campaigns/*/ranking*', (route) => route.fulfill({ status, contentType: 'application/json', body: JSON.stringify(reply) }));
    await page.goto('/admin/ranking');
    await page.getByText('尚无已提交的评分表').waitFor();
    expect(await page.locator('.ant-table').count()).toBe(0);
    await look(page, 'ranking-empty');

    reply = { ...real, components: 2 };
    await page.reload();
    await page.getByText('评审分配分为2个互不相连的组').waitFor();
    await page.getByText('“消除评委宽严差异后的估计分”只在同一组内可比').waitFor();
    await settled(page);
    await look(page, 'ranking-components');

    reply = { error: { code: 'INTERNAL', message: '服务器繁忙，请稍后再试' } };
    status = 503;
    await page.reload();
    await page.getByText('网上评选结果加载失败：').waitFor();
    await look(page, 'ranking-error');
  });

  it('a 推荐单位 neither sees the menu entry nor opens the page, and its request for the ranking is refused', async () => {
    const page = await open(e2e);
    await login(page, 'rankunit0', 'Unit2023x');
    await page.getByRole('menuitem', { name: '待审核申报表' }).waitFor();
    expect(await page.getByRole('menuitem', { name: '网上评选结果' }).count()).toBe(0);
    await page.goto('/admin/ranking');
    await page.getByText('当前账号无权访问该页面').waitFor();
    expect(await page.getByText('甲文华').count()).toBe(0);
    const unit = new ApiClient(e2e.platform.url);
    await unit.login('rankunit0', 'Unit2023x');
    await expect(unit.call('GET', `/api/review/campaigns/${campaignId}/ranking`)).rejects.toThrow(/40[34]/);
  });
});
