// 统计 (issue 15, 5.): what the dashboard asks for and what it gets, shared by the page and the server
// (docs/api/stats.md). The filters are 查询申报表's (core/query.ts) plus the campaign, so that every figure agrees with
// that list under the same filters. Exported from here, not from the core barrel (the web's first screen stays small).
import { z } from 'zod';
import { applicationQuerySchema } from './query';
import { AGE_BANDS } from './selection/balance';
import { replyText, text } from './text';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** GET /api/stats: 查询申报表's conditions (条件, 年度, 工作单位, 当前步骤) and the 评选活动. */
export const statsQuerySchema = applicationQuerySchema.pick({ keyword: true, year: true, workUnit: true, status: true }).extend({
  campaignId: z.preprocess(blankToUndefined, text('评选活动').regex(UUID, '评选活动编号不正确').optional()),
});
export type StatsQuery = z.infer<typeof statsQuerySchema>;
export const STATS_QUERY_LABELS = { keyword: '条件', year: '年度', workUnit: '工作单位', status: '当前步骤', campaignId: '评选活动' };

/** The breakdowns, in the dashboard's order, with their titles. */
export const BREAKDOWNS = [
  { key: 'status', title: '当前步骤' },
  { key: 'unit', title: '推荐单位' },
  { key: 'region', title: '地区' },
  { key: 'field', title: '推荐领域' },
  { key: 'gender', title: '性别' },
  { key: 'ethnicity', title: '民族' },
  { key: 'ageBand', title: '年龄段' },
  { key: 'academician', title: '两院院士' },
  { key: 'education', title: '学历' },
] as const;
export type BreakdownKey = (typeof BREAKDOWNS)[number]['key'];
export const BREAKDOWN_KEYS = BREAKDOWNS.map((b) => b.key) as [BreakdownKey, ...BreakdownKey[]];

/**
 * The age bands of 结构分析 (core/selection/balance AGE_BANDS: 35岁以下, 36–45岁, 46–55岁, 56岁以上; "以下" and "以上"
 * include the number), by the upper age of each band but the last; age in whole years at the campaign's
 * 年龄计算基准日期 as core/selection ageOn counts it. A 出生日期 that is not a date is 年龄不详.
 */
export const AGE_BAND_LIMITS = [35, 45, 55] as const;
export { AGE_BANDS };
export const AGE_UNKNOWN = '年龄不详';
/** A breakdown's value for an empty 申请书 field (a unit's list can hold a 申请书 收回 to the applicant half-filled). */
export const NOT_FILLED = '未填写';
/** The 推荐单位 breakdown's value for an application that names none. */
export const NO_UNIT = '未选择推荐单位';

export const statsGroupSchema = z.object({
  /** what the group is: the status code, the unit's id, or the text itself (推荐领域, 性别, …) */
  value: replyText(),
  /** what the page shows */
  label: replyText(),
  count: z.number(),
});
export type StatsGroup = z.infer<typeof statsGroupSchema>;

export const statsBreakdownSchema = z.object({
  key: z.enum(BREAKDOWN_KEYS),
  title: replyText(),
  /** every group with its count; the counts add up to `total` */
  groups: z.array(statsGroupSchema),
});
export type StatsBreakdown = z.infer<typeof statsBreakdownSchema>;

/** One 推荐单位's progress. The organizer gets every unit; a unit only its own row. */
export const unitProgressSchema = z.object({
  unitId: replyText(),
  unitName: replyText(),
  region: replyText(),
  /** 收到: what reached the unit (its 查询申报表 under the filters) */
  received: z.number(),
  /** 初评通过 */
  preliminaryPassed: z.number(),
  /** 已提交到自治区科协: forwarded and still there or beyond (受理, 评审中, the outcome) */
  forwarded: z.number(),
  /** 已公示: in one of the unit's 初评公示 (published, not withdrawn) */
  inPublicity: z.number(),
});
export type UnitProgress = z.infer<typeof unitProgressSchema>;

export const statsReplySchema = z.object({
  /** the campaigns to filter by (newest first) */
  campaigns: z.array(z.object({ id: replyText(), year: z.number(), title: replyText() })),
  /** the 查询申报表 total under the same filters */
  total: z.number(),
  breakdowns: z.array(statsBreakdownSchema),
  progress: z.array(unitProgressSchema),
  /** when these figures were counted: a count over many rows is kept for a minute (docs/api/stats.md) */
  computedAt: z.iso.datetime(),
});
export type StatsReply = z.infer<typeof statsReplySchema>;

export const PROGRESS_COLUMNS = [
  { key: 'received', title: '收到申报' },
  { key: 'preliminaryPassed', title: '初评通过' },
  { key: 'forwarded', title: '已提交到自治区科协' },
  { key: 'inPublicity', title: '已公示' },
] as const satisfies readonly { key: keyof UnitProgress; title: string }[];
