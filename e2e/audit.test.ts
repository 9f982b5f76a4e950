import { describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, choose, e2eSuite, login, look, open, settled } from './harness';
import { ApiClient, createUnit, submitted, UNIT_PASSWORD } from './api';

// 审计日志 (issue 16 item 7) in Chromium: the organizer opens an application, then finds that opening in 审计日志 by
// 操作对象 (the applicant's name) and 操作类型, with the time, the organizer's name and the address; a unit has no such page.

const UNIT = { unitName: '昌吉回族自治州科学技术协会', region: '昌吉回族自治州', contactName: '马丽', mobile: '13909940011', username: 'sj_changji' };
const NAME = '审计测试人';
let applicationId = '';

const e2e = e2eSuite({
  async setup(platform) {
    const admin = new ApiClient(platform.url);
    await admin.login('admin', ADMIN_PASSWORD);
    const unitId = await createUnit(admin, UNIT);
    applicationId = await submitted(platform.url, { name: NAME, username: 'sj_applicant', mobile: '13800000777' }, unitId);
  },
});

describe('审计日志', () => {
  it('the organizer opens an application, then finds that opening in 审计日志', async () => {
    const page = await open(e2e);
    await login(page, 'admin', ADMIN_PASSWORD);
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    await page.goto(`/zmkj/view/${applicationId}`);
    await page.getByText(NAME).first().waitFor();
    await settled(page);

    await page.getByRole('menuitem', { name: '审计日志' }).click();
    await page.getByText('没有符合条件的审计记录').or(page.locator('.ant-table-row').first()).waitFor();
    await page.getByLabel('操作对象').fill(NAME);
    await choose(page, '操作类型', '查看申请书');
    await page.getByRole('button', { name: /查\s*询/ }).click();
    const row = page.locator('.ant-table-row', { hasText: '查看申请书' }).first();
    await row.waitFor();
    const text = (await row.innerText()).replace(/\s+/g, ' ');
    expect(text).toContain('查看申请书');
    expect(text).toContain(NAME);
    expect(text).toContain('admin');
    expect(text).toContain('自治区科协');
    expect(text).toMatch(/127\.0\.0\.1|::1/);
    expect(text).toContain(applicationId);
    // newest first: today's time to the second
    expect(text).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/);
    expect(await page.locator('.ant-table-row').count()).toBeGreaterThanOrEqual(1);
    for (const r of await page.locator('.ant-table-row').all()) expect(await r.innerText()).toContain('查看申请书');
    await look(page, 'audit-01-found');

    // a condition that matches nothing says so
    await page.getByLabel('IP地址').fill('10.250.');
    await page.getByRole('button', { name: /查\s*询/ }).click();
    await page.getByText('没有符合条件的审计记录').waitFor();

    // a unit account has neither the menu entry nor the page's data
    const unit = await open(e2e);
    await login(unit, UNIT.username, UNIT_PASSWORD);
    await unit.waitForURL((u) => !u.pathname.startsWith('/login'));
    expect(await unit.getByRole('menuitem', { name: '审计日志' }).count()).toBe(0);
    const res = await unit.request.get('/api/admin/audit');
    expect(res.status()).toBe(403);
  }, 180_000);
});
