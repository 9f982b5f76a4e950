/**
 * `npm run bench:review` — 网上评选 under load (issue 13, Benchmark): an expert's 【保存】 of a score sheet, the
 * expert's list and the organizer's 网上评选结果, each beside a bare-SQL ceiling.
 *
 * 1. Creates bench_review_<pid> on BENCH_DATABASE_URL's server and opens the real platform on it (config →
 *    openPlatform, which migrates → buildApp) on a free loopback port, as bench/query.ts does.
 * 2. Seeds with set-based SQL: 300 candidates (bench/data.ts's generator: 100 units, every application
 *    submitted_to_org, then moved to online_review), 30 experts (role expert, expert_profiles), an assignment for every
 *    (expert, candidate) pair (9,000) and a sheet for every pair (9,000): submitted, scored within the default 评分标准
 *    (political gate; achievement ≤ 50, story ≤ 30, typical ≤ 20; total their sum), except the save pool (expert 1's
 *    first BENCH_REVIEW_SAVE_POOL candidates), which stays 已保存. windows.online is opened around today.
 * 3. Logs in expert 1 and the organizer through the real API.
 * 4. The ceiling runs the SAME statements the platform sends: one request of each scenario is made with
 *    pg.Client.prototype.query recorded, and the ceiling replays that list (text, parameters, Drizzle's type parsers,
 *    statement names) on one pooled client, with the application, sheet and timestamps swapped per request for the
 *    save. It is measured twice: behind a bare Fastify route (as bench:query's ceiling) and as a plain node-postgres
 *    loop with the same concurrency (no HTTP at all).
 * 5. Measures the platform and the ceiling in turn, BENCH_REVIEW_SLICES (5) slices of each, the order turned round
 *    every slice (the machine's speed drifts within a minute), and prints requests/s, p50, p99 and the ratios. Target: ≥ 80% of the ceiling's req/s and p99 ≤ 1.25× its p99.
 * 6. Then the 集中评选 meeting run (scenario key `meeting`, bench/meeting.ts: its own database, seeding and ceiling).
 * The database is dropped at the end unless BENCH_KEEP=1. Not a test: exits non-zero only if it cannot run or a run
 * gets failed responses.
 */
import os from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import pg from 'pg';
import { buildApp } from '../server/app';
import { hashPassword } from '../server/auth/passwords';
import { generate, ORGANIZER_USERNAME } from './data';
import {
  benchDatabase,
  benchPlatform,
  openStage,
  seedExperts,
  Cleanups,
  intEnv,
  loadAverage,
  LoadGenerator,
  logIn,
  record,
  secondsSince,
  startProfile,
  table,
  untilIdle,
  type Statement,
} from './common';
import { runMeeting } from './meeting';
import { mergeLoadResults, type CycleSpec, type FixedRequest, type LoadResult, type LoadSpec } from './load';

const settings = {
  serverUrl: process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test',
  duration: intEnv('BENCH_REVIEW_SECONDS', 10),
  /** the platform and its ceiling measured in turn, this many slices of each (see measurePair) */
  slices: Math.max(1, intEnv('BENCH_REVIEW_SLICES', 5)),
  warmup: intEnv('BENCH_WARMUP', 2),
  connections: intEnv('BENCH_CONNECTIONS', 10),
  candidates: intEnv('BENCH_REVIEW_CANDIDATES', 300),
  experts: intEnv('BENCH_REVIEW_EXPERTS', 30),
  savePool: intEnv('BENCH_REVIEW_SAVE_POOL', 60),
  keep: process.env.BENCH_KEEP === '1',
  /** a directory: each platform run is CPU-profiled (node:inspector) into <dir>/review-<scenario>.cpuprofile, and its ceiling run into review-<scenario>-ceiling.cpuprofile */
  profileDir: process.env.BENCH_PROFILE ?? '',
  only: process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',').map((s) => s.trim())) : null,
};

const TARGET_SHARE = 80; // % of the ceiling's requests per second
const TARGET_P99_FACTOR = 1.25; // × the ceiling's p99
const CAPTCHA = 'x';
const PASSWORD = 'Bench#2023pass';
const EXPERT_USERNAME = (n: number) => `benchexpert${n}`;
/** what each 【保存】 sends: a draft within the default 评分标准 */
const SAVE_BODY = { scores: { achievement: 42, story: 25, typical: 16 }, gates: { political: true }, comment: '业绩突出，事迹感人。' };

// ---------------------------------------------------------------------------------------------------
// The load generator child process (bench/load.ts), as in bench/query.ts

// ---------------------------------------------------------------------------------------------------
// Log-in through the real API

interface Session {
  userId: string;
  cookie: string;
  csrf: string;
}

async function login(baseUrl: string, username: string): Promise<Session> {
  const { user, cookie, csrf } = await logIn(baseUrl, username, PASSWORD, CAPTCHA);
  return { userId: user.id, cookie, csrf };
}

// ---------------------------------------------------------------------------------------------------
// Seeding

async function seed(client: pg.Client, passwordHash: string) {
  const { campaignId } = await generate(client, { units: 100, applications: settings.candidates, passwordHash });
  await client.query('begin');
  // every candidate accepted into 网上评选 (generate() makes them submitted_to_org with 100 units × 3 places), its window open
  await openStage(client, campaignId, 'online_review', 'online', -7, 30);
  await seedExperts(client, passwordHash, 'benchexpert', settings.experts);
  const { rows: org } = await client.query<{ id: string }>(`select id from users where username = $1`, [ORGANIZER_USERNAME]);
  await client.query(
    `insert into review_assignments (campaign_id, application_id, expert_id, assigned_by)
     select $1, a.id, u.id, $2 from applications a cross join users u
      where a.campaign_id = $1 and u.role = 'expert' and u.username like 'benchexpert%'`,
    [campaignId, org[0]!.id],
  );
  // scores by a hash of the pair, inside the maxima; 1 sheet in 97 answers 政治过硬 否; expert 1's first
  // `savePool` candidates stay 已保存 (the save benchmark writes to them: a submitted sheet refuses saves)
  await client.query(
    `insert into score_sheets (campaign_id, application_id, expert_id, status, scores, gates, total, comment, submitted_at, created_at, updated_at)
     select $1, x.app_id, x.expert_id, x.status,
            jsonb_build_object('achievement', x.a, 'story', x.s, 'typical', x.t),
            jsonb_build_object('political', x.h % 97 <> 0),
            (x.a + x.s + x.t)::numeric(4,1), null,
            case when x.status = 'submitted' then now() - interval '1 day' end, now() - interval '2 days', now() - interval '1 day'
       from (select a.id as app_id, u.id as expert_id,
                    case when u.username = 'benchexpert1' and a.seq <= $2 then 'saved' else 'submitted' end as status,
                    abs(hashtext(a.id::text || u.id::text)) as h,
                    25 + abs(hashtext('a' || a.id::text || u.id::text)) % 26 as a,
                    12 + abs(hashtext('s' || a.id::text || u.id::text)) % 19 as s,
                    8 + abs(hashtext('t' || a.id::text || u.id::text)) % 13 as t
               from review_assignments ra join applications a on a.id = ra.application_id join users u on u.id = ra.expert_id
              where ra.campaign_id = $1) x`,
    [campaignId, settings.savePool],
  );
  // the history a real sheet has: its 保存 and, if submitted, its 提交
  await client.query(
    `insert into score_sheet_changes (sheet_id, action, actor_id, actor_role, old_value, new_value, created_at)
     select id, 'save', expert_id, 'expert', null::jsonb, jsonb_build_object('status', 'saved', 'scores', scores, 'gates', gates, 'total', total), created_at
       from score_sheets where campaign_id = $1
     union all
     select id, 'submit', expert_id, 'expert', null::jsonb, jsonb_build_object('status', 'submitted', 'scores', scores, 'gates', gates, 'total', total), updated_at
       from score_sheets where campaign_id = $1 and status = 'submitted'`,
    [campaignId],
  );
  await client.query('commit');
  await client.query('vacuum analyze');
  const { rows } = await client.query<{ assignments: number; submitted: number; saved: number }>(
    `select (select count(*)::int from review_assignments) as assignments,
            (select count(*)::int from score_sheets where status = 'submitted') as submitted,
            (select count(*)::int from score_sheets where status = 'saved') as saved`,
  );
  return { campaignId, ...rows[0]! };
}

// ---------------------------------------------------------------------------------------------------
// The ceiling: the platform's own statements, recorded once and replayed

const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

/** Runs `statements` on one client, in order; `swap` changes parameters per request (the save's ids and times). */
async function replay(pool: pg.Pool, statements: Statement[], swap?: Map<unknown, unknown>): Promise<unknown[][]> {
  const client = await pool.connect();
  const results: unknown[][] = [];
  try {
    const now = new Date().toISOString();
    for (const st of statements) {
      const values = swap
        ? st.values?.map((v) => (swap.has(v) ? swap.get(v) : v instanceof Date || (typeof v === 'string' && ISO_TIME.test(v)) ? now : v))
        : st.values;
      const res = await client.query(st.config, values);
      if (res.rows?.length) results.push(res.rows);
    }
    return results;
  } catch (err) {
    await client.query('rollback').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

interface Recorded {
  mine: Statement[];
  ranking: Statement[];
  save: { statements: Statement[]; applicationId: string; sheetId: string };
}

async function startCeiling(pool: pg.Pool, recorded: Recorded, sheetOf: Map<string, string>): Promise<{ app: FastifyInstance; url: string }> {
  const app = Fastify({ logger: false });
  app.get('/bare/mine', async () => ({ results: await replay(pool, recorded.mine) }));
  app.get('/bare/ranking', async () => ({ results: await replay(pool, recorded.ranking) }));
  app.put('/bare/sheet/:id', async (req) => {
    const { id } = req.params as { id: string };
    return { results: await replay(pool, recorded.save.statements, saveSwap(recorded, id, sheetOf)) };
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, url };
}

function saveSwap(recorded: Recorded, applicationId: string, sheetOf: Map<string, string>) {
  return new Map<unknown, unknown>([
    [recorded.save.applicationId, applicationId],
    [recorded.save.sheetId, sheetOf.get(applicationId)],
  ]);
}

/** The ceiling without HTTP: `connections` loops calling the replay for `seconds`, each timing its own calls. */
async function pgLoop(seconds: number, connections: number, call: (i: number) => Promise<unknown>): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let firstFailure: string | null = null;
  let next = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < deadline) {
        const t = performance.now();
        try {
          await call(next++);
          latencies.push(performance.now() - t);
        } catch (err) {
          errors++;
          firstFailure ??= String(err);
        }
      }
    }),
  );
  const durationSeconds = (performance.now() - start) / 1000;
  const sorted = Float64Array.from(latencies).sort();
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
  return {
    requests: latencies.length + errors,
    ok: latencies.length,
    non2xx: 0,
    errors,
    timeouts: 0,
    durationSeconds,
    p50: at(50),
    p99: at(99),
    max: sorted.length ? sorted[sorted.length - 1]! : NaN,
    rps: latencies.length / durationSeconds,
    firstFailure,
  };
}

// ---------------------------------------------------------------------------------------------------
// Reporting

/** NaN (no response in the run) crosses IPC as null */
const ms = (v: number | null) => (v === null || Number.isNaN(v) ? '—' : v.toFixed(v < 10 ? 2 : 1));
function describe(r: LoadResult): string {
  const failures =
    r.non2xx + r.errors ? `, ${r.non2xx} non-2xx, ${r.errors} errors (${r.timeouts} timeouts)${r.firstFailure ? `; first: ${r.firstFailure}` : ''}` : '';
  return `${r.requests} requests in ${r.durationSeconds.toFixed(1)} s, p50 ${ms(r.p50)} ms, p99 ${ms(r.p99)} ms, max ${ms(r.max)} ms, ${r.rps.toFixed(0)} req/s${failures}`;
}

interface Measured {
  label: string;
  statements: number;
  real: LoadResult;
  ceiling: LoadResult;
  pgOnly: LoadResult;
}

function report(results: Measured[]): string {
  const rows = [['scenario', 'req/s', 'p50 ms', 'p99 ms', 'req/s % of ceiling', 'p99 × ceiling', 'target met']];
  for (const m of results) {
    const share = (m.real.rps / m.ceiling.rps) * 100;
    const factor = m.real.p99 / m.ceiling.p99;
    const met = m.real.non2xx === 0 && share >= TARGET_SHARE && factor <= TARGET_P99_FACTOR;
    rows.push([m.label, m.real.rps.toFixed(0), ms(m.real.p50), ms(m.real.p99), `${Math.floor(share)}%`, factor.toFixed(2), met ? 'yes' : 'NO']);
    rows.push([`  ceiling: bare Fastify + pg, same ${m.statements} statements`, m.ceiling.rps.toFixed(0), ms(m.ceiling.p50), ms(m.ceiling.p99), '', '', '']);
    rows.push([
      '  pg only (no HTTP), same statements',
      m.pgOnly.rps.toFixed(0),
      ms(m.pgOnly.p50),
      ms(m.pgOnly.p99),
      `(${Math.floor((m.real.rps / m.pgOnly.rps) * 100)}%)`,
      `(${(m.real.p99 / m.pgOnly.p99).toFixed(2)})`,
      '',
    ]);
  }
  return table(rows);
}

// ---------------------------------------------------------------------------------------------------

async function main() {
  const started = performance.now();
  const dbName = `bench_review_${process.pid}`;
  const cleanups = new Cleanups();
  const cleanup = () => cleanups.run();
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));

  try {
    const { dbUrl, dataDir, serverVersion } = await benchDatabase(settings.serverUrl, dbName, settings.keep, cleanups);
    console.log(
      `bench:review — ${os.cpus().length} cores, Node ${process.version}, PostgreSQL ${serverVersion}; ` +
        `${settings.connections} connections, ${settings.duration} s per run after a ${settings.warmup} s warm-up; database ${dbName}; ` +
        `load average ${loadAverage()} (other work on the machine skews every figure)`,
    );

    const platform = await benchPlatform(dbUrl, dataDir, CAPTCHA, cleanups);
    const t = performance.now();
    const gen = new pg.Client({ connectionString: dbUrl.toString() });
    await gen.connect();
    const seeded = await seed(gen, await hashPassword(PASSWORD)).finally(() => gen.end());
    console.log(
      `seeded ${settings.candidates} candidates (网上评选中), ${settings.experts} experts, ${seeded.assignments} assignments, ` +
        `${seeded.submitted} submitted + ${seeded.saved} saved sheets (+ their changes) and VACUUM ANALYZE in ${secondsSince(t)} s`,
    );

    // no background jobs: their polling would run beside the measured requests and into the recorded statements
    const app: FastifyInstance = await buildApp(platform.services, { jobRunner: false });
    cleanups.push(() => app.close());
    const realUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    const db = new pg.Pool({ connectionString: dbUrl.toString(), max: Number(process.env.PG_POOL_MAX ?? 10) });
    cleanups.push(() => db.end());
    const load = new LoadGenerator();
    cleanups.push(() => load.close());

    const expert = await login(realUrl, EXPERT_USERNAME(1));
    const organizer = await login(realUrl, ORGANIZER_USERNAME);
    const { rows: pool } = await db.query<{ application_id: string; id: string }>(
      `select application_id, id from score_sheets where expert_id = $1 and status = 'saved' order by application_id`,
      [expert.userId],
    );
    const sheetOf = new Map(pool.map((r) => [r.application_id, r.id]));

    const mineReq: FixedRequest = { method: 'GET', path: '/api/review/mine', headers: { cookie: expert.cookie } };
    const rankingReq: FixedRequest = { method: 'GET', path: `/api/review/campaigns/${seeded.campaignId}/ranking`, headers: { cookie: organizer.cookie } };
    const saveBody = JSON.stringify(SAVE_BODY);
    const saveReq = (id: string): FixedRequest => ({
      method: 'PUT',
      path: `/api/review/applications/${id}/sheet`,
      headers: { cookie: expert.cookie, 'x-csrf-token': expert.csrf, 'content-type': 'application/json' },
      body: saveBody,
    });
    const call = async (r: FixedRequest) => {
      const res = await fetch(realUrl + r.path, { method: r.method, headers: r.headers as Record<string, string>, body: r.body });
      const text = await res.text();
      if (!res.ok) throw new Error(`${r.method} ${r.path}: ${res.status} ${text.slice(0, 300)}`);
      return JSON.parse(text) as Record<string, unknown>;
    };

    // One warm request each (campaign caches, prepared statements), then one recorded request each.
    const first = pool[0]!.application_id;
    await call(mineReq);
    await call(rankingReq);
    await call(saveReq(first));
    const mineReply = (await call(mineReq)) as { items: unknown[]; counts: Record<string, number> };
    const rankingReply = (await call(rankingReq)) as { rows: unknown[]; submittedSheets: number };
    console.log(
      `expert 1's list: ${mineReply.items.length} candidates ${JSON.stringify(mineReply.counts)}; ranking: ${rankingReply.rows.length} candidates over ${rankingReply.submittedSheets} submitted sheets`,
    );
    const recorded: Recorded = {
      mine: await record(() => call(mineReq).then(() => undefined)),
      ranking: await record(() => call(rankingReq).then(() => undefined)),
      save: { statements: await record(() => call(saveReq(first)).then(() => undefined)), applicationId: first, sheetId: sheetOf.get(first)! },
    };
    const ceiling = await startCeiling(db, recorded, sheetOf);
    cleanups.push(() => ceiling.app.close());

    const saveCycle = (path: (id: string) => FixedRequest): CycleSpec => ({ items: pool.map((p) => ({ steps: [path(p.application_id)] })) });
    const scenarios = [
      {
        key: 'save',
        label: `【保存】 PUT …/sheet (expert 1, ${pool.length} 已保存 sheets in turn)`,
        real: saveCycle(saveReq),
        ceiling: saveCycle((id) => ({ method: 'PUT', path: `/bare/sheet/${id}`, headers: { 'content-type': 'application/json' }, body: saveBody })),
        pgOnly: (i: number) => {
          const id = pool[i % pool.length]!.application_id;
          return replay(db, recorded.save.statements, saveSwap(recorded, id, sheetOf));
        },
        statements: recorded.save.statements.length,
      },
      {
        key: 'mine',
        label: `expert's list GET /api/review/mine (${mineReply.items.length} candidates)`,
        real: mineReq,
        ceiling: { method: 'GET', path: '/bare/mine', headers: {} } as FixedRequest,
        pgOnly: () => replay(db, recorded.mine),
        statements: recorded.mine.length,
      },
      {
        key: 'ranking',
        label: `网上评选结果 GET …/ranking (${rankingReply.rows.length} candidates, ${rankingReply.submittedSheets} sheets)`,
        real: rankingReq,
        ceiling: { method: 'GET', path: '/bare/ranking', headers: {} } as FixedRequest,
        pgOnly: () => replay(db, recorded.ranking),
        statements: recorded.ranking.length,
      },
    ].filter((s) => !settings.only || settings.only.has(s.key));

    for (const s of scenarios) {
      const st = s.key === 'save' ? recorded.save.statements : s.key === 'mine' ? recorded.mine : recorded.ranking;
      console.log(`${s.key}: ${st.length} statements per request: ${st.map((x) => x.config.text.replace(/\s+/g, ' ').slice(0, 60)).join(' ⏵ ')}`);
    }
    console.log('');

    // The platform and its ceiling measured in turn, BENCH_REVIEW_SLICES (5) slices of each (the order turned round
    // every slice), so that this machine's drift — its speed moves by a third within a minute — falls on both alike
    // (bench/README "Session 23"); the slices' latencies are merged. BENCH_REVIEW_SLICES=1 or BENCH_PROFILE: one
    // whole run each, one after the other.
    const slices = settings.profileDir ? 1 : settings.slices;
    // autocannon runs whole seconds
    const sliceSeconds = Math.max(1, Math.round(settings.duration / slices));
    const measurePair = async (s: (typeof scenarios)[number]) => {
      const sides = [
        { request: s.real, baseUrl: realUrl, profileAs: s.key, slices: [] as LoadResult[], cpu: 0 },
        { request: s.ceiling, baseUrl: ceiling.url, profileAs: `${s.key}-ceiling`, slices: [] as LoadResult[], cpu: 0 },
      ];
      const spec = (side: (typeof sides)[number], durationSeconds: number): LoadSpec => ({
        baseUrl: side.baseUrl,
        connections: settings.connections,
        durationSeconds,
        request: side.request,
        keepLatencies: true,
      });
      for (const side of sides) await load.run(spec(side, settings.warmup));
      await untilIdle(db, dbName);
      for (let i = 0; i < slices; i++) {
        for (const side of i % 2 ? [...sides].reverse() : sides) {
          const profiler = settings.profileDir ? await startProfile() : null;
          // this process's CPU: the server's (platform or ceiling) and its node-postgres work; the load is a child's
          const cpu = process.cpuUsage();
          side.slices.push(await load.run(spec(side, sliceSeconds)));
          const used = process.cpuUsage(cpu);
          side.cpu += used.user + used.system;
          if (profiler) console.log(`  CPU profile: ${await profiler.stop(path.join(settings.profileDir, `review-${side.profileAs}.cpuprofile`))}`);
          await untilIdle(db, dbName);
        }
      }
      const [real, bare] = sides.map((side) => {
        const merged = mergeLoadResults(side.slices);
        return { ...merged, cpuMsPerRequest: side.cpu / 1000 / Math.max(1, merged.requests) };
      });
      return { real: real!, bare: bare! };
    };
    const results: Measured[] = [];
    if (slices > 1) console.log(`platform and ceiling in turn: ${slices} slices of ${sliceSeconds} s each\n`);
    for (const s of scenarios) {
      console.log(s.label);
      const { real, bare } = await measurePair(s);
      console.log(`  platform: ${describe(real)}; server CPU ${real.cpuMsPerRequest.toFixed(2)} ms per request`);
      console.log(`  ceiling:  ${describe(bare)}; server CPU ${bare.cpuMsPerRequest.toFixed(2)} ms per request`);
      await pgLoop(settings.warmup, settings.connections, s.pgOnly);
      await untilIdle(db, dbName);
      const pgOnly = await pgLoop(settings.duration, settings.connections, s.pgOnly);
      await untilIdle(db, dbName);
      console.log(`  pg only:  ${describe(pgOnly)}`);
      results.push({ label: s.label, statements: s.statements, real, ceiling: bare, pgOnly });
    }

    // the save's statements wrote every request: the sheets are still 已保存 with the body's total, and each save left a change
    const { rows: check } = await db.query<{ saved: number; total: string; changes: number }>(
      `select count(*)::int as saved, min(total)::text || '–' || max(total)::text as total,
              (select count(*)::int from score_sheet_changes c where c.sheet_id = any($2::uuid[]) and c.action = 'save') as changes
         from score_sheets where expert_id = $1 and status = 'saved'`,
      [expert.userId, pool.map((p) => p.id)],
    );
    console.log(`\nsave pool after the runs: ${check[0]!.saved} sheets still 已保存, totals ${check[0]!.total}, ${check[0]!.changes} 保存 changes recorded`);

    console.log(
      `\nResults (${new Date().toISOString().slice(0, 16)}Z, ${os.cpus().length} cores, load average now ${loadAverage()}; ` +
        `target: ≥ ${TARGET_SHARE}% of the ceiling's req/s and p99 ≤ ${TARGET_P99_FACTOR}× the ceiling's)\n`,
    );
    console.log(report(results));
    console.log(`\ndone in ${secondsSince(started)} s`);
    if (results.some((m) => m.real.non2xx || m.ceiling.non2xx || m.real.errors || m.pgOnly.errors)) process.exitCode = 1;
  } finally {
    await cleanup();
  }
}

/** BENCH_ONLY=meeting runs only bench/meeting.ts; without BENCH_ONLY, the three scenarios above and then the meeting. */
async function all() {
  if (!settings.only || ['save', 'mine', 'ranking'].some((k) => settings.only!.has(k))) await main();
  if ((!settings.only || settings.only.has('meeting')) && !(await runMeeting())) process.exitCode = 1;
}

all().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
