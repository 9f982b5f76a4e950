/**
 * bench:review's meeting run (`BENCH_ONLY=meeting npm run bench:review`, issue 14, Benchmark): the 集中评选 meeting
 * under load — 30 experts 【提交选票】 on 40 candidates while 5 organizer screens watch the 计票 over Server-Sent Events.
 *
 * 1. Creates bench_meeting_<pid> on BENCH_DATABASE_URL's server and opens the real platform on it (loadConfig →
 *    openPlatform, which migrates → buildApp) on a loopback port, as bench/review.ts does.
 * 2. Seeds in SQL: bench/data.ts's generator with 20 units and 40 applications (all submitted_to_org), moved to
 *    final_review (评审中), each on the 入围名单 (shortlist_entries, origin ranking, online { rank, tied, figure, by }),
 *    30 experts (role expert, expert_profiles), settings.windows.concentrated open around today.
 * 3. Through the HTTP API: the organizer and the 30 experts log in, the organizer opens the meeting with the 30 as its
 *    panel, each expert 签到. Round 1 is started; expert 1's submit warms the path and expert 2's is recorded
 *    (pg.Client.prototype.query) for the ceiling; round 1 is closed.
 * 3a. History: BENCH_MEETING_HISTORY (20) rounds through the API, then the meeting's tables are ANALYZEd, and again
 *    before each run — as autovacuum keeps a live database's statistics (see runMeeting: plans made on the tables as
 *    seeded, empty, scanned ballots whole for every vote, and only the ceiling, run last, was planned after autovacuum's
 *    analyze). Each run prints its sequential scans of those tables; BENCH_PG_STATEMENTS=1 (pg_stat_statements loaded)
 *    prints PostgreSQL's own time per statement for each run.
 * 4. A client child process (this file, forked: generating load and timing the screens off the server's event loop)
 *    opens the screens (`GET …/tally/events`) and runs rounds: the organizer starts a round (all 40 candidates, both
 *    questions), the 30 experts submit a vote on every candidate and question, `connections` at a time, the bench
 *    waits until every screen has seen every expert as submitted in that round, the organizer closes the round. The
 *    first BENCH_WARMUP rounds are not measured; then rounds until BENCH_MEETING_SECONDS of submitting and at least
 *    BENCH_MEETING_ROUNDS rounds.
 * 5. The ceiling replays the recorded statements behind a bare Fastify route with the round, expert, session and ballot
 *    ids and the timestamps swapped per request, in fresh rounds started (and closed) through the API for it, with the
 *    screens closed. Same rounds, same concurrency.
 * 6. Between the two, the platform's submits again with no screen open (no 计票 reads), printed in brackets.
 * 7. The three runs are interleaved, BENCH_MEETING_CHUNK (3) rounds of each at a time, the order turned round every
 *    cycle, so that the machine's drift falls on all three alike (BENCH_MEETING_CHUNK=0: one after another).
 *    BENCH_CEILING_BURN_MS (a diagnostic) makes the ceiling spend that much more of its main thread per submit.
 * Prints req/s, p50, p99 beside the ceiling, and the screens' delay p50/p99. Asserts nothing about timings: fails
 * only if it cannot run, a request fails, or a submit never reaches a screen.
 */
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
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
  ChildRunner,
  Cleanups,
  intEnv,
  loadAverage,
  logIn,
  record,
  traceStatements,
  secondsSince,
  startProfile,
  table,
  untilIdle,
  type Statement,
} from './common';

/** Chromium's Accept-Encoding */
const BROWSER_ACCEPT_ENCODING = 'gzip, deflate, br, zstd';

const settings = {
  serverUrl: process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test',
  seconds: intEnv('BENCH_MEETING_SECONDS', 10, 0),
  minRounds: intEnv('BENCH_MEETING_ROUNDS', 20, 0),
  warmupRounds: intEnv('BENCH_WARMUP', 2, 0),
  connections: Math.max(1, intEnv('BENCH_CONNECTIONS', 10, 0)),
  candidates: intEnv('BENCH_MEETING_CANDIDATES', 40, 0),
  experts: intEnv('BENCH_MEETING_EXPERTS', 30, 0),
  screens: intEnv('BENCH_MEETING_SCREENS', 5, 0),
  /** rounds held through the API before the measured runs: the meeting tables' history (see runMeeting) */
  historyRounds: intEnv('BENCH_MEETING_HISTORY', 20, 0),
  /** rounds of each run at a time, the runs interleaved; 0: one run after another (see runMeeting) */
  chunkRounds: intEnv('BENCH_MEETING_CHUNK', 3, 0),
  keep: process.env.BENCH_KEEP === '1',
  /** a directory: each run is CPU-profiled into <dir>/meeting-submit.cpuprofile (screens watching), meeting-quiet.cpuprofile (none) and meeting-ceiling.cpuprofile */
  profileDir: process.env.BENCH_PROFILE ?? '',
};

const CEILING_BURN_MS = Number(process.env.BENCH_CEILING_BURN_MS ?? 0);
const TARGET_SHARE = 80; // % of the ceiling's requests per second
const TARGET_P99_FACTOR = 1.25; // × the ceiling's p99
const TARGET_DELAY_P99 = 250; // ms from a submit to its appearance on a screen
/** how long a submit may take to reach every screen before the run fails */
const SCREEN_TIMEOUT_MS = 15_000;
const MAX_ROUNDS = 500;
const CAPTCHA = 'x';
const PASSWORD = 'Bench#2023pass';
const EXPERT_USERNAME = (n: number) => `meetexpert${n}`;

// ---------------------------------------------------------------------------------------------------
// HTTP through the real API (both processes)

interface Session {
  userId: string;
  cookie: string;
  csrf: string;
  /** sessions.id: the sha256 of the sid cookie, as the platform stores it */
  sid: string;
}

async function login(baseUrl: string, username: string): Promise<Session> {
  const { user, cookie, csrf } = await logIn(baseUrl, username, PASSWORD, CAPTCHA);
  return { userId: user.id, cookie, csrf, sid: '' };
}

async function call<T = Record<string, unknown>>(baseUrl: string, method: 'GET' | 'POST', url: string, who: Session | null, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (who) {
    headers.cookie = who.cookie;
    headers['x-csrf-token'] = who.csrf;
  }
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(baseUrl + url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

// ---------------------------------------------------------------------------------------------------
// The client process: screens, submits, rounds

interface ClientJob {
  kind: 'platform' | 'ceiling';
  baseUrl: string;
  /** where the submits go: the platform, or the ceiling's bare route */
  submitUrl: string;
  campaignId: string;
  organizer: Session;
  experts: Session[];
  votes: { applicationId: string; question: 'win' | 'national'; choice: 'yes' | 'no' | 'abstain' }[];
  roundBody: Record<string, unknown>;
  screens: number;
  connections: number;
  warmupRounds: number;
  minRounds: number;
  seconds: number;
}

interface ClientResult {
  rounds: number;
  submits: number;
  /** the measured rounds' submitting time (first request to last reply, summed over the rounds), s */
  busySeconds: number;
  latencies: number[];
  /** per (submit × screen): ms from the reply / from the request start to the first snapshot showing it */
  fromReply: number[];
  fromStart: number[];
  events: number;
  failures: string[];
}

interface Screen {
  /** `${roundId}\u001f${expertId}` → when this screen first saw it submitted */
  seen: Map<string, number>;
  events: number;
  close: () => void;
  first: Promise<void>;
  waiters: Set<() => void>;
}

async function openScreen(job: ClientJob, failures: string[]): Promise<Screen> {
  const controller = new AbortController();
  const res = await fetch(`${job.baseUrl}/api/meeting/campaigns/${job.campaignId}/tally/events`, {
    headers: { cookie: job.organizer.cookie, accept: 'text/event-stream' },
    signal: controller.signal,
  });
  if (!res.ok || !res.body) throw new Error(`tally/events: ${res.status} ${await res.text()}`);
  let gotFirst: () => void = () => {};
  const screen: Screen = {
    seen: new Map(),
    events: 0,
    close: () => controller.abort(),
    first: new Promise((resolve) => (gotFirst = resolve)),
    waiters: new Set(),
  };
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  void (async () => {
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const lines = block.split('\n');
          if (!lines.includes('event: tally')) continue;
          const data = lines
            .filter((l) => l.startsWith('data: '))
            .map((l) => l.slice(6))
            .join('\n');
          const at = performance.now();
          const tally = JSON.parse(data) as { panel: { expertId: string; ballot: string }[]; round: { id: string } | null };
          screen.events++;
          if (tally.round) {
            for (const p of tally.panel) {
              const key = `${tally.round.id}\u001f${p.expertId}`;
              if (p.ballot === 'submitted' && !screen.seen.has(key)) screen.seen.set(key, at);
            }
          }
          gotFirst();
          for (const w of screen.waiters) w();
        }
      }
    } catch (err) {
      if (!controller.signal.aborted) failures.push(`a screen's stream failed: ${String(err)}`);
    }
  })();
  return screen;
}

function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

async function runClient(job: ClientJob): Promise<ClientResult> {
  const failures: string[] = [];
  const screens: Screen[] = [];
  const out: ClientResult = { rounds: 0, submits: 0, busySeconds: 0, latencies: [], fromReply: [], fromStart: [], events: 0, failures };
  try {
    for (let i = 0; i < (job.kind === 'platform' ? job.screens : 0); i++) screens.push(await openScreen(job, failures));
    await Promise.all(screens.map((s) => s.first));
    const body = JSON.stringify({ votes: job.votes });
    const submit = async (roundId: string, expert: Session) => {
      const url = job.kind === 'platform' ? `/api/meeting/rounds/${roundId}/ballot/submit` : `/bare/rounds/${roundId}/ballot/${expert.userId}`;
      const started = performance.now();
      const res = await fetch(job.submitUrl + url, {
        method: 'POST',
        // what the experts' Chromium sends (Node's fetch alone says `gzip, deflate`); the reply (7.5 KB) is under
        // server/app.ts's COMPRESS_THRESHOLD and comes as it is either way
        headers: { cookie: expert.cookie, 'x-csrf-token': expert.csrf, 'content-type': 'application/json', 'accept-encoding': BROWSER_ACCEPT_ENCODING },
        body,
      });
      const text = await res.text();
      const replied = performance.now();
      if (!res.ok) throw new Error(`submit of ${expert.userId} in round ${roundId}: ${res.status} ${text.slice(0, 300)}`);
      return { expertId: expert.userId, started, replied };
    };
    let measured = 0;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const warm = round < job.warmupRounds;
      if (!warm && measured >= job.minRounds && out.busySeconds >= job.seconds) break;
      const view = await call<{ rounds: { id: string; status: string }[] }>(
        job.baseUrl,
        'POST',
        `/api/meeting/campaigns/${job.campaignId}/rounds`,
        job.organizer,
        job.roundBody,
      );
      const roundId = view.rounds.find((r) => r.status === 'open')!.id;
      // the experts, `connections` at a time
      const queue = [...job.experts];
      const done: { expertId: string; started: number; replied: number }[] = [];
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: Math.min(job.connections, queue.length) }, async () => {
          for (let e = queue.shift(); e; e = queue.shift()) done.push(await submit(roundId, e));
        }),
      );
      const busy = (performance.now() - t0) / 1000;
      // every screen shows every expert as submitted in this round
      const missing = () => screens.some((s) => done.some((d) => !s.seen.has(`${roundId}\u001f${d.expertId}`)));
      if (screens.length && missing()) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(finish, SCREEN_TIMEOUT_MS);
          function finish() {
            clearTimeout(timer);
            for (const s of screens) s.waiters.delete(check);
            resolve();
          }
          function check() {
            if (!missing()) finish();
          }
          for (const s of screens) s.waiters.add(check);
          check();
        });
        if (missing()) throw new Error(`round ${round + 1}: a submit did not reach every screen within ${SCREEN_TIMEOUT_MS / 1000} s`);
      }
      await call(job.baseUrl, 'POST', `/api/meeting/rounds/${roundId}/close`, job.organizer);
      if (warm) continue;
      measured++;
      out.busySeconds += busy;
      out.submits += done.length;
      for (const d of done) {
        out.latencies.push(d.replied - d.started);
        for (const s of screens) {
          const at = s.seen.get(`${roundId}\u001f${d.expertId}`)!;
          out.fromReply.push(at - d.replied);
          out.fromStart.push(at - d.started);
        }
      }
    }
    out.rounds = measured;
  } catch (err) {
    failures.push(err instanceof Error ? err.message : String(err));
  } finally {
    out.events = screens.reduce((n, s) => n + s.events, 0);
    for (const s of screens) s.close();
  }
  return out;
}

if (process.env.BENCH_MEETING_CLIENT === '1' && process.send) {
  process.on('message', (m: { id: number; job: ClientJob }) => {
    runClient(m.job).then(
      (result) => process.send!({ id: m.id, result }),
      (err: unknown) => process.send!({ id: m.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
    );
  });
}

class Client extends ChildRunner<ClientJob, ClientResult> {
  constructor() {
    super(fileURLToPath(import.meta.url), 'job', 'client process', { ...process.env, BENCH_MEETING_CLIENT: '1' });
  }
}

// ---------------------------------------------------------------------------------------------------
// Seeding

async function seed(client: pg.Client, passwordHash: string) {
  // 20 units × 2: every application is submitted_to_org (data.ts: the first 3 of each unit are)
  const { campaignId } = await generate(client, { units: Math.max(1, Math.ceil(settings.candidates / 2)), applications: settings.candidates, passwordHash });
  await client.query('begin');
  // past 网上评选: every candidate 评审中 (each on the 入围名单 below), the 集中评选 window open
  await openStage(client, campaignId, 'final_review', 'concentrated', -2, 7);
  await seedExperts(client, passwordHash, 'meetexpert', settings.experts);
  const { rows: org } = await client.query<{ id: string }>(`select id from users where username = $1`, [ORGANIZER_USERNAME]);
  await client.query(
    `insert into shortlist_entries (campaign_id, application_id, origin, online, added_by)
     select $1, id, 'ranking', jsonb_build_object('rank', seq, 'tied', false, 'figure', round(95 - seq * 0.4, 2), 'by', 'additive'), $2
       from applications where campaign_id = $1`,
    [campaignId, org[0]!.id],
  );
  await client.query(`insert into shortlist_changes (campaign_id, action, detail, actor_id) values ($1, 'build', $2::jsonb, $3)`, [
    campaignId,
    JSON.stringify({ size: settings.candidates }),
    org[0]!.id,
  ]);
  await client.query('commit');
  await client.query('vacuum analyze');
  return { campaignId };
}

// ---------------------------------------------------------------------------------------------------
// The ceiling: one submit's statements, recorded and replayed (as bench/review.ts)

const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

/** Where `value` sits in a statement's first returned row (array or object row), if it does. */
function positionOf(rows: unknown[] | undefined, value: unknown): string | number | null {
  const row = rows?.[0];
  if (!row || typeof row !== 'object') return null;
  for (const [k, v] of Object.entries(row)) if (v === value) return Array.isArray(row) ? Number(k) : k;
  return null;
}

/**
 * Runs `statements` on one client in order, with `swap`'s values replaced, timestamps made now, and each of `learn`'s
 * recorded values replaced, from the statement that returned it on, by what the same statement returns now.
 */
async function replay(pool: pg.Pool, statements: Statement[], swap: Map<unknown, unknown>, learn: unknown[]): Promise<number> {
  const client = await pool.connect();
  const map = new Map(swap);
  let rows = 0;
  try {
    const now = new Date().toISOString();
    for (const st of statements) {
      const values = st.values?.map((v) => (map.has(v) ? map.get(v) : v instanceof Date || (typeof v === 'string' && ISO_TIME.test(v)) ? now : v));
      const res = await client.query(st.config, values);
      rows += res.rows?.length ?? 0;
      for (const value of learn) {
        const at = map.has(value) ? null : positionOf(st.rows, value);
        if (at !== null) map.set(value, (res.rows?.[0] as Record<string | number, unknown> | undefined)?.[at]);
      }
    }
    return rows;
  } catch (err) {
    await client.query('rollback').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

// ---------------------------------------------------------------------------------------------------
// Reporting (as bench/review.ts)

const ms = (v: number) => (Number.isNaN(v) ? '—' : v.toFixed(Math.abs(v) < 10 ? 2 : 1));
const rps = (r: ClientResult) => r.submits / r.busySeconds;
const describe = (r: ClientResult) =>
  `${r.submits} submits in ${r.rounds} rounds, ${r.busySeconds.toFixed(1)} s submitting, p50 ${ms(percentile(r.latencies, 50))} ms, ` +
  `p99 ${ms(percentile(r.latencies, 99))} ms, max ${ms(percentile(r.latencies, 100))} ms, ${rps(r).toFixed(0)} req/s` +
  (r.failures.length ? `; FAILED: ${r.failures[0]}` : '');

// ---------------------------------------------------------------------------------------------------

/** The meeting run; resolves false when a request failed or a submit never reached a screen. */
export async function runMeeting(): Promise<boolean> {
  const started = performance.now();
  const dbName = `bench_meeting_${process.pid}`;
  const cleanups = new Cleanups();
  const cleanup = () => cleanups.run();
  const onSigint = () => void cleanup().finally(() => process.exit(130));
  process.once('SIGINT', onSigint);
  try {
    const { dbUrl, dataDir, serverVersion } = await benchDatabase(settings.serverUrl, dbName, settings.keep, cleanups);
    console.log(
      `bench:review meeting — ${os.cpus().length} cores, Node ${process.version}, PostgreSQL ${serverVersion}; ` +
        `${settings.experts} experts, ${settings.candidates} candidates, ${settings.screens} screens, ${settings.connections} submits at a time, ` +
        `${settings.warmupRounds} warm-up rounds then ≥ ${settings.minRounds} rounds and ≥ ${settings.seconds} s of submitting per run; database ${dbName}; ` +
        `load average ${loadAverage()}`,
    );

    const platform = await benchPlatform(dbUrl, dataDir, CAPTCHA, cleanups);
    let t = performance.now();
    const gen = new pg.Client({ connectionString: dbUrl.toString() });
    await gen.connect();
    const { campaignId } = await seed(gen, await hashPassword(PASSWORD)).finally(() => gen.end());
    console.log(`seeded ${settings.candidates} candidates (评审中, all on the 入围名单) and ${settings.experts} experts in ${secondsSince(t)} s`);

    // no background jobs: their polling would run beside the measured requests and into the recorded statements
    const app: FastifyInstance = await buildApp(platform.services, { jobRunner: false });
    cleanups.push(() => app.close());
    const realUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    const db = new pg.Pool({ connectionString: dbUrl.toString(), max: Number(process.env.PG_POOL_MAX ?? 10) });
    cleanups.push(() => db.end());

    // log-ins, the meeting, 签到: through the API
    t = performance.now();
    const organizer = await login(realUrl, ORGANIZER_USERNAME);
    const experts: Session[] = [];
    for (let n = 1; n <= settings.experts; n++) experts.push(await login(realUrl, EXPERT_USERNAME(n)));
    const { rows: sessionRows } = await db.query<{ id: string; user_id: string }>(`select id, user_id from sessions`);
    const sessionOf = new Map(sessionRows.map((r) => [r.user_id, r.id]));
    for (const e of experts) e.sid = sessionOf.get(e.userId)!;
    await call(realUrl, 'POST', `/api/meeting/campaigns/${campaignId}/open`, organizer, { expertIds: experts.map((e) => e.userId) });
    for (const e of experts) await call(realUrl, 'POST', `/api/meeting/campaigns/${campaignId}/sign-in`, e);
    const { rows: shortlist } = await db.query<{ application_id: string }>(
      `select s.application_id from shortlist_entries s join applications a on a.id = s.application_id where s.campaign_id = $1 order by a.seq`,
      [campaignId],
    );
    const candidateIds = shortlist.map((r) => r.application_id);
    const CHOICES = ['yes', 'yes', 'no', 'abstain'] as const;
    const votes = candidateIds.flatMap((applicationId, i) => [
      { applicationId, question: 'win' as const, choice: CHOICES[i % 4]! },
      { applicationId, question: 'national' as const, choice: CHOICES[(i + 1) % 4]! },
    ]);
    // every round: the whole 入围名单, both questions, the default places (a later round's proposal would be a fill)
    const roundBody = { purpose: 'main', questions: ['win', 'national'], candidateIds, placesWin: 20, placesNational: 10 };
    console.log(`${experts.length + 1} log-ins, the meeting opened and ${experts.length} 签到 through the API in ${secondsSince(t)} s`);

    // round 1: expert 1 warms the submit, expert 2's submit is recorded, then the round is closed
    const view = await call<{ rounds: { id: string; status: string }[] }>(realUrl, 'POST', `/api/meeting/campaigns/${campaignId}/rounds`, organizer, roundBody);
    const firstRound = view.rounds.find((r) => r.status === 'open')!.id;
    const submitPath = (roundId: string) => `/api/meeting/rounds/${roundId}/ballot/submit`;
    await call(realUrl, 'POST', submitPath(firstRound), experts[0]!, { votes });
    const recordedExpert = experts[1]!;
    const statements = await record(() => call(realUrl, 'POST', submitPath(firstRound), recordedExpert, { votes }).then(() => undefined));
    const { rows: ballotRows } = await db.query<{ id: string }>(`select id from ballots where round_id = $1 and expert_id = $2`, [
      firstRound,
      recordedExpert.userId,
    ]);
    const recordedBallot = ballotRows[0]!.id;
    await call(realUrl, 'POST', `/api/meeting/rounds/${firstRound}/close`, organizer);
    console.log(`submit: ${statements.length} statements per request: ${statements.map((x) => x.config.text.replace(/\s+/g, ' ').slice(0, 50)).join(' ⏵ ')}`);
    if (!statements.some((s) => positionOf(s.rows, recordedBallot) !== null)) throw new Error('the recorded submit returned no ballot id to learn');

    // the ceiling: the same statements behind a bare route, ids swapped per request
    const pool = new pg.Pool({ connectionString: dbUrl.toString(), max: settings.connections });
    cleanups.push(() => pool.end());
    const bare = Fastify({ logger: false });
    bare.post('/bare/rounds/:round/ballot/:expert', async (req) => {
      const { round, expert } = req.params as { round: string; expert: string };
      const swap = new Map<unknown, unknown>([
        [firstRound, round],
        [recordedExpert.userId, expert],
        [recordedExpert.sid, sessionOf.get(expert)],
      ]);
      const rows = await replay(pool, statements, swap, [recordedBallot]);
      // BENCH_CEILING_BURN_MS: the ceiling made to spend that much more of its main thread per submit (a diagnostic: what
      // the platform's own work per submit costs the ratio)
      if (CEILING_BURN_MS) for (const until = performance.now() + CEILING_BURN_MS; performance.now() < until;);
      return { rows };
    });
    const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });
    cleanups.push(() => bare.close());

    const client = new Client();
    cleanups.push(() => client.close());
    const job = (kind: ClientJob['kind'], screens = settings.screens): ClientJob => ({
      kind,
      baseUrl: realUrl,
      submitUrl: kind === 'platform' ? realUrl : bareUrl,
      campaignId,
      organizer,
      experts,
      votes,
      roundBody,
      screens,
      connections: settings.connections,
      warmupRounds: settings.warmupRounds,
      minRounds: settings.minRounds,
      seconds: settings.seconds,
    });
    // A platform that has held meetings has ballots and votes, and autovacuum keeps their statistics current. Seeded
    // empty and analyzed empty, the tables would be planned as empty: the pooled connections' cached plans (the
    // foreign-key checks of the 80 votes on ballots, the ballot's lookups) would scan the whole table while it grows by
    // thirty ballots a round, for as long as autovacuum (a minute apart) has not analyzed it again — and the ceiling,
    // run last, would be planned after that analyze. So: history rounds through the API first, and before each run
    // the meeting's tables analyzed, so that every run is planned on the tables as they are.
    t = performance.now();
    const history = await client.run({ ...job('platform', 0), warmupRounds: settings.historyRounds, minRounds: 0, seconds: 0 });
    if (history.failures.length) throw new Error(`history rounds: ${history.failures[0]}`);
    console.log(`history: ${settings.historyRounds} rounds submitted and closed through the API in ${secondsSince(t)} s`);
    const MEETING_TABLES = ['ballots', 'ballot_votes', 'meeting_rounds', 'meeting_round_candidates', 'meeting_attendance'];
    const analyzed = async () => {
      await untilIdle(db, dbName);
      await db.query(`analyze ${MEETING_TABLES.join(', ')}`);
    };
    // how the run read the meeting's tables: sequential scans and the rows they read (a plan made on stale statistics
    // shows as thousands of scans of ballots)
    const scans = async () => {
      const { rows } = await db.query<{ relname: string; seq: string; tup: string }>(
        `select relname, seq_scan::text as seq, seq_tup_read::text as tup from pg_stat_user_tables where relname = any($1)`,
        [MEETING_TABLES],
      );
      return new Map(rows.map((r) => [r.relname, { seq: Number(r.seq), tup: Number(r.tup) }]));
    };
    // BENCH_PG_STATEMENTS=1 (PostgreSQL with pg_stat_statements in shared_preload_libraries): each run's statements
    // as PostgreSQL spent its time on them — calls, planning and execution per call, blocks touched
    const pgStatements = process.env.BENCH_PG_STATEMENTS === '1';
    if (pgStatements) await db.query('create extension if not exists pg_stat_statements');
    const statementsReport = async () => {
      const { rows } = await db.query<{ calls: string; plan: number; exec: number; blks: string; rows: string; query: string }>(
        `select calls::text, mean_plan_time as plan, mean_exec_time as exec, (shared_blks_hit + shared_blks_read)::text as blks,
                rows::text, regexp_replace(query, '\\s+', ' ', 'g') as query
           from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database())
          order by (total_plan_time + total_exec_time) desc limit 25`,
      );
      return rows
        .map(
          (r) =>
            `    ${r.calls.padStart(6)} × plan ${r.plan.toFixed(3)} + exec ${r.exec.toFixed(3)} ms, ${(Number(r.blks) / Number(r.calls)).toFixed(1)} blocks, ${(Number(r.rows) / Number(r.calls)).toFixed(1)} rows: ${r.query.slice(0, 110)}`,
        )
        .join('\n');
    };
    const scanned = async <T>(run: () => Promise<T>): Promise<{ value: T; scans: string }> => {
      const before = await scans();
      if (pgStatements) await db.query('select pg_stat_statements_reset()');
      const value = await run();
      const statementsText = pgStatements ? `\n  PostgreSQL's statements (pg_stat_statements, the most time first):\n${await statementsReport()}` : '';
      // the statistics collector reports a backend's counts at its transaction's end, at most every half second
      await new Promise((r) => setTimeout(r, 1100));
      const after = await scans();
      const text = MEETING_TABLES.map((name) => {
        const a = after.get(name);
        const b = before.get(name);
        return a && b ? `${name} ${a.seq - b.seq} (${a.tup - b.tup} rows)` : '';
      })
        .filter(Boolean)
        .join(', ');
      return { value, scans: `sequential scans: ${text}${statementsText}` };
    };
    // The runs — the platform with the screens watching, the platform with none (what the screens' 计票 reads cost the
    // submits; the ceiling has none) and the ceiling — interleaved a few rounds at a time (BENCH_MEETING_CHUNK rounds,
    // the order turned round every cycle): this machine's speed drifts by a third within a minute, and one run after
    // another the ratio measured the drift as much as the platform (bench/README "Session 23"). Run one after another,
    // each whole, with BENCH_MEETING_CHUNK=0 and for the diagnostics made per run: BENCH_PROFILE,
    // BENCH_PG_STATEMENTS, BENCH_TRACE_STATEMENTS.
    type Kind = 'platform' | 'quiet' | 'ceiling';
    const kinds: Kind[] = settings.screens ? ['platform', 'quiet', 'ceiling'] : ['platform', 'ceiling'];
    const jobOf = (k: Kind) => (k === 'platform' ? job('platform') : k === 'quiet' ? job('platform', 0) : job('ceiling'));
    const tracing = process.env.BENCH_TRACE_STATEMENTS === '1';
    const sequential = settings.chunkRounds === 0 || Boolean(settings.profileDir) || pgStatements || tracing;
    interface Totals {
      result: ClientResult;
      /** this process's CPU: the server's (platform or ceiling) and its node-postgres work, the rounds' start and close
       * through the API included in both; the load is the child's */
      cpuMicros: number;
      /** how busy its event loop was (a run whose loop is far from busy while its submits take longer than the
       * ceiling's waits for something else) */
      active: number;
      idle: number;
      notes: string[];
    }
    const totals = new Map<Kind, Totals>(
      kinds.map((k) => [
        k,
        {
          result: { rounds: 0, submits: 0, busySeconds: 0, latencies: [], fromReply: [], fromStart: [], events: 0, failures: [] },
          cpuMicros: 0,
          active: 0,
          idle: 0,
          notes: [],
        },
      ]),
    );
    const enough = (t: Totals) => t.result.failures.length > 0 || (t.result.rounds >= settings.minRounds && t.result.busySeconds >= settings.seconds);
    const add = (t: Totals, r: ClientResult) => {
      const into = t.result;
      into.rounds += r.rounds;
      into.submits += r.submits;
      into.busySeconds += r.busySeconds;
      into.events += r.events;
      for (const v of r.latencies) into.latencies.push(v);
      for (const v of r.fromReply) into.fromReply.push(v);
      for (const v of r.fromStart) into.fromStart.push(v);
      into.failures.push(...r.failures);
    };
    console.log(sequential ? '' : `\ninterleaved: ${settings.chunkRounds} rounds of each at a time (${kinds.join(', ')}; the order turned round every cycle)`);
    if (!sequential) {
      // each warmed once, not measured
      for (const k of kinds) {
        const warm = await client.run({ ...jobOf(k), minRounds: 0, seconds: 0 });
        if (warm.failures.length) throw new Error(`warm-up (${k}): ${warm.failures[0]}`);
      }
    }
    const before = sequential ? null : await scans();
    for (let cycle = 0; kinds.some((k) => !enough(totals.get(k)!)) && !kinds.some((k) => totals.get(k)!.result.failures.length); cycle++) {
      for (const k of cycle % 2 ? [...kinds].reverse() : kinds) {
        const t = totals.get(k)!;
        await analyzed();
        const chunk = sequential ? jobOf(k) : { ...jobOf(k), warmupRounds: 0, minRounds: settings.chunkRounds, seconds: 0 };
        const profiler = settings.profileDir ? await startProfile() : null;
        const measure = async () => {
          const trace = tracing ? traceStatements() : null;
          const cpu = process.cpuUsage();
          const loop = performance.eventLoopUtilization();
          const result = await client.run(chunk);
          const used = process.cpuUsage(cpu);
          const elu = performance.eventLoopUtilization(loop);
          t.cpuMicros += used.user + used.system;
          t.active += elu.active;
          t.idle += elu.idle;
          if (trace) t.notes.push(`statements (the most time first):\n${trace.stop()}`);
          return result;
        };
        const run = sequential ? await scanned(measure) : { value: await measure(), scans: '' };
        add(t, run.value);
        if (run.scans) t.notes.push(run.scans);
        if (profiler) {
          const file = path.join(settings.profileDir, { platform: 'meeting-submit', quiet: 'meeting-quiet', ceiling: 'meeting-ceiling' }[k] + '.cpuprofile');
          t.notes.push(`CPU profile: ${await profiler.stop(file)}`);
        }
      }
    }
    if (before) {
      // the statistics collector reports a backend's counts at its transaction's end, at most every half second
      await new Promise((r) => setTimeout(r, 1100));
      const after = await scans();
      const text = MEETING_TABLES.map(
        (name) => `${name} ${after.get(name)!.seq - before.get(name)!.seq} (${after.get(name)!.tup - before.get(name)!.tup} rows)`,
      );
      console.log(`all runs, sequential scans: ${text.join(', ')}`);
    }
    const cpuText = (t: Totals) =>
      `server CPU ${(t.cpuMicros / 1000 / Math.max(1, t.result.submits)).toFixed(2)} ms per submit, event loop busy ${((t.active / Math.max(1, t.active + t.idle)) * 100).toFixed(0)}%` +
      t.notes.map((n) => `; ${n}`).join('');
    const real = totals.get('platform')!.result;
    console.log(`platform: ${describe(real)}; ${real.events} tally events on ${settings.screens} screens; ${cpuText(totals.get('platform')!)}`);
    const unwatched = totals.get('quiet')?.result ?? null;
    if (unwatched) console.log(`platform, no screens: ${describe(unwatched)}; ${cpuText(totals.get('quiet')!)}`);
    const ceiling = totals.get('ceiling')!.result;
    console.log(`ceiling:  ${describe(ceiling)}; ${cpuText(totals.get('ceiling')!)}`);

    // every submit counted: each closed round holds all the panel's ballots, submitted, with every vote
    const { rows: check } = await db.query<{ rounds: number; ballots: number; votes: number; short: number }>(
      `select count(distinct r.id)::int as rounds, count(b.id)::int as ballots,
              (select count(*)::int from ballot_votes) as votes,
              (select count(*)::int from meeting_rounds r2 where r2.status = 'closed'
                  and (select count(*) from ballots b2 where b2.round_id = r2.id and b2.status = 'submitted') <> $1) as short
         from meeting_rounds r left join ballots b on b.round_id = r.id and b.status = 'submitted'`,
      [settings.experts],
    );
    const c = check[0]!;
    console.log(
      `\nafter the runs: ${c.rounds} rounds, ${c.ballots} submitted ballots, ${c.votes} votes; rounds closed without all ${settings.experts} ballots submitted: ${c.short} (expected 1: round 1, where only the warm and the recorded submit ran)`,
    );

    const share = (rps(real) / rps(ceiling)) * 100;
    const p99 = percentile(real.latencies, 99);
    const factor = p99 / percentile(ceiling.latencies, 99);
    const delayP99 = percentile(real.fromReply, 99);
    const rows = [
      ['scenario', 'req/s', 'p50 ms', 'p99 ms', 'req/s % of ceiling', 'p99 × ceiling', 'target met'],
      [
        `【提交选票】 POST …/ballot/submit (${settings.experts} experts × ${real.rounds} rounds, ${votes.length} votes each, ${settings.screens} screens watching)`,
        rps(real).toFixed(0),
        ms(percentile(real.latencies, 50)),
        ms(p99),
        `${Math.floor(share)}%`,
        factor.toFixed(2),
        share >= TARGET_SHARE && factor <= TARGET_P99_FACTOR ? 'yes' : 'NO',
      ],
      [
        `  ceiling: bare Fastify + pg, same ${statements.length} statements (${ceiling.rounds} fresh rounds)`,
        rps(ceiling).toFixed(0),
        ms(percentile(ceiling.latencies, 50)),
        ms(percentile(ceiling.latencies, 99)),
        '',
        '',
        '',
      ],
    ];
    if (unwatched) {
      rows.splice(2, 0, [
        `  the same with no screen watching (${unwatched.rounds} rounds)`,
        rps(unwatched).toFixed(0),
        ms(percentile(unwatched.latencies, 50)),
        ms(percentile(unwatched.latencies, 99)),
        `(${Math.floor((rps(unwatched) / rps(ceiling)) * 100)}%)`,
        `(${(percentile(unwatched.latencies, 99) / percentile(ceiling.latencies, 99)).toFixed(2)})`,
        '',
      ]);
    }
    console.log(
      `\nResults (${new Date().toISOString().slice(0, 16)}Z, ${os.cpus().length} cores, load average now ${loadAverage()}; ` +
        `target: ≥ ${TARGET_SHARE}% of the ceiling's req/s and p99 ≤ ${TARGET_P99_FACTOR}× the ceiling's; delay p99 ≤ ${TARGET_DELAY_P99} ms)\n`,
    );
    console.log(table(rows));
    console.log(
      `\ntally delay over ${real.fromReply.length} (submit × screen) pairs: from the submit's reply p50 ${ms(percentile(real.fromReply, 50))} ms, ` +
        `p99 ${ms(delayP99)} ms, max ${ms(percentile(real.fromReply, 100))} ms; from its request start p50 ${ms(percentile(real.fromStart, 50))} ms, ` +
        `p99 ${ms(percentile(real.fromStart, 99))} ms; ${real.events} tally events seen on ${settings.screens} screens; ` +
        `target (p99 from the reply ≤ ${TARGET_DELAY_P99} ms) met: ${delayP99 <= TARGET_DELAY_P99 ? 'yes' : 'NO'}`,
    );
    console.log(`\nmeeting run done in ${secondsSince(started)} s`);
    const failures = [...real.failures, ...(unwatched?.failures ?? []), ...ceiling.failures];
    for (const f of failures) console.error(`FAILED: ${f}`);
    return failures.length === 0 && real.submits > 0 && ceiling.submits > 0;
  } finally {
    process.removeListener('SIGINT', onSigint);
    await cleanup();
  }
}
