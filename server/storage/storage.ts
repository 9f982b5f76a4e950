import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';

/**
 * Where uploaded files live. Keys are generated ids, never user-supplied names.
 * The local implementation is the embedded default; S3-compatible storage is the production one.
 */
export interface Storage {
  /** Moves a complete, checked temporary file into storage durably and returns its key. */
  putFile(tmpPath: string): Promise<string>;
  open(key: string): Promise<Readable>;
  remove(key: string): Promise<void>;
  /** A directory for temporary files on the same file system as the store. */
  tmpDir: string;
}

export function createLocalStorage(root: string): Storage {
  const filesDir = path.join(root, 'files');
  const tmpDir = path.join(root, 'tmp');
  fs.mkdirSync(filesDir, { recursive: true });
  fs.mkdirSync(tmpDir, { recursive: true });
  const pathOf = (key: string) => {
    if (!/^[0-9a-f]{2}\/[0-9a-f-]{36}$/.test(key)) throw new Error(`invalid storage key ${key}`);
    return path.join(filesDir, key);
  };
  return {
    tmpDir,
    async putFile(tmpPath) {
      const id = crypto.randomUUID();
      const key = `${id.slice(0, 2)}/${id}`;
      const target = pathOf(key);
      await fsp.mkdir(path.dirname(target), { recursive: true });
      // temp file → fsync → rename → fsync the directory: the file is whole or absent after a crash.
      const fh = await fsp.open(tmpPath, 'r+');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
      await fsp.rename(tmpPath, target);
      const dir = await fsp.open(path.dirname(target), 'r');
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
      return key;
    },
    async open(key) {
      return fs.createReadStream(pathOf(key));
    },
    async remove(key) {
      await fsp.rm(pathOf(key), { force: true });
    },
  };
}
