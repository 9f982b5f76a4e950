// Reply shapes of docs/API.md.
import type { Abilities, ApplicationForm, ApplicationStatus, AttachmentView, CampaignSettings, Role } from '../../core';

export type { Abilities };

export interface UnitRef {
  id: string;
  name: string;
  region: string;
  type: string;
}

export interface User {
  id: string;
  username: string;
  role: Role;
  realName: string;
  mobile: string | null;
  email: string | null;
  unit: UnitRef | null;
}

export interface MeReply {
  user: User | null;
  oidc: { enabled: boolean; name: string };
}

export interface Campaign {
  id: string;
  programCode: string;
  programName: string;
  year: number;
  title: string;
  settings: CampaignSettings;
}

export interface ApplicationRow {
  id: string;
  number: string;
  applicantName: string;
  /** 工作单位 (the form's 单位名称) */
  workUnit: string;
  status: ApplicationStatus | (string & {});
  statusLabel: string;
  unitName: string | null;
  /** 添加时间 */
  createdAt: string;
  updatedAt: string;
  /** 转交时间 */
  transferredAt: string | null;
  /** 已阅: when and by whom the current receiver opened it */
  viewedAt: string | null;
  viewedBy: string | null;
  abilities: Abilities;
}

export type Attachment = AttachmentView;

export interface ApplicationDetail extends ApplicationRow {
  campaignId: string;
  form: ApplicationForm;
  pledgedAt: string | null;
  attachments: Attachment[];
  eligibility: { refused: string[]; flags: string[] };
  /** 修改意见, 推荐单位意见, 自治区科协's 退回意见 (the applicant sees only `return`) */
  opinions: { return: string | null; recommend: string | null; org: string | null };
}

/** GET /api/applications: 查询申报表 and 待审核申报表. */
export interface QueryReply {
  rows: ApplicationRow[];
  total: number;
  page: number;
  pageSize: number;
}

/** One line of 流程情况. */
export interface HistoryEntry {
  at: string;
  action: string;
  actionLabel: string;
  fromName: string;
  toName: string;
  fromStatus: string | null;
  toStatus: string;
  actorName: string;
  opinion: string | null;
}

export interface FieldChange {
  field: string;
  label: string;
  before: string;
  after: string;
}

/** What changed since the submission the unit returned. */
export interface ChangesReply {
  comparedTo: string | null;
  changes: FieldChange[];
}

export interface AppNotification {
  id: string | number;
  applicationId: string | null;
  body: string;
  createdAt: string;
  read: boolean;
}

export interface CheckReply {
  complete: boolean;
  missing: { field: string; label: string; message: string }[];
}

export interface AdminUnit {
  id: string;
  name: string;
  type: string;
  region: string;
  contactName: string;
  contactPhone: string;
  status: string;
  statusLabel: string;
  username: string;
  createdAt: string;
  refusedReason: string | null;
}

export interface OutboxMessage {
  id: string;
  channel: 'mobile' | 'email' | string;
  recipient: string;
  subject: string;
  body: string;
  createdAt: string;
}
