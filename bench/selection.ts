/**
 * `npm run bench:selection` — 按规则推荐 (core/selection proposeSelection) at n = 40, 100 and 300 candidates.
 *
 * Each n runs BENCH_SELECTION_RUNS (default 15) generated shortlists (seeded, so every run of the benchmark sees the
 * same instances) for 20 winners and 10 national recommendees (within the winners) under six constraints: 院士 ≤ 10%,
 * 45岁以下 ≥ 20%, 每个推荐领域至少1人, 每个推荐单位至多2人, 性别为女 至少5人, 基层一线 至少6人. Academicians are
 * concentrated near the top and youth near the bottom, so the quotas bind as they do in practice. A second table
 * runs the same with winners = n / 2 (a harder integer program: many places, many binding rows).
 * Prints the median and max time of a whole proposal (every integer program plus the explanations) and the number
 * of integer programs solved. Target (issue 14): under 1 s at n = 300.
 */
import { pathToFileURL } from 'node:url';
import { proposeSelection, type SelectionCandidate, type SelectionConstraint, type SelectionSetup } from '../core/selection';

const RUNS = Number(process.env.BENCH_SELECTION_RUNS ?? 15);

/** mulberry32: a small seeded generator, so the instances are the same on every run. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIELDS = ['农业', '工业', '医疗卫生', '教育', '能源', '生态环境', '信息技术', '基础研究'];
const REGIONS = ['乌鲁木齐市', '克拉玛依市', '喀什地区', '伊犁州', '阿克苏地区', '哈密市', '和田地区', '昌吉州'];
const UNIT_TYPES = ['高校', '科研院所', '企业', '医疗机构', '基层单位'];
const ETHNICITIES = ['汉族', '维吾尔族', '哈萨克族', '回族', '蒙古族'];

export function instance(n: number, seed: number, winners = 20, nationals = 10): SelectionSetup {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const units = Math.max(10, Math.round(n / 3));
  const candidates: SelectionCandidate[] = Array.from({ length: n }, (_, i) => {
    const top = 1 - i / n;
    return {
      id: `c${i}`,
      name: `候选人${i + 1}`,
      merit: i + 1,
      age: r() < 0.1 + 0.3 * (1 - top) ? 30 + Math.floor(r() * 16) : 46 + Math.floor(r() * 20),
      flags: { academician: r() < 0.25 * top, youth: false, frontline: r() < 0.3 },
      values: {
        field: pick(FIELDS),
        region: pick(REGIONS),
        unitType: pick(UNIT_TYPES),
        unit: `单位${Math.floor(r() * units)}`,
        gender: r() < 0.3 ? '女' : '男',
        ethnicity: pick(ETHNICITIES),
      },
    };
  });
  const constraints: SelectionConstraint[] = [
    { id: 'academician', attribute: 'academician', op: 'max', measure: 'share', bound: 0.1, of: 'winners' },
    { id: 'youth', attribute: 'youth', op: 'min', measure: 'share', bound: 0.2, of: 'winners' },
    { id: 'field', attribute: 'field', each: true, op: 'min', measure: 'count', bound: 1, of: 'winners' },
    { id: 'unit', attribute: 'unit', each: true, op: 'max', measure: 'count', bound: 2, of: 'winners' },
    { id: 'women', attribute: 'gender', value: '女', op: 'min', measure: 'count', bound: Math.round(winners / 4), of: 'winners' },
    { id: 'frontline', attribute: 'frontline', op: 'min', measure: 'count', bound: Math.round(winners * 0.3), of: 'winners' },
  ];
  return { candidates, constraints, sizes: { winners, nationals }, nationalsWithinWinners: true, youthAgeLimit: 45 };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

function run(label: string, sizes: (n: number) => [number, number]) {
  console.log(`\n${label}`);
  console.log('     n  winners  median ms   max ms  solves (median/max)  differences from merit order (median)');
  for (const n of [40, 100, 300]) {
    const [w, m] = sizes(n);
    const times: number[] = [];
    const solves: number[] = [];
    const diffs: number[] = [];
    for (let k = 0; k < RUNS; k++) {
      const setup = instance(n, 1000 * n + k, w, m);
      const t = performance.now();
      const p = proposeSelection(setup);
      times.push(performance.now() - t);
      if (!p.feasible) throw new Error(`instance n=${n} seed ${k} infeasible: ${p.reasons.join('；')}`);
      solves.push(Number(/（(\d+)次求解）/.exec(p.method)?.[1] ?? NaN));
      diffs.push(p.explanations.length);
    }
    console.log(
      `${String(n).padStart(6)}  ${String(w).padStart(7)}  ${median(times).toFixed(1).padStart(9)}  ${Math.max(...times)
        .toFixed(1)
        .padStart(7)}  ${`${median(solves)}/${Math.max(...solves)}`.padStart(19)}  ${median(diffs)}`,
    );
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  // A warm-up so the first timed run does not pay for the JIT.
  proposeSelection(instance(40, 1));
  run(`20 winners, 10 national recommendees; ${RUNS} instances per n`, () => [20, 10]);
  run(`winners = n / 2, nationals = n / 4; ${RUNS} instances per n`, (n) => [n / 2, n / 4]);
}
