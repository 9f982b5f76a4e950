// Application statuses and their holders. The labels are the manual's own texts: users follow them.
import type { Role } from './codes';

export const APPLICATION_STATUSES = [
  'applicant',
  'submitted_to_unit',
  'returned_to_applicant',
  'submitted_to_org',
  'returned_to_unit',
  'accepted',
  'online_review',
  'final_review',
  'won',
  'national',
  'not_won',
] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];

/**
 * Everything the platform knows about a status, in one place: adding a status (已受理, 网上评选中, …) means one
 * row here, and every rule that depends on it (who holds it, what it is called, whether it uses up one of the
 * unit's forwarding places) follows.
 */
export interface StatusMeta {
  /** the manual's status text; [推荐单位] is replaced by the unit's name where known */
  label: string;
  /** who holds the application, and so who may act on it */
  holder: Role;
  /** counts against the unit's quota of candidates forwarded to 自治区科协 (campaign settings unitQuota) */
  takesQuotaPlace: boolean;
}

export const STATUS_META: Record<ApplicationStatus, StatusMeta> = {
  applicant: { label: '申报人', holder: 'applicant', takesQuotaPlace: false },
  submitted_to_unit: { label: '[申报人]提交到[推荐单位]', holder: 'unit', takesQuotaPlace: false },
  returned_to_applicant: { label: '[推荐单位]退回到[申报人]', holder: 'applicant', takesQuotaPlace: false },
  submitted_to_org: { label: '[推荐单位]提交到[自治区科协]', holder: 'organizer', takesQuotaPlace: true },
  returned_to_unit: { label: '[自治区科协]退回到[推荐单位]', holder: 'unit', takesQuotaPlace: false },
  // 受理 (形式审查 passed): the candidate is in the review; it still holds one of its unit's places
  accepted: { label: '[自治区科协]已受理', holder: 'organizer', takesQuotaPlace: true },
  // the expert panel's 网上评选 (issue 13's next slice moves accepted applications here); says nothing of scores
  online_review: { label: '网上评选中', holder: 'organizer', takesQuotaPlace: true },
  // 入围名单 built (issue 14): every candidate still in the review, shortlisted or not, reads "评审中" until the result
  // is published, so neither the status nor 流程情况 tells an applicant or a unit whether it was shortlisted
  final_review: { label: '评审中', holder: 'organizer', takesQuotaPlace: true },
  // 发布 (issue 15): the outcome, shown to the applicant and the unit from the moment the result is published. The
  // candidate was forwarded in this campaign and keeps the unit's place it used (the quota counts forwarded
  // candidates, and a published outcome must not free a place to forward one more into a campaign that is over).
  // 推荐全国 is also a winner (当选): OUTCOME_STATUSES and isWinnerStatus say so
  won: { label: '当选', holder: 'organizer', takesQuotaPlace: true },
  national: { label: '推荐全国', holder: 'organizer', takesQuotaPlace: true },
  not_won: { label: '未当选', holder: 'organizer', takesQuotaPlace: true },
};

/** The statuses 发布 gives every candidate still in the review (评审中). */
export const OUTCOME_STATUSES = ['won', 'national', 'not_won'] as const satisfies readonly ApplicationStatus[];
export type OutcomeStatus = (typeof OUTCOME_STATUSES)[number];

/** 当选 and 推荐全国 (a national recommendee is a winner too): a previous winner in a later year's eligibility. */
export const WINNER_STATUSES = ['won', 'national'] as const satisfies readonly ApplicationStatus[];

export function isWinnerStatus(status: string): boolean {
  return (WINNER_STATUSES as readonly string[]).includes(status);
}

export const STATUS_LABELS = Object.fromEntries(APPLICATION_STATUSES.map((s) => [s, STATUS_META[s].label])) as Record<ApplicationStatus, string>;

/** Who holds the application in each status, and so who may act on it. */
export const STATUS_HOLDER = Object.fromEntries(APPLICATION_STATUSES.map((s) => [s, STATUS_META[s].holder])) as Record<ApplicationStatus, Role>;

/** The statuses in which an application occupies one of its unit's forwarding places. */
export const QUOTA_STATUSES: readonly ApplicationStatus[] = APPLICATION_STATUSES.filter((s) => STATUS_META[s].takesQuotaPlace);

/** Who holds an application in `status`; a status unknown to this table (a later stage) is the organizer's. */
export function holderOf(status: ApplicationStatus | (string & {})): Role {
  return isApplicationStatus(status) ? STATUS_META[status].holder : 'organizer';
}

export function isApplicationStatus(value: unknown): value is ApplicationStatus {
  return typeof value === 'string' && (APPLICATION_STATUSES as readonly string[]).includes(value);
}

/**
 * The status text with the unit's real name in place of 推荐单位, e.g. [申报人]提交到[乌鲁木齐市科协].
 * Statuses added later (review stages) fall back to their own code rather than failing.
 */
export function statusLabel(status: ApplicationStatus | (string & {}), unitName?: string | null): string {
  const label = isApplicationStatus(status) ? STATUS_LABELS[status] : status;
  const name = unitName?.trim();
  return name ? label.replaceAll('[推荐单位]', `[${name}]`) : label;
}

/** The colour a status is shown in: green for a winner, blue while the applicant holds it, grey for 未当选, else gold. */
export function statusTone(status: string): 'success' | 'blue' | 'default' | 'gold' {
  if (isWinnerStatus(status)) return 'success';
  if (holderOf(status) === 'applicant') return 'blue';
  return status === 'not_won' ? 'default' : 'gold';
}
