// Rendered public pages kept in this process, each under the data version it was rendered from (query.ts
// contentVersion). On PostgreSQL every request asks the database for the version — one cheap statement, shared by the
// requests that arrive while it runs — so a correction is served at once by every instance behind a load balancer;
// only the rendering (and compressing) is cached. On PGlite (one process holds the database, so every write is this
// process's own) a version read is reused for `reuseVersionMs`, and any write request forgets it at once
// (invalidate, called by the route plugin after every non-GET response): PGlite runs each statement on the event
// loop, and a statement per page view would halve the pages' throughput. Each page is kept in three encodings with
// strong ETags.
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

/**
 * The most pages kept (a year's gallery, its winners and the index are a few dozen): a bound against odd URLs and
 * forged Host headers (without PUBLIC_URL, pages are kept per origin).
 */
const MAX_ENTRIES = 500;

export function renderedPage(status: 200 | 404, text: string): RenderedPage {
  const identity = Buffer.from(text, 'utf8');
  return {
    status,
    hash: crypto.createHash('sha256').update(identity).digest('base64url').slice(0, 32),
    identity,
    gzip: zlib.gzipSync(identity, { level: 9 }),
    // quality 5: about 1 ms for a 13 KB gallery against 30–40 ms at 11 (for 15 % fewer bytes) — a render happens on
    // every data version and for every origin asked, so it must stay cheap
    br: zlib.brotliCompressSync(identity, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: identity.length } }),
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
  private inFlight: { started: number; version: Promise<string> } | null = null;
  /** when the version was last read (performance.now() at the statement's start), for the reuse window */
  private readAt = -Infinity;
  private invalidatedAt = -Infinity;

  constructor(
    private readonly db: Db,
    private readonly reuseVersionMs = 0,
  ) {}

  /** Forget the version read: the next request reads it again (a write may have changed it). */
  invalidate() {
    this.readAt = -Infinity;
    this.invalidatedAt = performance.now();
  }

  /**
   * The current data version: one statement, shared by the requests that arrive while it runs (unless a write
   * finished after it started), or on PGlite the last one read within the reuse window.
   */
  private currentVersion(): Promise<string> {
    if (this.version !== null && performance.now() - this.readAt < this.reuseVersionMs) return Promise.resolve(this.version);
    if (!this.inFlight || this.inFlight.started < this.invalidatedAt) {
      const started = performance.now();
      const flight = {
        started,
        version: contentVersion(this.db).finally(() => {
          if (this.inFlight === flight) this.inFlight = null;
          if (started >= this.invalidatedAt) this.readAt = started;
        }),
      };
      this.inFlight = flight;
    }
    return this.inFlight.version;
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
