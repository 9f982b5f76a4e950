import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ADMIN_PASSWORD, answerDialog, e2eSuite, login, look, open, settled, startServer } from './harness';
import { ApiClient } from './api';
import { APPLICANT_PASSWORD, publishedCampaignE2E, type PublishedE2E } from './publication-api';

// Issue 15 item 1 in Chromium: 自治区科协 on 发布结果 — ready to publish, 编辑宣传稿 (the unsaved edit asks before it is
// lost, then 保存), 立即发布; then the applicants see 推荐全国 (also 当选), 当选 and 未当选 on 我的申报表 and their 申请书.
// Desktop, and the page at 390×844.
const PHONE = { width: 390, height: 844 };

let set: PublishedE2E;
const e2e = e2eSuite({
  start: () => startServer(process.env.WEB_DIST ? { WEB_DIST: process.env.WEB_DIST } : {}),
  setup: async (platform) => {
    const admin = new ApiClient(platform.url);
    await admin.login('admin', ADMIN_PASSWORD);
    set = await publishedCampaignE2E(platform.url, admin, { tag: 'pub', publish: false });
  },
});

async function loggedIn(page: Page, username: string, password: string): Promise<void> {
  await login(page, username, password);
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}

describe('发布结果', () => {
  it('the organizer edits a 宣传稿 (guarded while unsaved) and publishes; the page says so', async () => {
    const page = await open(e2e);
    await loggedIn(page, 'admin', ADMIN_PASSWORD);
    await page.getByRole('menuitem', { name: '发布结果', exact: true }).click();
    await page.getByText('已满足发布条件').waitFor();
    const first = set.candidates[0]!;
    await page
      .getByRole('button', { name: `编辑宣传稿：${first.name}` })
      .first()
      .click();
    const article = page.getByRole('textbox', { name: '宣传稿', exact: true });
    await article.waitFor();
    expect(await article.inputValue()).toContain(`${first.name}同志扎根新疆`);
    await article.fill(`${first.name}同志三十年如一日扎根天山南北。\n\n她带领团队育成新品种，惠及万户农民。`);
    // the photo is chosen, first: the gallery's picture
    await page.getByText('第1张（展示照片）').waitFor();
    await page.locator('.ant-drawer img').first().waitFor();
    await settled(page);
    await look(page, 'publication-edit-article');
    // unsaved: the browser's Back asks first (the drawer covers the menu)
    await page.evaluate(() => window.history.back());
    await page.getByText('宣传稿有未保存的修改，离开后将丢失。是否离开？').waitFor();
    await answerDialog(page, '留在此页');
    expect(new URL(page.url()).pathname).toBe('/admin/publication');
    await page
      .locator('.ant-drawer')
      .getByRole('button', { name: /保\s*存/ })
      .click();
    await page.getByText('宣传稿已保存').first().waitFor();
    await page.locator('.ant-drawer-close').click();
    await page
      .locator('.ant-drawer-open')
      .waitFor({ state: 'detached' })
      .catch(() => {});
    await page.locator('tr', { hasText: first.name }).first().getByText('推荐全国').waitFor();

    await page.getByRole('button', { name: '立即发布' }).click();
    await answerDialog(page, '立即发布');
    await page.getByText('评选结果已发布').first().waitFor();
    await page.getByText('已发布', { exact: true }).first().waitFor();
    // the confirmation's own 【立即发布】 stays in the page while the dialog closes: wait for it to go, then none is left
    await page.locator('.ant-modal-confirm').waitFor({ state: 'detached' });
    await expect.poll(() => page.getByRole('button', { name: '立即发布' }).count()).toBe(0);
    await page
      .getByRole('button', { name: `更正宣传稿：${first.name}` })
      .first()
      .waitFor();
    await settled(page);
    await look(page, 'publication-published');

    // the published article is the edited one
    const admin = new ApiClient(e2e.platform.url);
    await admin.login('admin', ADMIN_PASSWORD);
    const profile = await admin.call<{ article: string }>('GET', `/api/publication/profiles/${first.id}`);
    expect(profile.article).toContain('三十年如一日');
  });

  it('the applicants see their outcome: 推荐全国 (also 当选), 当选, 未当选', async () => {
    const labels = { national: '推荐全国', won: '当选', not_won: '未当选' } as const;
    for (const c of [set.candidates[0]!, set.candidates[1]!, set.candidates[3]!]) {
      const page = await open(e2e);
      await loggedIn(page, c.username, APPLICANT_PASSWORD);
      await page.getByRole('menuitem', { name: '我的申报表', exact: true }).click();
      await page.getByText(labels[c.outcome], { exact: true }).first().waitFor();
      expect(await page.getByText('评审中', { exact: true }).count()).toBe(0);
      await settled(page);
      await look(page, `publication-applicant-${c.outcome}`);
      await page.context().close();
    }
  });

  it('fits a phone', async () => {
    const page = await open(e2e, PHONE);
    await loggedIn(page, 'admin', ADMIN_PASSWORD);
    await page.goto('/admin/publication');
    await page.getByText('当选人员宣传稿').first().waitFor();
    await settled(page);
    const sideways = await page.evaluate(() => document.scrollingElement!.scrollWidth > document.scrollingElement!.clientWidth);
    expect(sideways).toBe(false);
    await look(page, 'publication-phone');
  });
});
