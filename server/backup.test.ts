// The restore drill (issue 16 item 4): a platform with real data (applications with their attachments and photos'
// previews, a confirmed 网上评选 plan), backed up while it runs and uploads continue, restored into a fresh data
// directory (PGlite) or a fresh database (TEST_DATABASE_URL), compared table by table and file by file with the
// source, then opened and read through HTTP. A changed file in the backup is found before anything is written; a
// wrong or missing key and a non-empty target are refused, with nothing written.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, isNull } from 'drizzle-orm';
import { loadConfig, type Config } from './config';
import { openPlatform } from './services';
import { buildApp } from './app';
import { CAPTCHA, Client, startTestPlatform } from './testing/harness';
import { assignedReview } from './testing/review';
import { pdfBytes } from './testing/files';
import { createBackup } from './backup/backup';
import { restoreBackup, RestoreRefused } from './backup/restore';
import { countRows, queryOf, readManifest, sha256File } from './backup/manifest';
import { attachments } from './db/schema';

type T = Awaited<ReturnType<typeof startTestPlatform>>;
// CLUSTER=1 (npm run test:cluster) runs on PostgreSQL, TEST_DATABASE_URL's server or the local one
const pgServer = process.env.TEST_DATABASE_URL ?? (process.env.CLUSTER === '1' ? 'postgres://postgres@127.0.0.1:5432/postgres' : undefined);

let t: T;
let review: Awaited<ReturnType<typeof assignedReview>>;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xjkx-backup-test-'));
const created: string[] = [];

/** A fresh, empty target: a data directory, and on PostgreSQL a new database. */
async function freshTarget(name: string): Promise<Config> {
  const dataDir = path.join(tmp, `target-${name}`);
  let databaseUrl: string | undefined;
  if (pgServer) {
    const db = `t_restore_${process.pid}_${name.replace(/\W/g, '_')}_${Date.now().toString(36)}`;
    const admin = new pg.Client({ connectionString: pgServer });
    await admin.connect();
    await admin.query(`create database ${db}`);
    await admin.end();
    created.push(db);
    const u = new URL(pgServer);
    u.pathname = `/${db}`;
    databaseUrl = u.toString();
  }
  return loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    MFA_REQUIRED_ROLES: '',
    CAPTCHA_TEST_ANSWER: CAPTCHA,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  });
}

/** the source's key as a file, as an operator keeps it: DATA_DIR/data.key, or DATA_KEY (the cluster gives it so) written out */
const keyFile = () => {
  if (!t.s.config.dataKey) return path.join(t.s.config.dataDir, 'data.key');
  const file = path.join(tmp, 'source.key');
  fs.writeFileSync(file, t.s.config.dataKey, { mode: 0o600 });
  return file;
};

beforeAll(async () => {
  t = await startTestPlatform();
  review = await assignedReview(t);
}, 240_000);

afterAll(async () => {
  await t?.close();
  if (pgServer && created.length) {
    const admin = new pg.Client({ connectionString: pgServer });
    await admin.connect();
    for (const db of created) await admin.query(`drop database if exists ${db} with (force)`);
    await admin.end();
  }
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('backup and restore', () => {
  let backupDir: string;
  let sourceCounts: Record<string, number>;

  it('backs up while uploads continue: the manifest holds every table and exactly the files the rows refer to', async () => {
    backupDir = path.join(tmp, 'backup-1');
    const appId = review.cands[0]!.id;
    // the applicant keeps uploading 补充材料 while the backup runs
    const uploads = (async () => {
      for (let i = 0; i < 6; i++) await review.ac.upload(`/api/applications/${appId}/attachments`, 'integrity_pledge', `p${i}.pdf`, pdfBytes(`during ${i}`));
    })();
    const result = await createBackup(t.s, backupDir);
    await uploads;
    const m = readManifest(backupDir);
    expect(result.report).toContain('不在备份中');
    expect(m.tables['public.applications']).toBeGreaterThanOrEqual(3);
    expect(m.tables['public.review_assignments']).toBe(6);
    expect(m.tables['public.attachments']).toBeGreaterThanOrEqual(12);
    expect(m.keyColumns).toEqual(expect.arrayContaining(['public.attachments.storage_key', 'public.attachments.preview_key']));
    // every file is a referenced one, with its bytes' hash; the photos' previews are there too
    expect(m.files.length).toBeGreaterThanOrEqual(m.tables['public.attachments']!);
    for (const f of m.files) expect((await sha256File(path.join(backupDir, 'files', f.key))).sha256).toBe(f.sha256);
    expect(result.missing).toEqual([]);
    sourceCounts = await countRows(queryOf(t.s.db));
  });

  it('refuses to write into a directory that is not empty, and a second backup while one runs', async () => {
    await expect(createBackup(t.s, backupDir)).rejects.toThrow(/不是空目录/);
    const first = createBackup(t.s, path.join(tmp, 'backup-concurrent-1'));
    await expect(createBackup(t.s, path.join(tmp, 'backup-concurrent-2'))).rejects.toThrow(/另一个备份正在进行/);
    expect((await first).missing).toEqual([]);
    expect(fs.existsSync(path.join(tmp, 'backup-concurrent-2'))).toBe(false);
    // removals were held only while it ran: a removal now happens at once
    const tmpFile = path.join(t.s.storage.tmpDir, 'after-backup');
    fs.writeFileSync(tmpFile, 'x');
    const key = await t.s.storage.putFile(tmpFile);
    await t.s.storage.remove(key);
    expect(await t.s.storage.stat(key)).toBeNull();
  });

  it('restores into a fresh target; every table and file matches, and the platform serves the same application and files', async () => {
    const target = await freshTarget('drill');
    const result = await restoreBackup(target, { fromDir: backupDir, keyFile: keyFile() });
    expect(result.differences).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.report).toContain('恢复完成，全部一致');
    const m = readManifest(backupDir);
    // the restored platform itself, opened as `npm start` would and read through HTTP
    const platform = await openPlatform(target);
    const app = await buildApp(platform.services);
    try {
      await app.ready();
      const restoredCounts = await countRows(queryOf(platform.services.db));
      // the source kept changing (uploads after the snapshot): the restored copy equals the snapshot, table by table
      for (const [table, n] of Object.entries(m.tables)) {
        if (table === 'drizzle.__drizzle_migrations') continue;
        expect([table, restoredCounts[table]]).toEqual([table, n]);
      }
      expect(sourceCounts['public.applications']).toBe(m.tables['public.applications']);
      // every attachment row's file is there with the hash its row recorded: nothing half-copied, nothing missing
      const rows = await platform.services.db.select().from(attachments).where(isNull(attachments.deletedAt));
      const byKey = new Map(m.files.map((f) => [f.key, f]));
      for (const row of rows) expect(byKey.get(row.storageKey)?.sha256).toBe(row.sha256);
      // the organizer opens the application and downloads a file on the restored platform
      const ac = new Client(app);
      await ac.login(review.org.username, review.org.password);
      const source = await review.oc.get(`/api/applications/${review.cands[0]!.id}`);
      const restored = await ac.get(`/api/applications/${review.cands[0]!.id}`);
      expect(source.statusCode).toBe(200);
      expect(restored.statusCode).toBe(200);
      const strip = (body: string) => {
        const d = JSON.parse(body) as { form: unknown; status: string; attachments: { id: string; kind: string }[] };
        return { form: d.form, status: d.status };
      };
      expect(strip(restored.body)).toEqual(strip(source.body));
      const [scan] = rows.filter((r) => r.kind === 'unit_opinion' && r.applicationId === review.cands[0]!.id);
      const download = await ac.get(`/api/attachments/${scan!.id}`);
      const sourceDownload = await review.oc.get(`/api/attachments/${scan!.id}`);
      expect(download.statusCode).toBe(200);
      expect(Buffer.compare(download.rawPayload, sourceDownload.rawPayload)).toBe(0);
      const original = await t.s.db.select().from(attachments).where(eq(attachments.id, scan!.id));
      expect(download.rawPayload.length).toBe(original[0]!.size);
    } finally {
      await app.close();
      await platform.close();
    }
    // a second restore into the same target is refused: nothing is overwritten without --force
    await expect(restoreBackup(target, { fromDir: backupDir, keyFile: keyFile() })).rejects.toThrow(RestoreRefused);
    await expect(restoreBackup(target, { fromDir: backupDir, keyFile: keyFile() })).rejects.toThrow(/--force/);
    const forced = await restoreBackup(target, { fromDir: backupDir, keyFile: keyFile(), force: true });
    expect(forced.ok).toBe(true);
  }, 180_000);

  it('a changed file in the backup is found before anything is written', async () => {
    const copy = path.join(tmp, 'backup-tampered');
    fs.cpSync(backupDir, copy, { recursive: true });
    const m = readManifest(copy);
    const victim = m.files[3]!;
    const file = path.join(copy, 'files', victim.key);
    const bytes = fs.readFileSync(file);
    const at = bytes.length >> 1;
    bytes[at] = bytes[at]! ^ 0x01;
    fs.writeFileSync(file, bytes);
    const target = await freshTarget('tampered');
    const result = await restoreBackup(target, { fromDir: copy, keyFile: keyFile() });
    expect(result.ok).toBe(false);
    expect(result.differences.map((d) => d.what)).toEqual([`文件 ${victim.key}`]);
    expect(result.report).toContain('已拒绝恢复');
    expect(fs.existsSync(path.join(target.dataDir, 'pglite'))).toBe(false);
    expect(fs.existsSync(path.join(target.dataDir, 'data.key'))).toBe(false);
    // a removed file, and a changed dump, too
    fs.rmSync(path.join(copy, 'files', m.files[0]!.key));
    fs.appendFileSync(path.join(copy, m.database.file), 'x');
    const again = await restoreBackup(target, { fromDir: copy, keyFile: keyFile() });
    expect(again.differences.map((d) => d.what).sort()).toEqual([`数据库文件 ${m.database.file}`, `文件 ${m.files[0]!.key}`, `文件 ${victim.key}`].sort());
    expect(again.differences.find((d) => d.what === `文件 ${m.files[0]!.key}`)?.actual).toBe('缺失');
  });

  it('refuses a wrong key and a missing key, writing nothing', async () => {
    const target = await freshTarget('key');
    const wrong = path.join(tmp, 'wrong.key');
    fs.writeFileSync(wrong, 'ab'.repeat(32));
    await expect(restoreBackup(target, { fromDir: backupDir, keyFile: wrong })).rejects.toThrow(/不是这份备份所用的密钥/);
    await expect(restoreBackup(target, { fromDir: backupDir })).rejects.toThrow(/备份中没有密钥/);
    expect(fs.existsSync(path.join(target.dataDir, 'pglite'))).toBe(false);
    expect(fs.existsSync(path.join(target.dataDir, 'files'))).toBe(false);
    if (target.databaseUrl) {
      const c = new pg.Client({ connectionString: target.databaseUrl });
      await c.connect();
      const { rows } = await c.query(`select count(*)::int as n from information_schema.tables where table_schema = 'public'`);
      await c.end();
      expect(rows[0].n).toBe(0);
    }
  });
});
