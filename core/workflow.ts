// The application lifecycle as data: which role may do what in which status. The server asks it before
// writing; the web asks it which buttons to show. Routing actions (提交, 收回, 办理, 退回, 转交) join
// this table as they are built.
import type { Role } from './codes';
import { STATUS_HOLDER, type ApplicationStatus } from './status';

/** Actions on an application's content by its holder. */
export const CONTENT_ACTIONS = ['edit', 'pledge', 'upload', 'delete'] as const;
export type ContentAction = (typeof CONTENT_ACTIONS)[number];

export const ACTION_LABELS: Record<ContentAction, string> = {
  edit: '编辑',
  pledge: '承诺',
  upload: '上传附件',
  delete: '删除',
};

interface ContentRule {
  action: ContentAction;
  role: Role;
  /** the statuses in which the action is allowed; the actor must also hold the application */
  statuses: readonly ApplicationStatus[];
}

const APPLICANT_HOLDS: readonly ApplicationStatus[] = ['applicant', 'returned_to_applicant'];

export const CONTENT_RULES: readonly ContentRule[] = [
  { action: 'edit', role: 'applicant', statuses: APPLICANT_HOLDS },
  { action: 'pledge', role: 'applicant', statuses: APPLICANT_HOLDS },
  { action: 'upload', role: 'applicant', statuses: APPLICANT_HOLDS },
  { action: 'delete', role: 'applicant', statuses: APPLICANT_HOLDS },
];

export interface Actor {
  role: Role;
  /** true when the actor is this application's applicant (or, for units, its unit) */
  related: boolean;
}

export function canDo(action: ContentAction, status: ApplicationStatus, actor: Actor): boolean {
  if (!actor.related || STATUS_HOLDER[status] !== actor.role) return false;
  return CONTENT_RULES.some((r) => r.action === action && r.role === actor.role && r.statuses.includes(status));
}

export type Abilities = Record<ContentAction, boolean>;

export function abilitiesFor(status: ApplicationStatus, actor: Actor): Abilities {
  return Object.fromEntries(CONTENT_ACTIONS.map((a) => [a, canDo(a, status, actor)])) as Abilities;
}

/** Why an action is refused, in the manual's words. */
export function refusalMessage(action: ContentAction, statusText: string): string {
  return `申请书当前状态为“${statusText}”，不能${ACTION_LABELS[action]}：仅当【状态】是申报人时申请书在申请人手中，可以${ACTION_LABELS[action]}；如需修改，请联系相关单位负责人退回申请书至申请人`;
}
