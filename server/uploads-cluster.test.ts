// Resumable uploads across instances (issue 16, item 2): two in-process instances on one PostgreSQL database and one
// S3-compatible store (s3rver), each with its own DATA_DIR, and PATCHes sent to the one the test chooses.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttachmentView } from '../core';
import { buildApp } from './app';
import { loadConfig } from './config';
import { attachments, uploadParts, uploads } from './db/schema';
import { createTusServer } from './routes/uploads';
import { openPlatform, type Platform } from './services';
import { buildApplicant, buildApplication } from './testing/factories';
import { CAPTCHA, Client } from './testing/harness';
import { jpegOfSize } from './testing/media-fixtures';
import { startS3 } from './testing/s3';
import { Tus } from './testing/tus';
import { LEASE_SECONDS, UPLOAD_TTL_MS } from './usecases/uploads';
import { sweepOrphans } from './usecases/sweep';

const MiB = 1024 * 1024;
/** PostgreSQL's server: PGlite lives inside one process and cannot be shared by two instances. */
const serverUrl = process.env.TEST_DATABASE_URL || (process.env.CLUSTER === '1' ? 'postgres://postgres@127.0.0.1:5432/test' : '');

interface Instance {
  app: FastifyInstance;
  platform: Platform;
  url: string;
  dataDir: string;
}

let a: Instance;
let b: Instance;
let s3: Awaited<ReturnType<typeof startS3>>;
let dropDb = async () => {};
/** The settings every instance shares (the database, the store, DATA_KEY). */
let sharedEnv: Record<string, string> = {};

const sha = (bytes: Buffer) => crypto.createHash('sha256').update(bytes).digest('hex');

describe.skipIf(!serverUrl)('resumable uploads across two instances (needs TEST_DATABASE_URL: PGlite cannot be shared between instances)', () => {
  beforeAll(async () => {
    const name = `t_${process.pid}_${Date.now().toString(36)}_up`;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    dropDb = async () => {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    };
    const u = new URL(serverUrl);
    u.pathname = `/${name}`;
    s3 = await startS3();
    const shared = {
      NODE_ENV: 'test',
      DATABASE_URL: u.toString(),
      DATA_KEY: crypto.randomBytes(32).toString('hex'),
      CAPTCHA_TEST_ANSWER: CAPTCHA,
      MFA_REQUIRED_ROLES: '',
      LOG_LEVEL: 'silent',
      RATE_LIMIT_LOGIN: '1000',
      ...s3.env,
    };
    sharedEnv = shared;
    const start = async (): Promise<Instance> => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xjkx-upcluster-'));
      const platform = await openPlatform(loadConfig({ ...shared, DATA_DIR: dataDir, WEB_DIST: path.join(dataDir, 'no-web') }));
      const app = await buildApp(platform.services, { jobRunner: false });
      await app.listen({ port: 0, host: '127.0.0.1' });
      return { app, platform, dataDir, url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` };
    };
    a = await start(); // migrates the database first
    b = await start();
  }, 120_000);

  afterAll(async () => {
    for (const i of [a, b]) {
      if (!i) continue;
      await i.app.close();
      await i.platform.close();
      fs.rmSync(i.dataDir, { recursive: true, force: true });
    }
    await s3?.close();
    await dropDb();
  });

  const db = () => a.platform.services.db;
  const storage = () => a.platform.services.storage;

  /** An applicant logged in (on A: sessions are in the database, so B knows them too), a Tus for each instance. */
  async function applicant() {
    const who = await buildApplicant(a.platform.services);
    const c = new Client(a.app);
    await c.login(who.username, who.password);
    const d = await buildApplication(a.platform.services, who.user, { pledged: true });
    return { c, id: d.id, onA: new Tus(c, a.url), onB: new Tus(c, b.url) };
  }

  const urlOn = (url: string, i: Instance) => `${i.url}${new URL(url).pathname}`;
  const idOf = (url: string) => new URL(url).pathname.split('/').pop()!;
  const partsOf = (url: string) =>
    db()
      .select()
      .from(uploadParts)
      .where(eq(uploadParts.uploadId, idOf(url)))
      .orderBy(uploadParts.start);
  const rowOf = async (url: string) =>
    (
      await db()
        .select()
        .from(uploads)
        .where(eq(uploads.id, idOf(url)))
    )[0];

  /** Every object in the bucket. */
  async function objects(): Promise<Set<string>> {
    const keys = new Set<string>();
    for await (const o of storage().list()) keys.add(o.key);
    return keys;
  }

  /** The stored pieces: each object's bytes are exactly the file's at its place, and they end at the row's offset. */
  async function expectPiecesExact(url: string, file: Buffer) {
    const parts = await partsOf(url);
    let at = 0;
    for (const p of parts) {
      expect(p.start).toBe(at);
      const chunks: Buffer[] = [];
      for await (const c of await storage().open(p.storageKey)) chunks.push(c as Buffer);
      expect(Buffer.concat(chunks).equals(file.subarray(p.start, p.start + p.size))).toBe(true);
      at += p.size;
    }
    expect((await rowOf(url))?.receivedBytes).toBe(at);
    return at;
  }

  /** A PATCH whose body the test writes piece by piece (a slow phone), or cuts off. */
  async function openPatch(tus: Tus, url: string, offset: number, length: number) {
    const headers = {
      ...(await tus.sessionHeaders()),
      'tus-resumable': '1.0.0',
      'upload-offset': String(offset),
      'content-type': 'application/offset+octet-stream',
      'content-length': String(length),
    };
    const req = http.request(url, { method: 'PATCH', headers });
    const answer = new Promise<{ status: number; body: string }>((resolve) => {
      req.on('response', (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', () => resolve({ status: 0, body: '' }));
    });
    return {
      write: (bytes: Buffer) => new Promise<void>((resolve) => req.write(bytes, () => resolve())),
      end: () => req.end(),
      cut: () => req.destroy(),
      answer,
    };
  }

  const waitFor = async (what: () => Promise<boolean>, ms = 10_000) => {
    const until = Date.now() + ms;
    while (!(await what())) {
      if (Date.now() > until) throw new Error('timed out waiting');
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  it('an upload started on A is finished on B: byte-identical, hashed right, and nothing of it left behind', async () => {
    const { c, id, onA, onB } = await applicant();
    const photo = jpegOfSize(3 * MiB + 123);
    const created = await onA.create(id, 'photo', '跨实例.jpg', photo.length);
    expect(created.res.status).toBe(201);
    expect((await onA.patch(created.url!, 0, photo.subarray(0, MiB))).res.status).toBe(204);
    expect(await onB.offset(urlOn(created.url!, b))).toEqual({ status: 200, offset: MiB });
    expect((await onB.patch(urlOn(created.url!, b), MiB, photo.subarray(MiB, 2 * MiB))).res.status).toBe(204);
    expect(await onA.offset(created.url!)).toEqual({ status: 200, offset: 2 * MiB });
    await expectPiecesExact(created.url!, photo);
    const pieces = (await partsOf(created.url!)).map((p) => p.storageKey);
    expect(pieces).toHaveLength(2);

    const last = await onB.patch(urlOn(created.url!, b), 2 * MiB, photo.subarray(2 * MiB));
    expect(last.res.status, last.body).toBe(200);
    const view = JSON.parse(last.body) as AttachmentView;
    const [row] = await db().select().from(attachments).where(eq(attachments.id, view.id));
    expect(row!.sha256).toBe(sha(photo));
    expect(sha((await c.get(`/api/attachments/${view.id}`)).rawPayload)).toBe(sha(photo));
    // the upload is over on both instances, its pieces removed from the bucket
    expect((await onA.offset(created.url!)).status).toBe(404);
    expect(await rowOf(created.url!)).toBeUndefined();
    const left = await objects();
    for (const key of pieces) expect(left.has(key)).toBe(false);
    expect(left.has(row!.storageKey)).toBe(true);
  });

  it('a PATCH cut off on A: HEAD on B reports exactly the bytes stored, and the upload resumes on B and completes', async () => {
    const { c, id, onA, onB } = await applicant();
    const photo = jpegOfSize(4 * MiB);
    const created = await onA.create(id, 'photo', '断线.jpg', photo.length);
    const patch = await openPatch(onA, created.url!, 0, photo.length);
    await patch.write(photo.subarray(0, 1536 * 1024));
    await waitFor(async () => (await rowOf(created.url!))?.lockedBy != null);
    await new Promise((r) => setTimeout(r, 200));
    patch.cut();
    expect((await patch.answer).status).toBe(0);
    // A stores what arrived once it sees the connection gone; meanwhile B reports what is stored, never more
    let offset = -1;
    await waitFor(async () => {
      offset = (await onB.offset(urlOn(created.url!, b))).offset;
      return offset > 0 && (await rowOf(created.url!))?.lockedBy == null;
    });
    expect(offset).toBeLessThanOrEqual(1536 * 1024);
    expect(await expectPiecesExact(created.url!, photo)).toBe(offset);

    const rest = await onB.patch(urlOn(created.url!, b), offset, photo.subarray(offset));
    expect(rest.res.status, rest.body).toBe(200);
    const view = JSON.parse(rest.body) as AttachmentView;
    expect(sha((await c.get(`/api/attachments/${view.id}`)).rawPayload)).toBe(sha(photo));
    const [row] = await db().select().from(attachments).where(eq(attachments.id, view.id));
    expect(row!.sha256).toBe(sha(photo));
  });

  it('two PATCHes at once on A and B: the one holding the lease wins (renewed while it streams), the other gets 423, the file is right', async () => {
    const { c, id, onA, onB } = await applicant();
    const photo = jpegOfSize(3 * MiB);
    const created = await onA.create(id, 'photo', '并发.jpg', photo.length);
    const first = await openPatch(onA, created.url!, 0, photo.length);
    await first.write(photo.subarray(0, MiB));
    await waitFor(async () => (await rowOf(created.url!))?.lockedBy != null);
    const second = await onB.patch(urlOn(created.url!, b), 0, photo);
    expect(second.res.status).toBe(423);
    expect(second.body).toContain('该文件正在由另一个请求上传');
    // the first keeps streaming, slowly, past the lease's length: its lease is renewed, B is still refused
    const slices = LEASE_SECONDS + 2;
    const step = Math.floor(MiB / slices);
    for (let i = 0; i < slices; i++) {
      await first.write(photo.subarray(MiB + i * step, MiB + (i + 1) * step));
      await new Promise((r) => setTimeout(r, 1000));
    }
    const later = await onB.patch(urlOn(created.url!, b), 0, photo);
    expect(later.res.status).toBe(423);
    await first.write(photo.subarray(MiB + slices * step));
    first.end();
    const won = await first.answer;
    expect(won.status, won.body).toBe(200);
    const view = JSON.parse(won.body) as AttachmentView;
    expect(sha((await c.get(`/api/attachments/${view.id}`)).rawPayload)).toBe(sha(photo));
    expect(await db().select().from(attachments).where(eq(attachments.applicationId, id))).toHaveLength(1);
  }, 60_000);

  it('a lease whose holder died does not block: stale at once when past, and a live one runs out in seconds', async () => {
    const { id, onA, onB } = await applicant();
    const photo = jpegOfSize(2 * MiB);
    const created = await onA.create(id, 'photo', '租约.jpg', photo.length);
    expect((await onA.patch(created.url!, 0, photo.subarray(0, MiB))).res.status).toBe(204);
    // the instance holding the upload was killed: its lease is in the row, already past
    await db().execute(sql`update uploads set locked_by = 'killed-instance:1:x', locked_until = now() - interval '1 second' where id = ${idOf(created.url!)}`);
    expect((await onB.patch(urlOn(created.url!, b), MiB, photo.subarray(MiB, MiB + 100_000))).res.status).toBe(204);
    // killed a moment ago: refused until its lease runs out, then taken
    await db().execute(sql`update uploads set locked_by = 'killed-instance:2:y', locked_until = now() + interval '2 seconds' where id = ${idOf(created.url!)}`);
    expect((await onB.patch(urlOn(created.url!, b), MiB + 100_000, photo.subarray(MiB + 100_000))).res.status).toBe(423);
    await new Promise((r) => setTimeout(r, 2500));
    const done = await onA.patch(created.url!, MiB + 100_000, photo.subarray(MiB + 100_000));
    expect(done.res.status, done.body).toBe(200);
  });

  it('the sweep on B removes an abandoned upload’s pieces from the bucket; the orphan sweep keeps a live upload’s', async () => {
    const { id, onA } = await applicant();
    const photo = jpegOfSize(2 * MiB);
    const abandoned = await onA.create(id, 'photo', '放弃.jpg', photo.length);
    expect((await onA.patch(abandoned.url!, 0, photo.subarray(0, 300_000))).res.status).toBe(204);
    const live = await onA.create(id, 'photo', '进行中.jpg', photo.length);
    expect((await onA.patch(live.url!, 0, photo.subarray(0, 300_000))).res.status).toBe(204);
    // the abandoned one is a day and more old
    await db().execute(sql`update uploads set created_at = now() - interval '25 hours' where id = ${idOf(abandoned.url!)}`);
    const [gone] = await partsOf(abandoned.url!);
    const [kept] = await partsOf(live.url!);

    await sweepOrphans(b.platform.services, Date.now() + 2 * 60 * 60 * 1000);
    expect(await storage().stat(kept!.storageKey)).toEqual({ size: 300_000 });
    const tus = createTusServer(b.platform.services, path.join(b.dataDir, 'uploads'));
    try {
      expect(await tus.sweep()).toBe(1);
    } finally {
      await tus.close();
    }
    expect(await storage().stat(gone!.storageKey)).toBeNull();
    expect(await rowOf(abandoned.url!)).toBeUndefined();
    expect(await partsOf(abandoned.url!)).toHaveLength(0);
    expect(await storage().stat(kept!.storageKey)).toEqual({ size: 300_000 });
    expect((await rowOf(live.url!))?.receivedBytes).toBe(300_000);
    expect(UPLOAD_TTL_MS).toBe(24 * 60 * 60 * 1000);
  });

  it('an instance killed with -9 in the middle of a PATCH: the other reports the stored bytes, takes the upload once the lease runs out, and completes it', async () => {
    const { c, id, onA, onB } = await applicant();
    // a third instance, a real process (server/main.ts as `npm start` runs it), to be killed
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xjkx-upcluster-killed-'));
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'main.ts')], {
      env: { ...process.env, ...sharedEnv, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'error' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let output = '';
    child.stderr!.on('data', (d: Buffer) => (output += String(d)));
    const killed = { url: `http://127.0.0.1:${port}` };
    try {
      await waitFor(async () => {
        if (child.exitCode !== null) throw new Error(`the instance exited: ${output}`);
        return fetch(`${killed.url}/api/auth/me`).then(
          (r) => r.ok,
          () => false,
        );
      }, 170_000);
      const onK = new Tus(c, killed.url);
      const photo = jpegOfSize(4 * MiB);
      const created = await onA.create(id, 'photo', '实例被杀.jpg', photo.length);
      const onKilled = `${killed.url}${new URL(created.url!).pathname}`;
      expect((await onK.patch(onKilled, 0, photo.subarray(0, MiB))).res.status).toBe(204);
      const patch = await openPatch(onK, onKilled, MiB, photo.length - MiB);
      await patch.write(photo.subarray(MiB, 2 * MiB));
      await waitFor(async () => (await rowOf(created.url!))?.lockedBy != null);
      child.kill('SIGKILL');
      await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r)));
      expect((await patch.answer).status).toBe(0);

      // what the killed instance was receiving was never referenced: B reports the stored bytes
      const head = await onB.offset(urlOn(created.url!, b));
      expect(head).toEqual({ status: 200, offset: MiB });
      expect(await expectPiecesExact(created.url!, photo)).toBe(MiB);
      // the dead instance's lease still holds for a few seconds; the client's retries (tus-js-client: 423 is retried) get it then
      const startedAt = Date.now();
      let status = 0;
      let body = '';
      for (let attempt = 0; attempt < 20 && status !== 200; attempt++) {
        const r = await onB.patch(urlOn(created.url!, b), MiB, photo.subarray(MiB));
        status = r.res.status;
        body = r.body;
        if (status === 423) await new Promise((res) => setTimeout(res, 1000));
        else break;
      }
      expect(status, body).toBe(200);
      expect(Date.now() - startedAt).toBeLessThan((LEASE_SECONDS + 4) * 1000);
      const view = JSON.parse(body) as AttachmentView;
      expect(sha((await c.get(`/api/attachments/${view.id}`)).rawPayload)).toBe(sha(photo));
      const [row] = await db().select().from(attachments).where(eq(attachments.id, view.id));
      expect(row!.sha256).toBe(sha(photo));
      expect(await rowOf(created.url!)).toBeUndefined();
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 240_000);
});
