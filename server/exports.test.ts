// 数据导出 (issue 15, 4.): every export read back — the 汇总表 with an xlsx reader (headers, row count and values
// against the database and against 查询申报表 under the same filters, masking, the full 身份证号码 only by the
// organizer's recorded choice), a unit's scope, the chosen columns; the ranking, the tallies and the final list; the
// media package's names and sizes (yauzl). A refused request queues nothing. PGlite, and PostgreSQL with TEST_DATABASE_URL.
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, count, eq } from 'drizzle-orm';
import { readSheet } from 'read-excel-file/node';
import yauzl from 'yauzl';
import { maskIdNumber, STATUS_LABELS } from '../core';
import { EXPORT_COLUMN_LABELS, DEFAULT_EXPORT_COLUMNS } from '../core/exports';
import type { JobView } from '../core/jobs';
import { applications, applicationUnits, attachments, auditLog, jobs, meetingRoundCandidates } from './db/schema';
import { runJobsUntilIdle } from './jobs/runner';
import { buildApplicant, buildApplication, buildOrganizer, buildUnit, completeForm } from './testing/factories';
import { fixtureBytes } from './testing/media-fixtures';
import { jpegBytes } from './testing/files';
import { Client, json, startTestPlatform } from './testing/harness';
import { fakeClosedRound, reviewedCandidates } from './testing/selection';
import { XlsxWriter, escapeXml, columnName } from './xlsx/writer';

let t: Awaited<ReturnType<typeof startTestPlatform>>;
let oc: Client;
let org: Awaited<ReturnType<typeof buildOrganizer>>;
const MARK = `导出测试${Date.now().toString(36)}`;
type Unit = Awaited<ReturnType<typeof buildUnit>>;
let unitA: Unit;
let unitB: Unit;
let uc: Client;
const made: { id: string; number: string; unitId: string; idNumber: string; name: string; status: string }[] = [];

beforeAll(async () => {
  t = await startTestPlatform();
  org = await buildOrganizer(t.s);
  oc = new Client(t.app);
  await oc.login(org.username, org.password);
  unitA = await buildUnit(t.s, { name: `${MARK}甲单位` });
  unitB = await buildUnit(t.s, { name: `${MARK}乙单位` });
  uc = new Client(t.app);
  await uc.login(unitA.username, unitA.password);
  // three at unit A (one of them 提交到自治区科协), two at unit B, one draft nobody but its applicant sees
  const specs = [
    { unit: unitA, status: 'submitted_to_unit' },
    { unit: unitA, status: 'submitted_to_unit' },
    { unit: unitA, status: 'submitted_to_org' },
    { unit: unitB, status: 'submitted_to_unit' },
    { unit: unitB, status: 'submitted_to_org' },
    { unit: null, status: 'applicant' },
  ];
  for (const [i, spec] of specs.entries()) {
    const name = `导出人${i + 1}`;
    const a = await buildApplicant(t.s, { realName: name });
    const form = completeForm({ name, workUnit: `${MARK}工作单位${i + 1}`, birthDate: `1980-0${i + 1}-15`, gender: i % 2 ? '男' : '女' });
    const d = await buildApplication(t.s, a.user, { form });
    if (spec.unit) {
      await t.s.db.update(applications).set({ status: spec.status, unitId: spec.unit.unit.id, transferredAt: new Date() }).where(eq(applications.id, d.id));
      await t.s.db.insert(applicationUnits).values({ applicationId: d.id, unitId: spec.unit.unit.id });
    }
    made.push({ id: d.id, number: d.number, unitId: spec.unit?.unit.id ?? '', idNumber: form.idNumber!, name, status: spec.status });
  }
});
afterAll(async () => t?.close());

async function jobCount() {
  return Number((await t.s.db.select({ n: count() }).from(jobs))[0]!.n);
}
async function auditCount() {
  return Number((await t.s.db.select({ n: count() }).from(auditLog).where(eq(auditLog.action, 'export.full_id_number')))[0]!.n);
}

/** Runs the queue here (the platform's own runner may have taken the job: then waits for it) until the job has ended. */
async function settled(c: Client, id: string): Promise<JobView> {
  const until = Date.now() + 30_000;
  for (;;) {
    await runJobsUntilIdle(t.s);
    const job = json<JobView>(await c.get(`/api/jobs/${id}`));
    if (job.status !== 'queued' && job.status !== 'running') return job;
    if (Date.now() > until) throw new Error(`job ${id} still ${job.status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts an export, runs the queue, follows the job to its end and downloads the file. */
async function exportFile(c: Client, url: string, body: Record<string, unknown>) {
  const res = await c.post(url, body);
  expect(res.statusCode, res.body).toBe(200);
  const started = json<JobView>(res);
  expect(started.status).toBe('queued');
  const job = await settled(c, started.id);
  expect(job.status, job.error ?? '').toBe('done');
  expect(job.downloadUrl).toBe(`/api/jobs/${job.id}/download`);
  const file = await c.get(job.downloadUrl!);
  expect(file.statusCode).toBe(200);
  expect(file.headers['content-disposition']).toContain(`filename*=UTF-8''${encodeURIComponent(job.result!.name)}`);
  expect(file.rawPayload.length).toBe(job.result!.size);
  return { job, bytes: file.rawPayload };
}

const listed = async (c: Client, q: Record<string, string>) => {
  const res = await c.get(`/api/applications?${new URLSearchParams({ ...q, pageSize: '100' })}`);
  expect(res.statusCode, res.body).toBe(200);
  return json<{ rows: { number: string; statusLabel: string; unitName: string | null }[]; total: number }>(res);
};

describe('the streaming xlsx writer', () => {
  it('escapes XML, drops what XML cannot carry, names columns past Z', async () => {
    expect(escapeXml('a<b>&"c"\u0001')).toBe('a&lt;b&gt;&amp;&quot;c&quot;');
    expect([0, 25, 26, 701, 702].map(columnName)).toEqual(['A', 'Z', 'AA', 'ZZ', 'AAA']);
    const file = path.join(os.tmpdir(), `xlsx-${process.pid}.xlsx`);
    const w = new XlsxWriter(file);
    const sheet = await w.sheet('第一页', { widths: [8, 20], freezeHeader: true });
    await sheet.row(['序号', '姓名<测试>'], { bold: true });
    for (let i = 0; i < 3000; i++) await sheet.row([i + 1, `张${i}`, i % 2 === 0, null, 'x\u0002y']);
    await (await w.sheet('说明')).row(['只有一格']);
    await w.finish();
    const rows = await readSheet(file);
    expect(rows.length).toBe(3001);
    expect(rows[0]!.slice(0, 2)).toEqual(['序号', '姓名<测试>']);
    expect(rows[3000]).toEqual([3000, '张2999', false, null, 'xy']);
    expect(await readSheet(file, '说明')).toEqual([['只有一格']]);
    await fsp.rm(file, { force: true });
  });
});

describe('汇总表', () => {
  it('the organizer: the rows of 查询申报表 under the same filter, default columns, 身份证号码 masked, nothing recorded', async () => {
    const before = await auditCount();
    // batches of two rows: the five rows cross two batch boundaries (keyset pagination)
    process.env.EXPORT_BATCH_ROWS = '2';
    const { job, bytes } = await exportFile(oc, '/api/exports/applications', { workUnit: MARK }).finally(() => delete process.env.EXPORT_BATCH_ROWS);
    expect(job.label).toBe('申报表汇总表');
    expect(job.result!.name).toMatch(/^申报表汇总表-\d{12}\.xlsx$/);
    const rows = await readSheet(bytes);
    expect(rows[0]).toEqual(DEFAULT_EXPORT_COLUMNS.map((c) => EXPORT_COLUMN_LABELS[c]));
    const list = await listed(oc, { workUnit: MARK });
    expect(list.total).toBe(5); // the draft stays the applicant's
    expect(rows.length - 1).toBe(list.total);
    // 申请书编号从高到低, as the list's default sort
    const col = (label: string) => rows[0]!.indexOf(label);
    expect(rows.slice(1).map((r) => r[col('申请书编号')])).toEqual(list.rows.map((r) => r.number));
    for (const r of rows.slice(1)) {
      const m = made.find((x) => x.number === r[col('申请书编号')])!;
      const shown = list.rows.find((x) => x.number === m.number)!;
      expect(r[col('申请人姓名')]).toBe(m.name);
      expect(r[col('身份证号码')]).toBe(maskIdNumber(m.idNumber));
      expect(String(r[col('身份证号码')])).not.toContain(m.idNumber.slice(6, 14));
      expect(r[col('当前步骤')]).toBe(shown.statusLabel);
      expect(r[col('推荐单位')]).toBe(shown.unitName);
    }
    expect(await auditCount()).toBe(before);
  });

  it("full 身份证号码 by the organizer's explicit choice: in the file, and recorded (who, the job, the filters)", async () => {
    const before = await auditCount();
    const { job, bytes } = await exportFile(oc, '/api/exports/applications', {
      workUnit: MARK,
      status: 'submitted_to_org',
      columns: ['number', 'idNumber'],
      fullIdNumber: true,
    });
    const rows = await readSheet(bytes);
    expect(rows[0]).toEqual(['申请书编号', '身份证号码']);
    const expected = made.filter((m) => m.status === 'submitted_to_org');
    expect(rows.length - 1).toBe(expected.length);
    for (const r of rows.slice(1)) expect(r[1]).toBe(expected.find((m) => m.number === r[0])!.idNumber);
    expect(await auditCount()).toBe(before + 1);
    const [row] = await t.s.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'export.full_id_number'), eq(auditLog.targetId, job.id)));
    expect(row!.actorId).toBe(org.user.id);
    expect(row!.detail).toMatchObject({ filters: { workUnit: MARK, status: 'submitted_to_org' }, columns: ['number', 'idNumber'] });
  });

  it('a unit: only what its 查询申报表 shows, the chosen columns in the chosen order, a filter applied', async () => {
    const { bytes } = await exportFile(uc, '/api/exports/applications', { columns: ['name', 'number', 'status', 'worksInXinjiang', 'transferredAt'] });
    const rows = await readSheet(bytes);
    expect(rows[0]).toEqual(['申请人姓名', '申请书编号', '当前步骤', '是否在新疆工作', '转交时间']);
    const mine = made.filter((m) => m.unitId === unitA.unit.id);
    expect(
      rows
        .slice(1)
        .map((r) => r[1])
        .sort(),
    ).toEqual(mine.map((m) => m.number).sort());
    expect((await listed(uc, {})).total).toBe(rows.length - 1);
    expect(rows.slice(1).every((r) => r[3] === '是' && /^\d{4}-\d\d-\d\d \d\d:\d\d$/.test(String(r[4])))).toBe(true);

    const filtered = await readSheet((await exportFile(uc, '/api/exports/applications', { status: 'submitted_to_org', columns: ['number', 'status'] })).bytes);
    expect(filtered.slice(1)).toEqual(
      mine
        .filter((m) => m.status === 'submitted_to_org')
        .map((m) => [m.number, STATUS_LABELS.submitted_to_org.replaceAll('[推荐单位]', `[${unitA.unit.name}]`)]),
    );
  });

  it('rows that share (年度, 序号) at a batch boundary all come, once each (batches of one row)', async () => {
    const [a, b] = [made[1]!, made[2]!];
    const [orig] = await t.s.db.select({ seq: applications.seq }).from(applications).where(eq(applications.id, b.id));
    const [target] = await t.s.db.select({ seq: applications.seq }).from(applications).where(eq(applications.id, a.id));
    await t.s.db.update(applications).set({ seq: target!.seq }).where(eq(applications.id, b.id));
    process.env.EXPORT_BATCH_ROWS = '1';
    try {
      const rows = await readSheet((await exportFile(oc, '/api/exports/applications', { workUnit: MARK, columns: ['number'] })).bytes);
      const expected = made.filter((m) => m.status !== 'applicant').map((m) => m.number);
      expect(
        rows
          .slice(1)
          .map((r) => r[0])
          .sort(),
      ).toEqual(expected.sort());
    } finally {
      delete process.env.EXPORT_BATCH_ROWS;
      await t.s.db.update(applications).set({ seq: orig!.seq }).where(eq(applications.id, b.id));
    }
  });

  it('refusals queue nothing: a unit asking for the full number (403), an applicant (403), an unknown column or key (400)', async () => {
    const [jobsBefore, auditBefore] = [await jobCount(), await auditCount()];
    const unitFull = await uc.post('/api/exports/applications', { fullIdNumber: true });
    expect(unitFull.statusCode).toBe(403);
    expect(json<{ error: { message: string } }>(unitFull).error.message).toContain('仅限自治区科协');
    const ac = new Client(t.app);
    const a = await buildApplicant(t.s);
    await ac.login(a.username, a.password);
    expect((await ac.post('/api/exports/applications', {})).statusCode).toBe(403);
    expect((await oc.post('/api/exports/applications', { columns: ['password'] })).statusCode).toBe(400);
    expect((await oc.post('/api/exports/applications', { columns: [] })).statusCode).toBe(400);
    expect((await oc.post('/api/exports/applications', { sort: 'number' })).statusCode).toBe(400);
    expect((await uc.post('/api/exports/ranking', { campaignId: made[0]!.id })).statusCode).toBe(403);
    expect(await jobCount()).toBe(jobsBefore);
    expect(await auditCount()).toBe(auditBefore);
  });

  it('no match: the job fails with its reason, and there is nothing to download (409)', async () => {
    const res = await oc.post('/api/exports/applications', { keyword: '不存在的人名字' });
    const id = json<JobView>(res).id;
    const job = await settled(oc, id);
    expect(job.status).toBe('failed');
    expect(job.error).toContain('没有符合条件的申报表');
    expect((await oc.get(`/api/jobs/${id}/download`)).statusCode).toBe(409);
  });
});

describe('宣传素材包', () => {
  it('photos as 姓名+序号.jpg, the video, the 事迹 PDF; names and sizes as stored; the unit its own, another unit 404', async () => {
    const m = made[0]!;
    const photo1 = jpegBytes(40_000);
    const photo2 = jpegBytes(50_000);
    const video = fixtureBytes('small-720p.mp4');
    const put = async (kind: string, name: string, bytes: Buffer, seq: number | null, mime: string) => {
      const tmp = path.join(t.s.storage.tmpDir, `put-${Math.random()}`);
      await fsp.writeFile(tmp, bytes);
      const key = await t.s.storage.putFile(tmp, { contentType: mime });
      await t.s.db
        .insert(attachments)
        .values({ applicationId: m.id, kind, name, storageKey: key, mime, size: bytes.length, sha256: 'x', uploadedBy: m.id, seq });
    };
    await put('photo', 'IMG_0001.jpg', photo1, 1, 'image/jpeg');
    await put('photo', 'IMG_0002.jpg', photo2, 3, 'image/jpeg');
    await put('video', '事迹视频.mp4', video, null, 'video/mp4');
    // a second video uploaded under the same name keeps both, the second numbered
    const video2 = fixtureBytes('portrait.mov');
    await put('video', '事迹视频.mp4', video2, null, 'video/quicktime');
    await put('integrity_pledge', '承诺书.pdf', Buffer.from('%PDF-1.4 not in the package'), null, 'application/pdf');

    const { job, bytes } = await exportFile(uc, '/api/exports/media', { applicationId: m.id });
    expect(job.result!.name).toMatch(new RegExp(`^${m.name}-宣传素材包-\\d{12}\\.zip$`));
    const entries = await zipEntries(bytes);
    expect(entries.map((e) => e.name).sort()).toEqual([`${m.name}-事迹.pdf`, `${m.name}1.jpg`, `${m.name}3.jpg`, '事迹视频.mp4', '事迹视频(2).mp4'].sort());
    const size = (n: string) => entries.find((e) => e.name === n)!.data.length;
    expect(size(`${m.name}1.jpg`)).toBe(photo1.length);
    expect(entries.find((e) => e.name === `${m.name}3.jpg`)!.data.equals(photo2)).toBe(true);
    expect(entries.find((e) => e.name === '事迹视频.mp4')!.data.equals(video)).toBe(true);
    expect(entries.find((e) => e.name === '事迹视频(2).mp4')!.data.equals(video2)).toBe(true);
    const pdf = entries.find((e) => e.name.endsWith('.pdf'))!.data;
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    // the text is in the PDF (pdftotext, poppler-utils)
    const pdfFile = path.join(os.tmpdir(), `deeds-${process.pid}.pdf`);
    await fsp.writeFile(pdfFile, pdf);
    const { execFileSync } = await import('node:child_process');
    const text = execFileSync('pdftotext', [pdfFile, '-']).toString().replace(/\s+/g, '');
    expect(text).toContain('主要事迹');
    expect(text).toContain('扎根南疆二十年');
    expect(text).toContain('感人故事');
    await fsp.rm(pdfFile, { force: true });

    // unit B never had it: 404, nothing queued
    const ucB = new Client(t.app);
    await ucB.login(unitB.username, unitB.password);
    const before = await jobCount();
    expect((await ucB.post('/api/exports/media', { applicationId: m.id })).statusCode).toBe(404);
    expect(await jobCount()).toBe(before);
  });
});

describe('the ranking, the tallies and the final list', () => {
  it('each as .xlsx for the organizer, with the columns of their pages', async () => {
    const { campaignId, candidates } = await reviewedCandidates(t, [{ total: 90 }, { total: 80, gender: '女' }, { total: 70, academician: true }]);
    const ranking = await readSheet((await exportFile(oc, '/api/exports/ranking', { campaignId })).bytes);
    expect(ranking[0]!.slice(0, 3)).toEqual(['排名', '申请书编号', '姓名']);
    expect(ranking.slice(1).map((r) => r[2])).toEqual(candidates.map((c) => c.name));

    const built = await oc.post(`/api/selection/campaigns/${campaignId}/shortlist/build`);
    expect(built.statusCode, built.body).toBe(200);
    const round = await fakeClosedRound(t, campaignId, org.user.id, [
      { applicationId: candidates[0]!.id, winYes: 9, nationalYes: 8 },
      { applicationId: candidates[1]!.id, winYes: 7 },
      { applicationId: candidates[2]!.id, winYes: 2 },
    ]);
    // the round's candidates (fakeClosedRound writes only its result)
    await t.s.db.insert(meetingRoundCandidates).values(candidates.map((c, i) => ({ roundId: round.id, applicationId: c.id, position: i + 1 })));
    const tally = await exportFile(oc, '/api/exports/tallies', { campaignId });
    const tallyRows = await readSheet(tally.bytes, '第1轮计票结果');
    expect(tallyRows[0]!.slice(0, 3)).toEqual(['序号', '申请书编号', '姓名']);
    expect(tallyRows.length - 1).toBe(3);
    expect((await readSheet(tally.bytes, '第1轮说明'))[0]![0]).toContain('计票结果');

    // the final list: the pick with the constraints' attributes
    const state = await oc.get(`/api/selection/campaigns/${campaignId}`);
    expect(state.statusCode, state.body).toBe(200);
    const version = json<{ version: number }>(state).version;
    const pick = await oc.put(`/api/selection/campaigns/${campaignId}/pick`, {
      winners: [candidates[0]!.id, candidates[1]!.id],
      nationals: [candidates[0]!.id],
      version,
    });
    expect(pick.statusCode, pick.body).toBe(200);
    const final = await exportFile(oc, '/api/exports/final', { campaignId });
    expect(final.job.result!.name).toMatch(/^最终评选结果（草稿）-\d{12}\.xlsx$/);
    const finalRows = await readSheet(final.bytes);
    const h = finalRows[0]!;
    expect(h).toEqual(expect.arrayContaining(['申请书编号', '姓名', '性别', '民族', '院士', '推荐领域', '地区', '当选', '推荐全国']));
    expect(finalRows.length - 1).toBe(2);
    const byName = new Map(finalRows.slice(1).map((r) => [r[h.indexOf('姓名')], r]));
    expect(byName.get(candidates[0]!.name)![h.indexOf('推荐全国')]).toBe('是');
    expect(byName.get(candidates[1]!.name)![h.indexOf('推荐全国')]).toBe('否');
    expect(byName.get(candidates[1]!.name)![h.indexOf('性别')]).toBe('女');
  });

  it('an unknown campaign: 404, nothing queued', async () => {
    const before = await jobCount();
    const res = await oc.post('/api/exports/tallies', { campaignId: '00000000-0000-4000-8000-000000000000' });
    expect(res.statusCode).toBe(404);
    expect(await jobCount()).toBe(before);
  });
});

async function zipEntries(bytes: Buffer): Promise<{ name: string; data: Buffer }[]> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(bytes, { lazyEntries: true, decodeStrings: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const out: { name: string; data: Buffer }[] = [];
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            out.push({ name: entry.fileName, data: Buffer.concat(chunks) });
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(out));
      zip.readEntry();
    });
  });
}
