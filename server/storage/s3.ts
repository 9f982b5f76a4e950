import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  S3ServiceException,
  type BucketLocationConstraint,
  type ListObjectsV2CommandOutput,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { S3Config } from '../config';
import { checkKey, checkRange, isStorageKey, newStorageKey, StorageNotFoundError, type Storage, type StoredObject } from './storage';

const MiB = 1024 * 1024;

export interface S3Storage extends Storage {
  readonly kind: 's3';
  /** Creates the bucket when it does not exist yet; run once at startup. */
  ensureBucket(): Promise<void>;
  /** Closes the client's pooled connections. */
  close(): void;
}

function createClient(config: S3Config): S3Client {
  return new S3Client({
    endpoint: config.endpoint,
    region: config.region,
    forcePathStyle: config.forcePathStyle,
    credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
    // Since SDK 3.729 the client adds CRC32 checksums by default and sends streaming bodies as
    // `aws-chunked` with a trailing checksum. s3rver 3.7 stores that framing as the object's bytes
    // (a 5,000-byte stream became a 5,044-byte object), and other S3-compatible servers that predate
    // these checksums reject it; checksums only where the API requires them work everywhere.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: {
      connectionTimeout: 10_000,
      // each open download (video playback) holds a socket until it is read; the SDK default of 50 would queue the 51st viewer
      httpAgent: { maxSockets: 256 },
      httpsAgent: { maxSockets: 256 },
    },
  });
}

/** The endpoint as it may appear in logs and messages: no user info, query or path. */
function describeEndpoint(endpoint: string): string {
  const url = new URL(endpoint);
  return `${url.protocol}//${url.host}`;
}

const isNamed = (err: unknown, ...names: string[]) => err instanceof S3ServiceException && names.includes(err.name);

function asReadable(body: unknown, what: string): Readable {
  if (body instanceof Readable) return body;
  throw new Error(`${what}：返回内容不是数据流`);
}

export function createS3Storage(config: S3Config, dataDir: string): S3Storage {
  const client = createClient(config);
  const Bucket = config.bucket;
  const where = `对象存储 ${describeEndpoint(config.endpoint)} 的存储桶 ${Bucket}`;
  const tmpDir = path.join(dataDir, 'tmp');
  fs.mkdirSync(tmpDir, { recursive: true });

  /** S3 errors carry the endpoint and bucket for the operator; the SDK puts no credentials in them. */
  const failure = (action: string, err: unknown, key?: string) => {
    const detail = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    return new Error(`${where}：${action}${key ? ` ${key} ` : ''}失败（${detail}）`, { cause: err });
  };

  async function listPage(token: string | undefined): Promise<ListObjectsV2CommandOutput> {
    try {
      return await client.send(new ListObjectsV2Command({ Bucket, ContinuationToken: token }));
    } catch (err) {
      throw failure('列出文件', err);
    }
  }

  return {
    kind: 's3',
    tmpDir,
    async putFile(tmpPath, opts) {
      const key = newStorageKey();
      // multipart from a file stream: at most partSize × (queueSize + 1) bytes in memory, even for a 1 GB video
      const upload = new Upload({
        client,
        params: { Bucket, Key: key, Body: fs.createReadStream(tmpPath), ContentType: opts?.contentType },
        partSize: 8 * MiB,
        queueSize: 2,
      });
      try {
        await upload.done();
      } catch (err) {
        throw failure('上传文件', err, key);
      }
      await fsp.rm(tmpPath, { force: true });
      return key;
    },
    async open(key, range) {
      checkKey(key);
      if (range) checkRange(range);
      const out = await client.send(new GetObjectCommand({ Bucket, Key: key, Range: range && `bytes=${range.start}-${range.end}` })).catch((err: unknown) => {
        throw isNamed(err, 'NoSuchKey', 'NotFound') ? new StorageNotFoundError(key) : failure('读取文件', err, key);
      });
      return asReadable(out.Body, `${where}：读取文件 ${key}`);
    },
    async stat(key) {
      checkKey(key);
      try {
        const out = await client.send(new HeadObjectCommand({ Bucket, Key: key }));
        return { size: out.ContentLength ?? 0 };
      } catch (err) {
        if (isNamed(err, 'NotFound', 'NoSuchKey')) return null;
        throw failure('查询文件', err, key);
      }
    },
    async remove(key) {
      checkKey(key);
      try {
        await client.send(new DeleteObjectCommand({ Bucket, Key: key }));
      } catch (err) {
        throw failure('删除文件', err, key);
      }
    },
    async *list(): AsyncGenerator<StoredObject> {
      let token: string | undefined;
      do {
        const page = await listPage(token);
        for (const o of page.Contents ?? []) {
          // the bucket may be shared: anything not shaped like our keys is not ours to sweep
          if (isStorageKey(o.Key)) yield { key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified ?? new Date(0) };
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    },
    async ensureBucket() {
      try {
        await client.send(new HeadBucketCommand({ Bucket }));
        return;
      } catch (err) {
        if (!isNamed(err, 'NotFound', 'NoSuchBucket')) throw failure('检查存储桶', err);
      }
      // us-east-1 is the one region that must not be named as a location constraint
      const location = config.region === 'us-east-1' ? undefined : { LocationConstraint: config.region as BucketLocationConstraint };
      try {
        await client.send(new CreateBucketCommand({ Bucket, CreateBucketConfiguration: location }));
      } catch (err) {
        if (!isNamed(err, 'BucketAlreadyOwnedByYou')) throw failure('创建存储桶', err);
      }
    },
    close: () => client.destroy(),
  };
}
