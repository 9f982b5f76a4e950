import crypto from 'node:crypto';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachments, jobs, uploadParts, uploads } from './db/schema';
import { PREVIEW_JOB, PREVIEW_MAX_ATTEMPTS, previewDedupeKey, previewRetryDelayMs } from './jobs/media';
import { enqueueJob, runJobsUntilIdle, type Job } from './jobs/runner';
import { fixtureBytes, hostileCorpus, HOSTILE_NAMES, jpegHasGps, jpegOfSize, rotateMp4, truncatedMp4 } from './testing/media-fixtures';
import { createTusServer, UPLOAD_TTL_MS } from './routes/uploads';
import { buildApplicant, buildApplication, buildUnit } from './testing/factories';
import { Client, json, startTestPlatform } from './testing/harness';
import { startS3 } from './testing/s3';
import { Tus } from './testing/tus';
import { PHOTO_BYTES } from './testing/journey';
import type { AttachmentView } from '../core';
import { sweepOrphans } from './usecases/sweep';
import { previewsMade } from './testing/previews';
import { attemptOver } from './testing/jobs';

const MiB = 1024 * 1024;
let t: Awaited<ReturnType<typeof startTestPlatform>>;
let base: string;

beforeAll(async () => {
  t = await startTestPlatform();
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
});
afterAll(async () => t?.close());

type View = AttachmentView;

async function applicantWithApplication() {
  const applicant = await buildApplicant(t.s);
  const c = new Client(t.app);
  await c.login(applicant.username, applicant.password);
  const d = await buildApplication(t.s, applicant.user, { pledged: true });
  return { applicant, c, tus: new Tus(c, base), id: d.id, name: applicant.user.realName };
}

const errorOf = (body: string) => (JSON.parse(body) as { error: { message: string } }).error.message;
const storedFiles = () => {
  const dir = path.join(t.s.config.dataDir, 'files');
  return fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true }).filter((f) => String(f).includes('-')).length : 0;
};
/** storedFiles once earlier tests' previews are made: their jobs run in the background, and a file of theirs landing
 * during a test is not that test's */
const settledFiles = async () => {
  await previewsMade(t.s);
  return storedFiles();
};
const uploadIdOf = (url: string) => url.split('/').pop()!;
/** What an upload still holds: its row, its pieces' rows and objects, and temp files of its requests. */
async function pendingOf(url: string) {
  const uploadId = uploadIdOf(url);
  const parts = await t.s.db.select().from(uploadParts).where(eq(uploadParts.uploadId, uploadId));
  const objects = (await Promise.all(parts.map((p) => t.s.storage.stat(p.storageKey)))).filter(Boolean).length;
  const rows = (await t.s.db.select().from(uploads).where(eq(uploads.id, uploadId))).length;
  const tmp = fs.readdirSync(t.s.storage.tmpDir).filter((f) => f.startsWith(uploadId)).length;
  return { rows, parts: parts.length, objects, tmp };
}
/** Every upload in progress, its pieces and temp files (all tests' of this file; not the preview jobs' job-* files). */
const pendingUploads = async () =>
  (await t.s.db.select().from(uploads)).length +
  (await t.s.db.select().from(uploadParts)).length +
  fs.readdirSync(t.s.storage.tmpDir).filter((f) => !f.startsWith('job-')).length;
const nothingLeft = { rows: 0, parts: 0, objects: 0, tmp: 0 };
/** The database refuses new attachments (as a database failing mid-way would) until the returned function is called. */
async function refuseAttachments() {
  await t.s.db.execute(
    sql.raw(`create or replace function test_refuse_attachment() returns trigger language plpgsql as $$ begin raise exception 'database unavailable'; end $$`),
  );
  await t.s.db.execute(sql.raw(`create trigger test_refuse_attachment before insert on attachments for each row execute function test_refuse_attachment()`));
  return async () => {
    await t.s.db.execute(sql.raw(`drop trigger test_refuse_attachment on attachments`));
    await t.s.db.execute(sql.raw(`drop function test_refuse_attachment()`));
  };
}
const rowsOf = async (applicationId: string) => t.s.db.select().from(attachments).where(eq(attachments.applicationId, applicationId));
const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

describe('照片 by tus', () => {
  it('stores photos as 姓名+序号.jpg, numbering stable when one is deleted, originals untouched, previews without GPS', async () => {
    const { c, tus, id, name } = await applicantWithApplication();
    const views: View[] = [];
    for (let i = 0; i < 3; i++) {
      const photo = jpegOfSize(PHOTO_BYTES + i, { gps: true });
      const up = await tus.upload(id, 'photo', `IMG_000${i}.JPG`, photo);
      expect(up.status, up.body).toBe(200);
      views.push(JSON.parse(up.body) as View);
    }
    expect(views.map((v) => v.name)).toEqual([`${name}1.jpg`, `${name}2.jpg`, `${name}3.jpg`]);
    // the preview is a job's: pending at first, then there
    expect(views[0]).toMatchObject({ kind: 'photo', mime: 'image/jpeg', size: PHOTO_BYTES, width: 640, height: 480 });
    expect(views[0]!.hasPreview || views[0]!.previewPending).toBe(true);
    await previewsMade(
      t.s,
      views.map((v) => v.id),
    );
    expect(json<View>(await c.get(`/api/attachments/${views[0]!.id}/meta`))).toMatchObject({ id: views[0]!.id, hasPreview: true, previewPending: false });
    // another applicant: as if it did not exist
    const stranger = await applicantWithApplication();
    expect((await stranger.c.get(`/api/attachments/${views[0]!.id}/meta`)).statusCode).toBe(404);

    expect((await c.del(`/api/attachments/${views[1]!.id}`)).statusCode).toBe(200);
    const fourth = await tus.upload(id, 'photo', 'IMG_0004.JPG', jpegOfSize(PHOTO_BYTES + 10));
    expect(JSON.parse(fourth.body).name).toBe(`${name}4.jpg`);
    const detail = json<{ attachments: View[] }>(await c.get(`/api/applications/${id}`));
    expect(detail.attachments.filter((a) => a.kind === 'photo').map((a) => a.name)).toEqual([`${name}1.jpg`, `${name}3.jpg`, `${name}4.jpg`]);

    // the original downloads byte for byte, as an attachment named 姓名1.jpg in UTF-8
    const original = await c.get(`/api/attachments/${views[0]!.id}`);
    expect(original.headers['content-disposition']).toBe(
      `attachment; filename="${'_'.repeat(name.length)}1.jpg"; filename*=UTF-8''${encodeURIComponent(`${name}1.jpg`)}`,
    );
    expect(original.headers['x-content-type-options']).toBe('nosniff');
    expect(sha(original.rawPayload)).toBe(sha(jpegOfSize(PHOTO_BYTES, { gps: true })));
    expect(jpegHasGps(original.rawPayload)).toBe(true);
    // the preview is a new JPEG without metadata: no GPS position of where the photo was taken
    const preview = await c.get(`/api/attachments/${views[0]!.id}/preview`);
    expect(preview.statusCode).toBe(200);
    expect(preview.headers['content-type']).toBe('image/jpeg');
    expect(preview.rawPayload.length).toBeLessThan(200_000);
    expect(jpegHasGps(preview.rawPayload)).toBe(false);
    expect(preview.rawPayload.includes(Buffer.from('Exif\0\0'))).toBe(false);
  });

  it('takes 2 MB as 2 × 1024 × 1024 bytes: one byte less is refused with the size found and required', async () => {
    const { tus, id } = await applicantWithApplication();
    const before = await settledFiles();
    const small = await tus.upload(id, 'photo', '小.jpg', jpegOfSize(PHOTO_BYTES - 1));
    expect(small.status).toBe(415);
    expect(errorOf(small.body)).toMatch(/^照片 1\.99 MB，要求不小于 2 MB/);
    expect(storedFiles()).toBe(before);
    expect(await rowsOf(id)).toHaveLength(0);
    expect((await tus.upload(id, 'photo', '刚好.jpg', jpegOfSize(PHOTO_BYTES))).status).toBe(200);
  });

  it('refuses a file over the size limit when the upload is created, before any bytes are sent', async () => {
    const { tus, id } = await applicantWithApplication();
    const created = await tus.create(id, 'photo', 'huge.jpg', 31 * MiB);
    expect(created.res.status).toBe(413);
    expect(errorOf(created.body)).toBe('照片 31 MB，要求不大于 30 MB');
    expect(await t.s.db.select().from(uploads).where(eq(uploads.applicationId, id))).toHaveLength(0);
  });

  it('refuses the 11th photo with the count found and the limit', async () => {
    const { tus, id } = await applicantWithApplication();
    for (let i = 0; i < 10; i++) expect((await tus.upload(id, 'photo', `${i}.jpg`, jpegOfSize(PHOTO_BYTES + i))).status).toBe(200);
    const eleventh = await tus.create(id, 'photo', '11.jpg', PHOTO_BYTES);
    expect(eleventh.res.status).toBe(409);
    expect(errorOf(eleventh.body)).toBe('照片已有 10 张，最多 10 张；请先删除不需要的再上传');
  });
});

describe('resuming', () => {
  it('continues an upload cut off mid-way from the offset the server has', async () => {
    const { tus, id, c } = await applicantWithApplication();
    const photo = jpegOfSize(3 * MiB, { gps: true });
    const created = await tus.create(id, 'photo', '断点续传.jpg', photo.length);
    expect(created.res.status).toBe(201);
    await tus.cutOff(created.url!, photo, 1 * MiB + 12345);
    const { status, offset } = await tus.offset(created.url!);
    expect(status).toBe(200);
    expect(offset).toBeGreaterThan(0);
    expect(offset).toBeLessThanOrEqual(1 * MiB + 12345);
    expect(await rowsOf(id)).toHaveLength(0); // nothing is committed before the file is complete

    const rest = await tus.patch(created.url!, offset, photo.subarray(offset));
    expect(rest.res.status, rest.body).toBe(200);
    const view = JSON.parse(rest.body) as View;
    expect(sha((await c.get(`/api/attachments/${view.id}`)).rawPayload)).toBe(sha(photo));
    expect((await tus.offset(created.url!)).status).toBe(404); // the finished upload is gone
    expect(await pendingOf(created.url!)).toEqual(nothingLeft);
  });

  it('reports as the offset exactly the bytes stored: every piece whole in storage and contiguous', async () => {
    const { tus, id } = await applicantWithApplication();
    const photo = jpegOfSize(3 * MiB);
    const created = await tus.create(id, 'photo', '分段.jpg', photo.length);
    expect((await tus.patch(created.url!, 0, photo.subarray(0, 100_000))).res.status).toBe(204);
    await tus.cutOff(created.url!, photo.subarray(100_000), 700_000, 100_000);
    const { offset } = await tus.offset(created.url!);
    const uploadId = created.url!.split('/').pop()!;
    const parts = await t.s.db.select().from(uploadParts).where(eq(uploadParts.uploadId, uploadId)).orderBy(uploadParts.start);
    expect(parts.map((p) => [p.start, p.size])).toEqual([
      [0, 100_000],
      [100_000, offset - 100_000],
    ]);
    for (const p of parts) {
      const chunks: Buffer[] = [];
      for await (const c of await t.s.storage.open(p.storageKey)) chunks.push(c as Buffer);
      expect(Buffer.concat(chunks).equals(photo.subarray(p.start, p.start + p.size))).toBe(true);
    }
    const [row] = await t.s.db.select().from(uploads).where(eq(uploads.id, uploadId));
    expect(row).toMatchObject({ receivedBytes: offset, lockedBy: null });
    const rest = await tus.patch(created.url!, offset, photo.subarray(offset));
    expect(rest.res.status, rest.body).toBe(200);
    expect(await pendingOf(created.url!)).toEqual(nothingLeft);
    for (const p of parts) expect(await t.s.storage.stat(p.storageKey)).toBeNull();
  });

  it('answers a second PATCH while one is receiving with 423, in Chinese, and loses no byte', async () => {
    const { tus, id } = await applicantWithApplication();
    const photo = jpegOfSize(2 * MiB);
    const created = await tus.create(id, 'photo', '并发.jpg', photo.length);
    const uploadId = created.url!.split('/').pop()!;
    // a request holding the lease as a PATCH on another instance would
    await t.s.db.execute(sql`update uploads set locked_by = 'elsewhere', locked_until = now() + interval '1 minute' where id = ${uploadId}`);
    const second = await tus.patch(created.url!, 0, photo);
    expect(second.res.status).toBe(423);
    expect(second.body).toContain('正在由另一个请求上传');
    expect(await pendingOf(created.url!)).toEqual({ rows: 1, parts: 0, objects: 0, tmp: 0 });
    // the holder died: its lease ran out, and the next PATCH takes the upload
    await t.s.db.execute(sql`update uploads set locked_until = now() - interval '1 second' where id = ${uploadId}`);
    const done = await tus.patch(created.url!, 0, photo);
    expect(done.res.status, done.body).toBe(200);
    expect((JSON.parse(done.body) as View).size).toBe(photo.length);
  });

  it('keeps the bytes when storing fails on our side, and stores them when asked to commit again', async () => {
    const { tus, id, c } = await applicantWithApplication();
    const photo = jpegOfSize(PHOTO_BYTES + 77);
    const created = await tus.create(id, 'photo', '存储故障.jpg', photo.length);
    const commitPath = `${new URL(created.url!).pathname}/commit`;
    const restore = await refuseAttachments();
    try {
      // an unfinished upload cannot be committed
      const half = await tus.patch(created.url!, 0, photo.subarray(0, 1000));
      expect(half.res.status).toBe(204);
      const early = await c.post(commitPath);
      expect(early.statusCode).toBe(409);
      expect(json<{ error: { message: string } }>(early).error.message).toBe('文件尚未上传完毕，请继续上传');

      const last = await tus.patch(created.url!, 1000, photo.subarray(1000));
      expect(last.res.status).toBe(500);
      expect((JSON.parse(last.body) as { error: { code: string } }).error.code).toBe('INTERNAL');
      // nothing stored, but the upload is whole and still there
      expect(await rowsOf(id)).toHaveLength(0);
      expect(await tus.offset(created.url!)).toEqual({ status: 200, offset: photo.length });
      expect((await c.post(commitPath)).statusCode).toBe(500); // still failing: still kept
      expect((await tus.offset(created.url!)).offset).toBe(photo.length);
      expect(await pendingOf(created.url!)).toEqual({ rows: 1, parts: 2, objects: 2, tmp: 0 });
    } finally {
      await restore();
    }
    // while a PATCH holds the upload (here: a killed instance's lease, 5 s to run), commit says so and changes nothing
    await t.s.db.execute(
      sql`update uploads set locked_by = 'another-instance', locked_until = now() + interval '5 seconds' where id = ${uploadIdOf(created.url!)}`,
    );
    const held = await c.post(commitPath);
    expect(held.statusCode).toBe(423);
    expect(json<{ error: { code: string; message: string } }>(held).error).toEqual({ code: 'LOCKED', message: '该文件正在上传，请稍候片刻再试' });
    expect(await rowsOf(id)).toHaveLength(0);
    expect(await pendingOf(created.url!)).toEqual({ rows: 1, parts: 2, objects: 2, tmp: 0 });
    await t.s.db.execute(sql`update uploads set locked_until = now() - interval '1 second' where id = ${uploadIdOf(created.url!)}`);

    // nobody else can commit it
    const stranger = await applicantWithApplication();
    expect((await stranger.c.post(commitPath)).statusCode).toBe(404);

    const done = await c.post(commitPath);
    expect(done.statusCode, done.body).toBe(200);
    const view = json<View>(done);
    expect(view).toMatchObject({ kind: 'photo', size: photo.length });
    expect(sha((await c.get(`/api/attachments/${view.id}`)).rawPayload)).toBe(sha(photo));
    const [row] = await t.s.db.select().from(attachments).where(eq(attachments.id, view.id));
    expect(row!.sha256).toBe(sha(photo));
    expect(await rowsOf(id)).toHaveLength(1);
    expect((await tus.offset(created.url!)).status).toBe(404);
    expect((await c.post(commitPath)).statusCode).toBe(404);
    expect(await pendingOf(created.url!)).toEqual(nothingLeft);
  });

  it('keeps a file sent in one PATCH as one stored piece when storing it fails, and the PATCH of no bytes at its end stores it', async () => {
    const { tus, id } = await applicantWithApplication();
    const photo = jpegOfSize(PHOTO_BYTES + 5);
    const created = await tus.create(id, 'photo', '一次.jpg', photo.length);
    const restore = await refuseAttachments();
    try {
      const whole = await tus.patch(created.url!, 0, photo);
      expect(whole.res.status).toBe(500);
      expect(await tus.offset(created.url!)).toEqual({ status: 200, offset: photo.length });
      expect(await pendingOf(created.url!)).toEqual({ rows: 1, parts: 1, objects: 1, tmp: 0 });
    } finally {
      await restore();
    }
    const done = await tus.patch(created.url!, photo.length, Buffer.alloc(0));
    expect(done.res.status, done.body).toBe(200);
    const view = JSON.parse(done.body) as View;
    const [row] = await t.s.db.select().from(attachments).where(eq(attachments.id, view.id));
    expect(row!.sha256).toBe(sha(photo));
    expect(await pendingOf(created.url!)).toEqual(nothingLeft);
  });

  it('sweeps uploads abandoned for longer than a day: bytes, bookkeeping and row', async () => {
    const { tus, id } = await applicantWithApplication();
    const photo = jpegOfSize(PHOTO_BYTES);
    const created = await tus.create(id, 'photo', 'abandoned.jpg', photo.length);
    await tus.patch(created.url!, 0, photo.subarray(0, 1000));
    const uploadId = created.url!.split('/').pop()!;
    const [part] = await t.s.db.select().from(uploadParts).where(eq(uploadParts.uploadId, uploadId));
    expect(await t.s.storage.stat(part!.storageKey)).toEqual({ size: 1000 });
    // the orphan sweep keeps the pieces of an upload in progress, however old they are
    await sweepOrphans(t.s, Date.now() + 2 * 60 * 60 * 1000);
    expect(await t.s.storage.stat(part!.storageKey)).toEqual({ size: 1000 });
    const { sweep, close } = createTusServer(t.s, path.join(t.s.config.dataDir, 'uploads'));
    try {
      expect(await sweep(Date.now() + 60_000)).toBe(0); // not yet
      expect(await sweep(Date.now() + UPLOAD_TTL_MS + 60_000)).toBeGreaterThanOrEqual(1);
    } finally {
      await close();
    }
    expect(await t.s.storage.stat(part!.storageKey)).toBeNull();
    expect(await pendingOf(created.url!)).toEqual(nothingLeft);
    expect((await tus.offset(created.url!)).status).toBe(404);
  });

  it('a preview whose store is away is tried again until the store is back, past the 3 attempts of other jobs', async () => {
    const { tus, id } = await applicantWithApplication();
    const view = JSON.parse((await tus.upload(id, 'photo', 'outage.jpg', jpegOfSize(PHOTO_BYTES))).body) as View;
    await previewsMade(t.s, [view.id]);
    // the preview to make again (as 失败任务's 重新执行 would, its file gone), while the file store is away
    const [before] = await t.s.db.select().from(attachments).where(eq(attachments.id, view.id));
    await t.s.storage.remove(before!.previewKey!);
    await t.s.db.update(attachments).set({ previewKey: null }).where(eq(attachments.id, view.id));
    const files = path.join(t.s.config.dataDir, 'files');
    fs.renameSync(files, `${files}.away`);
    fs.writeFileSync(files, 'the store is away');
    let job: Job | undefined;
    try {
      // due in an hour: each attempt below is brought forward, so the app's own runner cannot make one before it
      const later = new Date(Date.now() + 3_600_000);
      job = await enqueueJob(t.s.db, { kind: PREVIEW_JOB, params: { attachmentId: view.id }, dedupeKey: previewDedupeKey(view.id), runAt: later });
      for (let attempt = 1; attempt <= 5; attempt++) {
        await t.s.db
          .update(jobs)
          .set({ runAt: new Date(0) })
          .where(eq(jobs.id, job.id));
        // this run, or the app's own runner (which may take it first)
        await runJobsUntilIdle(t.s);
        const row = await attemptOver(t.s, job.id, attempt);
        expect([row.status, row.attempts], `attempt ${attempt}`).toEqual(['queued', attempt]);
        expect(row.runAt.getTime() - Date.now(), `attempt ${attempt}`).toBeLessThanOrEqual(previewRetryDelayMs(attempt));
      }
      expect(previewRetryDelayMs(PREVIEW_MAX_ATTEMPTS)).toBeLessThanOrEqual(30_000);
      // the attempts cover an outage of several minutes
      const covered = Array.from({ length: PREVIEW_MAX_ATTEMPTS - 1 }, (_, i) => previewRetryDelayMs(i + 1)).reduce((a, b) => a + b, 0);
      expect(covered).toBeGreaterThanOrEqual(5 * 60_000);
    } finally {
      fs.rmSync(files, { force: true });
      fs.renameSync(`${files}.away`, files);
    }
    await t.s.db
      .update(jobs)
      .set({ runAt: new Date(0) })
      .where(eq(jobs.id, job!.id));
    await previewsMade(t.s, [view.id]);
    const [row] = await t.s.db.select().from(attachments).where(eq(attachments.id, view.id));
    expect(await t.s.storage.stat(row!.previewKey!)).not.toBeNull();
    const [done] = await t.s.db.select().from(jobs).where(eq(jobs.id, job!.id));
    expect([done!.status, done!.attempts]).toEqual(['done', 6]);
  });

  it('sweeps stored files that no attachment refers to, and keeps the rest', async () => {
    const { tus, id } = await applicantWithApplication();
    const kept = JSON.parse((await tus.upload(id, 'photo', 'kept.jpg', jpegOfSize(PHOTO_BYTES))).body) as View;
    const tmp = path.join(t.s.storage.tmpDir, 'orphan.part');
    fs.writeFileSync(tmp, 'left behind by a crash between storing and the row');
    const orphan = await t.s.storage.putFile(tmp);
    await sweepOrphans(t.s, Date.now()); // too young: might be an upload in progress
    expect(await t.s.storage.stat(orphan)).not.toBeNull();
    const swept = await sweepOrphans(t.s, Date.now() + 2 * 60 * 60 * 1000);
    expect(swept.objects).toBe(1);
    expect(await t.s.storage.stat(orphan)).toBeNull();
    await previewsMade(t.s, [kept.id]);
    const [row] = await t.s.db.select().from(attachments).where(eq(attachments.id, kept.id));
    expect(await t.s.storage.stat(row!.storageKey)).not.toBeNull();
    expect(await t.s.storage.stat(row!.previewKey!)).not.toBeNull();
  });
});

describe('视频', () => {
  it('accepts landscape 1920×1080 and portrait by rotation as 1080×1920, and serves byte ranges for playing', async () => {
    const { tus, c, id } = await applicantWithApplication();
    const landscape = await tus.upload(id, 'video', '横版.mp4', fixtureBytes('landscape.mp4'));
    expect(landscape.status, landscape.body).toBe(200);
    expect(JSON.parse(landscape.body)).toMatchObject({ kind: 'video', mime: 'video/mp4', width: 1920, height: 1080, hasPreview: false, previewPending: false });
    const portrait = await tus.upload(id, 'video', '竖版.mp4', rotateMp4(fixtureBytes('landscape.mp4'), 90));
    expect(JSON.parse(portrait.body)).toMatchObject({ width: 1080, height: 1920 });
    const mov = await tus.upload(id, 'video', 'IMG_0420.MOV', fixtureBytes('portrait.mov'));
    expect(JSON.parse(mov.body)).toMatchObject({ mime: 'video/quicktime', width: 1080, height: 1920 });

    const v = JSON.parse(landscape.body) as View;
    expect(v.durationSeconds).toBeGreaterThan(1);
    const bytes = fixtureBytes('landscape.mp4');
    const part = await c.get(`/api/attachments/${v.id}`, { range: 'bytes=100-199' });
    expect(part.statusCode).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 100-199/${bytes.length}`);
    expect(part.rawPayload.equals(bytes.subarray(100, 200))).toBe(true);
    expect(part.headers['content-disposition']).toMatch(/^attachment;/);
  });

  it('refuses wrong resolution, over 3 minutes, and a truncated file, saying what was found and what is required', async () => {
    const { tus, id } = await applicantWithApplication();
    const before = await settledFiles();
    const small = await tus.upload(id, 'video', '720p.mp4', fixtureBytes('small-720p.mp4'));
    expect(small.status).toBe(415);
    expect(errorOf(small.body)).toBe('视频分辨率 1280×720，要求横版 1920×1080 或竖版 1080×1920');
    const long = await tus.upload(id, 'video', 'long.mp4', fixtureBytes('long-181s.mp4'));
    expect(errorOf(long.body)).toBe('视频时长 3分1秒，要求 3 分钟以内');
    const cut = await tus.upload(id, 'video', 'cut.mp4', truncatedMp4());
    expect(cut.status).toBe(415);
    expect(errorOf(cut.body)).toContain('视频文件不完整');
    expect(storedFiles()).toBe(before);
    expect(await rowsOf(id)).toHaveLength(0);
    expect(await pendingUploads()).toBe(0);
  });
});

describe('hostile files', () => {
  it('refuses every file of the hostile corpus, by tus and by form upload, and stores nothing', async () => {
    const { tus, c, id } = await applicantWithApplication();
    const before = await settledFiles();
    for (const f of hostileCorpus()) {
      for (const kind of ['photo', 'deeds_extra']) {
        const up = await tus.upload(id, kind, f.name, f.bytes);
        expect(up.status, `${f.why} as ${kind}`).toBeGreaterThanOrEqual(400);
        expect(errorOf(up.body), f.why).toMatch(/[\u4e00-\u9fa5]/);
      }
      const form = await c.upload(`/api/applications/${id}/attachments`, 'political_review', f.name, f.bytes);
      expect(form.statusCode, f.why).toBeGreaterThanOrEqual(400);
    }
    expect(storedFiles()).toBe(before);
    expect(await rowsOf(id)).toHaveLength(0);
    expect(await pendingUploads()).toBe(0);
  });

  it('keeps hostile names off the file system: stored under generated ids, the name only in the database', async () => {
    const { tus, c, id } = await applicantWithApplication();
    for (const name of HOSTILE_NAMES) {
      const up = await tus.upload(id, 'deeds_extra', name, fixtureBytes('landscape.mp4'));
      expect(up.status, name).toBe(200);
      const view = JSON.parse(up.body) as View;
      // eslint-disable-next-line no-control-regex -- control characters are what must be gone
      expect(view.name).not.toMatch(/[/\\\u0000-\u001f\u202e]/);
      const dl = await c.get(`/api/attachments/${view.id}`);
      expect(dl.headers['content-disposition']).toMatch(/^attachment; filename="[\x20-\x7e]*"; filename\*=UTF-8''[A-Za-z0-9%\-_.!~*'()]+$/);
    }
    const names = fs.readdirSync(path.join(t.s.config.dataDir, 'files'), { recursive: true }).map(String);
    for (const n of names) expect(n).toMatch(/^[0-9a-f]{2}(\/[0-9a-f-]{36})?$/);
  });
});

describe('who may upload', () => {
  it('refuses strangers, other applicants and units, and changes nothing', async () => {
    const { tus, id } = await applicantWithApplication();
    const photo = jpegOfSize(PHOTO_BYTES);
    const created = await tus.create(id, 'photo', 'mine.jpg', photo.length);
    await tus.patch(created.url!, 0, photo.subarray(0, 5000));

    const other = await buildApplicant(t.s);
    const oc = new Client(t.app);
    await oc.login(other.username, other.password);
    const otherTus = new Tus(oc, base);
    expect((await otherTus.offset(created.url!)).status).toBe(404);
    expect((await otherTus.patch(created.url!, 5000, photo.subarray(5000))).res.status).toBe(404);
    expect((await otherTus.create(id, 'photo', 'x.jpg', photo.length)).res.status).toBe(404);

    const unit = await buildUnit(t.s);
    const uc = new Client(t.app);
    await uc.login(unit.username, unit.password);
    expect((await new Tus(uc, base).create(id, 'photo', 'x.jpg', photo.length)).res.status).toBe(404);

    const anonymous = await fetch(`${base}/api/uploads`, { method: 'POST', headers: { 'tus-resumable': '1.0.0', 'upload-length': '10' } });
    expect(anonymous.status).toBe(403); // no CSRF token: refused before anything else
    const c = new Client(t.app);
    await c.get('/api/auth/me');
    expect((await new Tus(c, base).create(id, 'photo', 'x.jpg', 10)).res.status).toBe(401);

    // the owner's upload is where it was
    expect((await tus.offset(created.url!)).offset).toBe(5000);
    expect(await rowsOf(id)).toHaveLength(0);
  });

  it('refuses uploads once the application has been submitted to the unit', async () => {
    const { tus, c, id } = await applicantWithApplication();
    for (const kind of ['integrity_pledge', 'unit_opinion', 'political_review']) {
      await c.upload(`/api/applications/${id}/attachments`, kind, `${kind}.pdf`, Buffer.from('%PDF-1.4\n%%EOF\n'));
    }
    expect((await tus.upload(id, 'photo', 'p.jpg', jpegOfSize(PHOTO_BYTES))).status).toBe(200);
    const unit = await buildUnit(t.s);
    expect((await c.post(`/api/applications/${id}/transitions/submit`, { unitId: unit.unit.id })).statusCode).toBe(200);
    const late = await tus.create(id, 'photo', 'late.jpg', PHOTO_BYTES);
    expect(late.res.status).toBe(403);
    expect(errorOf(late.body)).toContain('不能上传');
  });
});

describe('the tus protocol', () => {
  it('takes bytes with the creation request (creation-with-upload): a first piece, or the whole file', async () => {
    const { tus, id, c } = await applicantWithApplication();
    const pending = await pendingUploads();
    const photo = jpegOfSize(PHOTO_BYTES + 9);
    const meta = (name: string) =>
      Object.entries({ applicationId: id, kind: 'photo', filename: name })
        .map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`)
        .join(',');
    const post = async (name: string, body: Buffer) =>
      fetch(`${base}/api/uploads`, {
        method: 'POST',
        headers: {
          ...(await tus.sessionHeaders()),
          'tus-resumable': '1.0.0',
          'upload-length': String(photo.length),
          'upload-metadata': meta(name),
          'content-type': 'application/offset+octet-stream',
        },
        body: new Uint8Array(body),
      });
    const first = await post('先传一段.jpg', photo.subarray(0, 500_000));
    expect(first.status).toBe(201);
    expect(first.headers.get('upload-offset')).toBe('500000');
    const url = new URL(first.headers.get('location')!, `${base}/api/uploads/`).toString();
    expect(await tus.offset(url)).toEqual({ status: 200, offset: 500_000 });
    const rest = await tus.patch(url, 500_000, photo.subarray(500_000));
    expect(rest.res.status, rest.body).toBe(200);

    const whole = await post('一次传完.jpg', photo);
    expect(whole.status).toBe(200);
    const view = (await whole.json()) as View;
    expect(view).toMatchObject({ kind: 'photo', size: photo.length });
    expect(sha((await c.get(`/api/attachments/${view.id}`)).rawPayload)).toBe(sha(photo));
    expect(await rowsOf(id)).toHaveLength(2);
    expect(await pendingUploads()).toBe(pending);
  });

  it('answers a PATCH at the wrong offset with 409 and the real offset, and refuses other content types', async () => {
    const { tus, id } = await applicantWithApplication();
    const photo = jpegOfSize(PHOTO_BYTES);
    const created = await tus.create(id, 'photo', 'p.jpg', photo.length);
    expect((await tus.patch(created.url!, 0, photo.subarray(0, 1000))).res.status).toBe(204);
    const wrong = await tus.patch(created.url!, 0, photo.subarray(0, 1000));
    expect(wrong.res.status).toBe(409);
    expect(wrong.res.headers.get('upload-offset')).toBe('1000');
    const c = (await tus.offset(created.url!)).offset;
    expect(c).toBe(1000);
    const typed = await fetch(created.url!, {
      method: 'PATCH',
      headers: { ...(await tus.sessionHeaders()), 'tus-resumable': '1.0.0', 'upload-offset': '1000', 'content-type': 'text/plain' },
      body: 'x',
    });
    expect(typed.status).toBe(415);
    const tooMuch = await tus.patch(created.url!, 1000, Buffer.concat([photo.subarray(1000), Buffer.alloc(10)]));
    expect(tooMuch.res.status).toBe(413);
    expect(await rowsOf(id)).toHaveLength(0);
  });
});

describe('with S3-compatible object storage', () => {
  it('stores uploads in the bucket and serves them back, ranges included', async () => {
    const s3 = await startS3();
    const p = await startTestPlatform(s3.env);
    try {
      await p.app.listen({ port: 0, host: '127.0.0.1' });
      const url = `http://127.0.0.1:${(p.app.server.address() as AddressInfo).port}`;
      expect(p.s.storage.kind).toBe('s3');
      const applicant = await buildApplicant(p.s);
      const c = new Client(p.app);
      await c.login(applicant.username, applicant.password);
      const d = await buildApplication(p.s, applicant.user, { pledged: true });
      const tus = new Tus(c, url);
      const photo = jpegOfSize(PHOTO_BYTES + 77, { gps: true });
      const up = await tus.upload(d.id, 'photo', 'IMG.jpg', photo);
      expect(up.status, up.body).toBe(200);
      const view = JSON.parse(up.body) as View;
      const [row] = await p.s.db.select().from(attachments).where(eq(attachments.id, view.id));
      expect((await p.s.storage.stat(row!.storageKey))?.size).toBe(photo.length);
      expect(sha((await c.get(`/api/attachments/${view.id}`)).rawPayload)).toBe(sha(photo));
      const part = await c.get(`/api/attachments/${view.id}`, { range: 'bytes=10-19' });
      expect(part.statusCode).toBe(206);
      expect(part.rawPayload.equals(photo.subarray(10, 20))).toBe(true);
      await previewsMade(p.s, [view.id]);
      expect(jpegHasGps((await c.get(`/api/attachments/${view.id}/preview`)).rawPayload)).toBe(false);
      // nothing is left in the local data directory: the files are in the bucket
      expect(fs.existsSync(path.join(p.s.config.dataDir, 'files'))).toBe(false);
    } finally {
      await p.close();
      await s3.close();
    }
  });
});

describe('fragmented video', () => {
  it('accepts a 60 s fragmented MP4 by its fragments, and refuses a 181 s one by the duration rule and a cut one as incomplete', async () => {
    const { tus, id } = await applicantWithApplication();
    const ok = await tus.upload(id, 'video', 'screen.mp4', fixtureBytes('fragmented-60s.mp4'));
    expect(ok.status, ok.body).toBe(200);
    expect(JSON.parse(ok.body)).toMatchObject({ kind: 'video', mime: 'video/mp4', width: 1920, height: 1080, durationSeconds: 60 });
    const before = await settledFiles();
    const pending = await pendingUploads();
    const long = await tus.upload(id, 'video', 'long.mp4', fixtureBytes('fragmented-181s.mp4'));
    expect(long.status).toBe(415);
    expect(errorOf(long.body)).toBe('视频时长 3分1秒，要求 3 分钟以内');
    const cut = await tus.upload(id, 'video', 'cut.mp4', hostileCorpus().find((h) => h.name === 'fragment-cut.mp4')!.bytes);
    expect(cut.status).toBe(415);
    expect(errorOf(cut.body)).toBe('视频文件不完整或已损坏，请重新导出后上传');
    expect(storedFiles()).toBe(before);
    expect(await rowsOf(id)).toHaveLength(1);
    expect(await pendingUploads()).toBe(pending);
  });
});
