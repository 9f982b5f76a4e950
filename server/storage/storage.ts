import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';

export interface StoredObject {
  key: string;
  size: number;
  lastModified: Date;
}

/** An inclusive byte range inside the object (the caller clamps it to `stat().size`). */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Where uploaded files live. Keys are generated ids, never user-supplied names.
 * The local implementation is the embedded default; S3-compatible storage is the production one.
 */
export interface Storage {
  /** Moves a complete, checked temporary file into storage durably and returns its generated key. */
  putFile(tmpPath: string, opts?: { contentType?: string }): Promise<string>;
  /** Reads the whole object or an inclusive byte range (for HTTP Range requests / video seeking); rejects with StorageNotFoundError when absent. */
  open(key: string, range?: ByteRange): Promise<Readable>;
  stat(key: string): Promise<{ size: number } | null>;
  /** Removing an absent object is not an error. */
  remove(key: string): Promise<void>;
  /** Every stored key with its time, for sweeping orphans (objects with no database row). */
  list(): AsyncIterable<StoredObject>;
  /** A directory for temporary files (on the same file system as the local store; a local temp dir under DATA_DIR for S3). */
  tmpDir: string;
  readonly kind: 'local' | 's3';
}

export class StorageNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`存储中没有文件 ${key}`);
    this.name = 'StorageNotFoundError';
  }
}

// `xx/uuid` where xx repeats the uuid's first two characters: nothing else may reach a path or an object key.
const KEY = /^([0-9a-f]{2})\/\1[0-9a-f]{6}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const isStorageKey = (key: unknown): key is string => typeof key === 'string' && KEY.test(key);

export function newStorageKey(): string {
  const id = crypto.randomUUID();
  return `${id.slice(0, 2)}/${id}`;
}

export function checkKey(key: unknown): string {
  if (!isStorageKey(key)) throw new Error(`文件存储键不合法：${JSON.stringify(String(key).slice(0, 80))}`);
  return key;
}

export function checkRange(range: ByteRange): ByteRange {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new Error(`读取范围不合法：${start}-${end}`);
  }
  return range;
}

const isMissing = (err: unknown) => err instanceof Error && 'code' in err && err.code === 'ENOENT';

async function syncPath(p: string, flags: string): Promise<void> {
  const fh = await fsp.open(p, flags);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function statFile(file: string): Promise<fs.Stats | null> {
  try {
    return await fsp.stat(file);
  } catch (err) {
    if (isMissing(err)) return null;
    throw err;
  }
}

/** Walks files/xx/uuid one directory entry at a time, so a million files never sit in one array. */
async function* walkFiles(filesDir: string): AsyncGenerator<StoredObject> {
  for await (const prefix of await fsp.opendir(filesDir)) {
    if (!prefix.isDirectory() || !/^[0-9a-f]{2}$/.test(prefix.name)) continue;
    for await (const entry of await fsp.opendir(path.join(filesDir, prefix.name))) {
      const key = `${prefix.name}/${entry.name}`;
      if (!entry.isFile() || !isStorageKey(key)) continue;
      // removed since the directory was read (a concurrent delete or sweep)
      const st = await statFile(path.join(filesDir, key));
      if (st) yield { key, size: st.size, lastModified: st.mtime };
    }
  }
}

export function createLocalStorage(root: string): Storage {
  const filesDir = path.join(root, 'files');
  const tmpDir = path.join(root, 'tmp');
  fs.mkdirSync(filesDir, { recursive: true });
  fs.mkdirSync(tmpDir, { recursive: true });
  const pathOf = (key: string) => path.join(filesDir, checkKey(key));
  return {
    kind: 'local',
    tmpDir,
    async putFile(tmpPath) {
      const key = newStorageKey();
      const target = pathOf(key);
      await fsp.mkdir(path.dirname(target), { recursive: true });
      // temp file → fsync → rename → fsync the directory: the file is whole or absent after a crash.
      await syncPath(tmpPath, 'r+');
      await fsp.rename(tmpPath, target);
      await syncPath(path.dirname(target), 'r');
      return key;
    },
    async open(key, range) {
      const file = pathOf(key);
      if (range) checkRange(range);
      // opening the handle first makes a missing file reject here rather than error later on the stream
      const fh = await fsp.open(file, 'r').catch((err: unknown) => {
        throw isMissing(err) ? new StorageNotFoundError(key) : err;
      });
      return fh.createReadStream(range ? { start: range.start, end: range.end } : {});
    },
    async stat(key) {
      const st = await statFile(pathOf(key));
      return st && { size: st.size };
    },
    async remove(key) {
      await fsp.rm(pathOf(key), { force: true });
    },
    list: () => walkFiles(filesDir),
  };
}
