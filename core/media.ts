// Photos, videos and supplementary materials (notice: photos JPEG ≥ 2 MB each; videos MP4 or MOV,
// ≤ 3 minutes, 1920×1080 landscape or 1080×1920 portrait). Checks return Chinese problems, empty when fine;
// the server runs them on what it read from the file content, the browser runs precheckFile before uploading.
import type { CampaignSettings } from './campaign';

export type MediaSettings = CampaignSettings['media'];

const EXTRA_ACCEPT = ['image/jpeg', 'image/png', 'application/pdf', 'video/mp4', 'video/quicktime'] as const;
const EXTRA_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.pdf', '.mp4', '.mov'] as const;

export const MEDIA_KINDS = [
  { kind: 'photo', label: '照片', accept: ['image/jpeg'], extensions: ['.jpg', '.jpeg'] },
  { kind: 'video', label: '视频', accept: ['video/mp4', 'video/quicktime'], extensions: ['.mp4', '.mov'] },
  { kind: 'deeds_extra', label: '主要事迹补充材料', accept: EXTRA_ACCEPT, extensions: EXTRA_EXTENSIONS },
  { kind: 'story_extra', label: '感人故事补充材料', accept: EXTRA_ACCEPT, extensions: EXTRA_EXTENSIONS },
] as const;

export type MediaKind = (typeof MEDIA_KINDS)[number]['kind'];
export type ExtraKind = 'deeds_extra' | 'story_extra';

/** The two frame sizes the notice allows, as displayed (after any rotation). */
export const VIDEO_FRAME_SIZES = [
  { width: 1920, height: 1080, label: '横版' },
  { width: 1080, height: 1920, label: '竖版' },
] as const;

export function isMediaKind(value: unknown): value is MediaKind {
  return MEDIA_KINDS.some((k) => k.kind === value);
}

export function mediaKind(kind: MediaKind) {
  const found = MEDIA_KINDS.find((k) => k.kind === kind);
  if (!found) throw new RangeError(`unknown media kind ${kind}`);
  return found;
}

/** For `<input type="file" accept=…>`. */
export function mediaAcceptAttribute(kind: MediaKind): string {
  const k = mediaKind(kind);
  return [...k.accept, ...k.extensions].join(',');
}

// ---- formats -------------------------------------------------------------------------------------------

const FORMATS: ReadonlyArray<{ name: string; mimes: readonly string[]; exts: readonly string[] }> = [
  { name: 'JPEG', mimes: ['image/jpeg', 'image/pjpeg'], exts: ['jpg', 'jpeg', 'jpe', 'jfif'] },
  { name: 'PNG', mimes: ['image/png'], exts: ['png'] },
  { name: 'PDF', mimes: ['application/pdf'], exts: ['pdf'] },
  { name: 'MP4', mimes: ['video/mp4'], exts: ['mp4', 'm4v'] },
  { name: 'MOV', mimes: ['video/quicktime'], exts: ['mov', 'qt'] },
  { name: 'HEIC', mimes: ['image/heic', 'image/heif', 'image/heic-sequence', 'image/heif-sequence'], exts: ['heic', 'heif'] },
  { name: 'WEBP', mimes: ['image/webp'], exts: ['webp'] },
  { name: 'GIF', mimes: ['image/gif'], exts: ['gif'] },
  { name: 'BMP', mimes: ['image/bmp'], exts: ['bmp'] },
  { name: 'TIFF', mimes: ['image/tiff'], exts: ['tif', 'tiff'] },
  { name: 'SVG', mimes: ['image/svg+xml'], exts: ['svg'] },
  { name: 'AVI', mimes: ['video/x-msvideo', 'video/avi', 'video/vnd.avi'], exts: ['avi'] },
  { name: 'WMV', mimes: ['video/x-ms-wmv'], exts: ['wmv'] },
  { name: 'MKV', mimes: ['video/x-matroska'], exts: ['mkv'] },
  { name: 'WEBM', mimes: ['video/webm'], exts: ['webm'] },
  { name: 'FLV', mimes: ['video/x-flv'], exts: ['flv'] },
  { name: '3GP', mimes: ['video/3gpp', 'video/3gpp2'], exts: ['3gp', '3g2'] },
  { name: 'DOC', mimes: ['application/msword'], exts: ['doc'] },
  { name: 'DOCX', mimes: ['application/vnd.openxmlformats-officedocument.wordprocessingml.document'], exts: ['docx'] },
  { name: 'HTML', mimes: ['text/html'], exts: ['html', 'htm'] },
  { name: 'ZIP', mimes: ['application/zip', 'application/x-zip-compressed'], exts: ['zip'] },
  { name: 'RAR', mimes: ['application/vnd.rar', 'application/x-rar-compressed'], exts: ['rar'] },
  { name: 'EXE', mimes: ['application/x-msdownload', 'application/vnd.microsoft.portable-executable'], exts: ['exe', 'msi', 'bat', 'cmd', 'scr'] },
];

/** "PNG" for image/png; an unknown type by its subtype ("image/x-foo" → "FOO"). */
export function formatName(mime: string): string {
  const m = mime.toLowerCase();
  const known = FORMATS.find((f) => f.mimes.includes(m));
  if (known) return known.name;
  const sub = m.split('/')[1] ?? m;
  return sub.replace(/^x-/, '').toUpperCase();
}

function mimeFromExtension(fileName: string): string | undefined {
  const ext = /\.([^./\\]+)$/.exec(fileName)?.[1]?.toLowerCase();
  return ext ? FORMATS.find((f) => f.exts.includes(ext))?.mimes[0] : undefined;
}

/** What the browser says the file is; undefined when neither its MIME nor its extension is one we know. */
function claimedMime(file: { name: string; type: string }): string | undefined {
  const t = file.type.toLowerCase();
  if (FORMATS.some((f) => f.mimes.includes(t))) return t;
  return mimeFromExtension(file.name);
}

/** "JPEG、PNG、PDF、MP4 或 MOV" */
function orList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join('、')} 或 ${items[items.length - 1]}`;
}

const requiredFormats = (accept: readonly string[]) => orList(accept.map(formatName));

// ---- sizes and durations ------------------------------------------------------------------------------

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

/** "1.5", "2" (not "2.0") */
const decimals = (n: number, digits: number) => String(Number(n.toFixed(digits)));

function sizeUnit(bytes: number): { div: number; name: string } {
  if (bytes < MiB) return { div: KiB, name: 'KB' };
  // 1023.96 MB would round to "1024 MB": that is already "1 GB"
  if (Math.round((bytes / MiB) * 10) / 10 < 1024) return { div: MiB, name: 'MB' };
  return { div: GiB, name: 'GB' };
}

function plainSize(bytes: number): string {
  const { div, name } = sizeUnit(bytes);
  if (name === 'KB') return `${bytes > 0 ? Math.max(1, Math.floor(bytes / div)) : 0} KB`;
  return `${decimals(bytes / div, 1)} ${name}`;
}

/**
 * "1.4 MB", "30 MB", "1.2 GB", "512 KB" (MB = 1024×1024 bytes, as phones and Windows count). Given the limit the
 * size is compared with, a size that differs from it is never shown equal to it: 2 MiB − 1 byte against 2 MiB is
 * "1.99 MB" (rounded down), 30 MiB + 1 byte against 30 MiB is "30.01 MB" (rounded up).
 */
export function formatBytesMB(bytes: number, limit?: number): string {
  const plain = plainSize(bytes);
  if (limit === undefined || bytes === limit || plain !== plainSize(limit)) return plain;
  const { div, name } = sizeUnit(limit);
  const v = (bytes / div) * 100;
  return `${decimals((bytes < limit ? Math.floor(v) : Math.ceil(v)) / 100, 2)} ${name}`;
}

/** Durations are compared to the millisecond, which also removes timescale rounding noise. */
const toMs = (seconds: number) => Math.round(seconds * 1000);

function minutesAndSeconds(totalSeconds: number, secondsText: (s: number) => string): string {
  const m = Math.floor(totalSeconds / 60);
  const s = totalSeconds - m * 60;
  if (m === 0) return `${secondsText(s)}秒`;
  return s === 0 ? `${m}分钟` : `${m}分${secondsText(s)}秒`;
}

/**
 * "3分12秒", "45秒", "3分钟" (whole seconds). Given the limit, a duration that differs from it is never shown
 * equal to it: 180.02 s against 180 s is "3分0.1秒".
 */
export function formatDuration(seconds: number, limit?: number): string {
  const plain = minutesAndSeconds(Math.round(seconds), String);
  const ms = toMs(seconds);
  if (limit === undefined || ms === toMs(limit) || plain !== formatDuration(limit)) return plain;
  const round = ms > toMs(limit) ? Math.ceil : Math.floor;
  for (const digits of [1, 2, 3]) {
    const stepMs = 1000 / 10 ** digits;
    const text = minutesAndSeconds((round(ms / stepMs) * stepMs) / 1000, (s) => decimals(s, digits));
    if (text !== plain) return text;
  }
  return plain;
}

/** "3 分钟以内", "2分30秒以内" */
function durationLimitText(limitSeconds: number): string {
  const s = Math.round(limitSeconds);
  return s % 60 === 0 && s > 0 ? `${s / 60} 分钟以内` : `${formatDuration(s)}以内`;
}

// ---- checks -------------------------------------------------------------------------------------------

export interface PhotoFacts {
  size: number;
  mime: string;
  width?: number;
  height?: number;
}

export interface VideoFacts {
  size: number;
  mime: string;
  /** display size, i.e. after the track's rotation */
  width?: number;
  height?: number;
  durationSeconds?: number;
}

export interface ExtraFacts {
  size: number;
  mime: string;
}

function formatProblem(label: string, mime: string, accept: readonly string[], byContent: boolean): string | null {
  if (accept.includes(mime)) return null;
  return `${label}格式为 ${formatName(mime)}，要求 ${requiredFormats(accept)}${byContent ? '（按文件内容识别）' : ''}`;
}

function minSizeProblem(label: string, size: number, min: number): string | null {
  return size < min ? `${label} ${formatBytesMB(size, min)}，要求不小于 ${formatBytesMB(min)}` : null;
}

function maxSizeProblem(label: string, size: number, max: number): string | null {
  return size > max ? `${label} ${formatBytesMB(size, max)}，要求不大于 ${formatBytesMB(max)}` : null;
}

const present = (items: Array<string | null>): string[] => items.filter((p): p is string => p !== null);

const emptyProblem = (label: string) => `${label}文件为空，请重新选择文件`;

export function checkPhoto(photo: PhotoFacts, media: MediaSettings): string[] {
  const format = formatProblem('照片', photo.mime, mediaKind('photo').accept, true);
  if (format) return [format];
  return present([minSizeProblem('照片', photo.size, media.photoMinBytes), maxSizeProblem('照片', photo.size, media.photoMaxBytes)]);
}

function durationProblem(durationSeconds: number | undefined, media: MediaSettings): string | null {
  if (durationSeconds === undefined || !Number.isFinite(durationSeconds) || durationSeconds <= 0) {
    return '无法读取视频时长，请重新导出后上传';
  }
  if (toMs(durationSeconds) <= toMs(media.videoMaxSeconds)) return null;
  return `视频时长 ${formatDuration(durationSeconds, media.videoMaxSeconds)}，要求 ${durationLimitText(media.videoMaxSeconds)}`;
}

function frameProblem(width: number | undefined, height: number | undefined): string | null {
  const allowed = VIDEO_FRAME_SIZES.map((f) => `${f.label} ${f.width}×${f.height}`).join(' 或');
  if (!width || !height) return `无法读取视频分辨率，要求${allowed}，请重新导出后上传`;
  if (VIDEO_FRAME_SIZES.some((f) => f.width === width && f.height === height)) return null;
  return `视频分辨率 ${width}×${height}，要求${allowed}`;
}

export function checkVideo(video: VideoFacts, media: MediaSettings): string[] {
  const format = formatProblem('视频', video.mime, mediaKind('video').accept, true);
  if (format) return [format];
  return present([
    maxSizeProblem('视频', video.size, media.videoMaxBytes),
    durationProblem(video.durationSeconds, media),
    frameProblem(video.width, video.height),
  ]);
}

/**
 * The largest file of a kind: 照片 and 视频 their own limits; 补充材料 a video up to the video limit and anything else up
 * to the scan limit, and, while its type is not known (`mime` undefined: before a byte is sent, the tus Upload-Length
 * or the multipart limit), the larger of the two; the scans (个人诚信承诺, 所在单位意见, 政审材料, 推荐报告扫描件) the scan limit.
 */
export function maxBytesForKind(kind: string, media: MediaSettings, mime?: string): number {
  if (kind === 'photo') return media.photoMaxBytes;
  if (kind === 'video') return media.videoMaxBytes;
  if (kind === 'deeds_extra' || kind === 'story_extra') {
    if (mime === undefined) return Math.max(media.videoMaxBytes, media.scanMaxBytes);
    return mime.startsWith('video/') ? media.videoMaxBytes : media.scanMaxBytes;
  }
  return media.scanMaxBytes;
}

/** Supplementary materials: a scan or photo up to the scan limit, or a video up to the video size limit. */
export function checkExtra(kind: ExtraKind, file: ExtraFacts, media: MediaSettings): string[] {
  const { label, accept } = mediaKind(kind);
  const format = formatProblem(label, file.mime, accept, true);
  if (format) return [format];
  return present([maxSizeProblem(label, file.size, maxBytesForKind(kind, media, file.mime))]);
}

/** At submission: how many photos and videos the application holds. */
export function checkMediaCounts(counts: { photos: number; videos: number }, media: MediaSettings): string[] {
  return present([
    counts.photos < media.photoMinCount ? `照片 ${counts.photos} 张，要求至少 ${media.photoMinCount} 张` : null,
    counts.photos > media.photoMaxCount ? `照片 ${counts.photos} 张，要求最多 ${media.photoMaxCount} 张` : null,
    counts.videos > media.videoMaxCount ? `视频 ${counts.videos} 个，要求最多 ${media.videoMaxCount} 个` : null,
  ]);
}

/**
 * In the browser, before uploading: only what obviously breaks a rule, from the file's name, MIME type and size.
 * An unknown type passes; the server recognises the type from the content and decides.
 */
export function precheckFile(file: { name: string; size: number; type: string }, kind: MediaKind, media: MediaSettings): string[] {
  const { label, accept } = mediaKind(kind);
  if (file.size === 0) return [emptyProblem(label)];
  const mime = claimedMime(file);
  const format = mime === undefined ? null : formatProblem(label, mime, accept, false);
  if (format) return [format];
  const max = maxSizeProblem(label, file.size, maxBytesForKind(kind, media, mime));
  return present(kind === 'photo' ? [minSizeProblem(label, file.size, media.photoMinBytes), max] : [max]);
}

// ---- names --------------------------------------------------------------------------------------------

const MAX_NAME_CHARS = 40;

/**
 * The download name of the seq-th photo of an application: "张三1.jpg". Path separators, characters Windows
 * refuses in names, control characters and bidirectional overrides (which can disguise an extension) are removed.
 */
export function photoFileName(applicantName: string, seq: number): string {
  if (!Number.isSafeInteger(seq) || seq < 1) throw new RangeError(`photo seq must be a positive integer, got ${seq}`);
  const cleaned = applicantName
    // eslint-disable-next-line no-control-regex -- removing control characters is the point
    .replace(/[\\/:*?"<>|\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\.+|\.+$/g, '')
    .trim();
  const name = Array.from(cleaned).slice(0, MAX_NAME_CHARS).join('').trim() || '照片';
  return `${name}${seq}.jpg`;
}

/**
 * The size of each PATCH of a resumable upload (tus). Every PATCH costs the server a session check, the upload's
 * state and a file open (about 5–12 ms), so large files go in large pieces: a 500 MB video in 8 MiB pieces ran at
 * 73% of a bare Node pipe, in 32 MiB pieces at 90% (bench/upload, issue 11). Files up to 32 MiB (photos, scans)
 * keep 8 MiB pieces, so progress after a broken connection on a phone is never far behind. Nothing is lost when a
 * piece breaks off: the server keeps what arrived and the client continues from there.
 */
export function uploadChunkBytes(fileSize: number): number {
  return fileSize > 32 * MiB ? 32 * MiB : 8 * MiB;
}
