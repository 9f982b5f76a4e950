import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { and, eq, isNull } from 'drizzle-orm';
import { fileTypeFromFile } from 'file-type';
import { ALLOWED_SCAN_MIME, attachmentKindLabel, isAttachmentKind, isUnitAttachmentKind, type AttachmentKind } from '../../core';
import type { SessionUser } from '../auth/sessions';
import type { Services } from '../context';
import { attachments } from '../db/schema';
import { AppError, notFound } from '../errors';
import { audit } from './accounts';
import { getCampaign } from './campaigns';
import { loadVisible, presentAttachment, requireAbility, type AttachmentView, visibleTo } from './applications';
import { applications } from '../db/schema';

const MiB = 1024 * 1024;

/** The applicant uploads the three scans; the unit uploads its 推荐报告扫描件. */
const uploadAction = (kind: string) => (isUnitAttachmentKind(kind) ? 'unitUpload' : 'upload') as 'unitUpload' | 'upload';
const fmtMB = (bytes: number) => `${(bytes / MiB).toFixed(bytes < 10 * MiB ? 1 : 0)} MB`;

/** A display name that is safe to show and to send back in Content-Disposition. */
export function cleanFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  // control characters and bidirectional overrides (which can disguise an extension) are dropped
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  const cleaned = base.replace(/[\u0000-\u001f\u007f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '').trim();
  const chars = Array.from(cleaned || '附件');
  return chars.length > 120 ? chars.slice(0, 100).join('') + '…' + chars.slice(-19).join('') : chars.join('');
}

export interface IncomingFile {
  kind: string;
  fileName: string;
  stream: Readable;
  /** set by the multipart parser when the stream was cut at the size limit */
  truncated: () => boolean;
}

/**
 * 【附件】 upload: stream to a temporary file (never the whole file in memory), recognise the type from
 * the bytes, then move it into storage and write the row, all only if the applicant may still edit.
 */
export async function addAttachment(s: Services, user: SessionUser, applicationId: string, file: IncomingFile, maxBytes: number): Promise<AttachmentView> {
  if (!isAttachmentKind(file.kind)) {
    file.stream.resume();
    throw new AppError('VALIDATION', '附件类别不正确，应为个人诚信承诺、所在单位意见、政审材料或推荐报告扫描件之一');
  }
  const kind: AttachmentKind = file.kind;
  const action = uploadAction(kind);
  {
    const { app, unitName } = await loadVisible(s.db, user, applicationId);
    requireAbility(user, app, unitName, action);
  }
  const tmp = path.join(s.storage.tmpDir, `${crypto.randomUUID()}.part`);
  const hash = crypto.createHash('sha256');
  let size = 0;
  try {
    await pipeline(
      file.stream,
      new Transform({
        transform(chunk: Buffer, _enc, done) {
          size += chunk.length;
          hash.update(chunk);
          done(null, chunk);
        },
      }),
      fs.createWriteStream(tmp),
    );
    if (file.truncated() || size > maxBytes) {
      throw new AppError('TOO_LARGE', `${attachmentKindLabel(kind)}文件超过 ${fmtMB(maxBytes)}，要求不大于 ${fmtMB(maxBytes)}，请压缩或分页扫描后重新上传`);
    }
    if (size === 0) throw new AppError('UNSUPPORTED_FILE', '文件为空，请重新选择文件');
    const detected = await fileTypeFromFile(tmp);
    if (!detected || !ALLOWED_SCAN_MIME.includes(detected.mime)) {
      throw new AppError(
        'UNSUPPORTED_FILE',
        `文件“${cleanFileName(file.fileName)}”的内容${detected ? `是 ${detected.ext.toUpperCase()} 格式` : '不是可识别的文件格式'}，${attachmentKindLabel(kind)}要求为 PDF、JPEG 或 PNG 格式（按文件内容识别，修改扩展名无效）`,
      );
    }
    const key = await s.storage.putFile(tmp);
    try {
      return await s.db.transaction(async (tx) => {
        const { app, unitName } = await loadVisible(tx, user, applicationId, true);
        requireAbility(user, app, unitName, action);
        const [row] = await tx
          .insert(attachments)
          .values({
            applicationId: app.id,
            kind,
            name: cleanFileName(file.fileName),
            storageKey: key,
            mime: detected.mime,
            size,
            sha256: hash.digest('hex'),
            uploadedBy: user.id,
          })
          .returning();
        await tx.update(applications).set({ updatedAt: new Date() }).where(eq(applications.id, app.id));
        return presentAttachment(row!);
      });
    } catch (err) {
      await s.storage.remove(key);
      throw err;
    }
  } finally {
    await fsp.rm(tmp, { force: true });
  }
}

async function loadAttachment(s: Services, user: SessionUser, id: string) {
  const [row] = await s.db
    .select({ file: attachments })
    .from(attachments)
    .innerJoin(applications, eq(applications.id, attachments.applicationId))
    .where(and(eq(attachments.id, id), isNull(attachments.deletedAt), visibleTo(user)));
  if (!row) throw notFound('附件');
  return row.file;
}

export async function openAttachment(s: Services, user: SessionUser, id: string) {
  const file = await loadAttachment(s, user, id);
  await audit(s.db, user.id, 'attachment.download', 'attachment', id);
  return { file, stream: await s.storage.open(file.storageKey) };
}

export async function removeAttachment(s: Services, user: SessionUser, id: string): Promise<void> {
  const file = await loadAttachment(s, user, id);
  await s.db.transaction(async (tx) => {
    const { app, unitName } = await loadVisible(tx, user, file.applicationId, true);
    requireAbility(user, app, unitName, uploadAction(file.kind));
    await tx.update(attachments).set({ deletedAt: new Date() }).where(eq(attachments.id, id));
  });
}

export async function scanLimit(s: Services, applicationId: string): Promise<number> {
  const [row] = await s.db.select({ campaignId: applications.campaignId }).from(applications).where(eq(applications.id, applicationId));
  if (!row) return 20 * MiB;
  return (await getCampaign(s.db, row.campaignId)).settings.media.scanMaxBytes;
}
