import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pngBytes } from '../testing/files';
import { fixtureBytes, hostileCorpus, jpegClaimingSize, jpegHasGps, jpegImage, jpegOfSize, jpegSegments } from '../testing/media-fixtures';
import { MediaError } from './probe';
import { makeThumbnail, verifyImageDecodes } from './thumbnail';

const MiB = 1024 * 1024;
let dir: string;
let seq = 0;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'media-thumb-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Unique names: sharp caches decoded files by path. */
async function write(bytes: Buffer): Promise<string> {
  const file = path.join(dir, `${++seq}.src`);
  await writeFile(file, bytes);
  return file;
}

async function thumbnailOf(bytes: Buffer) {
  const dest = path.join(dir, `${++seq}.thumb.jpg`);
  const size = await makeThumbnail(await write(bytes), dest);
  return { size, dest, bytes: await readFile(dest) };
}

async function failure(p: Promise<unknown>): Promise<MediaError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MediaError);
  return err as MediaError;
}

describe('makeThumbnail', () => {
  it('fits the photo in 480×480 as a JPEG without any EXIF, so without the GPS position', async () => {
    const source = jpegOfSize(2 * MiB, { gps: true });
    expect(jpegHasGps(source)).toBe(true);
    const thumb = await thumbnailOf(source);
    expect(thumb.size).toEqual({ width: 480, height: 360 });
    const meta = await sharp(thumb.bytes).metadata();
    expect([meta.format, meta.width, meta.height, meta.exif, meta.xmp]).toEqual(['jpeg', 480, 360, undefined, undefined]);
    expect(jpegSegments(thumb.bytes).some((s) => s.marker === 0xe1)).toBe(false);
    expect(jpegHasGps(thumb.bytes)).toBe(false);
    expect(thumb.bytes.includes('Exif')).toBe(false);
    expect(thumb.bytes.length).toBeLessThan(50 * 1024);
  });

  it('turns the picture upright by its EXIF orientation', async () => {
    // stored 640×480 and marked "rotate 90° clockwise to view" (orientation 6), as a phone held upright saves it
    expect((await thumbnailOf(await jpegImage(640, 480, 6))).size).toEqual({ width: 360, height: 480 });
    expect((await thumbnailOf(await jpegImage(640, 480, 3))).size).toEqual({ width: 480, height: 360 });
  });

  it('does not enlarge a small picture, and reads PNG too', async () => {
    expect((await thumbnailOf(await jpegImage(200, 100))).size).toEqual({ width: 200, height: 100 });
    expect((await thumbnailOf(pngBytes(30, 20))).size).toEqual({ width: 30, height: 20 });
  });

  it('refuses a JPEG whose image data is cut short, and leaves no thumbnail behind', async () => {
    const photo = fixtureBytes('photo.jpg');
    const dest = path.join(dir, 'never.jpg');
    const err = await failure(makeThumbnail(await write(photo.subarray(0, Math.floor(photo.length * 0.6))), dest));
    expect([err.reason, err.message]).toEqual(['image_corrupt', '图片已损坏，无法读取，请重新保存或导出后上传']);
    await expect(access(dest)).rejects.toThrow();
  });

  it('refuses a decompression bomb by its header', async () => {
    const err = await failure(makeThumbnail(await write(jpegClaimingSize(fixtureBytes('photo.jpg'), 10000, 10000)), path.join(dir, 'bomb.jpg')));
    expect([err.reason, err.message]).toEqual(['pixels', '图片像素超过 5000 万像素上限']);
  });

  it('refuses what is not an image', async () => {
    const elf = hostileCorpus()[0]!;
    expect((await failure(makeThumbnail(await write(elf.bytes), path.join(dir, 'elf.jpg')))).reason).toBe('image_corrupt');
  });
});

describe('verifyImageDecodes', () => {
  it('passes a whole image and fails a damaged one', async () => {
    await expect(verifyImageDecodes(await write(jpegOfSize(2 * MiB)))).resolves.toBeUndefined();
    const photo = fixtureBytes('photo-gps.jpg');
    const err = await failure(verifyImageDecodes(await write(photo.subarray(0, photo.length - 300))));
    expect(err.message).toContain('图片已损坏，无法读取');
  });
});
