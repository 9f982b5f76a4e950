import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkVideo, defaultCampaignSettings } from '../../core';
import { AppError } from '../errors';
import { pdfBytes, pngBytes } from '../testing/files';
import {
  cutFragmentedMp4,
  fixtureBytes,
  FIXTURES_DIR,
  FRAGMENT_TIMESCALE as T,
  fragmentedMp4,
  fragmentsOfSeconds,
  fixturePath,
  hostileCorpus,
  HOSTILE_NAMES,
  IMAGE_FIXTURES,
  insertAfterAppSegments,
  jpegHasGps,
  jpegOfSize,
  jpegSegment,
  jpegSegments,
  largesizeMp4,
  mp4WithVersion1Headers,
  rotateMp4,
  sizeZeroMdatMp4,
  VIDEO_FIXTURES,
  writeHugeMoov,
  writeSparseFragmentedMp4,
  writeSparseMp4,
} from '../testing/media-fixtures';
import { describeDetected, MEDIA_MESSAGES, MediaError, MOOF_LIMIT, probeFile, rotationOf, type MediaErrorReason } from './probe';

const MiB = 1024 * 1024;
const CHINESE = /[\u4e00-\u9fff]/;
let dir: string;
let seq = 0;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'media-probe-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function probeBytes(bytes: Buffer, name = 'upload.bin') {
  const file = path.join(dir, `${++seq}-${name.replace(/[^\w.-]/g, '_').slice(-40)}`);
  await writeFile(file, bytes);
  return probeFile(file);
}

async function refusal(bytes: Buffer, name?: string): Promise<MediaError> {
  const err = await probeBytes(bytes, name).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MediaError);
  return err as MediaError;
}

describe('probeFile: videos', () => {
  it.each(Object.entries(VIDEO_FIXTURES))('%s', async (name, expected) => {
    expect(await probeFile(fixturePath(name as keyof typeof VIDEO_FIXTURES))).toEqual(expected);
  });

  it('reports the display size of a rotated video, and the committed portrait-rotated.mp4 is rotateMp4 of landscape.mp4', async () => {
    const landscape = fixtureBytes('landscape.mp4');
    expect(rotateMp4(landscape, 90).equals(fixtureBytes('portrait-rotated.mp4'))).toBe(true);
    expect(await probeBytes(rotateMp4(landscape, 180))).toMatchObject({ width: 1920, height: 1080, rotation: 180 });
    expect(await probeBytes(rotateMp4(landscape, 270))).toMatchObject({ width: 1080, height: 1920, rotation: 270 });
    expect(await probeBytes(rotateMp4(fixtureBytes('portrait.mov'), 90))).toMatchObject({ width: 1920, height: 1080, rotation: 90 });
  });

  it('reads 64-bit box sizes and a last box sized 0 (to the end of the file)', async () => {
    const expected = VIDEO_FIXTURES['landscape.mp4'];
    expect(await probeBytes(largesizeMp4())).toEqual(expected);
    expect(await probeBytes(sizeZeroMdatMp4())).toEqual(expected);
  });

  it('reads version 1 (64-bit) movie, track and media headers', async () => {
    const v1 = mp4WithVersion1Headers();
    expect(v1.length).toBe(fixtureBytes('landscape-moov-end.mp4').length + 3 * 12);
    expect(await probeBytes(v1)).toEqual(VIDEO_FIXTURES['landscape-moov-end.mp4']);
    expect(await probeBytes(rotateMp4(v1, 90))).toMatchObject({ width: 1080, height: 1920, rotation: 90 });
  });

  it('takes a file without ftyp whose first box is wide or moov as QuickTime', async () => {
    const mov = fixtureBytes('portrait.mov');
    const ftypSize = mov.readUInt32BE(0);
    expect(mov.toString('latin1', 4, 8)).toBe('ftyp');
    expect(await probeBytes(mov.subarray(ftypSize))).toEqual(VIDEO_FIXTURES['portrait.mov']);
  });

  it('takes any ftyp brand but "qt  " as MP4, the M4V brand included', async () => {
    const m4v = Buffer.from(fixtureBytes('landscape.mp4'));
    m4v.write('M4V ', 8, 'latin1');
    expect(await probeBytes(m4v)).toEqual(VIDEO_FIXTURES['landscape.mp4']);
  });

  it("falls back to the video track's mdhd when mvhd has no duration", async () => {
    const mp4 = Buffer.from(fixtureBytes('landscape.mp4'));
    const mvhd = mp4.indexOf('mvhd', 0, 'latin1');
    expect(mp4[mvhd + 4]).toBe(0); // version 0: timescale at +16, duration at +20 from the type
    mp4.writeUInt32BE(0, mvhd + 20);
    expect(await probeBytes(mp4)).toMatchObject({ durationSeconds: 2 });
  });

  it('refuses a video cut short, without an index, or whose index points past the end', async () => {
    for (const item of hostileCorpus().filter((h) => h.reason === 'video_corrupt')) {
      const err = await refusal(item.bytes);
      expect(err.message, item.why).toBe('视频文件不完整或已损坏，请重新导出后上传');
    }
  });

  it('refuses an MP4 without a video track', async () => {
    expect((await refusal(fixtureBytes('audio-only.mp4'))).message).toBe('视频文件中没有视频画面');
  });

  it('refuses an index (moov) over 64 MB without reading it', async () => {
    const file = path.join(dir, 'huge-moov.mp4');
    await writeHugeMoov(file, 65 * MiB);
    const err = await probeFile(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MediaError);
    expect((err as MediaError).reason).toBe('video_index');
    expect((err as MediaError).message).toBe('视频文件的索引信息超过 64 MB，无法读取，请重新导出后上传');
  });

  it('refuses HEIC and other ISO media files that are not video containers we accept', async () => {
    const heic = Buffer.from(fixtureBytes('landscape.mp4'));
    heic.write('heic', 8, 'latin1');
    const err = await refusal(heic, 'IMG_0001.HEIC');
    expect(err.reason).toBe('type');
    expect(err.message).toBe('文件内容是 HEIC 格式（苹果手机高效图片格式），要求为 JPEG、PNG、PDF、MP4 或 MOV 格式（按文件内容识别，修改扩展名无效）');
  });

  it('probes a 300 MB video by its headers only: quickly, without reading it into memory', async () => {
    const file = path.join(dir, 'sparse-300mb.mp4');
    await writeSparseMp4(file, 300 * MiB);
    global.gc?.();
    const rss = process.memoryUsage().rss;
    const started = performance.now();
    expect(await probeFile(file)).toEqual(VIDEO_FIXTURES['landscape.mp4']);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(process.memoryUsage().rss - rss).toBeLessThan(64 * MiB);
  });
});

describe('probeFile: fragmented videos (moov + moof/mdat fragments)', () => {
  const landscape60 = { mime: 'video/mp4', ext: 'mp4', width: 1920, height: 1080, durationSeconds: 60, rotation: 0, codec: 'avc1' };
  const media = defaultCampaignSettings(2024).media;
  const seconds = async (bytes: Buffer) => (await probeBytes(bytes)).durationSeconds;

  it('measures ffmpeg frag_keyframe+empty_moov files by their fragments: 60 s passes the rule, 181 s is refused by it, not as damaged', async () => {
    const ok = await probeFile(fixturePath('fragmented-60s.mp4'));
    expect(ok).toEqual(landscape60);
    expect(checkVideo({ size: fixtureBytes('fragmented-60s.mp4').length, ...ok }, media)).toEqual([]);
    const long = await probeFile(fixturePath('fragmented-181s.mp4'));
    expect(long.durationSeconds).toBe(181);
    expect(checkVideo({ size: fixtureBytes('fragmented-181s.mp4').length, ...long }, media)).toEqual(['视频时长 3分1秒，要求 3 分钟以内']);
  });

  it('adds the samples moov holds to the fragments (frag_keyframe without empty_moov: mvhd says only 5 s)', async () => {
    expect(await probeFile(fixturePath('fragmented-moov-samples.mp4'))).toEqual(landscape60);
  });

  it('reads portrait fragmented video: coded 1080×1920 with sound, and 1920×1080 turned by the track matrix', async () => {
    expect(await probeFile(fixturePath('fragmented-portrait.mp4'))).toEqual({ ...landscape60, width: 1080, height: 1920, durationSeconds: 10.128 });
    expect(await probeBytes(rotateMp4(fixtureBytes('fragmented-60s.mp4'), 90))).toEqual({ ...landscape60, width: 1080, height: 1920, rotation: 90 });
  });

  it("takes each sample's duration from its run (trun), else the fragment's default (tfhd), else the track's (trex)", async () => {
    // 6 fragments of 10 samples of 1 s: the duration written in each place in turn
    expect(await seconds(fragmentedMp4({ fragments: fragmentsOfSeconds(6, 10, 'trun') }))).toBe(60);
    expect(await seconds(fragmentedMp4({ fragments: fragmentsOfSeconds(6, 10, 'tfhd') }))).toBe(60);
    expect(await seconds(fragmentedMp4({ trex: T, fragments: fragmentsOfSeconds(6, 10, 'trex') }))).toBe(60);
    // the nearer one wins: tfhd's 1 s over trex's 2 s, trun's 1 s over tfhd's 3 s
    expect(await seconds(fragmentedMp4({ trex: 2 * T, fragments: fragmentsOfSeconds(6, 10, 'tfhd') }))).toBe(60);
    expect(await seconds(fragmentedMp4({ trex: 2 * T, fragments: Array.from({ length: 6 }, () => ({ samples: 10, tfhd: 3 * T, trun: T })) }))).toBe(60);
    // mixed within one file; and 30 frames/s, where a frame is 546/16384 s: 60 × 30 × 546 / 16384 = 59.985 s
    expect(await seconds(fragmentedMp4({ trex: T, fragments: [{ samples: 20 }, { samples: 20, tfhd: T }, { samples: 20, trun: T }] }))).toBe(60);
    expect(await seconds(fragmentedMp4({ fragments: Array.from({ length: 60 }, () => ({ samples: 30, tfhd: 546 })) }))).toBe(59.985);
  });

  it('takes the larger of mehd and the fragments', async () => {
    const fragments = fragmentsOfSeconds(6, 10, 'tfhd');
    expect(await seconds(fragmentedMp4({ mehd: 60_000, fragments }))).toBe(60);
    expect(await seconds(fragmentedMp4({ mehd: 61_500, fragments }))).toBe(61.5);
    expect(await seconds(fragmentedMp4({ mehd: 30_000, fragments }))).toBe(60);
    expect(await seconds(fragmentedMp4({ mehd: 181_000, fragments }))).toBe(181);
  });

  it('counts a gap between decode times (tfdt) but not a late start or a restart, and not what a sidx claims', async () => {
    // 10 s at 0 and 10 s at 40 s: players show 50 s
    expect(
      await seconds(
        fragmentedMp4({
          fragments: [
            { samples: 10, trun: T, tfdt: 0 },
            { samples: 10, trun: T, tfdt: 40 * T },
          ],
        }),
      ),
    ).toBe(50);
    // cut from a longer recording: starts at 1000 s, lasts 60 s
    expect(
      await seconds(
        fragmentedMp4({
          fragments: [
            { samples: 30, trun: T, tfdt: 1000 * T },
            { samples: 30, trun: T, tfdt: 1030 * T },
          ],
        }),
      ),
    ).toBe(60);
    // two recordings joined, each starting at 0: 60 s of samples
    expect(
      await seconds(
        fragmentedMp4({
          fragments: [
            { samples: 30, trun: T, tfdt: 0 },
            { samples: 30, trun: T, tfdt: 0 },
          ],
        }),
      ),
    ).toBe(60);
    // a segment index saying 1 s is a summary, not what plays
    expect(await seconds(fragmentedMp4({ sidx: T, fragments: fragmentsOfSeconds(6, 10, 'trun') }))).toBe(60);
  });

  it('refuses as damaged a fragmented file cut short: in a moof, in an mdat, after a moof, or before any fragment', async () => {
    const cut = [cutFragmentedMp4('moof'), cutFragmentedMp4('mdat'), cutFragmentedMp4('after-moof'), fragmentedMp4({ fragments: [] })];
    for (const bytes of cut) expect((await refusal(bytes)).message).toBe(MEDIA_MESSAGES.videoBroken);
    // samples without any duration (none in trun, tfhd or trex)
    expect((await refusal(fragmentedMp4({ fragments: fragmentsOfSeconds(6, 10, 'trex') }))).reason).toBe('video_corrupt');
  });

  it(`reads a moof of up to ${MOOF_LIMIT / 1024 / 1024} MB and refuses a bigger one as damaged`, async () => {
    const moofSize = (mp4: Buffer) => mp4.readUInt32BE(mp4.indexOf('moof', 0, 'latin1') - 4);
    const base = moofSize(fragmentedMp4({ fragments: [{ samples: 60, trun: T, pad: 0 }] }));
    const padded = (extra: number) => fragmentedMp4({ fragments: [{ samples: 60, trun: T, pad: MOOF_LIMIT - base + extra }] });
    expect(moofSize(padded(0))).toBe(MOOF_LIMIT);
    expect(await seconds(padded(0))).toBe(60);
    expect((await refusal(padded(1))).reason).toBe('video_corrupt');
  });

  it('counts a run of 4 billion default samples without walking it, and refuses a run missing the entries it claims', async () => {
    const started = performance.now();
    const claimed = 0xffffffff;
    expect(await seconds(fragmentedMp4({ fragments: [{ samples: claimed, tfhd: T, countOnly: true }] }))).toBe(claimed);
    expect(performance.now() - started).toBeLessThan(500);
    expect((await refusal(fragmentedMp4({ fragments: [{ samples: claimed, trun: T, countOnly: true }] }))).reason).toBe('video_corrupt');
  });

  it('walks a moov or a moof holding a million tiny boxes quickly, without listing them', async () => {
    const inMoov = fragmentedMp4({ tinyBoxes: 1_000_000, fragments: [{ samples: 60, tfhd: T }] });
    const inMoof = fragmentedMp4({ fragments: [{ samples: 60, tfhd: T, tinyBoxes: MOOF_LIMIT / 8 - 100 }] });
    for (const bytes of [inMoov, inMoof]) {
      const file = path.join(dir, `${++seq}-tiny-boxes.mp4`);
      await writeFile(file, bytes);
      const started = performance.now();
      expect((await probeFile(file)).durationSeconds).toBe(60);
      expect(performance.now() - started).toBeLessThan(1000);
    }
  });

  it('probes a 300 MB fragmented video with a moof every MB by its headers and moofs only: quickly, in bounded memory', async () => {
    const file = path.join(dir, 'sparse-fragmented-300mb.mp4');
    const fragments = await writeSparseFragmentedMp4(file, 300 * MiB, MiB);
    expect(fragments).toBe(299);
    global.gc?.();
    const rss = process.memoryUsage().rss;
    const started = performance.now();
    expect(await probeFile(file)).toEqual({ ...landscape60, durationSeconds: fragments });
    expect(performance.now() - started).toBeLessThan(3000);
    expect(process.memoryUsage().rss - rss).toBeLessThan(64 * MiB);
  });
});

describe('probeFile: images and PDF', () => {
  it.each(Object.entries(IMAGE_FIXTURES))('%s', async (name, expected) => {
    expect(await probeFile(fixturePath(name as keyof typeof IMAGE_FIXTURES))).toEqual(expected);
  });

  it('makes real JPEGs of exactly the size asked, around 2 MB and at the smallest paddings', async () => {
    const base = fixtureBytes('photo.jpg').length;
    for (const size of [base, base + 1, base + 2, base + 3, base + 4, base + 65537, base + 65538, base + 65540, 2 * MiB - 1, 2 * MiB, 2 * MiB + 1]) {
      const jpeg = jpegOfSize(size);
      expect(jpeg.length).toBe(size);
      expect(await probeBytes(jpeg)).toEqual({ mime: 'image/jpeg', ext: 'jpg', width: 640, height: 480 });
    }
    expect(() => jpegOfSize(base - 1)).toThrow(RangeError);
  });

  it('finds the frame size behind 2 MB of APP segments and keeps the EXIF GPS block first', async () => {
    const jpeg = jpegOfSize(2 * MiB, { gps: true });
    const segments = jpegSegments(jpeg);
    expect(segments[0]?.marker).toBe(0xe1);
    expect(segments.filter((s) => s.marker === 0xef).length).toBeGreaterThan(30);
    expect(jpegHasGps(jpeg)).toBe(true);
    expect(jpegHasGps(fixtureBytes('photo.jpg'))).toBe(false);
    expect(await probeBytes(jpeg)).toEqual({ mime: 'image/jpeg', ext: 'jpg', width: 640, height: 480 });
  });

  it('scans a 30 MB JPEG in chunks, quickly', async () => {
    const started = performance.now();
    expect(await probeBytes(jpegOfSize(30 * MiB))).toMatchObject({ width: 640, height: 480 });
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('walks megabytes of compressed data, baseline and progressive, to the end marker', async () => {
    const noisy = sharp({ create: { width: 2000, height: 1500, channels: 3, background: 'gray', noise: { type: 'gaussian', mean: 128, sigma: 60 } } });
    for (const progressive of [false, true]) {
      const jpeg = await noisy.clone().jpeg({ quality: 95, progressive }).toBuffer();
      expect(jpeg.length).toBeGreaterThan(2 * MiB);
      expect(jpegSegments(jpeg).some((s) => s.marker === (progressive ? 0xc2 : 0xc0))).toBe(true);
      expect(await probeBytes(jpeg)).toEqual({ mime: 'image/jpeg', ext: 'jpg', width: 2000, height: 1500 });
    }
  });

  it('accepts a phone photo followed by further JPEGs (MPF depth maps, HDR gain maps)', async () => {
    const photo = fixtureBytes('photo.jpg');
    expect(await probeBytes(Buffer.concat([photo, photo, Buffer.alloc(100)]))).toMatchObject({ width: 640, height: 480 });
  });

  it('reads PNG and PDF', async () => {
    expect(await probeBytes(pngBytes(3, 2))).toEqual({ mime: 'image/png', ext: 'png', width: 3, height: 2 });
    expect(await probeBytes(pdfBytes())).toEqual({ mime: 'application/pdf', ext: 'pdf' });
  });

  it('refuses a PDF without the "%PDF-" header', async () => {
    const err = await refusal(Buffer.from('%PDF\n1 0 obj'));
    expect([err.reason, err.message]).toEqual(['pdf_corrupt', 'PDF 文件已损坏，无法读取，请重新导出后上传']);
  });
});

describe('probeFile: hidden web code', () => {
  const photo = fixtureBytes('photo.jpg');
  const entropyStart = () => jpegSegments(photo).find((s) => s.marker === 0xda)!.end;
  const intoScanData = (text: string) => Buffer.concat([photo.subarray(0, entropyStart()), Buffer.from(text), photo.subarray(entropyStart())]);

  it('finds a pattern split across the 1 MB read chunks', async () => {
    // the trailer after EOI is read in 1 MiB chunks from EOI on; "<scr" ends one chunk, "ipt>" starts the next
    const padded = Buffer.concat([photo, Buffer.alloc(MiB - 4, 0x20), Buffer.from('<script>alert(1)</script>')]);
    expect((await refusal(padded)).reason).toBe('markup');
    const err = await refusal(Buffer.concat([jpegOfSize(MiB + 5), Buffer.from('<ScRiPt src=//x>')]));
    expect(err.message).toBe('图片中含有网页代码，疑似伪装文件，不予接收');
  });

  it('finds script hidden in the compressed image data, where short tags are not looked for', async () => {
    expect((await refusal(intoScanData('<script>alert(1)</script>'))).reason).toBe('markup');
    expect((await refusal(intoScanData('javascript:alert(1)'))).reason).toBe('markup');
    // "<svg " is 5 bytes: it turns up by chance in megabytes of compressed data, so there it is not a sign
    expect(await probeBytes(intoScanData('<svg '))).toMatchObject({ width: 640, height: 480 });
  });

  it('finds markup in a JPEG appended after the first one', async () => {
    const second = insertAfterAppSegments(photo, jpegSegment(0xfe, Buffer.from('<iframe src=x>')));
    expect((await refusal(Buffer.concat([photo, second]))).reason).toBe('markup');
  });

  it('is not fooled by ordinary text in metadata', async () => {
    const text = insertAfterAppSegments(photo, jpegSegment(0xfe, Buffer.from('Shot on <my> phone; html body svg script')));
    expect(await probeBytes(text)).toMatchObject({ width: 640 });
  });
});

describe('probeFile: hostile corpus', () => {
  it.each(hostileCorpus().map((h) => [h.why, h] as const))('refuses %s', async (_why, item) => {
    const err = await refusal(item.bytes, item.name);
    expect(err.reason).toBe(item.reason);
    expect(err.message).toMatch(CHINESE);
    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe('UNSUPPORTED_FILE');
    expect(err.status).toBe(415);
  });

  it('covers every kind of refusal and the hostile names', () => {
    const reasons = new Set(hostileCorpus().map((h) => h.reason));
    const all: MediaErrorReason[] = ['empty', 'type', 'image_corrupt', 'pixels', 'markup', 'video_corrupt', 'no_video'];
    expect(all.filter((r) => !reasons.has(r))).toEqual([]);
    const names = hostileCorpus().map((h) => h.name);
    expect(names.filter((n) => (HOSTILE_NAMES as readonly string[]).includes(n)).length).toBeGreaterThanOrEqual(6);
    expect(names.some((n) => Array.from(n).length === 300)).toBe(true);
  });

  it('says what a disguised file really is', async () => {
    const [elf, pe, , html, svg] = hostileCorpus();
    expect((await refusal(elf!.bytes)).message).toBe(
      '文件内容是 ELF 格式（可执行程序），要求为 JPEG、PNG、PDF、MP4 或 MOV 格式（按文件内容识别，修改扩展名无效）',
    );
    expect((await refusal(pe!.bytes)).found).toBe('文件内容是 EXE 格式（可执行程序）');
    expect((await refusal(html!.bytes)).found).toBe('文件内容是 HTML 格式（网页）');
    expect((await refusal(svg!.bytes)).found).toBe('文件内容是 SVG 格式（矢量图，可含网页代码）');
    expect((await refusal(Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9]))).found).toBe('文件内容不是可识别的文件格式');
  });

  it('names the pixel count of a decompression bomb without decoding it', async () => {
    const bomb = hostileCorpus().find((h) => h.reason === 'pixels')!;
    expect((await refusal(bomb.bytes)).message).toBe('图片像素 10000×10000（约 10000 万像素），超过 5000 万像素上限');
  });

  it('refuses an empty file', async () => {
    expect((await refusal(Buffer.alloc(0))).message).toBe(MEDIA_MESSAGES.empty);
  });
});

describe('helpers', () => {
  it('keeps every committed fixture under 60 KB', async () => {
    const names = (await readdir(FIXTURES_DIR)).filter((n) => n !== 'README.md');
    expect(names.length).toBe(13);
    for (const name of names) expect((await stat(path.join(FIXTURES_DIR, name))).size, name).toBeLessThanOrEqual(60 * 1024);
  });

  it('describeDetected', () => {
    expect(describeDetected({ ext: 'gif' })).toBe('是 GIF 格式');
    expect(describeDetected({ ext: 'zip' })).toBe('是 ZIP 格式（压缩包）');
    expect(describeDetected(undefined)).toBe('不是可识别的文件格式');
  });

  it('rotationOf reads the matrix as players do', () => {
    expect([rotationOf(1, 0), rotationOf(0, 1), rotationOf(-1, 0), rotationOf(0, -1), rotationOf(2, 0), rotationOf(0, 0)]).toEqual([0, 90, 180, 270, 0, 0]);
  });
});
