import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { loadConfig } from '../config';
import { createStorage } from './index';
import { createS3Storage } from './s3';
import { createLocalStorage, StorageNotFoundError, type Storage, type StoredObject } from './storage';
import { startS3 } from '../testing/s3';

const MiB = 1024 * 1024;
const tmpRoots: string[] = [];
function tmpRoot(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `xjkx-storage-${name}-`));
  tmpRoots.push(dir);
  return dir;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function sha256Of(stream: Readable): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function collect(items: AsyncIterable<StoredObject>): Promise<StoredObject[]> {
  const out: StoredObject[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** Every file under a directory with its size and time: "nothing touched" means this did not change. */
function snapshot(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => {
      const file = path.join(e.parentPath, e.name);
      const st = fs.statSync(file);
      return `${path.relative(dir, file)} ${st.size} ${st.mtimeMs}`;
    })
    .sort();
}

/** createStorage() returns a plain Storage; the S3 one also holds a connection pool to close. */
function closeStorage(storage: Storage): void {
  if ('close' in storage && typeof storage.close === 'function') storage.close();
}

async function writeTemp(storage: Storage, bytes: Buffer): Promise<string> {
  const file = path.join(storage.tmpDir, `${crypto.randomUUID()}.part`);
  await fsp.writeFile(file, bytes);
  return file;
}

let s3: Awaited<ReturnType<typeof startS3>>;

beforeAll(async () => {
  s3 = await startS3();
});

afterAll(async () => {
  await s3?.close();
  await Promise.all(tmpRoots.map((dir) => fsp.rm(dir, { recursive: true, force: true })));
});

interface Subject {
  storage: Storage;
  /** where the bytes end up, for checking that refused calls touched nothing */
  backingDir: string;
  close(): void;
}

const subjects: [string, () => Promise<Subject>][] = [
  [
    'local',
    async () => {
      const root = tmpRoot('local');
      return { storage: createLocalStorage(root), backingDir: root, close: () => {} };
    },
  ],
  [
    's3',
    async () => {
      // through the factory, so the bucket is created by ensureBucket() as at startup
      const storage = await createStorage({ s3: s3.config }, tmpRoot('s3-data'));
      return { storage, backingDir: s3.directory, close: () => closeStorage(storage) };
    },
  ],
];

describe.each(subjects)('%s storage', (kind, make) => {
  let subject: Subject;
  let storage: Storage;
  beforeAll(async () => {
    subject = await make();
    storage = subject.storage;
  });
  afterAll(() => subject?.close());

  it(`is the ${kind} implementation`, () => {
    expect(storage.kind).toBe(kind);
    expect(fs.statSync(storage.tmpDir).isDirectory()).toBe(true);
  });

  it('puts a file, reads it whole and by range, lists it, and removes it', async () => {
    const bytes = crypto.randomBytes(1000);
    const tmp = await writeTemp(storage, bytes);
    const key = await storage.putFile(tmp, { contentType: 'application/pdf' });
    expect(key).toMatch(/^[0-9a-f]{2}\/[0-9a-f-]{36}$/);
    expect(key.slice(0, 2)).toBe(key.slice(3, 5));
    expect(fs.existsSync(tmp)).toBe(false);

    expect(await storage.stat(key)).toEqual({ size: 1000 });
    expect((await readAll(await storage.open(key))).equals(bytes)).toBe(true);
    expect((await readAll(await storage.open(key, { start: 10, end: 19 }))).equals(bytes.subarray(10, 20))).toBe(true);
    expect((await readAll(await storage.open(key, { start: 999, end: 999 }))).equals(bytes.subarray(999))).toBe(true);

    const listed = (await collect(storage.list())).find((o) => o.key === key);
    expect(listed).toMatchObject({ key, size: 1000 });
    expect(listed!.lastModified).toBeInstanceOf(Date);
    expect(Math.abs(listed!.lastModified.getTime() - Date.now())).toBeLessThan(60_000);

    await storage.remove(key);
    expect(await storage.stat(key)).toBeNull();
    await expect(storage.open(key)).rejects.toBeInstanceOf(StorageNotFoundError);
    await expect(storage.open(key, { start: 0, end: 9 })).rejects.toBeInstanceOf(StorageNotFoundError);
    expect((await collect(storage.list())).map((o) => o.key)).not.toContain(key);
    await storage.remove(key); // removing twice is fine
  });

  it('gives every put its own key and lists them all', async () => {
    const keys = await Promise.all([1, 2, 3].map(async (n) => storage.putFile(await writeTemp(storage, Buffer.alloc(n, n)))));
    expect(new Set(keys).size).toBe(3);
    const listed = await collect(storage.list());
    for (const [i, key] of keys.entries()) expect(listed).toContainEqual(expect.objectContaining({ key, size: i + 1 }));
    await Promise.all(keys.map((key) => storage.remove(key)));
  });

  it('refuses keys it did not generate and invalid ranges, touching nothing', async () => {
    const key = await storage.putFile(await writeTemp(storage, Buffer.from('keep me')));
    const before = snapshot(subject.backingDir);
    const bad = [
      '../../etc/passwd',
      'a/b',
      '',
      '/etc/passwd',
      `${key}/..`,
      `${key.slice(0, 3)}../${key.slice(5)}`,
      key.toUpperCase(),
      `ff/${key.slice(3)}`,
      ` ${key}`,
      `${key}\n`,
    ];
    for (const k of bad) {
      await expect(storage.open(k), k).rejects.toThrow(/存储键不合法/);
      await expect(storage.stat(k), k).rejects.toThrow(/存储键不合法/);
      await expect(storage.remove(k), k).rejects.toThrow(/存储键不合法/);
    }
    for (const range of [
      { start: -1, end: 3 },
      { start: 5, end: 4 },
      { start: 0.5, end: 3 },
      { start: 0, end: Number.NaN },
    ]) {
      await expect(storage.open(key, range)).rejects.toThrow(/读取范围不合法/);
    }
    expect(snapshot(subject.backingDir)).toEqual(before);
    expect((await readAll(await storage.open(key))).toString()).toBe('keep me');
    await storage.remove(key);
  });

  it('streams a 20 MB file in and out intact, including a range across a part boundary', async () => {
    const bytes = crypto.randomBytes(20 * MiB + 123);
    const digest = crypto.createHash('sha256').update(bytes).digest('hex');
    const key = await storage.putFile(await writeTemp(storage, bytes), { contentType: 'video/mp4' });
    expect(await storage.stat(key)).toEqual({ size: bytes.length });
    expect(await sha256Of(await storage.open(key))).toBe(digest);
    const range = { start: 8 * MiB - 5, end: 8 * MiB + 4 };
    expect((await readAll(await storage.open(key, range))).equals(bytes.subarray(range.start, range.end + 1))).toBe(true);
    const last = await readAll(await storage.open(key, { start: bytes.length - 7, end: bytes.length - 1 }));
    expect(last.equals(bytes.subarray(-7))).toBe(true);
    await storage.remove(key);
  });
});

describe('s3 storage against s3rver', () => {
  it('uploads large files as multipart in 8 MiB parts and deletes the temp file afterwards', async () => {
    const storage = createS3Storage(s3.config, tmpRoot('s3-multipart'));
    await storage.ensureBucket();
    const send = vi.spyOn(S3Client.prototype, 'send');
    try {
      const bytes = crypto.randomBytes(20 * MiB);
      const tmp = await writeTemp(storage, bytes);
      const key = await storage.putFile(tmp);
      const commands = send.mock.calls.map(([command]) => command.constructor.name);
      expect(commands.filter((c) => c === 'CreateMultipartUploadCommand')).toHaveLength(1);
      expect(commands.filter((c) => c === 'UploadPartCommand')).toHaveLength(3); // 8 + 8 + 4 MiB
      expect(commands.filter((c) => c === 'CompleteMultipartUploadCommand')).toHaveLength(1);
      expect(commands).not.toContain('PutObjectCommand');
      expect(fs.existsSync(tmp)).toBe(false);
      expect(await storage.stat(key)).toEqual({ size: bytes.length });
      expect(await sha256Of(await storage.open(key))).toBe(crypto.createHash('sha256').update(bytes).digest('hex'));
      await storage.remove(key);
    } finally {
      send.mockRestore();
      storage.close();
    }
  });

  it('creates the bucket once and accepts an existing one on the next start', async () => {
    const config = { ...s3.config, bucket: 'second-bucket' };
    const first = await createStorage({ s3: config }, tmpRoot('s3-again'));
    const key = await first.putFile(await writeTemp(first, Buffer.from('still here')));
    const second = await createStorage({ s3: config }, tmpRoot('s3-again'));
    expect((await readAll(await second.open(key))).toString()).toBe('still here');
    await second.remove(key);
    closeStorage(first);
    closeStorage(second);
  });

  it('fails with a Chinese message naming the endpoint and bucket but not the secret, keeping the temp file', async () => {
    // s3rver checks the access key id but not SigV4 signatures, so the key id is what is wrong here
    const wrong = { ...s3.config, accessKeyId: 'NOSUCHKEY', secretAccessKey: 'wrong-secret-value' };
    await expect(createStorage({ s3: wrong }, tmpRoot('s3-wrong'))).rejects.toThrow(
      new RegExp(`对象存储 ${s3.config.endpoint.replace(/\./g, '\\.')} 的存储桶 awards-files：检查存储桶失败`),
    );
    const storage = createS3Storage(wrong, tmpRoot('s3-wrong'));
    try {
      const tmp = await writeTemp(storage, Buffer.from('not uploaded'));
      const err = await storage.putFile(tmp).then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(err?.message).toMatch(/^对象存储 http:\/\/127\.0\.0\.1:\d+ 的存储桶 awards-files：上传文件 [0-9a-f]{2}\/[0-9a-f-]{36} 失败/);
      expect(err?.message).not.toContain('wrong-secret-value');
      expect(fs.existsSync(tmp)).toBe(true);
    } finally {
      storage.close();
    }
  });

  it('fails clearly when the endpoint is unreachable', async () => {
    const closed = { ...s3.config, endpoint: 'http://127.0.0.1:9' };
    await expect(createStorage({ s3: closed }, tmpRoot('s3-down'))).rejects.toThrow(/对象存储 http:\/\/127\.0\.0\.1:9 的存储桶 awards-files：检查存储桶失败/);
  });

  it('lists only keys of its own shape in a shared bucket', async () => {
    const storage = createS3Storage(s3.config, tmpRoot('s3-shared'));
    try {
      const client = new S3Client({
        endpoint: s3.config.endpoint,
        region: s3.config.region,
        forcePathStyle: true,
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      });
      await client.send(new PutObjectCommand({ Bucket: s3.config.bucket, Key: 'backups/other.tar', Body: 'x' }));
      client.destroy();
      expect((await collect(storage.list())).map((o) => o.key)).not.toContain('backups/other.tar');
    } finally {
      storage.close();
    }
  });
});

describe('createStorage', () => {
  it('uses local files under DATA_DIR when S3 is not configured', async () => {
    const root = tmpRoot('factory');
    const storage = await createStorage({ s3: null }, root);
    expect(storage.kind).toBe('local');
    expect(storage.tmpDir).toBe(path.join(root, 'tmp'));
  });
});

describe('S3_* configuration', () => {
  const full = { S3_ENDPOINT: 'https://oss.example.cn', S3_BUCKET: 'awards', S3_ACCESS_KEY_ID: 'AK', S3_SECRET_ACCESS_KEY: 'SK' };

  it('is off without S3_* and complete with defaults when all four are set', () => {
    expect(loadConfig({}).s3).toBeNull();
    expect(loadConfig({ S3_REGION: 'cn-north-1' }).s3).toBeNull();
    expect(loadConfig(full).s3).toEqual({
      endpoint: 'https://oss.example.cn',
      bucket: 'awards',
      accessKeyId: 'AK',
      secretAccessKey: 'SK',
      region: 'us-east-1',
      forcePathStyle: true,
    });
    expect(loadConfig({ ...full, S3_REGION: 'cn-xinjiang', S3_FORCE_PATH_STYLE: 'false' }).s3).toMatchObject({ region: 'cn-xinjiang', forcePathStyle: false });
  });

  it('names the missing variables in Chinese when only some are set', () => {
    expect(() => loadConfig({ S3_ENDPOINT: full.S3_ENDPOINT, S3_BUCKET: 'awards' })).toThrow(
      '对象存储配置不完整：已设置 S3_ENDPOINT、S3_BUCKET，但缺少 S3_ACCESS_KEY_ID、S3_SECRET_ACCESS_KEY。请补全这些环境变量，或全部删除以改用本地存储',
    );
    expect(() => loadConfig({ ...full, S3_SECRET_ACCESS_KEY: '' })).toThrow(/缺少 S3_SECRET_ACCESS_KEY。/);
  });

  it('refuses an endpoint that is not an http(s) address and a non-boolean path style', () => {
    expect(() => loadConfig({ ...full, S3_ENDPOINT: 'oss.example.cn' })).toThrow(/S3_ENDPOINT 应为 http:\/\/ 或 https:\/\//);
    expect(() => loadConfig({ ...full, S3_FORCE_PATH_STYLE: 'maybe' })).toThrow(/S3_FORCE_PATH_STYLE 应为 true 或 false/);
  });
});
