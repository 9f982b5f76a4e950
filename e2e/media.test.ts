import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BrowserContext, CDPSession, Page, Request } from 'playwright-core';
import { ADMIN_PASSWORD, e2eSuite, login, newPage, look } from './harness';
import { ApiClient, firstLogin } from './api';
import { completeForm } from '../server/testing/factories';
import { pdfBytes, pngBytes } from '../server/testing/files';
import { fixturePath, jpegOfSize } from '../server/testing/media-fixtures';

// 照片, 视频 and 补充材料 (notice 材料要求, SPEC §8) in Chromium: choose or drop files, progress bars, the browser's
// pre-checks, a resumed upload after a reload, and the unit's 附件 viewer with thumbnails and a playing video.
const MiB = 1024 * 1024;
const UNIT = '克拉玛依市科学技术协会';
const NAME = '阿依努尔';

let applicationId = '';
let applicant: { context: BrowserContext; page: Page };
let tmpDir = '';
/** every request to /api/uploads the applicant's page makes */
const uploads: Array<{ method: string; url: string; offset: string | undefined }> = [];

const e2e = e2eSuite({
  async setup(platform, browser) {
    tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xjkx-media-'));
    const admin = new ApiClient(platform.url);
    await admin.login('admin', ADMIN_PASSWORD);
    await admin.call('POST', '/api/admin/units', {
      unitName: UNIT,
      unitType: '地州市科协',
      region: '克拉玛依市',
      contactName: '赵六',
      contactPhone: '13609905678',
      mobile: '13609905678',
      username: 'klmykx',
      password: 'Unit2023x',
    });
    await firstLogin(platform.url, 'klmykx', 'Unit2023x');
    // an applicant with a complete form, the pledge and the three scans: only the media are left
    const c = new ApiClient(platform.url);
    await c.call('POST', '/api/auth/register/applicant', {
      username: 'ayinur01',
      password: 'Apply2023x',
      realName: NAME,
      mobile: '13899995678',
      email: 'ayinur01@example.cn',
      captcha: '13579',
    });
    applicationId = (await c.call<{ id: string }>('POST', '/api/applications')).id;
    await c.call('PUT', `/api/applications/${applicationId}`, { form: completeForm({ name: NAME, mobile: '13899995678' }) });
    await c.call('POST', `/api/applications/${applicationId}/pledge`);
    await c.upload(applicationId, 'integrity_pledge', '诚信承诺.pdf', pdfBytes('p'), 'application/pdf');
    await c.upload(applicationId, 'unit_opinion', '单位意见.png', pngBytes(), 'image/png');
    await c.upload(applicationId, 'political_review', '政审材料.pdf', pdfBytes('r'), 'application/pdf');

    applicant = await newPage(browser, platform.url);
    applicant.page.on('request', (r: Request) => {
      if (new URL(r.url()).pathname.startsWith('/api/uploads')) uploads.push({ method: r.method(), url: r.url(), offset: r.headers()['upload-offset'] });
    });
  },
  async teardown() {
    if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
  },
});

const sessions = new WeakMap<Page, CDPSession>();

/** Chromium's network emulation: uploads at `bytesPerSecond` (-1: no limit), so progress can be seen; or offline. */
async function throttle(context: BrowserContext, page: Page, bytesPerSecond: number, offline = false) {
  let cdp = sessions.get(page);
  if (!cdp) {
    cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    sessions.set(page, cdp);
  }
  await cdp.send('Network.emulateNetworkConditions', { offline, latency: 0, downloadThroughput: -1, uploadThroughput: bytesPerSecond });
}

const photoSection = (page: Page) => page.locator('#sec-photos');
const videoSection = (page: Page) => page.locator('#sec-videos');
const posts = () => uploads.filter((u) => u.method === 'POST').length;

async function openEditor(page: Page) {
  await page.getByRole('menuitem', { name: '我的申报表' }).click();
  await page.locator('tr', { hasText: 'ZMKJ2023' }).first().getByText('编辑申请书/提交').click();
  await page.getByText(`最美科技工作者/${NAME}`).first().waitFor();
  await photoSection(page)
    .getByText(/已上传 \d+ 张/)
    .waitFor();
}

/** naturalWidth of every <img> matched: all loaded and decoded when none is 0. */
const naturalWidths = (page: Page, selector: string) =>
  page.locator(selector).evaluateAll((imgs) => imgs.map((i) => ((i as HTMLImageElement).complete ? (i as HTMLImageElement).naturalWidth : 0)));

describe('申报人: 照片, 视频 and 补充材料 on the 申请书', () => {
  it('chooses and drops photos with a progress bar; the browser refuses what breaks a rule; a video plays', async () => {
    const { context, page } = applicant;
    await login(page, 'ayinur01', 'Apply2023x');
    await page.getByRole('menuitem', { name: '我的申报表' }).waitFor();
    await openEditor(page);

    // the rules are written above each area, and 提交 would name the missing photo
    await photoSection(page).getByText('JPEG 格式，每张不小于 2 MB').waitFor();
    await videoSection(page)
      .getByText(/MP4 或 MOV 格式，每个不超过 3分钟.*横版 1920×1080 或竖版 1080×1920，最多 3 个/)
      .waitFor();
    await page.getByRole('button', { name: '提交', exact: true }).click();
    await page.getByText('照片 0 张，要求至少 1 张').first().waitFor();
    await look(page, 'media-01-editor-empty');

    // two photos chosen at once, sent at ~2 MB/s: each has a progress bar with percent and speed
    await throttle(context, page, 2 * MiB);
    await page.getByLabel('选择照片文件').setInputFiles([
      { name: 'IMG_0001.jpg', mimeType: 'image/jpeg', buffer: jpegOfSize(3 * MiB) },
      { name: 'IMG_0002.jpg', mimeType: 'image/jpeg', buffer: jpegOfSize(3 * MiB + 512 * 1024) },
    ]);
    const bar = page.getByRole('progressbar', { name: '照片 IMG_0001.jpg 上传进度' });
    await bar.waitFor();
    await expect.poll(async () => Number(await bar.getAttribute('aria-valuenow')), { timeout: 10_000 }).toBeGreaterThan(0);
    await page
      .getByText(/[KM]B\/s/)
      .first()
      .waitFor();
    await photoSection(page).scrollIntoViewIfNeeded();
    await look(page, 'media-02-photo-progress');
    await photoSection(page)
      .getByRole('listitem', { name: `${NAME}1.jpg` })
      .waitFor({ timeout: 30_000 });
    await photoSection(page)
      .getByRole('listitem', { name: `${NAME}2.jpg` })
      .waitFor({ timeout: 30_000 });

    // a third dropped onto the area
    const dropped = await page.evaluateHandle(
      ({ b64, name }) => {
        const bin = atob(b64);
        const bytes = new Uint8Array(bin.length);
        for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
        const dt = new DataTransfer();
        dt.items.add(new File([bytes], name, { type: 'image/jpeg', lastModified: Date.now() }));
        return dt;
      },
      { b64: jpegOfSize(2 * MiB + 4096).toString('base64'), name: '拖入的照片.jpg' },
    );
    await photoSection(page).locator('.media-drop').dispatchEvent('dragenter', { dataTransfer: dropped });
    await photoSection(page).locator('.media-drop').dispatchEvent('drop', { dataTransfer: dropped });
    await photoSection(page)
      .getByRole('listitem', { name: `${NAME}3.jpg` })
      .waitFor({ timeout: 30_000 });
    await photoSection(page).getByText('已上传 3 张，至少 1 张，最多 10 张').waitFor();
    // each preview is a job's work: 预览生成中… until the page's next ask finds it made
    await expect.poll(() => naturalWidths(page, '#sec-photos .photo-grid img'), { timeout: 30_000 }).toEqual([640, 640, 640]);
    expect(
      await photoSection(page)
        .locator('.photo-grid img')
        .evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).getAttribute('src'))),
    ).toEqual(expect.arrayContaining([expect.stringMatching(/^\/api\/attachments\/[0-9a-f-]+\/preview$/)]));

    // one byte short of 2 MB: refused in the browser with the rule, nothing sent
    const before = posts();
    await page.getByLabel('选择照片文件').setInputFiles({ name: '太小.jpg', mimeType: 'image/jpeg', buffer: jpegOfSize(2 * MiB - 1) });
    await photoSection(page).getByText('照片 1.99 MB，要求不小于 2 MB').waitFor();
    await page.waitForTimeout(300);
    expect(posts()).toBe(before);
    await photoSection(page).scrollIntoViewIfNeeded();
    await look(page, 'media-03-photos');

    // a 1280×720 video: the browser reads its frame size and refuses it before sending
    await page.getByLabel('选择视频文件').setInputFiles(fixturePath('small-720p.mp4'));
    await videoSection(page).getByText('视频分辨率 1280×720，要求横版 1920×1080 或竖版 1080×1920').waitFor();
    await page.waitForTimeout(300);
    expect(posts()).toBe(before);

    // a 1920×1080 one goes up and plays in place
    await page.getByLabel('选择视频文件').setInputFiles(fixturePath('landscape.mp4'));
    const item = videoSection(page).locator('.video-list').getByRole('listitem', { name: 'landscape.mp4' });
    await item.waitFor({ timeout: 30_000 });
    await item.getByText('时长 2秒 · 1920×1080 横版').waitFor();
    const player = item.locator('video');
    expect(await player.getAttribute('src')).toMatch(/^\/api\/attachments\/[0-9a-f-]+$/);
    await expect.poll(() => player.evaluate((v) => (v as HTMLVideoElement).videoWidth), { timeout: 10_000 }).toBe(1920);
    await videoSection(page).scrollIntoViewIfNeeded();
    await look(page, 'media-04-video');

    // 补充材料 under 主要事迹 (a PDF) and 感人故事 (an image)
    const deedsExtra = page.locator('#sec-mainDeeds-extra');
    const storyExtra = page.locator('#sec-story-extra');
    await deedsExtra.getByText('要求：图片（JPEG、PNG）或 PDF 每个不大于 20 MB，视频（MP4、MOV）每个不大于 1 GB').waitFor();
    await deedsExtra.getByLabel('选择补充材料文件').setInputFiles({ name: '成果证明.pdf', mimeType: 'application/pdf', buffer: pdfBytes('deeds') });
    await deedsExtra.getByRole('listitem', { name: '成果证明.pdf' }).waitFor({ timeout: 30_000 });
    await storyExtra.getByLabel('选择补充材料文件').setInputFiles({ name: '田间合影.jpg', mimeType: 'image/jpeg', buffer: jpegOfSize(300 * 1024) });
    await storyExtra.getByRole('listitem', { name: '田间合影.jpg' }).waitFor({ timeout: 30_000 });
    // the text fields keep their labels to themselves
    expect(await page.getByLabel('主要事迹').count()).toBe(1);
    expect(await page.getByLabel('感人故事').count()).toBe(1);
    await page.locator('#sec-story').scrollIntoViewIfNeeded();
    await look(page, 'media-05-extras');

    // on a phone the same sections, one column
    const phone = await newPage(e2e.browser, e2e.platform.url, { width: 390, height: 844 });
    await login(phone.page, 'ayinur01', 'Apply2023x');
    await phone.page
      .getByRole('menuitem', { name: '我的申报表' })
      .first()
      .waitFor()
      .catch(() => {});
    await phone.page.goto(`/zmkj/applications/${applicationId}`);
    await photoSection(phone.page)
      .getByRole('listitem', { name: `${NAME}3.jpg` })
      .waitFor();
    await videoSection(phone.page).locator('video').waitFor();
    await look(phone.page, 'media-05b-phone');
    await phone.context.close();
  }, 240_000); // axe on every page

  it('continues an upload after a reload, and after the connection drops, from where it stopped', async () => {
    const { context, page } = applicant;
    const big = path.join(tmpDir, 'IMG_big.jpg');
    fs.writeFileSync(big, jpegOfSize(12 * MiB));
    // slow enough that the reload below lands inside the first 8 MiB PATCH even when the machine is busy (the
    // accessibility check before it took 6 s at load 20): the server keeps what that PATCH had brought
    await throttle(context, page, MiB / 2);
    const start = uploads.length;
    await page.getByLabel('选择照片文件').setInputFiles(big);
    const bar = page.getByRole('progressbar', { name: '照片 IMG_big.jpg 上传进度' });
    await expect.poll(async () => Number(await bar.getAttribute('aria-valuenow')), { timeout: 20_000, interval: 200 }).toBeGreaterThanOrEqual(20);
    await look(page, 'media-06-big-progress');
    const firstOffset = uploads.slice(start).find((u) => u.method === 'PATCH')?.offset;
    expect(firstOffset).toBe('0');

    // the page is reloaded mid-way: the editor says what is unfinished
    await page.reload();
    await throttle(context, page, 2 * MiB);
    await photoSection(page)
      .getByText(/上次未完成的上传：IMG_big\.jpg（已上传 [\d.]+ MB \/ 12 MB/)
      .waitFor();
    await photoSection(page).scrollIntoViewIfNeeded();
    await look(page, 'media-07-unfinished');

    // choosing the same file again continues from the server's offset
    const resumed = uploads.length;
    await page.getByLabel('选择照片文件').setInputFiles(big);
    await page
      .getByText(/从 \d+% 处继续/)
      .first()
      .waitFor();
    await look(page, 'media-08-resumed');
    await photoSection(page)
      .getByRole('listitem', { name: `${NAME}4.jpg` })
      .waitFor({ timeout: 30_000 });
    const after = uploads.slice(resumed);
    expect(after.some((u) => u.method === 'POST')).toBe(false); // no new upload was created
    const patch = after.find((u) => u.method === 'PATCH');
    expect(Number(patch?.offset)).toBeGreaterThan(0);
    await expect(
      photoSection(page)
        .getByText(/上次未完成的上传/)
        .count(),
    ).resolves.toBe(0);

    // the connection drops mid-way (a phone losing signal): paused with the reason, continued when it is back
    const flaky = path.join(tmpDir, 'IMG_flaky.jpg');
    fs.writeFileSync(flaky, jpegOfSize(10 * MiB));
    await page.getByLabel('选择照片文件').setInputFiles(flaky);
    const flakyBar = page.getByRole('progressbar', { name: '照片 IMG_flaky.jpg 上传进度' });
    await expect.poll(async () => Number(await flakyBar.getAttribute('aria-valuenow')), { timeout: 20_000, interval: 200 }).toBeGreaterThanOrEqual(30);
    await throttle(context, page, 2 * MiB, true);
    await photoSection(page).getByText('网络已断开，恢复连接后将自动从中断处继续上传').waitFor();
    await look(page, 'media-09-offline');
    const back = uploads.length;
    await throttle(context, page, 2 * MiB, false);
    await photoSection(page)
      .getByRole('listitem', { name: `${NAME}5.jpg` })
      .waitFor({ timeout: 30_000 });
    const continued = uploads.slice(back);
    expect(continued.some((u) => u.method === 'POST')).toBe(false);
    expect(Number(continued.find((u) => u.method === 'PATCH')?.offset)).toBeGreaterThan(0);
    await throttle(context, page, -1);

    // the server cannot store anything when the last byte is in (its storage is down, so the bytes cannot be kept
    // either: an upload's bytes in progress live in that storage, for every instance): the client retries on its
    // own, then the line says so, and 继续 continues the same upload once the storage is back
    const files = path.join(e2e.platform.dataDir, 'files');
    fs.renameSync(files, `${files}.away`);
    fs.writeFileSync(files, 'storage down');
    const stored = path.join(tmpDir, 'IMG_store.jpg');
    fs.writeFileSync(stored, jpegOfSize(2 * MiB + 4321));
    const line = photoSection(page).getByRole('listitem', { name: 'IMG_store.jpg' });
    try {
      await page.getByLabel('选择照片文件').setInputFiles(stored);
      // tus-js-client's retries (RETRY_DELAYS: 39 s in all) come first
      await line.getByText('服务器暂时无法保存文件，上传已暂停，请稍后点击“继续”重试，将从服务器已保存的位置接着上传').waitFor({ timeout: 90_000 });
      await look(page, 'media-09b-store-failed');
    } finally {
      fs.rmSync(files, { force: true });
      fs.renameSync(`${files}.away`, files);
    }
    const retried = uploads.length;
    await line.getByRole('button', { name: /继\s*续/ }).click();
    await photoSection(page)
      .getByRole('listitem', { name: `${NAME}6.jpg` })
      .waitFor({ timeout: 30_000 });
    const again = uploads.slice(retried).map((u) => `${u.method} ${new URL(u.url).pathname.replace(/[0-9a-f]{32}/, ':id')}`);
    expect(again.some((r) => r === 'PATCH /api/uploads/:id' || r === 'POST /api/uploads/:id/commit')).toBe(true);
    expect(again.filter((r) => r === 'POST /api/uploads')).toEqual([]); // the same upload, no new one
  }, 300_000); // axe on every page

  it('submits, and the unit sees thumbnails and plays the video in the 附件 viewer', async () => {
    const { page } = applicant;
    await page.getByRole('button', { name: '提交', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: '选择推荐单位' });
    await dialog.waitFor();
    // by keyboard: search the unit, Enter (more robust than clicking into the opening dropdown)
    const unitSelect = dialog.getByLabel('推荐单位', { exact: true });
    await unitSelect.click();
    await unitSelect.fill('克拉玛依');
    await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option', { hasText: UNIT }).waitFor();
    await page.keyboard.press('Enter');
    // the select announces its value in a live region
    await expect.poll(() => dialog.locator('[aria-live="polite"]').allTextContents()).toContain(UNIT);
    // the list closes by itself after Enter; Escape here could land after it closed and close the dialog instead
    const openDropdown = page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)');
    const closed = await openDropdown.waitFor({ state: 'hidden', timeout: 5000 }).then(
      () => true,
      () => false,
    );
    if (!closed) await dialog.locator('.ant-modal-title').click();
    await openDropdown.waitFor({ state: 'hidden' });
    await look(page, 'media-10-submit');
    await dialog.getByRole('button', { name: '确定提交' }).click();
    await page
      .getByRole('link', { name: `[申报人]提交到[${UNIT}]` })
      .first()
      .waitFor();

    const u = (await newPage(e2e.browser, e2e.platform.url)).page;
    await login(u, 'klmykx', 'Unit2023x');
    await u.getByRole('menuitem', { name: '待审核申报表' }).click();
    await u.getByRole('tab', { name: '待审核的' }).click();
    await u.locator('tr', { hasText: NAME }).first().getByText('办理', { exact: true }).click();
    await u.getByText(`最美科技工作者/${NAME}`).first().waitFor();
    await u.getByRole('button', { name: '附件', exact: true }).first().click();
    const viewer = u.getByRole('dialog');
    const photos = viewer.getByRole('region', { name: '照片附件' });
    await photos.waitFor();
    const PHOTOS = 6;
    for (let i = 1; i <= PHOTOS; i++) await photos.getByRole('link', { name: `${NAME}${i}.jpg` }).waitFor();
    // a preview still being made (the last photo was uploaded seconds ago) shows an icon, then its thumbnail by itself;
    // a preview whose job ran while the file store was away above is tried again up to 30 s apart (server/jobs/media.ts)
    const thumbs = photos.locator('img');
    await expect
      .poll(() => thumbs.evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).getAttribute('src')!.endsWith('/preview'))), {
        timeout: 60_000,
      })
      .toEqual(Array(PHOTOS).fill(true));
    await expect.poll(() => naturalWidths(u, '[aria-label="照片附件"] img'), { timeout: 30_000 }).toEqual(Array(PHOTOS).fill(640));
    // the first photo is shown from its preview, with the original as 下载原图
    const shown = viewer.locator('.viewer-main img');
    expect(await shown.getAttribute('src')).toMatch(/\/preview$/);
    await expect.poll(() => shown.evaluate((i) => (i as HTMLImageElement).naturalWidth)).toBe(640);
    expect(await viewer.getByRole('link', { name: '下载原图' }).getAttribute('href')).toMatch(/^\/api\/attachments\/[0-9a-f-]+$/);
    for (const group of ['视频附件', '主要事迹补充材料附件', '感人故事补充材料附件', '个人诚信承诺附件', '政审材料附件']) {
      await viewer.getByRole('region', { name: group }).waitFor();
    }
    await look(u, 'media-11-viewer-photo');

    // the video plays in place
    await viewer
      .getByRole('region', { name: '视频附件' })
      .getByRole('link', { name: /landscape\.mp4/ })
      .click();
    const video = viewer.locator('.viewer-main video');
    await video.waitFor();
    const h264 = await u.evaluate(() => document.createElement('video').canPlayType('video/mp4; codecs="avc1.42E01E"'));
    console.log(`Chromium canPlayType(H.264 baseline): "${h264}"`);
    await expect.poll(() => video.evaluate((v) => (v as HTMLVideoElement).videoWidth), { timeout: 10_000 }).toBe(1920);
    if (h264) {
      await video.evaluate((v) => {
        const el = v as HTMLVideoElement;
        el.muted = true;
        return el.play();
      });
      await expect.poll(() => video.evaluate((v) => (v as HTMLVideoElement).currentTime), { timeout: 10_000 }).toBeGreaterThan(0);
      await video.evaluate((v) => (v as HTMLVideoElement).pause());
    }
    await look(u, 'media-12-viewer-video');

    // a PDF of the 补充材料 is drawn by pdf.js on a canvas, never by the browser (e2e/pdf.test.ts)
    await viewer
      .getByRole('region', { name: '主要事迹补充材料附件' })
      .getByRole('link', { name: /成果证明\.pdf/ })
      .click();
    await viewer.locator('.viewer-main').getByText('共 1 页').waitFor();
    await viewer.locator('.viewer-main canvas').waitFor();
    expect(await viewer.locator('.viewer-main object, .viewer-main embed, .viewer-main iframe').count()).toBe(0);
    await look(u, 'media-13-viewer-pdf');
  }, 240_000); // axe on every page
});
