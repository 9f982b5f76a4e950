// 恶意代码防范 (等保 2.0 level 3; ASVS 5.4.3): an uploaded file through ClamAV (media/antivirus.ts) when CLAMD is
// set, before it is stored. Used by every way a user's file is kept as it came: attachments (form and tus) and the
// public 异议's 证明材料. (Seals are re-encoded by sharp and stored as the new image, not as uploaded.)
import { audit, type AuditActor } from '../audit';
import type { Services } from '../context';
import { AppError } from '../errors';
import { scanFile, type ScanResult } from '../media/antivirus';

export interface ScanSubject {
  /** what the user calls the file: 文件, 证明材料 */
  label: string;
  /** its cleaned name */
  name: string;
  /** who sent it (null: the public) and what it was for, for the audit row */
  actor: AuditActor;
  targetType: string;
  targetId: string;
  detail: Record<string, unknown>;
  /** what is not done when clamd gives no verdict (default: the file is not saved) */
  unavailable?: string;
}

/**
 * Infected: refused (415), recorded in the audit log as attachment.infected with the signature, never stored.
 * No verdict (clamd down, an error): a failure of ours (500, the cause logged), so a resumable upload keeps its bytes
 * for 继续. No CLAMD: nothing to do.
 */
export async function requireClean(s: Services, tmpPath: string, subject: ScanSubject): Promise<void> {
  if (!s.config.antivirus) return;
  let result: ScanResult;
  try {
    result = await scanFile(s.config.antivirus, tmpPath);
  } catch (err) {
    // logged by the error handler with its cause (clamd's own words)
    throw Object.assign(new AppError('INTERNAL', `病毒查杀服务暂时不可用，${subject.unavailable ?? '文件未保存'}，请稍后重试`), { cause: err });
  }
  if (result.clean) return;
  await audit(s.db, subject.actor, 'attachment.infected', subject.targetType, subject.targetId, {
    ...subject.detail,
    name: subject.name,
    signature: result.signature,
  });
  throw new AppError(
    'UNSUPPORTED_FILE',
    `${subject.label}“${subject.name}”未通过病毒查杀（检出 ${result.signature}），未保存。请用杀毒软件检查您的电脑或手机后，重新上传未感染的文件`,
  );
}
