// `npm run cli -- backup --to DIR` (docs/OPERATIONS.md, "Backups and restore"): the database at one consistent point
// and exactly the stored files its rows refer to, with a manifest (row counts per table, sha256 of every file).
//
// Consistency while the platform runs:
// - PGlite (run inside the server through DATA_DIR/admin.sock, or by the CLI when no server holds DATA_DIR):
//   dumpDataDir while no transaction is open (PGlite's transaction mutex held, then its query mutex), so the image
//   is the database between two statements. The counts and the referenced keys are read from that very image,
//   loaded into a scratch in-memory PGlite (which also proves the dump loads).
// - PostgreSQL: a repeatable-read transaction exports its snapshot; pg_dump --snapshot dumps exactly what the
//   transaction sees, and the counts and keys are read inside it.
// - Files: a stored file is written before the row that refers to it commits, so every key in the snapshot is in
//   storage; removals (a replaced attachment, the orphan sweep) are held back until the copy is done. Files stored
//   after the snapshot are not copied, as their rows are not in it.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import pg from 'pg';
import type { Services } from '../context';
import type { Storage } from '../storage/storage';
import { StorageNotFoundError } from '../storage/storage';
import { findPgTool, pgEnv, runPgTool } from './pgtools';
import {
  FORMAT,
  FORMAT_VERSION,
  KEY_WARNING,
  MANIFEST,
  countRows,
  formatBytes,
  keyCheckOf,
  referencedKeys,
  sha256File,
  writeStream,
  type FileEntry,
  type Manifest,
} from './manifest';

export const PGLITE_DUMP = 'database.tar.gz';
export const PG_DUMP = 'database.pgdump';

interface Snapshot {
  kind: Manifest['database']['kind'];
  file: string;
  tables: Record<string, number>;
  keys: Set<string>;
  keyColumns: string[];
  migration: string;
}

type RawRows = (text: string) => Promise<Record<string, unknown>[]>;

async function lastMigration(query: RawRows): Promise<string> {
  const rows = await query(`select hash, created_at from drizzle.__drizzle_migrations order by created_at desc limit 1`).catch(() => []);
  const row = rows[0];
  return row ? `${String(row.created_at)}:${String(row.hash).slice(0, 12)}` : '（无）';
}

async function snapshotPglite(client: PGlite, dir: string): Promise<Snapshot> {
  const file = path.join(dir, PGLITE_DUMP);
  // no transaction open (the transaction mutex), then PGlite takes its query mutex for the dump itself
  const blob = await client._runExclusiveTransaction(() => client.dumpDataDir('gzip'));
  await fsp.writeFile(file, Buffer.from(await blob.arrayBuffer()), { mode: 0o600 });
  const scratch = await PGlite.create({ loadDataDir: blob, extensions: { pg_trgm } });
  try {
    const query: RawRows = async (text) => (await scratch.query<Record<string, unknown>>(text)).rows;
    const { keys, columns } = await referencedKeys(query);
    return { kind: 'pglite', file, tables: await countRows(query), keys, keyColumns: columns, migration: await lastMigration(query) };
  } finally {
    await scratch.close();
  }
}

async function snapshotPostgres(pool: pg.Pool, databaseUrl: string, dir: string): Promise<Snapshot> {
  const tool = findPgTool('pg_dump');
  const file = path.join(dir, PG_DUMP);
  const client = await pool.connect();
  try {
    await client.query('begin isolation level repeatable read read only');
    const { rows } = await client.query<{ snapshot: string }>('select pg_export_snapshot() as snapshot');
    const snapshot = rows[0]!.snapshot;
    const query: RawRows = async (text) => (await client.query<Record<string, unknown>>(text)).rows;
    const tables = await countRows(query);
    const { keys, columns } = await referencedKeys(query);
    const migration = await lastMigration(query);
    // the exporting transaction stays open until pg_dump has taken the snapshot (and is kept to the end: simpler)
    await runPgTool(tool, ['--format=custom', `--snapshot=${snapshot}`, `--file=${file}`], pgEnv(databaseUrl));
    await client.query('commit');
    return { kind: 'postgres', file, tables, keys, keyColumns: columns, migration };
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/**
 * While a backup copies files, a removal is queued and made afterwards: a row deleted after the snapshot must not
 * take its file away before the copy has it. Returns the function that ends the hold.
 */
export function holdRemovals(storage: Storage): () => Promise<void> {
  const original = storage.remove.bind(storage);
  const held: string[] = [];
  storage.remove = async (key: string) => {
    held.push(key);
  };
  return async () => {
    storage.remove = original;
    for (const key of held) await original(key).catch(() => {});
  };
}

export interface BackupResult {
  dir: string;
  manifest: Manifest;
  missing: string[];
  report: string;
}

/** one backup at a time per process: the hold on removals is the process's storage's */
let running = false;

/** Makes the backup in `toDir` (created; refused when it exists and is not empty). */
export async function createBackup(s: Services, toDir: string): Promise<BackupResult> {
  if (running) throw new Error('另一个备份正在进行：请等它完成后再试');
  running = true;
  try {
    return await backupOnce(s, toDir);
  } finally {
    running = false;
  }
}

async function backupOnce(s: Services, toDir: string): Promise<BackupResult> {
  const started = Date.now();
  const dir = path.resolve(toDir);
  if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0) {
    throw new Error(`备份目录 ${dir} 不是空目录：请指定一个新的或空的目录（不会覆盖已有的备份）`);
  }
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const release = holdRemovals(s.storage);
  try {
    const client = (s.db as unknown as { $client: unknown }).$client;
    const snap = client instanceof PGlite ? await snapshotPglite(client, dir) : await snapshotPostgres(client as pg.Pool, s.config.databaseUrl ?? '', dir);
    const dump = await sha256File(snap.file);

    const files: FileEntry[] = [];
    const missing: string[] = [];
    for (const key of [...snap.keys].sort()) {
      try {
        const { sha256, size } = await writeStream(await s.storage.open(key), path.join(dir, 'files', key));
        files.push({ key, size, sha256 });
      } catch (err) {
        if (!(err instanceof StorageNotFoundError)) throw err;
        missing.push(key);
      }
    }
    const manifest: Manifest = {
      format: FORMAT,
      version: FORMAT_VERSION,
      createdAt: new Date().toISOString(),
      migration: snap.migration,
      database: { kind: snap.kind, file: path.basename(snap.file), bytes: dump.size, sha256: dump.sha256 },
      storage: { kind: s.storage.kind, files: files.length, bytes: files.reduce((n, f) => n + f.size, 0) },
      keyCheck: keyCheckOf(s.cipher),
      tables: snap.tables,
      keyColumns: snap.keyColumns,
      files,
    };
    // the manifest last, through a temp name: a directory holding manifest.json holds a finished backup
    const tmp = path.join(dir, `${MANIFEST}.part`);
    await fsp.writeFile(tmp, JSON.stringify(manifest, null, 2) + '\n', { mode: 0o600 });
    await fsp.rename(tmp, path.join(dir, MANIFEST));
    const rows = Object.values(snap.tables).reduce((n, c) => n + c, 0);
    const lines = [
      `备份完成：${dir}`,
      `  数据库（${snap.kind === 'pglite' ? 'PGlite' : 'PostgreSQL pg_dump 自定义格式'}）：${manifest.database.file}，${formatBytes(dump.size)}，` +
        `${Object.keys(snap.tables).length} 张表共 ${rows} 行`,
      `  文件：${files.length} 个，${formatBytes(manifest.storage.bytes)}（来自${s.storage.kind === 's3' ? '对象存储' : '数据目录'}）`,
      `  清单：${MANIFEST}（每张表的行数、每个文件的 sha256）`,
      `  用时 ${((Date.now() - started) / 1000).toFixed(1)} 秒`,
    ];
    if (missing.length) {
      lines.push(
        `  警告：${missing.length} 个文件有数据行引用，但存储中已没有（未能备份）：${missing.slice(0, 10).join('、')}${missing.length > 10 ? ' …' : ''}`,
      );
    }
    lines.push('', KEY_WARNING);
    return { dir, manifest, missing, report: lines.join('\n') };
  } catch (err) {
    // a failed backup leaves no manifest; its partial files are removed so the directory can be used again
    await fsp.rm(dir, { recursive: true, force: true }).catch(() => {});
    throw err;
  } finally {
    await release();
  }
}
