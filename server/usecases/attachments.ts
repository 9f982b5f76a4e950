import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { and, eq, isNull, max, sql } from 'drizzle-orm';
import {
  APPLICANT_HIDDEN_KINDS,
  attachmentKindLabel,
  checkExtra,
  checkPhoto,
  checkVideo,
  formatBytesMB,
  isAttachmentKind,
  isMediaKind,
  isUnitAttachmentKind,
  type AttachmentView,
  type MediaSettings,
  checkScan,
  maxBytesForKind,
} from '../../core';
import type { SessionUser } from '../auth/sessions';
import type { Services } from '../context';
import type { Db } from '../db/client';
import { applications, attachments } from '../db/schema';
import { AppError, notFound } from '../errors';
import { MediaError, probeFile, type Probe } from '../media/probe';
import { verifyImageDecodes } from '../media/thumbnail';
import { requireClean } from './antivirus';
import { enqueueJob } from '../jobs/runner';
import { PREVIEW_JOB, previewDedupeKey } from '../jobs/media';
import type { ByteRange } from '../storage';
import { audit } from '../audit';
import { loadVisible, requireAbility, visibleTo } from './access';
import { attachmentName, presentAttachment } from './presenters';
import { getCampaign } from './campaigns';

/** The applicant uploads scans, photos, videos and supplementary files; the unit uploads its 推荐报告扫描件. */
const uploadAction = (kind: string) => (isUnitAttachmentKind(kind) ? 'unitUpload' : 'upload') as 'unitUpload' | 'upload';

export function isUploadKind(kind: unknown): kind is string {
  return isAttachmentKind(kind) || isMediaKind(kind);
}

/** A display name that is safe to show and to send back in Content-Disposition. */
export function cleanFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  // control characters and bidirectional overrides (which can disguise an extension) are dropped
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  const cleaned = base.replace(/[\u0000-\u001f\u007f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '').trim();
  const chars = Array.from(cleaned || '附件');
  return chars.length > 120 ? chars.slice(0, 100).join('') + '…' + chars.slice(-19).join('') : chars.join('');
}

export function tooLarge(kind: string, size: number, maxBytes: number): AppError {
  const label = attachmentKindLabel(kind);
  return new AppError('TOO_LARGE', `${label} ${formatBytesMB(size, maxBytes)}，要求不大于 ${formatBytesMB(maxBytes)}`);
}

/** Refuses an unknown kind or an application the user may not upload to, before any bytes are accepted. */
export async function authorizeUpload(s: Services, user: SessionUser, applicationId: string, kind: string) {
  if (!isUploadKind(kind)) {
    throw new AppError(
      'VALIDATION',
      '附件类别不正确，应为照片、视频、主要事迹或感人故事补充材料、个人诚信承诺、所在单位意见、政审材料、推荐报告扫描件、干部人事管理部门意见或纪检监察部门意见之一',
    );
  }
  const { app } = await loadVisible(s.db, user, applicationId);
  requireAbility(user, app, uploadAction(kind));
  const campaign = await getCampaign(s.db, app.campaignId);
  await requireRoomFor(s.db, app.id, kind, campaign.settings.media);
  return { app, media: campaign.settings.media };
}

async function requireRoomFor(db: Db, applicationId: string, kind: string, media: MediaSettings) {
  const limit = kind === 'photo' ? media.photoMaxCount : kind === 'video' ? media.videoMaxCount : null;
  if (limit === null) return;
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(attachments)
    .where(and(eq(attachments.applicationId, applicationId), eq(attachments.kind, kind), isNull(attachments.deletedAt)));
  if (row!.n >= limit) {
    const unit = kind === 'photo' ? '张' : '个';
    throw new AppError('CONFLICT', `${attachmentKindLabel(kind)}已有 ${row!.n} ${unit}，最多 ${limit} ${unit}；请先删除不需要的再上传`);
  }
}

/** The rules of the kind, applied to what was read from the content. */
function problemsOf(kind: string, probe: Probe, size: number, media: MediaSettings): string[] {
  const facts = { size, mime: probe.mime, width: probe.width, height: probe.height, durationSeconds: probe.durationSeconds };
  if (kind === 'photo') return checkPhoto(facts, media);
  if (kind === 'video') return checkVideo(facts, media);
  if (kind === 'deeds_extra' || kind === 'story_extra') return checkExtra(kind, facts, media);
  return checkScan(probe, size, kind, media);
}

async function sha256Of(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  await pipeline(fs.createReadStream(file), hash);
  return hash.digest('hex');
}

export interface ReceivedFile {
  kind: string;
  /** the name the user's device gave it; cleaned, only ever stored in the database */
  fileName: string;
  /** a complete temporary file on the storage's file system; consumed (moved or deleted) by commitFile */
  tmpPath: string;
  /** when the receiver hashed the bytes on their way in: saves reading the file again */
  sha256?: string;
  /**
   * The receiver can offer the same bytes again (tus): after an unexpected failure (storage or database
   * unavailable, not a refusal of the file) the temp file is left in place, if it is still there, for a retry.
   */
  retryable?: boolean;
  /**
   * Run inside the transaction that writes the attachment's row (tus: the upload's row is deleted there), so
   * that a crash leaves either the attachment or the upload to resume, never both.
   */
  claim?: (tx: Db) => Promise<void>;
}

/** A refusal of the file or of the request (the user must change something), as against a failure of ours. */
export const isRefusal = (err: unknown) => err instanceof AppError && err.code !== 'INTERNAL';

/**
 * The one way a file becomes an attachment, whether it came by tus or by a form upload: recognise it from its
 * bytes, apply the kind's rules (an image must decode whole), move it into storage durably, then write the row, all
 * only if the user may still upload to the application. An image's metadata-free preview is a job (jobs/media.ts)
 * queued with the row: the upload does not wait for it, and a crash cannot lose it.
 */
export async function commitFile(
  s: Services,
  user: SessionUser,
  applicationId: string,
  file: ReceivedFile,
  /** the campaign's media rules when the caller has just authorized the upload (one request): not read again */
  authorized?: { media: MediaSettings },
): Promise<AttachmentView> {
  const stored: string[] = [];
  let keepTmp = false;
  try {
    const { media } = authorized ?? (await authorizeUpload(s, user, applicationId, file.kind));
    const { size } = await fsp.stat(file.tmpPath);
    let probe: Probe;
    try {
      probe = await probeFile(file.tmpPath);
    } catch (err) {
      if (err instanceof MediaError && err.reason === 'type') {
        const found = err.found ? err.found.replace(/^文件/, '的') : '的内容不是可识别的文件格式';
        throw new AppError(
          'UNSUPPORTED_FILE',
          `文件“${cleanFileName(file.fileName)}”${found}，${attachmentKindLabel(file.kind)}${acceptText(file.kind)}（按文件内容识别，修改扩展名无效）`,
        );
      }
      throw err;
    }
    const problems = problemsOf(file.kind, probe, size, media);
    if (problems.length) throw new AppError('UNSUPPORTED_FILE', problems.join('；'));
    const isImage = probe.mime === 'image/jpeg' || probe.mime === 'image/png';
    if (isImage) await verifyImageDecodes(file.tmpPath);
    await requireClean(s, file.tmpPath, {
      label: '文件',
      name: cleanFileName(file.fileName),
      actor: user,
      targetType: 'application',
      targetId: applicationId,
      detail: { kind: file.kind, size },
    });
    const sha256 = file.sha256 ?? (await sha256Of(file.tmpPath));
    const storageKey = await s.storage.putFile(file.tmpPath, { contentType: probe.mime });
    stored.push(storageKey);
    return await s.db.transaction(async (tx) => {
      const { app } = await loadVisible(tx, user, applicationId, true);
      requireAbility(user, app, uploadAction(file.kind));
      await requireRoomFor(tx, app.id, file.kind, media);
      await file.claim?.(tx);
      // 序号 of 姓名+序号.jpg: one more than any photo the application ever had, so deleting one renumbers nothing
      const seq = file.kind === 'photo' ? await nextPhotoSeq(tx, app.id) : null;
      const [row] = await tx
        .insert(attachments)
        .values({
          applicationId: app.id,
          kind: file.kind,
          name: cleanFileName(file.fileName),
          storageKey,
          mime: probe.mime,
          size,
          sha256,
          seq,
          width: probe.width ?? null,
          height: probe.height ?? null,
          durationMs: probe.durationSeconds === undefined ? null : Math.round(probe.durationSeconds * 1000),
          uploadedBy: user.id,
        })
        .returning();
      await tx.update(applications).set({ updatedAt: new Date() }).where(eq(applications.id, app.id));
      if (isImage) await enqueueJob(tx, { kind: PREVIEW_JOB, params: { attachmentId: row!.id }, dedupeKey: previewDedupeKey(row!.id) });
      return presentAttachment(row!, app.applicantName);
    });
  } catch (err) {
    await Promise.all(stored.map((key) => s.storage.remove(key).catch(() => {})));
    keepTmp = !!file.retryable && !isRefusal(err);
    throw err;
  } finally {
    if (!keepTmp) await fsp.rm(file.tmpPath, { force: true });
  }
}

function acceptText(kind: string): string {
  if (kind === 'photo') return '要求为 JPEG 格式';
  if (kind === 'video') return '要求为 MP4 或 MOV 格式';
  if (kind === 'deeds_extra' || kind === 'story_extra') return '要求为 JPEG、PNG、PDF、MP4 或 MOV 格式';
  return '要求为 PDF、JPEG 或 PNG 格式';
}

async function nextPhotoSeq(tx: Db, applicationId: string): Promise<number> {
  const [row] = await tx
    .select({ top: max(attachments.seq) })
    .from(attachments)
    .where(and(eq(attachments.applicationId, applicationId), eq(attachments.kind, 'photo')));
  return (row?.top ?? 0) + 1;
}

export interface IncomingFile {
  kind: string;
  fileName: string;
  stream: Readable;
  /** set by the multipart parser when the stream was cut at the size limit */
  truncated: () => boolean;
}

/**
 * 【附件】 upload in one request (scans and small files; large media come by tus): streamed to a temporary
 * file, never held in memory, then committed like every other upload.
 */
export async function addAttachment(s: Services, user: SessionUser, applicationId: string, file: IncomingFile): Promise<AttachmentView> {
  let media: MediaSettings;
  try {
    ({ media } = await authorizeUpload(s, user, applicationId, file.kind));
  } catch (err) {
    file.stream.resume();
    throw err;
  }
  const maxBytes = maxBytesForKind(file.kind, media);
  const tmp = path.join(s.storage.tmpDir, `${crypto.randomUUID()}.part`);
  let size = 0;
  try {
    await pipeline(
      file.stream,
      async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          size += chunk.length;
          if (size > maxBytes) throw tooLarge(file.kind, size, maxBytes); // stop reading: nothing more is kept
          yield chunk;
        }
      },
      fs.createWriteStream(tmp),
    );
    if (file.truncated() || size > maxBytes) throw tooLarge(file.kind, size, maxBytes);
    if (size === 0) throw new AppError('UNSUPPORTED_FILE', '文件为空，请重新选择文件');
  } catch (err) {
    await fsp.rm(tmp, { force: true });
    throw err;
  }
  return commitFile(s, user, applicationId, { kind: file.kind, fileName: file.fileName, tmpPath: tmp }, { media });
}

async function loadAttachment(s: Services, user: SessionUser, id: string) {
  const [row] = await s.db
    .select({ file: attachments, applicantName: applications.applicantName })
    .from(attachments)
    .innerJoin(applications, eq(applications.id, attachments.applicationId))
    .where(and(eq(attachments.id, id), isNull(attachments.deletedAt), visibleTo(user)));
  // the departments' opinions on the candidate are not the applicant's to read
  if (!row || (user.role === 'applicant' && APPLICANT_HIDDEN_KINDS.includes(row.file.kind))) throw notFound('附件');
  return row;
}

/** The original exactly as uploaded, whole or a byte range (video seeking), under its download name. */
export async function openAttachment(s: Services, user: SessionUser, id: string, range?: (size: number) => ByteRange | null) {
  const { file, applicantName } = await loadAttachment(s, user, id);
  const wanted = range?.(file.size) ?? null;
  if (!wanted || wanted.start === 0) await audit(s.db, user, 'attachment.download', 'attachment', id);
  return { file, name: attachmentName(file, applicantName), range: wanted, stream: await s.storage.open(file.storageKey, wanted ?? undefined) };
}

/** One attachment's description (no file, not an opening): the page asks it while a preview is being made. */
export async function describeAttachment(s: Services, user: SessionUser, id: string): Promise<AttachmentView> {
  const { file, applicantName } = await loadAttachment(s, user, id);
  return presentAttachment(file, applicantName);
}

/** The re-encoded preview of an image (no EXIF, no GPS), safe to show inline. */
export async function openPreview(s: Services, user: SessionUser, id: string) {
  const { file, applicantName } = await loadAttachment(s, user, id);
  if (!file.previewKey) throw notFound('预览图');
  return { name: attachmentName(file, applicantName).replace(/\.[^.]*$/, '') + '-预览.jpg', stream: await s.storage.open(file.previewKey) };
}

export async function removeAttachment(s: Services, user: SessionUser, id: string): Promise<void> {
  const { file } = await loadAttachment(s, user, id);
  await s.db.transaction(async (tx) => {
    const { app } = await loadVisible(tx, user, file.applicationId, true);
    requireAbility(user, app, uploadAction(file.kind));
    await tx.update(attachments).set({ deletedAt: new Date() }).where(eq(attachments.id, id));
  });
}
