// Application statuses and their holders. The labels are the manual's own texts: users follow them.
import type { Role } from './codes';

export const APPLICATION_STATUSES = [
  'applicant',
  'submitted_to_unit',
  'returned_to_applicant',
  'submitted_to_org',
  'returned_to_unit',
] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];

export const STATUS_LABELS: Record<ApplicationStatus, string> = {
  applicant: '申报人',
  submitted_to_unit: '[申报人]提交到[推荐单位]',
  returned_to_applicant: '[推荐单位]退回到[申报人]',
  submitted_to_org: '[推荐单位]提交到[自治区科协]',
  returned_to_unit: '[自治区科协]退回到[推荐单位]',
};

/** Who holds the application in each status, and so who may act on it. */
export const STATUS_HOLDER: Record<ApplicationStatus, Role> = {
  applicant: 'applicant',
  submitted_to_unit: 'unit',
  returned_to_applicant: 'applicant',
  submitted_to_org: 'organizer',
  returned_to_unit: 'unit',
};

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
