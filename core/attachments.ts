import { MEDIA_KINDS } from './media';
// Attachments the applicant uploads after 【我承诺】 (manual 一.5).

export const ATTACHMENT_KINDS = [
  { kind: 'integrity_pledge', label: '个人诚信承诺' },
  { kind: 'unit_opinion', label: '所在单位意见' },
  {
    kind: 'political_review',
    label: '政审材料',
    help: '申报人所在单位纪检监察部门开具的政审材料；没有具体单位的可在所在辖区派出所开具无犯罪证明，扫描或拍照后上传',
  },
] as const;

/**
 * The unit's own uploads before 【提交】 to 自治区科协, all three required (manual 二.6; the notice's 三、3 ①: each 初评
 * unit 须按照干部管理权限征求干部人事管理、纪检监察等部门意见，并出具书面意见).
 */
export const UNIT_ATTACHMENT_KINDS = [
  { kind: 'recommend_report', label: '推荐报告扫描件', help: '加盖公章的推荐报告扫描件' },
  { kind: 'cadre_opinion', label: '干部人事管理部门意见', help: '按干部管理权限征求的干部人事管理部门书面意见（盖章）扫描件' },
  { kind: 'discipline_opinion', label: '纪检监察部门意见', help: '按干部管理权限征求的纪检监察部门书面意见（盖章）扫描件' },
] as const;

export type ApplicantAttachmentKind = (typeof ATTACHMENT_KINDS)[number]['kind'];
export type UnitAttachmentKind = (typeof UNIT_ATTACHMENT_KINDS)[number]['kind'];
export type AttachmentKind = ApplicantAttachmentKind | UnitAttachmentKind;

/** All three are required before submission to the unit. */
export const REQUIRED_APPLICANT_ATTACHMENTS: readonly ApplicantAttachmentKind[] = ATTACHMENT_KINDS.map((k) => k.kind);

/** Scans may be PDF or a photo; the server recognises the type from the content, not the file name. */
export const ALLOWED_SCAN_MIME: readonly string[] = ['application/pdf', 'image/jpeg', 'image/png'];

/** All of the unit's scans are required for 【提交】 to 自治区科协 (the 'recommendation' guard). */
export const REQUIRED_UNIT_ATTACHMENTS: readonly UnitAttachmentKind[] = UNIT_ATTACHMENT_KINDS.map((k) => k.kind);

/**
 * The departments' written opinions on the candidate (干部人事管理, 纪检监察) are between the unit and 自治区科协, like
 * its 初评: the applicant's reply does not list them and their files are not found for the applicant.
 */
export const APPLICANT_HIDDEN_KINDS: readonly string[] = ['cadre_opinion', 'discipline_opinion'];

export function isAttachmentKind(value: unknown): value is AttachmentKind {
  return [...ATTACHMENT_KINDS, ...UNIT_ATTACHMENT_KINDS].some((k) => k.kind === value);
}

export function isUnitAttachmentKind(value: unknown): value is UnitAttachmentKind {
  return UNIT_ATTACHMENT_KINDS.some((k) => k.kind === value);
}

export function attachmentKindLabel(kind: string): string {
  return [...ATTACHMENT_KINDS, ...UNIT_ATTACHMENT_KINDS, ...MEDIA_KINDS].find((k) => k.kind === kind)?.label ?? kind;
}

// An attachment as the API sends it: AttachmentView in core/replies.ts.
