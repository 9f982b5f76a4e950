// Jobs of this area: 汇总表, ranking, tallies, final list, media package (.xlsx / .zip).
import { runMediaExport, MEDIA_KIND } from '../usecases/exports-media';
import { FINAL_KIND, RANKING_KIND, runFinalExport, runRankingExport, runTalliesExport, TALLIES_KIND } from '../usecases/exports-results';
import { runSummaryExport, SUMMARY_KIND } from '../usecases/exports-summary';
import type { JobKind } from './types';

export const EXPORT_JOBS: Record<string, JobKind> = {
  [SUMMARY_KIND]: { label: '申报表汇总表', run: runSummaryExport },
  [RANKING_KIND]: { label: '网上评选结果', run: runRankingExport },
  [TALLIES_KIND]: { label: '集中评选计票结果', run: runTalliesExport },
  [FINAL_KIND]: { label: '最终评选结果', run: runFinalExport },
  [MEDIA_KIND]: { label: '宣传素材包', run: runMediaExport },
};
