import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { and, asc, count, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { SessionUser } from '../auth/sessions';
import type { Services } from '../context';
import type { Db } from '../db/client';
import { uploadParts, uploads } from '../db/schema';
import { AppError } from '../errors';
import { maxBytesForKind } from '../../core';
import type { Hasher } from '../storage/hasher';
import { authorizeUpload, cleanFileName, commitFile, isRefusal, tooLarge } from './attachments';

/** How long an unfinished upload may wait to be resumed before its bytes are swept. */
export const UPLOAD_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * The lease a PATCH holds on its upload (uploads.locked_by / locked_until, in the database's clock): one PATCH
 * at a time per upload, whichever instance it lands on. The holder renews it every LEASE_RENEW_MS while bytes
 * arrive (and while it assembles and stores the finished file); a killed instance's lease runs out after
 * LEASE_SECONDS, and the client's retry then gets the upload.
 */
export const LEASE_SECONDS = 8;
export const LEASE_RENEW_MS = 2000;

/** Pieces of an upload kept in storage at most: a guard against a client sending a file byte by byte. */
export const MAX_PARTS = 10_000;

/** What a cut-off PATCH keeps when fewer bytes than this arrived: nothing (not worth an object and a row). */
export const MIN_KEPT_BYTES = 64 * 1024;

const UPLOAD_ID = /^[0-9a-f]{32}$/;

/** An upload id as we generate them (32 hex digits); anything else names no upload. */
export const isUploadId = (id: string): boolean => UPLOAD_ID.test(id);

/** An upload's row: owner, application, kind, file name and declared size (none of which change), the offset and the lease. */
export type UploadRow = typeof uploads.$inferSelect;

/** What the tus creation request declares: the id @tus/server chose, the size and the metadata. */
export interface NewUpload {
  id: string;
  size: number | undefined;
  metadata: Record<string, string | null> | undefined;
}

/** The upload's lease is held by another request (on this instance or another one). */
export class UploadLocked extends Error {
  constructor() {
    super('该文件正在由另一个请求上传，请稍候片刻再继续');
    this.name = 'UploadLocked';
  }
}

/** The request lost its lease (it ran out and another request took it, or the upload was cancelled): nothing it did counts. */
export class LeaseLost extends Error {
  constructor() {
    super('上传已由另一个请求接续或已取消');
    this.name = 'LeaseLost';
  }
}

/** The PATCHes running on this instance (server/routes/uploads.ts): termination stops one that writes the upload's bytes. */
export interface LiveUploads {
  /** stops a PATCH of this instance still writing this upload, and waits for it to end */
  stop(id: string): Promise<void>;
}

const notFound = () => new AppError('NOT_FOUND', '上传不存在或已过期，请重新选择文件上传');
const leaseFree = () => or(isNull(uploads.lockedBy), lt(uploads.lockedUntil, sql`now()`));
const leaseEnd = sql.raw(`now() + interval '${LEASE_SECONDS} seconds'`);

/** A name for a temp file of this instance: the upload, a random part, so two requests never share one. */
export const tmpNameOf = (id: string, what: string) => `${id}.${crypto.randomBytes(6).toString('hex')}.${what}`;

/** A holder's name for the lease: the instance (host and process) and a random part for the request. */
export function newHolder(): string {
  return `${os.hostname().slice(0, 40)}:${process.pid}:${crypto.randomBytes(8).toString('hex')}`;
}

/**
 * Resumable uploads, shared by every instance: the row (uploads: owner, size, the offset received so far and the
 * lease) and the pieces received so far, each a stored object (Storage: local directory or S3) with its row in
 * upload_parts. A piece is referenced only once it is whole in storage, in the same transaction that moves the
 * offset, so the offset HEAD reports is exactly the bytes stored. At the last byte the pieces are read back in
 * order into one temporary file, hashed on the way, and that file goes through commitFile; the upload's row is
 * deleted in the attachment's own transaction, then the pieces' objects are removed.
 */
export function uploadUseCases(s: Services, legacyDirectory: string, live: LiveUploads, hasher: Hasher) {
  /** The user's upload with this id; someone else's upload, or a malformed id, is simply not there. */
  async function find(user: SessionUser, id: string): Promise<UploadRow | undefined> {
    if (!UPLOAD_ID.test(id)) return undefined;
    const [row] = await s.db
      .select()
      .from(uploads)
      .where(and(eq(uploads.id, id), eq(uploads.userId, user.id)));
    return row;
  }

  /** The row by id alone (tus's HEAD, after onIncomingRequest checked the owner). */
  async function get(id: string): Promise<UploadRow | undefined> {
    if (!UPLOAD_ID.test(id)) return undefined;
    const [row] = await s.db.select().from(uploads).where(eq(uploads.id, id));
    return row;
  }

  /** Takes the upload's lease for `holder`: the row, or UploadLocked while another live request holds it; undefined when not there. */
  async function acquire(user: SessionUser, id: string, holder: string): Promise<UploadRow | undefined> {
    if (!UPLOAD_ID.test(id)) return undefined;
    const [row] = await s.db
      .update(uploads)
      .set({ lockedBy: holder, lockedUntil: leaseEnd })
      .where(and(eq(uploads.id, id), eq(uploads.userId, user.id), leaseFree()))
      .returning();
    if (row) return row;
    if (await find(user, id)) throw new UploadLocked();
    return undefined;
  }

  /** Extends the lease; false when it is no longer this holder's (taken over after running out, or the upload is gone). */
  async function renew(id: string, holder: string): Promise<boolean> {
    const rows = await s.db
      .update(uploads)
      .set({ lockedUntil: leaseEnd })
      .where(and(eq(uploads.id, id), eq(uploads.lockedBy, holder)))
      .returning({ id: uploads.id });
    return rows.length > 0;
  }

  async function release(id: string, holder: string): Promise<void> {
    await s.db
      .update(uploads)
      .set({ lockedBy: null, lockedUntil: null })
      .where(and(eq(uploads.id, id), eq(uploads.lockedBy, holder)));
  }

  /**
   * A received piece (a complete temp file of this instance) becomes part of the upload: stored first (temp →
   * put), then referenced and the offset moved in one transaction, only while `holder` holds the lease and the
   * offset is still `start`. Otherwise the stored object is removed again and LeaseLost thrown. `keepLease`
   * keeps the lease for finishing; else it is released in the same statement.
   */
  async function addPart(id: string, holder: string, start: number, tmpPath: string, keepLease: boolean): Promise<number> {
    const { size } = await fsp.stat(tmpPath);
    if (size === 0) {
      await fsp.rm(tmpPath, { force: true });
      return start;
    }
    const key = await s.storage.putFile(tmpPath);
    try {
      return await s.db.transaction(async (tx) => {
        const [moved] = await tx
          .update(uploads)
          .set({ receivedBytes: start + size, ...(keepLease ? { lockedUntil: leaseEnd } : { lockedBy: null, lockedUntil: null }) })
          .where(and(eq(uploads.id, id), eq(uploads.lockedBy, holder), eq(uploads.receivedBytes, start)))
          .returning({ size: uploads.size });
        if (!moved) throw new LeaseLost();
        if (start + size > moved.size) throw new AppError('TOO_LARGE', `上传的数据超过了声明的文件大小 ${moved.size} 字节`);
        const [{ parts } = { parts: 0 }] = await tx.select({ parts: count() }).from(uploadParts).where(eq(uploadParts.uploadId, id));
        if (parts >= MAX_PARTS) {
          throw new AppError('VALIDATION', `该文件的上传中断次数过多（已分 ${parts} 段），请取消后重新上传`);
        }
        await tx.insert(uploadParts).values({ uploadId: id, start, size, storageKey: key });
        return start + size;
      });
    } catch (err) {
      await s.storage.remove(key).catch(() => {});
      throw err;
    }
  }

  async function partsOf(db: Db, id: string) {
    return db.select().from(uploadParts).where(eq(uploadParts.uploadId, id)).orderBy(asc(uploadParts.start));
  }

  /**
   * The pieces read back in order into `target` (a temp file of this instance) with their sha256 (on the worker
   * thread). Every piece must start where the previous ended and hold exactly its recorded size, and together
   * they must be the whole file: anything else is a fault of storage, reported, never stored.
   */
  async function assemble(row: UploadRow, target: string): Promise<string> {
    const parts = await partsOf(s.db, row.id);
    let at = 0;
    for (const p of parts) {
      if (p.start !== at) throw new Error(`上传 ${row.id} 的分段不连续：在 ${at} 字节处缺少数据`);
      at += p.size;
    }
    if (at !== row.size || row.receivedBytes !== row.size) throw new Error(`上传 ${row.id} 的分段共 ${at} 字节，与文件大小 ${row.size} 不符`);
    const hash = hasher.start();
    async function* bytes() {
      for (const p of parts) {
        let got = 0;
        for await (const chunk of await s.storage.open(p.storageKey)) {
          got += (chunk as Buffer).length;
          yield chunk as Buffer;
        }
        if (got !== p.size) throw new Error(`上传 ${row.id} 的分段 ${p.start} 在存储中有 ${got} 字节，应为 ${p.size}`);
      }
    }
    try {
      await pipeline(
        Readable.from(bytes()),
        new Transform({
          transform(chunk: Buffer, _enc, next) {
            const wait = hash.update(chunk);
            if (wait) void wait.then(() => next(null, chunk));
            else next(null, chunk);
          },
        }),
        fs.createWriteStream(target, { highWaterMark: 1024 * 1024 }),
      );
    } catch (err) {
      hash.discard();
      await fsp.rm(target, { force: true });
      throw err;
    }
    const sha = await hash.digest();
    // the worker was lost: hash the assembled file here
    return sha ?? (await sha256Of(target));
  }

  /** Removes what the upload holds: its row, its pieces' rows (in one transaction), then the pieces' objects. */
  async function remove(id: string): Promise<void> {
    const keys = await s.db.transaction(async (tx) => {
      const gone = await tx.delete(uploadParts).where(eq(uploadParts.uploadId, id)).returning({ key: uploadParts.storageKey });
      await tx.delete(uploads).where(eq(uploads.id, id));
      return gone.map((g) => g.key);
    });
    await removeObjects(keys);
  }

  async function removeObjects(keys: string[]): Promise<void> {
    // a failure leaves an object no row refers to: the orphan sweep (usecases/sweep.ts) removes it later
    for (const key of keys) await s.storage.remove(key).catch(() => {});
  }

  /**
   * tus creation: checks the application, the kind, the declared size and the count before any byte is
   * accepted, and writes the upload's row.
   */
  async function create(user: SessionUser, upload: NewUpload): Promise<void> {
    const meta = upload.metadata ?? {};
    const applicationId = meta.applicationId ?? '';
    const kind = meta.kind ?? '';
    if (!/^[0-9a-f-]{36}$/i.test(applicationId)) throw new AppError('NOT_FOUND', '申请书不存在或无权访问');
    if (upload.size === undefined) throw new AppError('VALIDATION', '上传时须说明文件大小');
    const { app, media } = await authorizeUpload(s, user, applicationId, kind);
    const maxBytes = maxBytesForKind(kind, media);
    if (upload.size > maxBytes) throw tooLarge(kind, upload.size, maxBytes);
    if (upload.size === 0) throw new AppError('UNSUPPORTED_FILE', '文件为空，请重新选择文件');
    await s.db
      .insert(uploads)
      .values({ id: upload.id, userId: user.id, applicationId: app.id, kind, name: cleanFileName(meta.filename ?? ''), size: upload.size });
  }

  /**
   * The last byte is in and `holder` holds the lease: check and store the file (commitFile). `received` is the
   * whole file in one temp file, hashed on its way in, when the upload came in one piece and has no stored
   * pieces; otherwise the stored pieces are assembled. Stored or refused, the upload is over (a refused file must
   * be chosen again). When storing failed on our side (storage or database unavailable), the upload stays whole
   * in storage (a file received in one go becomes its one piece then): HEAD reports it complete and `commit` tries
   * again, on any instance.
   */
  async function finish(user: SessionUser, row: UploadRow, holder: string, received?: { tmpPath: string; sha256?: string }) {
    const tmpPath = received?.tmpPath ?? path.join(s.storage.tmpDir, tmpNameOf(row.id, 'whole'));
    const keys = received ? [] : (await partsOf(s.db, row.id)).map((p) => p.storageKey);
    const sha256 = received ? received.sha256 : await assemble(row, tmpPath);
    // a second name for a file received in one go (a hard link: no copy), kept until its attachment is written
    const spare = received && `${received.tmpPath}.spare`;
    if (spare) await fsp.link(received.tmpPath, spare).catch(() => fsp.copyFile(received.tmpPath, spare));
    try {
      const view = await commitFile(s, user, row.applicationId, {
        kind: row.kind,
        fileName: row.name,
        tmpPath,
        sha256,
        // the upload is over in the attachment's own transaction: a crash leaves one or the other
        claim: async (tx) => {
          const gone = await tx
            .delete(uploads)
            .where(and(eq(uploads.id, row.id), eq(uploads.lockedBy, holder)))
            .returning({ id: uploads.id });
          if (!gone.length) throw notFound();
        },
      });
      await removeObjects(keys);
      return view;
    } catch (err) {
      if (isRefusal(err)) await remove(row.id);
      // not stored for a reason of ours (storage or database unavailable): the bytes stay, in storage where any
      // instance finds them, for `commit`
      else if (spare) await addPart(row.id, holder, 0, spare, true).catch(() => undefined);
      throw err;
    } finally {
      if (spare) await fsp.rm(spare, { force: true });
    }
  }

  /** POST …/:id/commit: stores an upload whose bytes have all arrived but could not be stored at the time. */
  async function commit(user: SessionUser, id: string) {
    const holder = newHolder();
    let row: UploadRow | undefined;
    try {
      row = await acquire(user, id, holder);
    } catch (err) {
      // a PATCH (of this or another instance, or of a killed one whose lease has not run out) holds it: not the
      // client's fault, and over in seconds — 423 as tus answers a PATCH then, which the web client retries
      if (err instanceof UploadLocked) throw new AppError('LOCKED', '该文件正在上传，请稍候片刻再试');
      throw err;
    }
    if (!row) throw notFound();
    try {
      if (row.receivedBytes !== row.size) throw new AppError('CONFLICT', '文件尚未上传完毕，请继续上传');
      return await finish(user, row, holder);
    } finally {
      await release(id, holder).catch(() => {});
    }
  }

  /**
   * DELETE …/:id (tus termination, the browser's 取消): the row, the pieces and their objects go at once, not at
   * the 24-hour sweep. A PATCH of this instance still writing is stopped first; one on another instance loses
   * its lease and its piece with it.
   */
  async function terminate(user: SessionUser, id: string) {
    const row = await find(user, id);
    if (!row) throw notFound();
    await live.stop(id);
    await remove(id);
  }

  /**
   * Unfinished uploads older than the TTL (and not being written right now): their row, pieces and objects.
   * Also files left in the directory where uploads were kept before they moved to shared storage.
   */
  async function sweep(now = Date.now()): Promise<number> {
    const cutoff = new Date(now - UPLOAD_TTL_MS);
    const stale = await s.db
      .select({ id: uploads.id })
      .from(uploads)
      .where(and(lt(uploads.createdAt, cutoff), leaseFree()));
    for (const u of stale) await remove(u.id);
    let swept = stale.length;
    for (const name of await fsp.readdir(legacyDirectory).catch(() => [] as string[])) {
      const stat = await fsp.stat(path.join(legacyDirectory, name)).catch(() => null);
      if (stat?.isFile() && stat.mtimeMs < now - UPLOAD_TTL_MS) {
        await fsp.rm(path.join(legacyDirectory, name), { force: true });
        swept++;
      }
    }
    return swept;
  }

  return { find, get, acquire, renew, release, addPart, create, finish, commit, terminate, sweep };
}

async function sha256Of(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  await pipeline(fs.createReadStream(file), hash);
  return hash.digest('hex');
}

export type UploadUseCases = ReturnType<typeof uploadUseCases>;
