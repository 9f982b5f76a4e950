import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FileStore } from '@tus/file-store';
import { Server, type Upload } from '@tus/server';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { attachmentViewSchema } from '../../core';
import type { SessionUser } from '../auth/sessions';
import type { Services } from '../context';
import { AppError } from '../errors';
import { noBody, replyWith, requireUser } from '../http';
import { createHasher, type StreamHash } from '../storage/hasher';
import { isUploadId, UPLOAD_TTL_MS, uploadUseCases, type UploadRow } from '../usecases/uploads';

export { UPLOAD_TTL_MS };

export const UPLOAD_PATH = '/api/uploads';

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

/** @tus/server's own refusals (English text) as a status and a Chinese message for the user. */
function tusRefusal(status: number, body: string): [number, string] {
  const again = '请刷新页面后重新上传';
  if (status === 412) return [412, `上传协议版本不受支持（需要 Tus-Resumable: 1.0.0），${again}`];
  if (body.startsWith('Invalid ')) return [400, `上传请求的 ${body.slice(8).trim().slice(0, 100)} 头格式不正确，${again}`];
  if (status === 404 || status === 410) return [404, '上传不存在或已过期，请重新选择文件上传'];
  if (status === 409) return [409, '上传进度与服务器不一致，请点击“继续”从服务器已收到的位置续传'];
  if (status === 413) return [413, '文件超过了允许的大小'];
  if (status === 501) return [400, `不支持该上传方式，${again}`];
  if (status >= 500) return [500, '服务器保存文件时出错，请稍后重新上传'];
  return [status, `上传请求不正确（缺少文件大小、偏移量或文件信息），${again}`];
}

/**
 * Resumable uploads (the tus protocol): the browser sends a file in pieces and, after a broken connection,
 * a reload or a locked phone, asks how much arrived and continues from there. Every request passes the same
 * session, CSRF and rate checks as any other API request; an upload belongs to the user who created it.
 * When the last byte arrives the file goes through commitFile (content checks, storage, database row).
 */
export function createTusServer(s: Services, directory: string) {
  const datastore = new FileStore({ directory, expirationPeriodInMilliseconds: UPLOAD_TTL_MS });
  /** One writer per upload; a newer PATCH (the client resuming after a broken connection) replaces a hanging one. */
  const writers = new Map<string, { abort: () => void; done: Promise<unknown> }>();
  /**
   * The sha256 of each upload's bytes so far (on a worker thread: server/storage/hasher.ts), kept while the upload
   * continues in order, so finishing need not re-read the file.
   */
  const hasher = createHasher();
  const hashes = new Map<string, { hash: StreamHash; offset: number }>();
  const forgetHash = (id: string) => {
    hashes.get(id)?.hash.discard();
    hashes.delete(id);
  };

  /** Each upload's row (owner, application, kind, name, size never change) as the first PATCH read it: later PATCHes ask no query. */
  const rows = new Map<string, UploadRow>();

  /** The rows, the files, finishing, cancelling and the sweep (server/usecases/uploads.ts); what is in memory stays here. */
  const uploads = uploadUseCases(s, directory, {
    forget(id) {
      forgetHash(id);
      rows.delete(id);
    },
    writing: (id) => writers.has(id),
    async stop(id) {
      const writer = writers.get(id);
      if (writer) {
        writer.abort();
        await writer.done.catch(() => undefined);
      }
    },
  });
  const { finish } = uploads;

  const server = new Server({
    path: UPLOAD_PATH,
    datastore,
    relativeLocation: true,
    allowedOrigins: [], // same origin only: no Access-Control-Allow-Origin
    namingFunction: () => crypto.randomBytes(16).toString('hex'),
    getFileIdFromRequest: (_req, lastPath) => (lastPath && isUploadId(lastPath) ? lastPath : undefined),
    async onIncomingRequest(req, uploadId) {
      const user = userOf(req);
      if (req.method === 'POST' || req.method === 'OPTIONS' || !uploadId) return;
      // someone else's upload is simply not there
      if (!(await uploads.find(user, uploadId))) throw tusError(new AppError('NOT_FOUND', '上传不存在或已过期，请重新选择文件上传'));
    },
    async onUploadCreate(req, upload) {
      const user = userOf(req);
      try {
        await uploads.create(user, upload);
        return {};
      } catch (err) {
        throw asTusError(err);
      }
    },
    // only reached by a POST that carries data (creation-with-upload); PATCH requests are handled by receive()
    async onUploadFinish(req, upload: Upload) {
      try {
        // written by tus, not Fastify: encoded through the reply schema here, as the routes' replies are
        const view = attachmentViewSchema.encode(await finish(userOf(req), upload.id));
        return { status_code: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(view) };
      } catch (err) {
        throw asTusError(err);
      }
    },
  });

  // Every refusal @tus/server writes itself (protocol version, malformed headers, a wrong offset, …) goes
  // through Server.write: give it our usual JSON error body, in Chinese. Extensions we do not offer
  // (concatenation, deferred length) are the client's error, so 400 rather than 501.
  const write = server.write.bind(server);
  server.write = (context, headers, status, body = '') => {
    if (status < 400 || body.startsWith('{')) return write(context, headers, status, body);
    const [code, message] = tusRefusal(status, body);
    headers.set('content-type', 'application/json; charset=utf-8');
    return write(context, headers, code, JSON.stringify({ error: { code: code === 500 ? 'INTERNAL' : 'VALIDATION', message } }));
  };

  /**
   * PATCH of the tus protocol on Node's own request stream. @tus/server handles creation, HEAD and termination;
   * its PATCH goes through a web ReadableStream, which measured at half the speed of piping the request to the
   * file (bench/upload). The file layout is FileStore's: the bytes so far in `directory/id`, so its offset is
   * the file's size, exactly as FileStore reports it to HEAD.
   */
  async function receive(user: SessionUser, id: string, req: IncomingMessage, reply: FastifyReply) {
    reply.header('tus-resumable', '1.0.0');
    const cached = rows.get(id);
    const row = cached ? (cached.userId === user.id ? cached : undefined) : await uploads.find(user, id);
    if (!row) throw new AppError('NOT_FOUND', '上传不存在或已过期，请重新选择文件上传');
    if (req.headers['tus-resumable'] !== '1.0.0') return reply.code(412).send('Tus-Resumable Required\n');
    if (req.headers['content-type'] !== 'application/offset+octet-stream') return reply.code(415).send('Invalid Content-Type\n');
    const offset = Number(req.headers['upload-offset']);
    if (!/^\d+$/.test(String(req.headers['upload-offset'] ?? '')) || !Number.isSafeInteger(offset)) return reply.code(400).send('Invalid Upload-Offset\n');

    const previous = writers.get(id);
    if (previous) {
      previous.abort();
      await previous.done.catch(() => {});
    }
    const file = path.join(directory, id);
    let settle = () => {};
    const done = new Promise<void>((resolve) => (settle = resolve));
    writers.set(id, { abort: () => req.destroy(), done });
    try {
      const stat = await fsp.stat(file).catch(() => null);
      if (!stat) throw new AppError('NOT_FOUND', '上传不存在或已过期，请重新选择文件上传');
      if (stat.size !== offset) return reply.code(409).header('upload-offset', stat.size).send('Upload-Offset conflict\n');
      const known = hashes.get(id);
      const state = known?.offset === offset ? known : offset === 0 ? { hash: hasher.start(), offset: 0 } : null;
      if (known !== state) known?.hash.discard();
      hashes.delete(id);
      const room = row.size - offset;
      let received = 0;
      const written = pipeline(
        req,
        new Transform({
          transform(chunk: Buffer, _enc, next) {
            received += chunk.length;
            if (received > room) return next(new AppError('TOO_LARGE', `上传的数据超过了声明的文件大小 ${row.size} 字节`));
            // the hash worker may ask us to wait (it is behind): the request is held until it catches up
            const wait = state?.hash.update(chunk);
            if (wait) void wait.then(() => next(null, chunk));
            else next(null, chunk);
          },
        }),
        fs.createWriteStream(file, { flags: 'r+', start: offset, highWaterMark: 1024 * 1024 }),
      );
      try {
        await written;
      } catch (err) {
        state?.hash.discard();
        if (err instanceof AppError) throw err;
        // the connection broke (phone locked, network lost): what arrived stays on disk for the client to resume
        return reply.code(400).send('Upload interrupted\n');
      }
      const now = offset + received;
      if (now < row.size) {
        if (state) hashes.set(id, { hash: state.hash, offset: now });
        rows.set(id, row);
        return reply.code(204).header('upload-offset', now).send();
      }
      const view = await finish(user, id, state ? await state.hash.digest() : undefined);
      return reply.code(200).header('upload-offset', now).send(view);
    } finally {
      if (writers.get(id)?.done === done) writers.delete(id);
      settle();
    }
  }

  return { server, sweep: uploads.sweep, receive, commit: uploads.commit, terminate: uploads.terminate, close: () => hasher.close() };
}

export async function uploadRoutes(fastify: FastifyInstance, opts: { tus: ReturnType<typeof createTusServer> }) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { server } = opts.tus;
  // tus sends the bytes as application/offset+octet-stream: leave the body to the tus handler, unread
  app.addContentTypeParser('application/offset+octet-stream', (_req, _payload, done) => done(null));
  const handle = async (req: FastifyRequest, reply: FastifyReply) => {
    const user = requireUser(req, 'applicant', 'unit');
    usersByRequest.set(req.raw, user);
    reply.hijack();
    await server.handle(req.raw, reply.raw);
  };
  // tus writes these replies itself (hijacked), and DELETE answers 204 without a body: no reply schema
  // (server/reply-schemas.test.ts lists them). PATCH's last piece and commit answer the Attachment, JSON.
  app.route({ method: ['POST', 'OPTIONS'], url: UPLOAD_PATH, handler: handle });
  app.route({ method: ['HEAD'], url: `${UPLOAD_PATH}/:uploadId`, handler: handle });
  app.delete(`${UPLOAD_PATH}/:uploadId`, async (req, reply) => {
    const user = requireUser(req, 'applicant', 'unit');
    noBody(req);
    await opts.tus.terminate(user, (req.params as { uploadId: string }).uploadId);
    return reply.code(204).header('tus-resumable', '1.0.0').send();
  });
  app.post(`${UPLOAD_PATH}/:uploadId/commit`, replyWith(attachmentViewSchema), async (req) =>
    opts.tus.commit(requireUser(req, 'applicant', 'unit'), ((noBody(req), req.params) as { uploadId: string }).uploadId),
  );
  app.patch(`${UPLOAD_PATH}/:uploadId`, replyWith(attachmentViewSchema), async (req, reply) =>
    opts.tus.receive(requireUser(req, 'applicant', 'unit'), (req.params as { uploadId: string }).uploadId, req.raw, reply),
  );
}
