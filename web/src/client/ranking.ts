// 网上评选结果 (docs/API.md "RankingReply"): the organizer's ranking of the candidates, and its .xlsx download. The types
// are core/review's (type-only here).
import { api } from '../api';
import type { RankFigure, RankingReply, RankingRow } from '../../../core/review';

export type { RankFigure, RankingReply, RankingRow };

const ranking = (campaignId: string) => `/api/review/campaigns/${encodeURIComponent(campaignId)}/ranking`;

/** The ranking by `by`, or by the campaign's choice (评选活动设置) when absent. */
export const getRanking = (campaignId: string, by?: RankFigure) =>
  api<RankingReply>('GET', by ? `${ranking(campaignId)}?by=${encodeURIComponent(by)}` : ranking(campaignId));

/** 【下载Excel】: a plain link (the browser sends the session cookie and saves the file). */
export const rankingXlsxHref = (campaignId: string, by: RankFigure) => `${ranking(campaignId)}.xlsx?by=${encodeURIComponent(by)}`;
