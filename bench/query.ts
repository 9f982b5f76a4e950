/**
 * `npm run bench:query` — 查询申报表 and a workflow transition under load, beside a bare ceiling.
 *
 * 1. Creates a fresh database bench_<timestamp> on BENCH_DATABASE_URL's server and opens the real
 *    platform on it (config → openPlatform, which migrates → buildApp) on a free loopback port.
 * 2. Generates 100,000 applications across 200 units with set-based SQL (bench/data.ts), then ANALYZE.
 * 3. Logs in through the real API (captcha test answer, CSRF cookie echoed in x-csrf-token).
 * 4. For each scenario: a warm-up, then autocannon for BENCH_DURATION seconds against the platform and
 *    against the bare Fastify + pg route running the same SQL (bench/ceiling.ts); prints one table.
 * 5. For a query scenario that misses its target (or with BENCH_EXPLAIN=1), prints EXPLAIN ANALYZE.
 * The database is dropped at the end unless BENCH_KEEP=1.
 *
 * Not a test: it prints figures and exits 0 whether or not the targets are met (non-zero only if it
 * could not run or a scenario got failed responses).
 */
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { buildApp } from '../server/app';
import { hashPassword } from '../server/auth/passwords';
import { querySql, startCeiling, type QueryParams, type Viewer } from './ceiling';
import { generate, INSTITUTIONS, ORGANIZER_USERNAME, UNIT_USERNAME } from './data';
import { benchDatabase, benchPlatform, Cleanups, intEnv, loadAverage, LoadGenerator, logIn, secondsSince, startProfile, table, untilIdle } from './common';
import type { CycleSpec, FixedRequest, LoadResult, LoadSpec } from './load';

const settings = {
  serverUrl: process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test',
  duration: intEnv('BENCH_DURATION', 10),
  connections: intEnv('BENCH_CONNECTIONS', 10),
  warmup: intEnv('BENCH_WARMUP', 2),
  units: intEnv('BENCH_UNITS', 200),
  applications: intEnv('BENCH_APPLICATIONS', 100_000),
  /** how many units' accounts do the 退回/收回 at once; their submitted applications are the pool */
  transitionUnits: intEnv('BENCH_TRANSITION_UNITS', 5),
  keep: process.env.BENCH_KEEP === '1',
  explain: process.env.BENCH_EXPLAIN === '1',
  /** SQL run on the bench database after generation, e.g. a candidate index (then ANALYZE again) */
  extraSql: process.env.BENCH_EXTRA_SQL ?? '',
  /** comma-separated scenario keys to run (default: all) */
  only: process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',').map((s) => s.trim())) : null,
  /** a directory: each platform run is CPU-profiled (node:inspector) into <dir>/<scenario>.cpuprofile */
  profileDir: process.env.BENCH_PROFILE ?? '',
};

const TARGET_P99_MS = 50;
const TARGET_SHARE = 60; // % of the ceiling's requests per second
const CAPTCHA = 'x';
const PASSWORD = 'Bench#2023pass';
/** a 4+ character 工作单位 filter: one institution of the generated list */
const WORK_UNIT = INSTITUTIONS[10]!;

// ---------------------------------------------------------------------------------------------------
// The load generator child process

// ---------------------------------------------------------------------------------------------------
// Logging in through the real API

interface Session {
  username: string;
  userId: string;
  unitId: string | null;
  /** the browser's cookies: csrf, csrf_secret and sid */
  cookie: string;
  csrf: string;
}

async function login(baseUrl: string, username: string): Promise<Session> {
  const { user, cookie, csrf } = await logIn<{ id: string; unit: { id: string } | null }>(baseUrl, username, PASSWORD, CAPTCHA);
  return { username, userId: user.id, unitId: user.unit?.id ?? null, cookie, csrf };
}

// ---------------------------------------------------------------------------------------------------
// Scenarios

interface Scenario {
  key: string;
  label: string;
  real: LoadSpec['request'];
  ceiling: LoadSpec['request'];
  /** puts the data back before each run (the transitions change it) */
  reset?: () => Promise<void>;
  /** for the query scenarios: the SQL, for EXPLAIN and the same-result check */
  query?: { viewer: Viewer; q: QueryParams };
}

/** A load result and the CPU time the server process (the platform or the ceiling) spent per request. */
type Run = LoadResult & { serverCpuMs: number };

interface Measured {
  scenario: Scenario;
  real: Run;
  ceiling: Run;
}

function queryString(params: Record<string, string | number | undefined>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) u.set(k, String(v));
  return u.toString();
}

function queryScenario(key: string, label: string, session: Session, params: { workUnit?: string; sort?: QueryParams['sort'] }): Scenario {
  const viewer: Viewer = session.unitId ? { role: 'unit', unitId: session.unitId } : { role: 'organizer' };
  const q: QueryParams = { workUnit: params.workUnit, sort: params.sort ?? 'number', page: 1, pageSize: 20 };
  // the page sends every field of the form, empty ones included
  const realQuery = params.workUnit
    ? queryString({ keyword: '', workUnit: params.workUnit, sort: params.sort, page: 1, pageSize: 20 })
    : queryString({ page: 1, pageSize: 20 });
  const bareQuery = queryString({ unitId: session.unitId ?? undefined, workUnit: params.workUnit, sort: params.sort, page: 1, pageSize: 20 });
  return {
    key,
    label,
    real: { method: 'GET', path: `/api/applications?${realQuery}`, headers: { cookie: session.cookie } },
    ceiling: { method: 'GET', path: `/bare/applications?${bareQuery}`, headers: { cookie: session.cookie } },
    query: { viewer, q },
  };
}

function transitionScenario(pool: { id: string; session: Session }[], db: pg.Pool): Scenario {
  const ids = pool.map((p) => p.id);
  const cycle = (step: (p: (typeof pool)[number], action: string) => FixedRequest): CycleSpec => ({
    items: pool.map((p) => ({ steps: [step(p, 'return'), step(p, 'withdraw-return')] })),
  });
  return {
    key: 'transition',
    label: `退回 ⇄ 收回 (${pool.length} applications, ${new Set(pool.map((p) => p.session.username)).size} units)`,
    real: cycle((p, action) => ({
      method: 'POST',
      path: `/api/applications/${p.id}/transitions/${action}`,
      headers: { cookie: p.session.cookie, 'x-csrf-token': p.session.csrf },
    })),
    ceiling: cycle((p, action) => ({
      method: 'POST',
      path: `/bare/applications/${p.id}/transitions/${action}`,
      headers: { cookie: p.session.cookie },
    })),
    reset: async () => {
      await db.query(`update applications set status = 'submitted_to_unit', viewed_at = null, viewed_by = null where id = any($1::uuid[])`, [ids]);
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Reporting

const ms = (v: number) => v.toFixed(v < 10 ? 2 : 1);

const targetMet = (m: Measured) => m.real.non2xx === 0 && m.real.p99 <= TARGET_P99_MS && (m.real.rps / m.ceiling.rps) * 100 >= TARGET_SHARE;

function report(results: Measured[]): string {
  const rows = [['scenario', 'p50 ms', 'p99 ms', 'req/s', '% of ceiling', 'target met']];
  for (const { scenario, real, ceiling } of results) {
    const share = (real.rps / ceiling.rps) * 100;
    rows.push([
      scenario.label,
      ms(real.p50),
      ms(real.p99),
      real.rps.toFixed(0),
      `${Math.floor(share)}%`,
      targetMet({ scenario, real, ceiling }) ? 'yes' : 'NO',
    ]);
    rows.push(['  ceiling: bare Fastify + pg, same SQL', ms(ceiling.p50), ms(ceiling.p99), ceiling.rps.toFixed(0), '', '']);
  }
  return table(rows);
}

function describe(r: Run): string {
  const failures =
    r.non2xx + r.errors ? `, ${r.non2xx} non-2xx, ${r.errors} errors (${r.timeouts} timeouts)${r.firstFailure ? `; first: ${r.firstFailure}` : ''}` : '';
  return `${r.requests} requests in ${r.durationSeconds.toFixed(1)} s, p50 ${ms(r.p50)} ms, p99 ${ms(r.p99)} ms, max ${ms(r.max)} ms, ${r.rps.toFixed(0)} req/s, Node CPU ${r.serverCpuMs.toFixed(2)} ms/request${failures}`;
}

async function explain(db: pg.Pool, scenario: Scenario) {
  if (!scenario.query) return;
  const sql = querySql(scenario.query.viewer, scenario.query.q);
  for (const [name, stmt] of [
    ['rows', sql.rows],
    ['count', sql.count],
  ] as const) {
    if (!stmt) continue;
    const { rows } = await db.query<{ 'QUERY PLAN': string }>({ text: `explain (analyze, buffers) ${stmt.text}`, values: stmt.values });
    console.log(`\n--- EXPLAIN ANALYZE · ${scenario.label} · ${name} ---\n${stmt.text}\n-- values: ${JSON.stringify(stmt.values)}`);
    console.log(rows.map((r) => r['QUERY PLAN']).join('\n'));
  }
}

/** The ceiling must answer what the platform answers: same ids in the same order, same total. */
async function checkSameResult(realUrl: string, ceilingUrl: string, scenario: Scenario) {
  const get = async (base: string, r: LoadSpec['request']) => {
    if ('items' in r) throw new Error('not a query');
    const res = await fetch(base + r.path, { headers: r.headers as Record<string, string> });
    if (!res.ok) throw new Error(`${scenario.label}: ${res.status} ${await res.text()}`);
    return (await res.json()) as { rows: { id: string }[]; total: number };
  };
  const [a, b] = await Promise.all([get(realUrl, scenario.real), get(ceilingUrl, scenario.ceiling)]);
  const same = a.total === b.total && a.rows.map((r) => r.id).join() === b.rows.map((r) => r.id).join();
  if (!same)
    throw new Error(`${scenario.label}: the ceiling's SQL does not answer what the platform answers (total ${a.total} vs ${b.total}); fix bench/ceiling.ts`);
  return a;
}

/**
 * Statements sent to PostgreSQL per request: `pg.Client.prototype.query` is counted (every pool and
 * transaction query of Drizzle and of the ceiling goes through it) while `n` requests run one by one.
 */
async function statementsPerRequest(baseUrl: string, request: LoadSpec['request'], n = 20): Promise<number> {
  const steps = 'items' in request ? request.items[0]!.steps : [request];
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  let count = 0;
  proto.query = function (this: unknown, ...args: unknown[]) {
    count++;
    return original.apply(this, args);
  };
  try {
    for (let i = 0; i < n; i++) {
      const step = steps[i % steps.length]!; // a cycle runs whole rounds, so its item ends where it started
      const res = await fetch(baseUrl + step.path, { method: step.method, headers: step.headers as Record<string, string> });
      if (!res.ok) throw new Error(`${step.method} ${step.path}: ${res.status} ${await res.text()}`);
    }
  } finally {
    proto.query = original;
  }
  return count / n;
}

// ---------------------------------------------------------------------------------------------------

async function main() {
  const started = performance.now();
  const dbName = `bench_${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}`;
  const cleanups = new Cleanups();
  const cleanup = () => cleanups.run();
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));

  try {
    const { dbUrl, dataDir, serverVersion } = await benchDatabase(settings.serverUrl, dbName, settings.keep, cleanups);
    console.log(
      `bench:query — ${os.cpus().length} cores, Node ${process.version}, PostgreSQL ${serverVersion}; ` +
        `${settings.connections} connections, ${settings.duration} s per run after a ${settings.warmup} s warm-up; database ${dbName}; ` +
        `load average ${loadAverage()} (other work on the machine skews every figure)`,
    );

    const platform = await benchPlatform(dbUrl, dataDir, CAPTCHA, cleanups);
    let t = performance.now();
    const passwordHash = await hashPassword(PASSWORD);
    const gen = new pg.Client({ connectionString: dbUrl.toString() });
    await gen.connect();
    try {
      await generate(gen, { units: settings.units, applications: settings.applications, passwordHash });
      console.log(
        `generated ${settings.units} units and ${settings.applications} applicants and applications (with application_units, events) + VACUUM ANALYZE in ${secondsSince(t)} s`,
      );
      if (settings.extraSql) {
        t = performance.now();
        await gen.query(settings.extraSql);
        await gen.query('analyze');
        console.log(`BENCH_EXTRA_SQL applied in ${secondsSince(t)} s: ${settings.extraSql}`);
      }
    } finally {
      await gen.end();
    }

    // no background jobs: their polling would run beside the measured requests and into the recorded statements
    const app: FastifyInstance = await buildApp(platform.services, { jobRunner: false });
    cleanups.push(() => app.close());
    const realUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    // the ceiling gets a pool of the platform's size (server/db/client.ts)
    const db = new pg.Pool({ connectionString: dbUrl.toString(), max: Number(process.env.PG_POOL_MAX ?? 10) });
    cleanups.push(() => db.end());
    const ceiling = await startCeiling(db);
    cleanups.push(() => ceiling.app.close());
    const load = new LoadGenerator();
    cleanups.push(() => load.close());

    // Sessions: unit 1 for the queries, the first `transitionUnits` units for the transitions, the organizer.
    const unitSessions: Session[] = [];
    for (let n = 1; n <= Math.max(1, settings.transitionUnits); n++) unitSessions.push(await login(realUrl, UNIT_USERNAME(n)));
    const organizer = await login(realUrl, ORGANIZER_USERNAME);
    const unit = unitSessions[0]!;

    const { rows: poolRows } = await db.query<{ id: string; username: string }>(
      `select a.id, u.username from applications a join users u on u.unit_id = a.unit_id and u.role = 'unit'
        where u.username = any($1::text[]) and a.status = 'submitted_to_unit' and a.return_opinion is not null order by a.seq`,
      [unitSessions.map((s) => s.username)],
    );
    const byName = new Map(unitSessions.map((s) => [s.username, s]));
    const transitionPool = poolRows.map((r) => ({ id: r.id, session: byName.get(r.username)! }));

    const scenarios: Scenario[] = [
      queryScenario('unit-filter', `查询申报表 unit: workUnit "${WORK_UNIT}", sort transferredAt`, unit, { workUnit: WORK_UNIT, sort: 'transferredAt' }),
      queryScenario('unit-all', '查询申报表 unit: no filter, default sort', unit, {}),
      queryScenario('org-filter', `查询申报表 organizer: workUnit "${WORK_UNIT}", sort transferredAt`, organizer, {
        workUnit: WORK_UNIT,
        sort: 'transferredAt',
      }),
      queryScenario('org-all', '查询申报表 organizer: no filter, default sort', organizer, {}),
      transitionScenario(transitionPool, db),
    ].filter((s) => !settings.only || settings.only.has(s.key));

    console.log(`logged in ${unitSessions.length} unit accounts and the organizer; transition pool: ${transitionPool.length} applications\n`);
    for (const s of scenarios) {
      if (!s.query) continue;
      const page = await checkSameResult(realUrl, ceiling.url, s);
      console.log(`same result from platform and ceiling · ${s.label}: total ${page.total}, ${page.rows.length} rows`);
    }

    const measure = async (baseUrl: string, request: LoadSpec['request'], reset?: () => Promise<void>, profileAs?: string) => {
      const spec = (durationSeconds: number): LoadSpec => ({ baseUrl, connections: settings.connections, durationSeconds, request });
      await reset?.();
      await load.run(spec(settings.warmup));
      await untilIdle(db, dbName);
      await reset?.();
      const profiler = profileAs ? await startProfile() : null;
      const cpu = process.cpuUsage();
      const result = await load.run(spec(settings.duration));
      const used = process.cpuUsage(cpu);
      if (profiler && profileAs) console.log(`  CPU profile: ${await profiler.stop(path.join(settings.profileDir, `${profileAs}.cpuprofile`))}`);
      await untilIdle(db, dbName);
      return { ...result, serverCpuMs: (used.user + used.system) / 1000 / Math.max(1, result.requests) };
    };
    const results: Measured[] = [];
    for (const scenario of scenarios) {
      await scenario.reset?.();
      const [realStatements, bareStatements] = [await statementsPerRequest(realUrl, scenario.real), await statementsPerRequest(ceiling.url, scenario.ceiling)];
      console.log(`${scenario.label}\n  SQL statements per request: platform ${realStatements}, ceiling ${bareStatements}`);
      const real = await measure(realUrl, scenario.real, scenario.reset, settings.profileDir ? scenario.key : undefined);
      console.log(`  platform: ${describe(real)}`);
      const bare = await measure(ceiling.url, scenario.ceiling, scenario.reset);
      console.log(`  ceiling:  ${describe(bare)}`);
      results.push({ scenario, real, ceiling: bare });
    }
    await Promise.all(scenarios.map((s) => s.reset?.()));

    console.log(
      `\nResults (${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores, load average now ${loadAverage()}; target: p99 ≤ ${TARGET_P99_MS} ms and ≥ ${TARGET_SHARE}% of the ceiling's req/s)\n`,
    );
    console.log(report(results));

    for (const m of results) if (m.scenario.query && (settings.explain || !targetMet(m))) await explain(db, m.scenario);
    console.log(`\ndone in ${secondsSince(started)} s`);
    if (results.some((m) => m.real.non2xx || m.ceiling.non2xx)) process.exitCode = 1;
  } finally {
    await cleanup();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
