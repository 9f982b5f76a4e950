import crypto from 'node:crypto';
import fsp from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { FileStore } from '@tus/file-store';
import { Server, type Upload } from '@tus/server';
import { and, eq, lt } from 'drizzle-orm';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SessionUser } from '../auth/sessions';
import type { Services } from '../context';
import { uploads } from '../db/schema';
import { AppError } from '../errors';
import { requireUser } from '../http';
import { authorizeUpload, cleanFileName, commitFile, maxBytesFor, tooLarge } from '../usecases/attachments';

export const UPLOAD_PATH = '/api/uploads';

/** How long an unfinished upload may wait to be resumed before its bytes are swept. */
export const UPLOAD_TTL_MS = 24 * 60 * 60 * 1000;

/** tus hooks see a web Request; the session user of its underlying Node request is kept here. */
const usersByRequest = new WeakMap<IncomingMessage, SessionUser>();

interface TusRequest {
  runtime?: { node?: { req: IncomingMessage } };
}

function userOf(req: unknown): SessionUser {
  const raw = (req as TusRequest).runtime?.node?.req;
  const user = raw && usersByRequest.get(raw);
  if (!user) throw tusError(new AppError('UNAUTHENTICATED', '请先登录'));
  return user;
}

/** What @tus/server sends back for a thrown object: our usual JSON error body and status. */
function tusError(err: AppError) {
  return { status_code: err.status, body: JSON.stringify({ error: { code: err.code, message: err.message, fields: err.fields } }) };
}

function asTusError(err: unknown) {
  if (err instanceof AppError) return tusError(err);
  return tusError(new AppError('INTERNAL', '服务器保存文件时出错，请稍后重新上传'));
}

const UPLOAD_ID = /^[0-9a-f]{32}$/;

/**
 * Resumable uploads (the tus protocol): the browser sends a file in pieces and, after a broken connection,
 * a reload or a locked phone, asks how much arrived and continues from there. Every request passes the same
 * session, CSRF and rate checks as any other API request; an upload belongs to the user who created it.
 * When the last byte arrives the file goes through commitFile (content checks, storage, database row).
 */
export function createTusServer(s: Services, directory: string) {
  const datastore = new FileStore({ directory, expirationPeriodInMilliseconds: UPLOAD_TTL_MS });
  const remove = async (id: string) => {
    await s.db.delete(uploads).where(eq(uploads.id, id));
    await Promise.all([fsp.rm(path.join(directory, id), { force: true }), fsp.rm(path.join(directory, `${id}.json`), { force: true })]);
  };

  const server = new Server({
    path: UPLOAD_PATH,
    datastore,
    relativeLocation: true,
    allowedOrigins: [], // same origin only: no Access-Control-Allow-Origin
    namingFunction: () => crypto.randomBytes(16).toString('hex'),
    getFileIdFromRequest: (_req, lastPath) => (lastPath && UPLOAD_ID.test(lastPath) ? lastPath : undefined),
    async onIncomingRequest(req, uploadId) {
      const user = userOf(req);
      if (req.method === 'POST' || req.method === 'OPTIONS' || !uploadId) return;
      const [row] = await s.db.select({ userId: uploads.userId }).from(uploads).where(eq(uploads.id, uploadId));
      // someone else's upload is simply not there
      if (!row || row.userId !== user.id) throw tusError(new AppError('NOT_FOUND', '上传不存在或已过期，请重新选择文件上传'));
    },
    async onUploadCreate(req, upload) {
      const user = userOf(req);
      try {
        const meta = upload.metadata ?? {};
        const applicationId = meta.applicationId ?? '';
        const kind = meta.kind ?? '';
        if (!/^[0-9a-f-]{36}$/i.test(applicationId)) throw new AppError('NOT_FOUND', '申请书不存在或无权访问');
        if (upload.size === undefined) throw new AppError('VALIDATION', '上传时须说明文件大小');
        const { app, media } = await authorizeUpload(s, user, applicationId, kind);
        const maxBytes = maxBytesFor(kind, media);
        if (upload.size > maxBytes) throw tooLarge(kind, upload.size, maxBytes);
        if (upload.size === 0) throw new AppError('UNSUPPORTED_FILE', '文件为空，请重新选择文件');
        await s.db.insert(uploads).values({ id: upload.id, userId: user.id, applicationId: app.id, kind, name: cleanFileName(meta.filename ?? ''), size: upload.size });
        return {};
      } catch (err) {
        throw asTusError(err);
      }
    },
    async onUploadFinish(req, upload: Upload) {
      const user = userOf(req);
      const [row] = await s.db.select().from(uploads).where(and(eq(uploads.id, upload.id), eq(uploads.userId, user.id)));
      if (!row) throw tusError(new AppError('NOT_FOUND', '上传不存在或已过期，请重新选择文件上传'));
      try {
        const view = await commitFile(s, user, row.applicationId, { kind: row.kind, fileName: row.name, tmpPath: path.join(directory, upload.id) });
        return { status_code: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(view) };
      } catch (err) {
        throw asTusError(err);
      } finally {
        // checked and stored, or refused: either way the upload is over (a refused file must be chosen again)
        await remove(upload.id);
      }
    },
  });

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

  return { server, sweep };
}

export async function uploadRoutes(app: FastifyInstance, opts: { tus: ReturnType<typeof createTusServer> }) {
  const { server } = opts.tus;
  // tus sends the bytes as application/offset+octet-stream: leave the body to the tus handler, unread
  app.addContentTypeParser('application/offset+octet-stream', (_req, _payload, done) => done(null));
  const handle = async (req: FastifyRequest, reply: import('fastify').FastifyReply) => {
    const user = requireUser(req, 'applicant', 'unit');
    usersByRequest.set(req.raw, user);
    reply.hijack();
    await server.handle(req.raw, reply.raw);
  };
  app.route({ method: ['POST', 'HEAD', 'PATCH', 'DELETE', 'OPTIONS'], url: UPLOAD_PATH, handler: handle });
  app.route({ method: ['HEAD', 'PATCH', 'DELETE'], url: `${UPLOAD_PATH}/:uploadId`, handler: handle });
}
