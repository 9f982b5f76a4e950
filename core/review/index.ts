// The online expert review's pure rules (issue 13): 回避, the assignment planner, the rubric and score sheets, the
// ranking figures. Imported as 'core/review' by the server and the organizer's and expert's pages; deliberately not
// re-exported from core/index.ts, whose barrel the web's entry loads.
export * from './recusal';
export * from './planner';
export * from './rubric';
export * from './ranking';
export * from './graph';
export * from './api';
export * from './ranking-api';
