// 统计 (docs/api/stats.md): the dashboard's figures under 查询申报表's filters and the campaign. Types are core/stats's
// (type-only here: the page imports the few tables it shows from core/stats itself).
import { api } from '../api';
import type { StatsBreakdown, StatsGroup, StatsReply, UnitProgress } from '../../../core/stats';

export type { StatsBreakdown, StatsGroup, StatsReply, UnitProgress };

export interface StatsFilters {
  campaignId?: string;
  year?: number;
  status?: string;
}

/** GET /api/stats: the organizer's every application, a unit's own. */
export function getStats(filters: StatsFilters = {}): Promise<StatsReply> {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v !== undefined && v !== '') q.set(k, String(v));
  return api<StatsReply>('GET', `/api/stats${q.size ? `?${q.toString()}` : ''}`);
}
