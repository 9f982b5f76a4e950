// Applications (docs/API.md "Applicant: 我的申报表" and "Routing"): one function a call.
import { api } from '../api';
import type { ApplicationDetail, ApplicationRow, ChangesReply, CheckReply, HistoryEntry, QueryReply } from '../types';

const base = (id: string) => `/api/applications/${id}`;

/** GET /api/applications/mine: 我的申报表. */
export function listMyApplications(): Promise<ApplicationRow[]> {
  return api<ApplicationRow[]>('GET', '/api/applications/mine');
}

/** GET /api/applications?…: 查询申报表 and the 待审核/已审核 tabs. `query` is the query string without its `?`. */
export function queryApplications(query: string): Promise<QueryReply> {
  return api<QueryReply>('GET', `/api/applications?${query}`);
}

export function getApplication(id: string): Promise<ApplicationDetail> {
  return api<ApplicationDetail>('GET', base(id));
}

/** POST /api/applications: 我要申请 (no campaignId: the current ZMKJ campaign). */
export function createApplication(body: { campaignId?: string }): Promise<ApplicationDetail> {
  return api<ApplicationDetail>('POST', '/api/applications', body);
}

/** PUT /api/applications/:id (保存): only the named fields change; `notSaved` names the values that were not saved. */
export function saveApplication(id: string, body: { form: Record<string, unknown> }): Promise<ApplicationDetail> {
  return api<ApplicationDetail>('PUT', base(id), body);
}

/** POST …/pledge: 我承诺. */
export function pledgeApplication(id: string): Promise<ApplicationDetail> {
  return api<ApplicationDetail>('POST', `${base(id)}/pledge`);
}

/** DELETE /api/applications/:id: 删除. */
export function deleteApplication(id: string): Promise<{ ok: true }> {
  return api<{ ok: true }>('DELETE', base(id));
}

/** GET …/check: what is still missing before 提交. */
export function checkApplication(id: string): Promise<CheckReply> {
  return api<CheckReply>('GET', `${base(id)}/check`);
}

/** GET …/history: 流程情况. */
export function applicationHistory(id: string): Promise<HistoryEntry[]> {
  return api<HistoryEntry[]>('GET', `${base(id)}/history`);
}

/** GET …/changes: what changed since the returned submission (unit, 自治区科协). */
export function applicationChanges(id: string): Promise<ChangesReply> {
  return api<ChangesReply>('GET', `${base(id)}/changes`);
}

/** 办理 / 查看 by the current receiver (POST …/open): records 已阅. Call only from the handling view and 查看申请书. */
export function openApplication(id: string): Promise<ApplicationDetail> {
  return api<ApplicationDetail>('POST', `${base(id)}/open`);
}
