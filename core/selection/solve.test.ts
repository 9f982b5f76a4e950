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

// ---- the issue's examples ----

function person(i: number, a: { age?: number; academician?: boolean; gender?: string; frontline?: boolean; unit?: string } = {}): SelectionCandidate {
  return {
    id: `a${i}`,
    name: `候选人${i}`,
    merit: i,
    age: a.age ?? 50,
    flags: { academician: a.academician ?? false, youth: false, frontline: a.frontline ?? false },
    values: { field: '工业', region: '乌鲁木齐市', unitType: '高校', unit: a.unit ?? `单位${i}`, gender: a.gender ?? '男', ethnicity: '汉族' },
  };
}

const NOTICE: SelectionConstraint[] = [
  { id: 'academician', attribute: 'academician', op: 'max', measure: 'share', bound: 0.1, of: 'winners' },
  { id: 'youth', attribute: 'youth', op: 'min', measure: 'share', bound: 0.2, of: 'winners' },
];

/** 25 candidates ranked 1–25: 院士 at 1, 5 and 19 (张三); youth at 2, 3, 7 and 23 (李四, 38), the rest 50. */
function issueExample(): SelectionSetup {
  const candidates = Array.from({ length: 25 }, (_, k) => {
    const i = k + 1;
    return person(i, { academician: [1, 5, 19].includes(i), age: [2, 3, 7].includes(i) ? 40 : i === 23 ? 38 : 50 });
  });
  candidates[18]!.name = '张三';
  candidates[22]!.name = '李四';
  return { candidates, constraints: NOTICE, sizes: { winners: 20, nationals: 10 }, nationalsWithinWinners: true, youthAgeLimit: 45 };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => `a${from + k}`);

describe('proposeSelection: explanations', () => {
  it('explains each difference from plain merit order in the issue’s words', () => {
    const p = proposeSelection(issueExample());
    expect(p.feasible).toBe(true);
    if (!p.feasible) return;
    expect(p.winners).toEqual([...range(1, 18), 'a20', 'a23']);
    expect(p.nationals).toEqual(range(1, 10));
    expect(p.explanations).toEqual(['张三（第19名，院士）未入选：院士将为3/20，超过10%', '李四（第23名，38岁）入选：45岁以下需至少4人']);
    expect(p.objective).toBe(171 + 20 + 23); // 1 + … + 18 = 171
    expect(checkSelection(issueExample(), p).ok).toBe(true);
  });

  it('has no explanations when plain merit order already meets every constraint', () => {
    const s = issueExample();
    s.candidates[18]!.flags.academician = false;
    s.candidates[3]!.age = 30;
    const p = proposeSelection(s);
    expect(p).toMatchObject({ feasible: true, winners: range(1, 20), explanations: [] });
  });

  it('explains a national recommendee chosen for a nationals constraint', () => {
    const s = issueExample();
    s.constraints = [...NOTICE, { id: 'nat-women', attribute: 'gender', value: '女', op: 'min', measure: 'count', bound: 1, of: 'nationals' }];
    s.candidates[14]!.values.gender = '女';
    const p = proposeSelection(s);
    expect(p.feasible && p.nationals).toEqual([...range(1, 9), 'a15']);
    expect(p.feasible && p.explanations.slice(2)).toEqual([
      '候选人10（第10名）未推荐为全国人选：全国推荐人选中性别为女需至少1人，名额让给了候选人15',
      '候选人15（第15名，女）推荐为全国人选：全国推荐人选中性别为女需至少1人',
    ]);
  });
});

describe('proposeSelection: a nationals minimum reaches into the winners', () => {
  it('takes a winner for the nationals’ sake and says so on both lists', () => {
    const candidates = Array.from({ length: 24 }, (_, k) => person(k + 1, { gender: k + 1 === 22 ? '女' : '男' }));
    const constraints: SelectionConstraint[] = [{ id: 'nat-women', attribute: 'gender', value: '女', op: 'min', measure: 'count', bound: 1, of: 'nationals' }];
    const setup: SelectionSetup = { candidates, constraints, sizes: { winners: 20, nationals: 10 }, nationalsWithinWinners: true, youthAgeLimit: 45 };
    const p = proposeSelection(setup);
    expect(p.feasible && p.winners).toEqual([...range(1, 19), 'a22']);
    expect(p.feasible && p.nationals).toEqual([...range(1, 9), 'a22']);
    expect(p.feasible && p.explanations).toEqual([
      '候选人20（第20名）未入选：全国推荐人选中性别为女需至少1人，名额让给了候选人22',
      '候选人22（第22名，女）入选：全国推荐人选中性别为女需至少1人',
      '候选人10（第10名）未推荐为全国人选：全国推荐人选中性别为女需至少1人，名额让给了候选人22',
      '候选人22（第22名，女）推荐为全国人选：全国推荐人选中性别为女需至少1人',
    ]);
  });
});

describe('proposeSelection: when the constraints cannot be met', () => {
  it('names a constraint that cannot be met even alone, and by how much', () => {
    const s = issueExample();
    s.candidates[22]!.age = 50; // 李四 no longer young: 3 youth in the pool, 4 needed
    const p = proposeSelection(s);
    expect(p).toEqual({ feasible: false, reasons: ['候选人中45岁以下仅3人，无法满足至少4人'] });
  });

  it('counts the excluded apart', () => {
    const p = proposeSelection(issueExample(), { exclude: ['a23'] });
    expect(p).toEqual({ feasible: false, reasons: ['候选人中45岁以下仅3人（另有1人已排除），无法满足至少4人'] });
  });

  it('a maximum the pool cannot fill, and fixed choices beyond a maximum', () => {
    const s = issueExample();
    s.candidates = s.candidates.slice(0, 21); // 21 candidates, 3 院士 (1, 5, 19): 18 others + 2 院士 = 20 would do
    s.candidates[1]!.flags.academician = true;
    s.candidates[2]!.flags.academician = true; // now 5 院士 among 21: 16 others + 2 < 20
    s.candidates[20]!.age = 30; // 4 youth (2, 3, 7, 21), so that only the 院士 fail
    expect(proposeSelection(s)).toEqual({ feasible: false, reasons: ['除院士外候选人仅16人，院士至多2人，选不满最终评选人数20人'] });
    expect(proposeSelection(issueExample(), { include: ['a1', 'a5', 'a19'] })).toEqual({
      feasible: false,
      reasons: ['已确定入选的人中院士已有3人，超过至多2人'],
    });
  });

  it('says which constraints conflict when each alone can be met', () => {
    // 22 candidates for 20 places: 4 院士 (all 基层一线), 15 others 基层一线, 3 others not. 院士 ≤ 2 alone: 18 others ≥ 18 ✓.
    // 基层一线 ≥ 18 alone: 19 ✓. Together: at most 2 + 15 = 17 基层一线.
    const candidates = Array.from({ length: 22 }, (_, k) => person(k + 1, { academician: k < 4, frontline: k < 19 }));
    const constraints: SelectionConstraint[] = [
      NOTICE[0]!,
      { id: 'frontline', attribute: 'frontline', op: 'min', measure: 'count', bound: 18, of: 'winners' },
      { id: 'women', attribute: 'gender', value: '女', op: 'max', measure: 'count', bound: 3, of: 'winners' },
    ];
    const p = proposeSelection({ candidates, constraints, sizes: { winners: 20, nationals: 0 }, nationalsWithinWinners: true, youthAgeLimit: 45 });
    expect(p).toEqual({
      feasible: false,
      reasons: ['约束“院士 ≤ 10%”与“基层一线 至少18人”无法同时满足（单独满足其中任意一条都可以；放宽其中一条即可）'],
    });
  });

  it('an each-minimum with more values than places', () => {
    const candidates = Array.from({ length: 8 }, (_, k) => ({ ...person(k + 1), values: { ...person(k + 1).values, field: `领域${k % 6}` } }));
    const constraints: SelectionConstraint[] = [{ id: 'field', attribute: 'field', each: true, op: 'min', measure: 'count', bound: 1, of: 'winners' }];
    const p = proposeSelection({ candidates, constraints, sizes: { winners: 5, nationals: 0 }, nationalsWithinWinners: true, youthAgeLimit: 45 });
    expect(p).toEqual({ feasible: false, reasons: ['“每个推荐领域至少1人”：候选人涉及6个推荐领域，共需至少6人，超过最终评选人数5人'] });
  });

  it('too few candidates', () => {
    const s = issueExample();
    expect(proposeSelection({ ...s, candidates: s.candidates.slice(0, 19) })).toEqual({ feasible: false, reasons: ['候选人仅19人，不足最终评选人数20人'] });
  });
});

describe('proposeSelection: fixed choices', () => {
  it('an objection removing a winner: the replacement keeps the others and every constraint', () => {
    const s = issueExample();
    const first = proposeSelection(s);
    if (!first.feasible) throw new Error('the example is feasible');
    // 候选人7 (young) is removed: the others stay, and the replacement must be young (4 needed): 李四 is already in,
    // so the next youth is … none left; make 候选人24 young so that there is one.
    s.candidates[23]!.age = 41;
    const others = first.winners.filter((id) => id !== 'a7');
    const again = proposeSelection(s, { include: others, exclude: ['a7'] });
    expect(again.feasible).toBe(true);
    if (!again.feasible) return;
    expect(new Set(again.winners)).toEqual(new Set([...others, 'a24']));
    expect(again.nationals).not.toContain('a7');
    expect(checkSelection(s, again).ok).toBe(true);
    expect(again.explanations).toContain('候选人7（第7名）未入选：已排除');
    expect(again.explanations).toContain('候选人24（第24名，41岁）入选：45岁以下需至少4人');
  });

  it('an included candidate outside merit order says so', () => {
    const p = proposeSelection(issueExample(), { include: ['a25'] });
    expect(p.feasible && p.winners).toContain('a25');
    expect(p.feasible && p.explanations).toContain('候选人25（第25名）入选：已确定入选');
  });
});
