// 数据导出 (issue 15, 4.): what the exports take, shared by the page and the server (docs/api/exports.md). The 汇总表's
// filters are 查询申报表's (core/query.ts), its columns a fixed list of keys with the 申请书's Chinese headers.
// Exported from here, not from the core barrel (the web's first screen stays small).
import { z } from 'zod';
import { APPLICATION_FIELDS, type ApplicationFieldKey } from './application';
import { applicationQuerySchema } from './query';
import { RANK_FIGURES } from './review/ranking';
import { text } from './text';

/** Columns of the 汇总表 besides the 申请书's own fields. */
export const EXTRA_EXPORT_COLUMNS = [
  { key: 'number', label: '申请书编号' },
  { key: 'year', label: '年度' },
  { key: 'status', label: '当前步骤' },
  { key: 'unit', label: '推荐单位' },
  { key: 'createdAt', label: '创建时间' },
  { key: 'pledgedAt', label: '承诺时间' },
  { key: 'transferredAt', label: '转交时间' },
  { key: 'updatedAt', label: '最后修改时间' },
] as const;

export type ExportColumnKey = (typeof EXTRA_EXPORT_COLUMNS)[number]['key'] | ApplicationFieldKey;

/** Every column in the order of the sheet: 编号 and 年度, the 申请书's fields in the manual's order, then the workflow's. */
export const EXPORT_COLUMNS: readonly { key: ExportColumnKey; label: string }[] = [
  ...EXTRA_EXPORT_COLUMNS.slice(0, 2),
  ...APPLICATION_FIELDS.map((f) => ({ key: f.key, label: f.label })),
  ...EXTRA_EXPORT_COLUMNS.slice(2),
];
export const EXPORT_COLUMN_KEYS = EXPORT_COLUMNS.map((c) => c.key) as [ExportColumnKey, ...ExportColumnKey[]];
export const EXPORT_COLUMN_LABELS = Object.fromEntries(EXPORT_COLUMNS.map((c) => [c.key, c.label])) as Record<ExportColumnKey, string>;

/** What the page ticks at first. */
export const DEFAULT_EXPORT_COLUMNS: readonly ExportColumnKey[] = [
  'number',
  'name',
  'gender',
  'ethnicity',
  'birthDate',
  'idNumber',
  'workUnit',
  'title',
  'field',
  'mobile',
  'unit',
  'status',
  'transferredAt',
];

const filters = applicationQuerySchema.pick({ keyword: true, year: true, workUnit: true, status: true });

/** POST /api/exports/applications: 查询申报表's filters, the columns, and (organizer only, recorded) the full 身份证号码. */
export const summaryExportSchema = filters.extend({
  columns: z
    .array(z.enum(EXPORT_COLUMN_KEYS, { error: '导出列不是可选项' }), { error: '请选择要导出的列' })
    .min(1, '请至少选择一列')
    .max(EXPORT_COLUMN_KEYS.length, '导出列过多')
    .refine((v) => new Set(v).size === v.length, '导出列不能重复')
    .default([...DEFAULT_EXPORT_COLUMNS]),
  /** 身份证号码 完整显示: organizer only; recorded in the audit log with the filters */
  fullIdNumber: z.boolean({ error: '身份证号码完整显示应为是或否' }).default(false),
});
export type SummaryExportInput = z.input<typeof summaryExportSchema>;
export type SummaryExport = z.infer<typeof summaryExportSchema>;
export type SummaryFilters = z.infer<typeof filters>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const id = (label: string) =>
  text(label)
    .regex(UUID, `${label}编号不正确`)
    .transform((v) => v.toLowerCase());

/** 网上评选结果, 集中评选计票结果, 最终评选结果: one campaign's; the ranking by a figure (default: the campaign's choice). */
export const campaignExportSchema = z.object({ campaignId: id('评选活动') });
export const rankingExportSchema = campaignExportSchema.extend({
  by: z.enum(RANK_FIGURES, { error: '排名依据不是可选项' }).optional(),
});
/** 宣传素材包 of one candidate */
export const mediaExportSchema = z.object({ applicationId: id('申请书') });
