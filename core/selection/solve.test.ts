import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkSelection, type SelectionSetup } from './check';
import { constraintRows, type ConstraintRow } from './constraints';
import { proposeSelection, type FixedChoice } from './solve';
import type { SelectionCandidate, SelectionConstraint } from './types';

// ---- brute force: the same definition of "the best set", by enumeration ----

/** The set's merits, sorted: of two sets of the same size, the lexicographically smaller one is better. */
const key = (setup: SelectionSetup, ids: Iterable<number>) => [...ids].map((i) => setup.candidates[i]!.merit).sort((a, b) => a - b);

function compare(a: number[], b: number[]): number {
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return a[k]! - b[k]!;
  return 0;
}

function* subsets(items: number[], size: number, from = 0, acc: number[] = []): Generator<number[]> {
  if (acc.length === size) {
    yield acc;
    return;
  }
  for (let k = from; k <= items.length - (size - acc.length); k++) {
    acc.push(items[k]!);
    yield* subsets(items, size, k + 1, acc);
    acc.pop();
  }
}

const holds = (rows: ConstraintRow[], chosen: Set<number>) =>
  rows.every((r) => {
    const count = r.members.reduce((k, i) => k + (chosen.has(i) ? 1 : 0), 0);
    return r.op === 'max' ? count <= r.limit : count >= r.limit;
  });

/** The optimum (winners' key, nationals' key) by enumeration, or null when nothing meets every constraint. */
function bruteForce(setup: SelectionSetup, fixed: FixedChoice): { winners: number[]; nationals: number[] } | null {
  const { candidates, sizes } = setup;
  const rows = constraintRows(candidates, setup.constraints, sizes, setup.youthAgeLimit);
  const wRows = rows.filter((r) => r.list === 'winners');
  const nRows = rows.filter((r) => r.list === 'nationals');
  const excluded = new Set(fixed.exclude ?? []);
  const included = (fixed.include ?? []).map((id) => candidates.findIndex((c) => c.id === id));
  const avail = candidates.flatMap((c, i) => (excluded.has(c.id) ? [] : [i]));
  const bestNationals = (pool: number[]): number[] | null => {
    let best: number[] | null = null;
    for (const s of subsets(pool, sizes.nationals)) {
      if (!holds(nRows, new Set(s))) continue;
      const k = key(setup, s);
      if (!best || compare(k, best) < 0) best = k;
    }
    return best;
  };
  const independent = setup.nationalsWithinWinners ? null : bestNationals(avail);
  if (!setup.nationalsWithinWinners && !independent) return null;
  let best: { winners: number[]; nationals: number[] } | null = null;
  for (const s of subsets(avail, sizes.winners)) {
    const set = new Set(s);
    if (!included.every((i) => set.has(i)) || !holds(wRows, set)) continue;
    const w = key(setup, s);
    if (best && compare(w, best.winners) > 0) continue;
    const n = independent ?? bestNationals([...s]);
    if (!n) continue;
    if (!best || compare(w, best.winners) < 0 || compare(n, best.nationals) < 0) best = { winners: w, nationals: n };
  }
  return best;
}

const binomial = (n: number, k: number) => {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
};

// ---- generated instances ----

const FIELDS = ['农业', '工业', '医疗', '教育'];
const UNITS = ['甲单位', '乙单位', '丙单位', '丁单位', '戊单位', '己单位'];

const candidateArb = (i: number, tiedMerits: boolean) =>
  fc
    .record({
      merit: tiedMerits ? fc.integer({ min: 1, max: 6 }) : fc.constant(i + 1),
      age: fc.integer({ min: 30, max: 60 }),
      academician: fc.constantFrom(false, false, true),
      frontline: fc.boolean(),
      field: fc.constantFrom(...FIELDS),
      unit: fc.constantFrom(...UNITS),
      gender: fc.constantFrom('男', '男', '女'),
    })
    .map((a): SelectionCandidate => ({
      id: `c${i}`,
      name: `候选人${i}`,
      merit: a.merit,
      age: a.age,
      flags: { academician: a.academician, youth: false, frontline: a.frontline },
      values: { field: a.field, region: '乌鲁木齐市', unitType: '高校', unit: a.unit, gender: a.gender, ethnicity: '汉族' },
    }));

const constraintArb: fc.Arbitrary<Omit<SelectionConstraint, 'id'>> = fc.oneof(
  fc.record({
    attribute: fc.constantFrom('academician' as const, 'youth' as const, 'frontline' as const),
    op: fc.constantFrom('min' as const, 'max' as const),
    measure: fc.constant('share' as const),
    bound: fc.constantFrom(0.1, 0.2, 0.25, 0.3, 0.5),
    of: fc.constantFrom('winners' as const, 'winners' as const, 'nationals' as const),
  }),
  fc.record({
    attribute: fc.constantFrom('academician' as const, 'youth' as const, 'frontline' as const),
    op: fc.constantFrom('min' as const, 'max' as const),
    measure: fc.constant('count' as const),
    bound: fc.integer({ min: 0, max: 4 }),
    of: fc.constantFrom('winners' as const, 'nationals' as const),
  }),
  fc.record({
    attribute: fc.constant('gender' as const),
    value: fc.constant('女'),
    op: fc.constantFrom('min' as const, 'max' as const),
    measure: fc.constantFrom('count' as const),
    bound: fc.integer({ min: 0, max: 3 }),
    of: fc.constantFrom('winners' as const, 'nationals' as const),
  }),
  fc
    .record({
      attribute: fc.constantFrom('field' as const, 'unit' as const),
      each: fc.constant(true),
      op: fc.constantFrom('min' as const, 'max' as const),
      measure: fc.constantFrom('count' as const, 'share' as const),
      bound: fc.constantFrom(1, 2, 0.3, 0.5),
      of: fc.constantFrom('winners' as const, 'nationals' as const),
    })
    .map((c) => (c.measure === 'count' ? { ...c, bound: Math.round(c.bound) || 1 } : { ...c, bound: c.bound > 1 ? 0.5 : c.bound })),
);

interface Instance {
  setup: SelectionSetup;
  fixed: FixedChoice;
}

const instanceArb: fc.Arbitrary<Instance> = fc
  .record({
    n: fc.integer({ min: 3, max: 24 }),
    tied: fc.boolean(),
    within: fc.constantFrom(true, true, false), // mostly as the notice: nationals from the winners
  })
  .chain(({ n, tied, within }) =>
    fc
      .record({
        candidates: fc.tuple(...Array.from({ length: n }, (_, i) => candidateArb(i, tied))),
        winners: fc.integer({ min: 1, max: Math.min(n, 8) }),
        nationalShare: fc.constantFrom(0, 0.3, 0.5, 1),
        constraints: fc.array(constraintArb, { minLength: 0, maxLength: 4 }),
        include: fc.subarray(
          Array.from({ length: n }, (_, i) => `c${i}`),
          { maxLength: 2 },
        ),
        exclude: fc.subarray(
          Array.from({ length: n }, (_, i) => `c${i}`),
          { maxLength: 2 },
        ),
        useFixed: fc.boolean(),
      })
      .map(({ candidates, winners, nationalShare, constraints, include, exclude, useFixed }): Instance => {
        const nationals = Math.floor(winners * nationalShare);
        const fixed: FixedChoice = useFixed ? { include: include.filter((id) => !exclude.includes(id)), exclude } : {};
        return {
          setup: {
            candidates,
            constraints: constraints.map((c, k) => ({ ...c, id: `k${k}` })),
            sizes: { winners, nationals },
            nationalsWithinWinners: within,
            youthAgeLimit: 45,
          },
          fixed,
        };
      }),
  )
  .filter(({ setup: { candidates, sizes, nationalsWithinWinners } }) => {
    const n = candidates.length;
    const inner = nationalsWithinWinners ? binomial(sizes.winners, sizes.nationals) : 1;
    return binomial(n, sizes.winners) * inner <= 60_000 && (nationalsWithinWinners || binomial(n, sizes.nationals) <= 60_000);
  });

describe('proposeSelection against brute force', () => {
  it('finds the same optimum, meets every constraint and the fixed choices, on generated instances (n ≤ 24)', () => {
    let feasible = 0;
    let infeasible = 0;
    fc.assert(
      fc.property(instanceArb, ({ setup, fixed }) => {
        const expected = bruteForce(setup, fixed);
        const got = proposeSelection(setup, fixed);
        if (!expected) {
          expect(got.feasible).toBe(false);
          if (!got.feasible) expect(got.reasons.length).toBeGreaterThan(0);
          infeasible += 1;
          return;
        }
        expect(got.feasible, JSON.stringify(got)).toBe(true);
        if (!got.feasible) return;
        const index = new Map(setup.candidates.map((c, i) => [c.id, i]));
        const ids = (xs: string[]) => xs.map((id) => index.get(id)!);
        expect(key(setup, ids(got.winners))).toEqual(expected.winners);
        expect(key(setup, ids(got.nationals))).toEqual(expected.nationals);
        expect(got.objective).toBe(expected.winners.reduce((s, m) => s + m, 0));
        const check = checkSelection(setup, got);
        expect(check.ok, JSON.stringify([...check.lines, ...check.sizeLines].filter((l) => !l.ok))).toBe(true);
        for (const id of fixed.include ?? []) expect(got.winners).toContain(id);
        for (const id of fixed.exclude ?? []) expect([...got.winners, ...got.nationals]).not.toContain(id);
        feasible += 1;
      }),
      { numRuns: 500, seed: 20261130 },
    );
    // the property ran on at least 200 instances with an optimum to compare, and on some without one
    expect(feasible).toBeGreaterThanOrEqual(200);
    expect(infeasible).toBeGreaterThanOrEqual(20);
  });
});
