// The transport of the HTTP contract in docs/API.md: JSON calls (errors, CSRF header, 401 handler) and the multipart upload.
// Pages and components call the per-resource functions of web/src/client/, which are built on these.

export interface FieldError {
  field: string;
  label?: string;
  message: string;
}

export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly fields?: FieldError[];

  constructor(code: string, message: string, status: number, fields?: FieldError[]) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.fields = fields;
  }
}

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

const NETWORK_MESSAGE = '网络连接失败，请检查网络后重试';

let onUnauthenticated: (() => void) | null = null;

/** The app registers what to do when the session has expired (go to /login). */
export function setUnauthenticatedHandler(handler: (() => void) | null): void {
  onUnauthenticated = handler;
}

/** The CSRF token to echo in x-csrf-token: the `__Host-csrf` cookie over HTTPS, `csrf` over plain HTTP (server/auth/cookies.ts). */
export const csrfToken = (): string => readCookie('__Host-csrf') || readCookie('csrf');

export function readCookie(name: string): string {
  const prefix = `${name}=`;
  for (const part of document.cookie.split(';')) {
    const item = part.trim();
    if (item.startsWith(prefix)) return decodeURIComponent(item.slice(prefix.length));
  }
  return '';
}

function fallbackMessage(status: number): string {
  if (status === 401) return '登录已过期，请重新登录';
  if (status === 403) return '没有权限进行此操作';
  if (status === 404) return '请求的内容不存在';
  if (status === 413) return '文件过大';
  if (status === 429) return '操作过于频繁，请稍后再试';
  if (status >= 500) return '服务器暂时无法处理请求，请稍后再试';
  return `请求失败（${status}）`;
}

/** The ApiError of a refused request's body (also for the multipart forms sent by XMLHttpRequest). */
export function errorFromBody(status: number, text: string): ApiError {
  try {
    const parsed = JSON.parse(text) as { error?: { code?: string; message?: string; fields?: FieldError[] } };
    const e = parsed.error;
    if (e && typeof e.message === 'string') {
      return new ApiError(e.code ?? 'ERROR', e.message, status, Array.isArray(e.fields) ? e.fields : undefined);
    }
  } catch {
    // not JSON: fall through
  }
  return new ApiError(status === 401 ? 'UNAUTHENTICATED' : 'ERROR', fallbackMessage(status), status);
}

function handleStatus(status: number, path: string): void {
  // Login, registration and recovery answer 401 for wrong credentials; only other calls mean "session expired".
  if (status === 401 && !path.startsWith('/api/auth/') && onUnauthenticated) onUnauthenticated();
}

/** A reply read to the end: what `api` needs of a Response. */
interface Reply {
  ok: boolean;
  status: number;
  text: string;
}

const readReply = async (res: Response): Promise<Reply> => ({ ok: res.ok, status: res.status, text: await res.text() });

/** GETs started before the page that reads them is drawn (prefetchGet), by path, for a little while. */
const early = new Map<string, { reply: Promise<Reply>; at: number }>();
const EARLY_MS = 10_000;

/**
 * Starts a GET now, for the page about to be drawn: its first `api('GET', path)` takes this reply instead of
 * asking again (once, and only within 10 s). Only for reads: a GET changes nothing on the server.
 */
export function prefetchGet(path: string): void {
  if (early.has(path)) return;
  const reply = fetch(path, { method: 'GET', headers: { accept: 'application/json' }, credentials: 'same-origin' }).then(readReply);
  const entry = { reply, at: Date.now() };
  // a refusal (not logged in yet: 401) or a failure is not kept: the page asks again, after logging in
  const drop = () => {
    if (early.get(path) === entry) early.delete(path);
  };
  reply.then((r) => (r.ok ? undefined : drop()), drop);
  early.set(path, entry);
}

/** Forgets every early reply: another account's session must never read them (called at log-in and 退出). */
export function forgetPrefetched(): void {
  early.clear();
}

function takeEarly(path: string): Promise<Reply> | null {
  const hit = early.get(path);
  if (!hit) return null;
  early.delete(path);
  return Date.now() - hit.at < EARLY_MS ? hit.reply : null;
}

/**
 * The body of an early GET, without taking it (the page that asked for it still does): what a page's plain first
 * screen draws while the page's own code loads (components/FirstScreen.tsx). null when there is none, it was
 * refused, or it is not JSON.
 */
export async function peekPrefetched(path: string): Promise<unknown> {
  const hit = early.get(path);
  if (!hit) return null;
  try {
    const r = await hit.reply;
    return r.ok ? (JSON.parse(r.text) as unknown) : null;
  } catch {
    return null;
  }
}

export async function api<T>(method: Method, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken();
  let res: Reply;
  try {
    res =
      (method === 'GET' ? await takeEarly(path) : null) ??
      (await readReply(
        await fetch(path, {
          method,
          headers,
          credentials: 'same-origin',
          body: body === undefined ? undefined : JSON.stringify(body),
        }),
      ));
  } catch {
    throw new ApiError('NETWORK', NETWORK_MESSAGE, 0);
  }
  const { text } = res;
  if (!res.ok) {
    handleStatus(res.status, path);
    throw errorFromBody(res.status, text);
  }
  if (!text) return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ApiError('INTERNAL', '服务器返回的数据无法识别', res.status);
  }
}

/**
 * Multipart upload (fields first, then `file`) with progress 0–100.
 * XMLHttpRequest rather than fetch because only it reports upload progress.
 */
export function upload<T>(path: string, fields: Record<string, string>, file: File, onProgress?: (percent: number) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('file', file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.setRequestHeader('x-csrf-token', csrfToken());
    xhr.setRequestHeader('accept', 'application/json');
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && onProgress) onProgress(Math.min(99, Math.round((e.loaded / e.total) * 100)));
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress?.(100);
        try {
          resolve(JSON.parse(xhr.responseText) as T);
        } catch {
          reject(new ApiError('INTERNAL', '服务器返回的数据无法识别', xhr.status));
        }
      } else {
        handleStatus(xhr.status, path);
        reject(errorFromBody(xhr.status, xhr.responseText));
      }
    };
    xhr.onerror = () => reject(new ApiError('NETWORK', NETWORK_MESSAGE, 0));
    xhr.onabort = () => reject(new ApiError('ABORTED', '上传已取消', 0));
    xhr.send(form);
  });
}

export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error && err.message) return err.message;
  return '操作失败，请稍后重试';
}
