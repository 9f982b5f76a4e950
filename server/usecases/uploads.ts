import fsp from 'node:fs/promises';
import path from 'node:path';
import { and, eq, lt } from 'drizzle-orm';
import type { SessionUser } from '../auth/sessions';
import type { Services } from '../context';
import { uploads } from '../db/schema';
import { AppError } from '../errors';
import { maxBytesForKind } from '../../core';
import { authorizeUpload, cleanFileName, commitFile, isRefusal, tooLarge } from './attachments';

/** How long an unfinished upload may wait to be resumed before its bytes are swept. */
export const UPLOAD_TTL_MS = 24 * 60 * 60 * 1000;

const UPLOAD_ID = /^[0-9a-f]{32}$/;

/** An upload id as we generate them (32 hex digits); anything else names no upload. */
export const isUploadId = (id: string): boolean => UPLOAD_ID.test(id);

/** An upload's row: owner, application, kind, file name and declared size, none of which change. */
export type UploadRow = typeof uploads.$inferSelect;

/** What the tus creation request declares: the id @tus/server chose, the size and the metadata. */
export interface NewUpload {
  id: string;
  size: number | undefined;
  metadata: Record<string, string | null> | undefined;
}

/**
 * What the HTTP side keeps in memory for uploads in progress (the PATCH handler's writers, the hash so far,
 * the cached row): the use cases below tell it when an upload is gone and ask whether one is being written.
 */
export interface LiveUploads {
  /** the upload is over: drop what is kept for it in memory */
  forget(id: string): void;
  /** a PATCH is writing this upload's bytes right now */
  writing(id: string): boolean;
  /** stops a PATCH still writing this upload, and waits for it to end */
  stop(id: string): Promise<void>;
}

const notFound = () => new AppError('NOT_FOUND', '上传不存在或已过期，请重新选择文件上传');

/**
 * Resumable uploads' rows and files (the bytes so far in `directory/<id>`, FileStore's layout, and tus's
 * `<id>.json`): creation, lookup, storing the finished file, cancelling, and the sweep of abandoned ones.
 */
export function uploadUseCases(s: Services, directory: string, live: LiveUploads) {
  /** The user's upload with this id; someone else's upload, or a malformed id, is simply not there. */
  async function find(user: SessionUser, id: string): Promise<UploadRow | undefined> {
    if (!UPLOAD_ID.test(id)) return undefined;
    const [row] = await s.db
      .select()
      .from(uploads)
      .where(and(eq(uploads.id, id), eq(uploads.userId, user.id)));
    return row;
  }

  /** The upload's bytes, tus's bookkeeping and our row, and what is kept in memory for it. */
  async function remove(id: string) {
    live.forget(id);
    await s.db.delete(uploads).where(eq(uploads.id, id));
    await Promise.all([fsp.rm(path.join(directory, id), { force: true }), fsp.rm(path.join(directory, `${id}.json`), { force: true })]);
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
   * The last byte is in: check and store the file (commitFile). Stored or refused, the upload is over (a
   * refused file must be chosen again). When storing failed on our side (storage or database unavailable)
   * and the bytes are still there, the upload stays: HEAD reports it complete and `commit` tries again.
   */
  async function finish(user: SessionUser, id: string, sha256?: string) {
    const row = await find(user, id);
    if (!row) throw notFound();
    const tmpPath = path.join(directory, id);
    try {
      const view = await commitFile(s, user, row.applicationId, { kind: row.kind, fileName: row.name, tmpPath, sha256, retryable: true });
      await remove(id);
      return view;
    } catch (err) {
      const kept =
        !isRefusal(err) &&
        (await fsp.stat(tmpPath).then(
          (st) => st.size === row.size,
          () => false,
        ));
      if (!kept) await remove(id);
      throw err;
    }
  }

  /** POST …/:id/commit: stores an upload whose bytes have all arrived but could not be stored at the time. */
  async function commit(user: SessionUser, id: string) {
    const row = await find(user, id);
    if (!row) throw notFound();
    const size = await fsp.stat(path.join(directory, id)).then(
      (st) => st.size,
      () => -1,
    );
    if (live.writing(id) || size !== row.size) throw new AppError('CONFLICT', '文件尚未上传完毕，请继续上传');
    return finish(user, id);
  }

  /**
   * DELETE …/:id (tus termination, the browser's 取消): the bytes, the tus record and the row go at once,
   * not at the 24-hour sweep. A PATCH still writing is stopped first.
   */
  async function terminate(user: SessionUser, id: string) {
    const row = await find(user, id);
    if (!row) throw notFound();
    await live.stop(id);
    await remove(id);
  }

  /** Unfinished uploads older than the TTL: their bytes, tus's bookkeeping and our row. */
  async function sweep(now = Date.now()): Promise<number> {
    const cutoff = new Date(now - UPLOAD_TTL_MS);
    const stale = await s.db.delete(uploads).where(lt(uploads.createdAt, cutoff)).returning({ id: uploads.id });
    await Promise.all(stale.map((u) => remove(u.id)));
    // files tus knows nothing about any more (a crash between the row and the file, say)
    const known = new Set((await s.db.select({ id: uploads.id }).from(uploads)).map((u) => u.id));
    let swept = stale.length;
    for (const name of await fsp.readdir(directory)) {
      const id = name.replace(/\.json$/, '');
      if (!UPLOAD_ID.test(id) || known.has(id)) continue;
      const stat = await fsp.stat(path.join(directory, name)).catch(() => null);
      if (stat && stat.mtimeMs < now - UPLOAD_TTL_MS) {
        await fsp.rm(path.join(directory, name), { force: true });
        swept++;
      }
    }
    return swept;
  }

  return { find, create, finish, commit, terminate, sweep };
}

export type UploadUseCases = ReturnType<typeof uploadUseCases>;
