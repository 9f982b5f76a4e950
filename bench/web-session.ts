// What bench:web and bench:profile share: the accounts and pages they measure, the browser's flags, and the cookies.
import type { Browser } from 'puppeteer-core';
import { ApiClient, firstLogin } from '../e2e/api';
import { ADMIN_PASSWORD, CAPTCHA, CHROMIUM_FLAGS } from '../e2e/harness';
import { completeForm } from '../server/testing/factories';

export const BENCH_CHROME_FLAGS = ['--headless=new', ...CHROMIUM_FLAGS];

export interface PageSpec {
  key: string;
  label: string;
  path: string;
  cookie?: string;
  /** issue 11's figures (before): score, FCP s, LCP s, TBT s, KB on the wire */
  before: string;
}

export interface BenchAccounts {
  applicant: string;
  applicationId: string;
  unit: string;
  organizer: string;
}

/** The main page of each role, as bench:web measures them. */
export function benchPages(who: BenchAccounts): PageSpec[] {
  return [
    { key: 'login', label: '登录 (anonymous)', path: '/login', before: '42 | 5.7 | 6.8 | 0.9–4.2 | 950–1500' },
    { key: 'mine', label: '我的申报表 (applicant)', path: '/zmkj/mine', cookie: who.applicant, before: '30–32 | 5.7 | — | 0.9–4.2 | 950–1500' },
    {
      key: 'edit',
      label: '申请书 (applicant, a full draft)',
      path: `/zmkj/applications/${who.applicationId}`,
      cookie: who.applicant,
      before: '29 | 5.7 | 11.9 | 0.9–4.2 | 950–1500',
    },
    { key: 'pending', label: '待审核申报表 (unit)', path: '/zmkj/pending', cookie: who.unit, before: '30–32 | 5.7 | — | 0.9–4.2 | 950–1500' },
    { key: 'units', label: '推荐单位管理 (organizer)', path: '/admin/units', cookie: who.organizer, before: '30–32 | 5.7 | — | 0.9–4.2 | 950–1500' },
  ];
}

export async function seedBenchAccounts(url: string): Promise<BenchAccounts> {
  const admin = new ApiClient(url);
  await admin.login('admin', ADMIN_PASSWORD);
  await admin.call('POST', '/api/admin/units', {
    unitName: '克拉玛依市科学技术协会',
    unitType: '地州市科协',
    region: '克拉玛依市',
    contactName: '赵六',
    contactPhone: '13609905678',
    mobile: '13609905678',
    username: 'klmykx',
    password: 'Unit2023x',
  });
  await firstLogin(url, 'klmykx', 'Unit2023x');
  const applicant = new ApiClient(url);
  await applicant.call('POST', '/api/auth/register/applicant', {
    username: 'benchweb01',
    password: 'Apply2023x',
    realName: '阿依努尔',
    mobile: '13899995678',
    email: 'benchweb01@example.cn',
    captcha: CAPTCHA,
  });
  const { id } = await applicant.call<{ id: string }>('POST', '/api/applications');
  // a draft with every field filled in: the 申请书 page shows all of it
  await applicant.call('PUT', `/api/applications/${id}`, { form: completeForm({ name: '阿依努尔', mobile: '13899995678' }) });
  const unit = new ApiClient(url);
  await unit.login('klmykx', 'Unit2023x');
  return { applicant: applicant.sessionHeaders().cookie, applicationId: id, unit: unit.sessionHeaders().cookie, organizer: admin.sessionHeaders().cookie };
}

/**
 * The browser's cookies become exactly the given session's (none for the login page). Lighthouse keeps
 * cookies between runs, and a Cookie header given as `extraHeaders` loses to the browser's own cookies.
 */
export async function useCookies(browser: Browser, url: string, cookie?: string) {
  const page = (await browser.pages())[0] ?? (await browser.newPage());
  const cdp = await page.createCDPSession();
  await cdp.send('Network.clearBrowserCookies');
  const cookies = (cookie ?? '')
    .split('; ')
    .filter(Boolean)
    .map((pair) => ({ name: pair.slice(0, pair.indexOf('=')), value: pair.slice(pair.indexOf('=') + 1), url }));
  if (cookies.length) await cdp.send('Network.setCookies', { cookies });
  await cdp.detach();
}
