// What the platform benches (bench/query.ts, bench/review.ts, bench/meeting.ts) share: the environment's numbers, the
// machine's load, a child process that runs jobs (the load generator, the meeting's clients), logging in through the
// real API, the bench's own database and platform, waiting for PostgreSQL to settle, a CPU profile, the recording of
// a request's statements (for the bare-SQL ceiling) and the plain-text tables of the reports.
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import inspector from 'node:inspector';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { loadConfig } from '../server/config';
import { openPlatform, type Platform } from '../server/services';
import type { LoadResult, LoadSpec } from './load';

/** A whole number from the environment (at least `min`), or the fallback. */
export function intEnv(name: string, fallback: number, min = 1): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} should be an integer of at least ${min}, not "${raw}"`);
  return n;
}

export const secondsSince = (t: number) => ((performance.now() - t) / 1000).toFixed(1);
export const loadAverage = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/**
 * A child process that runs jobs one message at a time and answers each with its result: bench/load.ts (the load
 * generator, `{ id, spec }`) or bench/meeting.ts's clients (`{ id, job }`). fork keeps tsx's loader (execArgv).
 */
export class ChildRunner<Job, Result> {
  private child: ChildProcess;
  private seq = 0;
  private pending = new Map<number, { resolve: (r: Result) => void; reject: (e: Error) => void }>();

  constructor(
    modulePath: string,
    private readonly key: 'spec' | 'job',
    label: string,
    env?: NodeJS.ProcessEnv,
  ) {
    this.child = fork(modulePath, [], env ? { env } : {});
    this.child.on('message', (m: { id: number; result?: Result; error?: string }) => {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.result) p?.resolve(m.result);
      else p?.reject(new Error(m.error));
    });
    this.child.on('exit', (code) => {
      for (const p of this.pending.values()) p.reject(new Error(`${label} exited (${code})`));
      this.pending.clear();
    });
  }

  run(job: Job): Promise<Result> {
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ id, [this.key]: job });
    });
  }

  close() {
    if (this.child.connected) this.child.disconnect();
  }
}

/** The load generator (bench/load.ts) in its own process, so that it takes no CPU time from the platform's. */
export class LoadGenerator extends ChildRunner<LoadSpec, LoadResult> {
  constructor() {
    super(fileURLToPath(new URL('./load.ts', import.meta.url)), 'spec', 'load generator');
  }
}

// ---------------------------------------------------------------------------------------------------
// Logging in through the real API

export function cookieFrom(res: Response, name: string): string {
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(';');
    const eq = pair!.indexOf('=');
    if (pair!.slice(0, eq).trim() === name) return pair!.slice(eq + 1);
  }
  throw new Error(`no ${name} cookie in the reply of ${res.url}`);
}

/** A browser's session after 登录: its cookies (csrf, csrf_secret, sid), the CSRF token and the reply's user. */
export interface LoggedIn<U> {
  cookie: string;
  csrf: string;
  sid: string;
  user: U;
}

export async function logIn<U extends { id: string }>(baseUrl: string, username: string, password: string, captcha: string): Promise<LoggedIn<U>> {
  const me = await fetch(`${baseUrl}/api/auth/me`);
  await me.text();
  const before = { csrf: cookieFrom(me, 'csrf'), secret: cookieFrom(me, 'csrf_secret') };
  const res = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: `csrf=${before.csrf}; csrf_secret=${before.secret}`, 'x-csrf-token': before.csrf },
    body: JSON.stringify({ username, password, captcha }),
  });
  if (!res.ok) throw new Error(`login of ${username} failed: ${res.status} ${await res.text()}`);
  // log-in hands out a new CSRF secret and a token bound to the new session (docs/SECURITY.md)
  const [sid, csrf, secret] = [cookieFrom(res, 'sid'), cookieFrom(res, 'csrf'), cookieFrom(res, 'csrf_secret')];
  const { user } = (await res.json()) as { user: U };
  return { cookie: `csrf=${csrf}; csrf_secret=${secret}; sid=${sid}`, csrf, sid, user };
}

// ---------------------------------------------------------------------------------------------------
// The bench's own database and platform

/** What is undone at the end (or on Ctrl-C), last first. */
export class Cleanups {
  private list: (() => Promise<unknown> | unknown)[] = [];
  push(fn: () => Promise<unknown> | unknown) {
    this.list.push(fn);
  }
  async run() {
    while (this.list.length) await Promise.resolve(this.list.pop()!()).catch((err: unknown) => console.error('cleanup:', err));
  }
}

/**
 * A new database `name` on the server (dropped at cleanup unless `keep`) and a data directory; returns its URL and
 * the server's version.
 */
export async function benchDatabase(serverUrl: string, name: string, keep: boolean, cleanups: Cleanups) {
  const dbUrl = new URL(serverUrl);
  dbUrl.pathname = `/${name}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `xjkx-${name.replace(/_/g, '-')}-`));
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  const { rows } = await admin.query<{ server_version: string }>('show server_version');
  await admin.query(`create database ${name}`);
  await admin.end();
  cleanups.push(async () => {
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (keep) return console.log(`\nkept database ${name} (BENCH_KEEP=1): ${dbUrl.toString()}`);
    const c = new pg.Client({ connectionString: serverUrl });
    await c.connect();
    await c.query(`drop database if exists ${name} with (force)`);
    await c.end();
  });
  return { dbUrl, dataDir, serverVersion: rows[0]!.server_version };
}

/** The platform on the bench's database (migrations applied), quiet, with the test captcha, no login limit and no required TOTP. */
export async function benchPlatform(dbUrl: URL, dataDir: string, captcha: string, cleanups: Cleanups): Promise<Platform> {
  const t = performance.now();
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: dbUrl.toString(),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    CAPTCHA_TEST_ANSWER: captcha,
    RATE_LIMIT_LOGIN: '100000',
    // the benches measure the work after log-in: no role must first enrol its authenticator (TOTP, issue 16)
    MFA_REQUIRED_ROLES: '',
  });
  const platform = await openPlatform(config);
  cleanups.push(() => platform.close());
  console.log(`platform opened (migrations applied) in ${secondsSince(t)} s`);
  return platform;
}

/**
 * Every candidate of the campaign in `status` and its `window` (settings.windows) open from `from` to `to` days
 * around today (whole days).
 */
export async function openStage(client: pg.Client, campaignId: string, status: string, window: string, from: number, to: number) {
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  await client.query(`update applications set status = $2 where campaign_id = $1`, [campaignId, status]);
  await client.query(`update campaigns set settings = jsonb_set(settings, array['windows', $2::text], $3::jsonb) where id = $1`, [
    campaignId,
    window,
    JSON.stringify({ start: day(from), end: day(to) }),
  ]);
}

/** `n` 评审专家 <prefix>1…n (password hash given, 手机 137…), each with a profile of their own 工作单位. */
export async function seedExperts(client: pg.Client, passwordHash: string, prefix: string, n: number) {
  await client.query(
    `insert into users (username, password_hash, role, real_name, mobile, email)
     select $3 || n, $1, 'expert', '评审专家' || n, '137' || lpad(n::text, 8, '0'), $3 || n || '@example.cn'
       from generate_series(1, $2::int) n`,
    [passwordHash, n, prefix],
  );
  await client.query(
    `insert into expert_profiles (user_id, work_unit, work_unit_norm, field)
     select id, '评审专家所在单位' || substr(username, $1::int), '评审专家所在单位' || substr(username, $1::int), '经济主战场与成果转化'
       from users where role = 'expert' and username like $2`,
    [prefix.length + 1, `${prefix}%`],
  );
}

/** Until no other client backend of the database is busy (a LISTEN connection waits, it is not work). */
export async function untilIdle(db: pg.Pool, dbName: string, timeoutMs = 60_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const { rows } = await db.query<{ busy: number }>(
      `select count(*)::int as busy from pg_stat_activity where datname = $1 and backend_type = 'client backend' and pid <> pg_backend_pid()
          and state <> 'idle' and query not ilike 'listen%'`,
      [dbName],
    );
    if (rows[0]!.busy === 0) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A CPU profile of this process (node:inspector), written as a .cpuprofile by stop(). */
export async function startProfile() {
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
// The statements of a request, recorded on node-postgres (for the bare-SQL ceilings of review.ts and meeting.ts)

export interface Statement {
  config: pg.QueryConfig & { rowMode?: string; types?: unknown };
  values: unknown[] | undefined;
  /** the rows it answered (filled when the query resolves) */
  rows?: unknown[];
}

export async function record(run: () => Promise<void>): Promise<Statement[]> {
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  const out: Statement[] = [];
  proto.query = function (this: unknown, ...args: unknown[]) {
    const [first, second] = args;
    let st: Statement | null = null;
    if (typeof first === 'string') st = { config: { text: first }, values: Array.isArray(second) ? second : undefined };
    else if (first && typeof first === 'object' && 'text' in first) {
      const c = first as Statement['config'];
      st = { config: { ...c, values: undefined }, values: Array.isArray(second) ? second : c.values };
    }
    if (st) out.push(st);
    const result = original.apply(this, args);
    if (st && result && typeof (result as Promise<unknown>).then === 'function') {
      const s = st;
      (result as Promise<{ rows?: unknown[] }>).then(
        (r) => (s.rows = r?.rows),
        () => undefined,
      );
    }
    return result;
  };
  try {
    await run();
  } finally {
    proto.query = original;
  }
  return out;
}

/**
 * Every statement sent through node-postgres while it runs, summed by its text's start: how many, the mean time from
 * its send to its reply's callback (the database's time, the wire, and the wait of the reply for this process's event
 * loop), and the mean time this process took on the same connection between the previous statement's reply and this
 * send (its own work in between). BENCH_TRACE_STATEMENTS=1 prints it for bench:review's meeting runs.
 */
export function traceStatements(): { stop(): string } {
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  const stats = new Map<string, { n: number; sent: number; gap: number }>();
  const lastReply = new WeakMap<object, number>();
  proto.query = function (this: object, ...args: unknown[]) {
    const [first] = args;
    const text = typeof first === 'string' ? first : first && typeof first === 'object' && 'text' in first ? String(first.text) : '?';
    const key = text.replace(/\s+/g, ' ').slice(0, 50);
    const start = performance.now();
    const previous = lastReply.get(this);
    const result = original.apply(this, args);
    if (result && typeof (result as Promise<unknown>).then === 'function') {
      (result as Promise<unknown>).then(
        () => {
          const end = performance.now();
          lastReply.set(this, end);
          const st = stats.get(key) ?? { n: 0, sent: 0, gap: 0 };
          st.n++;
          st.sent += end - start;
          // within a request: a connection's gap of more than a second is its idle time in the pool
          if (previous !== undefined && start - previous < 1000) st.gap += start - previous;
          stats.set(key, st);
        },
        () => undefined,
      );
    }
    return result;
  };
  return {
    stop() {
      proto.query = original;
      const rows = [...stats].sort((a, b) => b[1].sent - a[1].sent).slice(0, 20);
      return rows
        .map(
          ([k, v]) =>
            `    ${k.padEnd(52)} ×${String(v.n).padStart(5)}  send→reply ${(v.sent / v.n).toFixed(2).padStart(6)} ms  before it ${(v.gap / v.n).toFixed(2).padStart(6)} ms`,
        )
        .join('\n');
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Plain-text tables (a CJK character is two columns wide)

const width = (s: string) => [...s].reduce((n, ch) => n + (/[\u2E80-\uFFEF]/.test(ch) ? 2 : 1), 0);
export const pad = (s: string, w: number, right = false) => (right ? ' '.repeat(Math.max(0, w - width(s))) + s : s + ' '.repeat(Math.max(0, w - width(s))));

export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => width(r[i] ?? ''))));
  const line = (r: string[]) => r.map((c, i) => pad(c, widths[i]!, i > 0)).join(' | ');
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.slice(1).map(line)].join('\n');
}
