// 查询申报表: the conditions, 更多筛选条件 and 排序 of the manual, shared by the page and the server.
import { z } from 'zod';
import { APPLICATION_STATUSES } from './status';
import { text } from './text';

export const SORTS = ['number', 'transferredAt', 'workUnit', 'unit'] as const;
export type Sort = (typeof SORTS)[number];
export const SORT_LABELS: Record<Sort, string> = {
  number: '申请书编号从高到低',
  transferredAt: '转交时间',
  workUnit: '工作单位',
  unit: '推荐单位',
};
export const ORDERS = ['asc', 'desc'] as const;
export type SortOrder = (typeof ORDERS)[number];
/** The direction a sort starts in (clicking it again reverses it): 申请书编号从高到低 and 转交时间 newest first, as they always were; names A→Z by pinyin. */
export const DEFAULT_ORDER: Record<Sort, SortOrder> = { number: 'desc', transferredAt: 'desc', workUnit: 'asc', unit: 'asc' };
/** The direction a query sorts in: the one asked for, else the sort's own. */
export const sortOrder = (q: { sort: Sort; order?: SortOrder | undefined }): SortOrder => q.order ?? DEFAULT_ORDER[q.sort];

export const WORK_UNIT_HINT = '输入必须大于或等于4个字符';

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

export const applicationQuerySchema = z.object({
  /** 申请书名称 (the applicant's name) or 申报书编号 */
  keyword: z.preprocess(blankToUndefined, text('查询条件').trim().max(50, '查询条件不能超过50个字').optional()),
  /** 年度: 全部 or a year */
  year: z.preprocess(
    (v) => (v === '全部' || v === '' || v === undefined ? undefined : Number(v)),
    z.number({ error: '年度应为四位数字年份或“全部”' }).int().min(2000, '年度应为四位数字年份或“全部”').max(2100, '年度应为四位数字年份或“全部”').optional(),
  ),
  workUnit: z.preprocess(blankToUndefined, text('工作单位').trim().min(4, WORK_UNIT_HINT).max(100, '工作单位不能超过100个字').optional()),
  /** 当前步骤 */
  status: z.preprocess((v) => (v === '全部' ? undefined : blankToUndefined(v)), z.enum(APPLICATION_STATUSES, { error: '当前步骤不是可选项' }).optional()),
  sort: z.preprocess(blankToUndefined, z.enum(SORTS, { error: '排序方式不是可选项' }).default('number')),
  /** asc | desc; absent: the sort's DEFAULT_ORDER */
  order: z.preprocess(blankToUndefined, z.enum(ORDERS, { error: '排序方向应为升序（asc）或降序（desc）' }).optional()),
  /** 待审核的 / 已办理的 on 待审核申报表; absent on 查询申报表 */
  tab: z.preprocess(blankToUndefined, z.enum(['pending', 'handled'], { error: '标签不是可选项' }).optional()),
  page: z.coerce.number().int().min(1, '页码应为正整数').default(1),
  pageSize: z.coerce.number().int().min(1, '每页显示条数应在1至100之间').max(100, '每页显示条数应在1至100之间').default(20),
});
export type ApplicationQuery = z.infer<typeof applicationQuerySchema>;

/** "1-20 共N" as the manual shows it. */
export function rangeText(page: number, pageSize: number, total: number): string {
  if (total === 0) return '0-0 共0';
  const first = (page - 1) * pageSize + 1;
  return `${first}-${Math.min(page * pageSize, total)} 共${total}`;
}
