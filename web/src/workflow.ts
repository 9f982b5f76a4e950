// The routing calls of docs/API.md ("Routing"): transfers, 办理 (open), opinions.
import { api } from './api';
import type { ApplicationDetail, ApplicationRow } from './types';

/** Transfers a client may ask for, by their URL name. */
export type TransitionName = 'submit' | 'withdraw' | 'return' | 'withdraw-return' | 'forward' | 'withdraw-forward' | 'org-return';

export function transition(id: string, name: TransitionName, body?: { unitId?: string }): Promise<ApplicationDetail> {
  return api<ApplicationDetail>('POST', `/api/applications/${id}/transitions/${name}`, body);
}

/** 办理 / 查看 by the current receiver: records 已阅. Call only from the handling view and 查看申请书. */
export function openApplication(id: string): Promise<ApplicationDetail> {
  return api<ApplicationDetail>('POST', `/api/applications/${id}/open`);
}

export type OpinionKind = 'return' | 'recommend' | 'org';

export function saveOpinion(id: string, kind: OpinionKind, text: string): Promise<ApplicationDetail> {
  return api<ApplicationDetail>('PUT', `/api/applications/${id}/opinions/${kind}`, { text });
}

/** The 收回 a row allows for its viewer (applicant, or the unit's two), if any. */
export function withdrawOf(row: Pick<ApplicationRow, 'abilities'>): TransitionName | null {
  if (row.abilities.withdraw) return 'withdraw';
  if (row.abilities.withdrawReturn) return 'withdraw-return';
  if (row.abilities.withdrawForward) return 'withdraw-forward';
  return null;
}

/** Whether the row waits for its viewer to 办理 (unit or 自治区科协). */
export function pendingForMe(row: Pick<ApplicationRow, 'abilities'>): boolean {
  return row.abilities.view;
}

export const WITHDRAW_CONFIRM = '确定收回该申请书吗？';

/** An attachment's original: always a download (a PDF is shown by pdf.js at /pdf/:id, components/pdf). */
export const attachmentUrl = (id: string) => `/api/attachments/${id}`;
