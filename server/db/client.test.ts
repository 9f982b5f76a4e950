import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { sql } from 'drizzle-orm';
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

  it('close() returns once every connection is gone, so the database can be dropped at once', async () => {
    const database = await openDatabase({ databaseUrl: urlOf(), dataDir: null });
    await Promise.all([1, 2, 3].map((n) => database.db.execute(sql`select pg_sleep(0.05), ${n}::int`)));
    expect((await backends()).length).toBeGreaterThanOrEqual(2);
    await database.close();
    expect(await backends()).toEqual([]);
  });
});
