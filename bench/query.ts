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
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import inspector from 'node:inspector';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { loadConfig } from '../server/config';
import { buildApp } from '../server/app';
import { openPlatform, type Platform } from '../server/services';
import { hashPassword } from '../server/auth/passwords';
import { querySql, startCeiling, type QueryParams, type Viewer } from './ceiling';
import { generate, INSTITUTIONS, ORGANIZER_USERNAME, UNIT_USERNAME } from './data';
import type { CycleSpec, FixedRequest, LoadResult, LoadSpec } from './load';

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} should be a positive integer, not "${raw}"`);
  return n;
}

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

const secondsSince = (t: number) => ((performance.now() - t) / 1000).toFixed(1);
const loadAverage = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

// ---------------------------------------------------------------------------------------------------
// The load generator child process

class LoadGenerator {
  private child: ChildProcess;
  private seq = 0;
  private pending = new Map<number, { resolve: (r: LoadResult) => void; reject: (e: Error) => void }>();

  constructor() {
    // fork keeps tsx's loader (execArgv), so the child runs load.ts directly
    this.child = fork(fileURLToPath(new URL('./load.ts', import.meta.url)));
    this.child.on('message', (m: { id: number; result?: LoadResult; error?: string }) => {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.result) p?.resolve(m.result);
      else p?.reject(new Error(m.error));
    });
    this.child.on('exit', (code) => {
      for (const p of this.pending.values()) p.reject(new Error(`load generator exited (${code})`));
      this.pending.clear();
    });
  }

  run(spec: LoadSpec): Promise<LoadResult> {
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ id, spec });
    });
  }

  close() {
    if (this.child.connected) this.child.disconnect();
  }
}

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

function cookieFrom(res: Response, name: string): string {
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(';');
    const eq = pair!.indexOf('=');
    if (pair!.slice(0, eq).trim() === name) return pair!.slice(eq + 1);
  }
  throw new Error(`no ${name} cookie in the reply of ${res.url}`);
}

async function login(baseUrl: string, username: string): Promise<Session> {
  const me = await fetch(`${baseUrl}/api/auth/me`);
  const before = { csrf: cookieFrom(me, 'csrf'), secret: cookieFrom(me, 'csrf_secret') };
  const res = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: `csrf=${before.csrf}; csrf_secret=${before.secret}`, 'x-csrf-token': before.csrf },
    body: JSON.stringify({ username, password: PASSWORD, captcha: CAPTCHA }),
  });
  if (!res.ok) throw new Error(`login of ${username} failed: ${res.status} ${await res.text()}`);
  // log-in hands out a new CSRF secret and a token bound to the new session (docs/SECURITY.md)
  const [sid, csrf, secret] = [cookieFrom(res, 'sid'), cookieFrom(res, 'csrf'), cookieFrom(res, 'csrf_secret')];
  const { user } = (await res.json()) as { user: { id: string; unit: { id: string } | null } };
  return { username, userId: user.id, unitId: user.unit?.id ?? null, cookie: `csrf=${csrf}; csrf_secret=${secret}; sid=${sid}`, csrf };
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

/** Display width: CJK and full-width characters take two columns. */
const width = (s: string) => [...s].reduce((n, ch) => n + (/[\u2E80-\uFFEF]/.test(ch) ? 2 : 1), 0);
const pad = (s: string, w: number, right = false) => (right ? ' '.repeat(Math.max(0, w - width(s))) + s : s + ' '.repeat(Math.max(0, w - width(s))));

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => width(r[i] ?? ''))));
  const line = (r: string[]) => r.map((c, i) => pad(c, widths[i]!, i > 0)).join(' | ');
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.slice(1).map(line)].join('\n');
}

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
 * autocannon stops at the deadline with requests still in flight, and the server finishes them; wait
 * until the bench database has no other busy backend, so one run's tail does not load the next.
 */
async function untilIdle(db: pg.Pool, dbName: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { rows } = await db.query<{ busy: number }>(
      `select count(*)::int as busy from pg_stat_activity where datname = $1 and backend_type = 'client backend' and pid <> pg_backend_pid() and state <> 'idle'`,
      [dbName],
    );
    if (rows[0]!.busy === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
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

/** BENCH_PROFILE: a CPU profile of this process (the platform's server runs in it) while one run lasts. */
async function startProfile() {
  const session = new inspector.Session();
  session.connect();
  const post = <T>(method: string, params?: object) =>
    new Promise<T>((resolve, reject) => session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res as T))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 100 });
  await post('Profiler.start');
  return {
    async stop(file: string) {
      const { profile } = await post<{ profile: object }>('Profiler.stop');
      session.disconnect();
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, JSON.stringify(profile));
      return file;
    },
  };
}

// ---------------------------------------------------------------------------------------------------

async function main() {
  const started = performance.now();
  const dbName = `bench_${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}`;
  const dbUrl = new URL(settings.serverUrl);
  dbUrl.pathname = `/${dbName}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xjkx-bench-'));

  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  const cleanup = async () => {
    while (cleanups.length) await Promise.resolve(cleanups.pop()!()).catch((err: unknown) => console.error('cleanup:', err));
  };
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));

  try {
    const admin = new pg.Client({ connectionString: settings.serverUrl });
    await admin.connect();
    const { rows: versionRows } = await admin.query<{ server_version: string }>('show server_version');
    await admin.query(`create database ${dbName}`);
    await admin.end();
    cleanups.push(async () => {
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (settings.keep) return console.log(`\nkept database ${dbName} (BENCH_KEEP=1): ${dbUrl.toString()}`);
      const c = new pg.Client({ connectionString: settings.serverUrl });
      await c.connect();
      await c.query(`drop database if exists ${dbName} with (force)`);
      await c.end();
    });
    console.log(
      `bench:query — ${os.cpus().length} cores, Node ${process.version}, PostgreSQL ${versionRows[0]!.server_version}; ` +
        `${settings.connections} connections, ${settings.duration} s per run after a ${settings.warmup} s warm-up; database ${dbName}; ` +
        `load average ${loadAverage()} (other work on the machine skews every figure)`,
    );

    let t = performance.now();
    const config = loadConfig({
      ...process.env,
      DATABASE_URL: dbUrl.toString(),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      CAPTCHA_TEST_ANSWER: CAPTCHA,
      RATE_LIMIT_LOGIN: '100000',
    });
    const platform: Platform = await openPlatform(config);
    cleanups.push(() => platform.close());
    console.log(`platform opened (migrations applied) in ${secondsSince(t)} s`);

    t = performance.now();
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

    const app: FastifyInstance = await buildApp(platform.services);
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
