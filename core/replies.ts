// The shapes of the API's replies (docs/API.md), defined once: the server's presenters return them and the
// web app reads them, so a field added, renamed or made nullable on one side fails the other's typecheck.
import type { AttachmentView } from './attachments';
import type { ApplicationForm, FormIssue } from './application';
import type { CampaignSettings } from './campaign';
import type { Role } from './codes';
import type { ApplicationStatus } from './status';
import type { Abilities } from './workflow';

export interface UnitRef {
  id: string;
  name: string;
  region: string;
  type: string;
}

/** The signed-in user (GET /api/auth/me), as every request's session presents it. */
export interface SessionUser {
  id: string;
  username: string;
  role: Role;
  realName: string;
  mobile: string | null;
  email: string | null;
  unit: UnitRef | null;
}

export interface CampaignView {
  id: string;
  programCode: string;
  programName: string;
  year: number;
  title: string;
  settings: CampaignSettings;
}

/** One row of a list: 我的申请书, 查询申报表, 待审核申报表. */
export interface ApplicationRow {
  id: string;
  number: string;
  applicantName: string;
  /** 工作单位 (the form's 单位名称) */
  workUnit: string;
  status: ApplicationStatus;
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

export interface ApplicationDetail extends ApplicationRow {
  campaignId: string;
  form: ApplicationForm;
  pledgedAt: string | null;
  attachments: AttachmentView[];
  eligibility: { refused: string[]; flags: string[] };
  /** 修改意见, 推荐单位意见 and 自治区科协's opinion: shown to those who may see them (the applicant: `return` only) */
  opinions: { return: string | null; recommend: string | null; org: string | null };
  /** PUT (保存) only: the named fields whose values were malformed and so were not saved (the rest were) */
  notSaved?: { field: string; label: string; message: string }[];
}

/** GET /api/applications: 查询申报表 and 待审核申报表, one page and the total. */
export interface QueryResult {
  rows: ApplicationRow[];
  total: number;
  page: number;
  pageSize: number;
}

/** GET …/check: what 【提交】 still needs. */
export interface CheckReply {
  complete: boolean;
  missing: FormIssue[];
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
  /** when the submission compared against was made; null when there is nothing to compare */
  comparedTo: string | null;
  changes: FieldChange[];
}

export interface AppNotification {
  id: number;
  applicationId: string | null;
  body: string;
  createdAt: string;
  read: boolean;
}

export interface NotificationsReply {
  items: AppNotification[];
  /** Unread messages the user may see, not only the listed ones. */
  unread: number;
}

/** A 推荐单位 as the organizer manages it (推荐单位管理). */
export interface AdminUnit {
  id: string;
  name: string;
  type: string;
  region: string;
  contactName: string;
  contactPhone: string;
  status: string;
  statusLabel: string;
  /** the unit's account; null if it has none */
  username: string | null;
  createdAt: string;
  refusedReason: string | null;
}
