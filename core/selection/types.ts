// 集中评选 and the final selection (issue 14): the vocabulary shared by the checker, the solver, the server and the
// organizer's pages. A constraint is campaign data (settings.selection.constraints, plus the notice's two built from
// academicianMaxRatio and youthMinRatio): a minimum or a maximum, as a count or a share, over an attribute of the
// candidates picked as winners (or as national recommendees).
import { z } from 'zod';
import { text } from '../text';

/** Yes/no attributes: the constraint counts the candidates that have it. */
export const FLAG_ATTRIBUTES = ['academician', 'youth', 'frontline'] as const;
/** Attributes with values: the constraint counts the candidates with one value, or applies to each value in turn. */
export const VALUE_ATTRIBUTES = ['field', 'region', 'unitType', 'unit', 'gender', 'ethnicity'] as const;
export const SELECTION_ATTRIBUTES = [...FLAG_ATTRIBUTES, ...VALUE_ATTRIBUTES] as const;
export type FlagAttribute = (typeof FLAG_ATTRIBUTES)[number];
export type ValueAttribute = (typeof VALUE_ATTRIBUTES)[number];
export type SelectionAttribute = (typeof SELECTION_ATTRIBUTES)[number];

/** Chinese names; 'youth' is "45岁以下" with the campaign's youthAgeLimit (attributeLabel). */
export const ATTRIBUTE_LABELS: Record<SelectionAttribute, string> = {
  academician: '院士',
  youth: '青年科技工作者',
  frontline: '基层一线',
  field: '推荐领域',
  region: '地区',
  unitType: '单位类型',
  unit: '推荐单位',
  gender: '性别',
  ethnicity: '民族',
};

export function attributeLabel(attribute: SelectionAttribute, youthAgeLimit = 45): string {
  return attribute === 'youth' ? `${youthAgeLimit}岁以下` : ATTRIBUTE_LABELS[attribute];
}

/** Which list a constraint is about: the winners (最终评选人数) or the national recommendees among them. */
export const SELECTION_LISTS = ['winners', 'nationals'] as const;
export type SelectionList = (typeof SELECTION_LISTS)[number];

/**
 * One rule. Share bounds are taken of the list's required size (settings.winners or nationalRecommendees), so
 * "院士 3/20 = 15%，要求 ≤ 10%" reads the same while the organizer is still picking: max share b allows at most
 * floor(b × size) candidates, min share b needs at least ceil(b × size) (with a 1e-9 tolerance for binary fractions).
 * For a value attribute exactly one of `value` (e.g. gender '女') or `each` (every value found among the shortlist,
 * e.g. "每个推荐领域至少1人", "每个推荐单位至多2人") is set; a flag attribute has neither.
 */
export interface SelectionConstraint {
  /** stable key, unique within the campaign: 'academician' and 'youth' are the notice's own */
  id: string;
  attribute: SelectionAttribute;
  value?: string;
  each?: boolean;
  op: 'min' | 'max';
  measure: 'count' | 'share';
  bound: number;
  of: SelectionList;
  /** shown instead of the generated description when set, e.g. "向基层一线倾斜" */
  label?: string;
}

const isFlag = (a: string): a is FlagAttribute => (FLAG_ATTRIBUTES as readonly string[]).includes(a);

export const selectionConstraintSchema = z
  .object({
    id: text('约束编号', { required: '请填写约束编号（1至40个字母、数字、-或_）' })
      .trim()
      .regex(/^[a-z0-9_-]{1,40}$/i, '约束编号应为1至40个字母、数字、-或_'),
    attribute: z.enum(SELECTION_ATTRIBUTES, { error: `约束的属性应为${SELECTION_ATTRIBUTES.map((a) => ATTRIBUTE_LABELS[a]).join('、')}之一` }),
    value: text('约束的取值').trim().min(1, '约束的取值不能为空').max(100, '约束的取值不能超过100字').optional(),
    each: z.boolean({ error: '“每一类”应为是或否' }).optional(),
    op: z.enum(['min', 'max'], { error: '约束应为“至少”或“至多”' }),
    measure: z.enum(['count', 'share'], { error: '约束应按人数或比例计算' }),
    bound: z.number({ error: '约束的界限应为数字' }).min(0, '约束的界限不能为负数'),
    of: z.enum(SELECTION_LISTS, { error: '约束应针对当选名单或全国推荐名单' }),
    label: text('约束说明').trim().max(100, '约束说明不能超过100字').optional(),
  })
  .superRefine((c, ctx) => {
    if (c.measure === 'share' && c.bound > 1) {
      ctx.addIssue({ code: 'custom', path: ['bound'], message: '按比例的约束，界限应为0至1之间的小数，如0.2表示20%' });
    }
    if (c.measure === 'count' && !Number.isInteger(c.bound)) {
      ctx.addIssue({ code: 'custom', path: ['bound'], message: '按人数的约束，界限应为整数' });
    }
    if (isFlag(c.attribute)) {
      if (c.value !== undefined || c.each) {
        ctx.addIssue({ code: 'custom', path: ['value'], message: `“${ATTRIBUTE_LABELS[c.attribute]}”是“是/否”属性，不需要取值` });
      }
    } else if ((c.value === undefined) === !c.each) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: `“${ATTRIBUTE_LABELS[c.attribute]}”的约束须指定一个取值，或选择“每一类”` });
    }
  });

/**
 * The campaign's 集中评选 and selection settings (settings.selection):
 * - shortlistSize: 入围名单 size taken from the ranking; 0 means twice the number of winners;
 * - passShare: a candidate passes a question with 赞成 votes strictly more than passShare × the experts present
 *   (0.5: 超过到会专家半数);
 * - nationalsWithinWinners: the national recommendees are chosen among the winners;
 * - constraints: the organizer's further rules (the notice's 院士 and 45岁以下 come from academicianMaxRatio and
 *   youthMinRatio: campaignConstraints).
 */
export const selectionSettingsSchema = z
  .object({
    shortlistSize: z
      .number({ error: '入围名单人数应为0至1000之间的整数（0表示最终评选人数的2倍）' })
      .int('入围名单人数应为0至1000之间的整数（0表示最终评选人数的2倍）')
      .min(0, '入围名单人数应为0至1000之间的整数（0表示最终评选人数的2倍）')
      .max(1000, '入围名单人数应为0至1000之间的整数（0表示最终评选人数的2倍）'),
    passShare: z
      .number({ error: '通过票数比例应为0至1之间的小数，如0.5表示超过到会专家半数' })
      .min(0, '通过票数比例应为0至1之间的小数，如0.5表示超过到会专家半数')
      .max(1, '通过票数比例应为0至1之间的小数，如0.5表示超过到会专家半数'),
    nationalsWithinWinners: z.boolean({ error: '全国推荐人选是否须从当选人员中产生，应为是或否' }),
    constraints: z.array(selectionConstraintSchema).max(50, '附加约束不能超过50条'),
  })
  .superRefine((s, ctx) => {
    const seen = new Set<string>(['academician', 'youth']);
    s.constraints.forEach((c, i) => {
      if (seen.has(c.id)) ctx.addIssue({ code: 'custom', path: ['constraints', i, 'id'], message: `约束编号“${c.id}”重复` });
      seen.add(c.id);
    });
  });
export type SelectionSettings = z.infer<typeof selectionSettingsSchema>;

export function defaultSelectionSettings(): SelectionSettings {
  return { shortlistSize: 0, passShare: 0.5, nationalsWithinWinners: true, constraints: [] };
}

/** A candidate as the checker and the solver see it. */
export interface SelectionCandidate {
  /** the application id */
  id: string;
  name: string;
  /**
   * The merit order: a smaller number is better (1 = first), from 集中评选's 赞成 votes and then the online rank.
   * The solver prefers better candidates; equal numbers are ties.
   */
  merit: number;
  /** age in whole years at the campaign's ageReferenceDate (core/selection ageOn) */
  age: number;
  /**
   * 院士 and 基层一线 as recorded. `youth` is for display only: the checker, the solver and the balance report take
   * youth from `age` through isYouth(age, youthAgeLimit) (45 itself counts), so it cannot disagree with the age.
   */
  flags: Record<FlagAttribute, boolean>;
  values: Record<ValueAttribute, string>;
}
