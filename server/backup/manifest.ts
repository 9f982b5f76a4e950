// A backup directory's manifest (manifest.json, written last: a directory without one is not a finished backup)
// and the comparisons a restore prints: row counts per table and the sha256 of every stored file.
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Writable, type Readable } from 'node:stream';
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import type { FieldCipher } from '../crypto';
import { isStorageKey } from '../storage/storage';

export const MANIFEST = 'manifest.json';
export const FORMAT = 'xjkx-awards-backup';
export const FORMAT_VERSION = 1;

export interface FileEntry {
  key: string;
  size: number;
  sha256: string;
}

export interface Manifest {
  format: typeof FORMAT;
  version: typeof FORMAT_VERSION;
  createdAt: string;
  /** the last migration applied to the database when it was backed up */
  migration: string;
  database: { kind: 'pglite' | 'postgres'; file: string; bytes: number; sha256: string };
  storage: { kind: 'local' | 's3'; files: number; bytes: number };
  /**
   * An HMAC of a fixed text under a key derived from DATA_KEY: lets a restore tell whether the key it was given is
   * the one the data was encrypted with, without the key being in the backup.
   */
  keyCheck: string;
  /** "schema.table" → rows */
  tables: Record<string, number>;
  /** the columns that were read for storage keys ("schema.table.column") */
  keyColumns: string[];
  files: FileEntry[];
}

export const keyCheckOf = (cipher: FieldCipher) => cipher.keyedHash('xjkx-awards backup key check v1');

export async function sha256File(file: string): Promise<{ sha256: string; size: number }> {
  const hash = crypto.createHash('sha256');
  let size = 0;
  for await (const chunk of fs.createReadStream(file)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

/** Writes a stream to `file` (temp name, fsync, rename) and returns its hash and size. */
export async function writeStream(source: Readable, file: string): Promise<{ sha256: string; size: number }> {
  await fsp.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.part`;
  const hash = crypto.createHash('sha256');
  let size = 0;
  const fh = await fsp.open(tmp, 'w', 0o600);
  try {
    await pipeline(
      source,
      new Writable({
        write(chunk: Buffer, _enc, cb) {
          hash.update(chunk);
          size += chunk.length;
          fh.write(chunk).then(() => cb(), cb);
        },
      }),
    );
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fsp.rename(tmp, file);
  return { sha256: hash.digest('hex'), size };
}

type Query = (text: string) => Promise<Record<string, unknown>[]>;

export const queryOf =
  (db: Db): Query =>
  async (text) => {
    const result = (await db.execute(sql.raw(text))) as unknown as { rows: Record<string, unknown>[] };
    return result.rows;
  };

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Rows of every table (every schema but the system's), "schema.table" → count. */
export async function countRows(query: Query): Promise<Record<string, number>> {
  const tables = await query(
    `select table_schema as s, table_name as t from information_schema.tables
     where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema') order by 1, 2`,
  );
  const counts: Record<string, number> = {};
  for (const { s, t } of tables as { s: string; t: string }[]) {
    const [row] = await query(`select count(*)::int as n from ${ident(s)}.${ident(t)}`);
    counts[`${s}.${t}`] = Number(row?.n);
  }
  return counts;
}

/**
 * Every storage key a row points to: the values of the public schema's text columns named *_key that have the shape
 * of a storage key (attachments' storage_key and preview_key, jobs' result_key, certificates, seals, upload parts …:
 * a new table holding files is found without a change here).
 */
export async function referencedKeys(query: Query): Promise<{ keys: Set<string>; columns: string[] }> {
  const cols = (await query(
    `select table_name as t, column_name as c from information_schema.columns
     where table_schema = 'public' and data_type = 'text' and column_name like '%\\_key' order by 1, 2`,
  )) as { t: string; c: string }[];
  const keys = new Set<string>();
  const columns: string[] = [];
  for (const { t, c } of cols) {
    const rows = await query(`select distinct ${ident(c)} as k from public.${ident(t)} where ${ident(c)} like '__/%'`);
    let found = false;
    for (const { k } of rows) {
      if (isStorageKey(k)) {
        keys.add(k);
        found = true;
      }
    }
    if (found) columns.push(`public.${t}.${c}`);
  }
  return { keys, columns };
}

export function readManifest(dir: string): Manifest {
  const file = path.join(dir, MANIFEST);
  if (!fs.existsSync(file)) {
    throw new Error(`${dir} 中没有 ${MANIFEST}：这不是一份完整的备份（备份在写完清单前中断，或目录不对）`);
  }
  let m: Manifest;
  try {
    m = JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
  } catch {
    throw new Error(`${file} 无法读取：备份清单已损坏`);
  }
  if (m.format !== FORMAT || m.version !== FORMAT_VERSION) throw new Error(`${file} 不是本平台的备份清单（格式 ${String(m.format)} ${String(m.version)}）`);
  return m;
}

export interface Difference {
  what: string;
  expected: string;
  actual: string;
}

/** The comparison of row counts, printed line by line; the differences returned. */
export function compareTables(expected: Record<string, number>, actual: Record<string, number>, lines: string[]): Difference[] {
  const diffs: Difference[] = [];
  lines.push(`数据表 ${Object.keys(expected).length} 张：`);
  for (const [table, n] of Object.entries(expected)) {
    const got = actual[table];
    const ok = got === n;
    lines.push(`  ${ok ? '一致' : '不一致'}  ${table}  备份 ${n} 行，恢复后 ${got ?? '（表不存在）'}${got === undefined ? '' : ' 行'}`);
    if (!ok) diffs.push({ what: `数据表 ${table}`, expected: `${n} 行`, actual: got === undefined ? '表不存在' : `${got} 行` });
  }
  for (const table of Object.keys(actual)) {
    if (!(table in expected)) {
      lines.push(`  多出  ${table}  ${actual[table]} 行（备份中没有这张表）`);
      diffs.push({ what: `数据表 ${table}`, expected: '不存在', actual: `${actual[table]} 行` });
    }
  }
  return diffs;
}

/** The comparison of files: `actual` holds what was found for each key (null: absent). */
export function compareFiles(expected: FileEntry[], actual: Map<string, { sha256: string; size: number } | null>, lines: string[]): Difference[] {
  const diffs: Difference[] = [];
  for (const f of expected) {
    const got = actual.get(f.key);
    if (!got) diffs.push({ what: `文件 ${f.key}`, expected: `${f.size} 字节 sha256 ${f.sha256}`, actual: '缺失' });
    else if (got.sha256 !== f.sha256 || got.size !== f.size) {
      diffs.push({ what: `文件 ${f.key}`, expected: `${f.size} 字节 sha256 ${f.sha256}`, actual: `${got.size} 字节 sha256 ${got.sha256}` });
    }
  }
  const bytes = expected.reduce((n, f) => n + f.size, 0);
  lines.push(`文件 ${expected.length} 个（${formatBytes(bytes)}）：${expected.length - diffs.length} 个一致，${diffs.length} 个不一致或缺失`);
  for (const d of diffs) lines.push(`  不一致  ${d.what}  应为 ${d.expected}，实际 ${d.actual}`);
  return diffs;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

export const KEY_WARNING =
  '注意：密钥（环境变量 DATA_KEY，未设置时为数据目录中的 data.key 文件）不在备份中。身份证号码等字段用它加密，没有它备份无法使用。' +
  '请把密钥另行保管（与备份分开存放，例如保密柜或另一台机器），恢复时用环境变量 DATA_KEY 或 --key-file 提供。';
