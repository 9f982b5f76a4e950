// The solver against an independent exact method beyond brute force's reach (n = 30–70): HiGHS (WebAssembly, MIT, a
// devDependency) asked the plain greedy question for each candidate in merit order, "can they be taken, with every
// decision so far?", which for distinct merits is the definition of the lexicographic optimum. No shared solver code,
// no shortcuts: only the rows (constraintRows, whose arithmetic check.test.ts pins down) are shared.
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import loadHighs from 'highs';
import type { SelectionSetup } from './check';
import { constraintRows } from './constraints';
import { proposeSelection, type FixedChoice } from './solve';
import type { SelectionCandidate, SelectionConstraint } from './types';

let highs: Awaited<ReturnType<typeof loadHighs>>;
beforeAll(async () => {
  highs = await loadHighs();
});

function feasible(setup: SelectionSetup, fixedX: Map<number, number>, fixedY: Map<number, number>): boolean {
  const { candidates, sizes } = setup;
  const n = candidates.length;
  const terms = (vs: string[]) => (vs.length ? vs.join(' + ') : '0 x0');
  const lines: string[] = ['Minimize', ` obj: ${terms(candidates.map((_, i) => `x${i}`))}`, 'Subject To'];
  lines.push(` w: ${terms(candidates.map((_, i) => `x${i}`))} = ${sizes.winners}`);
  lines.push(` m: ${terms(candidates.map((_, i) => `y${i}`))} = ${sizes.nationals}`);
  if (setup.nationalsWithinWinners) for (let i = 0; i < n; i++) lines.push(` l${i}: y${i} - x${i} <= 0`);
  constraintRows(candidates, setup.constraints, sizes, setup.youthAgeLimit).forEach((r, k) => {
    const v = r.list === 'winners' ? 'x' : 'y';
    lines.push(` r${k}: ${terms(r.members.map((i) => `${v}${i}`))} ${r.op === 'max' ? '<=' : '>='} ${r.limit}`);
  });
  lines.push('Bounds');
  for (const [i, v] of fixedX) lines.push(` x${i} = ${v}`);
  for (const [i, v] of fixedY) lines.push(` y${i} = ${v}`);
  lines.push('Binary', ...candidates.flatMap((_, i) => [` x${i}`, ` y${i}`]), 'End');
  const result = highs.solve(lines.join('\n'), { output_flag: false });
  if (result.Status === 'Optimal') return true;
  if (result.Status === 'Infeasible') return false;
  throw new Error(`HiGHS: ${result.Status}`);
}

/** The greedy by merit (distinct merits), decided one candidate at a time by HiGHS. */
function greedy(setup: SelectionSetup, fixed: FixedChoice): { winners: number[]; nationals: number[] } | null {
  const { candidates, sizes } = setup;
  const order = candidates.map((_, i) => i).sort((a, b) => candidates[a]!.merit - candidates[b]!.merit);
  const index = new Map(candidates.map((c, i) => [c.id, i]));
  const fx = new Map<number, number>();
  const fy = new Map<number, number>();
  for (const id of fixed.exclude ?? []) {
    fx.set(index.get(id)!, 0);
    fy.set(index.get(id)!, 0);
  }
  for (const id of fixed.include ?? []) fx.set(index.get(id)!, 1);
  if (!feasible(setup, fx, fy)) return null;
  for (const list of ['winners', 'nationals'] as const) {
    const f = list === 'winners' ? fx : fy;
    const size = list === 'winners' ? sizes.winners : sizes.nationals;
    for (const i of order) {
      if (f.has(i)) continue;
      const taken = [...f.values()].filter((v) => v === 1).length;
      const tryX = list === 'winners' ? new Map([...fx, [i, 1]]) : fx;
      const tryY = list === 'nationals' ? new Map([...fy, [i, 1]]) : fy;
      f.set(i, taken < size && feasible(setup, tryX, tryY) ? 1 : 0);
    }
  }
  const chosen = (f: Map<number, number>) => [...f].filter(([, v]) => v === 1).map(([i]) => i);
  return { winners: chosen(fx).sort((a, b) => a - b), nationals: chosen(fy).sort((a, b) => a - b) };
}

const FIELDS = ['农业', '工业', '医疗', '教育', '能源'];

const instanceArb = fc
  .record({ n: fc.integer({ min: 30, max: 70 }), winners: fc.integer({ min: 8, max: 25 }), within: fc.boolean() })
  .chain(({ n, winners, within }) =>
    fc.record({
      n: fc.constant(n),
      winners: fc.constant(winners),
      within: fc.constant(within),
      nationals: fc.integer({ min: 0, max: Math.floor(winners / 2) }),
      people: fc.array(
        fc.record({
          age: fc.integer({ min: 30, max: 62 }),
          academician: fc.constantFrom(false, false, false, true),
          frontline: fc.constantFrom(false, false, true),
          field: fc.constantFrom(...FIELDS),
          unit: fc.integer({ min: 0, max: Math.floor(n / 4) }),
          woman: fc.constantFrom(false, false, true),
        }),
        { minLength: n, maxLength: n },
      ),
      women: fc.integer({ min: 0, max: 5 }),
      frontline: fc.integer({ min: 0, max: 6 }),
      unitCap: fc.integer({ min: 2, max: 3 }),
      nationalWomen: fc.integer({ min: 0, max: 2 }),
      exclude: fc.subarray([0, 1, 2, 3, 4, 5], { maxLength: 2 }),
    }),
  )
  .map((g): { setup: SelectionSetup; fixed: FixedChoice } => {
    const candidates: SelectionCandidate[] = g.people.map((p, i) => ({
      id: `c${i}`,
      name: `候选人${i + 1}`,
      merit: i + 1,
      age: p.age,
      flags: { academician: p.academician, youth: false, frontline: p.frontline },
      values: { field: p.field, region: '乌鲁木齐市', unitType: '高校', unit: `单位${p.unit}`, gender: p.woman ? '女' : '男', ethnicity: '汉族' },
    }));
    const constraints: SelectionConstraint[] = [
      { id: 'academician', attribute: 'academician', op: 'max', measure: 'share', bound: 0.1, of: 'winners' },
      { id: 'youth', attribute: 'youth', op: 'min', measure: 'share', bound: 0.2, of: 'winners' },
      { id: 'field', attribute: 'field', each: true, op: 'min', measure: 'count', bound: 1, of: 'winners' },
      { id: 'unit', attribute: 'unit', each: true, op: 'max', measure: 'count', bound: g.unitCap, of: 'winners' },
      { id: 'women', attribute: 'gender', value: '女', op: 'min', measure: 'count', bound: g.women, of: 'winners' },
      { id: 'frontline', attribute: 'frontline', op: 'min', measure: 'count', bound: g.frontline, of: 'winners' },
      { id: 'nat-women', attribute: 'gender', value: '女', op: 'min', measure: 'count', bound: g.nationalWomen, of: 'nationals' },
    ];
    return {
      setup: { candidates, constraints, sizes: { winners: g.winners, nationals: g.nationals }, nationalsWithinWinners: g.within, youthAgeLimit: 45 },
      fixed: { exclude: g.exclude.map((i) => `c${i}`) },
    };
  });

describe('proposeSelection against HiGHS (n = 30–70)', () => {
  it('chooses exactly the winners and nationals of the greedy by merit decided by HiGHS', { timeout: 120_000 }, () => {
    let compared = 0;
    fc.assert(
      fc.property(instanceArb, ({ setup, fixed }) => {
        const expected = greedy(setup, fixed);
        const got = proposeSelection(setup, fixed);
        if (!expected) {
          expect(got.feasible).toBe(false);
          return;
        }
        expect(got.feasible).toBe(true);
        if (!got.feasible) return;
        const index = (ids: string[]) => ids.map((id) => Number(id.slice(1))).sort((a, b) => a - b);
        expect(index(got.winners)).toEqual(expected.winners);
        expect(index(got.nationals)).toEqual(expected.nationals);
        compared += 1;
      }),
      { numRuns: 25, seed: 14 },
    );
    expect(compared).toBeGreaterThanOrEqual(15);
  });
});
