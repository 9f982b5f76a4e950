import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { ADMIN_PASSWORD, e2eSuite, login, newPage, look } from './harness';
import { ApiClient, firstLogin } from './api';
import { completeForm } from '../server/testing/factories';
import { jpegBytes, pngBytes } from '../server/testing/files';

// A PDF's own JavaScript must never run: the 附件 viewer and its 在新窗口打开 page draw PDFs with pdf.js on
// <canvas> (scripting off), and the original is always a download, even when asked with ?inline=1.
const UNIT = '哈密市科学技术协会';
const NAME = '热依拉';
const SCRIPT_MARK = 'PDF-JS-RAN';

/**
 * A real two-page PDF (a red and a blue band with "Page N"), with JavaScript run when it is opened (the
 * catalog's OpenAction, a document-level script and each page's open action): an alert, and requests to
 * `detect` (launchURL, submitForm). Chromium's own viewer runs it; pdf.js with scripting off must not.
 */
function scriptedPdf(detect: string, pages = 2): Buffer {
  const script = `app.alert("${SCRIPT_MARK}"); app.launchURL("${detect}/launch", true); this.submitForm({ cURL: "${detect}/submit" });`;
  const hex = (s: string) => `<${Buffer.from(s, 'latin1').toString('hex')}>`;
  const colours = ['0.80 0.10 0.10', '0.10 0.30 0.80'];
  const pageIds = Array.from({ length: pages }, (_, i) => 7 + i * 2);
  const objs = [
    `<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R /Names << /JavaScript 5 0 R >> >>`,
    `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pages} >>`,
    `<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>`,
    `<< /Type /Action /S /JavaScript /JS ${hex(script)} >>`,
    `<< /Names [${hex('run')} 6 0 R] >>`,
    `<< /Type /Action /S /JavaScript /JS ${hex(script)} >>`,
  ];
  for (let i = 0; i < pages; i++) {
    const content = `${colours[i % colours.length]} rg 20 20 260 160 re f BT /F1 28 Tf 1 1 1 rg 60 90 Td (Page ${i + 1}) Tj ET`;
    objs.push(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Resources << /Font << /F1 3 0 R >> >> /Contents ${8 + i * 2} 0 R /AA << /O 4 0 R >> >>`);
    objs.push(`<< /Length ${content.length} >>\nstream\n${content}\nendstream`);
  }
  return pdfOf(objs);
}

/** Objects numbered from 1 and the catalog as object 1: the bytes of a PDF with its cross-reference table. */
function pdfOf(objs: string[]): Buffer {
  let out = '%PDF-1.7\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objs.forEach((obj, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${obj}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/**
 * Chinese text in a font the PDF does not embed (STSong-Light, encoding UniGB-UCS2-H), as many Chinese PDFs
 * are made: pdf.js needs the UniGB-UCS2-H CMap for it, which comes bundled from our own origin.
 */
function chinesePdf(text: string): Buffer {
  const utf16 = Buffer.from(text, 'utf16le').swap16().toString('hex');
  const content = `BT /F1 32 Tf 0 0 0 rg 20 80 Td <${utf16}> Tj ET`;
  return pdfOf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [6 0 R] >>',
    '<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> /FontDescriptor 7 0 R /DW 1000 >>',
    '<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>',
  ]);
}

/** A 64×48 green JPEG 2000 image (ffmpeg -f lavfi -i color=c=0x22aa44:s=64x48 -frames:v 1 -c:v jpeg2000 t.jp2). */
const GREEN_JP2 = Buffer.from(
  'AAAADGpQICANCocKAAAAFGZ0eXBqcDIgAAAAAGpwMiAAAAAtanAyaAAAABZpaGRyAAAAMAAAAEAAAwgHAAAAAAAPY29scgEAAAAAABIAAAC6anAyY/9P/1EALwAAAAAAQAAAADAAAAAAAAAAAAAAAQAAAAEAAAAAAAAAAAAAAwcBAQcCAgcCAv9SAAwAAAABAAYCAgAA/1wAKSJ/IH7gfuB+oHbwdvB2wG8AbwBu4GdQZ1BnaFAFUAVQR1fTV9NXYv9kABEAAUxhdmM1OS4zNy4xMDD/kAAKAAAAAAAxAAH/k8H7AQAF6MP5Aghxx/gDCC1/AAAAAAAAAAAAAAAAAAAAAAAA/9k=',
  'base64',
);

/** A scan as some scanners make it: one JPEG 2000 image filling the page (pdf.js decodes it in JavaScript). */
function jpxScanPdf(): Buffer {
  const content = 'q 300 0 0 200 0 0 cm /Im1 Do Q';
  const pdf = pdfOf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Resources << /XObject << /Im1 5 0 R >> >> /Contents 4 0 R >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    `<< /Type /XObject /Subtype /Image /Width 64 /Height 48 /Filter /JPXDecode /Length ${GREEN_JP2.length} >>\nstream\n${GREEN_JP2.toString('latin1')}\nendstream`,
  ]);
  return pdf;
}

/** Starts like a PDF (so the server accepts it) but has nothing a reader could parse. */
const BROKEN_PDF = Buffer.from('%PDF-1.4\n%%EOF\n', 'latin1');

/** Every request the PDF's script could make lands here. */
const detectorHits: string[] = [];
let detector: http.Server | undefined;
let detectUrl = '';
let applicationId = '';
const ids = { extra: '', scan: '', broken: '', report: '', chinese: '', jpx: '' };

const e2e = e2eSuite({
  async setup(platform) {
    detector = http.createServer((req, res) => {
      detectorHits.push(`${req.method} ${req.url}`);
      res.end('ok');
    });
    await new Promise<void>((resolve) => detector!.listen(0, '127.0.0.1', resolve));
    detectUrl = `http://127.0.0.1:${(detector.address() as AddressInfo).port}`;
    const pdf = scriptedPdf(detectUrl);

    const admin = new ApiClient(platform.url);
    await admin.login('admin', ADMIN_PASSWORD);
    const unit = await admin.call<{ id: string }>('POST', '/api/admin/units', {
      unitName: UNIT,
      unitType: '地州市科协',
      region: '哈密市',
      contactName: '钱七',
      contactPhone: '13609907788',
      mobile: '13609907788',
      username: 'hmkx',
      password: 'Unit2023x',
    });
    await firstLogin(platform.url, 'hmkx', 'Unit2023x');
    const c = new ApiClient(platform.url);
    await c.call('POST', '/api/auth/register/applicant', {
      username: 'reyila01',
      password: 'Apply2023x',
      realName: NAME,
      mobile: '13899997788',
      email: 'reyila01@example.cn',
      captcha: '13579',
    });
    applicationId = (await c.call<{ id: string }>('POST', '/api/applications')).id;
    await c.call('PUT', `/api/applications/${applicationId}`, { form: completeForm({ name: NAME, mobile: '13899997788' }) });
    await c.call('POST', `/api/applications/${applicationId}/pledge`);
    ids.scan = (await c.upload(applicationId, 'integrity_pledge', '诚信承诺.pdf', pdf, 'application/pdf')).id as string;
    await c.upload(applicationId, 'unit_opinion', '单位意见.png', pngBytes(), 'image/png');
    await c.upload(applicationId, 'political_review', '政审材料.jpg', jpegBytes(4096), 'image/jpeg');
    await c.upload(applicationId, 'photo', '工作照.jpg', jpegBytes(2 * 1024 * 1024), 'image/jpeg');
    ids.extra = (await c.upload(applicationId, 'deeds_extra', '成果证明.pdf', pdf, 'application/pdf')).id as string;
    ids.broken = (await c.upload(applicationId, 'story_extra', '损坏的文件.pdf', BROKEN_PDF, 'application/pdf')).id as string;
    ids.jpx = (await c.upload(applicationId, 'story_extra', '扫描件.pdf', jpxScanPdf(), 'application/pdf')).id as string;
    ids.chinese = (await c.upload(applicationId, 'story_extra', '事迹摘要.pdf', chinesePdf('最美科技工作者'), 'application/pdf')).id as string;
    await c.call('POST', `/api/applications/${applicationId}/transitions/submit`, { unitId: unit.id });
    const u = new ApiClient(platform.url);
    await u.login('hmkx', 'Unit2023x');
    await u.call('POST', `/api/applications/${applicationId}/open`);
    ids.report = (await u.upload(applicationId, 'recommend_report', '推荐报告.pdf', pdf, 'application/pdf')).id as string;
  },
  async teardown() {
    await new Promise((resolve) => (detector ? detector.close(resolve) : resolve(undefined)));
  },
});

/** What a browser context did that a PDF's script (or a CDN) could be behind: dialogs, requests, CSP reports. */
function watch(context: BrowserContext, origin: string) {
  const seen = { dialogs: [] as string[], foreign: [] as string[], csp: [] as string[], requests: [] as string[] };
  const onPage = (p: Page) => {
    p.on('dialog', (d) => {
      seen.dialogs.push(`${d.type()}: ${d.message()}`);
      void d.dismiss().catch(() => {});
    });
    p.on('console', (m) => {
      if (/Content.Security.Policy/i.test(m.text())) seen.csp.push(m.text());
    });
  };
  context.pages().forEach(onPage);
  context.on('page', onPage);
  context.on('request', (r) => {
    seen.requests.push(r.url());
    if (!r.url().startsWith(origin) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) seen.foreign.push(r.url());
  });
  return seen;
}

/** Waits until the PDF is drawn or its script has run, then long enough for a script to act. */
async function drawnOrScripted(seen: { dialogs: string[] }, canvas: Locator) {
  await expect.poll(async () => seen.dialogs.length > 0 || detectorHits.length > 0 || (await canvas.count()) > 0, { timeout: 20_000 }).toBe(true);
  await new Promise((r) => setTimeout(r, 1500));
}

/** How many pixels of a canvas are mostly `colour` (red or blue): non-zero once pdf.js has drawn the page. */
const colouredPixels = (canvas: Locator, colour: 'red' | 'blue') =>
  canvas.evaluate((el, want) => {
    const c = el as HTMLCanvasElement;
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b] = [data[i]!, data[i + 1]!, data[i + 2]!];
      if (want === 'red' ? r > 150 && g < 80 && b < 80 : b > 150 && r < 80 && g < 120) n++;
    }
    return n;
  }, colour);

async function loginUnit(page: Page) {
  await login(page, 'hmkx', 'Unit2023x');
  await page.getByRole('menuitem', { name: '待审核申报表' }).waitFor();
}

/** Logs the unit in and opens the application's 附件 viewer. */
async function openViewer(page: Page) {
  await loginUnit(page);
  await page.goto(`/zmkj/handle/${applicationId}`);
  await page.getByText(`最美科技工作者/${NAME}`).first().waitFor();
  await page.getByRole('button', { name: '附件', exact: true }).first().click();
  const viewer = page.getByRole('dialog');
  await viewer.getByRole('navigation', { name: '附件导航' }).waitFor();
  return viewer;
}

describe('a PDF is drawn by pdf.js, never by the browser, and its script never runs', () => {
  it('the 附件 viewer draws every page on <canvas> and the script does not run', async () => {
    const { context, page } = await newPage(e2e.browser, e2e.platform.url);
    const seen = watch(context, e2e.platform.url);
    const viewer = await openViewer(page);
    // pdf.js is loaded only when a PDF is shown: not for the login page, the menu, the application, the photo
    const pdfjsChunks = () => seen.requests.filter((u) => /\/assets\/(PdfDocument|pdf\.worker)[^/]*$/.test(new URL(u).pathname));
    expect(pdfjsChunks()).toEqual([]);

    await viewer.getByRole('navigation', { name: '附件导航' }).getByText('成果证明.pdf').click();
    const display = viewer.locator('.viewer-main');
    const canvases = display.locator('canvas');
    await drawnOrScripted(seen, canvases);
    expect(seen.dialogs).toEqual([]);
    expect(detectorHits).toEqual([]);
    expect(await display.locator('object, embed, iframe').count()).toBe(0);

    await display.getByText('共 2 页').waitFor();
    await expect.poll(() => canvases.count()).toBe(2);
    await expect.poll(() => colouredPixels(canvases.nth(0), 'red'), { timeout: 10_000 }).toBeGreaterThan(1000);
    await canvases.nth(1).scrollIntoViewIfNeeded();
    await expect.poll(() => colouredPixels(canvases.nth(1), 'blue'), { timeout: 10_000 }).toBeGreaterThan(1000);
    expect(await viewer.getByRole('link', { name: '下载原件' }).getAttribute('href')).toBe(`/api/attachments/${ids.extra}`);
    expect(await viewer.getByRole('link', { name: '在新窗口打开' }).getAttribute('href')).toBe(`/pdf/${ids.extra}`);
    await canvases.nth(0).scrollIntoViewIfNeeded();
    await look(page, 'pdf-01-viewer');

    // a scanned kind (个人诚信承诺) and the unit's own 推荐报告扫描件: the same viewer, the same silence
    await viewer.getByRole('navigation', { name: '附件导航' }).getByText('诚信承诺.pdf').click();
    await display.getByText('共 2 页').waitFor();
    await expect.poll(() => colouredPixels(display.locator('canvas').first(), 'red'), { timeout: 10_000 }).toBeGreaterThan(1000);
    const report = viewer.getByRole('region', { name: '上传推荐报告扫描件' }).getByRole('link', { name: '推荐报告.pdf' });
    expect(await report.getAttribute('href')).toBe(`/pdf/${ids.report}`);

    // pdf.js and its worker came from our own origin, nothing from elsewhere, and the CSP was not in the way
    expect(new Set(pdfjsChunks().map((u) => new URL(u).pathname.replace(/-[^-]+$/, ''))).size).toBe(2);
    expect(pdfjsChunks().every((u) => u.startsWith(e2e.platform.url))).toBe(true);
    expect(seen.foreign).toEqual([]);
    expect(seen.csp).toEqual([]);
    expect(seen.dialogs).toEqual([]);
    expect(detectorHits).toEqual([]);
    await context.close();
  }, 240_000); // axe on every page

  it('在新窗口打开 opens our own pdf.js page, not the file', async () => {
    const { context, page } = await newPage(e2e.browser, e2e.platform.url);
    const seen = watch(context, e2e.platform.url);
    const viewer = await openViewer(page);
    await viewer.getByRole('navigation', { name: '附件导航' }).getByText('成果证明.pdf').click();
    const [popup] = await Promise.all([context.waitForEvent('page'), viewer.getByRole('link', { name: '在新窗口打开' }).click()]);
    await popup.waitForLoadState();
    const canvases = popup.locator('canvas');
    await drawnOrScripted(seen, canvases);
    expect(seen.dialogs).toEqual([]);
    expect(detectorHits).toEqual([]);
    expect(new URL(popup.url()).pathname).toBe(`/pdf/${ids.extra}`);

    await popup.getByText('成果证明.pdf').first().waitFor();
    await popup.getByText('共 2 页').waitFor();
    await expect.poll(() => canvases.count()).toBe(2);
    await expect.poll(() => colouredPixels(canvases.nth(0), 'red'), { timeout: 10_000 }).toBeGreaterThan(1000);
    await canvases.nth(1).scrollIntoViewIfNeeded();
    await expect.poll(() => colouredPixels(canvases.nth(1), 'blue'), { timeout: 10_000 }).toBeGreaterThan(1000);
    expect(await popup.getByRole('link', { name: '下载原件' }).getAttribute('href')).toBe(`/api/attachments/${ids.extra}`);
    await popup.evaluate(() => window.scrollTo(0, 0));
    await look(popup, 'pdf-02-window');

    // 下载原件 is a download of the original
    const [download] = await Promise.all([popup.waitForEvent('download'), popup.getByRole('link', { name: '下载原件' }).click()]);
    expect(download.suggestedFilename()).toBe('成果证明.pdf');
    expect(seen.foreign).toEqual([]);
    expect(seen.csp).toEqual([]);
    expect(seen.dialogs).toEqual([]);
    expect(detectorHits).toEqual([]);
    await context.close();
  }, 240_000); // axe on every page

  it('the original asked with ?inline=1 is a download, not a page', async () => {
    const { context, page } = await newPage(e2e.browser, e2e.platform.url);
    const seen = watch(context, e2e.platform.url);
    await loginUnit(page);
    const url = `/api/attachments/${ids.extra}?inline=1`;
    const headers = (await context.request.get(url)).headers();
    expect(headers['content-disposition']).toMatch(/^attachment;/);
    expect(headers['x-content-type-options']).toBe('nosniff');

    const downloaded = page.waitForEvent('download', { timeout: 10_000 });
    await page.goto(url).catch(() => {}); // "Download is starting": the navigation ends in a download
    const download = await downloaded;
    expect(download.suggestedFilename()).toBe('成果证明.pdf');
    await new Promise((r) => setTimeout(r, 1500));
    expect(
      page
        .frames()
        .map((f) => f.url())
        .filter((u) => u.startsWith('chrome-extension:')),
    ).toEqual([]);
    expect(seen.dialogs).toEqual([]);
    expect(detectorHits).toEqual([]);
    await context.close();
  }, 240_000); // axe on every page

  it('a PDF pdf.js cannot read says so, with the download link', async () => {
    const { context, page } = await newPage(e2e.browser, e2e.platform.url);
    const viewer = await openViewer(page);
    await viewer.getByRole('navigation', { name: '附件导航' }).getByText('损坏的文件.pdf').click();
    const display = viewer.locator('.viewer-main');
    await display.getByText('无法显示该PDF文件，请下载后查看').waitFor();
    expect(await display.getByRole('link', { name: '下载原件' }).first().getAttribute('href')).toBe(`/api/attachments/${ids.broken}`);
    await look(page, 'pdf-03-broken');

    // the same on the page of its own
    await page.goto(`/pdf/${ids.broken}`);
    await page.getByText('无法显示该PDF文件，请下载后查看').waitFor();
    expect(await page.getByRole('link', { name: '下载原件' }).first().getAttribute('href')).toBe(`/api/attachments/${ids.broken}`);
    await context.close();
  }, 240_000); // axe on every page

  it('Chinese text in a font the PDF does not embed is drawn, with CMaps bundled from our own origin', async () => {
    const { context, page } = await newPage(e2e.browser, e2e.platform.url);
    const seen = watch(context, e2e.platform.url);
    await loginUnit(page);
    await page.goto(`/pdf/${ids.chinese}`);
    await page.getByText('共 1 页').waitFor();
    const canvas = page.locator('canvas');
    const darkPixels = () =>
      canvas.evaluate((el) => {
        const c = el as HTMLCanvasElement;
        const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i]! < 100 && data[i + 1]! < 100 && data[i + 2]! < 100) n++;
        return n;
      });
    await expect.poll(darkPixels, { timeout: 10_000 }).toBeGreaterThan(500);
    const cmaps = seen.requests.filter((u) => /\/assets\/UniGB-UCS2-H-[^/]+\.bcmap$/.test(new URL(u).pathname));
    expect(cmaps.length).toBeGreaterThan(0);
    expect(cmaps.every((u) => u.startsWith(e2e.platform.url))).toBe(true);
    expect(seen.foreign).toEqual([]);
    expect(seen.csp).toEqual([]);
    await look(page, 'pdf-04-chinese');
    await context.close();
  }, 240_000); // axe on every page

  it('a scan in JPEG 2000 is drawn, its decoder loaded from our own origin', async () => {
    const { context, page } = await newPage(e2e.browser, e2e.platform.url);
    const seen = watch(context, e2e.platform.url);
    await loginUnit(page);
    await page.goto(`/pdf/${ids.jpx}`);
    await page.getByText('共 1 页').waitFor();
    const greenPixels = () =>
      page.locator('canvas').evaluate((el) => {
        const c = el as HTMLCanvasElement;
        const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i]! < 80 && data[i + 1]! > 130 && data[i + 2]! < 110) n++;
        return n;
      });
    await expect.poll(greenPixels, { timeout: 15_000 }).toBeGreaterThan(10_000);
    const decoder = seen.requests.filter((u) => /\/assets\/openjpeg_nowasm_fallback-[^/]+\.js$/.test(new URL(u).pathname));
    expect(decoder.length).toBeGreaterThan(0);
    expect(seen.foreign).toEqual([]);
    expect(seen.csp).toEqual([]);
    await context.close();
  }, 240_000); // axe on every page
});
