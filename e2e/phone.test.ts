import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ADMIN_PASSWORD, checkA11y, consoleErrors, e2eSuite, login, look, newPage } from './harness';
import { ApiClient, firstLogin } from './api';
import { completeForm } from '../server/testing/factories';
import { jpegBytes, pdfBytes, pngBytes } from '../server/testing/files';

// Issue 11: lists as cards on a phone with their actions on screen; the title's 手机 not broken; WCAG checks
// (axe on every page, focus on the first invalid field, a refused password marked invalid); robots.txt; and
// no console error on any page of the journey.
const UNIT = '昌吉回族自治州科学技术协会';
const PHONE = { width: 390, height: 844 };

/** A phone's page, with time for a loaded machine. */
async function phonePage() {
  const p = await newPage(e2e.browser, e2e.platform.url, PHONE);
  p.page.setDefaultTimeout(30_000);
  return p;
}
let unitId = '';
let applicationId = '';

const e2e = e2eSuite({
  async setup(platform) {
    const admin = new ApiClient(platform.url);
    await admin.login('admin', ADMIN_PASSWORD);
    unitId = (
      await admin.call<{ id: string }>('POST', '/api/admin/units', {
        unitName: UNIT,
        unitType: '地州市科协',
        region: '昌吉回族自治州',
        contactName: '马六',
        contactPhone: '13609905566',
        mobile: '13609905566',
        username: 'cjkx',
        password: 'Unit2023x',
      })
    ).id;
    const c = new ApiClient(platform.url);
    await c.call('POST', '/api/auth/register/applicant', {
      username: 'phone2023',
      password: 'Apply2023x',
      realName: '阿依古丽',
      mobile: '13899005566',
      email: 'ayg@example.cn',
      captcha: '13579',
    });
    await firstLogin(platform.url, 'cjkx', 'Unit2023x');
    applicationId = (await c.call<{ id: string }>('POST', '/api/applications')).id;
    await c.call('PUT', `/api/applications/${applicationId}`, { form: completeForm({ name: '阿依古丽', mobile: '13899005566' }) });
    await c.call('POST', `/api/applications/${applicationId}/pledge`);
    await c.upload(applicationId, 'integrity_pledge', '诚信承诺.pdf', pdfBytes('p'), 'application/pdf');
    await c.upload(applicationId, 'unit_opinion', '单位意见.png', pngBytes(), 'image/png');
    await c.upload(applicationId, 'political_review', '政审材料.pdf', pdfBytes('r'), 'application/pdf');
    await c.upload(applicationId, 'photo', '工作照.jpg', jpegBytes(2 * 1024 * 1024), 'image/jpeg');
    // a second one, still a draft: the list has a row with 编辑申请书/提交
    await c.call('POST', `/api/applications/${applicationId}/transitions/submit`, { unitId });
  },
});

/** Every element of `locator` lies inside the viewport, and the page does not scroll sideways. */
async function onScreen(page: Page, selector: string): Promise<number> {
  await page.locator(selector).first().waitFor();
  const r = await page.evaluate((sel) => {
    const boxes = [...document.querySelectorAll(sel)].map((e) => e.getBoundingClientRect());
    return {
      count: boxes.length,
      outside: boxes.filter((b) => b.left < 0 || b.right > window.innerWidth || b.width === 0).length,
      scrollWidth: document.scrollingElement!.scrollWidth,
      innerWidth: window.innerWidth,
    };
  }, selector);
  expect(r.outside).toBe(0);
  expect(r.scrollWidth).toBeLessThanOrEqual(r.innerWidth);
  return r.count;
}

describe('on a phone (390×844)', () => {
  it('我的申报表, 待审核申报表 and 查询申报表 show cards with their actions on screen; no console error', async () => {
    const { page } = await phonePage();
    const errors = consoleErrors(page);
    await login(page, 'phone2023', 'Apply2023x');
    await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 30_000 });
    await page.goto('/zmkj/mine');
    const card = page.locator('.row-card', { hasText: '阿依古丽' });
    await card.waitFor();
    // 查看申请书 (submitted), 附件 and 收回 (the unit has not opened it)
    for (const name of ['查看申请书', '附件', '收回']) await card.getByRole(name === '查看申请书' ? 'link' : 'button', { name, exact: true }).waitFor();
    expect(await onScreen(page, '.row-card-actions a, .row-card-actions button')).toBeGreaterThanOrEqual(3);
    await look(page, 'phone-01-mine');

    // the title's 手机 is on one line
    await page.goto(`/zmkj/applications/${applicationId}`);
    const title = page.getByText('最美科技工作者/阿依古丽').first();
    await title.waitFor();
    const lines = await page.evaluate(() => {
      const el = [...document.querySelectorAll('h2')].find((h) => h.textContent?.includes('13899005566'))!;
      const range = document.createRange();
      const text = [...el.childNodes].flatMap((n) => (n.nodeType === 3 ? [n] : [...n.childNodes])).find((n) => n.textContent?.includes('13899005566'))!;
      const at = text.textContent!.indexOf('13899005566');
      range.setStart(text, at);
      range.setEnd(text, at + 11);
      return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
    });
    expect(lines).toBe(1);
    await look(page, 'phone-02-editor');
    expect(errors).toEqual([]);
  });

  it('a 申请书 opened by its address: its data is asked for beside the page’s code, once; nothing on screen moves while it is drawn', async () => {
    const { page } = await phonePage();
    const errors = consoleErrors(page);
    await login(page, 'phone2023', 'Apply2023x');
    await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 30_000 });
    // every layout shift the page records from its first byte (not those right after input)
    await page.addInitScript(() => {
      const w = window as unknown as { __shifts: { value: number; at: number }[] };
      w.__shifts = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries() as (PerformanceEntry & { value: number; hadRecentInput: boolean })[]) {
          if (!e.hadRecentInput) w.__shifts.push({ value: e.value, at: Math.round(e.startTime) });
        }
      }).observe({ type: 'layout-shift', buffered: true });
    });
    const dataPath = `/api/applications/${applicationId}`;
    const asked: number[] = [];
    let codeLoaded = Number.POSITIVE_INFINITY;
    const t0 = Date.now();
    page.on('request', (r) => {
      if (r.method() === 'GET' && new URL(r.url()).pathname === dataPath) asked.push(Date.now() - t0);
    });
    page.on('requestfinished', (r) => {
      if (/\/assets\/ApplicationEditPage-[\w-]+\.js$/.test(new URL(r.url()).pathname)) codeLoaded = Math.min(codeLoaded, Date.now() - t0);
    });
    // a new visit: the page's code and Ant Design come from the server, not from this tab
    await page.goto('about:blank');
    await page.goto(`/zmkj/applications/${applicationId}`);
    await page.getByText('最美科技工作者/阿依古丽').first().waitFor();
    // the last parts drawn: 承诺, 附件材料 and the sections' nav
    await page.locator('#sec-attachments').waitFor();
    await page.locator('.editor-nav-top .section-nav').waitFor();
    // asked once, and before the page's code had even arrived (not after it, as a page that asks for itself would)
    expect(asked).toHaveLength(1);
    expect(asked[0]!).toBeLessThan(codeLoaded);
    const shifts = await page.evaluate(() => (window as unknown as { __shifts: { value: number; at: number }[] }).__shifts);
    // the footer stays out of sight, and the nav's place is kept for it (before: 0.099 at this width)
    expect(shifts.reduce((sum, s) => sum + s.value, 0)).toBeLessThan(0.01);
    expect(errors).toEqual([]);
  });

  it('a 申请书 opened by its address: its title and 状态 are drawn before Ant Design is asked for, then the page takes their place', async () => {
    const { page } = await phonePage();
    const errors = consoleErrors(page);
    await login(page, 'phone2023', 'Apply2023x');
    await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 30_000 });
    // every largest-paint candidate of the page, and whether it was the plain first screen's title
    await page.addInitScript(() => {
      const w = window as unknown as { __lcp: { size: number; plain: boolean; text: string }[] };
      w.__lcp = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries() as (PerformanceEntry & { size: number; element: Element | null })[]) {
          w.__lcp.push({ size: e.size, plain: !!e.element?.classList.contains('first-title'), text: e.element?.textContent ?? '' });
        }
      }).observe({ type: 'largest-contentful-paint', buffered: true });
    });
    const dataPath = `/api/applications/${applicationId}`;
    const events: string[] = [];
    page.on('requestfinished', (r) => {
      if (r.method() === 'GET' && new URL(r.url()).pathname === dataPath) events.push('data arrived');
    });
    page.on('request', (r) => {
      if (/^\/assets\/shell-[\w-]+\.js$/.test(new URL(r.url()).pathname)) events.push('Ant Design asked for');
    });
    // Ant Design's frame is held back until the first screen has been seen: a first screen that needed it would never show
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await page.route(/\/assets\/shell-[\w-]+\.js$/, async (route) => {
      await held;
      await route.continue();
    });
    await page.goto('about:blank');
    await page.goto(`/zmkj/applications/${applicationId}`);
    const title = '最美科技工作者/阿依古丽[手机: 13899005566]';
    await expect.poll(() => page.locator('h2.first-title').textContent()).toBe(title);
    const status = (await page.locator('.first-status .first-tag').first().textContent()) ?? '';
    expect(status).not.toBe('');
    expect(await page.locator('[class*="ant-"]').count()).toBe(0);
    // its code was asked for only once the 申请书 had arrived (and the title was drawn from it)
    expect(events.indexOf('data arrived')).toBeGreaterThanOrEqual(0);
    expect(events.indexOf('Ant Design asked for') === -1 || events.indexOf('Ant Design asked for') > events.indexOf('data arrived')).toBe(true);
    await look(page, 'phone-02b-first-screen');
    release();

    // the page itself then shows the same title and status, with its controls, and the plain one is gone
    await expect.poll(() => page.locator('h2.page-title.ant-typography').textContent()).toBe(title);
    await expect.poll(() => page.locator('.editor-head .ant-tag').first().textContent()).toBe(status);
    expect(await page.locator('.first-screen').count()).toBe(0);
    await page.locator('#sec-attachments').waitFor();
    // the title's paint is the plain one's: the page's own title, drawn later, was not larger (a larger one would
    // have become the largest paint at that later time)
    const paints = await page.evaluate(() => (window as unknown as { __lcp: { size: number; plain: boolean; text: string }[] }).__lcp);
    expect(paints.filter((p) => p.text === title).map((p) => p.plain)).toEqual([true]);
    expect(errors).toEqual([]);
  });

  it('the 申请书’s table of contents, on a phone and on a desktop: a link brings its section into view and marks it, and adds no history entry', async () => {
    for (const viewport of [PHONE, { width: 1366, height: 900 }]) {
      const { page } = await newPage(e2e.browser, e2e.platform.url, viewport);
      page.setDefaultTimeout(30_000);
      const errors = consoleErrors(page);
      await login(page, 'phone2023', 'Apply2023x');
      await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 30_000 });
      await page.goto(`/zmkj/applications/${applicationId}`);
      const nav = page.getByRole('navigation', { name: '申请书目录' });
      await nav.waitFor();
      const entries = await page.evaluate(() => history.length);
      for (const [name, id] of [
        ['资格条件', 'sec-eligibility'],
        ['个人信息', 'sec-personal'],
        ['附件材料', 'sec-attachments'],
      ] as const) {
        await nav.getByRole('link', { name, exact: true }).click();
        // the section's top comes to rest in the upper half of the window (or in view, at the page's end), and
        // its link is the one marked
        await expect
          .poll(() =>
            page.locator(`#${id}`).evaluate((el) => {
              const top = el.getBoundingClientRect().top;
              const atEnd = window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 2;
              return top >= 0 && (top < window.innerHeight / 2 || (atEnd && top < window.innerHeight));
            }),
          )
          .toBe(true);
        await expect.poll(() => nav.locator('[aria-current="location"]').textContent()).toBe(name);
        expect(new URL(page.url()).hash).toBe(`#${id}`);
      }
      expect(new URL(page.url()).pathname).toBe(`/zmkj/applications/${applicationId}`);
      expect(await page.evaluate(() => history.length)).toBe(entries);
      expect(errors).toEqual([]);
      await page.context().close();
    }
  });

  it('a page whose code cannot be fetched (a dropped connection, or files replaced by an update) says so in Chinese, and 重新加载 brings it back', async () => {
    const { page } = await phonePage();
    await login(page, 'phone2023', 'Apply2023x');
    await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 30_000 });
    // Ant Design's frame and the page's own files fail, as after an update that removed them
    await page.route(/\/assets\/(shell|ApplicationEditPage)-[\w-]+\.js$/, (route) => route.abort('failed'));
    await page.goto('about:blank');
    await page.goto(`/zmkj/applications/${applicationId}`);
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.getByRole('heading').textContent()).toBe('页面加载失败');
    expect(await alert.textContent()).toContain('请检查网络后点击【重新加载】');
    expect(await page.content()).not.toMatch(/at \w+ \(|Unexpected Application Error|stack/i);
    await look(page, 'phone-02c-load-failed');
    await page.unroute(/\/assets\/(shell|ApplicationEditPage)-[\w-]+\.js$/);
    await page.getByRole('button', { name: '重新加载' }).click();
    await expect.poll(() => page.locator('h2.page-title.ant-typography').textContent()).toBe('最美科技工作者/阿依古丽[手机: 13899005566]');
    expect(new URL(page.url()).pathname).toBe(`/zmkj/applications/${applicationId}`);
  });

  it('the unit: 待审核申报表 and 查询申报表 as cards; 查看 of a row it does not hold asks no 办理', async () => {
    const { page } = await phonePage();
    const errors = consoleErrors(page);
    await login(page, 'cjkx', 'Unit2023x');
    await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 30_000 });
    await page.goto('/zmkj/pending');
    await page.locator('.row-card', { hasText: '阿依古丽' }).getByRole('link', { name: '办理' }).waitFor();
    await onScreen(page, '.row-card-actions a, .row-card-actions button');
    await look(page, 'phone-03-pending');

    await page.goto('/zmkj/search');
    await page
      .locator('.row-card', { hasText: '阿依古丽' })
      .getByRole('button', { name: /更多功能/ })
      .waitFor();
    await onScreen(page, '.row-card-actions a, .row-card-actions button');
    await look(page, 'phone-04-search');
    // the page numbers are not links without a target
    expect(await page.locator('a[rel=nofollow]:not([href])').count()).toBe(0);

    // 办理 records 已阅; the organizer's 查看 of an application that waits for the unit asks no 办理
    await page
      .locator('.row-card', { hasText: '阿依古丽' })
      .getByRole('button', { name: /更多功能/ })
      .click();
    await page.getByRole('menuitem', { name: '办理' }).click();
    await page.getByText('最美科技工作者/阿依古丽').first().waitFor();
    await look(page, 'phone-05-handle');
    expect(errors).toEqual([]);

    const org = await newPage(e2e.browser, e2e.platform.url);
    const orgErrors = consoleErrors(org.page);
    await login(org.page, 'admin', ADMIN_PASSWORD);
    await org.page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 30_000 });
    await org.page.goto(`/zmkj/view/${applicationId}`);
    await org.page.getByText('最美科技工作者/阿依古丽').first().waitFor();
    await checkA11y(org.page, 'organizer view of a unit’s application');
    expect(orgErrors).toEqual([]);
  });
});

describe('the frame: side menu, its drawer on a phone, the bell', () => {
  it('on a phone 打开菜单 opens the menu as a modal dialog: focus stays in it, Escape and a tap beside it close it, an entry goes and closes it', async () => {
    const { page } = await phonePage();
    const errors = consoleErrors(page);
    await login(page, 'cjkx', 'Unit2023x');
    await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 30_000 });
    const opener = page.getByRole('button', { name: '打开菜单' });
    const drawer = page.getByRole('dialog', { name: '新疆科技工作者之家' });
    // closed, nothing of the menu is on the page (nor found by a screen reader)
    expect(await page.getByRole('menuitem', { name: '待审核申报表' }).count()).toBe(0);
    expect(await opener.getAttribute('aria-expanded')).toBe('false');

    await opener.click();
    await drawer.getByRole('menuitem', { name: '待审核申报表' }).waitFor();
    expect(await opener.getAttribute('aria-expanded')).toBe('true');
    await page.waitForTimeout(300); // the slide in
    await look(page, 'phone-06-menu-drawer');
    // modal: Tab never reaches the page behind it (inert); past its last entry focus goes to the browser's own bar
    for (let i = 0; i < 24; i++) {
      await page.keyboard.press('Tab');
      const where = await page.evaluate(() => {
        const a = document.activeElement;
        return !a || a === document.body ? 'browser' : a.closest('dialog[open]') ? 'drawer' : `page: ${a.outerHTML.slice(0, 80)}`;
      });
      expect(['drawer', 'browser']).toContain(where);
    }
    // ↓ moves between entries, skipping those not open yet
    await drawer.getByRole('menuitem', { name: '账号信息' }).focus();
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('最美科技工作者');
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'hidden' });
    await expect.poll(() => opener.getAttribute('aria-expanded')).toBe('false');
    // focus is back on the button that opened it
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('打开菜单');

    // a tap beside the drawer (on the dimmed page) closes it and does nothing to the page
    await opener.click();
    await drawer.getByRole('menuitem', { name: '待审核申报表' }).waitFor();
    await page.mouse.click(370, 400);
    await drawer.waitFor({ state: 'hidden' });
    expect(new URL(page.url()).pathname).toBe('/');

    // an entry goes there, closes the drawer and is marked as the current page next time
    await opener.click();
    await drawer.getByRole('menuitem', { name: '查询申报表' }).click();
    await page.waitForURL(/\/zmkj\/search$/);
    await drawer.waitFor({ state: 'hidden' });
    await opener.click();
    await expect.poll(() => drawer.getByRole('menuitem', { name: '查询申报表' }).getAttribute('aria-current')).toBe('page');
    // 最美科技工作者 folds its entries away and back
    const group = drawer.getByRole('menuitem', { name: '最美科技工作者' });
    await group.click();
    await expect.poll(() => group.getAttribute('aria-expanded')).toBe('false');
    await drawer.getByRole('menuitem', { name: '查询申报表' }).waitFor({ state: 'hidden' });
    await group.click();
    await drawer.getByRole('menuitem', { name: '查询申报表' }).waitFor();
    await checkA11y(page, 'the menu drawer');
    expect(errors).toEqual([]);
  });

  it('on a desktop the menu stands beside the page: its entries are links (a new tab opens one), ↑ ↓ Home End move between them', async () => {
    const { page, context } = await newPage(e2e.browser, e2e.platform.url);
    page.setDefaultTimeout(30_000);
    await login(page, 'cjkx', 'Unit2023x');
    await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 30_000 });
    expect(await page.getByRole('button', { name: '打开菜单' }).count()).toBe(0);
    const entry = page.getByRole('menuitem', { name: '查询申报表' });
    expect(await entry.getAttribute('href')).toBe('/zmkj/search');
    // Ctrl+click: a new tab on the page, this one stays where it is
    const [tab] = await Promise.all([context.waitForEvent('page'), entry.click({ modifiers: ['Control'] })]);
    await tab.waitForURL(/\/zmkj\/search$/);
    await tab.close();
    expect(new URL(page.url()).pathname).toBe('/');
    expect(await page.getByRole('menuitem', { name: '我的主页' }).getAttribute('aria-current')).toBe('page');

    await page.getByRole('menuitem', { name: '我的主页' }).focus();
    await page.keyboard.press('End');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('数据导出');
    await page.keyboard.press('ArrowDown'); // round to the first
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('我的主页');
    await page.keyboard.press('ArrowUp');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('数据导出');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/zmkj\/exports$/);
    await expect.poll(() => page.getByRole('menuitem', { name: '数据导出' }).getAttribute('aria-current')).toBe('page');
    // an entry not open yet says so, and goes nowhere
    const closed = page.getByRole('menuitem', { name: /新疆青年科技奖/ });
    expect(await closed.getAttribute('aria-disabled')).toBe('true');
    expect(await closed.textContent()).toContain('暂未开放');
    await closed.click({ force: true });
    expect(new URL(page.url()).pathname).toBe('/zmkj/exports');
  });
});

describe('forms and standards', () => {
  it('a failed 登录 focuses the first invalid field; a refused password is marked aria-invalid', async () => {
    const { page } = await newPage(e2e.browser, e2e.platform.url);
    const errors = consoleErrors(page);
    await page.goto('/login');
    await page.getByRole('button', { name: '登录' }).click();
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('login_username');
    expect(await page.locator('#login_username').getAttribute('aria-invalid')).toBe('true');
    const described = await page.locator('#login_username').getAttribute('aria-describedby');
    expect(await page.locator(`#${described}`).count()).toBe(1);
    await look(page, 'a11y-01-login-empty');

    await page.getByLabel('用户名').fill('phone2023');
    await page.getByLabel('密码').fill('Wrong2023x');
    await page.getByLabel('验证码').fill('13579');
    await page.getByRole('button', { name: '登录' }).click();
    await page
      .getByText(/用户名或密码错误/)
      .first()
      .waitFor();
    await expect.poll(() => page.locator('#login_password').getAttribute('aria-invalid')).toBe('true');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('login_password');
    // the captcha's description points at an element that exists
    await page.getByLabel('验证码').fill('1');
    await page.getByRole('button', { name: '登录' }).click();
    await checkA11y(page, 'login refused');
    const captchaDescribed = await page.locator('#login_captcha').getAttribute('aria-describedby');
    if (captchaDescribed) for (const id of captchaDescribed.split(' ')) expect(await page.locator(`#${id}`).count()).toBe(1);
    // the refused log-in is deliberate: its 401 is the only console error
    expect(errors.filter((e) => !/401|400/.test(e))).toEqual([]);
    expect(errors.join('\n')).not.toMatch(/Content.Security.Policy|unsafe-eval/i);
  });

  it('/robots.txt is text/plain and keeps crawlers out of the API', async () => {
    const res = await fetch(`${e2e.platform.url}/robots.txt`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/^User-agent: \*$/m);
    expect(text).toMatch(/^Disallow: \/api\/$/m);
  });
});
