import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readSheet } from 'read-excel-file/node';
import { ADMIN_PASSWORD, e2eSuite, login, look, open, settled } from './harness';
import { ApiClient, createUnit, submitted, UNIT_PASSWORD } from './api';

// Issue 15 item 4 in Chromium: a 推荐单位 filters 查询申报表 by 工作单位, 【导出汇总表】 takes the filter to 数据导出,
// 开始导出 shows the job's progress bar, then its download link; the file read back holds exactly the filtered rows,
// 身份证号码 masked. The organizer's 身份证号码 完整显示 warns that it is recorded. Desktop and 390×844.
const PHONE = { width: 390, height: 844 };
const UNIT = '塔城地区科学技术协会';
const NAMES = ['阿依古丽', '王建新', '热合曼'] as const;
const WORK_UNITS = ['塔城地区导出测试医院', '塔城地区导出测试医院', '塔城地区农业技术推广站'] as const;

let admin: ApiClient;
const e2e = e2eSuite({
  async setup(platform) {
    admin = new ApiClient(platform.url);
    await admin.login('admin', ADMIN_PASSWORD);
    const unitId = await createUnit(admin, { unitName: UNIT, region: '塔城地区', contactName: '努尔兰', mobile: '13609906701', username: 'exportunit' });
    for (const [i, name] of NAMES.entries()) {
      await submitted(platform.url, { name, username: `export0${i}`, mobile: `1389999880${i}`, form: { workUnit: WORK_UNITS[i] } }, unitId);
    }
  },
});

describe('数据导出', () => {
  it('from 查询申报表 with a filter → 导出汇总表 → the progress bar → the download, read back', async () => {
    const page = await open(e2e);
    await login(page, 'exportunit', UNIT_PASSWORD);
    await page.getByRole('menuitem', { name: '查询申报表' }).click();
    await page.getByRole('button', { name: '更多筛选条件' }).click();
    await page.getByLabel('工作单位').fill('导出测试医院');
    await page.getByRole('button', { name: /查\s*询/ }).click();
    await page.locator('.query-total', { hasText: '1-2 共2' }).waitFor();

    await page.getByRole('button', { name: '导出汇总表' }).click();
    await page.waitForURL('**/zmkj/exports?workUnit=*');
    await page.getByRole('heading', { level: 1, name: '数据导出' }).waitFor();
    await page.getByText('已带入“查询申报表”的当前查询条件').waitFor();
    expect(await page.getByLabel('工作单位').inputValue()).toBe('导出测试医院');
    // a unit has no 完整显示
    expect(await page.getByText('身份证号码 完整显示').count()).toBe(0);
    await settled(page);
    await look(page, 'exports-01-form');

    await page.getByRole('button', { name: /开始导出/ }).click();
    await page.getByRole('progressbar').or(page.locator('.export-download')).first().waitFor();
    const download = page.locator('a.export-download');
    await download.waitFor({ timeout: 60_000 });
    await page.getByText('申报表汇总表：已完成').waitFor();
    expect(await page.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
    await look(page, 'exports-02-done');

    const [file] = await Promise.all([page.waitForEvent('download'), download.click()]);
    expect(file.suggestedFilename()).toMatch(/^申报表汇总表-\d{12}\.xlsx$/);
    const rows = await readSheet(fs.readFileSync((await file.path())!));
    const h = rows[0]!;
    expect(h).toEqual(expect.arrayContaining(['申请书编号', '申请人姓名', '身份证号码', '单位名称', '推荐单位', '当前步骤']));
    expect(rows.length - 1).toBe(2);
    expect(
      rows
        .slice(1)
        .map((r) => r[h.indexOf('申请人姓名')])
        .sort(),
    ).toEqual([NAMES[0], NAMES[1]].sort());
    expect(rows.slice(1).every((r) => /^\d{4}\*{10}[\dX]{4}$/.test(String(r[h.indexOf('身份证号码')])))).toBe(true);
    expect(rows.slice(1).every((r) => r[h.indexOf('推荐单位')] === UNIT)).toBe(true);

    // 我的导出记录 lists it with its download
    await page
      .getByRole('link', { name: /下载 申报表汇总表/ })
      .first()
      .waitFor();
    await page.close();
  }, 180_000);

  it('the organizer: 完整显示 warns that it is recorded; the page on a phone', async () => {
    const page = await open(e2e, PHONE);
    await login(page, 'admin', ADMIN_PASSWORD);
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    await page.goto('/zmkj/exports');
    await page.getByRole('heading', { level: 1, name: '数据导出' }).waitFor();
    await page.getByText('身份证号码 完整显示').click();
    await page.getByText('本次导出将被记录').waitFor();
    await page.getByRole('heading', { level: 2, name: '评选结果' }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await settled(page);
    await look(page, 'exports-03-organizer-phone');
    await page.close();
  }, 120_000);
});
