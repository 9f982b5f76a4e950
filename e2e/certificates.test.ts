// 证书 in Chromium (issue 15, 3.): after 发布 the organizer's 证书 page lists the certificates, takes a seal image (its
// preview shown) and makes the ZIP with a progress bar to its download; the winner finds 证书 on 我的申报表 and
// downloads it; the verification page works without JavaScript, on a phone.
import { expect, it } from 'vitest';
import sharp from 'sharp';
import { ApiClient, UNIT_PASSWORD } from './api';
import { ADMIN_PASSWORD, e2eSuite, login, look, open, settled, shot } from './harness';
import { APPLICANT_PASSWORD, publishedCampaignE2E, type PublishedE2E } from './publication-api';

let setup: PublishedE2E;
const suite = e2eSuite({
  setup: async (platform) => {
    const admin = new ApiClient(platform.url);
    await admin.login('admin', ADMIN_PASSWORD);
    setup = await publishedCampaignE2E(platform.url, admin, { tag: 'cert' });
  },
});

it('the organizer: certificates listed, a seal uploaded with its preview, the ZIP to its download', async () => {
  const page = await open(suite);
  await login(page, 'admin', ADMIN_PASSWORD);
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  await page.goto('/admin/certificates');
  await page.getByRole('heading', { level: 1, name: '证书' }).waitFor();
  const winner = setup.candidates[0]!;
  // three winners and the national recommendee: four certificates
  await page.getByRole('cell', { name: `${setup.year}年全国“最美科技工作者”推荐人选` }).waitFor();
  expect(await page.locator('tbody tr.ant-table-row').count()).toBe(4);
  await expect(page.getByRole('cell', { name: winner.name }).count()).resolves.toBe(2);
  await look(page, 'certificates-organizer');

  const seal = await sharp(
    Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="300"><circle cx="150" cy="150" r="140" fill="none" stroke="#d00" stroke-width="12"/></svg>',
    ),
  )
    .png()
    .toBuffer();
  await page.locator('input[type=file]').nth(1).setInputFiles({ name: '科协印章.png', mimeType: 'image/png', buffer: seal });
  await page.getByText('自治区科协印章已上传').waitFor();
  await page.getByRole('img', { name: '自治区科协印章' }).waitFor();
  await expect(page.getByRole('img', { name: '自治区科协印章' }).evaluate((img: HTMLImageElement) => img.naturalWidth)).resolves.toBeGreaterThan(0);

  await page.getByRole('button', { name: /下载全部证书/ }).click();
  await page.locator('.ant-progress').first().waitFor();
  const download = page.getByRole('link', { name: /下载（/ });
  await download.waitFor({ timeout: 60_000 });
  await settled(page);
  await look(page, 'certificates-zip-ready');
  const href = await download.getAttribute('href');
  const res = await page.request.get(href!);
  expect(res.status()).toBe(200);
  expect(res.headers()['content-type']).toBe('application/zip');
  expect((await res.body()).subarray(0, 2).toString()).toBe('PK');
  await page.context().close();
});

it('the winner downloads their certificate from 我的申报表; the verification page works without JavaScript on a phone', async () => {
  const winner = setup.candidates[0]!;
  const page = await open(suite);
  await login(page, winner.username, APPLICANT_PASSWORD);
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  await page.goto('/zmkj/mine');
  await page.getByText('证书编号：').first().waitFor();
  await settled(page);
  await look(page, 'certificates-applicant');
  const link = page.getByRole('link', { name: /下载证书 XJZMKJ-\d{4}-001/ });
  const pdf = await page.request.get((await link.getAttribute('href'))!);
  expect(pdf.status()).toBe(200);
  expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
  const verifyHref = await page.getByRole('link', { name: '验证页面' }).first().getAttribute('href');
  const number = /\/verify\/(.+)$/.exec(verifyHref!)![1]!;
  await page.context().close();

  const context = await suite.browser.newContext({
    baseURL: suite.platform.url,
    javaScriptEnabled: false,
    viewport: { width: 390, height: 844 },
    locale: 'zh-CN',
  });
  const phone = await context.newPage();
  const res = await phone.goto(`/verify/${number}`);
  expect(res?.status()).toBe(200);
  await phone.getByText('该证书真实有效').waitFor();
  const terms = await phone.locator('dt').allTextContents();
  const values = await phone.locator('dd').allTextContents();
  expect(terms).toEqual(['姓名', '荣誉称号', '年度']);
  expect(values[0]).toBe(winner.name);
  expect(values[2]).toBe(`${setup.year}年`);
  await shot(phone, 'certificates-verify-phone-nojs');
  const missing = await phone.goto('/verify/XJZMKJ-2099-999');
  expect(missing?.status()).toBe(404);
  await phone.getByText('未找到该证书编号对应的证书').waitFor();
  await context.close();
  // axe runs in the page: the same page with JavaScript on (it has none of its own)
  const checked = await open(suite, { width: 390, height: 844 });
  await checked.goto(`/verify/${number}`);
  await look(checked, 'certificates-verify-phone');
  await checked.context().close();
});

it('the unit finds its candidates’ certificates on 查询申报表 and prints a 申请书 from 查看申请书', async () => {
  const winner = setup.candidates[0]!;
  const unit = setup.units[0]!; // candidate i comes from unit i % 2
  const page = await open(suite);
  await login(page, unit.username, UNIT_PASSWORD);
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  await page.goto('/zmkj/search');
  await page.getByRole('link', { name: /下载证书 XJZMKJ-\d{4}-001/ }).waitFor();
  // its own candidates only: 0 and 2 (candidate 1 is the other unit's)
  expect(await page.getByRole('link', { name: /下载证书/ }).count()).toBe(3);
  await settled(page);
  await look(page, 'certificates-unit');
  await page.goto(`/zmkj/view/${winner.id}`);
  await page.getByRole('button', { name: /打印申请书/ }).click();
  const download = page.getByRole('dialog').getByRole('link', { name: /下载（/ });
  await download.waitFor({ timeout: 60_000 });
  await look(page, 'certificates-application-pdf');
  const pdf = await page.request.get((await download.getAttribute('href'))!);
  expect(pdf.status()).toBe(200);
  expect(pdf.headers()['content-type']).toBe('application/pdf');
  expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
  await page.context().close();
});
