// `npm run cli -- restore --from DIR [--key-file FILE] [--force]`: checks the backup against its manifest (a changed
// or missing file, a changed dump is refused before anything is written), checks the key against the manifest's key
// check, restores into a fresh DATA_DIR (PGlite) or an empty database (PostgreSQL, pg_restore) and the file store,
// then reads everything back and prints the comparison with the manifest: row counts of every table, the sha256 of
// every file. A target that is not empty is refused unless --force.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import pg from 'pg';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../config';
import { createFieldCipher, parseKey } from '../crypto';
import { dataDirOwner, lockDataDir } from '../db/client';
import { createStorage } from '../storage';
import { isStorageKey, type Storage } from '../storage/storage';
import { findPgTool, pgEnv, runPgTool } from './pgtools';
import {
  compareFiles,
  compareTables,
  countRows,
  formatBytes,
  keyCheckOf,
  readManifest,
  sha256File,
  writeStream,
  type Difference,
  type Manifest,
} from './manifest';
import crypto from 'node:crypto';

export interface RestoreOptions {
  fromDir: string;
  keyFile?: string;
  force?: boolean;
}

export interface RestoreResult {
  ok: boolean;
  report: string;
  differences: Difference[];
}

export class RestoreRefused extends Error {}

/** The backup as it lies in DIR against its own manifest: the dump's hash and every file's. */
export async function verifyBackupDir(dir: string, m: Manifest, lines: string[]): Promise<Difference[]> {
  const diffs: Difference[] = [];
  const dumpFile = path.join(dir, m.database.file);
  const dump = fs.existsSync(dumpFile) ? await sha256File(dumpFile) : null;
  if (!dump) diffs.push({ what: `数据库文件 ${m.database.file}`, expected: `sha256 ${m.database.sha256}`, actual: '缺失' });
  else if (dump.sha256 !== m.database.sha256 || dump.size !== m.database.bytes) {
    diffs.push({
      what: `数据库文件 ${m.database.file}`,
      expected: `${m.database.bytes} 字节 sha256 ${m.database.sha256}`,
      actual: `${dump.size} 字节 sha256 ${dump.sha256}`,
    });
  }
  const found = new Map<string, { sha256: string; size: number } | null>();
  for (const f of m.files) {
    if (!isStorageKey(f.key)) throw new RestoreRefused(`备份清单中的文件名不合法：${JSON.stringify(f.key).slice(0, 80)}`);
    const file = path.join(dir, 'files', f.key);
    found.set(f.key, fs.existsSync(file) ? await sha256File(file) : null);
  }
  lines.push(`检查备份目录 ${dir}：`);
  lines.push(`  数据库文件 ${m.database.file}：${diffs.length ? '与清单不符' : '与清单一致'}`);
  const fileLines: string[] = [];
  diffs.push(...compareFiles(m.files, found, fileLines));
  lines.push(...fileLines.map((l) => `  ${l}`));
  return diffs;
}

function resolveKey(config: Config, keyFile: string | undefined): { key: Buffer; writeKeyFile: boolean; source: string } {
  const dataKeyFile = path.join(config.dataDir, 'data.key');
  if (config.dataKey) {
    if (keyFile && !parseKey(fs.readFileSync(keyFile, 'utf8')).equals(parseKey(config.dataKey))) {
      throw new RestoreRefused('同时给出了环境变量 DATA_KEY 和 --key-file，且两者不同：平台启动时使用 DATA_KEY，请只保留正确的一个');
    }
    return { key: parseKey(config.dataKey), writeKeyFile: false, source: '环境变量 DATA_KEY' };
  }
  if (keyFile) {
    if (!fs.existsSync(keyFile)) throw new RestoreRefused(`--key-file 指定的文件 ${keyFile} 不存在`);
    const key = parseKey(fs.readFileSync(keyFile, 'utf8'));
    if (fs.existsSync(dataKeyFile) && !parseKey(fs.readFileSync(dataKeyFile, 'utf8')).equals(key)) {
      throw new RestoreRefused(`数据目录中已有另一个密钥文件 ${dataKeyFile}：请恢复到新的数据目录，或先移走该文件`);
    }
    return { key, writeKeyFile: !fs.existsSync(dataKeyFile), source: `--key-file ${keyFile}` };
  }
  if (fs.existsSync(dataKeyFile)) return { key: parseKey(fs.readFileSync(dataKeyFile, 'utf8')), writeKeyFile: false, source: dataKeyFile };
  throw new RestoreRefused(
    '备份中没有密钥（这是有意的：密钥须与备份分开保管）。请提供备份时所用的密钥：设置环境变量 DATA_KEY，' +
      '或用 --key-file 指定密钥文件（原数据目录中的 data.key 的副本）',
  );
}

function isNonEmptyDir(dir: string): boolean {
  return fs.existsSync(dir) && fs.readdirSync(dir).length > 0;
}

async function hasObjects(storage: Storage): Promise<boolean> {
  for await (const o of storage.list()) if (o) return true;
  return false;
}

async function restorePglite(config: Config, m: Manifest, dir: string, force: boolean): Promise<Record<string, number>> {
  const owner = dataDirOwner(config.dataDir);
  if (owner) throw new RestoreRefused(`数据目录 ${config.dataDir} 正被运行中的平台（PID ${owner}）使用：请先停止平台，或恢复到另一个数据目录`);
  const pgliteDir = path.join(config.dataDir, 'pglite');
  if (isNonEmptyDir(pgliteDir)) {
    if (!force) throw new RestoreRefused(`数据目录 ${config.dataDir} 中已有数据库：恢复只写入新的数据目录。确要覆盖其中的数据库，请加 --force`);
    await fsp.rm(pgliteDir, { recursive: true, force: true });
  }
  fs.mkdirSync(config.dataDir, { recursive: true });
  const release = lockDataDir(config.dataDir);
  try {
    const dump = await fsp.readFile(path.join(dir, m.database.file));
    const db = await PGlite.create(pgliteDir, { loadDataDir: new Blob([dump]), extensions: { pg_trgm } });
    try {
      return await countRows(async (text) => (await db.query<Record<string, unknown>>(text)).rows);
    } finally {
      await db.close();
    }
  } finally {
    release();
  }
}

async function restorePostgres(config: Config, m: Manifest, dir: string, force: boolean): Promise<Record<string, number>> {
  const url = config.databaseUrl!;
  const tool = findPgTool('pg_restore');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const query = async (text: string) => (await client.query<Record<string, unknown>>(text)).rows;
    const existing = await query(
      `select count(*)::int as n from information_schema.tables where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')`,
    );
    const nonEmpty = Number(existing[0]?.n) > 0;
    if (nonEmpty && !force) {
      throw new RestoreRefused(
        `目标数据库（DATABASE_URL）中已有 ${String(existing[0]?.n)} 张表：恢复只写入空数据库。请新建一个空数据库，或确要覆盖时加 --force`,
      );
    }
    const args = ['--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction'];
    if (nonEmpty) args.push('--clean', '--if-exists');
    const env = pgEnv(url);
    // the database by name only: host, user and password reach pg_restore through the environment
    await runPgTool(tool, [...args, `--dbname=${env.PGDATABASE ?? ''}`, path.join(dir, m.database.file)], env);
    return await countRows(query);
  } finally {
    await client.end();
  }
}

/** Copies the backup's files into the store under their own keys (putFile would give new ones). */
async function restoreFiles(config: Config, storage: Storage, m: Manifest, dir: string): Promise<void> {
  if (storage.kind === 'local') {
    for (const f of m.files) {
      await writeStream(fs.createReadStream(path.join(dir, 'files', f.key)), path.join(config.dataDir, 'files', f.key));
    }
    return;
  }
  const s3 = config.s3!;
  const client = new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: s3.forcePathStyle,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  try {
    for (const f of m.files) {
      const file = path.join(dir, 'files', f.key);
      await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: f.key, Body: fs.createReadStream(file), ContentLength: f.size }));
    }
  } finally {
    client.destroy();
  }
}

async function hashStored(storage: Storage, key: string): Promise<{ sha256: string; size: number } | null> {
  try {
    const hash = crypto.createHash('sha256');
    let size = 0;
    for await (const chunk of await storage.open(key)) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    return { sha256: hash.digest('hex'), size };
  } catch {
    return null;
  }
}

export async function restoreBackup(config: Config, opts: RestoreOptions): Promise<RestoreResult> {
  const started = Date.now();
  const dir = path.resolve(opts.fromDir);
  const m = readManifest(dir);
  const lines: string[] = [`备份 ${dir}：${m.createdAt} 生成，${m.database.kind === 'pglite' ? 'PGlite' : 'PostgreSQL'} 数据库，${m.files.length} 个文件`];

  // 1. the backup itself, before anything is written
  const tampered = await verifyBackupDir(dir, m, lines);
  if (tampered.length) {
    lines.push('备份与其清单不符（文件被改动、缺失或损坏），已拒绝恢复。请换用另一份备份。');
    return { ok: false, report: lines.join('\n'), differences: tampered };
  }

  // 2. the target matches the backup's kind
  if (m.database.kind === 'pglite' && config.databaseUrl) {
    throw new RestoreRefused('这是 PGlite（内置数据库）的备份，只能恢复到数据目录：请不要设置 DATABASE_URL，用 DATA_DIR 指定新的数据目录');
  }
  if (m.database.kind === 'postgres' && !config.databaseUrl) {
    throw new RestoreRefused('这是 PostgreSQL 的备份（pg_dump）：请用 DATABASE_URL 指定一个空数据库');
  }

  // 3. the key, checked against the manifest before anything is written
  const { key, writeKeyFile, source } = resolveKey(config, opts.keyFile);
  if (keyCheckOf(createFieldCipher(key)) !== m.keyCheck) {
    throw new RestoreRefused(`密钥（${source}）不是这份备份所用的密钥：用它无法解密备份中的身份证号码等字段。请提供备份时平台使用的 DATA_KEY 或 data.key`);
  }

  // 4. the file store must be empty too (unless --force)
  const storage = await createStorage(config, config.dataDir);
  try {
    if (await hasObjects(storage)) {
      if (!opts.force) {
        throw new RestoreRefused(
          `目标文件存储（${storage.kind === 's3' ? `对象存储桶 ${config.s3!.bucket}` : path.join(config.dataDir, 'files')}）中已有文件：恢复只写入空的存储。确要覆盖时加 --force`,
        );
      }
      if (storage.kind === 'local') await fsp.rm(path.join(config.dataDir, 'files'), { recursive: true, force: true });
    }

    // 5. database, key file, files
    const tables = m.database.kind === 'pglite' ? await restorePglite(config, m, dir, !!opts.force) : await restorePostgres(config, m, dir, !!opts.force);
    if (writeKeyFile) {
      fs.mkdirSync(config.dataDir, { recursive: true });
      fs.writeFileSync(path.join(config.dataDir, 'data.key'), key.toString('hex') + '\n', { mode: 0o600 });
    }
    await restoreFiles(config, storage, m, dir);

    // 6. read back and compare
    const found = new Map<string, { sha256: string; size: number } | null>();
    for (const f of m.files) found.set(f.key, await hashStored(storage, f.key));
    lines.push('', '恢复后与备份清单比较：');
    const differences = [...compareTables(m.tables, tables, lines), ...compareFiles(m.files, found, lines)];
    const seconds = (Date.now() - started) / 1000;
    const bytes = m.database.bytes + m.storage.bytes;
    lines.push(
      '',
      differences.length
        ? `恢复结果与备份不一致：${differences.length} 处（见上）。请勿使用该数据目录/数据库，检查后重新恢复。`
        : `恢复完成，全部一致：${Object.keys(m.tables).length} 张表、${m.files.length} 个文件。用时 ${seconds.toFixed(1)} 秒（${formatBytes(bytes)}）。`,
    );
    if (!differences.length) {
      lines.push(
        m.database.kind === 'pglite'
          ? `数据目录：${config.dataDir}${writeKeyFile ? '（已写入密钥文件 data.key）' : ''}。用同一 DATA_DIR 启动平台即可（npm start），新版本的迁移在启动时执行。`
          : '数据库已恢复。用同一 DATABASE_URL 启动平台即可（npm start），新版本的迁移在启动时执行。',
      );
    }
    return { ok: differences.length === 0, report: lines.join('\n'), differences };
  } finally {
    (storage as { close?: () => void }).close?.();
  }
}
