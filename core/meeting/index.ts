// 集中评选 (issue 14, 2.–4.), imported as 'core/meeting' (not re-exported by core/index.ts, like core/review).
export * from './rules';
export * from './api';
