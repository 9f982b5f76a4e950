// Campaigns as every logged-in account reads them (docs/API.md "Reference data"); 评选活动设置 is in ./admin.
import { api } from '../api';
import type { Campaign } from '../types';

/** GET /api/campaigns/current?program=ZMKJ: the newest campaign. */
export function currentCampaign(): Promise<Campaign> {
  return api<Campaign>('GET', '/api/campaigns/current?program=ZMKJ');
}

/** GET /api/campaigns/:id: e.g. the campaign an application belongs to. */
export function getCampaign(id: string): Promise<Campaign> {
  return api<Campaign>('GET', `/api/campaigns/${encodeURIComponent(id)}`);
}
