// 网上评选结果 (issue 13, 11.): the organizer's ranking, as the API replies it. The figures are defined in ranking.ts
// (the reference); the server computes them in SQL (server/usecases/review-ranking.ts).
import { z } from 'zod';
import { replyText } from '../text';
import { RANK_FIGURE_LABELS, RANK_FIGURES, TRIM_MIN_SHEETS, type RankFigure } from './ranking';

const figure = () => z.number().nullable();

export const rankingRowSchema = z.object({
  applicationId: replyText(),
  number: replyText(),
  name: replyText(),
  workUnit: replyText(),
  unitName: replyText().nullable(),
  /** 推荐领域 */
  field: replyText(),
  /** sheets submitted, of those required (assigned minus 回避) */
  sheets: z.number(),
  required: z.number(),
  mean: figure(),
  trimmedMean: figure(),
  zMean: figure(),
  additive: figure(),
  /** the connected component of the design the candidate belongs to (0, 1, …); null without sheets */
  component: z.number().nullable(),
  /** per score criterion (by key): the mean of its scores */
  criterionMeans: z.record(replyText(), z.number().nullable()),
  /** the spread of the totals: population standard deviation, and highest − lowest */
  std: figure(),
  range: figure(),
  /** sheets answering 否 to a gate (政治过硬), by gate key and in all */
  gateFailures: z.number(),
  gateFailuresByKey: z.record(replyText(), z.number()),
  gateFailed: z.boolean(),
  /** the competition rank by the chosen figure (1, 2, 2, 4), null when the candidate has no sheet */
  rank: z.number().nullable(),
  tied: z.boolean(),
  /** "第1", "并列第7", "未评分" */
  rankLabel: replyText(),
});
export type RankingRow = z.infer<typeof rankingRowSchema>;

export const rankingReplySchema = z.object({
  campaignId: replyText(),
  campaignTitle: replyText(),
  /** the figure that ranks: the request's `by`, else the campaign's settings.review.rankBy */
  by: z.enum(RANK_FIGURES),
  byLabel: replyText(),
  /** the campaign's choice (评选活动设置) */
  defaultBy: z.enum(RANK_FIGURES),
  figures: z.array(z.object({ key: z.enum(RANK_FIGURES), label: replyText() })),
  /** the rubric's criteria, for the columns of criterionMeans and gateFailuresByKey */
  criteria: z.array(z.object({ key: replyText(), name: replyText(), kind: replyText(), maxScore: z.number() })),
  /** connected components of the design: more than one means the additive estimate compares within each only */
  components: z.number(),
  /** sheets submitted in all, and candidates with at least one */
  submittedSheets: z.number(),
  rows: z.array(rankingRowSchema),
});
export type RankingReply = z.infer<typeof rankingReplySchema>;

/** `?by=`: one of RANK_FIGURES, or absent (the campaign's choice). */
export const rankingQuerySchema = z.object({
  by: z.enum(RANK_FIGURES, { error: `排名依据应为${RANK_FIGURES.map((f) => `${f}（${RANK_FIGURE_LABELS[f]}）`).join('、')}之一` }).optional(),
});

/** What the ranking's page and download say of each figure. */
export const RANK_FIGURE_NOTES: Record<RankFigure, string> = {
  mean: '全部已提交评分表总分的平均值',
  trimmedMean: `评分表不少于${TRIM_MIN_SHEETS}份时，去掉一个最高分和一个最低分后的平均值；少于${TRIM_MIN_SHEETS}份时同平均分`,
  zMean: '每份总分换算为该专家全部评分的标准分（z分数）后的平均值，使打分宽严不同的专家作用相同',
  additive: '按“总分 = 候选人水平 + 专家宽严偏差”以最小二乘估计的候选人水平，各专家评审不同候选人时仍然公平',
};
