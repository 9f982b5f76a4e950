import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ADMIN_PASSWORD, e2eSuite, look, newPage, shot } from './harness';
import { ApiClient } from './api';
import { publishedCampaignE2E, type PublishedE2E } from './publication-api';

// The public winners pages in Chromium (issue 15, 2.): after 发布, the campaign index, the gallery and a winner's page
// work with JavaScript switched off; at a phone's width the video plays and seeks and nothing scrolls sideways; the
// certificate's verification URL (helper C's /verify) shows the winner's name, title and year.
const PHONE = { width: 390, height: 844 };
const ARTICLE = (name: string) => `${name}同志扎根新疆，潜心科研二十年。\n\n${name}带领团队攻克难题，事迹感人。`;

let setup: PublishedE2E;
let admin: ApiClient;

const e2e = e2eSuite({
  async setup(platform) {
    admin = new ApiClient(platform.url);
    await admin.login('admin', ADMIN_PASSWORD);
    setup = await publishedCampaignE2E(platform.url, admin, { tag: 'pub', article: ARTICLE });
  },
});

const winners = () => setup.candidates.filter((c) => c.outcome !== 'not_won');

async function noSidewaysScroll(page: Page) {
  const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  expect(scroll).toBeLessThanOrEqual(client);
}

describe('public winners pages', () => {
  it('works with JavaScript disabled: index → gallery → a winner', async () => {
    const context = await e2e.browser.newContext({ baseURL: e2e.platform.url, locale: 'zh-CN', viewport: PHONE, javaScriptEnabled: false });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    try {
      await page.goto('/results');
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('评选结果');
      await shot(page, 'public-01-index-nojs');
      await page.getByRole('link', { name: new RegExp(`${setup.year}年`) }).click();
      await page.waitForURL(`**/results/${setup.year}`);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('新疆最美科技工作者');
      for (const w of winners()) await page.getByRole('heading', { level: 2, name: w.name }).waitFor();
      expect(await page.locator('.mark', { hasText: '推荐全国' }).count()).toBe(1);
      for (const c of setup.candidates.filter((c) => c.outcome === 'not_won')) expect(await page.getByText(c.name).count()).toBe(0);
      // the photos are real images the browser decoded
      const first = page.locator('.card img').first();
      await first.scrollIntoViewIfNeeded();
      await expect.poll(() => first.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
      await shot(page, 'public-02-gallery-nojs-phone');

      const w = winners()[0]!;
      await page.getByRole('link', { name: new RegExp(w.name) }).click();
      await page.waitForURL(`**/results/${setup.year}/${w.slug}`);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(w.name);
      const paragraphs = page.locator('article p');
      expect(await paragraphs.count()).toBe(2);
      expect(await paragraphs.first().textContent()).toBe(`${w.name}同志扎根新疆，潜心科研二十年。`);
      expect(await page.locator('video').count()).toBe(1);
      expect(await page.locator('video').getAttribute('controls')).toBe('');
      expect(await page.locator('video').getAttribute('playsinline')).toBe('');
      await shot(page, 'public-03-winner-nojs-phone');
    } finally {
      await context.close();
    }
  });

  it('passes axe and fits a phone and a desktop', async () => {
    for (const [name, viewport] of [
      ['phone', PHONE],
      ['desktop', { width: 1366, height: 900 }],
    ] as const) {
      const { context, page } = await newPage(e2e.browser, e2e.platform.url, viewport);
      try {
        for (const [step, path] of [
          ['index', '/results'],
          ['gallery', `/results/${setup.year}`],
          ['winner', `/results/${setup.year}/${winners()[0]!.slug}`],
          ['404', `/results/${setup.year}/no-such-winner`],
        ] as const) {
          const res = await page.goto(path);
          expect(res?.status()).toBe(step === '404' ? 404 : 200);
          await noSidewaysScroll(page);
          await look(page, `public-04-${step}-${name}`);
        }
      } finally {
        await context.close();
      }
    }
  });

  it('plays and seeks the video at a phone’s width', async () => {
    const { context, page } = await newPage(e2e.browser, e2e.platform.url, PHONE);
    try {
      const w = winners()[0]!;
      // the player's requests for the video: Range requests answered 206 (what lets a phone seek)
      const media: { range: string | undefined; status: number }[] = [];
      page.on('response', (r) => {
        if (r.url().includes('/results/media/') && !r.url().endsWith('/preview')) media.push({ range: r.request().headers().range, status: r.status() });
      });
      await page.goto(`/results/${setup.year}/${w.slug}`);
      const video = page.locator('video');
      await video.scrollIntoViewIfNeeded();
      await expect.poll(() => video.evaluate((v) => (v as HTMLVideoElement).readyState), { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
      expect(await video.evaluate((v) => (v as HTMLVideoElement).duration)).toBeGreaterThan(1.5);
      const box = await video.boundingBox();
      expect(box!.width).toBeLessThanOrEqual(PHONE.width);
      await video.evaluate((v) => {
        const el = v as HTMLVideoElement;
        el.muted = true;
        return el.play();
      });
      await expect.poll(() => video.evaluate((v) => (v as HTMLVideoElement).currentTime), { timeout: 10_000 }).toBeGreaterThan(0);
      await video.evaluate((v) => (v as HTMLVideoElement).pause());
      const at = await video.evaluate(
        (v) =>
          new Promise<number>((resolve, reject) => {
            const el = v as HTMLVideoElement;
            el.addEventListener('seeked', () => resolve(el.currentTime), { once: true });
            el.addEventListener('error', () => reject(new Error(`video error ${el.error?.code}`)), { once: true });
            el.currentTime = 1.5;
          }),
      );
      expect(at).toBeCloseTo(1.5, 0);
      await noSidewaysScroll(page);
      await shot(page, 'public-05-video-phone');
      expect(media.length).toBeGreaterThan(0);
      expect(media.every((m) => m.range !== undefined && m.status === 206)).toBe(true);
    } finally {
      await context.close();
    }
  });

  it('opens the certificate’s verification URL of a winner', async () => {
    const { certificates } = await admin.call<{
      certificates: { number: string; name: string; title: string; year: number; kind: string; verifyUrl: string }[];
    }>('GET', `/api/certificates/campaigns/${setup.campaignId}`);
    const w = winners()[1]!;
    const cert = certificates.find((c) => c.name === w.name && c.kind === 'winner');
    expect(cert, `a certificate of ${w.name}`).toBeDefined();
    const { context, page } = await newPage(e2e.browser, e2e.platform.url, PHONE);
    try {
      // the printed QR code's URL, on this server
      await page.goto(`/verify/${encodeURIComponent(cert!.number)}`);
      expect(await page.locator('dd').nth(0).textContent()).toBe(w.name);
      expect(await page.locator('dd').nth(1).textContent()).toBe(cert!.title);
      expect(await page.locator('dd').nth(2).textContent()).toBe(`${setup.year}年`);
      expect(cert!.title).toContain('新疆最美科技工作者');
      await shot(page, 'public-06-verify-phone');
    } finally {
      await context.close();
    }
  });
});
