// The printable 申请书/推荐表 (issue 15, 4.): a job for whoever may see the application; the PDF's text (pdftotext)
// holds the field values, the 推荐单位意见 and the boxes for 签字、盖章、日期; the 身份证号码 whole only for the applicant;
// everyone else 404 with nothing made.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, eq } from 'drizzle-orm';
import type { JobView } from '../core/jobs';
import { jobs } from './db/schema';
import { runJobsUntilIdle } from './jobs/runner';
import { buildApplicant, buildExpert, buildOrganizer, buildUnit } from './testing/factories';
import { Client, json, startTestPlatform } from './testing/harness';
import { forwardable } from './testing/journey';

let t: Awaited<ReturnType<typeof startTestPlatform>>;
let oc: Client;
let uc: Client;
let target: Awaited<ReturnType<typeof forwardable>>;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'app-pdf-test-'));

beforeAll(async () => {
  t = await startTestPlatform();
  const org = await buildOrganizer(t.s);
  oc = new Client(t.app);
  await oc.login(org.username, org.password);
  const unit = await buildUnit(t.s, { name: '喀什地区科学技术协会' });
  uc = new Client(t.app);
  await uc.login(unit.username, unit.password);
  target = await forwardable(t, uc, unit.unit.id);
  const opinion = await uc.put(`/api/applications/${target.id}/opinions/recommend`, { text: '该同志扎根基层二十年，事迹突出，同意推荐。' });
  expect(opinion.statusCode).toBe(200);
}, 120_000);

afterAll(async () => {
  await t?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

async function settled(c: Client, id: string): Promise<JobView> {
  const until = Date.now() + 30_000;
  for (;;) {
    await runJobsUntilIdle(t.s);
    const job = json<JobView>(await c.get(`/api/jobs/${id}`));
    if (['done', 'failed', 'cancelled'].includes(job.status)) return job;
    if (Date.now() > until) throw new Error(`job ${id} still ${job.status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function pdfTextFor(c: Client, name: string): Promise<string> {
  const res = await c.post('/api/exports/application-pdf', { applicationId: target.id });
  expect(res.statusCode, res.body).toBe(200);
  const job = await settled(c, json<JobView>(res).id);
  expect(job.status).toBe('done');
  expect(job.result?.type).toBe('application/pdf');
  expect(job.result?.name).toMatch(/-申请书\.pdf$/);
  const file = path.join(work, `${name}.pdf`);
  fs.writeFileSync(file, (await c.get(job.downloadUrl!)).rawPayload);
  expect(execFileSync('pdffonts', [file], { encoding: 'utf8' })).toMatch(/NotoSerifSC-\w+\s+CID TrueType\s+Identity-H\s+yes yes yes/);
  execFileSync('pdftoppm', ['-r', '50', '-png', '-f', '1', '-l', '1', file, path.join(work, `look-${name}`)]);
  const keep = process.env.CERT_LOOK_DIR;
  if (keep) for (const f of fs.readdirSync(work).filter((n) => n.startsWith(`look-${name}`))) fs.copyFileSync(path.join(work, f), path.join(keep, f));
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
}

describe('the printable 申请书', () => {
  it('the unit gets the manual table with the values, its opinion and the boxes for signature, stamp and date', async () => {
    const detail = json<{ number: string; form: Record<string, string> }>(await uc.get(`/api/applications/${target.id}`));
    const text = await pdfTextFor(uc, 'unit');
    const flat = text.replace(/\s+/g, '');
    expect(flat).toContain('2023年“新疆最美科技工作者”申请书（推荐表）');
    expect(flat).toContain(detail.number);
    for (const key of ['name', 'gender', 'ethnicity', 'birthDate', 'workUnit', 'title', 'field', 'mobile']) {
      expect(flat, key).toContain(String(detail.form[key]).replace(/\s+/g, ''));
    }
    expect(flat).toContain('推荐单位喀什地区科学技术协会');
    expect(flat).toContain('该同志扎根基层二十年，事迹突出，同意推荐。');
    for (const label of ['主要事迹', '感人故事', '资格条件', '推荐单位意见', '负责人（签字）', '推荐单位（盖章）', '日期', '申请人（签字）']) {
      expect(flat).toContain(label);
    }
    expect(flat).toContain(String(detail.form.mainDeeds).replace(/\s+/g, '').slice(0, 30));
    // the unit sees the 身份证号码 masked, as on its screen
    expect(detail.form.idNumber).toContain('*');
    expect(flat).toContain(detail.form.idNumber);
  });

  it('the applicant gets their own with the whole 身份证号码; the organizer any', async () => {
    const mine = json<{ form: Record<string, string> }>(await target.ac.get(`/api/applications/${target.id}`));
    expect(mine.form.idNumber).toMatch(/^\d{17}[\dX]$/);
    expect((await pdfTextFor(target.ac, 'applicant')).replace(/\s+/g, '')).toContain(mine.form.idNumber);
    const org = (await pdfTextFor(oc, 'organizer')).replace(/\s+/g, '');
    expect(org).toContain('该同志扎根基层二十年');
    expect(org).not.toContain(mine.form.idNumber);
  });

  it('another applicant, another unit, an expert: 404 and no job made; a body with unknown keys: 400', async () => {
    const [before] = await t.s.db.select({ n: count() }).from(jobs);
    const other = await buildApplicant(t.s);
    const otherUnit = await buildUnit(t.s);
    const expert = await buildExpert(t.s);
    for (const who of [other, otherUnit, expert]) {
      const c = new Client(t.app);
      await c.login(who.username, who.password);
      const res = await c.post('/api/exports/application-pdf', { applicationId: target.id });
      expect([404, 403]).toContain(res.statusCode);
    }
    expect((await oc.post('/api/exports/application-pdf', { applicationId: 'not-an-id' })).statusCode).toBe(404);
    const extra = await oc.post('/api/exports/application-pdf', { applicationId: target.id, extra: 1 });
    expect(extra.statusCode).toBe(400);
    expect(json<{ error: { message: string } }>(extra).error.message).toContain('不认识的字段');
    expect((await new Client(t.app).post('/api/exports/application-pdf', { applicationId: target.id })).statusCode).toBe(401);
    const [after] = await t.s.db.select({ n: count() }).from(jobs);
    expect(after!.n).toBe(before!.n);
    // a unit's job is fixed to its scope: the job row carries the unit
    const res = await uc.post('/api/exports/application-pdf', { applicationId: target.id });
    const [row] = await t.s.db
      .select()
      .from(jobs)
      .where(eq(jobs.id, json<JobView>(res).id));
    expect(row!.unitId).not.toBeNull();
    await settled(uc, row!.id);
  });
});
