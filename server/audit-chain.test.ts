// The audit log's hash chain (server/audit.ts): chaining (legacy rows, concurrency, back-dated rows left out) and
// `audit verify` (the admin command behind `npm run cli -- audit verify`) finding an edited, a deleted and a fake row.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { startTestPlatform } from './testing/harness';
import type { Services } from './context';
import { audit, chainAuditLog, verifyAuditLog, GENESIS_HASH } from './audit';
import { runAdminCommand } from './admin-commands';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from './config';
import { openPlatform } from './services';

let t: Awaited<ReturnType<typeof startTestPlatform>>;
let s: Services;

beforeAll(async () => {
  // jobRunner stays on: the platform's own chainer runs beside these direct calls, as in production
  t = await startTestPlatform();
  s = t.s;
});
afterAll(async () => t.close());

const exec = async <T>(query: ReturnType<typeof sql>) => ((await s.db.execute(query)) as unknown as { rows: T[] }).rows;
const ids = async (where = sql`true`) =>
  (await exec<{ id: string }>(sql`select id::text as id from audit_log where ${where} order by audit_log.id`)).map((r) => Number(r.id));
/** Chains until no row is left unchained: the platform's own chainer may hold the lock when this asks (try-lock). */
const chainAll = async () => {
  for (let i = 0; i < 200 && (await ids(sql`seq is null`)).length > 0; i++) {
    await chainAuditLog(s.db);
    await new Promise((r) => setTimeout(r, 25));
  }
};
const lastId = async () => Number((await exec<{ id: string }>(sql`select max(id)::text as id from audit_log`))[0]!.id);

describe('the hash chain', () => {
  it('chains the rows written before the chain began (back-dated legacy rows included), then new ones after the head', async () => {
    // legacy rows are all there before any chainer runs (migrations come first): one statement here, so that the
    // platform's own chainer, running beside this test, finds all five or none
    await s.db.execute(sql`delete from audit_log`);
    await s.db.execute(sql`insert into audit_log (action, target_type, target_id, detail, created_at)
      select 'legacy.action', 'application', 'app-' || i, jsonb_build_object('n', i, 'b', jsonb_build_object('z', 1, 'a', jsonb_build_array(1, 'x'))),
        now() - interval '400 days' from generate_series(0, 4) as i`);
    await chainAll();
    expect(await ids(sql`seq is null`)).toEqual([]);
    const chained = await exec<{ seq: string; prev_hash: string; hash: string }>(
      sql`select seq::text as seq, prev_hash, hash from audit_log order by audit_log.seq`,
    );
    expect(chained.map((r) => Number(r.seq))).toEqual([1, 2, 3, 4, 5]);
    expect(chained[0]!.prev_hash).toBe(GENESIS_HASH);
    for (let i = 1; i < chained.length; i++) expect(chained[i]!.prev_hash).toBe(chained[i - 1]!.hash);

    await audit(s.db, null, 'new.action', 'user', 'u1', { ok: true }, '10.1.2.3');
    await chainAll();
    const [head] = await exec<{ seq: string; prev_hash: string; ip: string }>(
      sql`select seq::text as seq, prev_hash, ip from audit_log order by audit_log.seq desc limit 1`,
    );
    expect(Number(head!.seq)).toBe(6);
    expect(head!.prev_hash).toBe(chained[4]!.hash);
    expect(head!.ip).toBe('10.1.2.3');
    const v = await verifyAuditLog(s.db);
    expect(v.problems).toEqual([]);
    expect(v.rows).toBe(6);
    expect(await runAdminCommand(s, 'audit-verify', {})).toMatch(/审计日志校验通过：6 条记录的哈希链完整/);
  });

  it('several chainers at once link every row exactly once', async () => {
    await Promise.all(Array.from({ length: 40 }, (_, i) => audit(s.db, null, 'burst', 'x', String(i))));
    await Promise.all([chainAuditLog(s.db, 7), chainAuditLog(s.db, 7), chainAuditLog(s.db, 7)]);
    await chainAll();
    expect(await ids(sql`seq is null`)).toEqual([]);
    const [{ n, distinct, max }] = (await exec<{ n: string; distinct: string; max: string }>(
      sql`select count(*)::text as n, count(distinct seq)::text as distinct, max(seq)::text as max from audit_log`,
    )) as [{ n: string; distinct: string; max: string }];
    expect([Number(n), Number(distinct), Number(max)]).toEqual([46, 46, 46]);
    expect((await verifyAuditLog(s.db)).problems).toEqual([]);
  });

  it('leaves a back-dated row out once the chain has begun', async () => {
    await s.db.execute(
      sql`insert into audit_log (action, target_type, target_id, created_at) values ('forged', 'application', 'x', now() - interval '1 hour')`,
    );
    const forged = await lastId();
    await chainAuditLog(s.db);
    expect(await ids(sql`seq is null`)).toEqual([forged]);
    await s.db.execute(sql`delete from audit_log where id = ${forged}`);
  });
});

describe('audit verify', () => {
  it('reports an edited row, a deleted row and fake rows, each by id, and exits with a refusal', async () => {
    for (let i = 0; i < 6; i++) await audit(s.db, null, 'verify.sample', 'application', `a${i}`, { i });
    await chainAuditLog(s.db);
    expect((await verifyAuditLog(s.db)).problems).toEqual([]);
    const rows = await exec<{ id: string; seq: string }>(sql`select id::text as id, seq::text as seq from audit_log order by audit_log.seq desc limit 6`);
    const [r6, r5, , r3, r2] = rows.map((r) => ({ id: Number(r.id), seq: Number(r.seq) }));

    // 1. an edited row: its detail changed in place
    await s.db.execute(sql`update audit_log set detail = '{"i": 99}'::jsonb where id = ${r5!.id}`);
    // 2. a deleted row: the chain has a gap before the next one
    await s.db.execute(sql`delete from audit_log where id = ${r3!.id}`);
    // 3. a fake row slipped in unchained, back-dated to look old
    await s.db.execute(
      sql`insert into audit_log (action, target_type, target_id, created_at) values ('application.view', 'application', 'fake', now() - interval '3 days')`,
    );
    const unchainedFake = await lastId();
    // 4. a fake row appended after the head with a made-up hash
    await s.db.execute(sql`insert into audit_log (action, target_type, target_id, seq, prev_hash, hash)
      values ('application.view', 'application', 'fake2', ${r6!.seq + 1}, (select hash from audit_log where id = ${r6!.id}), ${'f'.repeat(64)})`);
    const chainedFake = await lastId();
    // 5. an edited hash: the row after it no longer links
    await s.db.execute(sql`update audit_log set hash = ${'e'.repeat(64)} where id = ${r2!.id}`);

    const v = await verifyAuditLog(s.db);
    const found = v.problems.map((p) => [p.kind, p.id]);
    expect(found).toEqual(
      expect.arrayContaining([
        ['edited', r5!.id],
        ['deleted', r3!.id + 1],
        ['unchained', unchainedFake],
        ['edited', chainedFake],
        ['edited', r2!.id],
      ]),
    );
    expect(found).toHaveLength(5);
    const refusal = await runAdminCommand(s, 'audit-verify', {}).then(
      () => null,
      (err: Error) => err.message,
    );
    expect(refusal).toContain('审计日志校验发现 5 处问题');
    expect(refusal).toContain(`记录 #${r5!.id}`);
    expect(refusal).toContain('被修改过');
    expect(refusal).toContain('已被删除');
    expect(refusal).toContain(`记录 #${unchainedFake}`);
    expect(refusal).toContain('不在哈希链中');
  });
});

describe('npm run cli -- audit verify', () => {
  const root = path.join(import.meta.dirname, '..');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xjkx-audit-cli-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  /** the command as the README has it, on an embedded database in DATA_DIR (no platform running) */
  const cli = (...args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'server', 'cli.ts'), ...args], {
        cwd: root,
        env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'silent' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('exit', (code) => resolve({ code, stdout, stderr }));
    });
  /** opens the data directory in this process, runs `work` on its database, closes it */
  const withDb = async (work: (db: Services['db']) => Promise<unknown>) => {
    const platform = await openPlatform(loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'silent' }));
    try {
      await work(platform.services.db);
    } finally {
      await platform.close();
    }
  };

  it('exits 0 on an intact chain and 1 with the tampered row named', async () => {
    let victim = 0;
    await withDb(async (db) => {
      for (let i = 0; i < 3; i++) await audit(db, null, 'cli.sample', 'application', `c${i}`, { i });
      await chainAuditLog(db);
      const rows = (await db.execute(sql`select id::text as id from audit_log order by audit_log.id`)) as unknown as { rows: { id: string }[] };
      victim = Number(rows.rows[1]!.id);
    });
    const clean = await cli('audit', 'verify');
    expect(clean.stderr).toBe('');
    expect(clean.code).toBe(0);
    expect(clean.stdout).toMatch(/审计日志校验通过：3 条记录的哈希链完整/);

    await withDb((db) => db.execute(sql`update audit_log set ip = '10.6.6.6' where id = ${victim}`));
    const tampered = await cli('audit', 'verify');
    expect(tampered.code).toBe(1);
    expect(tampered.stderr).toContain(`记录 #${victim}`);
    expect(tampered.stderr).toContain('被修改过');
  }, 120_000);
});
