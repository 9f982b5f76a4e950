// Jobs of this area: the scheduled 发布.
import type { JobKind } from './types';

export const PUBLICATION_JOBS: Record<string, JobKind> = {};
