import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium, errors, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { freePort, startCluster } from '../scripts/cluster/topology';
import { seedPgliteDataDir } from '../server/testing/pglite-template';

export { freePort };

export const CAPTCHA = '13579';
export const ADMIN_PASSWORD = 'Admin2023!x';
const root = path.resolve(import.meta.dirname, '..');
export const SHOTS = path.join(root, 'e2e', 'screenshots');

export interface Platform {
  url: string;
  dataDir: string;
  stop(): Promise<void>;
}

/** The real server, as `npm start` runs it (web/dist must be built), on a fresh data directory. */
export async function startServer(env: Record<string, string> = {}, fixedPort?: number): Promise<Platform> {
  const serverEnv = {
    CAPTCHA_TEST_ANSWER: CAPTCHA,
    ADMIN_PASSWORD,
    // TOTP is required of no role, so that journeys log in with a password; e2e/totp.test.ts sets it
    MFA_REQUIRED_ROLES: '',
    LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
    ...env,
  };
  // CLUSTER=1 (npm run test:cluster): the production topology instead — PostgreSQL, s3rver, two instances, nginx
  if (process.env.CLUSTER === '1') {
    const cluster = await startCluster({ env: serverEnv, port: fixedPort, logTo: process.env.E2E_SERVER_LOG, buildWeb: false });
    return { url: cluster.url, dataDir: cluster.instances[0]!.dataDir, stop: () => cluster.stop() };
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xjkx-e2e-'));
  // its database: a copy of the migrated template (server/testing/pglite-template.ts), not initdb and every migration
  // anew; a DATA_DIR given in `env` (a restored backup) is the server's as it is
  if (!env.DATA_DIR) await seedPgliteDataDir(dataDir);
  const port = fixedPort ?? (await freePort());
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'server', 'main.ts')], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      ...serverEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  // E2E_SERVER_LOG=<file>: the server's whole output is also appended there (with LOG_LEVEL=debug, every request)
  const log = process.env.E2E_SERVER_LOG ? fs.createWriteStream(process.env.E2E_SERVER_LOG, { flags: 'a' }) : null;
  child.stdout!.on('data', (d) => ((output += d), log?.write(d)));
  child.stderr!.on('data', (d) => ((output += d), log?.write(d)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 170_000; // a loaded machine takes a minute to start it
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited: ${output}`);
    try {
      const res = await fetch(`${url}/api/auth/me`);
      if (res.ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`server did not start: ${output}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    dataDir,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** How Chromium runs here (headless, no sandbox, nothing fetched from the internet): the journeys and the benches. */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_FLAGS });
}

export interface E2EOptions {
  /** Starts the server; by default `startServer()`: the default env, on a free port. */
  start?: () => Promise<Platform>;
  /** Runs once the server and the browser are up: what the file's tests need beforehand. */
  setup?: (platform: Platform, browser: Browser) => Promise<void>;
  /** Runs last, after the browser is closed and the server stopped. */
  teardown?: () => Promise<void>;
}

export interface E2E {
  readonly platform: Platform;
  readonly browser: Browser;
}

/**
 * A test file's server and Chromium: started (then `setup`) before its tests, closed and stopped (then
 * `teardown`) after them. Call it at the top of the file; read `platform` and `browser` inside the tests.
 */
export function e2eSuite(options: E2EOptions = {}): E2E {
  let platform: Platform | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    platform = await (options.start ?? (() => startServer()))();
    browser = await launchBrowser();
    await options.setup?.(platform, browser);
  });
  // the browsers a test opens close when it ends (those of a file's or a describe's beforeAll stay for its tests):
  // pages left open keep polling and drawing, and a busy machine grows busier with each test of a file
  let before = new Set<BrowserContext>();
  beforeEach(() => {
    before = new Set(browser?.contexts() ?? []);
  });
  afterEach(async () => {
    for (const context of browser?.contexts() ?? []) if (!before.has(context)) await context.close().catch(() => {});
  });
  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
    await options.teardown?.();
  });
  return {
    get platform() {
      if (!platform) throw new Error('the server is not started yet');
      return platform;
    },
    get browser() {
      if (!browser) throw new Error('the browser is not launched yet');
      return browser;
    },
  };
}

export async function newPage(browser: Browser, url: string, viewport = { width: 1366, height: 900 }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: url, locale: 'zh-CN', viewport, timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return { context, page };
}

/**
 * A page of the suite's server, with time for a loaded machine (the journeys share two cores with the benches):
 * 30 s for each wait instead of newPage's 15.
 */
export async function open(suite: E2E, viewport?: { width: number; height: number }): Promise<Page> {
  const { page } = await newPage(suite.browser, suite.platform.url, viewport);
  page.setDefaultTimeout(30_000);
  return page;
}

/** Before a screenshot: no table still loading, and the fade of its spinner over. */
export async function settled(page: Page): Promise<void> {
  await page
    .locator('.ant-spin-spinning')
    .first()
    .waitFor({ state: 'detached', timeout: 10_000 })
    .catch(() => {});
  await page.waitForTimeout(400);
}

/**
 * Answers a confirmation dialog (the unsaved-changes prompt: 留在此页 / 离开, the draft's 恢复 / 放弃; 【提交选票】,
 * 结束本轮投票) and waits for it to close. A click that lands while the dialog is still zooming in is lost on a busy
 * machine (CI lost several: Playwright finds the button still while the zoom has not started, and the click lands
 * where it no longer is): while the dialog stays and its button has not taken the click (an action that takes a
 * while shows the button loading), click again, three times at most. `timeout`: how long the action may take.
 */
export async function answerDialog(page: Page, button: string, timeout = 30_000): Promise<void> {
  // the open one: a dialog answered a moment ago may still be in the page, closing, with the same button
  const dialog = page
    .locator('.ant-modal-confirm')
    .filter({ visible: true })
    .filter({ has: page.getByRole('button', { name: button, exact: true }) });
  const ok = dialog.getByRole('button', { name: button, exact: true });
  for (let attempt = 1; ; attempt++) {
    await ok.click();
    // closed, or busy with the action (the button loading): the click was taken
    const taken = await Promise.any([
      dialog.waitFor({ state: 'hidden', timeout: 5_000 }),
      dialog.locator('.ant-btn-loading').waitFor({ state: 'attached', timeout: 5_000 }),
    ])
      .then(() => true)
      .catch(() => false);
    if (taken || !(await dialog.isVisible())) {
      await dialog.waitFor({ state: 'hidden', timeout });
      return;
    }
    if (attempt === 3) throw new Error(`点击“${button}”后对话框没有关闭`);
  }
}

/**
 * A 推荐单位's 待审核申报表 → 待审核的 → the row of `name` → 办理, until the 申报书's title shows. `reload`: reload the
 * list first, when another party has acted since it loaded.
 */
export async function openPending(page: Page, name: string, reload = false): Promise<void> {
  await page.getByRole('menuitem', { name: '待审核申报表' }).click();
  if (reload) await page.reload();
  await page.getByRole('tab', { name: '待审核的' }).click();
  await page.locator('tr', { hasText: name }).first().getByText('办理', { exact: true }).click();
  await page.getByText(`最美科技工作者/${name}`).first().waitFor();
}

/**
 * A full-page screenshot into e2e/screenshots. On a loaded machine Chromium once did not deliver the capture within
 * 30 s (CI, a page that had just answered axe): the capture is asked for again once before the test fails.
 */
export async function shot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, `${name}.png`);
  try {
    await page.screenshot({ path: file, fullPage: true, timeout: 30_000 });
  } catch (e) {
    if (!(e instanceof errors.TimeoutError)) throw e;
    process.stderr.write(`screenshot ${name}: no capture within 30 s, asking again\n`);
    await page.screenshot({ path: file, fullPage: true, timeout: 60_000 });
  }
}

/** Log in through the login page as a person would: 用户名, 密码, 验证码, 登录. */
export async function login(page: Page, username: string, password: string): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(password);
  await page.getByLabel('验证码').fill(CAPTCHA);
  await page.getByRole('button', { name: /登\s*录/ }).click();
}

/**
 * Moves through an open Ant Design Select's list by keyboard until `item` is drawn: the list is virtual (only the
 * rows in sight exist), and it opens scrolled to the chosen option, so an option above it, such as 全部, is not there.
 */
async function revealOption(page: Page, item: Locator): Promise<boolean> {
  // the active option moves with the arrow keys and the list scrolls to keep it in sight: up from the chosen one
  // to the top, then down to the end
  for (const key of ['ArrowUp', 'ArrowDown']) {
    for (let step = 0; step < 40; step++) {
      if (await item.isVisible()) return true;
      await page.keyboard.press(key);
    }
  }
  return item.isVisible();
}

/** Picks an option of an Ant Design Select, or of a plain <select> (the 申请书's fields), by the field's label and the option's exact text. */
export async function choose(page: Page, label: string, option: string): Promise<void> {
  const field = page.getByLabel(label, { exact: true });
  if (await field.evaluate((el) => el.tagName === 'SELECT')) {
    await field.selectOption({ label: option });
    return;
  }
  const exact = new RegExp(`^${option.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  const item = page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option').filter({ hasText: exact }).first();
  const open = page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)');
  // a click on the field can be lost on a loaded machine (made while the page was still drawing it, or while the
  // last list was still closing, which it then reopens and closes): the list is opened again until the option shows
  for (let attempt = 1; ; attempt++) {
    await field.click();
    const shown = await item.waitFor({ state: 'visible', timeout: 3000 }).then(
      () => true,
      () => false,
    );
    if (shown || ((await open.count()) > 0 && (await revealOption(page, item)))) break;
    if (attempt === 3) throw new Error(`choose: the option "${option}" of "${label}" did not show after three openings`);
    await open.waitFor({ state: 'hidden', timeout: 2000 }).catch(() => {});
  }
  await item.click();
  // the dropdown closes before the next click, which it would otherwise swallow; a click that landed while the
  // list was still opening (a loaded machine) is made again
  const closed = await open.waitFor({ state: 'hidden', timeout: 3000 }).then(
    () => true,
    () => false,
  );
  if (!closed && (await item.isVisible())) {
    await item.click();
    await open.waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => {});
  }
}

const require_ = createRequire(import.meta.url);
let axeSource: string | undefined;
/** Every violation seen when A11Y_REPORT names a file (to count them instead of failing): appended as JSON lines. */
const a11yReport = process.env.A11Y_REPORT;

/**
 * Runs axe-core (WCAG 2.1 A/AA and best practices) on the page as it is now and fails on any violation,
 * printing each rule, its targets and axe's summary. Injects axe once per document.
 */
export async function checkA11y(page: Page, name: string): Promise<void> {
  axeSource ??= fs.readFileSync(require_.resolve('axe-core/axe.min.js'), 'utf8');
  // let entering animations (modals, drawers, toasts) finish: half-faded text is not a contrast failure
  await page.waitForTimeout(350);
  const has = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe === 'object');
  if (!has) await page.evaluate(axeSource);
  type Result = { id: string; impact: string | null; help: string; nodes: { target: unknown[]; failureSummary?: string }[] };
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: Result[] }> } }).axe;
    // an element leaving (a toast fading out, a closing modal: antd's *-leave motion classes) is half transparent
    // and about to go: its contrast is not the page's
    const r = await axe.run({ exclude: [['[class*="-leave"]']] }, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
    }));
  });
  const text = violations
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help}\n${v.nodes.map((n) => `  ${JSON.stringify(n.target)}\n    ${(n.failureSummary ?? '').replace(/\n/g, '\n    ')}`).join('\n')}`,
    )
    .join('\n');
  if (a11yReport) {
    fs.appendFileSync(
      a11yReport,
      JSON.stringify({
        page: name,
        url: page.url(),
        violations: violations.map((v) => ({ id: v.id, nodes: v.nodes.length, targets: v.nodes.map((n) => n.target) })),
      }) + '\n',
    );
    return;
  }
  if (violations.length) throw new Error(`axe: ${violations.length} rule(s) violated on ${name} (${page.url()}):\n${text}`);
}

/** checkA11y, then a full-page screenshot: what a journey does at each page or state it reaches. */
export async function look(page: Page, name: string): Promise<void> {
  await checkA11y(page, name);
  await shot(page, name);
}

/**
 * Records the page's console errors and failed requests' errors (a refused action the UI should not have
 * asked shows as one). Returns the live list.
 */
export function consoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`${m.text()} @ ${page.url()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message} @ ${page.url()}`));
  return errors;
}
