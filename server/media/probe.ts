/**
 * What an uploaded file really is, read from its content with positioned reads (videos are up to 1 GB, so a
 * file is never read whole): the type, and for images and videos the figures the notice's rules are about.
 * Anything that is not one of the five accepted types, or is disguised, damaged or built to exhaust the
 * server, is refused with a MediaError saying in Chinese what was found.
 *
 * MP4/MOV are read by the hand-written box walk below, not by mp4box.js (mp4box 2.4.1 was weighed for fragmented
 * files). mp4box can be fed only the box headers and the moof boxes (appendBuffer with fileStart, skipping the
 * mdat payloads; it then drops its buffers), and it does sum the fragments. But it keeps a sample object of about
 * 175 bytes for every sample of every track, and every parsed moof, for the life of the file: releaseUsedSamples
 * frees sample data, which is not there when mdat is skipped, not these. A file states its sample count for free:
 * one 72-byte moof whose trun claims 3 million samples cost mp4box 600 MB and 3.7 s, and 2^32 would take the
 * server down. For an ordinary file it also builds the sample list of the whole moov (up to 64 MB of tables), and
 * it reports damage by logging, not throwing. The figures we need are a few fields of mvhd, tkhd, mdhd and stsd,
 * and for fragments the sums of the trun durations: the walk below gets them with at most one moof (≤ 4 MB) in
 * memory at a time and per-sample work bounded by the bytes that hold the samples.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { fileTypeFromFile } from 'file-type';
import { AppError } from '../errors';

export type ProbeMime = 'image/jpeg' | 'image/png' | 'application/pdf' | 'video/mp4' | 'video/quicktime';
export type ProbeExt = 'jpg' | 'png' | 'pdf' | 'mp4' | 'mov';
export type Rotation = 0 | 90 | 180 | 270;

export interface Probe {
  mime: ProbeMime;
  ext: ProbeExt;
  /** images: as stored; videos: as displayed, i.e. swapped for a 90° or 270° rotation */
  width?: number;
  height?: number;
  durationSeconds?: number;
  rotation?: Rotation;
  /** videos: the sample entry of the video track, e.g. "avc1" (H.264) or "hvc1" (HEVC) */
  codec?: string;
}

export type MediaErrorReason = 'empty' | 'type' | 'image_corrupt' | 'pixels' | 'markup' | 'pdf_corrupt' | 'video_corrupt' | 'video_index' | 'no_video';

export class MediaError extends AppError {
  declare readonly code: 'UNSUPPORTED_FILE';
  readonly reason: MediaErrorReason;
  /** for 'type': "文件内容是 EXE 格式（可执行程序）", so a caller can add what its kind requires */
  readonly found: string | undefined;

  constructor(message: string, reason: MediaErrorReason, found?: string) {
    super('UNSUPPORTED_FILE', message);
    this.name = 'MediaError';
    this.reason = reason;
    this.found = found;
  }
}

export const PIXEL_LIMIT = 50_000_000;
export const MOOV_LIMIT = 64 * 1024 * 1024;
/**
 * A movie fragment's index (moof) is small: a minute of 240 fps video with every per-sample field is about 230 KB.
 * One bigger than this is refused as damaged rather than read.
 */
export const MOOF_LIMIT = 4 * 1024 * 1024;
const CHUNK = 1024 * 1024;
const MAX_JPEG_SEGMENTS = 10_000;
const MAX_PNG_CHUNKS = 100_000;
const MAX_TOP_LEVEL_BOXES = 100_000;

export const MEDIA_MESSAGES = {
  empty: '文件为空，请重新选择文件',
  imageBroken: '图片已损坏，无法读取，请重新保存或导出后上传',
  markup: '图片中含有网页代码，疑似伪装文件，不予接收',
  pdfBroken: 'PDF 文件已损坏，无法读取，请重新导出后上传',
  pdfMarkup: 'PDF 文件开头含有网页代码，疑似伪装文件，不予接收',
  videoBroken: '视频文件不完整或已损坏，请重新导出后上传',
  videoIndex: `视频文件的索引信息超过 ${MOOV_LIMIT / 1024 / 1024} MB，无法读取，请重新导出后上传`,
  noVideo: '视频文件中没有视频画面',
} as const;

const imageBroken = () => new MediaError(MEDIA_MESSAGES.imageBroken, 'image_corrupt');
const videoBroken = () => new MediaError(MEDIA_MESSAGES.videoBroken, 'video_corrupt');

export function pixelsError(width: number, height: number): MediaError {
  const wan = Math.round((width * height) / 10_000);
  return new MediaError(`图片像素 ${width}×${height}（约 ${wan} 万像素），超过 ${PIXEL_LIMIT / 10_000} 万像素上限`, 'pixels');
}

// ---- type recognition ---------------------------------------------------------------------------------

const NOTES: Record<string, string> = {
  exe: '可执行程序',
  elf: '可执行程序',
  macho: '可执行程序',
  html: '网页',
  svg: '矢量图，可含网页代码',
  xml: '文本',
  zip: '压缩包',
  rar: '压缩包',
  '7z': '压缩包',
  gz: '压缩包',
  doc: 'Word 文档',
  docx: 'Word 文档',
  heic: '苹果手机高效图片格式',
};

/** "是 EXE 格式（可执行程序）" or "不是可识别的文件格式", to follow "文件内容". */
export function describeDetected(detected: { ext: string } | undefined): string {
  if (!detected) return '不是可识别的文件格式';
  const note = NOTES[detected.ext];
  return `是 ${detected.ext.toUpperCase()} 格式${note ? `（${note}）` : ''}`;
}

function unsupported(detected: { ext: string } | undefined): MediaError {
  const found = `文件内容${describeDetected(detected)}`;
  return new MediaError(`${found}，要求为 JPEG、PNG、PDF、MP4 或 MOV 格式（按文件内容识别，修改扩展名无效）`, 'type', found);
}

/** Tag names that end with a delimiter, so chance bytes in compressed data rarely match. */
const MARKUP_ANY = /<(?:script|iframe|html|body|svg)[\t\n\f\r />]|<!doctype\s+html|javascript:/i;
/** In compressed pixel data only patterns too long to appear by chance in 30 MB of random bytes. */
const MARKUP_LONG = /<(?:script|iframe)[\t\n\f\r />]|<!doctype\s+html|javascript:/i;

/** Text formats file-type leaves unrecognised, named so the message says what the file is. */
async function sniffText(src: Source): Promise<{ ext: string } | undefined> {
  const head = (await src.read(0, 1024))
    .toString('latin1')
    .replace(/^\xef\xbb\xbf/, '')
    .trimStart()
    .toLowerCase();
  if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg'))) return { ext: 'svg' };
  if (head.startsWith('<!doctype html') || head.startsWith('<html') || MARKUP_ANY.test(head)) return { ext: 'html' };
  if (head.startsWith('<?xml')) return { ext: 'xml' };
  return undefined;
}

async function detect(path: string, src: Source): Promise<{ ext: string; mime: string } | undefined> {
  let detected: { ext: string; mime: string } | undefined;
  try {
    detected = await fileTypeFromFile(path);
  } catch {
    detected = undefined;
  }
  if (!detected || detected.ext === 'xml') {
    const text = await sniffText(src);
    if (text) return { ...text, mime: 'text/plain' };
  }
  return detected;
}

export async function probeFile(path: string): Promise<Probe> {
  const fh = await open(path, 'r');
  try {
    const src = new Source(fh, (await fh.stat()).size);
    if (src.size === 0) throw new MediaError(MEDIA_MESSAGES.empty, 'empty');
    const detected = await detect(path, src);
    switch (detected?.mime) {
      case 'image/jpeg':
        return await probeJpeg(src);
      case 'image/png':
        return await probePng(src);
      case 'application/pdf':
        return await probePdf(src);
      case 'video/mp4':
      case 'video/x-m4v': // the MP4 container under Apple's brand name
      case 'video/quicktime':
        return await probeIsoBmff(src);
      default:
        throw unsupported(detected);
    }
  } finally {
    await fh.close();
  }
}

// ---- reading ------------------------------------------------------------------------------------------

class Source {
  constructor(
    private readonly fh: FileHandle,
    readonly size: number,
  ) {}

  /** `length` bytes at `offset`, fewer at the end of the file. */
  async read(offset: number, length: number): Promise<Buffer> {
    const n = Math.max(0, Math.min(length, this.size - offset));
    const out = Buffer.alloc(n);
    let done = 0;
    while (done < n) {
      const { bytesRead } = await this.fh.read(out, done, n - done, offset + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return out.subarray(0, done);
  }
}

type Region = 'meta' | 'pixels';

/** Looks for HTML in a file fed to it in order, chunk by chunk, carrying a tail across chunk boundaries. */
class MarkupScanner {
  private tail = '';

  feed(bytes: Buffer, region: Region): void {
    const text = this.tail + bytes.toString('latin1');
    if ((region === 'meta' ? MARKUP_ANY : MARKUP_LONG).test(text)) throw new MediaError(MEDIA_MESSAGES.markup, 'markup');
    this.tail = text.slice(-32);
  }
}

async function scanRange(src: Source, from: number, to: number, scan: MarkupScanner, region: Region): Promise<void> {
  for (let pos = from; pos < to; pos += CHUNK) {
    scan.feed(await src.read(pos, Math.min(CHUNK, to - pos)), region);
  }
}

function checkPixels(width: number, height: number, broken: () => MediaError): { width: number; height: number } {
  if (width === 0 || height === 0) throw broken();
  if (width * height > PIXEL_LIMIT) throw pixelsError(width, height);
  return { width, height };
}

// ---- JPEG ---------------------------------------------------------------------------------------------

const SOS = 0xda;
const EOI = 0xd9;
const isStandalone = (m: number) => m === 0x01 || (m >= 0xd0 && m <= 0xd7);
const isSof = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

async function probeJpeg(src: Source): Promise<Probe> {
  const scan = new MarkupScanner();
  const { dims, end } = await walkJpeg(src, 0, scan);
  if (!dims) throw imageBroken();
  await scanTrailer(src, end, scan);
  return { mime: 'image/jpeg', ext: 'jpg', ...dims };
}

/** Marker segments up to EOI; entropy-coded data is skipped by looking for the next marker. */
async function walkJpeg(src: Source, start: number, scan: MarkupScanner): Promise<{ dims?: { width: number; height: number }; end: number }> {
  const soi = await src.read(start, 2);
  if (soi[0] !== 0xff || soi[1] !== 0xd8) throw imageBroken();
  let pos = start + 2;
  let dims: { width: number; height: number } | undefined;
  for (let segments = 0; segments < MAX_JPEG_SEGMENTS; segments++) {
    pos = await skipFill(src, pos);
    const head = await src.read(pos, 4);
    const marker = head[1];
    if (marker === undefined || head[0] !== 0xff) throw imageBroken();
    if (marker === EOI) return { dims, end: pos + 2 };
    if (isStandalone(marker)) {
      pos += 2;
      continue;
    }
    if (head.length < 4 || marker === 0x00 || marker === 0xd8) throw imageBroken();
    const length = head.readUInt16BE(2);
    if (length < 2 || pos + 2 + length > src.size) throw imageBroken();
    const data = await src.read(pos + 4, length - 2);
    scan.feed(data, 'meta');
    if (!dims && isSof(marker)) {
      if (data.length < 5) throw imageBroken();
      dims = checkPixels(data.readUInt16BE(3), data.readUInt16BE(1), imageBroken);
    }
    pos += 2 + length;
    if (marker === SOS) pos = await skipEntropyData(src, pos, scan);
  }
  throw imageBroken();
}

/** Any number of 0xFF may pad the space before a marker. */
async function skipFill(src: Source, pos: number): Promise<number> {
  const window = await src.read(pos, 2);
  if (window[0] !== 0xff || window[1] !== 0xff) return pos;
  const run = await src.read(pos, 64 * 1024);
  const i = run.findIndex((b) => b !== 0xff);
  if (i < 1) throw imageBroken();
  return pos + i - 1;
}

/** The offset of the marker after a scan: 0xFF followed by anything but a stuffed 0x00 or a restart marker. */
async function skipEntropyData(src: Source, from: number, scan: MarkupScanner): Promise<number> {
  let pos = from;
  for (;;) {
    const chunk = await src.read(pos, CHUNK);
    if (chunk.length < 2) throw imageBroken();
    let i = chunk.indexOf(0xff);
    while (i !== -1 && i < chunk.length - 1) {
      const next = chunk[i + 1]!;
      if (next !== 0x00 && (next < 0xd0 || next > 0xd7)) {
        scan.feed(chunk.subarray(0, i), 'pixels');
        return pos + i;
      }
      i = chunk.indexOf(0xff, i + 2);
    }
    // a 0xFF as the last byte is looked at again with the byte after it
    const consumed = i === chunk.length - 1 ? i : chunk.length;
    scan.feed(chunk.subarray(0, consumed), 'pixels');
    pos += consumed;
  }
}

/**
 * After EOI phones append further JPEGs (MPF: depth maps, HDR gain maps), walked like the first one; anything
 * else there is scanned as a whole.
 */
async function scanTrailer(src: Source, from: number, scan: MarkupScanner): Promise<void> {
  let pos = from;
  while (pos < src.size) {
    const head = await src.read(pos, 3);
    if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) {
      try {
        pos = (await walkJpeg(src, pos, scan)).end;
        continue;
      } catch (err) {
        if (!(err instanceof MediaError && err.reason === 'image_corrupt')) throw err;
      }
    }
    await scanRange(src, pos, src.size, scan, 'meta');
    return;
  }
}

// ---- PNG ----------------------------------------------------------------------------------------------

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

async function probePng(src: Source): Promise<Probe> {
  if (!(await src.read(0, 8)).equals(PNG_SIGNATURE)) throw imageBroken();
  const scan = new MarkupScanner();
  let pos = 8;
  let dims: { width: number; height: number } | undefined;
  for (let chunks = 0; ; chunks++) {
    const head = await src.read(pos, 8);
    if (head.length < 8 || chunks > MAX_PNG_CHUNKS) throw imageBroken();
    const length = head.readUInt32BE(0);
    const type = head.toString('latin1', 4, 8);
    const dataStart = pos + 8;
    if (!/^[A-Za-z]{4}$/.test(type) || length > 0x7fffffff || dataStart + length + 4 > src.size) throw imageBroken();
    if (!dims) {
      if (type !== 'IHDR' || length !== 13) throw imageBroken();
      const ihdr = await src.read(dataStart, 13);
      dims = checkPixels(ihdr.readUInt32BE(0), ihdr.readUInt32BE(4), imageBroken);
    }
    await scanRange(src, dataStart, dataStart + length, scan, type === 'IDAT' || type === 'fdAT' ? 'pixels' : 'meta');
    pos = dataStart + length + 4;
    if (type === 'IEND') break;
  }
  await scanRange(src, pos, src.size, scan, 'meta');
  return { mime: 'image/png', ext: 'png', ...dims };
}

// ---- PDF ----------------------------------------------------------------------------------------------

async function probePdf(src: Source): Promise<Probe> {
  const head = await src.read(0, 1024);
  if (head.toString('latin1', 0, 5) !== '%PDF-') throw new MediaError(MEDIA_MESSAGES.pdfBroken, 'pdf_corrupt');
  if (MARKUP_ANY.test(head.toString('latin1'))) throw new MediaError(MEDIA_MESSAGES.pdfMarkup, 'markup');
  return { mime: 'application/pdf', ext: 'pdf' };
}

// ---- MP4 / MOV (ISO base media file format) -----------------------------------------------------------

interface BoxHeader {
  type: string;
  start: number;
  headerSize: number;
  size: number;
}

function safeNumber(n: bigint): number {
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw videoBroken();
  return Number(n);
}

async function readBoxHeader(src: Source, offset: number): Promise<BoxHeader> {
  const h = await src.read(offset, 16);
  if (h.length < 8) throw videoBroken();
  const size32 = h.readUInt32BE(0);
  const type = h.toString('latin1', 4, 8);
  let size = size32;
  let headerSize = 8;
  if (size32 === 1) {
    if (h.length < 16) throw videoBroken();
    size = safeNumber(h.readBigUInt64BE(8));
    headerSize = 16;
  } else if (size32 === 0) {
    size = src.size - offset; // the last box, to the end of the file
  }
  if (size < headerSize || offset + size > src.size) throw videoBroken();
  return { type, start: offset, headerSize, size };
}

/**
 * The top-level boxes, by their headers only: a box running past the end means the file was cut short. The movie
 * fragments (moof) are noted to be read after moov; mdat is never read.
 */
async function topLevel(src: Source): Promise<{ brand: string | undefined; moov: BoxHeader; moofs: BoxHeader[] }> {
  let brand: string | undefined;
  let moov: BoxHeader | undefined;
  const moofs: BoxHeader[] = [];
  let offset = 0;
  for (let n = 0; offset < src.size; n++) {
    if (n > MAX_TOP_LEVEL_BOXES) throw videoBroken();
    const box = await readBoxHeader(src, offset);
    if (box.type === 'ftyp' && brand === undefined) {
      if (box.size < box.headerSize + 4) throw videoBroken();
      brand = (await src.read(offset + box.headerSize, 4)).toString('latin1');
    }
    if (box.type === 'moov' && !moov) moov = box;
    if (box.type === 'moof') moofs.push(box);
    offset += box.size;
  }
  if (!moov) throw videoBroken();
  return { brand, moov, moofs };
}

async function probeIsoBmff(src: Source): Promise<Probe> {
  const { brand, moov, moofs } = await topLevel(src);
  if (moov.size > MOOV_LIMIT) throw new MediaError(MEDIA_MESSAGES.videoIndex, 'video_index');
  const movie = parseMoov(await src.read(moov.start + moov.headerSize, moov.size - moov.headerSize));
  for (const track of movie.tracks) {
    if (track.maxChunkOffset >= src.size) throw videoBroken();
  }
  const video = pickVideoTrack(movie.tracks);
  if (!video) throw new MediaError(MEDIA_MESSAGES.noVideo, 'no_video');
  if (!video.width || !video.height) throw videoBroken();
  const durationSeconds =
    movie.fragmented || moofs.length > 0 ? fragmentedDuration(movie, video, await readFragments(src, moofs, movie)) : movieDuration(movie, video);
  if (durationSeconds === undefined) throw videoBroken();
  const swap = video.rotation === 90 || video.rotation === 270;
  const quicktime = brand === undefined || brand === 'qt  ';
  return {
    mime: quicktime ? 'video/quicktime' : 'video/mp4',
    ext: quicktime ? 'mov' : 'mp4',
    width: swap ? video.height : video.width,
    height: swap ? video.width : video.height,
    durationSeconds,
    rotation: video.rotation,
    ...(video.codec ? { codec: video.codec } : {}),
  };
}

// boxes inside moov, which is in memory

interface Box {
  type: string;
  /** payload, after the header */
  start: number;
  end: number;
}

/**
 * The boxes in `parent` one by one, without a list: a moov or moof may hold millions of tiny boxes. Fewer than 8
 * bytes left, or a zero size, ends a list (QuickTime may close one with 32 zero bits).
 */
function* children(buf: Buffer, parent: Box, type?: string): Generator<Box> {
  let p = parent.start;
  while (parent.end - p >= 8) {
    let size = buf.readUInt32BE(p);
    let header = 8;
    if (size === 0) break;
    if (size === 1) {
      if (parent.end - p < 16) throw videoBroken();
      size = safeNumber(buf.readBigUInt64BE(p + 8));
      header = 16;
    }
    if (size < header || p + size > parent.end) throw videoBroken();
    // when a type is asked, it is compared before a string is made of it
    if (type === undefined || isType(buf, p + 4, type)) {
      yield { type: type ?? buf.toString('latin1', p + 4, p + 8), start: p + header, end: p + size };
    }
    p += size;
  }
}

function isType(buf: Buffer, at: number, type: string): boolean {
  return buf[at] === type.charCodeAt(0) && buf[at + 1] === type.charCodeAt(1) && buf[at + 2] === type.charCodeAt(2) && buf[at + 3] === type.charCodeAt(3);
}

/** The first box of this type in `parent`; the whole list is still walked, so a damaged box anywhere in it is found. */
function child(buf: Buffer, parent: Box | undefined, type: string): Box | undefined {
  if (!parent) return undefined;
  let found: Box | undefined;
  for (const box of children(buf, parent, type)) found ??= box;
  return found;
}

/** Throws unless the box holds `length` bytes from `offset` within its payload. */
function need(box: Box, offset: number, length: number): number {
  if (box.start + offset + length > box.end) throw videoBroken();
  return box.start + offset;
}

interface Track {
  /** tkhd's track_ID, which the fragments' tfhd refer to */
  id: number;
  handler: string;
  enabled: boolean;
  width: number;
  height: number;
  rotation: Rotation;
  timescale: number;
  duration: number;
  maxChunkOffset: number;
  /** the samples in moov's own table (stts), their count and summed durations: none in most fragmented files */
  moovSamples: number;
  moovUnits: number;
  codec: string | undefined;
}

/** trex: a track's sample duration and size where a fragment does not give them. */
interface TrackDefaults {
  duration: number;
  size: number;
}

interface Movie {
  timescale: number;
  duration: number;
  /** moov holds mvex: the movie goes on in fragments */
  fragmented: boolean;
  /** mehd: the whole movie's duration with its fragments, in the movie timescale; 0 when absent */
  fragmentDuration: number;
  trackDefaults: Map<number, TrackDefaults>;
  tracks: Track[];
}

/** mvhd and mdhd share the layout of timescale and duration; all ones means unknown. */
function times(buf: Buffer, box: Box): { timescale: number; duration: number } {
  const v1 = buf[need(box, 0, 1)] === 1;
  const at = need(box, v1 ? 20 : 12, v1 ? 12 : 8);
  const timescale = buf.readUInt32BE(at);
  const raw = v1 ? buf.readBigUInt64BE(at + 4) : BigInt(buf.readUInt32BE(at + 4));
  const unknown = raw === (v1 ? 0xffffffffffffffffn : 0xffffffffn);
  return { timescale, duration: unknown ? 0 : safeNumber(raw) };
}

function parseMoov(buf: Buffer): Movie {
  const root: Box = { type: 'moov', start: 0, end: buf.length };
  const mvhd = child(buf, root, 'mvhd');
  if (!mvhd) throw videoBroken();
  const mvex = child(buf, root, 'mvex');
  const mehd = child(buf, mvex, 'mehd');
  let fragmentDuration = 0;
  if (mehd) {
    const v1 = buf[need(mehd, 0, 1)] === 1;
    fragmentDuration = v1 ? safeNumber(buf.readBigUInt64BE(need(mehd, 4, 8))) : buf.readUInt32BE(need(mehd, 4, 4));
  }
  const trackDefaults = new Map<number, TrackDefaults>();
  for (const trex of mvex ? children(buf, mvex, 'trex') : []) {
    // version and flags, track_ID, default sample description index, duration, size, flags
    const at = need(trex, 4, 16);
    trackDefaults.set(buf.readUInt32BE(at), { duration: buf.readUInt32BE(at + 8), size: buf.readUInt32BE(at + 12) });
  }
  const tracks = Array.from(children(buf, root, 'trak'), (t) => parseTrack(buf, t));
  return { ...times(buf, mvhd), fragmented: mvex !== undefined, fragmentDuration, trackDefaults, tracks };
}

function parseTrack(buf: Buffer, trak: Box): Track {
  const tkhd = child(buf, trak, 'tkhd');
  const mdia = child(buf, trak, 'mdia');
  const hdlr = child(buf, mdia, 'hdlr');
  const mdhd = child(buf, mdia, 'mdhd');
  if (!tkhd || !hdlr || !mdhd) throw videoBroken();
  const stbl = child(buf, child(buf, mdia, 'minf'), 'stbl');
  const entry = sampleEntry(buf, child(buf, stbl, 'stsd'));
  const header = trackHeader(buf, tkhd);
  return {
    handler: buf.toString('latin1', need(hdlr, 8, 4), hdlr.start + 12),
    ...header,
    width: header.width || entry?.width || 0,
    height: header.height || entry?.height || 0,
    ...times(buf, mdhd),
    maxChunkOffset: maxChunkOffset(buf, stbl),
    ...moovSamples(buf, stbl),
    codec: entry?.codec,
  };
}

/** tkhd: flags, track ID, the 3×3 display matrix and the presentation size (16.16 fixed point). */
function trackHeader(buf: Buffer, tkhd: Box): { id: number; enabled: boolean; width: number; height: number; rotation: Rotation } {
  const v1 = buf[need(tkhd, 0, 4)] === 1;
  const matrix = need(tkhd, v1 ? 52 : 40, 44);
  const a = buf.readInt32BE(matrix) / 65536;
  const b = buf.readInt32BE(matrix + 4) / 65536;
  return {
    id: buf.readUInt32BE(tkhd.start + (v1 ? 20 : 12)),
    enabled: (buf.readUIntBE(tkhd.start + 1, 3) & 1) === 1,
    width: Math.round(buf.readUInt32BE(matrix + 36) / 65536),
    height: Math.round(buf.readUInt32BE(matrix + 40) / 65536),
    rotation: rotationOf(a, b),
  };
}

/** (a, b) of the matrix: (1, 0) upright, (0, 1) 90°, (−1, 0) 180°, (0, −1) 270°; scaling does not matter. */
export function rotationOf(a: number, b: number): Rotation {
  const quarters = Math.round(Math.atan2(b, a) / (Math.PI / 2));
  return ((((quarters % 4) + 4) % 4) * 90) as Rotation;
}

/** The first sample entry of stsd: its four-letter codec and, for video, its coded size. */
function sampleEntry(buf: Buffer, stsd: Box | undefined): { codec: string; width: number; height: number } | undefined {
  if (!stsd || stsd.end - stsd.start < 16 || buf.readUInt32BE(stsd.start + 4) === 0) return undefined;
  const at = stsd.start + 8;
  const codec = buf.toString('latin1', at + 4, at + 8);
  if (at + 36 > stsd.end) return { codec, width: 0, height: 0 };
  return { codec, width: buf.readUInt16BE(at + 32), height: buf.readUInt16BE(at + 34) };
}

/** The largest chunk offset in stco (32-bit) or co64 (64-bit); 0 when there are none (fragmented files). */
function maxChunkOffset(buf: Buffer, stbl: Box | undefined): number {
  const stco = child(buf, stbl, 'stco');
  const co64 = child(buf, stbl, 'co64');
  const table = stco ?? co64;
  if (!table) return 0;
  const width = stco ? 4 : 8;
  const count = buf.readUInt32BE(need(table, 4, 4));
  const first = need(table, 8, count * width);
  let max = 0;
  for (let i = 0; i < count; i++) {
    const at = first + i * width;
    const offset = stco ? buf.readUInt32BE(at) : safeNumber(buf.readBigUInt64BE(at));
    if (offset > max) max = offset;
  }
  return max;
}

/** stts: how many samples moov's own table holds and their summed durations. */
function moovSamples(buf: Buffer, stbl: Box | undefined): { moovSamples: number; moovUnits: number } {
  const stts = child(buf, stbl, 'stts');
  if (!stts) return { moovSamples: 0, moovUnits: 0 };
  const count = buf.readUInt32BE(need(stts, 4, 4));
  const first = need(stts, 8, count * 8);
  let samples = 0;
  let units = 0;
  for (let i = 0; i < count; i++) {
    const n = buf.readUInt32BE(first + i * 8);
    samples += n;
    units += n * buf.readUInt32BE(first + i * 8 + 4);
  }
  return { moovSamples: samples, moovUnits: units };
}

function pickVideoTrack(tracks: Track[]): Track | undefined {
  const video = tracks.filter((t) => t.handler === 'vide');
  return video.find((t) => t.enabled && t.width > 0 && t.height > 0) ?? video.find((t) => t.width > 0 && t.height > 0) ?? video[0];
}

/** A file without fragments: mvhd, else the video track's own duration; to the millisecond. */
function movieDuration(movie: Movie, video: Track): number | undefined {
  const seconds =
    (movie.timescale && movie.duration && movie.duration / movie.timescale) ||
    (video.timescale && video.duration && video.duration / video.timescale) ||
    undefined;
  return seconds === undefined ? undefined : Math.round(seconds * 1000) / 1000;
}

// fragmented files: moov, then movie fragments (moof + mdat), as phones, screen recorders and
// ffmpeg -movflags frag_keyframe+empty_moov write them

/** What the fragments say of one track: sample count, summed durations, and the decode times (tfdt) given. */
interface FragmentTimes {
  samples: number;
  /** the sum of the sample durations, in the track's timescale */
  units: number;
  /** the earliest tfdt and the latest tfdt + that fragment's durations; `timed` while every fragment had a tfdt */
  earliest: number;
  end: number;
  timed: boolean;
}

// tfhd and trun flags (ISO/IEC 14496-12 8.8.7, 8.8.8)
const TFHD_BASE_DATA_OFFSET = 0x1;
const TFHD_SAMPLE_DESCRIPTION = 0x2;
const TFHD_DEFAULT_DURATION = 0x8;
const TFHD_DEFAULT_SIZE = 0x10;
const TFHD_BASE_IS_MOOF = 0x20000;
const TRUN_DATA_OFFSET = 0x1;
const TRUN_FIRST_SAMPLE_FLAGS = 0x4;
const TRUN_DURATION = 0x100;
const TRUN_SIZE = 0x200;
const TRUN_FLAGS = 0x400;
const TRUN_COMPOSITION_OFFSET = 0x800;

const flagsOf = (buf: Buffer, box: Box) => buf.readUIntBE(need(box, 1, 3), 3);

/**
 * Reads the moof boxes one at a time (each at most MOOF_LIMIT), never the media data: per track, the sample
 * durations of every run (trun), each from the run itself, else tfhd's default, else trex's. Every run's data must
 * lie within the file, so a file cut right after a moof is found cut short too.
 */
async function readFragments(src: Source, moofs: BoxHeader[], movie: Movie): Promise<Map<number, FragmentTimes>> {
  const tracks = new Map(movie.tracks.map((t) => [t.id, t]));
  const out = new Map<number, FragmentTimes>();
  for (const moof of moofs) {
    if (moof.size > MOOF_LIMIT) throw videoBroken();
    const buf = await src.read(moof.start, moof.size);
    // without an explicit base, a track fragment's data follows the previous one's, the first one's the moof
    let dataEnd = moof.start;
    for (const traf of children(buf, { type: 'moof', start: moof.headerSize, end: buf.length }, 'traf')) {
      const tfhd = child(buf, traf, 'tfhd');
      if (!tfhd) throw videoBroken();
      const flags = flagsOf(buf, tfhd);
      const trackId = buf.readUInt32BE(need(tfhd, 4, 4));
      const defaults = movie.trackDefaults.get(trackId) ?? { duration: 0, size: 0 };
      let at = 8;
      let base = flags & TFHD_BASE_IS_MOOF ? moof.start : dataEnd;
      if (flags & TFHD_BASE_DATA_OFFSET) {
        base = safeNumber(buf.readBigUInt64BE(need(tfhd, at, 8)));
        at += 8;
      }
      if (flags & TFHD_SAMPLE_DESCRIPTION) at += 4;
      let duration = defaults.duration;
      let size = defaults.size;
      if (flags & TFHD_DEFAULT_DURATION) {
        duration = buf.readUInt32BE(need(tfhd, at, 4));
        at += 4;
      }
      if (flags & TFHD_DEFAULT_SIZE) size = buf.readUInt32BE(need(tfhd, at, 4));

      let samples = 0;
      let units = 0;
      dataEnd = base;
      for (const trun of children(buf, traf, 'trun')) {
        const run = readRun(buf, trun, duration, size);
        const start = run.dataOffset === undefined ? dataEnd : base + run.dataOffset;
        if (start < 0 || start + run.bytes > src.size) throw videoBroken();
        dataEnd = start + run.bytes;
        samples += run.samples;
        units += run.units;
      }
      if (!tracks.has(trackId)) continue; // a fragment of a track moov does not have is not played
      const times = out.get(trackId) ?? { samples: 0, units: 0, earliest: Infinity, end: 0, timed: true };
      times.samples += samples;
      times.units += units;
      const tfdt = child(buf, traf, 'tfdt');
      if (tfdt) {
        const v1 = buf[need(tfdt, 0, 1)] === 1;
        const decodeTime = v1 ? safeNumber(buf.readBigUInt64BE(need(tfdt, 4, 8))) : buf.readUInt32BE(need(tfdt, 4, 4));
        times.earliest = Math.min(times.earliest, decodeTime);
        times.end = Math.max(times.end, decodeTime + units);
      } else {
        times.timed = false;
      }
      out.set(trackId, times);
    }
  }
  return out;
}

/**
 * One track run: its sample count, summed durations and data size. The per-sample fields are read only where the
 * run holds them, so the work is bounded by the moof's bytes; a run of defaults is counted, not walked, however many
 * samples it claims.
 */
function readRun(
  buf: Buffer,
  trun: Box,
  defaultDuration: number,
  defaultSize: number,
): { samples: number; units: number; bytes: number; dataOffset: number | undefined } {
  const flags = flagsOf(buf, trun);
  const count = buf.readUInt32BE(need(trun, 4, 4));
  let at = 8;
  let dataOffset: number | undefined;
  if (flags & TRUN_DATA_OFFSET) {
    dataOffset = buf.readInt32BE(need(trun, at, 4));
    at += 4;
  }
  if (flags & TRUN_FIRST_SAMPLE_FLAGS) at += 4;
  const fields = [TRUN_DURATION, TRUN_SIZE, TRUN_FLAGS, TRUN_COMPOSITION_OFFSET].filter((f) => flags & f).length;
  const first = need(trun, at, count * fields * 4);
  const stride = fields * 4;
  let units = count * defaultDuration;
  let bytes = count * defaultSize;
  if (flags & TRUN_DURATION) {
    units = 0;
    for (let i = 0; i < count; i++) units += buf.readUInt32BE(first + i * stride);
  }
  if (flags & TRUN_SIZE) {
    const field = first + (flags & TRUN_DURATION ? 4 : 0);
    bytes = 0;
    for (let i = 0; i < count; i++) bytes += buf.readUInt32BE(field + i * stride);
  }
  return { samples: count, units, bytes, dataOffset };
}

/**
 * A fragmented movie's length: the longest of mvhd, mehd and its tracks, as mvhd gives it for an ordinary file
 * (and mehd by definition), so a long sound track behind a short picture counts as players show it. A track's
 * length is its samples in moov plus those in the fragments, or, when every fragment says when it starts (tfdt),
 * from the earliest start to the latest end if that is longer (a recorder that dropped frames leaves a gap that
 * players show); mdhd when it says more. The video track must have samples: none means the file was cut before
 * its first fragment.
 */
function fragmentedDuration(movie: Movie, video: Track, fragments: Map<number, FragmentTimes>): number | undefined {
  if (video.moovSamples + (fragments.get(video.id)?.samples ?? 0) === 0) throw videoBroken();
  let seconds = movie.timescale ? Math.max(movie.duration, movie.fragmentDuration) / movie.timescale : 0;
  for (const track of movie.tracks) {
    if (!track.timescale) continue;
    const times = fragments.get(track.id);
    const summed = track.moovUnits + (times?.units ?? 0);
    const span = times?.timed && times.earliest <= times.end ? times.end - (track.moovSamples > 0 ? 0 : times.earliest) : 0;
    seconds = Math.max(seconds, Math.max(track.duration, summed, span) / track.timescale);
  }
  return seconds > 0 && Number.isFinite(seconds) ? Math.round(seconds * 1000) / 1000 : undefined;
}
