// 评审专家 and 评审组 (docs/API.md "评审专家 and 评审组"), 自治区科协's calls; and 修改密码 for every account.
import type { AdminExpert, ExpertCreateInput, ExpertGroupInput, ExpertGroupView, ExpertImportReply, ExpertList, ExpertUpdateInput } from '../../../core';
import { api, upload } from '../api';
import type { User } from '../types';

export interface ExpertListQuery {
  keyword?: string;
  groupId?: string;
  status?: 'active' | 'disabled';
  page: number;
  pageSize: number;
}

/** GET /api/admin/experts?keyword=&groupId=&status=&page=&pageSize= */
export function listExperts(q: ExpertListQuery): Promise<ExpertList> {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') params.set(k, String(v));
  return api<ExpertList>('GET', `/api/admin/experts?${params.toString()}`);
}

/** POST /api/admin/experts: 新建评审专家 (the initial password goes by SMS). */
export function createExpert(body: ExpertCreateInput): Promise<AdminExpert> {
  return api<AdminExpert>('POST', '/api/admin/experts', body);
}

export function updateExpert(id: string, body: ExpertUpdateInput): Promise<AdminExpert> {
  return api<AdminExpert>('PUT', `/api/admin/experts/${encodeURIComponent(id)}`, body);
}

export function setExpertDisabled(id: string, disabled: boolean): Promise<AdminExpert> {
  return api<AdminExpert>('POST', `/api/admin/experts/${encodeURIComponent(id)}/${disabled ? 'disable' : 'enable'}`);
}

export function resendPassword(id: string): Promise<AdminExpert> {
  return api<AdminExpert>('POST', `/api/admin/experts/${encodeURIComponent(id)}/resend-password`);
}

/** POST /api/admin/experts/import (multipart): `dryRun` checks and previews only. */
export function importExperts(file: File, dryRun: boolean): Promise<ExpertImportReply> {
  return upload<ExpertImportReply>(`/api/admin/experts/import${dryRun ? '?dryRun=1' : ''}`, {}, file);
}

/** The import template (a download link). */
export const EXPERT_TEMPLATE_URL = '/api/admin/experts/template';

export function listGroups(): Promise<ExpertGroupView[]> {
  return api<ExpertGroupView[]>('GET', '/api/admin/expert-groups');
}

export function createGroup(body: ExpertGroupInput): Promise<ExpertGroupView> {
  return api<ExpertGroupView>('POST', '/api/admin/expert-groups', body);
}

export function updateGroup(id: string, body: ExpertGroupInput): Promise<ExpertGroupView> {
  return api<ExpertGroupView>('PUT', `/api/admin/expert-groups/${encodeURIComponent(id)}`, body);
}

export function deleteGroup(id: string): Promise<{ ok: true }> {
  return api<{ ok: true }>('DELETE', `/api/admin/expert-groups/${encodeURIComponent(id)}`);
}

export function addGroupMembers(id: string, expertIds: string[]): Promise<ExpertGroupView> {
  return api<ExpertGroupView>('POST', `/api/admin/expert-groups/${encodeURIComponent(id)}/members`, { expertIds });
}

export function removeGroupMember(id: string, expertId: string): Promise<ExpertGroupView> {
  return api<ExpertGroupView>('DELETE', `/api/admin/expert-groups/${encodeURIComponent(id)}/members/${encodeURIComponent(expertId)}`);
}

/** POST /api/auth/password: 修改密码 / 修改初始密码 (any account, its own). */
export function changePassword(body: { oldPassword: string; newPassword: string }): Promise<{ user: User }> {
  return api<{ user: User }>('POST', '/api/auth/password', body);
}
