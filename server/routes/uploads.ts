import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { DataStore, ERRORS, Server, Upload } from '@tus/server';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { attachmentViewSchema, type AttachmentView } from '../../core';
import type { SessionUser } from '../auth/sessions';
import type { Services } from '../context';
import { AppError } from '../errors';
import { noBody, replyWith, requireUser } from '../http';
import { createHasher } from '../storage/hasher';
import {
  isUploadId,
  LEASE_RENEW_MS,
  LeaseLost,
  MIN_KEPT_BYTES,
  newHolder,
  tmpNameOf,
  UPLOAD_TTL_MS,
  UploadLocked,
  uploadUseCases,
  type UploadUseCases,
} from '../usecases/uploads';

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
 * The tus datastore of @tus/server (creation, HEAD, creation-with-upload) over our tables and the shared storage:
 * an upload's offset is its row's received_bytes, the same on every instance.
 */
class SharedStore extends DataStore {
  constructor(
    private readonly uploads: UploadUseCases,
    private readonly writeBody: (id: string, body: Readable, offset: number) => Promise<number>,
    private readonly settled: (id: string) => Promise<void>,
  ) {
    super();
    this.extensions = ['creation', 'creation-with-upload', 'creation-defer-length', 'termination', 'expiration'];
  }

  override async create(upload: Upload): Promise<Upload> {
    // The row was written by onUploadCreate, after its checks. No creation date on the reply: with one, tus reads
    // the upload back after a creation-with-upload, and one that brought the whole file is gone by then.
    upload.creation_date = undefined;
    return upload;
  }

  override async getUpload(id: string): Promise<Upload> {
    // a PATCH of this instance cut off a moment ago may still be storing what arrived: report it once it has
    await this.settled(id);
    const row = await this.uploads.get(id);
    if (!row) throw ERRORS.FILE_NOT_FOUND;
    return new Upload({ id, size: row.size, offset: row.receivedBytes, creation_date: row.createdAt.toISOString() });
  }

  override async write(body: Readable, id: string, offset: number): Promise<number> {
    return this.writeBody(id, body, offset);
  }

  override getExpiration(): number {
    return UPLOAD_TTL_MS;
  }
}

/** A PATCH running on this instance: how to stop it, its end, and whether it is past receiving (storing what came). */
interface Writer {
  abort: () => void;
  /** the client's side is closed (cut off): what arrived is about to be stored */
  gone: () => boolean;
  done: Promise<unknown>;
  stage: 'receiving' | 'closing' | 'finishing';
}

/**
 * Resumable uploads (the tus protocol): the browser sends a file in pieces and, after a broken connection,
 * a reload or a locked phone, asks how much arrived and continues from there — on any instance: the pieces are
 * in the shared storage, the offset and the lease in the database (server/usecases/uploads.ts). Every request
 * passes the same session, CSRF and rate checks as any other API request; an upload belongs to the user who
 * created it. When the last byte arrives the file goes through commitFile (content checks, storage, database row).
 */
export function createTusServer(s: Services, legacyDirectory: string) {
  /** One PATCH per upload on this instance; a newer one (the client resuming after a broken connection) replaces a hanging one. */
  const writers = new Map<string, Writer>();
  /** sha256 on a worker thread (server/storage/hasher.ts): of a file received in one PATCH, else while assembling the pieces. */
  const hasher = createHasher();

  async function stopLocal(id: string) {
    const writer = writers.get(id);
    if (!writer) return;
    if (writer.stage === 'receiving') writer.abort();
    await writer.done.catch(() => undefined);
  }

  /** The rows, the pieces, finishing, cancelling and the sweep (server/usecases/uploads.ts). */
  const uploads = uploadUseCases(s, legacyDirectory, { stop: stopLocal }, hasher);

  /**
   * Receives one piece of `id` from `source` (a PATCH's body, or a creation-with-upload POST's) at `offset`, under
   * the lease, into a temp file of this instance, and makes it part of the upload (stored, then referenced). The
   * piece that completes the file is finished here (commitFile). A piece cut off keeps what arrived.
   */
  async function receivePiece(
    user: SessionUser,
    id: string,
    source: Readable,
    offset: number,
    abort: () => void,
    gone: () => boolean,
  ): Promise<
    | { kind: 'stored'; offset: number }
    | { kind: 'finished'; offset: number; view: AttachmentView }
    | { kind: 'conflict'; offset: number }
    | { kind: 'interrupted' }
    | { kind: 'locked' }
  > {
    // a hanging PATCH of this upload on this instance (the client gave up on it and resumed): stop it first
    await stopLocal(id);
    const holder = newHolder();
    let row;
    try {
      row = await uploads.acquire(user, id, holder);
    } catch (err) {
      if (err instanceof UploadLocked) return { kind: 'locked' };
      throw err;
    }
    if (!row) throw new AppError('NOT_FOUND', '上传不存在或已过期，请重新选择文件上传');

    let settle = () => {};
    const writer: Writer = { abort, gone, done: new Promise<void>((resolve) => (settle = resolve)), stage: 'receiving' };
    writers.set(id, writer);
    // the lease is renewed while bytes arrive and while finishing; a stalled request lets it run out
    let progressed = false;
    let lost = false;
    const renewal = setInterval(() => {
      if (writer.stage === 'receiving' && !progressed) return;
      progressed = false;
      uploads.renew(id, holder).then(
        (held) => {
          if (held) return;
          lost = true;
          if (writer.stage === 'receiving') abort();
        },
        () => undefined,
      );
    }, LEASE_RENEW_MS);
    renewal.unref();
    const tmp = path.join(s.storage.tmpDir, tmpNameOf(id, 'part'));
    try {
      if (row.receivedBytes !== offset) return { kind: 'conflict', offset: row.receivedBytes };
      // a file that comes in one PATCH is hashed on its way in and committed from its temp file, as before
      const whole = offset === 0 ? hasher.start() : null;
      const room = row.size - offset;
      const size = row.size;
      let received = 0;
      try {
        await pipeline(
          source,
          new Transform({
            transform(chunk: Buffer, _enc, next) {
              received += chunk.length;
              progressed = true;
              if (received > room) return next(new AppError('TOO_LARGE', `上传的数据超过了声明的文件大小 ${size} 字节`));
              // the hash worker may ask us to wait (it is behind): the request is held until it catches up
              const wait = whole?.update(chunk);
              if (wait) void wait.then(() => next(null, chunk));
              else next(null, chunk);
            },
          }),
          fs.createWriteStream(tmp, { highWaterMark: 1024 * 1024 }),
        );
      } catch (err) {
        whole?.discard();
        writer.stage = 'closing';
        if (err instanceof AppError || lost) {
          await fsp.rm(tmp, { force: true });
          if (lost) return { kind: 'locked' };
          throw err;
        }
        // the connection broke (phone locked, network lost, the client gave up): what reached the temp file is a
        // prefix of what was sent; it becomes a piece, unless it is too small to be worth one
        const kept = await fsp.stat(tmp).then(
          (st) => st.size,
          () => 0,
        );
        if (kept >= MIN_KEPT_BYTES) await uploads.addPart(id, holder, offset, tmp, false).catch(() => fsp.rm(tmp, { force: true }));
        else await fsp.rm(tmp, { force: true });
        return { kind: 'interrupted' };
      }
      const now = offset + received;
      if (now < row.size) {
        whole?.discard();
        writer.stage = 'closing';
        return { kind: 'stored', offset: await uploads.addPart(id, holder, offset, tmp, false) };
      }
      writer.stage = 'finishing';
      if (whole) {
        const sha256 = await whole.digest();
        return { kind: 'finished', offset: now, view: await uploads.finish(user, row, holder, { tmpPath: tmp, sha256 }) };
      }
      const complete = await uploads.addPart(id, holder, offset, tmp, true);
      return { kind: 'finished', offset: now, view: await uploads.finish(user, { ...row, receivedBytes: complete }, holder) };
    } catch (err) {
      if (err instanceof LeaseLost) return { kind: 'locked' };
      throw err;
    } finally {
      clearInterval(renewal);
      await fsp.rm(tmp, { force: true }).catch(() => undefined);
      await uploads.release(id, holder).catch(() => undefined);
      if (writers.get(id) === writer) writers.delete(id);
      settle();
    }
  }

  /** Waits for a PATCH of this instance that is storing what arrived before it was cut off. */
  async function settled(id: string) {
    const writer = writers.get(id);
    if (writer && (writer.stage === 'closing' || (writer.stage === 'receiving' && writer.gone()))) await writer.done.catch(() => undefined);
  }

  /** creation-with-upload: a POST that carries the first bytes; tus answers with the offset (and onUploadFinish at the end). */
  const finished = new Map<string, AttachmentView>();
  async function writeBody(id: string, body: Readable, offset: number): Promise<number> {
    const user = creating.get(id);
    if (!user) throw tusError(new AppError('NOT_FOUND', '上传不存在或已过期，请重新选择文件上传'));
    try {
      const out = await receivePiece(
        user,
        id,
        body,
        offset,
        () => body.destroy(),
        () => body.destroyed,
      );
      if (out.kind === 'finished') {
        finished.set(id, out.view);
        return out.offset;
      }
      if (out.kind === 'stored' || out.kind === 'conflict') return out.offset;
      const row = await uploads.get(id);
      return row?.receivedBytes ?? 0;
    } catch (err) {
      throw asTusError(err);
    } finally {
      creating.delete(id);
    }
  }
  /** The user of a creation request, by upload id, between onUploadCreate and the datastore's write. */
  const creating = new Map<string, SessionUser>();

  const server = new Server({
    path: UPLOAD_PATH,
    datastore: new SharedStore(uploads, writeBody, settled),
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
        // creation-with-upload: the datastore's write (same request) receives the bytes as this user
        if (req.headers.get('content-type') === 'application/offset+octet-stream') creating.set(upload.id, user);
        return {};
      } catch (err) {
        throw asTusError(err);
      }
    },
    // only reached by a POST that carries the whole file (creation-with-upload); PATCH requests are handled by receive()
    async onUploadFinish(_req, upload: Upload) {
      const view = finished.get(upload.id);
      finished.delete(upload.id);
      if (!view) throw tusError(new AppError('INTERNAL', '服务器保存文件时出错，请稍后重新上传'));
      // written by tus, not Fastify: encoded through the reply schema here, as the routes' replies are
      return { status_code: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(attachmentViewSchema.encode(view)) };
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
   * file (bench/upload). 409 (wrong offset) and 423 (another request holds the upload) answer in plain text, as
   * tus does, so that tus-js-client asks for the offset again and retries.
   */
  async function receive(user: SessionUser, id: string, req: IncomingMessage, reply: FastifyReply) {
    reply.header('tus-resumable', '1.0.0');
    if (!(await uploads.find(user, id))) throw new AppError('NOT_FOUND', '上传不存在或已过期，请重新选择文件上传');
    if (req.headers['tus-resumable'] !== '1.0.0') return reply.code(412).send('Tus-Resumable Required\n');
    if (req.headers['content-type'] !== 'application/offset+octet-stream') return reply.code(415).send('Invalid Content-Type\n');
    const offset = Number(req.headers['upload-offset']);
    if (!/^\d+$/.test(String(req.headers['upload-offset'] ?? '')) || !Number.isSafeInteger(offset)) return reply.code(400).send('Invalid Upload-Offset\n');
    const out = await receivePiece(
      user,
      id,
      req,
      offset,
      () => req.destroy(),
      () => req.destroyed || !!req.socket?.destroyed,
    );
    const text = (status: number, message: string) => reply.code(status).type('text/plain; charset=utf-8').send(`${message}\n`);
    switch (out.kind) {
      case 'locked':
        return text(423, new UploadLocked().message);
      case 'conflict':
        return reply
          .code(409)
          .header('upload-offset', out.offset)
          .type('text/plain; charset=utf-8')
          .send(`上传进度与服务器不一致：服务器已收到 ${out.offset} 字节，请从该位置续传\n`);
      case 'interrupted':
        return text(400, '上传中断，已收到的内容已保留，请从服务器已收到的位置续传');
      case 'stored':
        return reply.code(204).header('upload-offset', out.offset).send();
      case 'finished':
        return reply.code(200).header('upload-offset', out.offset).send(out.view);
    }
  }

  return { server, sweep: uploads.sweep, receive, commit: uploads.commit, terminate: uploads.terminate, uploads, close: () => hasher.close() };
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
