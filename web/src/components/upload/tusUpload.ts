// Resumable uploads to /api/uploads (the tus protocol, docs/API.md "Uploads") with tus-js-client.
// A file goes up in pieces (8 MiB, or 32 MiB for a file over 32 MiB: uploadChunkBytes in core/media.ts); after a broken connection, a reload or a locked phone, choosing the same file
// again asks the server how much arrived (HEAD) and continues from there (the upload's address is kept in
// localStorage under a fingerprint of application, kind and file).
import * as tus from 'tus-js-client';
import { uploadChunkBytes } from '../../../../core/media';
import { ApiError, csrfToken } from '../../api';
import { commitUpload, UPLOAD_PATH } from '../../client/attachments';
import type { Attachment } from '../../types';

const RETRY_DELAYS = [0, 1000, 3000, 5000, 10000, 20000];
const FINGERPRINT_PREFIX = 'xjkx';

/** tus-js-client resolves the server's Location against the endpoint, so the endpoint must be absolute. */
const endpoint = () => `${window.location.origin}${UPLOAD_PATH}`;

export interface UploadTarget {
  applicationId: string;
  kind: string;
}

export interface UploadFailure {
  message: string;
  /** a network or server hiccup: 继续 continues from where it stopped; otherwise the file must be chosen anew */
  retryable: boolean;
  /** the browser says it is offline: resume when it is back */
  offline?: boolean;
  /** not to be continued now, but later (after logging in again or a refresh): keep the stored address */
  keep?: boolean;
}

export interface TransferCallbacks {
  onProgress(sent: number, total: number): void;
  /** the server already had `offset` bytes of this file (a resumed upload) */
  onResumed?(offset: number): void;
  onSuccess(attachment: Attachment): void;
  onError(failure: UploadFailure): void;
}

/** Our JSON error body `{"error":{"code","message"}}`, if the body is one. */
function appError(body: string | undefined): { code: string; message: string } | null {
  if (!body) return null;
  try {
    const parsed = JSON.parse(body) as { error?: { code?: unknown; message?: unknown } };
    const e = parsed.error;
    return e && typeof e.message === 'string' ? { code: typeof e.code === 'string' ? e.code : '', message: e.message } : null;
  } catch {
    return null;
  }
}

const isOffline = () => typeof navigator !== 'undefined' && navigator.onLine === false;

function responseOf(err: unknown): tus.HttpResponse | null {
  return err && typeof err === 'object' && 'originalResponse' in err ? ((err as tus.DetailedError).originalResponse ?? null) : null;
}

function hasRequest(err: unknown): boolean {
  return !!(err && typeof err === 'object' && 'originalRequest' in err && (err as tus.DetailedError).originalRequest);
}

/**
 * Retry what may pass a moment later: no answer at all (the connection broke), a gateway's 5xx, the tus
 * server's 423 (upload locked by a request still closing) or 409 (offset mismatch, settled by asking again).
 * Never a refusal of ours (a JSON error body): the file breaks a rule, the limit is reached, not allowed now.
 */
export function shouldRetry(err: unknown): boolean {
  const res = responseOf(err);
  if (!res || res.getStatus() === 0) return !isOffline();
  // a failure of ours after the last byte keeps the upload (INTERNAL): trying again stores it
  const app = appError(res.getBody());
  if (app) return app.code === 'INTERNAL';
  const status = res.getStatus();
  return status >= 500 || status === 423 || status === 409 || status === 429;
}

/** a held upload's lease runs out within 8 s: 6 tries 2 s apart outlast it */
const COMMIT_ATTEMPTS = 6;
const COMMIT_RETRY_MS = 2000;
/**
 * Not "已上传的内容已保留": when the storage itself is down, the bytes in flight could not be kept either (an upload's
 * received bytes live in that storage, for every instance). 继续 asks the server where the upload stands (HEAD) and
 * goes on from there, which is from the start only in that case.
 */
const STORE_FAILED = '服务器暂时无法保存文件，上传已暂停，请稍后点击“继续”重试，将从服务器已保存的位置接着上传';

/** What to tell the user about a failed upload, in Chinese, and whether 继续 can continue it. */
export function failureOf(err: unknown): UploadFailure {
  const res = responseOf(err);
  if (res && res.getStatus() > 0) {
    const status = res.getStatus();
    const app = appError(res.getBody());
    if (status === 401) return { message: '登录已过期，请重新登录后再次选择该文件，将从中断处继续上传', retryable: false, keep: true };
    if (app?.code === 'CSRF') return { message: `${app.message}；刷新后再次选择该文件，将从中断处继续上传`, retryable: false, keep: true };
    if (app?.code === 'INTERNAL') return { message: STORE_FAILED, retryable: true };
    if (app) return { message: app.message, retryable: false };
    if (status === 413) return { message: '文件过大，超过了允许的大小', retryable: false };
    if (status === 404) return { message: '上传不存在或已过期，请重新选择文件上传', retryable: false };
    if (status >= 500 || status === 423 || status === 409 || status === 429) {
      return { message: `服务器暂时无法接收（${status}），上传已暂停，可点击“继续”从中断处接着上传`, retryable: true };
    }
    return { message: `上传失败（${status}），请重新选择文件上传`, retryable: false };
  }
  if (hasRequest(err)) {
    if (isOffline()) return { message: '网络已断开，恢复连接后将自动从中断处继续上传', retryable: true, offline: true };
    return { message: '网络连接中断，上传已暂停，可点击“继续”从中断处接着上传', retryable: true };
  }
  return { message: '无法读取该文件，请重新选择文件上传', retryable: false };
}

/** One file's resumable transfer: start (resuming a previous one of the same file), pause, continue, cancel. */
export class TusTransfer {
  private readonly upload: tus.Upload;
  private settled = false;

  constructor(
    readonly file: File,
    readonly target: UploadTarget,
    private readonly cb: TransferCallbacks,
  ) {
    this.upload = new tus.Upload(file, {
      endpoint: endpoint(),
      chunkSize: uploadChunkBytes(file.size),
      retryDelays: RETRY_DELAYS,
      metadata: { applicationId: target.applicationId, kind: target.kind, filename: file.name },
      removeFingerprintOnSuccess: true,
      // the same file for another application or kind is another upload
      fingerprint: (f: File) => Promise.resolve([FINGERPRINT_PREFIX, target.applicationId, target.kind, f.name, f.type, f.size, f.lastModified].join('-')),
      // the CSRF cookie may be renewed during a long upload: read it at every request
      onBeforeRequest: (req) => {
        req.setHeader('x-csrf-token', csrfToken());
      },
      onAfterResponse: (req, res) => {
        if (req.getMethod() === 'HEAD' && res.getStatus() >= 200 && res.getStatus() < 300) {
          const offset = Number.parseInt(res.getHeader('Upload-Offset') ?? '', 10);
          if (Number.isFinite(offset) && offset > 0) this.cb.onResumed?.(offset);
        }
      },
      onShouldRetry: (err) => shouldRetry(err),
      onProgress: (sent, total) => this.cb.onProgress(sent, total),
      onSuccess: ({ lastResponse }) => void this.finish(lastResponse.getBody()),
      onError: (err) => {
        const failure = failureOf(err);
        if (!failure.retryable) {
          this.settled = true;
          if (!failure.keep) void this.forget();
        }
        this.cb.onError(failure);
      },
    });
  }

  /**
   * The reply to the last byte is the stored attachment. A resumed upload whose bytes had all arrived before
   * (storing them failed on the server's side, which kept them) ends on a HEAD without a body: ask the server
   * to store it now.
   */
  private async finish(body: string | undefined): Promise<void> {
    let view: Attachment;
    try {
      view = body ? (JSON.parse(body) as Attachment) : await this.commit(new URL(this.upload.url ?? '', window.location.href).pathname);
    } catch (err) {
      const failure: UploadFailure = !(err instanceof ApiError)
        ? { message: '服务器返回的数据无法识别，请刷新页面查看是否已上传', retryable: false }
        : err.code === 'INTERNAL' || err.code === 'NETWORK' || err.code === 'CONFLICT' || err.code === 'LOCKED'
          ? {
              message:
                err.code === 'NETWORK'
                  ? '网络连接中断，上传已暂停，可点击“继续”从中断处接着上传'
                  : err.code === 'LOCKED'
                    ? `${err.message}（可点击“继续”）`
                    : STORE_FAILED,
              retryable: true,
            }
          : { message: err.message, retryable: false };
      this.settled = !failure.retryable;
      this.cb.onError(failure);
      return;
    }
    this.settled = true;
    this.cb.onSuccess(view);
  }

  /**
   * POST …/commit. While another request's lease holds the upload (a PATCH cut by a restarting server keeps it
   * for up to 8 s) the server answers 423 LOCKED: ask again a few times before telling the user.
   */
  private async commit(uploadPath: string): Promise<Attachment> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await commitUpload(uploadPath);
      } catch (err) {
        if (!(err instanceof ApiError) || err.code !== 'LOCKED' || attempt >= COMMIT_ATTEMPTS) throw err;
        await new Promise((resolve) => setTimeout(resolve, COMMIT_RETRY_MS));
      }
    }
  }

  /** Continues a previous upload of the same file if there is one (the most recent), else creates one. */
  async start(): Promise<void> {
    try {
      const previous = await this.upload.findPreviousUploads();
      const latest = previous.filter((p) => p.uploadUrl).sort((a, b) => Date.parse(b.creationTime) - Date.parse(a.creationTime))[0];
      if (latest) this.upload.resumeFromPreviousUpload(latest);
    } catch {
      // no storage (private mode): a fresh upload
    }
    this.upload.start();
  }

  pause(): void {
    void this.upload.abort(false);
  }

  /** After 暂停 or a failure that may be retried: asks the server for the offset and continues. */
  resume(): void {
    if (this.settled) return;
    this.upload.start();
  }

  /** 取消: stops and removes what the server holds of this upload. */
  async cancel(): Promise<void> {
    this.settled = true;
    await this.upload.abort(true).catch(() => {});
    await this.forget();
  }

  /** Drops the stored address of this file's upload (refused or cancelled: not to be resumed). */
  private async forget(): Promise<void> {
    try {
      const url = this.upload.url;
      for (const p of await this.upload.findPreviousUploads()) {
        if (!url || p.uploadUrl === url) await tus.defaultOptions.urlStorage.removeUpload(p.urlStorageKey);
      }
    } catch {
      // nothing stored
    }
  }
}

/** An upload of this application and kind that stopped before its end (e.g. the page was reloaded). */
export interface UnfinishedUpload {
  urlStorageKey: string;
  uploadUrl: string;
  name: string;
  size: number;
  offset: number;
}

/**
 * Unfinished uploads kept in this browser for the application and kind, with how much the server holds.
 * Those the server no longer knows (expired, refused, another user's) are forgotten.
 */
export async function findUnfinishedUploads(target: UploadTarget): Promise<UnfinishedUpload[]> {
  let stored: tus.PreviousUpload[];
  try {
    stored = await tus.defaultOptions.urlStorage.findAllUploads();
  } catch {
    return [];
  }
  const mine = stored.filter((p) => p.uploadUrl && p.metadata?.applicationId === target.applicationId && p.metadata?.kind === target.kind);
  const found: UnfinishedUpload[] = [];
  for (const p of mine) {
    let res: Response;
    try {
      res = await fetch(p.uploadUrl!, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0' }, credentials: 'same-origin', cache: 'no-store' });
    } catch {
      continue; // offline: ask again later
    }
    if (res.status >= 400 && res.status < 500) {
      await tus.defaultOptions.urlStorage.removeUpload(p.urlStorageKey).catch(() => {});
      continue;
    }
    const offset = Number.parseInt(res.headers.get('Upload-Offset') ?? '', 10);
    if (!res.ok || !Number.isFinite(offset)) continue;
    found.push({ urlStorageKey: p.urlStorageKey, uploadUrl: p.uploadUrl!, name: p.metadata.filename ?? '', size: p.size ?? 0, offset });
  }
  return found;
}

/** 放弃: the server removes the partial file, the browser forgets it. */
export async function discardUnfinished(u: UnfinishedUpload): Promise<void> {
  try {
    await fetch(u.uploadUrl, { method: 'DELETE', headers: { 'Tus-Resumable': '1.0.0', 'x-csrf-token': csrfToken() }, credentials: 'same-origin' });
  } finally {
    await tus.defaultOptions.urlStorage.removeUpload(u.urlStorageKey).catch(() => {});
  }
}
