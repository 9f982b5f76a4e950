import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { planAssignments, planWholeGroups, reassign, shortfall } from './planner';
import type { Assignment, PlanCandidate, PlanExpert, PlanInput, PlanSuccess } from './planner';
import { pairKey } from './recusal';

const people = (prefix: string, count: number, names?: string[]) => Array.from({ length: count }, (_, i) => ({ id: `${prefix}${i + 1}`, name: names?.[i] }));
const forbid = (...pairs: [string, string][]) => new Set(pairs.map(([e, c]) => pairKey(e, c)));

function ok(result: ReturnType<typeof planAssignments>): PlanSuccess {
  if (!result.ok) throw new Error(`expected a plan, got: ${result.reason}`);
  return result;
}

/** What every plan must satisfy, checked from the assignments alone. */
function expectValid(input: PlanInput, plan: PlanSuccess) {
  const forbidden = input.forbidden ?? { has: () => false };
  const keys = plan.assignments.map((a) => pairKey(a.expertId, a.candidateId));
  expect(new Set(keys).size).toBe(keys.length); // no pair twice
  for (const a of plan.assignments) {
    expect(forbidden.has(pairKey(a.expertId, a.candidateId))).toBe(false);
  }
  const keptLoad = new Map<string, number>();
  for (const a of input.keep ?? []) {
    if (forbidden.has(pairKey(a.expertId, a.candidateId))) continue;
    expect(keys).toContain(pairKey(a.expertId, a.candidateId)); // kept pairs are kept
  }
  for (const key of new Set((input.keep ?? []).map((a) => pairKey(a.expertId, a.candidateId)))) {
    if (forbidden.has(key)) continue;
    const e = key.split('\u001f')[0]!;
    keptLoad.set(e, (keptLoad.get(e) ?? 0) + 1);
  }
  for (const c of input.candidates) {
    const coverage = plan.assignments.filter((a) => a.candidateId === c.id).length;
    expect(coverage).toBe(plan.coverageByCandidate[c.id]);
    expect(coverage).toBeGreaterThanOrEqual(input.k);
  }
  for (const e of input.experts) {
    const load = plan.assignments.filter((a) => a.expertId === e.id).length;
    expect(load).toBe(plan.loadByExpert[e.id]);
    expect(load).toBeLessThanOrEqual(Math.max(input.L, keptLoad.get(e.id) ?? 0));
    if ((keptLoad.get(e.id) ?? 0) >= input.L) expect(plan.added.some((a) => a.expertId === e.id)).toBe(false);
  }
  if (input.sameGroup) {
    const group = new Map([...input.candidates, ...input.experts].map((x) => [x.id, x.group]));
    for (const a of plan.added) {
      const [gc, ge] = [group.get(a.candidateId), group.get(a.expertId)];
      expect(gc == null || ge == null || gc === ge).toBe(true);
    }
  }
  expect(plan.added.length + new Set(keys.filter((k) => (input.keep ?? []).some((a) => pairKey(a.expertId, a.candidateId) === k))).size).toBe(
    plan.assignments.length,
  );
}

/**
 * Brute force: every way of giving each candidate exactly the reviews it still needs (more are never needed: dropping
 * one keeps a plan valid). Returns null when none exists, else the least possible maximum load and Σ load².
 */
function bruteForce(input: PlanInput): { maxLoad: number; squares: number } | null {
  const { candidates, experts, k, L } = input;
  const forbidden = input.forbidden ?? { has: () => false };
  const kept = new Set<string>();
  for (const a of input.keep ?? []) if (!forbidden.has(pairKey(a.expertId, a.candidateId))) kept.add(pairKey(a.expertId, a.candidateId));
  const load = experts.map((e) => candidates.filter((c) => kept.has(pairKey(e.id, c.id))).length);
  const room = load.map((x) => Math.max(0, L - x));
  const used = experts.map(() => 0);
  let best: { maxLoad: number; squares: number } | null = null;
  const choose = (ci: number) => {
    if (ci === candidates.length) {
      const total = load.map((x, e) => x + used[e]!);
      const maxLoad = total.length ? Math.max(...total) : 0;
      const squares = total.reduce((s, x) => s + x * x, 0);
      // The two minima are taken separately: the planner must reach both with one plan.
      best = best ? { maxLoad: Math.min(best.maxLoad, maxLoad), squares: Math.min(best.squares, squares) } : { maxLoad, squares };
      return;
    }
    const c = candidates[ci]!;
    const have = experts.filter((e) => kept.has(pairKey(e.id, c.id))).length;
    const need = Math.max(0, k - have);
    const allowed = experts
      .map((e, i) => ({ e, i }))
      .filter(({ e }) => !kept.has(pairKey(e.id, c.id)) && !forbidden.has(pairKey(e.id, c.id)))
      .filter(({ e }) => !input.sameGroup || c.group == null || e.group == null || c.group === e.group)
      .map(({ i }) => i);
    const pick = (from: number, left: number) => {
      if (left === 0) return choose(ci + 1);
      for (let j = from; j <= allowed.length - left; j++) {
        const e = allowed[j]!;
        if (used[e]! >= room[e]!) continue;
        used[e]!++;
        pick(j + 1, left - 1);
        used[e]!--;
      }
    };
    pick(0, need);
  };
  choose(0);
  return best;
}

const instance = fc
  .record({ n: fc.integer({ min: 0, max: 5 }), m: fc.integer({ min: 0, max: 4 }) })
  .chain(({ n, m }) =>
    fc.record({
      candidates: fc.tuple(...Array.from({ length: n }, (_, i) => fc.constantFrom('A', 'B', null).map((group) => ({ id: `c${i}`, group })))),
      experts: fc.tuple(...Array.from({ length: m }, (_, i) => fc.constantFrom('A', 'B', null).map((group) => ({ id: `e${i}`, group })))),
      forbidden: fc.array(fc.tuple(fc.nat(m - 1 < 0 ? 0 : m - 1), fc.nat(n - 1 < 0 ? 0 : n - 1)), { maxLength: n * m }),
      keep: fc.array(fc.tuple(fc.nat(m - 1 < 0 ? 0 : m - 1), fc.nat(n - 1 < 0 ? 0 : n - 1)), { maxLength: n * m > 0 ? 4 : 0 }),
      k: fc.integer({ min: 0, max: 3 }),
      L: fc.integer({ min: 0, max: 4 }),
      sameGroup: fc.boolean(),
      seed: fc.nat(),
    }),
  )
  .map((x): PlanInput => ({
    candidates: x.candidates as PlanCandidate[],
    experts: x.experts as PlanExpert[],
    forbidden: new Set(x.experts.length && x.candidates.length ? x.forbidden.map(([e, c]) => pairKey(`e${e}`, `c${c}`)) : []),
    keep: x.experts.length && x.candidates.length ? x.keep.map(([e, c]) => ({ expertId: `e${e}`, candidateId: `c${c}` })) : [],
    k: x.k,
    L: x.L,
    sameGroup: x.sameGroup,
    seed: x.seed,
  }));

describe('planAssignments: properties', () => {
  it('finds a plan exactly when one exists (brute force), valid, with the least maximum load and the least Σ load²', () => {
    fc.assert(
      fc.property(instance, (input) => {
        const result = planAssignments(input);
        const best = bruteForce(input);
        if (best === null) {
          expect(result.ok).toBe(false);
          if (!result.ok) expect(result.reason.length).toBeGreaterThan(0);
          return;
        }
        const plan = ok(result);
        expectValid(input, plan);
        const loads = Object.values(plan.loadByExpert);
        expect(plan.maxLoad).toBe(best.maxLoad);
        expect(loads.reduce((s, x) => s + x * x, 0)).toBe(best.squares);
      }),
      { numRuns: 600 },
    );
  });

  it('when it refuses and suggests an L, that L works and L − 1 does not', () => {
    fc.assert(
      fc.property(instance, (input) => {
        const result = planAssignments(input);
        if (result.ok || result.suggestedL === undefined) return;
        expect(result.suggestedL).toBeGreaterThan(input.L);
        expectValid({ ...input, L: result.suggestedL }, ok(planAssignments({ ...input, L: result.suggestedL })));
        expect(planAssignments({ ...input, L: result.suggestedL - 1 }).ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('is deterministic: the same input and seed give the same plan', () => {
    fc.assert(
      fc.property(instance, (input) => {
        expect(planAssignments(input)).toEqual(planAssignments(input));
      }),
      { numRuns: 100 },
    );
  });

  it('stays valid on larger random instances', () => {
    const larger = fc
      .record({ n: fc.integer({ min: 1, max: 40 }), m: fc.integer({ min: 1, max: 12 }), k: fc.integer({ min: 1, max: 4 }), seed: fc.nat() })
      .chain((x) =>
        fc.record({
          x: fc.constant(x),
          slack: fc.integer({ min: 0, max: 4 }),
          forbidden: fc.array(fc.tuple(fc.nat(x.m - 1), fc.nat(x.n - 1)), { maxLength: x.n }),
        }),
      );
    fc.assert(
      fc.property(larger, ({ x, slack, forbidden }) => {
        const input: PlanInput = {
          candidates: people('c', x.n),
          experts: people('e', x.m),
          forbidden: new Set(forbidden.map(([e, c]) => pairKey(`e${e + 1}`, `c${c + 1}`))),
          k: x.k,
          L: Math.ceil((x.n * x.k) / x.m) + slack,
          seed: x.seed,
        };
        const result = planAssignments(input);
        if (result.ok) {
          expectValid(input, result);
          expect(result.maxLoad - result.minLoad).toBeLessThanOrEqual(forbidden.length === 0 ? 1 : input.L);
        } else {
          expect(result.problems.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('planAssignments: examples', () => {
  it('spreads the load evenly when nothing is recused: loads differ by at most one', () => {
    const plan = ok(planAssignments({ candidates: people('c', 10), experts: people('e', 4), k: 3, L: 10 }));
    expect(plan.assignments).toHaveLength(30);
    expect(Object.values(plan.loadByExpert).sort()).toEqual([7, 7, 8, 8]);
    expect(plan.maxLoad).toBe(8);
    expect(plan.minLoad).toBe(7);
    expect(Object.values(plan.coverageByCandidate)).toEqual(Array(10).fill(3));
  });

  it('avoids recused pairs and still balances around them', () => {
    const forbidden = forbid(['e1', 'c1'], ['e1', 'c2']);
    const input = { candidates: people('c', 4), experts: people('e', 3), forbidden, k: 2, L: 3 };
    const plan = ok(planAssignments(input));
    expectValid(input, plan);
    // c1 and c2 can only go to e2 and e3; the 8 reviews then spread 2 (e1: c3, c4), 3, 3.
    expect(plan.assignments.filter((a) => a.candidateId === 'c1').map((a) => a.expertId)).toEqual(['e2', 'e3']);
    expect(plan.loadByExpert).toEqual({ e1: 2, e2: 3, e3: 3 });
  });

  it('refuses when the total capacity is short, with both numbers and the L that would do', () => {
    const result = planAssignments({ candidates: people('c', 10), experts: people('e', 3), k: 3, L: 5 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      { kind: 'capacity', need: 30, capacity: 15, text: '需要至少30份评审（10位候选人×每人至少3份），专家最多可承担15份（3位专家×每人最多5份）' },
    ]);
    expect(result.suggestedL).toBe(10);
    expect(result.reason).toBe('需要至少30份评审（10位候选人×每人至少3份），专家最多可承担15份（3位专家×每人最多5份）。将每位专家最多评审数提高到10份即可满足');
  });

  it('names a candidate with fewer than k experts free of 回避 (no L would help, so none is suggested)', () => {
    const candidates = [
      { id: 'c1', name: '张三' },
      { id: 'c2', name: '李四' },
    ];
    const forbidden = forbid(['e1', 'c1'], ['e2', 'c1']);
    const result = planAssignments({ candidates, experts: people('e', 4), forbidden, k: 3, L: 10 });
    expect(result).toEqual({
      ok: false,
      reason: '候选人「张三」只有2位无需回避的专家，少于每人至少3份',
      problems: [{ kind: 'candidate', candidateId: 'c1', eligible: 2, text: '候选人「张三」只有2位无需回避的专家，少于每人至少3份' }],
    });
  });

  it('says so when there are fewer experts than k', () => {
    const result = planAssignments({ candidates: [{ id: 'c1', name: '王五' }], experts: people('e', 2), k: 3, L: 5 });
    expect(!result.ok && result.reason).toBe('候选人「王五」只有2位无需回避的专家，少于每人至少3份');
  });

  it('explains a bottleneck: enough capacity in total, but the experts the candidates may have are full', () => {
    // c1–c3 may only have e1 and e2 (e3, e4 recused): they need 3×2 = 6 reviews, e1 and e2 give at most 2×2 = 4.
    // The total (4×2 = 8 ≥ 6) and each candidate's count (2 ≥ k) pass; Hall's condition fails.
    const candidates = [
      { id: 'c1', name: '甲' },
      { id: 'c2', name: '乙' },
      { id: 'c3', name: '丙' },
    ];
    const experts = [
      { id: 'e1', name: '专家一' },
      { id: 'e2', name: '专家二' },
      { id: 'e3', name: '专家三' },
      { id: 'e4', name: '专家四' },
    ];
    const forbidden = forbid(...candidates.flatMap((c) => [['e3', c.id] as [string, string], ['e4', c.id] as [string, string]]));
    const result = planAssignments({ candidates, experts, forbidden, k: 2, L: 2 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toHaveLength(1);
    const p = result.problems[0]!;
    expect(p.kind).toBe('bottleneck');
    if (p.kind !== 'bottleneck') return;
    expect(p.missing).toBe(2);
    expect(p.expertIds).toEqual(['e1', 'e2']);
    expect(p.candidateIds.length).toBeGreaterThan(0);
    expect(p.text).toMatch(
      /^无法同时满足每位候选人至少2份、每位专家最多2份：候选人(「[甲乙丙]」)+还差2份评审，而能为他们调配的2位专家「专家一」「专家二」都已达到2份的上限，其余专家须回避$/,
    );
    expect(result.suggestedL).toBe(3);
    expect(result.reason).toBe(`${p.text}。将每位专家最多评审数提高到3份即可满足`);
  });

  it('with sameGroup, a grouped candidate goes only to its group’s experts (and ungrouped experts)', () => {
    const candidates = [
      { id: 'c1', group: '人民生命健康' },
      { id: 'c2', group: '人民生命健康' },
      { id: 'c3', group: '前沿领域和基础研究' },
      { id: 'c4', group: null },
    ];
    const experts = [
      { id: 'e1', group: '人民生命健康' },
      { id: 'e2', group: '前沿领域和基础研究' },
      { id: 'e3', group: null },
      { id: 'e4', group: '前沿领域和基础研究' },
    ];
    const input = { candidates, experts, k: 2, L: 3, sameGroup: true };
    const plan = ok(planAssignments(input));
    expectValid(input, plan);
    for (const c of ['c1', 'c2']) {
      expect(plan.assignments.filter((a) => a.candidateId === c).map((a) => a.expertId)).toEqual(['e1', 'e3']);
    }
    const refused = planAssignments({ ...input, k: 3 });
    expect(!refused.ok && refused.reason).toContain('只有2位无需回避的本组专家');
  });

  it('handles the trivial cases: no candidates, k = 0, no experts', () => {
    expect(ok(planAssignments({ candidates: [], experts: people('e', 2), k: 3, L: 0 })).assignments).toEqual([]);
    expect(ok(planAssignments({ candidates: people('c', 3), experts: [], k: 0, L: 0 })).coverageByCandidate).toEqual({ c1: 0, c2: 0, c3: 0 });
    expect(planAssignments({ candidates: people('c', 1), experts: [], k: 1, L: 5 }).ok).toBe(false);
  });

  it('throws on programming errors', () => {
    expect(() => planAssignments({ candidates: people('c', 1), experts: people('e', 1), k: -1, L: 1 })).toThrow(RangeError);
    expect(() => planAssignments({ candidates: people('c', 1), experts: people('e', 1), k: 1, L: 1.5 })).toThrow(RangeError);
    expect(() => planAssignments({ candidates: [{ id: 'c' }, { id: 'c' }], experts: [], k: 0, L: 0 })).toThrow('duplicate candidate id c');
    expect(() => planAssignments({ candidates: people('c', 1), experts: people('e', 1), k: 1, L: 1, keep: [{ expertId: 'x', candidateId: 'c1' }] })).toThrow(
      'unknown expert x',
    );
  });

  it('plans the campaign size (300 candidates, 30 experts, k = 5, L = 50, some 回避) at once, tight and connected', () => {
    const candidates = people('c', 300);
    const experts = people('e', 30);
    // 5% of pairs recused, chosen by a fixed rule.
    const forbidden = new Set<string>();
    for (let c = 1; c <= 300; c++) for (let e = 1; e <= 30; e++) if ((c * 31 + e * 17) % 20 === 0) forbidden.add(pairKey(`e${e}`, `c${c}`));
    const started = performance.now();
    const plan = ok(planAssignments({ candidates, experts, forbidden, k: 5, L: 50 }));
    const ms = performance.now() - started;
    expectValid({ candidates, experts, forbidden, k: 5, L: 50 }, plan);
    expect(plan.maxLoad).toBe(50);
    expect(plan.minLoad).toBe(50);
    expect(plan.components).toBe(1); // the seeded order mixes the design: every candidate is comparable
    expect(ms).toBeLessThan(5000);
  });
});

describe('reassign and shortfall: after a declared 回避', () => {
  const candidates = [
    { id: 'c1', name: '张三' },
    { id: 'c2', name: '李四' },
    { id: 'c3', name: '王五' },
  ];
  const experts = people('e', 4);

  it('lists the candidates below k once recused pairs are taken out, then tops them up without moving the rest', () => {
    const first = ok(planAssignments({ candidates, experts, k: 2, L: 2 }));
    const victim = first.assignments.find((a) => a.candidateId === 'c2')!;
    const recusals = forbid([victim.expertId, 'c2']);

    expect(shortfall(first.assignments, recusals, 2)).toEqual([
      { candidateId: 'c2', coverage: 1, missing: 1, text: '候选人「c2」现有1份有效评审（1位专家回避），少于每人至少2份，还差1份' },
    ]);
    expect(shortfall(first.assignments, recusals, 2, candidates).map((s) => s.text)).toEqual([
      '候选人「李四」现有1份有效评审（1位专家回避），少于每人至少2份，还差1份',
    ]);

    const again = ok(reassign({ candidates, experts, assignments: first.assignments, forbidden: recusals, k: 2, L: 2 }));
    expect(again.dropped).toEqual([victim]);
    expect(again.added).toHaveLength(1);
    expect(again.added[0]!.candidateId).toBe('c2');
    expect(again.added[0]!.expertId).not.toBe(victim.expertId);
    const unchanged = first.assignments.filter((a) => a !== victim);
    for (const a of unchanged) expect(again.assignments).toContainEqual(a);
    expect(again.assignments).toHaveLength(6);
    expect(shortfall(again.assignments, recusals, 2, candidates)).toEqual([]);
  });

  it('refuses to top up beyond L, and says so', () => {
    // Everyone at L = 2 except the recused expert's freed place: c2 cannot go back to its recused expert.
    const full = [
      { expertId: 'e1', candidateId: 'c1' },
      { expertId: 'e2', candidateId: 'c1' },
      { expertId: 'e1', candidateId: 'c2' },
      { expertId: 'e2', candidateId: 'c2' },
    ];
    const result = reassign({ candidates: candidates.slice(0, 2), experts: people('e', 2), assignments: full, forbidden: forbid(['e1', 'c2']), k: 2, L: 2 });
    expect(!result.ok && result.reason).toBe('候选人「李四」只有1位无需回避的专家，少于每人至少2份');
  });

  it('leaves experts already above L with what they have and gives them nothing new', () => {
    const keep = [
      { expertId: 'e1', candidateId: 'c1' },
      { expertId: 'e1', candidateId: 'c2' },
      { expertId: 'e1', candidateId: 'c3' },
    ];
    const input = { candidates, experts, keep, k: 2, L: 2 };
    const plan = ok(planAssignments(input));
    expectValid(input, plan);
    expect(plan.loadByExpert.e1).toBe(3);
    expect(plan.added.every((a) => a.expertId !== 'e1')).toBe(true);
  });

  it('counts duplicate assignments once and lists candidates without any when asked', () => {
    const assignments = [
      { expertId: 'e1', candidateId: 'c1' },
      { expertId: 'e1', candidateId: 'c1' },
    ];
    expect(shortfall(assignments, new Set(), 2, candidates).map((s) => [s.candidateId, s.coverage, s.missing])).toEqual([
      ['c1', 1, 1],
      ['c2', 0, 2],
      ['c3', 0, 2],
    ]);
    expect(shortfall(assignments, new Set(), 1)).toEqual([]);
  });
});

describe('planWholeGroups', () => {
  it('gives each group’s experts every candidate of the group except recused pairs, and reports those below k', () => {
    const candidates = [
      { id: 'c1', name: '张三', group: 'A' },
      { id: 'c2', name: '李四', group: 'A' },
      { id: 'c3', name: '王五', group: 'B' },
      { id: 'c4', name: '赵六', group: 'C' },
      { id: 'c5', name: '钱七' },
    ];
    const experts = [{ id: 'e1', group: 'A' }, { id: 'e2', group: 'A' }, { id: 'e3', group: 'A' }, { id: 'e4', group: 'B' }, { id: 'e5' }];
    const plan = planWholeGroups({ candidates, experts, forbidden: forbid(['e2', 'c2']), k: 3 });
    expect(plan.assignments).toEqual<Assignment[]>([
      { expertId: 'e1', candidateId: 'c1' },
      { expertId: 'e2', candidateId: 'c1' },
      { expertId: 'e3', candidateId: 'c1' },
      { expertId: 'e1', candidateId: 'c2' },
      { expertId: 'e3', candidateId: 'c2' },
      { expertId: 'e4', candidateId: 'c3' },
    ]);
    expect(plan.loadByExpert).toEqual({ e1: 2, e2: 1, e3: 2, e4: 1, e5: 0 });
    expect(plan.coverageByCandidate).toEqual({ c1: 3, c2: 2, c3: 1, c4: 0, c5: 0 });
    expect(plan.belowK.map((s) => s.text)).toEqual([
      '候选人「李四」评审组「A」的3位专家中1位回避，只有2份评审，少于每人至少3份，还差1份',
      '候选人「王五」评审组「B」只有1位专家，少于每人至少3份，还差2份',
      '候选人「赵六」评审组「C」没有专家，少于每人至少3份，还差3份',
      '候选人「钱七」未分入评审组，少于每人至少3份，还差3份',
    ]);
  });
});
