import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { expertStats, fitAdditive, fitAdditiveIterative, populationStd, rankBy, rankingFigures, round2, trimmedMean, zScore } from './ranking';
import type { RankingSheet, SheetTotal } from './ranking';
import { defaultRubric, sheetTotal } from './rubric';

const rubric = defaultRubric();

/** A sheet of the default rubric whose total is `total`: the points go to 业绩突出 first, then 事迹感人, then 典型性. */
function sheet(expertId: string, candidateId: string, total: number, political = true): RankingSheet {
  const achievement = Math.min(50, total);
  const story = Math.min(30, Math.round((total - achievement) * 10) / 10);
  const typical = Math.round((total - achievement - story) * 10) / 10;
  return { expertId, candidateId, scores: { achievement, story, typical }, gates: { political } };
}

const figures = (sheets: RankingSheet[], ids?: string[]) => new Map(rankingFigures(rubric, sheets, ids).map((f) => [f.candidateId, f]));

describe('mean and trimmed mean', () => {
  it('with 4 sheets the trimmed mean is the plain mean', () => {
    // 80 + 90 + 70 + 60 = 300; 300 / 4 = 75. Fewer than 5 sheets: nothing dropped, 75.
    const f = figures(['e1', 'e2', 'e3', 'e4'].map((e, i) => sheet(e, 'A', [80, 90, 70, 60][i]!))).get('A')!;
    expect(f.sheets).toBe(4);
    expect(f.mean).toBe(75);
    expect(f.trimmedMean).toBe(75);
  });

  it('with 5 sheets it drops one highest and one lowest', () => {
    // 95 + 90 + 70 + 60 + 58 = 373; mean 373 / 5 = 74.6. Trimmed: drop 95 and 58: (373 − 95 − 58) / 3 = 220 / 3 = 73.333…
    const f = figures(['e1', 'e2', 'e3', 'e4', 'e5'].map((e, i) => sheet(e, 'A', [95, 90, 70, 60, 58][i]!))).get('A')!;
    expect(f.mean).toBeCloseTo(74.6, 12);
    expect(f.trimmedMean).toBeCloseTo(220 / 3, 12);
    expect(round2(f.trimmedMean!)).toBe(73.33);
  });

  it('drops only one of equal highest (or lowest) totals, and keeps dropping one each with more sheets', () => {
    // 90, 90, 80, 70, 70: drop one 90 and one 70: (90 + 80 + 70) / 3 = 80.
    expect(trimmedMean([90, 90, 80, 70, 70])).toBe(80);
    // 6 sheets: 10 + 20 + 30 + 40 + 50 + 100 = 250; drop 100 and 10: 140 / 4 = 35.
    expect(trimmedMean([10, 20, 30, 40, 50, 100])).toBe(35);
    expect(trimmedMean([])).toBeNull();
    expect(trimmedMean([42])).toBe(42);
  });
});

describe('spread, criterion means and the gate', () => {
  it('gives the population standard deviation and max − min of the totals', () => {
    // 80, 90, 70, 60: mean 75; deviations 5, 15, −5, −15; squares 25 + 225 + 25 + 225 = 500; 500 / 4 = 125; √125 = 11.1803…
    const f = figures(['e1', 'e2', 'e3', 'e4'].map((e, i) => sheet(e, 'A', [80, 90, 70, 60][i]!))).get('A')!;
    expect(f.std).toBeCloseTo(Math.sqrt(125), 12);
    expect(f.range).toBe(30);
    expect(populationStd([50])).toBe(0);
    expect(populationStd([])).toBeNull();
  });

  it('averages each score criterion over the sheets that filled it', () => {
    const sheets: RankingSheet[] = [
      { expertId: 'e1', candidateId: 'A', scores: { achievement: 45, story: 25, typical: 15 }, gates: { political: true } },
      { expertId: 'e2', candidateId: 'A', scores: { achievement: 40.5, story: 28, typical: null }, gates: { political: true } },
    ];
    // 业绩突出 (45 + 40.5) / 2 = 42.75; 事迹感人 (25 + 28) / 2 = 26.5; 典型性 only one sheet: 15.
    expect(figures(sheets).get('A')!.criterionMeans).toEqual({ achievement: 42.75, story: 26.5, typical: 15 });
    // Totals 85 and 68.5 (the blank counts 0): mean 76.75.
    expect(figures(sheets).get('A')!.mean).toBe(76.75);
  });

  it('marks a candidate any of whose sheets answers 政治过硬 = 否, and counts those sheets', () => {
    const sheets = [sheet('e1', 'A', 90), sheet('e2', 'A', 85, false), sheet('e3', 'A', 88), sheet('e1', 'B', 70)];
    const f = figures(sheets);
    expect(f.get('A')).toMatchObject({ gateFailures: 1, gateFailuresByKey: { political: 1 }, gateFailed: true });
    expect(f.get('B')).toMatchObject({ gateFailures: 0, gateFailuresByKey: { political: 0 }, gateFailed: false });
    // Marked, not moved: A still ranks first on its mean (90 + 85 + 88) / 3 = 87.67 against B's 70.
    expect(rankBy([...f.values()], 'mean').map((r) => [r.candidateId, r.rankLabel, r.gateFailed])).toEqual([
      ['A', '第1', true],
      ['B', '第2', false],
    ]);
  });

  it('lists candidates without sheets with null figures, in the order asked, and ignores the others', () => {
    const rows = rankingFigures(rubric, [sheet('e1', 'A', 80), sheet('e1', 'Z', 10)], ['B', 'A']);
    expect(rows.map((r) => r.candidateId)).toEqual(['B', 'A']);
    expect(rows[0]).toEqual({
      candidateId: 'B',
      sheets: 0,
      mean: null,
      trimmedMean: null,
      zMean: null,
      additive: null,
      component: null,
      criterionMeans: { achievement: null, story: null, typical: null },
      std: null,
      range: null,
      gateFailures: 0,
      gateFailuresByKey: { political: 0 },
      gateFailed: false,
    });
  });

  it('refuses two sheets of one expert on one candidate', () => {
    expect(() => rankingFigures(rubric, [sheet('e1', 'A', 80), sheet('e1', 'A', 70)])).toThrow(RangeError);
  });
});

describe('z-scores: a harsh and a lenient expert count alike', () => {
  // H is harsh and scores A and B; G is lenient and scores C and D.
  //   H: A 70, B 50 → μ = 60, σ = √((10² + 10²) / 2) = 10 → z(A) = +1, z(B) = −1
  //   G: C 90, D 80 → μ = 85, σ = √((5² + 5²) / 2) = 5  → z(C) = +1, z(D) = −1
  // The means rank C 90, D 80, A 70, B 50: G's leniency puts both of G's candidates first. The z-scores put A and C
  // (each their expert's favourite) level at +1, and B and D level at −1.
  const sheets = [sheet('H', 'A', 70), sheet('H', 'B', 50), sheet('G', 'C', 90), sheet('G', 'D', 80)];

  it('computes each expert’s mean and population σ, and the z of each sheet', () => {
    const stats = expertStats(sheets.map((s) => ({ expertId: s.expertId, candidateId: s.candidateId, total: sheetTotal(rubric, s) })));
    expect(stats.get('H')).toEqual({ count: 2, mean: 60, std: 10 });
    expect(stats.get('G')).toEqual({ count: 2, mean: 85, std: 5 });
    expect(zScore(70, stats.get('H')!)).toBe(1);
    expect(zScore(80, stats.get('G')!)).toBe(-1);
  });

  it('ranks by the mean of z-scores with ties, where the means would favour the lenient expert', () => {
    const f = [...figures(sheets).values()];
    expect(rankBy(f, 'mean').map((r) => `${r.candidateId}:${r.rankLabel}`)).toEqual(['C:第1', 'D:第2', 'A:第3', 'B:第4']);
    expect(rankBy(f, 'zMean').map((r) => `${r.candidateId}:${r.rankLabel}`)).toEqual(['A:并列第1', 'C:并列第1', 'B:并列第3', 'D:并列第3']);
  });

  it('averages the z of every sheet on a candidate', () => {
    // H also scores C: H's totals are now A 70, B 50, C 60 → μ = 60, σ = √((100 + 100 + 0) / 3) = √(200/3) = 8.1650
    //   z(H, A) = 10 / 8.1650 = 1.2247, z(H, B) = −1.2247, z(H, C) = 0.
    // C: z(G, C) = +1 and z(H, C) = 0 → zMean(C) = 0.5.
    const f = figures([...sheets, sheet('H', 'C', 60)]);
    expect(f.get('A')!.zMean).toBeCloseTo(10 / Math.sqrt(200 / 3), 12);
    expect(f.get('A')!.zMean).toBeCloseTo(1.2247, 4);
    expect(f.get('C')!.zMean).toBeCloseTo(0.5, 12);
  });

  it('counts z = 0 for an expert with one sheet or the same total on every sheet (σ = 0)', () => {
    // S gives 80 and 80: σ = 0 → both z = 0. O has a single sheet: σ = 0 → z = 0. The sheet counts stay 2 and 1.
    const f = figures([sheet('S', 'A', 80), sheet('S', 'B', 80), sheet('O', 'A', 55)]);
    expect(f.get('A')).toMatchObject({ sheets: 2, zMean: 0 });
    expect(f.get('B')).toMatchObject({ sheets: 1, zMean: 0 });
  });

  it('finds σ = 0 exactly for totals with one decimal, where floating point would leave a residue', () => {
    // Three sheets of 45.7: in floating point the mean is 45.70000000000001 and σ comes out 7.1e-15, not 0, which
    // would turn the z-scores into ±1 noise. In tenths (457, 457, 457) the variance is exactly 0.
    expect(populationStd([45.7, 45.7, 45.7])).not.toBe(0);
    const totals: SheetTotal[] = ['A', 'B', 'C'].map((c) => ({ expertId: 'e', candidateId: c, total: 45.7 }));
    expect(expertStats(totals).get('e')!.std).toBe(0);
    expect(figures(['A', 'B', 'C'].map((c) => sheet('e', c, 45.7))).get('A')!.zMean).toBe(0);
  });
});

describe('the additive model t = q(candidate) + b(expert)', () => {
  it('removes a lenient expert’s offset when the design is linked (an exact fit, by hand)', () => {
    // E1 scores A 80 and B 70; E2 scores B 60 and C 50. B links them: q(B) + b1 = 70, q(B) + b2 = 60, b1 + b2 = 0
    // → b1 = +5, b2 = −5, q(B) = 65; then q(A) = 80 − 5 = 75 and q(C) = 50 + 5 = 55 (4 sheets, 4 unknowns: no residual).
    // The means (A 80, B 65, C 50) credit E1's leniency to A.
    const totals: SheetTotal[] = [
      { expertId: 'E1', candidateId: 'A', total: 80 },
      { expertId: 'E1', candidateId: 'B', total: 70 },
      { expertId: 'E2', candidateId: 'B', total: 60 },
      { expertId: 'E2', candidateId: 'C', total: 50 },
    ];
    const fit = fitAdditive(totals);
    expect(fit.offset.get('E1')).toBeCloseTo(5, 10);
    expect(fit.offset.get('E2')).toBeCloseTo(-5, 10);
    expect(fit.quality.get('A')).toBeCloseTo(75, 10);
    expect(fit.quality.get('B')).toBeCloseTo(65, 10);
    expect(fit.quality.get('C')).toBeCloseTo(55, 10);
    expect(fit.components).toBe(1);
  });

  it('recovers the qualities when three experts each score a different pair', () => {
    // True q: A 80, B 70, C 60; offsets E1 +5, E2 −5, E3 0. E1: A 85, B 75; E2: B 65, C 55; E3: A 80, C 60.
    // Means would be A 82.5, B 70, C 57.5; the model gives back 80, 70, 60 exactly.
    const totals: SheetTotal[] = [
      { expertId: 'E1', candidateId: 'A', total: 85 },
      { expertId: 'E1', candidateId: 'B', total: 75 },
      { expertId: 'E2', candidateId: 'B', total: 65 },
      { expertId: 'E2', candidateId: 'C', total: 55 },
      { expertId: 'E3', candidateId: 'A', total: 80 },
      { expertId: 'E3', candidateId: 'C', total: 60 },
    ];
    const fit = fitAdditive(totals);
    expect([...fit.quality].map(([c, q]) => [c, round2(q)])).toEqual([
      ['A', 80],
      ['B', 70],
      ['C', 60],
    ]);
    expect([...fit.offset].map(([e, b]) => [e, round2(b)])).toEqual([
      ['E1', 5],
      ['E2', -5],
      ['E3', 0],
    ]);
  });

  it('fits by least squares when the sheets disagree (a complete 2 × 2 design, by hand)', () => {
    // E1: A 80, B 60; E2: A 90, B 90. With every expert on every candidate, q is the candidate's mean (A 85, B 75)
    // and b the expert's mean minus the grand mean (E1 70 − 80 = −10, E2 90 − 80 = +10); residuals ±5.
    const fit = fitAdditive([
      { expertId: 'E1', candidateId: 'A', total: 80 },
      { expertId: 'E1', candidateId: 'B', total: 60 },
      { expertId: 'E2', candidateId: 'A', total: 90 },
      { expertId: 'E2', candidateId: 'B', total: 90 },
    ]);
    expect(fit.quality.get('A')).toBeCloseTo(85, 10);
    expect(fit.quality.get('B')).toBeCloseTo(75, 10);
    expect(fit.offset.get('E1')).toBeCloseTo(-10, 10);
  });

  it('in a disconnected design, offsets sum to 0 within each component and the component is reported', () => {
    // H–{A, B} and G–{C, D} share no expert: each component has one expert, whose offset is then 0: q = the totals.
    const f = figures([sheet('H', 'A', 70), sheet('H', 'B', 50), sheet('G', 'C', 90), sheet('G', 'D', 80)]);
    expect([...f.values()].map((r) => [r.candidateId, r.additive, r.component])).toEqual([
      ['A', 70, 0],
      ['B', 50, 0],
      ['C', 90, 1],
      ['D', 80, 1],
    ]);
  });

  const designs = fc
    .record({ experts: fc.integer({ min: 1, max: 6 }), candidates: fc.integer({ min: 1, max: 8 }) })
    .chain(({ experts, candidates }) =>
      fc.uniqueArray(fc.record({ e: fc.nat(experts - 1), c: fc.nat(candidates - 1), tenths: fc.integer({ min: 0, max: 1000 }) }), {
        selector: (s) => `${s.e}/${s.c}`,
        minLength: 1,
        maxLength: experts * candidates,
      }),
    )
    .map((list) => list.map((s): SheetTotal => ({ expertId: `e${s.e}`, candidateId: `c${s.c}`, total: s.tenths / 10 })));

  it('satisfies the normal equations: residuals sum to 0 per candidate and per expert, offsets to 0 per component (property)', () => {
    fc.assert(
      fc.property(designs, (totals) => {
        const fit = fitAdditive(totals);
        const residual = (s: SheetTotal) => s.total - fit.quality.get(s.candidateId)! - fit.offset.get(s.expertId)!;
        const sumBy = (key: (s: SheetTotal) => string, value: (s: SheetTotal) => number) => {
          const m = new Map<string, number>();
          for (const s of totals) m.set(key(s), (m.get(key(s)) ?? 0) + value(s));
          return m;
        };
        for (const v of sumBy((s) => s.candidateId, residual).values()) expect(Math.abs(v)).toBeLessThan(1e-6);
        for (const v of sumBy((s) => s.expertId, residual).values()) expect(Math.abs(v)).toBeLessThan(1e-6);
        const byComponent = new Map<number, number>();
        for (const [e, b] of fit.offset) {
          const k = fit.component.get(totals.find((s) => s.expertId === e)!.candidateId)!;
          byComponent.set(k, (byComponent.get(k) ?? 0) + b);
        }
        for (const v of byComponent.values()) expect(Math.abs(v)).toBeLessThan(1e-6);
      }),
      { numRuns: 300 },
    );
  });

  it('equals the mean when every expert scores every candidate (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 30, maxLength: 30 }),
        (m, n, t) => {
          const totals: SheetTotal[] = [];
          for (let e = 0; e < m; e++) for (let c = 0; c < n; c++) totals.push({ expertId: `e${e}`, candidateId: `c${c}`, total: t[(e * n + c) % 30]! / 10 });
          const fit = fitAdditive(totals);
          for (let c = 0; c < n; c++) {
            const mine = totals.filter((s) => s.candidateId === `c${c}`).map((s) => s.total);
            expect(fit.quality.get(`c${c}`)!).toBeCloseTo(mine.reduce((a, b) => a + b, 0) / mine.length, 8);
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('alternating means converge to the exact solution (property)', () => {
    fc.assert(
      fc.property(designs, (totals) => {
        const exact = fitAdditive(totals);
        const iterated = fitAdditiveIterative(totals, { maxSweeps: 100_000, tolerance: 1e-12 });
        expect(iterated.converged).toBe(true);
        for (const [c, q] of exact.quality) expect(Math.abs(iterated.quality.get(c)! - q)).toBeLessThan(1e-6);
        for (const [e, b] of exact.offset) expect(Math.abs(iterated.offset.get(e)! - b)).toBeLessThan(1e-6);
      }),
      { numRuns: 200 },
    );
  });

  it('is fast enough for the campaign: 300 candidates, 30 experts, 9,000 sheets', () => {
    const totals: SheetTotal[] = [];
    for (let e = 0; e < 30; e++) for (let c = 0; c < 300; c++) totals.push({ expertId: `e${e}`, candidateId: `c${c}`, total: ((e * 7 + c * 13) % 1000) / 10 });
    const started = performance.now();
    const rows = rankingFigures(
      rubric,
      totals.map((t) => sheet(t.expertId, t.candidateId, t.total)),
    );
    expect(rows).toHaveLength(300);
    expect(performance.now() - started).toBeLessThan(5000);
  });
});

describe('rankBy', () => {
  const rows = (values: (number | null)[]) => values.map((v, i) => ({ id: `r${i}`, mean: v }));

  it('uses competition ranking for ties (1, 2, 2, 4) and labels them 并列', () => {
    expect(rankBy(rows([3, 2, 2, 1]), 'mean').map((r) => [r.id, r.rank, r.tied, r.rankLabel])).toEqual([
      ['r0', 1, false, '第1'],
      ['r1', 2, true, '并列第2'],
      ['r2', 2, true, '并列第2'],
      ['r3', 4, false, '第4'],
    ]);
  });

  it('orders highest first, keeps the given order within a tie, and puts rows without a value last, unranked', () => {
    expect(rankBy(rows([70, null, 85, 90, 85, Number.NaN]), 'mean').map((r) => `${r.id}:${r.rankLabel}`)).toEqual([
      'r3:第1',
      'r2:并列第2',
      'r4:并列第2',
      'r0:第4',
      'r1:未评分',
      'r5:未评分',
    ]);
  });

  it('compares after rounding to 2 decimals, so floating-point noise and differences below 0.005 tie', () => {
    // 0.1 + 0.2 = 0.30000000000000004 ties with 0.3; 85.004 and 84.996 both round to 85.00.
    expect(rankBy(rows([0.1 + 0.2, 0.3]), 'mean').map((r) => r.rankLabel)).toEqual(['并列第1', '并列第1']);
    expect(rankBy(rows([90, 85.004, 84.996, 85, 70]), 'mean').map((r) => r.rank)).toEqual([1, 2, 2, 2, 5]);
    expect(rankBy(rows([85.006, 85.004]), 'mean').map((r) => r.tied)).toEqual([false, false]);
  });

  it('accepts a function for the figure', () => {
    expect(rankBy([{ x: { v: 1 } }, { x: { v: 2 } }], (r) => r.x.v).map((r) => [r.x.v, r.rank])).toEqual([
      [2, 1],
      [1, 2],
    ]);
  });

  it('has ranks consistent with the rounded values (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.integer({ min: -500, max: 500 }).map((x) => x / 4))), (values) => {
        const ranked = rankBy(rows(values), 'mean');
        for (const r of ranked) {
          if (r.mean === null) {
            expect(r.rank).toBeNull();
            continue;
          }
          const higher = values.filter((v) => v !== null && round2(v) > round2(r.mean!)).length;
          const same = values.filter((v) => v !== null && round2(v) === round2(r.mean!)).length;
          expect(r.rank).toBe(higher + 1);
          expect(r.rankLabel).toBe(same > 1 ? `并列第${higher + 1}` : `第${higher + 1}`);
        }
      }),
    );
  });
});

describe('round2', () => {
  it('rounds half away from zero on the decimal value, like PostgreSQL round(numeric, 2)', () => {
    // 1.005 is stored as 1.00499999999999989…: Math.round(1.005 * 100) / 100 gives 1; numeric gives 1.01.
    expect(Math.round(1.005 * 100) / 100).toBe(1);
    expect(round2(1.005)).toBe(1.01);
    expect(round2(-1.005)).toBe(-1.01);
    expect(round2(2.675)).toBe(2.68);
    expect(round2(73.3333)).toBe(73.33);
    expect(Object.is(round2(-0.001), 0)).toBe(true);
  });
});
