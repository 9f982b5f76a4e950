// 证书 (issue 15, 3.) and the printable 申请书 (4.): what the API and the web share. Exported from here, not from the
// core barrel (only the organizer's 证书 page and the download buttons need it).
import { z } from 'zod';
import { replyText, text } from './text';

/** Job kinds of this area (server/jobs/certificates.ts): named here so that use cases and the job record share them. */
export const CERTIFICATE_JOB_KINDS = { render: 'certificates.render', zip: 'certificates.zip', applicationPdf: 'application.pdf' } as const;

/** The 主办单位 of the notice (新科协发〔2023〕47号, 二、), in its order: seal positions 0–2. */
export const CERTIFICATE_HOSTS = [
  { short: '自治区党委宣传部', full: '中共新疆维吾尔自治区委员会宣传部' },
  { short: '自治区科协', full: '新疆维吾尔自治区科学技术协会' },
  { short: '自治区科技厅', full: '新疆维吾尔自治区科学技术厅' },
] as const;

export const CERTIFICATE_KINDS = ['winner', 'national'] as const;
export type CertificateKind = (typeof CERTIFICATE_KINDS)[number];
export const CERTIFICATE_KIND_LABELS: Record<CertificateKind, string> = { winner: '当选', national: '全国推荐人选' };

/** The honour a certificate states, in the notice's words (三、3.②: 评选出 10 位全国“最美科技工作者”推荐人选). */
export function certificateTitle(kind: CertificateKind, year: number): string {
  return kind === 'winner' ? `${year}年“新疆最美科技工作者”` : `${year}年全国“最美科技工作者”推荐人选`;
}

/**
 * 证书编号: XJZMKJ-2023-001 (当选, in the selection's order) and XJZMKJ-2023-QG-01 (全国推荐人选). Readable and
 * sequential: the number is printed on paper, and what /verify shows for it (name, title, year) is public anyway.
 */
export function certificateNumber(programCode: string, year: number, kind: CertificateKind, seq: number): string {
  return kind === 'winner' ? `XJ${programCode}-${year}-${String(seq).padStart(3, '0')}` : `XJ${programCode}-${year}-QG-${String(seq).padStart(2, '0')}`;
}

/** What a number in a URL may look like; anything else is 404 without a lookup. */
export const CERTIFICATE_NUMBER_PATTERN = /^[A-Z0-9]{1,12}-\d{4}-(?:QG-)?\d{2,4}$/;

/** Seal images: PNG (transparent background) or JPEG, checked by content, at most this size. */
export const SEAL_MAX_BYTES = 2 * 1024 * 1024;

export const certificateViewSchema = z.object({
  number: replyText(),
  kind: z.enum(CERTIFICATE_KINDS),
  name: replyText(),
  title: replyText(),
  year: z.number(),
  issuedOn: replyText(),
  applicationId: replyText(),
  /** the PDF is rendered and stored (false for a moment after 发布 or after the seals changed) */
  rendered: z.boolean(),
  /** GET: the PDF */
  downloadUrl: replyText(),
  /** the public verification page the QR code links to */
  verifyUrl: replyText(),
});
export type CertificateView = z.infer<typeof certificateViewSchema>;

export const sealViewSchema = z.object({
  position: z.number(),
  host: replyText(),
  /** null: none uploaded, the area is left blank for stamping */
  uploadedAt: z.iso.datetime().nullable(),
  /** GET: the stored image (a normalized PNG), for the preview */
  imageUrl: replyText().nullable(),
});
export type SealView = z.infer<typeof sealViewSchema>;

export const campaignCertificatesSchema = z.object({
  campaignId: replyText(),
  published: z.boolean(),
  /** the origin the QR codes point at (PUBLIC_URL), and whether it was configured or is the local fallback */
  verifyOrigin: replyText(),
  verifyOriginConfigured: z.boolean(),
  certificates: z.array(certificateViewSchema),
  seals: z.array(sealViewSchema),
});
export type CampaignCertificates = z.infer<typeof campaignCertificatesSchema>;

export const myCertificatesSchema = z.array(certificateViewSchema);

export const applicationPdfInputSchema = z.object({ applicationId: text('申请书').trim().max(64) });
