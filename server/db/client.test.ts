import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { DrizzleQueryError, sql } from 'drizzle-orm';
import pg from 'pg';
import { lockDataDir, openDatabase } from './client';

describe('PGlite data directory lock', () => {
  it('refuses a second process on the same data directory with a clear message', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xjkx-lock-'));
    const release = lockDataDir(dir);
    try {
      const script = `import { lockDataDir } from ${JSON.stringify(path.join(import.meta.dirname, 'client.ts'))}; try { lockDataDir(${JSON.stringify(dir)}); console.log('LOCKED-OK'); } catch (e) { console.log(e.message); }`;
      const out = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        encoding: 'utf8',
        cwd: path.join(import.meta.dirname, '../..'),
      });
      expect(out.stdout).toContain('正被另一个进程');
      expect(out.stdout).toContain(`PID ${process.pid}`);
      expect(out.stdout).not.toContain('LOCKED-OK');
    } finally {
      release();
    }
    expect(fs.existsSync(path.join(dir, 'pglite.lock'))).toBe(false);
  });

  it('takes over a lock left by a process that no longer runs', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xjkx-lock-'));
    fs.writeFileSync(path.join(dir, 'pglite.lock'), '999999');
    const release = lockDataDir(dir);
    expect(fs.readFileSync(path.join(dir, 'pglite.lock'), 'utf8')).toBe(String(process.pid));
    release();
  });
});

// The production path's connection pool, on a database of its own.
const serverUrl = process.env.TEST_DATABASE_URL;
describe.skipIf(!serverUrl)('PostgreSQL connection pool', () => {
  const name = `t_pool_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  const urlOf = () => {
    const u = new URL(serverUrl!);
    u.pathname = `/${name}`;
    return u.toString();
  };
  const backends = async () =>
    (await admin.query<{ pid: number }>('select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [name])).rows.map((r) => r.pid);

  beforeAll(async () => {
    await admin.connect();
    await admin.query(`create database ${name}`);
  });
  afterAll(async () => {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  });

  it('survives PostgreSQL closing an idle connection, and connects again', async () => {
    const database = await openDatabase({ databaseUrl: urlOf(), dataDir: null });
    try {
      await database.db.execute(sql`select 1`);
      const pids = await backends();
      expect(pids.length).toBeGreaterThan(0);
      // what a restart or an administrator does to an idle connection; unhandled, it would stop the process
      const logged: string[] = [];
      const original = console.error;
      console.error = (msg: string) => logged.push(msg);
      try {
        for (const pid of pids) await admin.query('select pg_terminate_backend($1)', [pid]);
        await expect.poll(() => logged.length).toBeGreaterThan(0);
      } finally {
        console.error = original;
      }
      expect(logged[0]).toContain('数据库连接已断开');
      const reply = (await database.db.execute(sql`select 2 as n`)) as unknown as { rows: { n: number }[] };
      expect(reply.rows[0]!.n).toBe(2);
    } finally {
      await database.close();
    }
  });

  it('runs transactions (begin, commit, rollback sent directly) as Drizzle does, and gives every connection back', async () => {
    const database = await openDatabase({ databaseUrl: urlOf(), dataDir: null, poolMax: 3 });
    const { db } = database;
    try {
      await db.execute(sql`create table if not exists t_tx (n int primary key)`);
      const count = async () => ((await db.execute(sql`select count(*)::int as c from t_tx`)) as unknown as { rows: { c: number }[] }).rows[0]!.c;
      // committed
      expect(Object.hasOwn((db as unknown as { session: object }).session, 'transaction')).toBe(true); // server/db/client.ts directTransactions
      const inserted = await db.transaction(
        async (tx) => ((await tx.execute(sql`insert into t_tx values (1) returning n`)) as unknown as { rows: unknown[] }).rows,
      );
      expect(inserted).toEqual([{ n: 1 }]);
      // thrown: rolled back, the error rethrown, the connection given back (more failures than the pool has connections)
      for (let i = 0; i < 8; i++) {
        await expect(
          db.transaction(async (tx) => {
            await tx.execute(sql`insert into t_tx values (${100 + i})`);
            throw new Error(`refused ${i}`);
          }),
        ).rejects.toThrow(`refused ${i}`);
      }
      // a refused statement: DrizzleQueryError with the database's cause, the transaction rolled back
      const refusal = await db
        .transaction(async (tx) => {
          await tx.execute(sql`insert into t_tx values (2)`);
          await tx.execute(sql`insert into t_tx values (1)`);
        })
        .then(
          () => null,
          (err: unknown) => err,
        );
      expect(refusal).toBeInstanceOf(DrizzleQueryError);
      expect((refusal as DrizzleQueryError).cause).toMatchObject({ code: '23505' });
      expect(await count()).toBe(1);
      // a failure at commit (a deferred constraint) is reported and nothing is kept
      await db.execute(sql`create table if not exists t_tx_ref (n int references t_tx (n) deferrable initially deferred)`);
      const atCommit = await db
        .transaction(async (tx) => tx.execute(sql`insert into t_tx_ref values (99)`))
        .then(
          () => null,
          (err: unknown) => err,
        );
      expect(atCommit).toBeInstanceOf(DrizzleQueryError);
      expect((atCommit as DrizzleQueryError).cause).toMatchObject({ code: '23503' });
      expect(((await db.execute(sql`select count(*)::int as c from t_tx_ref`)) as unknown as { rows: { c: number }[] }).rows[0]!.c).toBe(0);
      // nested: a savepoint, rolled back alone
      await db.transaction(async (tx) => {
        await tx.execute(sql`insert into t_tx values (3)`);
        await tx
          .transaction(async (inner) => {
            await inner.execute(sql`insert into t_tx values (4)`);
            inner.rollback();
          })
          .catch(() => undefined);
      });
      expect(await count()).toBe(2);
      // with a config: Drizzle's own path, the isolation level applied
      const level = await db.transaction(
        async (tx) =>
          ((await tx.execute(sql`show transaction_isolation`)) as unknown as { rows: { transaction_isolation: string }[] }).rows[0]!.transaction_isolation,
        { isolationLevel: 'repeatable read' },
      );
      expect(level).toBe('repeatable read');
      // every connection is back: as many transactions at once as the pool holds, each waiting on the others
      const started: number[] = [];
      await Promise.all(
        [0, 1, 2].map((i) =>
          db.transaction(async (tx) => {
            started.push(i);
            await tx.execute(sql`select pg_sleep(0.05)`);
          }),
        ),
      );
      expect(started.sort()).toEqual([0, 1, 2]);
    } finally {
      await database.close();
    }
  });

  it('close() returns once every connection is gone, so the database can be dropped at once', async () => {
    const database = await openDatabase({ databaseUrl: urlOf(), dataDir: null });
    await Promise.all([1, 2, 3].map((n) => database.db.execute(sql`select pg_sleep(0.05), ${n}::int`)));
    expect((await backends()).length).toBeGreaterThanOrEqual(2);
    await database.close();
    expect(await backends()).toEqual([]);
  });
});
