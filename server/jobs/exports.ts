// Jobs of this area: 汇总表, ranking, tallies, final list, media package (.xlsx / .zip).
import type { JobKind } from './types';

export const EXPORT_JOBS: Record<string, JobKind> = {};
