/**
 * Media files for tests, real enough to decode and play, with known figures. The small committed ones are in
 * server/testing/media/ (see its README.md for how they were made); everything else is derived from them in code, so
 * no test needs ffmpeg.
 */
import { readFileSync } from 'node:fs';
import { open, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import sharp from 'sharp';
import type { MediaErrorReason } from '../media/probe';
import { exeBytes, htmlBytes } from './files';

export const FIXTURES_DIR = fileURLToPath(new URL('./media/', import.meta.url));

/** The committed fixtures and what probeFile reports for each. */
export const VIDEO_FIXTURES = {
  'landscape.mp4': { mime: 'video/mp4', ext: 'mp4', width: 1920, height: 1080, durationSeconds: 2, rotation: 0, codec: 'avc1' },
  'landscape-moov-end.mp4': { mime: 'video/mp4', ext: 'mp4', width: 1920, height: 1080, durationSeconds: 2, rotation: 0, codec: 'avc1' },
  'portrait-rotated.mp4': { mime: 'video/mp4', ext: 'mp4', width: 1080, height: 1920, durationSeconds: 2, rotation: 90, codec: 'avc1' },
  'portrait.mov': { mime: 'video/quicktime', ext: 'mov', width: 1080, height: 1920, durationSeconds: 2, rotation: 0, codec: 'avc1' },
  'small-720p.mp4': { mime: 'video/mp4', ext: 'mp4', width: 1280, height: 720, durationSeconds: 2, rotation: 0, codec: 'avc1' },
  'long-181s.mp4': { mime: 'video/mp4', ext: 'mp4', width: 1920, height: 1080, durationSeconds: 181, rotation: 0, codec: 'avc1' },
  // fragmented (ffmpeg -movflags frag_keyframe+empty_moov): no duration in moov, no mehd; the fragments say it
  'fragmented-60s.mp4': { mime: 'video/mp4', ext: 'mp4', width: 1920, height: 1080, durationSeconds: 60, rotation: 0, codec: 'avc1' },
  'fragmented-181s.mp4': { mime: 'video/mp4', ext: 'mp4', width: 1920, height: 1080, durationSeconds: 181, rotation: 0, codec: 'avc1' },
  // with sound: the AAC track (81024 / 8000 s) and the video track (165938 / 16384 s) both last 10.128 s
  'fragmented-portrait.mp4': { mime: 'video/mp4', ext: 'mp4', width: 1080, height: 1920, durationSeconds: 10.128, rotation: 0, codec: 'avc1' },
  // -movflags frag_keyframe without empty_moov: moov holds the first 5 s (mvhd says 5 s), the fragments the rest
  'fragmented-moov-samples.mp4': { mime: 'video/mp4', ext: 'mp4', width: 1920, height: 1080, durationSeconds: 60, rotation: 0, codec: 'avc1' },
} as const;

export const IMAGE_FIXTURES = {
  'photo.jpg': { mime: 'image/jpeg', ext: 'jpg', width: 640, height: 480 },
  'photo-gps.jpg': { mime: 'image/jpeg', ext: 'jpg', width: 640, height: 480 },
} as const;

export type FixtureName = keyof typeof VIDEO_FIXTURES | keyof typeof IMAGE_FIXTURES | 'audio-only.mp4';

export const fixturePath = (name: FixtureName): string => path.join(FIXTURES_DIR, name);
export const fixtureBytes = (name: FixtureName): Buffer => readFileSync(fixturePath(name));

// ---- JPEG ---------------------------------------------------------------------------------------------

/** The committed photo.jpg / photo-gps.jpg were made by this (sharp 0.35); kept to make them again. */
export async function makeBaseJpeg(opts: { gps?: boolean } = {}): Promise<Buffer> {
  const img = sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 200, g: 120, b: 40 } } }).jpeg({ quality: 90 });
  if (!opts.gps) return img.toBuffer();
  return img
    .withExif({
      IFD0: { Make: 'XJKX', Model: 'Test Camera' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '43/1 49/1 0/1', GPSLongitudeRef: 'E', GPSLongitude: '87/1 36/1 0/1' },
    })
    .toBuffer();
}

/** A real JPEG of any size and EXIF orientation (1–8), for tests that need other dimensions. */
export async function jpegImage(width: number, height: number, orientation = 1): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 30, g: 90, b: 160 } } })
    .jpeg({ quality: 85 })
    .withMetadata({ orientation })
    .toBuffer();
}

export function jpegSegment(marker: number, payload: Buffer): Buffer {
  if (payload.length > 65533) throw new RangeError('a JPEG segment holds at most 65533 bytes');
  const head = Buffer.from([0xff, marker, 0, 0]);
  head.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([head, payload]);
}

interface Segment {
  marker: number;
  start: number;
  /** offset after the segment */
  end: number;
}

/** The marker segments from SOI up to and including SOS. */
export function jpegSegments(jpeg: Buffer): Segment[] {
  const out: Segment[] = [];
  let p = 2;
  while (p + 4 <= jpeg.length && jpeg[p] === 0xff) {
    const marker = jpeg[p + 1]!;
    const end = p + 2 + jpeg.readUInt16BE(p + 2);
    out.push({ marker, start: p, end });
    if (marker === 0xda) break;
    p = end;
  }
  return out;
}

/** Inserts bytes after the APPn segments at the head of the file (EXIF stays first), before the tables. */
export function insertAfterAppSegments(jpeg: Buffer, insert: Buffer): Buffer {
  const firstOther = jpegSegments(jpeg).find((s) => s.marker < 0xe0 || s.marker > 0xef);
  if (!firstOther) throw new Error('not a JPEG with tables');
  return Buffer.concat([jpeg.subarray(0, firstOther.start), insert, jpeg.subarray(firstOther.start)]);
}

/** Filler before the tables that decoders skip: APP15 segments of zeros, or 1–3 fill bytes (0xFF). */
function jpegPadding(bytes: number): Buffer {
  if (bytes < 4) return Buffer.alloc(bytes, 0xff);
  const parts: Buffer[] = [];
  let left = bytes;
  while (left > 0) {
    // never leave 1–3 bytes, which no segment can take
    let take = Math.min(left, 65537);
    if (left - take > 0 && left - take < 4) take -= 4;
    parts.push(jpegSegment(0xef, Buffer.alloc(take - 4)));
    left -= take;
  }
  return Buffer.concat(parts);
}

/**
 * A real, decodable 640×480 JPEG of exactly `bytes` bytes (from about 3 KB), padded before its tables; with gps,
 * its EXIF holds a GPS position.
 */
export function jpegOfSize(bytes: number, opts: { gps?: boolean } = {}): Buffer {
  const base = fixtureBytes(opts.gps ? 'photo-gps.jpg' : 'photo.jpg');
  if (bytes < base.length) throw new RangeError(`a JPEG cannot be smaller than ${base.length} bytes here`);
  return bytes === base.length ? base : insertAfterAppSegments(base, jpegPadding(bytes - base.length));
}

/** True when the JPEG has an EXIF segment whose first IFD points to a GPS IFD (tag 0x8825). */
export function jpegHasGps(jpeg: Buffer): boolean {
  const app1 = jpegSegments(jpeg).find((s) => s.marker === 0xe1 && jpeg.toString('latin1', s.start + 4, s.start + 10) === 'Exif\0\0');
  if (!app1) return false;
  const tiff = jpeg.subarray(app1.start + 10, app1.end);
  const le = tiff.toString('latin1', 0, 2) === 'II';
  const u16 = (o: number) => (le ? tiff.readUInt16LE(o) : tiff.readUInt16BE(o));
  const u32 = (o: number) => (le ? tiff.readUInt32LE(o) : tiff.readUInt32BE(o));
  const ifd0 = u32(4);
  for (let i = 0; i < u16(ifd0); i++) {
    if (u16(ifd0 + 2 + i * 12) === 0x8825) return true;
  }
  return false;
}

/** The JPEG with its first SOF saying width×height, without more data: a decompression bomb's header. */
export function jpegClaimingSize(jpeg: Buffer, width: number, height: number): Buffer {
  const sof = jpegSegments(jpeg).find((s) => s.marker >= 0xc0 && s.marker <= 0xc2);
  if (!sof) throw new Error('no SOF');
  const out = Buffer.from(jpeg);
  out.writeUInt16BE(height, sof.start + 5);
  out.writeUInt16BE(width, sof.start + 7);
  return out;
}

// ---- PNG ----------------------------------------------------------------------------------------------

export function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A PNG whose IHDR says width×height (8-bit grey) with a few bytes of pixel data, plus any extra chunks. */
export function pngClaimingSize(width: number, height: number, extra: Buffer[] = []): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    ...extra,
    pngChunk('IDAT', zlib.deflateSync(Buffer.alloc(Math.min(width + 1, 4096)))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

// ---- MP4 ----------------------------------------------------------------------------------------------

interface Mp4Box {
  type: string;
  start: number;
  headerSize: number;
  end: number;
}

function mp4Boxes(buf: Buffer, start = 0, end = buf.length): Mp4Box[] {
  const out: Mp4Box[] = [];
  for (let p = start; p + 8 <= end;) {
    const size32 = buf.readUInt32BE(p);
    const headerSize = size32 === 1 ? 16 : 8;
    const size = size32 === 1 ? Number(buf.readBigUInt64BE(p + 8)) : size32 === 0 ? end - p : size32;
    out.push({ type: buf.toString('latin1', p + 4, p + 8), start: p, headerSize, end: p + size });
    p += size;
  }
  return out;
}

const inside = (buf: Buffer, box: Mp4Box) => mp4Boxes(buf, box.start + box.headerSize, box.end);

function mp4Box(buf: Buffer, type: string, within?: Mp4Box): Mp4Box {
  const found = (within ? inside(buf, within) : mp4Boxes(buf)).find((b) => b.type === type);
  if (!found) throw new Error(`no ${type} box`);
  return found;
}

/** The tkhd of the track whose handler is 'vide'. */
function videoTkhd(buf: Buffer): Mp4Box {
  for (const trak of inside(buf, mp4Box(buf, 'moov')).filter((b) => b.type === 'trak')) {
    const hdlr = mp4Box(buf, 'hdlr', mp4Box(buf, 'mdia', trak));
    if (buf.toString('latin1', hdlr.start + 16, hdlr.start + 20) === 'vide') return mp4Box(buf, 'tkhd', trak);
  }
  throw new Error('no video track');
}

/**
 * The video with its track matrix set to show it turned by `degrees` clockwise, as phones record portrait
 * video: the coded frame stays as it was, players rotate it.
 */
export function rotateMp4(mp4: Buffer, degrees: 0 | 90 | 180 | 270): Buffer {
  const out = Buffer.from(mp4);
  const tkhd = videoTkhd(out);
  const payload = tkhd.start + tkhd.headerSize;
  const matrix = payload + (out[payload] === 1 ? 52 : 40);
  const w = out.readUInt32BE(matrix + 36);
  const h = out.readUInt32BE(matrix + 40);
  const one = 0x10000;
  const [a, b, c, d, tx, ty] = {
    0: [one, 0, 0, one, 0, 0],
    90: [0, one, -one, 0, h, 0],
    180: [-one, 0, 0, -one, w, h],
    270: [0, -one, one, 0, 0, w],
  }[degrees];
  [a, b, 0, c, d, 0, tx, ty, 0x40000000].forEach((v, i) => out.writeInt32BE(v!, matrix + i * 4));
  return out;
}

/** Cut in the middle of the media data, as an interrupted upload or copy leaves it. */
export function truncatedMp4(mp4 = fixtureBytes('landscape.mp4')): Buffer {
  const mdat = mp4Box(mp4, 'mdat');
  return mp4.subarray(0, Math.floor((mdat.start + mdat.end) / 2));
}

/** Without its moov (the index): nothing says where the frames are. */
export function mp4WithoutMoov(mp4 = fixtureBytes('landscape.mp4')): Buffer {
  const moov = mp4Box(mp4, 'moov');
  return Buffer.concat([mp4.subarray(0, moov.start), mp4.subarray(moov.end)]);
}

/** A consistent box structure whose index points at frames that are not in the file. */
export function mp4WithChunksBeyondEnd(mp4 = fixtureBytes('landscape.mp4')): Buffer {
  const mdat = mp4Box(mp4, 'mdat');
  const out = Buffer.from(mp4.subarray(0, mdat.start + 8));
  out.writeUInt32BE(8, mdat.start);
  return out;
}

/** landscape.mp4 with its free+mdat headers rewritten as one mdat with a 64-bit size; still playable. */
export function largesizeMp4(): Buffer {
  const mp4 = fixtureBytes('landscape.mp4');
  const free = mp4Box(mp4, 'free');
  const mdat = mp4Box(mp4, 'mdat');
  if (free.end !== mdat.start || free.end - free.start !== 8) throw new Error('expected an 8-byte free box right before mdat');
  const out = Buffer.from(mp4);
  out.writeUInt32BE(1, free.start);
  out.write('mdat', free.start + 4, 'latin1');
  out.writeBigUInt64BE(BigInt(mdat.end - free.start), free.start + 8);
  return out;
}

/** landscape.mp4 with mdat's size written as 0, meaning "to the end of the file". */
export function sizeZeroMdatMp4(): Buffer {
  const mp4 = fixtureBytes('landscape.mp4');
  const out = Buffer.from(mp4);
  out.writeUInt32BE(0, mp4Box(mp4, 'mdat').start);
  return out;
}

/** A v0 mvhd/mdhd/tkhd payload as version 1: the times and duration widened from 32 to 64 bits. */
function headerAsVersion1(type: string, payload: Buffer): Buffer {
  if (!['mvhd', 'mdhd', 'tkhd'].includes(type) || payload[0] !== 0) return payload;
  const u64 = (v: number) => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(BigInt(v));
    return b;
  };
  const flags = Buffer.from([1, ...payload.subarray(1, 4)]);
  const times = [u64(payload.readUInt32BE(4)), u64(payload.readUInt32BE(8))];
  // mvhd/mdhd: timescale then duration; tkhd: track ID, reserved, then duration
  const middle = type === 'tkhd' ? payload.subarray(12, 20) : payload.subarray(12, 16);
  const durationAt = type === 'tkhd' ? 20 : 16;
  return Buffer.concat([flags, ...times, middle, u64(payload.readUInt32BE(durationAt)), payload.subarray(durationAt + 4)]);
}

function rewriteBox(buf: Buffer, box: Mp4Box, leaf: (type: string, payload: Buffer) => Buffer): Buffer {
  const body = ['moov', 'trak', 'mdia'].includes(box.type)
    ? Buffer.concat(inside(buf, box).map((b) => rewriteBox(buf, b, leaf)))
    : leaf(box.type, buf.subarray(box.start + box.headerSize, box.end));
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length + 8);
  head.write(box.type, 4, 'latin1');
  return Buffer.concat([head, body]);
}

/** landscape-moov-end.mp4 with version 1 (64-bit) mvhd, tkhd and mdhd; moov is last, so no offset moves. */
export function mp4WithVersion1Headers(): Buffer {
  const mp4 = fixtureBytes('landscape-moov-end.mp4');
  const moov = mp4Box(mp4, 'moov');
  if (moov.end !== mp4.length) throw new Error('expected moov at the end');
  return Buffer.concat([mp4.subarray(0, moov.start), rewriteBox(mp4, moov, headerAsVersion1)]);
}

/**
 * landscape.mp4 grown to `totalBytes` by a sparse mdat (no disk used): a large video whose index is at the front,
 * to show probing reads headers only.
 */
export async function writeSparseMp4(dest: string, totalBytes: number): Promise<void> {
  const out = Buffer.from(fixtureBytes('landscape.mp4'));
  const mdat = mp4Box(out, 'mdat');
  out.writeUInt32BE(totalBytes - mdat.start, mdat.start);
  await writeFile(dest, out);
  await truncate(dest, totalBytes);
}

/** A sparse file whose moov says it is `moovBytes` long. */
export async function writeHugeMoov(dest: string, moovBytes: number): Promise<void> {
  const ftyp = mp4Box(fixtureBytes('landscape.mp4'), 'ftyp');
  const head = Buffer.concat([fixtureBytes('landscape.mp4').subarray(0, ftyp.end), Buffer.from([0, 0, 0, 0, 0x6d, 0x6f, 0x6f, 0x76])]);
  head.writeUInt32BE(moovBytes, ftyp.end);
  await writeFile(dest, head);
  await truncate(dest, ftyp.end + moovBytes);
}

// ---- fragmented MP4 ------------------------------------------------------------------------------------

/** The timescale of fragmented-60s.mp4's video track (its only track, ID 1): one frame per second is 16384. */
export const FRAGMENT_TIMESCALE = 16384;

/** An MP4 box: size, type, then the parts; a full box when `versionFlags` is given. */
function box(type: string, parts: Buffer[], versionFlags?: number): Buffer {
  const head = Buffer.alloc(versionFlags === undefined ? 8 : 12);
  head.write(type, 4, 'latin1');
  if (versionFlags !== undefined) head.writeUInt32BE(versionFlags >>> 0, 8);
  const out = Buffer.concat([head, ...parts]);
  out.writeUInt32BE(out.length, 0);
  return out;
}

const u32 = (...values: number[]): Buffer => {
  const b = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, i * 4));
  return b;
};

const u64 = (value: number): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(value));
  return b;
};

export interface FragmentSpec {
  /** how many samples: a key frame, then copies of a P frame, both taken from fragmented-60s.mp4 */
  samples: number;
  /** a duration written for every sample in trun */
  trun?: number;
  /** tfhd's default_sample_duration */
  tfhd?: number;
  /** tfdt: the decode time of the fragment's first sample */
  tfdt?: number;
  /**
   * The trun holds its sample count (and flags, per-sample durations included if `trun` is set) but no entries, and
   * the fragment no media data: tfhd's default sample size is 0.
   */
  countOnly?: boolean;
  /** a free box of this many bytes inside the moof */
  pad?: number;
  /** this many empty 8-byte free boxes inside the traf */
  tinyBoxes?: number;
}

export interface FragmentedOptions {
  fragments: FragmentSpec[];
  /** trex's default_sample_duration; 0 when not given, as ffmpeg writes it */
  trex?: number;
  /** mvex/mehd's fragment_duration, in the movie timescale (1000 per second) */
  mehd?: number;
  /** a sidx after moov saying the file lasts this many track units */
  sidx?: number;
  /** this many empty 8-byte free boxes inside moov */
  tinyBoxes?: number;
}

/** `count` empty free boxes of 8 bytes each, as a file built to make a parser list millions of boxes holds. */
function tinyBoxes(count = 0): Buffer {
  const out = Buffer.alloc(8 * count);
  for (let p = 0; p < out.length; p += 8) {
    out.writeUInt32BE(8, p);
    out.write('free', p + 4, 'latin1');
  }
  return out;
}

/** The key frame and a P frame of fragmented-60s.mp4: the first two samples of its first run. */
function sourceFrames(): { key: Buffer; p: Buffer } {
  const mp4 = fixtureBytes('fragmented-60s.mp4');
  const moof = mp4Box(mp4, 'moof');
  const trun = mp4Box(mp4, 'trun', mp4Box(mp4, 'traf', moof));
  const at = trun.start + trun.headerSize;
  const flags = mp4.readUInt32BE(at) & 0xffffff;
  if (!(flags & 0x200)) throw new Error('expected per-sample sizes in the first run');
  let entry = at + 8 + (flags & 0x1 ? 4 : 0) + (flags & 0x4 ? 4 : 0) + (flags & 0x100 ? 4 : 0);
  const stride = 4 * [0x100, 0x200, 0x400, 0x800].filter((f) => flags & f).length;
  const keySize = mp4.readUInt32BE(entry);
  entry += stride;
  const pSize = mp4.readUInt32BE(entry);
  const data = mp4Box(mp4, 'mdat').start + 8;
  return { key: mp4.subarray(data, data + keySize), p: mp4.subarray(data + keySize, data + keySize + pSize) };
}

/** fragmented-60s.mp4's ftyp and moov, with mvex made of a trex (and a mehd) as asked. */
function fragmentedHead(opts: { trex?: number; mehd?: number; tinyBoxes?: number }): Buffer {
  const mp4 = fixtureBytes('fragmented-60s.mp4');
  const moov = mp4Box(mp4, 'moov');
  const mvex = box('mvex', [...(opts.mehd === undefined ? [] : [box('mehd', [u32(opts.mehd)], 0)]), box('trex', [u32(1, 1, opts.trex ?? 0, 0, 0)], 0)]);
  const parts = inside(mp4, moov).map((b) => (b.type === 'mvex' ? mvex : mp4.subarray(b.start, b.end)));
  return Buffer.concat([mp4.subarray(0, mp4Box(mp4, 'ftyp').end), box('moov', [...parts, tinyBoxes(opts.tinyBoxes)])]);
}

/** A moof for one track fragment whose samples have these sizes, and the header of the mdat that follows it. */
function fragmentBoxes(seq: number, spec: FragmentSpec, sizes: number[]): { moof: Buffer; mdatHeader: Buffer } {
  const build = (dataOffset: number) => {
    const tfhdFlags = 0x20000 | (spec.tfhd === undefined ? 0 : 0x8) | (spec.countOnly ? 0x10 : 0);
    const tfhd = box('tfhd', [u32(1), ...(spec.tfhd === undefined ? [] : [u32(spec.tfhd)]), ...(spec.countOnly ? [u32(0)] : [])], tfhdFlags);
    const trunFlags = (spec.countOnly ? 0 : 0x1 | 0x200) | (spec.trun === undefined ? 0 : 0x100);
    const entries = spec.countOnly ? [] : sizes.map((size) => (spec.trun === undefined ? u32(size) : u32(spec.trun, size)));
    const trun = box('trun', [u32(spec.samples), ...(spec.countOnly ? [] : [u32(dataOffset)]), ...entries], trunFlags);
    const tfdt = spec.tfdt === undefined ? [] : [box('tfdt', [u64(spec.tfdt)], 0x01000000)];
    const pad = spec.pad === undefined ? [] : [box('free', [Buffer.alloc(spec.pad)])];
    return box('moof', [box('mfhd', [u32(seq)], 0), box('traf', [tfhd, ...tfdt, trun, tinyBoxes(spec.tinyBoxes)]), ...pad]);
  };
  const moof = build(build(0).length + 8);
  const mdatHeader = u32(8 + sizes.reduce((a, b) => a + b, 0), 0x6d646174); // 'mdat'
  return { moof, mdatHeader };
}

/**
 * A fragmented MP4 (1920×1080 H.264, from fragmented-60s.mp4) with the fragments, trex, mehd and sidx asked: to
 * show where a sample's duration comes from (trun, else tfhd, else trex) and how tfdt, mehd and sidx count.
 */
export function fragmentedMp4(opts: FragmentedOptions): Buffer {
  const { key, p } = sourceFrames();
  const parts = [fragmentedHead(opts)];
  if (opts.sidx !== undefined) {
    // one reference: a media subsegment of the whole rest of the file, lasting opts.sidx units, starting with a SAP
    parts.push(box('sidx', [u32(1, FRAGMENT_TIMESCALE, 0, 0, 1, 0, opts.sidx, 0x90000000)], 0));
  }
  opts.fragments.forEach((spec, i) => {
    const frames = spec.countOnly ? [] : Array.from({ length: spec.samples }, (_, n) => (n === 0 ? key : p));
    const { moof, mdatHeader } = fragmentBoxes(
      i + 1,
      spec,
      frames.map((f) => f.length),
    );
    parts.push(moof, mdatHeader, ...frames);
  });
  return Buffer.concat(parts);
}

/** `count` fragments of `per` samples of 1 s each, the duration written where asked (trex: nowhere in the fragment). */
export function fragmentsOfSeconds(count: number, per: number, where: 'trun' | 'tfhd' | 'trex'): FragmentSpec[] {
  const duration = where === 'trun' ? { trun: FRAGMENT_TIMESCALE } : where === 'tfhd' ? { tfhd: FRAGMENT_TIMESCALE } : {};
  return Array.from({ length: count }, () => ({ samples: per, ...duration }));
}

/**
 * fragmented-60s.mp4 cut short: in the middle of its third moof, in the middle of its first mdat, or right after its
 * second moof (every box whole, but the run's data missing).
 */
export function cutFragmentedMp4(where: 'moof' | 'mdat' | 'after-moof'): Buffer {
  const mp4 = fixtureBytes('fragmented-60s.mp4');
  const moofs = mp4Boxes(mp4).filter((b) => b.type === 'moof');
  if (where === 'mdat') return truncatedMp4(mp4);
  const moof = where === 'moof' ? moofs[2]! : moofs[1]!;
  return mp4.subarray(0, where === 'moof' ? moof.start + 50 : moof.end);
}

/**
 * A fragmented video of `totalBytes` (sparse, no disk used): fragmented-60s.mp4's moov, then a real moof every
 * `every` bytes, each with two samples of 0.5 s (per-sample sizes and durations) filling a sparse mdat up to the next.
 * Returns how many fragments, i.e. seconds, it holds.
 */
export async function writeSparseFragmentedMp4(dest: string, totalBytes: number, every: number): Promise<number> {
  const head = fragmentedHead({});
  const fh = await open(dest, 'w');
  try {
    await fh.write(head, 0, head.length, 0);
    let seq = 0;
    for (let pos = head.length; pos < totalBytes;) {
      const end = totalBytes - (pos + every) < every ? totalBytes : pos + every;
      const spec: FragmentSpec = { samples: 2, trun: FRAGMENT_TIMESCALE / 2 };
      const overhead = fragmentBoxes(++seq, spec, [0, 0]).moof.length + 8;
      const half = Math.floor((end - pos - overhead) / 2);
      const { moof, mdatHeader } = fragmentBoxes(seq, spec, [half, end - pos - overhead - half]);
      const headers = Buffer.concat([moof, mdatHeader]);
      await fh.write(headers, 0, headers.length, pos);
      pos = end;
    }
    await fh.truncate(totalBytes);
    return seq;
  } finally {
    await fh.close();
  }
}

// ---- hostile files ------------------------------------------------------------------------------------

/** File names an upload must survive: path traversal, a 300-character name, NUL, RTL override, newlines. */
export const HOSTILE_NAMES = [
  '../../x.jpg',
  '..\\..\\windows\\system32\\x.jpg',
  `${'很长的文件名'.repeat(49)}ab.jpg`,
  'evil\u0000.jpg',
  'photo\u202egpj.exe',
  'line\nbreak\r\n.jpg',
  '<img src=x onerror=alert(1)>.jpg',
  'CON.jpg',
] as const;

/** A Windows program: "MZ" then a PE header. */
export function peBytes(): Buffer {
  const buf = Buffer.alloc(512, 0);
  buf.write('MZ', 0, 'latin1');
  buf.writeUInt32LE(0x80, 0x3c);
  buf.write('PE\0\0', 0x80, 'latin1');
  buf.writeUInt16LE(0x14c, 0x84); // i386
  return buf;
}

const SCRIPT = '<html><script>alert(1)</script></html>';

export interface HostileFile {
  name: string;
  bytes: Buffer;
  why: string;
  /** the MediaError reason probeFile gives */
  reason: MediaErrorReason;
}

/** Files that must be refused, whatever their names say. */
export function hostileCorpus(): HostileFile[] {
  const photo = fixtureBytes('photo.jpg');
  const n = HOSTILE_NAMES;
  return [
    { name: n[0], bytes: exeBytes(), why: 'Linux program (ELF) named .jpg', reason: 'type' },
    { name: n[4], bytes: peBytes(), why: 'Windows program (PE) behind a right-to-left override', reason: 'type' },
    { name: 'IMG_0001.jpg', bytes: peBytes(), why: 'Windows program (PE) named .jpg', reason: 'type' },
    { name: n[2].replace(/\.jpg$/, '.pdf'), bytes: htmlBytes(), why: 'HTML named .pdf, 300-character name', reason: 'type' },
    {
      name: n[3],
      bytes: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>'),
      why: 'SVG with script named .jpg',
      reason: 'type',
    },
    {
      name: 'vector.jpg',
      bytes: Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>'),
      why: 'SVG with an XML declaration named .jpg',
      reason: 'type',
    },
    {
      name: n[5],
      bytes: insertAfterAppSegments(photo, jpegSegment(0xfe, Buffer.from(SCRIPT))),
      why: 'JPEG/HTML polyglot: HTML in a COM segment',
      reason: 'markup',
    },
    { name: n[6], bytes: Buffer.concat([photo, Buffer.from(SCRIPT)]), why: 'HTML appended after the JPEG end marker', reason: 'markup' },
    {
      name: 'exif.jpg',
      bytes: insertAfterAppSegments(photo, jpegSegment(0xe1, Buffer.from(`Exif\0\0<!DOCTYPE html><body onload=x>`))),
      why: 'HTML in an APP1 segment',
      reason: 'markup',
    },
    {
      name: 'text.png',
      bytes: pngClaimingSize(2, 2, [pngChunk('tEXt', Buffer.from(`Comment\0${SCRIPT}`))]),
      why: 'PNG/HTML polyglot: HTML in a tEXt chunk',
      reason: 'markup',
    },
    { name: 'tail.png', bytes: Buffer.concat([pngClaimingSize(2, 2), Buffer.from('<svg onload=alert(1)>')]), why: 'SVG appended after IEND', reason: 'markup' },
    { name: 'page.pdf', bytes: Buffer.from(`%PDF-1.4\n${SCRIPT}\n%%EOF\n`), why: 'PDF header followed by HTML', reason: 'markup' },
    { name: n[7], bytes: jpegClaimingSize(photo, 10000, 10000), why: 'JPEG header claiming 10000×10000 pixels', reason: 'pixels' },
    { name: 'bomb.png', bytes: pngClaimingSize(20000, 20000), why: 'PNG header claiming 20000×20000 pixels', reason: 'pixels' },
    { name: 'cut.jpg', bytes: photo.subarray(0, Math.floor(photo.length * 0.6)), why: 'JPEG cut short in its image data', reason: 'image_corrupt' },
    { name: 'head.jpg', bytes: photo.subarray(0, 40), why: 'JPEG cut short in its headers', reason: 'image_corrupt' },
    { name: 'truncated.mp4', bytes: truncatedMp4(), why: 'MP4 cut in the middle of its media data', reason: 'video_corrupt' },
    { name: 'fragment-cut.mp4', bytes: cutFragmentedMp4('moof'), why: 'fragmented MP4 cut in the middle of a movie fragment (moof)', reason: 'video_corrupt' },
    { name: 'nomoov.mp4', bytes: mp4WithoutMoov(), why: 'MP4 without its index (moov)', reason: 'video_corrupt' },
    { name: 'beyond.mp4', bytes: mp4WithChunksBeyondEnd(), why: 'MP4 whose index points past the end of the file', reason: 'video_corrupt' },
    { name: 'sound.mp4', bytes: fixtureBytes('audio-only.mp4'), why: 'MP4 with sound only', reason: 'no_video' },
    { name: 'empty.jpg', bytes: Buffer.alloc(0), why: 'empty file', reason: 'empty' },
  ];
}
