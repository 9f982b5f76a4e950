import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ADMIN_PASSWORD, choose, e2eSuite, login, look, open, settled } from './harness';
import { ApiClient, createUnit, preliminaryPassed, publishPublicity, submitted, UNIT_PASSWORD } from './api';

// 统计 (issue 15, 5.) in Chromium: the organizer's dashboard draws a chart per breakdown (SVG, not empty) with its
// numbers in a table, each unit's progress; 当前步骤 changes the figures; at a phone's width nothing scrolls sideways;
// a unit sees its own figures and its own progress row only. axe on each state.
const PHONE = { width: 390, height: 844 };

const UNIT_A = { unitName: '乌鲁木齐市科学技术协会', region: '乌鲁木齐市', contactName: '王芳', mobile: '13909910001', username: 'tj_wlmq' };
const UNIT_B = { unitName: '喀什地区科学技术协会', region: '喀什地区', contactName: '艾力', mobile: '13909980002', username: 'tj_kashi' };

const e2e = e2eSuite({
  async setup(platform) {
    const admin = new ApiClient(platform.url);
    await admin.login('admin', ADMIN_PASSWORD);
    const a = await createUnit(admin, UNIT_A);
    const b = await createUnit(admin, UNIT_B);
    const unitA = new ApiClient(platform.url);
    await unitA.login(UNIT_A.username, UNIT_PASSWORD);
    // unit A: 古丽娜尔 (女, 1985) forwarded after 初评 and its 公示; 李明 (男, 1970) waiting at the unit
    const gulnar = await submitted(
      platform.url,
      { name: '古丽娜尔', username: 'tj_gulnar', mobile: '13800000101', form: { gender: '女', birthDate: '1985-03-12' } },
      a,
    );
    await submitted(
      platform.url,
      { name: '李明', username: 'tj_liming', mobile: '13800000102', form: { gender: '男', birthDate: '1970-08-01', ethnicity: '汉族' } },
      a,
    );
    await preliminaryPassed(unitA, gulnar);
    await publishPublicity(unitA, [gulnar]);
    await unitA.call('POST', `/api/applications/${gulnar}/transitions/forward`);
    // unit B: 买买提 (男, 1990, 院士 for the chart's sake)
    await submitted(
      platform.url,
      { name: '买买提', username: 'tj_maimaiti', mobile: '13800000103', form: { gender: '男', birthDate: '1990-09-09', isAcademician: true } },
      b,
    );
  },
});

/** The rows of one breakdown's table as label → count. */
async function tableOf(page: Page, key: string): Promise<Record<string, number>> {
  const rows = page.locator(`[data-breakdown="${key}"] .stats-table tbody tr.ant-table-row`);
  const out: Record<string, number> = {};
  for (const row of await rows.all()) {
    const cells = await row.locator('td').allInnerTexts();
    out[cells[0]!.trim()] = Number(cells[1]);
  }
  return out;
}

const total = async (page: Page) => Number((await page.locator('.stats-total .ant-statistic-content-value').innerText()).replace(/\D/g, ''));

async function openStats(page: Page, username: string, password: string, viaMenu = true) {
  await login(page, username, password);
  if (viaMenu) await page.getByRole('menuitem', { name: '统计' }).click();
  else {
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    await page.goto('/zmkj/stats');
  }
  await page.getByRole('heading', { level: 1, name: '统计' }).waitFor();
  await page.locator('[data-breakdown="gender"] .stats-chart svg path').first().waitFor({ state: 'attached' });
  await settled(page);
}

/** Every breakdown with figures has its chart drawn: an SVG with shapes, and an accessible name with the figures. */
async function chartsDrawn(page: Page) {
  const cards = page.locator('[data-breakdown]');
  expect(await cards.count()).toBe(9);
  for (const card of await cards.all()) {
    const chart = card.locator('.stats-chart');
    await chart.locator('svg path').first().waitFor({ state: 'attached' });
    expect(await chart.locator('svg path').count()).toBeGreaterThan(1);
    expect(await chart.getAttribute('role')).toBe('img');
    expect(await chart.getAttribute('aria-label')).toMatch(/图表：.+\d/);
  }
}

const noSidewaysScroll = (page: Page) => page.evaluate(() => document.scrollingElement!.scrollWidth <= document.scrollingElement!.clientWidth);

describe('统计', () => {
  it('the organizer sees every unit, charts with their tables, and a filter changes the figures', async () => {
    const page = await open(e2e);
    await openStats(page, 'admin', ADMIN_PASSWORD);
    expect(await total(page)).toBe(3);
    await chartsDrawn(page);
    expect(await tableOf(page, 'gender')).toEqual({ 男: 2, 女: 1 });
    expect(await tableOf(page, 'academician')).toEqual({ 是: 1, 否: 2 });
    expect(await tableOf(page, 'region')).toEqual({ 乌鲁木齐市: 2, 喀什地区: 1 });
    const progressA = page.locator('tr', { hasText: UNIT_A.unitName }).first();
    expect((await progressA.locator('td').allInnerTexts()).slice(1)).toEqual([UNIT_A.region, '2', '1', '1', '1']);
    const progressB = page.locator('tr', { hasText: UNIT_B.unitName }).first();
    expect((await progressB.locator('td').allInnerTexts()).slice(1)).toEqual([UNIT_B.region, '1', '0', '0', '0']);
    await look(page, 'stats-01-organizer');

    // 当前步骤 = [推荐单位]提交到[自治区科协]: only 古丽娜尔
    await choose(page, '当前步骤', '[推荐单位]提交到[自治区科协]');
    await page.waitForFunction(() => document.querySelector('.stats-total .ant-statistic-content-value')?.textContent?.trim() === '1');
    await settled(page);
    expect(await tableOf(page, 'gender')).toEqual({ 男: 0, 女: 1 });
    expect(await tableOf(page, 'region')).toEqual({ 乌鲁木齐市: 1 });
    expect(await page.locator('[data-breakdown="gender"] .stats-chart').getAttribute('aria-label')).toContain('女1');
    await look(page, 'stats-02-organizer-filtered');

    // and 年度 2023 (the one campaign) on top of it: still 古丽娜尔 alone
    await choose(page, '年度', '2023');
    await settled(page);
    expect(await total(page)).toBe(1);
  });

  it('at a phone’s width: usable, nothing scrolls sideways', async () => {
    const page = await open(e2e, PHONE);
    await openStats(page, 'admin', ADMIN_PASSWORD, false); // the menu is behind its button on a phone
    await chartsDrawn(page);
    expect(await noSidewaysScroll(page)).toBe(true);
    // the progress is a card list on a phone
    await page.getByRole('list', { name: '各推荐单位进度' }).waitFor();
    await look(page, 'stats-03-phone');
  });

  it('a unit sees its own figures and its own progress row only', async () => {
    const page = await open(e2e);
    await openStats(page, UNIT_A.username, UNIT_PASSWORD);
    expect(await total(page)).toBe(2);
    await chartsDrawn(page);
    expect(await tableOf(page, 'gender')).toEqual({ 男: 1, 女: 1 });
    await page.getByRole('heading', { level: 2, name: '本单位进度' }).waitFor();
    const progressRows = page.locator('.ant-card', { has: page.getByRole('heading', { name: '本单位进度' }) }).locator('tbody tr.ant-table-row');
    expect(await progressRows.count()).toBe(1);
    expect((await progressRows.first().locator('td').allInnerTexts()).slice(0, 3)).toEqual([UNIT_A.unitName, UNIT_A.region, '2']);
    expect(await page.getByText(UNIT_B.unitName).count()).toBe(0);
    expect(await page.getByText('喀什地区').count()).toBe(0);
    await look(page, 'stats-04-unit');
  });
});
