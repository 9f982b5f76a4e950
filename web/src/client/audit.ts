// 审计日志 (docs/api/audit.md): 自治区科协's search of the audit log.
import type { AuditList } from '../../../core/audit';
import { api } from '../api';

export interface AuditSearch {
  from?: string;
  to?: string;
  actor?: string;
  action?: string;
  target?: string;
  ip?: string;
  page: number;
  pageSize: number;
}

/** GET /api/admin/audit?from=&to=&actor=&action=&target=&ip=&page=&pageSize= */
export function searchAudit(q: AuditSearch): Promise<AuditList> {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') params.set(k, String(v));
  return api<AuditList>('GET', `/api/admin/audit?${params.toString()}`);
}
