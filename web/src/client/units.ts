// 推荐单位 to choose from (docs/API.md "Reference data"); their management is in ./admin.
import { api } from '../api';
import type { UnitRef } from '../types';

/** GET /api/units: approved, active units. */
export function listUnits(): Promise<UnitRef[]> {
  return api<UnitRef[]>('GET', '/api/units');
}
