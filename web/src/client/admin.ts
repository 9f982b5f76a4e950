// 自治区科协's calls (docs/API.md "Organizer"): 推荐单位管理, the outbox, 评选活动设置.
import type { CampaignSettings, UnitCreateInput, UnitStatus } from '../../../core';
import { api } from '../api';
import type { AdminUnit, Campaign, OutboxMessage } from '../types';

/** GET /api/admin/units?status=… */
export function listAdminUnits(status: UnitStatus): Promise<AdminUnit[]> {
  return api<AdminUnit[]>('GET', `/api/admin/units?status=${status}`);
}

/** POST /api/admin/units: a unit account made by 自治区科协 (core unitCreateSchema). */
export function createUnit(body: UnitCreateInput): Promise<AdminUnit> {
  return api<AdminUnit>('POST', '/api/admin/units', body);
}

export function approveUnit(id: string): Promise<AdminUnit> {
  return api<AdminUnit>('POST', `/api/admin/units/${id}/approve`);
}

export function refuseUnit(id: string, reason: string): Promise<AdminUnit> {
  return api<AdminUnit>('POST', `/api/admin/units/${id}/refuse`, { reason });
}

/** GET /api/admin/outbox: the texts and e-mails sent, newest first. */
export function listOutbox(): Promise<OutboxMessage[]> {
  return api<OutboxMessage[]>('GET', '/api/admin/outbox');
}

/** GET /api/admin/campaigns/:id. */
export function getAdminCampaign(id: string): Promise<Campaign> {
  return api<Campaign>('GET', `/api/admin/campaigns/${id}`);
}

/** PUT /api/admin/campaigns/:id: 评选活动设置 (settings always whole). */
export function saveAdminCampaign(id: string, body: { title?: string; settings: CampaignSettings }): Promise<Campaign> {
  return api<Campaign>('PUT', `/api/admin/campaigns/${id}`, body);
}
