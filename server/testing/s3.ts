import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { S3Config } from '../config';

// s3rver ships no type declarations; this is the part of its API the tests use.
interface S3rverServer {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverClass = new (options: { port: number; address: string; silent: boolean; directory: string; configureBuckets: never[] }) => S3rverServer;
const require = createRequire(import.meta.url);
const S3rver = require('s3rver') as S3rverClass;

// s3rver's deleteObject removes the object's prefix directories once empty (`0e/` of `0e/0e57…`). A put into the same
// prefix at that moment (mkdirp, then createWriteStream) finds the directory gone, and the write stream's ENOENT is an
// unhandled 'error' event that kills the whole process (bench:surge died of it: uploads deleted while others stored).
// S3 itself has no directories: delete the object's files only; the empty directories go with the store at close.
interface FilesystemStoreProto {
  getResourcePath(bucket: string, key: string, resource: string): string;
  deleteObject(bucket: string, key: string): Promise<void>;
}
const store = (require('s3rver/lib/stores/filesystem') as { prototype: FilesystemStoreProto }).prototype;
store.deleteObject = async function deleteObject(this: FilesystemStoreProto, bucket: string, key: string) {
  await Promise.all(
    ['object', 'object.md5', 'metadata.json'].map((resource) =>
      fs.promises.unlink(this.getResourcePath(bucket, key, resource)).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      }),
    ),
  );
};

/** A real S3-compatible server (s3rver) on a free loopback port, its objects in a temporary directory. */
export async function startS3(bucket = 'awards-files') {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'xjkx-s3rver-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: [] });
  const { port } = await server.run();
  const config: S3Config = {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    region: 'us-east-1',
    forcePathStyle: true,
  };
  /** The same settings as environment variables, as an operator would give them. */
  const env = { S3_ENDPOINT: config.endpoint, S3_BUCKET: bucket, S3_ACCESS_KEY_ID: 'S3RVER', S3_SECRET_ACCESS_KEY: 'S3RVER' };
  return {
    config,
    env,
    directory,
    async close() {
      await server.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}
