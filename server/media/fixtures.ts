/**
 * Media files for tests, real enough to decode and play, with known figures. The small committed ones are in
 * fixtures/ (see fixtures/README.md for how they were made); everything else is derived from them in code, so
 * no test needs ffmpeg.
 */
import { readFileSync } from 'node:fs';
import { truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import sharp from 'sharp';
import { exeBytes, htmlBytes } from '../testing/files';
import type { MediaErrorReason } from './probe';

export const FIXTURES_DIR = fileURLToPath(new URL('./fixtures/', import.meta.url));

/** The committed fixtures and what probeFile reports for each. */
export const VIDEO_FIXTURES = {
  'landscape.mp4': { mime: 'video/mp4', ext: 'mp4', width: 1920, height: 1080, durationSeconds: 2, rotation: 0, codec: 'avc1' },
  'landscape-moov-end.mp4': { mime: 'video/mp4', ext: 'mp4', width: 1920, height: 1080, durationSeconds: 2, rotation: 0, codec: 'avc1' },
  'portrait-rotated.mp4': { mime: 'video/mp4', ext: 'mp4', width: 1080, height: 1920, durationSeconds: 2, rotation: 90, codec: 'avc1' },
  'portrait.mov': { mime: 'video/quicktime', ext: 'mov', width: 1080, height: 1920, durationSeconds: 2, rotation: 0, codec: 'avc1' },
  'small-720p.mp4': { mime: 'video/mp4', ext: 'mp4', width: 1280, height: 720, durationSeconds: 2, rotation: 0, codec: 'avc1' },
  'long-181s.mp4': { mime: 'video/mp4', ext: 'mp4', width: 1920, height: 1080, durationSeconds: 181, rotation: 0, codec: 'avc1' },
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
  for (let p = start; p + 8 <= end; ) {
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
    { name: n[5], bytes: insertAfterAppSegments(photo, jpegSegment(0xfe, Buffer.from(SCRIPT))), why: 'JPEG/HTML polyglot: HTML in a COM segment', reason: 'markup' },
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
    { name: 'nomoov.mp4', bytes: mp4WithoutMoov(), why: 'MP4 without its index (moov)', reason: 'video_corrupt' },
    { name: 'beyond.mp4', bytes: mp4WithChunksBeyondEnd(), why: 'MP4 whose index points past the end of the file', reason: 'video_corrupt' },
    { name: 'sound.mp4', bytes: fixtureBytes('audio-only.mp4'), why: 'MP4 with sound only', reason: 'no_video' },
    { name: 'empty.jpg', bytes: Buffer.alloc(0), why: 'empty file', reason: 'empty' },
  ];
}
