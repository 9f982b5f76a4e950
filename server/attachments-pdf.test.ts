import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApplicant, buildApplication } from './testing/factories';
import { Client, json, startTestPlatform } from './testing/harness';

// A PDF is never handed to the browser to show: Chromium's own viewer runs a PDF's JavaScript (OpenAction)
// even under `Content-Security-Policy: sandbox`. The original is always a download; the web app draws PDFs
// with pdf.js, scripting off (e2e/pdf.test.ts).

let t: Awaited<ReturnType<typeof startTestPlatform>>;
beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(async () => t?.close());

/** A one-page PDF whose OpenAction is JavaScript: what the browser's viewer would run. */
function scriptedPdf(): Buffer {
  const js = Buffer.from('app.alert("PDF-JS-RAN");', 'latin1').toString('hex');
  const objs = [
    '<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>',
    `<< /Type /Action /S /JavaScript /JS <${js}> >>`,
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

describe('GET /api/attachments/:id never serves a PDF inline', () => {
  it('answers ?inline=1 (and any other way of asking) with a download, nosniff, the bytes unchanged', async () => {
    const a = await buildApplicant(t.s);
    const c = new Client(t.app);
    await c.login(a.username, a.password);
    const { id } = await buildApplication(t.s, a.user);
    const pdf = scriptedPdf();
    const uploaded = [
      json<{ id: string; mime: string }>(await c.upload(`/api/applications/${id}/attachments`, 'deeds_extra', '成果证明.pdf', pdf, 'application/pdf')),
      json<{ id: string; mime: string }>(await c.upload(`/api/applications/${id}/attachments`, 'integrity_pledge', '诚信承诺.pdf', pdf, 'application/pdf')),
    ];
    for (const file of uploaded) {
      expect(file.mime).toBe('application/pdf');
      for (const query of ['', '?inline=1', '?inline=true', '?inline=1&inline=1', '?disposition=inline']) {
        const res = await c.get(`/api/attachments/${file.id}${query}`);
        expect(res.statusCode, query).toBe(200);
        expect(res.headers['content-disposition'], query).toMatch(/^attachment; filename="[^"]*\.pdf"; filename\*=UTF-8''/);
        expect(res.headers['x-content-type-options'], query).toBe('nosniff');
        expect(res.headers['content-type'], query).toBe('application/pdf');
        // no sandboxed-inline variant any more: the app's own CSP, not `sandbox` alone
        expect(res.headers['content-security-policy'], query).not.toBe('sandbox');
        expect(res.rawPayload.equals(pdf), query).toBe(true);
      }
      // a range (what a <video> asks) is a download too
      const part = await c.get(`/api/attachments/${file.id}?inline=1`, { range: 'bytes=0-7' });
      expect(part.statusCode).toBe(206);
      expect(part.headers['content-disposition']).toMatch(/^attachment;/);
      expect(part.headers['x-content-type-options']).toBe('nosniff');
      expect(part.body).toBe('%PDF-1.7');
    }
  });
});
