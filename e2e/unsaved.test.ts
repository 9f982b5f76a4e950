import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { answerDialog, e2eSuite, login, newPage, shot, startServer } from './harness';
import { ApiClient } from './api';

// Issue 11, items 1 and 2: what an applicant must not lose — unsaved typing (every way out of 编辑申请书
// asks first; a local copy survives a reload or a crash) and the valid fields of a save with one bad field.

// each test registers its own applicant through the API (a fresh 申请书 and local copy): more than the 10
// registrations a quarter of an hour that one address is allowed by default (e2e/login.test.ts tests that limit)
const e2e = e2eSuite({ start: () => startServer({ RATE_LIMIT_REGISTER: '100' }) });

const PROMPT = '申请书有未保存的修改，离开后将丢失。是否离开？';
const VIEWPORTS = [
  { name: 'desktop', viewport: { width: 1366, height: 900 } },
  { name: 'phone', viewport: { width: 390, height: 844 } },
] as const;

let seq = 0;
/** A new applicant with a 申请书 (through the API), logged in in a new browser context, on 编辑申请书. */
async function openEditor(viewport: { width: number; height: number }) {
  seq += 1;
  const username = `unsaved${String(seq).padStart(2, '0')}`;
  const password = 'Unsaved2023x';
  const api = new ApiClient(e2e.platform.url);
  await api.call('POST', '/api/auth/register/applicant', {
    username,
    password,
    realName: `阿依${seq}`,
    mobile: `1389977${String(seq).padStart(4, '0')}`,
    email: `${username}@example.cn`,
    captcha: '13579',
  });
  const { id } = await api.call<{ id: string }>('POST', '/api/applications');
  const { context, page } = await newPage(e2e.browser, e2e.platform.url, viewport);
  // a reload with unsaved changes raises the browser's own beforeunload prompt: accept it, as a user would
  page.on('dialog', (d) => void d.accept());
  await login(page, username, password);
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  // into the editor from 我的申报表, inside the app: Back then stays in the app (the router's own navigation)
  await page.goto('/zmkj/mine');
  await page.getByRole('link', { name: '编辑申请书/提交' }).first().click(); // a table row, or a card on phones
  await page.waitForURL(new RegExp(`/zmkj/applications/${id}$`));
  await page.getByLabel('籍贯').waitFor();
  return { context, page, id, url: new RegExp(`/zmkj/applications/${id}$`) };
}

async function menuHome(page: Page) {
  const opener = page.getByRole('button', { name: '打开菜单' });
  if (await opener.isVisible()) {
    await opener.click();
    await page.getByRole('dialog', { name: '新疆科技工作者之家' }).getByRole('menuitem', { name: '我的主页' }).click();
  } else {
    await page.getByRole('menuitem', { name: '我的主页' }).click();
  }
}

async function promptShown(page: Page) {
  await page.getByText(PROMPT).waitFor();
}

const answer = (page: Page, button: '留在此页' | '离开' | '恢复' | '放弃') => answerDialog(page, button);

for (const { name, viewport } of VIEWPORTS) {
  describe(`unsaved changes in 编辑申请书 (${name}, ${viewport.width}×${viewport.height})`, () => {
    it('the menu asks first: 留在此页 keeps the text, 离开 goes', async () => {
      const { context, page, url } = await openEditor(viewport);
      await page.getByLabel('籍贯').fill('新疆喀什');
      await page.getByText('有未保存的修改').waitFor();
      await menuHome(page);
      await promptShown(page);
      for (const label of ['留在此页', '离开']) expect(await page.getByRole('button', { name: label, exact: true }).isVisible()).toBe(true);
      await shot(page, `unsaved-01-prompt-${name}`);
      await answer(page, '留在此页');
      expect(page.url()).toMatch(url);
      expect(await page.getByLabel('籍贯').inputValue()).toBe('新疆喀什');

      await menuHome(page);
      await promptShown(page);
      await answer(page, '离开');
      await page.waitForURL((u) => u.pathname === '/');
      await context.close();
    });

    it('the browser’s Back asks first', async () => {
      const { context, page, url } = await openEditor(viewport);
      await page.getByLabel('籍贯').fill('新疆伊犁');
      await page.evaluate(() => window.history.back());
      await promptShown(page);
      await answer(page, '留在此页');
      expect(page.url()).toMatch(url);
      expect(await page.getByLabel('籍贯').inputValue()).toBe('新疆伊犁');
      await page.evaluate(() => window.history.back());
      await promptShown(page);
      await answer(page, '离开');
      await page.waitForURL((u) => u.pathname === '/zmkj/mine');
      await context.close();
    });

    it('退出 asks first', async () => {
      const { context, page, url } = await openEditor(viewport);
      await page.getByLabel('籍贯').fill('新疆阿勒泰');
      await page.getByRole('button', { name: /退\s*出/ }).click();
      await promptShown(page);
      await answer(page, '留在此页');
      expect(page.url()).toMatch(url);
      expect(await page.getByLabel('籍贯').inputValue()).toBe('新疆阿勒泰');
      // still logged in: the page still works
      expect(await page.getByRole('button', { name: /保\s*存/ }).isVisible()).toBe(true);
      await page.getByRole('button', { name: /退\s*出/ }).click();
      await promptShown(page);
      await answer(page, '离开');
      await page.waitForURL(/\/login/);
      await context.close();
    });

    it('a reload without saving: the local copy is offered back, 恢复 restores it', async () => {
      const { context, page } = await openEditor(viewport);
      await page.getByLabel('籍贯').fill('新疆哈密');
      await page.reload();
      await page.getByText(/发现上次未保存的修改（.+），是否恢复？/).waitFor();
      await shot(page, `unsaved-02-restore-${name}`);
      expect(await page.getByLabel('籍贯').inputValue()).toBe('');
      await answer(page, '恢复');
      expect(await page.getByLabel('籍贯').inputValue()).toBe('新疆哈密');
      await page.getByText('有未保存的修改').waitFor();
      // saved, the local copy is gone: a reload offers nothing
      await page.getByRole('button', { name: /保\s*存/ }).click();
      await page.getByText('已保存').first().waitFor();
      await page.reload();
      await expect.poll(() => page.getByLabel('籍贯').inputValue(), { timeout: 10_000 }).toBe('新疆哈密');
      await page.waitForTimeout(500);
      expect(await page.getByText(/发现上次未保存的修改/).count()).toBe(0);
      await context.close();
    });

    it('a local copy with a choice the list no longer has: 学历 shows it as it is (not 请选择), and 【保存】 names 学历', async () => {
      const { context, page: first, url } = await openEditor(viewport);
      await first.getByLabel('籍贯').fill('新疆伊犁');
      // the local copy as an older version of the form could have left it: a 学历 outside today's choices (changed
      // with the editor closed: the page writes its copy again as it goes)
      const key = await first.waitForFunction(() => Object.keys(localStorage).find((k) => k.startsWith('xjkx.draft.')) ?? null).then((h) => h.jsonValue());
      const address = first.url();
      await first.close();
      const page = await context.newPage();
      page.setDefaultTimeout(30_000);
      await page.goto('/robots.txt');
      await page.evaluate((k) => {
        const draft = JSON.parse(localStorage.getItem(k)!) as { form: Record<string, unknown> };
        draft.form.education = '未知学历';
        localStorage.setItem(k, JSON.stringify(draft));
      }, key!);
      await page.goto(address);
      await page.waitForURL(url);
      await page.getByText(/发现上次未保存的修改/).waitFor();
      await answer(page, '恢复');
      const education = page.getByLabel('学历');
      await expect.poll(() => education.inputValue()).toBe('未知学历');
      expect(await education.evaluate((el) => (el as HTMLSelectElement).selectedOptions[0]?.textContent)).toBe('未知学历');
      await page.getByRole('button', { name: /保\s*存/ }).click();
      const alert = page.locator('.not-saved');
      await alert.waitFor();
      expect(await alert.textContent()).toContain('学历');
      // the rest went: 籍贯 is stored; 学历 keeps the entry for the user to choose again
      await expect.poll(() => education.getAttribute('aria-invalid')).toBe('true');
      expect(await education.inputValue()).toBe('未知学历');
      await page.reload();
      await expect.poll(() => page.getByLabel('籍贯').inputValue(), { timeout: 10_000 }).toBe('新疆伊犁');
      await context.close();
    });

    it('one invalid field does not block the others: 籍贯 is saved, 邮政编码 is named and marked', async () => {
      const { context, page } = await openEditor(viewport);
      await page.getByLabel('籍贯').fill('新疆塔城');
      await page.getByLabel('邮政编码').fill('12');
      await page.getByRole('button', { name: /保\s*存/ }).click();
      const alert = page.locator('.not-saved');
      await alert.waitFor();
      expect(await alert.textContent()).toContain('已保存，但以下1项未保存：邮政编码（邮政编码格式不正确');
      // the field keeps the entry and shows why
      expect(await page.getByLabel('邮政编码').inputValue()).toBe('12');
      // marked on the field itself: invalid, with the reason as its description (what a screen reader reads with it)
      const postcode = page.getByLabel('邮政编码');
      await expect.poll(() => postcode.getAttribute('aria-invalid')).toBe('true');
      const reason = await postcode.evaluate((el) => document.getElementById(el.getAttribute('aria-describedby') ?? '')?.textContent ?? '');
      expect(reason).toContain('邮政编码格式不正确');
      await page.locator('.plain-error', { hasText: '邮政编码格式不正确' }).first().waitFor();
      await shot(page, `unsaved-03-partial-save-${name}`);
      // 籍贯 reached the server: a reload shows it (and offers the unsaved 邮政编码 back)
      await page.reload();
      await expect.poll(() => page.getByLabel('籍贯').inputValue(), { timeout: 10_000 }).toBe('新疆塔城');
      await page.getByText(/发现上次未保存的修改/).waitFor();
      await answer(page, '恢复');
      expect(await page.getByLabel('邮政编码').inputValue()).toBe('12');
      await context.close();
    });
  });
}
