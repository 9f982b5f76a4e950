// The final selection's pure rules (issue 14): constraints, the checker, the exact solver and the 结构分析. Imported
// as 'core/selection' by the server and the organizer's pages; deliberately not re-exported from core/index.ts, whose
// barrel the web's entry loads (the solver brings yalps).
export * from './types';
export * from './constraints';
export * from './check';
export * from './solve';
export * from './balance';
