// What the browser can tell before sending a byte: type and size from the file (precheckFile), and for videos
// the duration and frame size the browser reads from the file's header. Only obvious breaches are refused here;
// whatever the browser cannot read goes to the server, which decides from the content.
import { checkVideo, formatBytesMB, formatDuration, mediaKind, precheckFile, VIDEO_FRAME_SIZES, type MediaKind, type MediaSettings } from '../../../../core';

export interface VideoFacts {
  /** as displayed, i.e. after the track's rotation (that is what browsers report) */
  width: number;
  height: number;
  durationSeconds: number;
}

/**
 * Duration and display size from a hidden `<video preload="metadata">` on an object URL; null when the
 * browser cannot read the file (a codec it lacks, say) within the time given.
 */
export function readVideoFacts(file: Blob, timeoutMs = 15_000): Promise<VideoFacts | null> {
  return new Promise((resolve) => {
    const url = URL.createObjectURL(file);
    const video = document.createElement('video');
    video.preload = 'metadata';
    video.muted = true;
    let done = false;
    const finish = (facts: VideoFacts | null) => {
      if (done) return;
      done = true;
      window.clearTimeout(timer);
      video.removeAttribute('src');
      video.load();
      URL.revokeObjectURL(url);
      resolve(facts);
    };
    const timer = window.setTimeout(() => finish(null), timeoutMs);
    video.onloadedmetadata = () => finish({ width: video.videoWidth, height: video.videoHeight, durationSeconds: video.duration });
    video.onerror = () => finish(null);
    video.src = url;
  });
}

const looksLikeVideo = (file: File) => file.type.startsWith('video/') || /\.(mp4|m4v|mov|qt)$/i.test(file.name);

/** Problems (Chinese) the browser sees in the file for the kind; empty when it may be sent. */
export async function precheckInBrowser(file: File, kind: MediaKind, media: MediaSettings): Promise<string[]> {
  const problems = precheckFile(file, kind, media);
  if (problems.length || kind !== 'video' || !looksLikeVideo(file)) return problems;
  const facts = await readVideoFacts(file);
  if (!facts) return [];
  const mime = file.type === 'video/quicktime' || /\.(mov|qt)$/i.test(file.name) ? 'video/quicktime' : 'video/mp4';
  return checkVideo({ size: file.size, mime, ...facts }, media).filter((p) => !p.startsWith('无法读取'));
}

/** The rule shown above each upload area. */
export function requirementText(kind: MediaKind, media: MediaSettings): string {
  switch (kind) {
    case 'photo':
      return `JPEG 格式，每张不小于 ${formatBytesMB(media.photoMinBytes)}、不大于 ${formatBytesMB(media.photoMaxBytes)}，${media.photoMinCount}–${media.photoMaxCount} 张，文件名自动按 姓名+序号 命名（如 张三1.jpg）`;
    case 'video': {
      const frames = VIDEO_FRAME_SIZES.map((f) => `${f.label} ${f.width}×${f.height}`).join(' 或');
      return `MP4 或 MOV 格式，每个不超过 ${formatDuration(media.videoMaxSeconds)}、不大于 ${formatBytesMB(media.videoMaxBytes)}，分辨率为${frames}，最多 ${media.videoMaxCount} 个`;
    }
    default:
      return `图片（JPEG、PNG）或 PDF 每个不大于 ${formatBytesMB(media.scanMaxBytes)}，视频（MP4、MOV）每个不大于 ${formatBytesMB(media.videoMaxBytes)}`;
  }
}

export const kindLabel = (kind: MediaKind) => mediaKind(kind).label;
