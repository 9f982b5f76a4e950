import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { DrizzleQueryError } from 'drizzle-orm';
import { drizzle as drizzlePg, NodePgSession, NodePgTransaction } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import pg from 'pg';
import * as schema from './schema';

/**
 * The platform's database handle. Made without the schema: its relational query API (`db.query.<table>`) is not used,
 * and Drizzle would build a query builder for each of the fifty tables on every transaction it opens.
 */
export type Db = PgDatabase<PgQueryResultHKT>;

/** A LISTEN on one channel: every notification's payload, and `resync` after a lost connection came back. */
export interface Listener {
  onNotify(payload: string): void;
  /** notifications may have been missed while the connection was down: whoever shows state should read it again */
  onResync(): void;
}

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  /**
   * LISTEN on `channel` (server/events.ts): PGlite's own listen API, or on PostgreSQL one dedicated connection
   * (outside the pool, reconnected with backoff). NOTIFY sent inside a transaction is delivered at its commit.
   */
  listen(channel: string, listener: Listener): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export const migrationsFolder = path.join(import.meta.dirname, 'migrations');

/**
 * Opens PostgreSQL when a URL is given (a pool of at most `poolMax` connections, default 10), else PGlite in
 * `dataDir` (in memory when dataDir is null), and applies the migrations. Both paths use the same schema and
 * the same migration files.
 */
export async function openDatabase(opts: {
  databaseUrl: string | null;
  dataDir: string | null;
  poolMax?: number;
  /** in memory only: start from this dump (PGlite's dumpDataDir) instead of an empty cluster; the tests' migrated template */
  pgliteDump?: Blob;
}): Promise<Database> {
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl, opts.poolMax ?? 10);
  return openPglite(opts.dataDir, opts.pgliteDump);
}

/** PGlite as the platform runs it (pg_trgm for 查询's fuzzy search): in `dir`, or in memory (from `dump` when given). */
export function createPglite(dir: string | null, dump?: Blob): Promise<PGlite> {
  const options = { extensions: { pg_trgm }, ...(dump ? { loadDataDir: dump } : {}) };
  return dir ? PGlite.create(dir, options) : PGlite.create(options);
}

/** Applies the migrations not yet applied to a PGlite database. */
export async function migratePgliteClient(client: PGlite): Promise<void> {
  await migratePglite(drizzlePglite(client, { schema }), { migrationsFolder });
}

async function openPostgres(url: string, poolMax: number): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolMax });
  // An idle connection that PostgreSQL closes (a restart, a terminated backend) is reported here; without a
  // listener the pool would rethrow it and stop the process. The pool replaces the connection when needed.
  pool.on('error', (err) => console.error(`数据库连接已断开（将自动重连）：${err.message}`));
  const db = drizzlePg(pool) as unknown as Db;
  directTransactions(db, pool);
  // Several app instances may start at once: one migrates, the others wait on the advisory lock.
  const client = await pool.connect();
  try {
    await client.query('select pg_advisory_lock(7242023)');
    await migratePg(drizzlePg(client, { schema }), { migrationsFolder });
  } finally {
    await client.query('select pg_advisory_unlock(7242023)').catch(() => {});
    client.release();
  }
  const listeners = new Set<PgListener>();
  return {
    db,
    kind: 'postgres',
    async listen(channel, listener) {
      const l = new PgListener(url, channel, listener);
      listeners.add(l);
      await l.start();
      return async () => {
        listeners.delete(l);
        await l.stop();
      };
    },
    async close() {
      await Promise.all([...listeners].map((l) => l.stop()));
      await endPool(pool);
    },
  };
}

/** The statements a transaction opens and ends with, as node-postgres query configs made once. */
const BEGIN = { text: 'begin' };
const COMMIT = { text: 'commit' };
const ROLLBACK = { text: 'rollback' };

/**
 * `db.transaction(fn)` on node-postgres with begin, commit and rollback sent as they are. Drizzle's own builds each
 * of them as SQL and as a prepared query with its type parsers, and runs it through its tracing spans, on every
 * transaction (【保存】 and 【提交选票】 open one per request; bench/README "Session 18" has the measurement).
 * The same behaviour otherwise: a client from the pool for the transaction (released at the end, whatever happens),
 * `fn` given Drizzle's own NodePgTransaction on it (nested transactions are its savepoints, unchanged), a failed
 * statement reported as DrizzleQueryError, rollback when `fn` throws (its error rethrown; a failed rollback's
 * instead). A transaction with a config (isolation level, access mode) keeps Drizzle's path.
 */
function directTransactions(db: Db, pool: pg.Pool) {
  const session = (db as unknown as { session: NodePgSession<never, never> }).session;
  if (!(session instanceof NodePgSession)) throw new Error('drizzle-orm: the database has no node-postgres session; see server/db/client.ts');
  const { dialect, schema, options } = session as unknown as { dialect: never; schema: never; options: never };
  const drizzles = session.transaction.bind(session);
  const run = async (client: pg.PoolClient, q: { text: string }) => {
    try {
      await client.query(q);
    } catch (err) {
      throw new DrizzleQueryError(q.text, [], err as Error);
    }
  };
  session.transaction = async function <T>(fn: (tx: NodePgTransaction<never, never>) => Promise<T>, config?: object): Promise<T> {
    if (config) return drizzles(fn as never, config);
    const client = await pool.connect();
    try {
      const tx = new NodePgTransaction(dialect, new NodePgSession(client, dialect, schema, options), schema);
      await run(client, BEGIN);
      try {
        const result = await fn(tx as never);
        await run(client, COMMIT);
        return result;
      } catch (error) {
        await run(client, ROLLBACK);
        throw error;
      }
    } finally {
      client.release();
    }
  } as typeof session.transaction;
}

/**
 * One dedicated connection holding a LISTEN (a pooled connection would be handed to others and lose it). When it
 * breaks (a restart, a terminated backend) it is opened again after 0.2 s, doubling to 10 s, and the listener is
 * told to resync: notifications sent meanwhile are lost.
 */
class PgListener {
  private client: pg.Client | null = null;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private delay = 200;

  constructor(
    private url: string,
    private channel: string,
    private listener: Listener,
  ) {}

  async start(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    client.on('notification', (msg) => {
      if (msg.channel === this.channel) this.listener.onNotify(msg.payload ?? '');
    });
    client.on('error', (err) => {
      console.error(`数据库通知连接已断开（将自动重连）：${err.message}`);
      this.retry(client);
    });
    client.on('end', () => this.retry(client));
    this.client = client;
    await client.connect();
    await client.query(`listen "${this.channel.replace(/"/g, '""')}"`);
    this.delay = 200;
  }

  private retry(client: pg.Client) {
    if (this.stopped || this.client !== client) return;
    this.client = null;
    client.end().catch(() => {});
    this.timer = setTimeout(() => {
      this.start().then(
        () => this.listener.onResync(),
        (err: Error) => {
          console.error(`数据库通知连接重连失败：${err.message}`);
          this.delay = Math.min(this.delay * 2, 10_000);
          if (this.client) this.retry(this.client);
        },
      );
    }, this.delay);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => {});
  }
}

/**
 * pool.end() resolves as soon as it has asked each connection to close, not when they are closed; the
 * caller may then drop the database (tests) or exit, and a connection still closing would see the server
 * terminate it. This waits for every connection to be gone.
 */
async function endPool(pool: pg.Pool): Promise<void> {
  let open = pool.totalCount;
  const gone = new Promise<void>((resolve) => {
    if (open === 0) return resolve();
    pool.on('remove', () => {
      if (--open === 0) resolve();
    });
  });
  await pool.end();
  // bounded: a connection that never reports back must not keep the process from stopping
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([gone, new Promise<void>((resolve) => (timer = setTimeout(resolve, 5000).unref()))]);
  clearTimeout(timer);
}

async function openPglite(dataDir: string | null, dump?: Blob): Promise<Database> {
  let release = () => {};
  let client: PGlite;
  if (dataDir) {
    fs.mkdirSync(dataDir, { recursive: true });
    release = lockDataDir(dataDir);
    try {
      client = await createPglite(path.join(dataDir, 'pglite'));
    } catch (err) {
      release();
      throw err;
    }
  } else {
    client = await createPglite(null, dump);
  }
  const db = drizzlePglite(client) as unknown as Db;
  await migratePgliteClient(client);
  return {
    db,
    kind: 'pglite',
    async listen(channel, listener) {
      // one process: no connection to lose, so never a resync
      const unlisten = await client.listen(channel, (payload) => listener.onNotify(payload));
      return () => unlisten();
    },
    async close() {
      await client.close();
      release();
    },
  };
}

/**
 * PGlite is one process's embedded database: a second process opening the same directory would
 * corrupt it. A lock file holding the owner's PID keeps the second one out with a clear message;
 * a lock left by a process that no longer runs is taken over.
 */
export function lockDataDir(dataDir: string): () => void {
  const lockPath = path.join(dataDir, 'pglite.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
      return () => {
        try {
          if (fs.readFileSync(lockPath, 'utf8') === String(process.pid)) fs.unlinkSync(lockPath);
        } catch {
          /* already gone */
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(fs.readFileSync(lockPath, 'utf8').trim());
      if (owner && owner !== process.pid && isAlive(owner)) {
        throw new Error(
          `数据目录 ${dataDir} 正被另一个进程（PID ${owner}）使用。同一个 PGlite 数据目录不能被两个进程同时打开：` +
            `请先停止该进程，或用环境变量 DATA_DIR 指定另一个目录，或设置 DATABASE_URL 使用 PostgreSQL。`,
        );
      }
      fs.unlinkSync(lockPath); // stale lock of a dead process
    }
  }
  throw new Error(`无法锁定数据目录 ${dataDir}`);
}

/** The PID of another running process holding the PGlite data directory's lock, or null. */
export function dataDirOwner(dataDir: string): number | null {
  try {
    const owner = Number(fs.readFileSync(path.join(dataDir, 'pglite.lock'), 'utf8').trim());
    return owner && owner !== process.pid && isAlive(owner) ? owner : null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** PostgreSQL error code of a unique violation, raised identically by PGlite and pg. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = findPgError(err);
  return !!e && e.code === '23505' && (!constraint || e.constraint === constraint);
}

function findPgError(err: unknown): { code?: string; constraint?: string } | null {
  let cur: unknown = err;
  for (let i = 0; i < 4 && cur && typeof cur === 'object'; i++) {
    const c = cur as { code?: string; constraint?: string; cause?: unknown };
    if (typeof c.code === 'string' && /^[0-9A-Z]{5}$/.test(c.code)) return c;
    cur = c.cause;
  }
  return null;
}
