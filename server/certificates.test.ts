// 证书 (issue 15, 3.): issued from the confirmed selection with stable numbers; each PDF rendered (pdftoppm), its text
// (pdftotext: name with the middle dot, title, number), its font embedded (pdffonts), its QR code decoded (jsQR) to
// the verification URL; the verification page shows exactly 姓名, title and year, 404 otherwise; seals uploaded,
// checked by content and drawn (pdfimages), or left blank; the ZIP's names and sizes (yauzl); who may download what,
// before and after 发布, with nothing changed by a refusal.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, gt, inArray, max, sql } from 'drizzle-orm';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import sharp from 'sharp';
import yauzl from 'yauzl';
import type { CampaignCertificates, CertificateView } from '../core/certificates';
import type { JobView } from '../core/jobs';
import { applications, auditLog, campaignSeals, certificates, jobs, publications, selections } from './db/schema';
import { runJobsUntilIdle } from './jobs/runner';
import { buildApplicant, buildExpert, buildOrganizer, buildUnit } from './testing/factories';
import { pdfBytes } from './testing/files';
import { Client, json, startTestPlatform } from './testing/harness';
import { reviewedCandidates, type MadeCandidate } from './testing/selection';
import { issueCertificates } from './usecases/certificates';

const ORIGIN = 'https://zmkj.example.cn';
const RARE = '阿依古丽·吐尔逊';
let t: Awaited<ReturnType<typeof startTestPlatform>>;
let oc: Client;
let campaignId: string;
let organizerId: string;
let cands: MadeCandidate[];
let unitClients: Client[];
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cert-test-'));

beforeAll(async () => {
  t = await startTestPlatform({ PUBLIC_URL: ORIGIN });
  const org = await buildOrganizer(t.s);
  organizerId = org.user.id;
  oc = new Client(t.app);
  await oc.login(org.username, org.password);
  const made = await reviewedCandidates(t, [{ total: 90 }, { total: 85, unit: 1 }, { total: 80 }, { total: 70, unit: 1 }], { units: 2 });
  campaignId = made.campaignId;
  cands = made.candidates;
  // the first winner's name: a rare one, with the middle dot of 维吾尔 names
  await t.s.db
    .update(applications)
    .set({ applicantName: RARE, form: sql`jsonb_set(${applications.form}, '{name}', ${JSON.stringify(RARE)}::jsonb)` })
    .where(eq(applications.id, cands[0]!.id));
  unitClients = await Promise.all(
    made.units.map(async (u) => {
      const c = new Client(t.app);
      await c.login(u.username, u.password);
      return c;
    }),
  );
  // the confirmed selection: three winners in merit order, the first also recommended nationally
  await t.s.db.insert(selections).values({
    campaignId,
    status: 'confirmed',
    winners: [cands[0]!.id, cands[1]!.id, cands[2]!.id],
    nationals: [cands[0]!.id],
    updatedBy: org.user.id,
    confirmedBy: org.user.id,
    confirmedAt: new Date(),
  });
}, 120_000);

afterAll(async () => {
  await t?.close();
  // CERT_LOOK_DIR=… keeps the rendered pages (look-*.png) to look at
  const keep = process.env.CERT_LOOK_DIR;
  if (keep) for (const f of fs.readdirSync(work).filter((n) => n.startsWith('look-'))) fs.copyFileSync(path.join(work, f), path.join(keep, f));
  fs.rmSync(work, { recursive: true, force: true });
});

const rows = () => t.s.db.select().from(certificates).where(eq(certificates.campaignId, campaignId)).orderBy(certificates.number);
const snapshot = async () => JSON.stringify({ c: await rows(), s: await t.s.db.select().from(campaignSeals) });

function pdfTool(tool: string, args: string[]): string {
  return execFileSync(tool, args, { encoding: 'utf8' });
}

function writePdf(name: string, body: Buffer): string {
  const file = path.join(work, name);
  fs.writeFileSync(file, body);
  return file;
}

/** The QR code on page 1, rendered at 150 dpi and decoded. */
function decodeQr(pdf: string): string | null {
  const prefix = path.join(work, `qr-${path.basename(pdf, '.pdf')}`);
  execFileSync('pdftoppm', ['-r', '150', '-png', '-f', '1', '-l', '1', pdf, prefix]);
  const png = PNG.sync.read(fs.readFileSync(`${prefix}-1.png`));
  return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data ?? null;
}

/** Runs due jobs here too, and waits until no job of the campaign is queued or running (the app's runner may hold one). */
async function jobsSettled(timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    await runJobsUntilIdle(t.s);
    const [live] = await t.s.db
      .select({ id: jobs.id })
      .from(jobs)
      .where(and(eq(jobs.campaignId, campaignId), inArray(jobs.status, ['queued', 'running'])));
    if (!live) return;
    if (Date.now() > until) throw new Error('jobs still running');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function publish() {
  await t.s.db.insert(publications).values({ campaignId, status: 'published', publishedAt: new Date(), actorId: organizerId }).onConflictDoNothing();
}

async function sealPng(): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="300" height="300"><circle cx="150" cy="150" r="140" fill="none" stroke="#d00" stroke-width="12"/><text x="150" y="170" font-size="60" text-anchor="middle" fill="#d00">SEAL</text></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

function multipart(file: Buffer, name = 'seal.png') {
  const boundary = '----sealtest' + Math.random().toString(16).slice(2);
  return {
    payload: Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: image/png\r\n\r\n`),
      file,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

describe('issuing', () => {
  it('numbers one certificate per winner and per national recommendee, in the selection order; again keeps them', async () => {
    await t.s.db.transaction((tx) => issueCertificates(tx, campaignId, '2023-05-30'));
    const first = await rows();
    expect(first.map((r) => [r.number, r.kind, r.applicationId, r.name])).toEqual([
      ['XJZMKJ-2023-001', 'winner', cands[0]!.id, RARE],
      ['XJZMKJ-2023-002', 'winner', cands[1]!.id, cands[1]!.name],
      ['XJZMKJ-2023-003', 'winner', cands[2]!.id, cands[2]!.name],
      ['XJZMKJ-2023-QG-01', 'national', cands[0]!.id, RARE],
    ]);
    expect(first.find((r) => r.kind === 'winner')!.title).toBe('2023年“新疆最美科技工作者”');
    expect(first.find((r) => r.kind === 'national')!.title).toBe('2023年全国“最美科技工作者”推荐人选');
    await t.s.db.transaction((tx) => issueCertificates(tx, campaignId, '2023-06-01'));
    expect(await rows()).toEqual(first);
  });
});

describe('before 发布', () => {
  it('the winner, their unit and the public see nothing; nothing changes', async () => {
    await jobsSettled();
    const before = await snapshot();
    const winner = cands[0]!.client;
    expect(json<unknown[]>(await winner.get('/api/certificates/mine'))).toEqual([]);
    expect((await winner.get('/api/certificates/XJZMKJ-2023-001/pdf')).statusCode).toBe(404);
    expect((await unitClients[0]!.get('/api/certificates/XJZMKJ-2023-001/pdf')).statusCode).toBe(404);
    expect((await new Client(t.app).get('/verify/XJZMKJ-2023-001')).statusCode).toBe(404);
    expect(await snapshot()).toBe(before);
  });
});

describe('after 发布', () => {
  const pdfs = new Map<string, string>();

  beforeAll(async () => {
    await publish();
    await jobsSettled();
  });

  it('renders and stores every certificate: text, embedded font, page image and a QR code of the verification URL', async () => {
    const all = await rows();
    expect(all.every((r) => r.storageKey)).toBe(true);
    const list = json<CampaignCertificates>(await oc.get(`/api/certificates/campaigns/${campaignId}`));
    expect(list.verifyOrigin).toBe(ORIGIN);
    expect(list.certificates.map((c) => c.number).sort()).toEqual(all.map((r) => r.number).sort());
    for (const c of all) {
      const res = await oc.get(`/api/certificates/${c.number}/pdf`);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/pdf');
      expect(decodeURIComponent(String(res.headers['content-disposition']))).toContain(`${c.number}-${c.name}.pdf`);
      const file = writePdf(`${c.number}.pdf`, res.rawPayload);
      pdfs.set(c.number, file);
      const text = pdfTool('pdftotext', [file, '-']).replace(/\s+/g, '');
      expect(text).toContain(c.name);
      expect(text).toContain(c.title);
      expect(text).toContain(`证书编号：${c.number}`);
      expect(text).toContain('2023年5月30日');
      for (const host of ['中共新疆维吾尔自治区委员会宣传部', '新疆维吾尔自治区科学技术协会', '新疆维吾尔自治区科学技术厅']) expect(text).toContain(host);
      const fonts = pdfTool('pdffonts', [file]);
      expect(fonts).toMatch(/NotoSerifSC-Regular\s+CID TrueType\s+Identity-H\s+yes yes yes/);
      expect(fonts).not.toMatch(/\bno\s+\w+\s+\w+\s+\d+\s+0\s*$/m);
      expect(pdfTool('pdfinfo', [file])).toMatch(/Page size:\s+841\.89 x 595\.28 pts \(A4\)/);
      execFileSync('pdftoppm', ['-r', '50', '-png', file, path.join(work, `look-${c.number}`)]);
      expect(fs.statSync(path.join(work, `look-${c.number}-1.png`)).size).toBeGreaterThan(5_000);
      expect(decodeQr(file)).toBe(`${ORIGIN}/verify/${c.number}`);
    }
  });

  it('the rare name round-trips character for character, middle dot included', () => {
    const text = pdfTool('pdftotext', [pdfs.get('XJZMKJ-2023-001')!, '-']);
    expect(text).toContain(`${RARE} 同志`);
  });

  it('the verification page shows exactly the name, the title and the year; anything else is a 404 page', async () => {
    const anon = new Client(t.app);
    const res = await anon.get('/verify/XJZMKJ-2023-QG-01');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    const dl = /<dl>([\s\S]*)<\/dl>/.exec(res.body)![1]!;
    const pairs = [...dl.matchAll(/<dt>(.*?)<\/dt><dd>(.*?)<\/dd>/g)].map((m) => [m[1], m[2]]);
    expect(pairs).toEqual([
      ['姓名', RARE],
      ['荣誉称号', '2023年全国“最美科技工作者”推荐人选'],
      ['年度', '2023年'],
    ]);
    expect(res.body).toContain('该证书真实有效');
    expect(res.body).not.toContain('<script');
    const [app] = await t.s.db.select().from(applications).where(eq(applications.id, cands[0]!.id));
    for (const secret of [app!.workUnit, app!.mobile, app!.number, app!.id, cands[0]!.id]) if (secret) expect(res.body).not.toContain(secret);
    for (const bad of [
      'XJZMKJ-2023-999',
      'nope',
      "XJZMKJ-2023-001' or 1=1 --",
      '%3Cscript%3E',
      '..%2F..%2Fetc%2Fpasswd',
      'x'.repeat(300),
      'XJZMKJ-2023-001/extra',
      '%00',
      '',
    ]) {
      const r = await anon.get(`/verify/${bad}`);
      expect(r.statusCode, bad).toBe(404);
      expect(r.body).toContain('未找到该证书');
    }
    // a broken percent-encoding is refused before routing (400, the platform's message): never a 500
    expect((await anon.get('/verify/%E0%A4%A')).statusCode).toBe(400);
  });

  it('the winner and their unit download their own; other applicants, units, experts get 404; anonymous 401', async () => {
    const before = await snapshot();
    const [{ mark }] = (await t.s.db.select({ mark: max(auditLog.id) }).from(auditLog)) as [{ mark: number | null }];
    const [winner, second, , loser] = cands;
    const mine = json<CertificateView[]>(await winner!.client.get('/api/certificates/mine'));
    expect(mine.map((c) => c.number).sort()).toEqual(['XJZMKJ-2023-001', 'XJZMKJ-2023-QG-01']);
    expect(mine[0]!.verifyUrl).toMatch(new RegExp(`^${ORIGIN}/verify/`));
    expect((await winner!.client.get('/api/certificates/XJZMKJ-2023-001/pdf')).statusCode).toBe(200);
    expect((await winner!.client.get('/api/certificates/XJZMKJ-2023-002/pdf')).statusCode).toBe(404);
    expect((await second!.client.get('/api/certificates/XJZMKJ-2023-002/pdf')).statusCode).toBe(200);
    expect(json<unknown[]>(await loser!.client.get('/api/certificates/mine'))).toEqual([]);
    expect((await loser!.client.get('/api/certificates/XJZMKJ-2023-001/pdf')).statusCode).toBe(404);
    // unit 0 holds candidates 1 and 3, unit 1 holds 2 and 4
    const unitMine = json<CertificateView[]>(await unitClients[0]!.get('/api/certificates/mine'));
    expect(unitMine.map((c) => c.number).sort()).toEqual(['XJZMKJ-2023-001', 'XJZMKJ-2023-003', 'XJZMKJ-2023-QG-01']);
    expect((await unitClients[0]!.get('/api/certificates/XJZMKJ-2023-003/pdf')).statusCode).toBe(200);
    expect((await unitClients[1]!.get('/api/certificates/XJZMKJ-2023-001/pdf')).statusCode).toBe(404);
    const stranger = await buildUnit(t.s);
    const sc = new Client(t.app);
    await sc.login(stranger.username, stranger.password);
    expect((await sc.get('/api/certificates/XJZMKJ-2023-001/pdf')).statusCode).toBe(404);
    const expert = await buildExpert(t.s);
    const ec = new Client(t.app);
    await ec.login(expert.username, expert.password);
    expect((await ec.get('/api/certificates/XJZMKJ-2023-001/pdf')).statusCode).toBe(404);
    const other = await buildApplicant(t.s);
    const xc = new Client(t.app);
    await xc.login(other.username, other.password);
    expect((await xc.get('/api/certificates/XJZMKJ-2023-001/pdf')).statusCode).toBe(404);
    expect((await new Client(t.app).get('/api/certificates/XJZMKJ-2023-001/pdf')).statusCode).toBe(401);
    // the organizer's routes refuse everyone else
    expect((await winner!.client.get(`/api/certificates/campaigns/${campaignId}`)).statusCode).toBe(403);
    expect((await unitClients[0]!.post(`/api/certificates/campaigns/${campaignId}/zip`)).statusCode).toBe(403);
    const up = multipart(await sealPng());
    expect((await unitClients[0]!.request('POST', `/api/certificates/campaigns/${campaignId}/seals/0`, undefined, up)).statusCode).toBe(403);
    // each download is in the audit log with who and from where; none of the refused ones
    const idOf = async (c: Client) => json<{ user: { id: string } }>(await c.get('/api/auth/me')).user.id;
    const downloads = await t.s.db
      .select()
      .from(auditLog)
      .where(and(gt(auditLog.id, mark ?? 0), eq(auditLog.action, 'certificate.download')))
      .orderBy(auditLog.id);
    expect(downloads.map((r) => [r.actorId, r.targetType, r.targetId, r.ip])).toEqual([
      [await idOf(winner!.client), 'certificate', 'XJZMKJ-2023-001', '127.0.0.1'],
      [await idOf(second!.client), 'certificate', 'XJZMKJ-2023-002', '127.0.0.1'],
      [await idOf(unitClients[0]!), 'certificate', 'XJZMKJ-2023-003', '127.0.0.1'],
    ]);
    expect(await snapshot()).toBe(before);
  });

  it('seals: without any the areas stay blank; an uploaded PNG is drawn in; a file that is not an image is refused', async () => {
    const blank = pdfTool('pdfimages', ['-list', pdfs.get('XJZMKJ-2023-001')!]);
    // the QR code only (pdfkit writes a PNG's alpha as an smask: count the images, not the masks)
    expect(blank.split('\n').filter((l) => /^\s*\d+\s+\d+\s+image\b/.test(l))).toHaveLength(1);

    const before = await snapshot();
    const refused = await oc.request('POST', `/api/certificates/campaigns/${campaignId}/seals/1`, undefined, multipart(pdfBytes('not a seal'), 'seal.png'));
    expect(refused.statusCode).toBe(415);
    expect(json<{ error: { message: string } }>(refused).error.message).toContain('PNG');
    expect((await oc.request('POST', `/api/certificates/campaigns/${campaignId}/seals/7`, undefined, multipart(await sealPng()))).statusCode).toBe(404);
    const big = await sharp({ create: { width: 3000, height: 3000, channels: 4, background: { r: 1, g: 2, b: 3, alpha: 0.5 } } })
      .png({ compressionLevel: 0 })
      .toBuffer();
    expect((await oc.request('POST', `/api/certificates/campaigns/${campaignId}/seals/1`, undefined, multipart(big))).statusCode).toBe(413);
    expect(await snapshot()).toBe(before);

    const ok = await oc.request('POST', `/api/certificates/campaigns/${campaignId}/seals/1`, undefined, multipart(await sealPng()));
    expect(ok.statusCode).toBe(200);
    const view = json<CampaignCertificates>(ok);
    expect(view.seals.map((s) => s.uploadedAt !== null)).toEqual([false, true, false]);
    expect(view.certificates.every((c) => !c.rendered)).toBe(true);
    const preview = await oc.get(view.seals[1]!.imageUrl!);
    expect([preview.statusCode, preview.headers['content-type']]).toEqual([200, 'image/png']);
    expect((await sharp(preview.rawPayload).metadata()).hasAlpha).toBe(true);
    await jobsSettled();
    expect((await rows()).every((r) => r.storageKey)).toBe(true);
    const sealed = writePdf('sealed.pdf', (await oc.get('/api/certificates/XJZMKJ-2023-001/pdf')).rawPayload);
    const images = pdfTool('pdfimages', ['-list', sealed]);
    expect(images.split('\n').filter((l) => /^\s*\d+\s+\d+\s+image\b/.test(l))).toHaveLength(2);
    expect(images).toMatch(/\bsmask\b/);
    expect(decodeQr(sealed)).toBe(`${ORIGIN}/verify/XJZMKJ-2023-001`);
    execFileSync('pdftoppm', ['-r', '50', '-png', sealed, path.join(work, 'look-sealed')]);

    const removed = json<CampaignCertificates>(await oc.del(`/api/certificates/campaigns/${campaignId}/seals/1`));
    expect(removed.seals.every((s) => s.uploadedAt === null)).toBe(true);
    expect((await oc.get(`/api/certificates/campaigns/${campaignId}/seals/1`)).statusCode).toBe(404);
    // a download renders at once what the job has not yet: the blank areas again
    const again = writePdf('unsealed.pdf', (await oc.get('/api/certificates/XJZMKJ-2023-001/pdf')).rawPayload);
    expect(
      pdfTool('pdfimages', ['-list', again])
        .split('\n')
        .filter((l) => /^\s*\d+\s+\d+\s+image\b/.test(l)),
    ).toHaveLength(1);
    await jobsSettled();
  });

  it('the ZIP of all certificates: a job with progress, named 证书编号-姓名.pdf, sizes as stored', async () => {
    const started = await oc.post(`/api/certificates/campaigns/${campaignId}/zip`);
    expect(started.statusCode).toBe(200);
    const job = json<JobView>(started);
    await jobsSettled();
    const done = json<JobView>(await oc.get(`/api/jobs/${job.id}`));
    expect(done.status).toBe('done');
    expect(done.progress).toEqual({ done: 4, total: 4 });
    expect(done.result?.name).toBe('证书-2023.zip');
    const res = await oc.get(done.downloadUrl!);
    expect(res.statusCode).toBe(200);
    const entries = await listZip(res.rawPayload);
    const all = await rows();
    const expected = await Promise.all(all.map(async (r) => [`${r.number}-${r.name}.pdf`, (await t.s.storage.stat(r.storageKey!))!.size] as [string, number]));
    expect(entries.sort()).toEqual(expected.sort());
    // another organizer cannot see it
    const other = await buildOrganizer(t.s);
    const oc2 = new Client(t.app);
    await oc2.login(other.username, other.password);
    expect((await oc2.get(done.downloadUrl!)).statusCode).toBe(404);
  });
});

function listZip(buf: Buffer): Promise<[string, number][]> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buf, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const out: [string, number][] = [];
      zip.on('entry', (e: yauzl.Entry) => {
        out.push([e.fileName, e.uncompressedSize]);
        zip.readEntry();
      });
      zip.on('end', () => resolve(out));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}
