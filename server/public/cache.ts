// Rendered public pages kept in this process, each under the data version it was rendered from (query.ts
// contentVersion). Every request asks the database for the version — one cheap statement, shared by the requests
// that arrive while it runs — so a correction is served at once by every instance behind a load balancer; only the
// rendering (and compressing) is cached. Each page is kept in three encodings with strong ETags.
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import type { Db } from '../db/client';
import { contentVersion } from './query';

export interface RenderedPage {
  status: 200 | 404;
  /** hash of the identity bytes; the encodings' ETags are derived from it */
  hash: string;
  identity: Buffer;
  gzip: Buffer;
  br: Buffer;
}

export type Encoding = 'br' | 'gzip' | 'identity';

/** The most pages kept (a year's gallery, its winners and the index are a few dozen): a bound against odd URLs. */
const MAX_ENTRIES = 2000;

export function renderedPage(status: 200 | 404, text: string): RenderedPage {
  const identity = Buffer.from(text, 'utf8');
  return {
    status,
    hash: crypto.createHash('sha256').update(identity).digest('base64url').slice(0, 32),
    identity,
    gzip: zlib.gzipSync(identity, { level: 9 }),
    br: zlib.brotliCompressSync(identity, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: identity.length } }),
  };
}

export const etagOf = (page: { hash: string }, encoding: Encoding) => `"${page.hash}${encoding === 'identity' ? '' : encoding === 'br' ? '-br' : '-gz'}"`;

/** Whether If-None-Match names this page in any of its encodings (or is *). */
export function notModified(ifNoneMatch: string | undefined, page: { hash: string }): boolean {
  if (!ifNoneMatch) return false;
  const tags = new Set<string>((['identity', 'br', 'gzip'] as const).map((e) => etagOf(page, e)));
  return ifNoneMatch.split(',').some((t) => {
    const tag = t.trim().replace(/^W\//, '');
    return tag === '*' || tags.has(tag);
  });
}

/** br, else gzip, else identity, as the client accepts (q=0 refuses). */
export function pickEncoding(acceptEncoding: string | undefined): Encoding {
  if (!acceptEncoding) return 'identity';
  const accepted = new Set(
    acceptEncoding
      .split(',')
      .map((part) => part.trim().split(';'))
      .filter(([, q]) => !q || !/^\s*q\s*=\s*0(\.0*)?\s*$/.test(q))
      .map(([name]) => name!.trim().toLowerCase()),
  );
  if (accepted.has('br')) return 'br';
  if (accepted.has('gzip') || accepted.has('*')) return 'gzip';
  return 'identity';
}

export class PageCache {
  private version: string | null = null;
  private pages = new Map<string, RenderedPage>();
  private inFlight: Promise<string> | null = null;

  constructor(private readonly db: Db) {}

  /** The current data version: one statement, shared by every request that arrives while it runs. */
  private currentVersion(): Promise<string> {
    this.inFlight ??= contentVersion(this.db).finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  /**
   * The page under `key` at the current version, rendered by `render` when it is not cached. A 404 is not kept
   * (any path may be asked for); a page rendered while the version moved is kept under the version read first, so
   * the next request renders it again.
   */
  async get(key: string, render: () => Promise<RenderedPage>): Promise<RenderedPage> {
    const version = await this.currentVersion();
    if (version !== this.version) {
      this.pages.clear();
      this.version = version;
    }
    const cached = this.pages.get(key);
    if (cached) return cached;
    const fresh = await render();
    if (fresh.status === 200 && this.version === version) {
      if (this.pages.size >= MAX_ENTRIES) this.pages.delete(this.pages.keys().next().value!);
      this.pages.set(key, fresh);
    }
    return fresh;
  }
}
