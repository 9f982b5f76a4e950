import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApplicant, buildApplication } from './testing/factories';
import { COMPRESS_THRESHOLD } from './app';
import { Client, json, startTestPlatform } from './testing/harness';

// What the web app's pages cost on a phone (issue 11, item 9): the built files are sent precompressed
// (brotli or gzip copies made at build time), content-hashed files are cached for good, index.html is
// asked for every time, and larger JSON replies are compressed — but never a file transfer.

const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'xjkx-dist-'));
const script = Buffer.from(`console.log(${JSON.stringify('新疆最美科技工作者 '.repeat(200))});\n`);
const indexHtml =
  '<!doctype html><html lang="zh-CN"><head><script type="module" src="/assets/x-abc123.js"></script></head><body><div id="root"></div></body></html>\n';
fs.mkdirSync(path.join(dist, 'assets'));
fs.writeFileSync(path.join(dist, 'index.html'), indexHtml);
fs.writeFileSync(path.join(dist, 'assets', 'x-abc123.js'), script);
fs.writeFileSync(path.join(dist, 'assets', 'x-abc123.js.br'), zlib.brotliCompressSync(script));
fs.writeFileSync(path.join(dist, 'assets', 'x-abc123.js.gz'), zlib.gzipSync(script));
// the build's manifest (bench:bundle reads it): a file of the build, not of the site
fs.mkdirSync(path.join(dist, '.vite'));
fs.writeFileSync(path.join(dist, '.vite', 'manifest.json'), '{"index.html":{"file":"assets/x-abc123.js","isEntry":true}}');

let t: Awaited<ReturnType<typeof startTestPlatform>>;
beforeAll(async () => {
  t = await startTestPlatform({ WEB_DIST: dist });
});
afterAll(async () => {
  await t?.close();
  fs.rmSync(dist, { recursive: true, force: true });
});

const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers });

describe('the built web app', () => {
  it('sends the brotli copy to a browser that accepts br, with Vary', async () => {
    const res = await get('/assets/x-abc123.js', { 'accept-encoding': 'gzip, deflate, br' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(String(res.headers.vary)).toMatch(/accept-encoding/i);
    expect(zlib.brotliDecompressSync(res.rawPayload).equals(script)).toBe(true);
  });

  it('sends the gzip copy when only gzip is accepted', async () => {
    const res = await get('/assets/x-abc123.js', { 'accept-encoding': 'gzip' });
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(zlib.gunzipSync(res.rawPayload).equals(script)).toBe(true);
  });

  it('never sends the files of the build under a dot-folder (.vite/manifest.json)', async () => {
    for (const url of ['/.vite/manifest.json', '/.vite/manifest.json.br', '/%2Evite/manifest.json']) {
      const res = await get(url, { 'accept-encoding': 'br' });
      expect(res.payload, url).not.toContain('isEntry');
    }
  });

  it('sends the file itself without Accept-Encoding', async () => {
    const res = await get('/assets/x-abc123.js');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.rawPayload.equals(script)).toBe(true);
  });

  it('caches content-hashed files for a year, immutable', async () => {
    for (const enc of ['br', 'gzip', '']) {
      const res = await get('/assets/x-abc123.js', enc ? { 'accept-encoding': enc } : {});
      expect(res.headers['cache-control'], enc).toBe('public, max-age=31536000, immutable');
    }
  });

  it('has index.html and every page of the app (the SPA fallback) revalidated: no-cache', async () => {
    for (const url of ['/index.html', '/', '/login', '/zmkj/applications/4a6d2c58-7e0f-4a8f-9a57-0c6b2b0f1d11']) {
      const res = await get(url, { 'accept-encoding': 'br, gzip' });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['cache-control'], url).toBe('no-cache');
      expect(res.body, url).toContain('<div id="root">');
    }
  });
});

describe('JSON replies', () => {
  it('are compressed when of COMPRESS_THRESHOLD (12 KB) or more and asked for, not when smaller or not asked', async () => {
    const a = await buildApplicant(t.s);
    const c = new Client(t.app);
    await c.login(a.username, a.password);
    // the API's description: a large reply
    const plain = await c.get('/api/docs/json');
    expect(plain.statusCode).toBe(200);
    expect(plain.rawPayload.length).toBeGreaterThanOrEqual(COMPRESS_THRESHOLD);
    expect(plain.headers['content-encoding']).toBeUndefined();

    const br = await c.get('/api/docs/json', { 'accept-encoding': 'br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.rawPayload.length).toBeLessThan(plain.rawPayload.length / 2);
    expect(String(br.headers.vary)).toMatch(/accept-encoding/i);
    expect(JSON.parse(zlib.brotliDecompressSync(br.rawPayload).toString())).toEqual(JSON.parse(plain.body));
    const gz = await c.get('/api/docs/json', { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(zlib.gunzipSync(gz.rawPayload).toString())).toEqual(JSON.parse(plain.body));
    // a browser that takes both (Chromium: gzip, deflate, br, zstd) gets gzip: half brotli's CPU for an API reply
    // (server/app.ts)
    const chromium = await c.get('/api/docs/json', { 'accept-encoding': 'gzip, deflate, br, zstd' });
    expect(chromium.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(zlib.gunzipSync(chromium.rawPayload).toString())).toEqual(JSON.parse(plain.body));
    // unless it prefers br
    const prefersBr = await c.get('/api/docs/json', { 'accept-encoding': 'br;q=1, gzip;q=0.5' });
    expect(prefersBr.headers['content-encoding']).toBe('br');

    // a reply of a few KB fits TCP's initial window: sent as it is, whatever the browser takes
    const mid = await c.get('/api/campaigns/current', { 'accept-encoding': 'gzip, deflate, br, zstd' });
    expect(mid.statusCode).toBe(200);
    expect(mid.rawPayload.length).toBeGreaterThan(1024);
    expect(mid.rawPayload.length).toBeLessThan(COMPRESS_THRESHOLD);
    expect(mid.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(mid.rawPayload.toString())).toHaveProperty('id');

    const small = await c.get('/api/auth/me', { 'accept-encoding': 'br, gzip' });
    expect(small.statusCode).toBe(200);
    expect(small.rawPayload.length).toBeLessThan(1024);
    expect(small.headers['content-encoding']).toBeUndefined();
  });
});

/** A one-page PDF of a few kilobytes, mostly one easily compressed string. */
function paddedPdf(): Buffer {
  const objs = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>',
    `<< /Pad (${'0123456789'.repeat(600)}) >>`,
  ];
  let out = '%PDF-1.7\n';
  const offsets: number[] = [];
  objs.forEach((obj, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${obj}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

describe('attachment downloads', () => {
  it('are never compressed: a Range request still gets 206 with identity bytes and a correct Content-Range', async () => {
    const a = await buildApplicant(t.s);
    const c = new Client(t.app);
    await c.login(a.username, a.password);
    const { id } = await buildApplication(t.s, a.user);
    const pdf = paddedPdf();
    const file = json<{ id: string }>(await c.upload(`/api/applications/${id}/attachments`, 'deeds_extra', '成果证明.pdf', pdf, 'application/pdf'));

    const part = await c.get(`/api/attachments/${file.id}`, { range: 'bytes=100-2099', 'accept-encoding': 'br, gzip' });
    expect(part.statusCode).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 100-2099/${pdf.length}`);
    expect(part.headers['content-encoding']).toBeUndefined();
    expect(part.rawPayload.equals(pdf.subarray(100, 2100))).toBe(true);

    const whole = await c.get(`/api/attachments/${file.id}`, { 'accept-encoding': 'br, gzip' });
    expect(whole.statusCode).toBe(200);
    expect(whole.headers['content-encoding']).toBeUndefined();
    expect(whole.rawPayload.equals(pdf)).toBe(true);
  });
});
