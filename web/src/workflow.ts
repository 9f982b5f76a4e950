// What a row's abilities mean for its buttons; the routing calls themselves are web/src/client/workflow.ts.
import type { TransitionName } from './client/workflow';
import type { ApplicationRow } from './types';

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
