// The scans (个人诚信承诺, 所在单位意见, 政审材料, 推荐报告扫描件): the type the server read from the content, and the size.
// Beside core/media.ts's checks for photos, videos and supplementary materials; the server runs it after the last byte.
import { ALLOWED_SCAN_MIME, attachmentKindLabel } from './attachments';
import { formatBytesMB, formatName, maxBytesForKind, type MediaSettings } from './media';

/** Chinese problems of a scan, empty when it is fine: a type other than PDF, JPEG or PNG, or more than the scan limit. */
export function checkScan(probe: { mime: string }, size: number, kind: string, media: MediaSettings): string[] {
  const label = attachmentKindLabel(kind);
  if (!ALLOWED_SCAN_MIME.includes(probe.mime)) return [`${label}格式为 ${formatName(probe.mime)}，要求 PDF、JPEG 或 PNG（按文件内容识别）`];
  const max = maxBytesForKind(kind, media);
  return size > max ? [`${label} ${formatBytesMB(size, max)}，要求不大于 ${formatBytesMB(max)}，请压缩或分页扫描后重新上传`] : [];
}
