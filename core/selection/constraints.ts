// The selection's constraints as rules over candidates (issue 14, 4.): the notice's two, ages, Chinese descriptions,
// and the expansion of a constraint into rows (one per value for `each`), each a count with an integer limit, which
// the checker (check.ts) and the solver (solve.ts) share so that they can never disagree.
import type { CampaignSettings } from '../campaign';
import { attributeLabel, type SelectionCandidate, type SelectionConstraint, type SelectionList } from './types';

/**
 * The notice's two (院士 ≤ academicianMaxRatio, <youthAgeLimit>岁以下 ≥ youthMinRatio, ids 'academician' and 'youth',
 * of 'winners'), followed by settings.selection.constraints.
 */
export function campaignConstraints(settings: CampaignSettings): SelectionConstraint[] {
  return [
    { id: 'academician', attribute: 'academician', op: 'max', measure: 'share', bound: settings.academicianMaxRatio, of: 'winners' },
    { id: 'youth', attribute: 'youth', op: 'min', measure: 'share', bound: settings.youthMinRatio, of: 'winners' },
    ...settings.selection.constraints,
  ];
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Whole years at refDate ('YYYY-MM-DD'); a birthday on refDate counts (born 1978-05-30, ref 2023-05-30 → 45).
 * Someone born on 29 February has their birthday on 1 March in a common year (they are not a year older on 28
 * February). A date that is not 'YYYY-MM-DD' gives NaN (never youth, never in an age band).
 */
export function ageOn(birthDate: string, refDate: string): number {
  const b = DATE.exec(birthDate);
  const r = DATE.exec(refDate);
  if (!b || !r) return NaN;
  const [by, bm, bd] = [Number(b[1]), Number(b[2]), Number(b[3])];
  const [ry, rm, rd] = [Number(r[1]), Number(r[2]), Number(r[3])];
  let age = ry - by;
  if (rm < bm || (rm === bm && rd < bd)) age -= 1;
  return age;
}

/**
 * Youth = age ≤ youthAgeLimit: "45岁以下" includes 45 itself. Chinese official usage counts the number in "以下"
 * (民法典 第1259条：“民法所称的‘以上’‘以下’‘以内’‘届满’，包括本数”), and the 科协's age lines read the same way
 * ("45周岁以下" = not yet 46 on the reference date). Everything (checker, solver, balance report, the organizer's
 * pages) asks this one function; the checker derives youth from `age`, not from `flags.youth`.
 */
export function isYouth(age: number, youthAgeLimit: number): boolean {
  return Number.isFinite(age) && age <= youthAgeLimit;
}

/** "15%", "12.5%", "33.3%": a share as a percentage with at most one decimal. */
export function percent(share: number): string {
  return `${String(Number((share * 100).toFixed(1)))}%`;
}

/** Does the candidate count for the constraint's attribute (and value)? */
export function hasAttribute(
  c: SelectionCandidate,
  constraint: Pick<SelectionConstraint, 'attribute'>,
  value: string | undefined,
  youthAgeLimit: number,
): boolean {
  switch (constraint.attribute) {
    case 'youth':
      return isYouth(c.age, youthAgeLimit);
    case 'academician':
    case 'frontline':
      return c.flags[constraint.attribute] === true;
    default:
      return (c.values[constraint.attribute] ?? '') === value;
  }
}

/** "院士", "45岁以下", "性别为女", "推荐领域“农业”" (one value of an `each` constraint), with "全国推荐：" for nationals. */
export function subjectLabel(c: SelectionConstraint, value: string | undefined, youthAgeLimit: number): string {
  const name = attributeLabel(c.attribute, youthAgeLimit);
  const prefix = c.of === 'nationals' ? '全国推荐：' : '';
  if (value === undefined) return prefix + name;
  return prefix + (c.each ? `${name}“${value}”` : `${name}为${value}`);
}

const opWord = (op: 'min' | 'max') => (op === 'min' ? '至少' : '至多');
const opSign = (op: 'min' | 'max') => (op === 'min' ? '≥' : '≤');

/**
 * "院士 ≤ 10%", "45岁以下 ≥ 20%", "每个推荐领域至少1人", "每个推荐单位至多2人", "性别为女 至少3人",
 * "全国推荐：院士 ≤ 10%"; the constraint's own label when it has one.
 */
export function describeConstraint(c: SelectionConstraint, youthAgeLimit: number): string {
  if (c.label) return c.label;
  const prefix = c.of === 'nationals' ? '全国推荐：' : '';
  const amount = c.measure === 'share' ? ` ${opSign(c.op)} ${percent(c.bound)}` : `${opWord(c.op)}${c.bound}人`;
  if (c.each) {
    const name = attributeLabel(c.attribute, youthAgeLimit);
    return `${prefix}每个${name}${amount}`;
  }
  return `${subjectLabel(c, c.value, youthAgeLimit)}${c.measure === 'share' ? amount : ` ${amount}`}`;
}

/** The integer limit of a bound on a list of `size`: max share b allows ⌊b·size⌋, min share b needs ⌈b·size⌉. */
export function countLimit(c: Pick<SelectionConstraint, 'op' | 'measure' | 'bound'>, size: number): number {
  if (c.measure === 'count') return c.bound;
  return c.op === 'max' ? Math.floor(c.bound * size + 1e-9) : Math.ceil(c.bound * size - 1e-9);
}

/**
 * One linear row of a constraint: the candidates it counts (indices into the pool), on which list, and the integer
 * limit. A constraint with `each` gives one row per value found among the pool, in the pool's order of first
 * appearance; a value constraint whose value nobody has still gives a row (with no members).
 */
export interface ConstraintRow {
  constraint: SelectionConstraint;
  /** for value attributes: the value counted */
  value?: string;
  list: SelectionList;
  op: 'min' | 'max';
  /** the list's required size (settings.winners or nationalRecommendees) */
  size: number;
  /** at most / at least this many */
  limit: number;
  /** indices into the candidates */
  members: number[];
}

export function constraintRows(
  candidates: SelectionCandidate[],
  constraints: SelectionConstraint[],
  sizes: { winners: number; nationals: number },
  youthAgeLimit: number,
): ConstraintRow[] {
  const rows: ConstraintRow[] = [];
  for (const c of constraints) {
    const size = c.of === 'winners' ? sizes.winners : sizes.nationals;
    const limit = countLimit(c, size);
    let values: (string | undefined)[];
    if (c.attribute === 'academician' || c.attribute === 'youth' || c.attribute === 'frontline') values = [undefined];
    else if (c.each) {
      const attribute = c.attribute;
      values = [...new Set(candidates.map((x) => x.values[attribute] ?? ''))];
    } else values = [c.value ?? ''];
    for (const value of values) {
      const members: number[] = [];
      candidates.forEach((x, i) => {
        if (hasAttribute(x, c, value, youthAgeLimit)) members.push(i);
      });
      rows.push({ constraint: c, value, list: c.of, op: c.op, size, limit, members });
    }
  }
  return rows;
}
