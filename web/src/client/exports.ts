// 数据导出 (docs/api/exports.md "Exports"): each call starts a background job and answers with it at once; the page
// follows it with web/src/client/jobs.ts. The input types are core/exports's (type-only here).
import { api } from '../api';
import type { ExportColumnKey, SummaryExportInput } from '../../../core/exports';
import type { RankFigure } from '../../../core/review/ranking';
import type { JobView } from './jobs';

export type { ExportColumnKey, SummaryExportInput };

/** 汇总表: 查询申报表's filters, the columns, and (organizer only, recorded) the full 身份证号码. */
export const exportApplications = (input: SummaryExportInput) => api<JobView>('POST', '/api/exports/applications', input);
export const exportRanking = (campaignId: string, by?: RankFigure) => api<JobView>('POST', '/api/exports/ranking', by ? { campaignId, by } : { campaignId });
export const exportTallies = (campaignId: string) => api<JobView>('POST', '/api/exports/tallies', { campaignId });
export const exportFinal = (campaignId: string) => api<JobView>('POST', '/api/exports/final', { campaignId });
/** 宣传素材包 of one candidate */
export const exportMedia = (applicationId: string) => api<JobView>('POST', '/api/exports/media', { applicationId });
