/**
 * `npm run bench:export` — the 100,000-row 申报表汇总表 through its job, and the 30 certificates as a ZIP.
 *
 * 1. Creates a fresh database bench_export_<timestamp> on BENCH_DATABASE_URL's server (default the local test
 *    PostgreSQL) and opens the real platform on it (openPlatform → buildApp, whose job runner runs in this process)
 *    on a free loopback port.
 * 2. Generates 100,000 applications across 200 units with set-based SQL (bench/data.ts, as bench:query), gives each an
 *    encrypted 身份证号码 (one ciphertext for all: every row is still decrypted on its own), then VACUUM ANALYZE.
 * 3. Logs in as the organizer through the API, POST /api/exports/applications with every column (the widest sheet),
 *    polls GET /api/jobs/:id until done while sampling this process's RSS every 50 ms, downloads the file and counts
 *    its rows; prints the time, the rows per second, the file size and the RSS growth over the baseline (target ≤ 64 MB).
 * 4. Inserts 30 certificates (25 当选, 5 全国推荐) of the campaign and runs POST /api/certificates/campaigns/:id/zip
 *    (helper C's job: renders each PDF, then zips them), timed the same way.
 * Prints figures and exits 0 whether or not the target is met. The database is dropped unless BENCH_KEEP=1.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { readSheet } from 'read-excel-file/node';
import { EXPORT_COLUMN_KEYS } from '../core/exports';
import { buildApp } from '../server/app';
import { hashPassword } from '../server/auth/passwords';
import { loadConfig } from '../server/config';
import { openPlatform } from '../server/services';
import { generate, ORGANIZER_USERNAME } from './data';

const CAPTCHA = 'x';
const PASSWORD = 'Bench#2023pass';
const TARGET_RSS_MB = 64;
const settings = {
  serverUrl: process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test',
  units: Number(process.env.BENCH_UNITS ?? 200),
  applications: Number(process.env.BENCH_APPLICATIONS ?? 100_000),
  keep: process.env.BENCH_KEEP === '1',
};

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
const secondsSince = (t: number) => ((performance.now() - t) / 1000).toFixed(1);
const loadAverage = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

function cookieFrom(res: Response, name: string): string {
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(';');
    const eq = pair!.indexOf('=');
    if (pair!.slice(0, eq).trim() === name) return pair!.slice(eq + 1);
  }
  throw new Error(`no ${name} cookie in the reply of ${res.url}`);
}

async function login(baseUrl: string, username: string) {
  const me = await fetch(`${baseUrl}/api/auth/me`);
  const before = { csrf: cookieFrom(me, 'csrf'), secret: cookieFrom(me, 'csrf_secret') };
  const res = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: `csrf=${before.csrf}; csrf_secret=${before.secret}`, 'x-csrf-token': before.csrf },
    body: JSON.stringify({ username, password: PASSWORD, captcha: CAPTCHA }),
  });
  if (!res.ok) throw new Error(`login of ${username} failed: ${res.status} ${await res.text()}`);
  const [sid, csrf, secret] = [cookieFrom(res, 'sid'), cookieFrom(res, 'csrf'), cookieFrom(res, 'csrf_secret')];
  return { cookie: `csrf=${csrf}; csrf_secret=${secret}; sid=${sid}`, csrf };
}

type Session = Awaited<ReturnType<typeof login>>;
interface JobReply {
  id: string;
  status: string;
  error: string | null;
  progress: { done: number; total: number | null };
  result: { name: string; size: number } | null;
  downloadUrl: string | null;
}

/** Starts a job with `post`, follows it to its end sampling RSS, downloads its file. */
async function runJob(baseUrl: string, session: Session, url: string, body: unknown) {
  global.gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const heapBase = process.memoryUsage().heapUsed;
  let heapPeak = heapBase;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peak = Math.max(peak, m.rss);
    heapPeak = Math.max(heapPeak, m.heapUsed);
  }, 50);
  const t = performance.now();
  const cpu = process.cpuUsage();
  const res = await fetch(`${baseUrl}${url}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: session.cookie, 'x-csrf-token': session.csrf },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  let job = (await res.json()) as JobReply;
  const answeredMs = performance.now() - t;
  while (job.status === 'queued' || job.status === 'running') {
    await new Promise((r) => setTimeout(r, 200));
    job = (await (await fetch(`${baseUrl}/api/jobs/${job.id}`, { headers: { cookie: session.cookie } })).json()) as JobReply;
  }
  const seconds = (performance.now() - t) / 1000;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  clearInterval(sampler);
  if (job.status !== 'done') throw new Error(`job ${job.id} ${job.status}: ${job.error}`);
  const file = Buffer.from(await (await fetch(`${baseUrl}${job.downloadUrl}`, { headers: { cookie: session.cookie } })).arrayBuffer());
  return { job, seconds, cpuSeconds, answeredMs, growth: peak - baseline, heapGrowth: heapPeak - heapBase, baseline, peak, file };
}

async function main() {
  const dbName = `bench_export_${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}`;
  const dbUrl = new URL(settings.serverUrl);
  dbUrl.pathname = `/${dbName}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xjkx-bench-export-'));
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
      if (settings.keep) return console.log(`kept database ${dbName} (BENCH_KEEP=1)`);
      const c = new pg.Client({ connectionString: settings.serverUrl });
      await c.connect();
      await c.query(`drop database if exists ${dbName} with (force)`);
      await c.end();
    });
    console.log(
      `bench:export — ${os.cpus().length} cores, Node ${process.version}, PostgreSQL ${versionRows[0]!.server_version}; database ${dbName}; ` +
        `load average ${loadAverage()} (other work on the machine skews every figure)${global.gc ? '' : '; run with --expose-gc for a steadier baseline'}`,
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
    const platform = await openPlatform(config);
    cleanups.push(() => platform.close());
    console.log(`platform opened (migrations applied) in ${secondsSince(t)} s`);

    t = performance.now();
    const gen = new pg.Client({ connectionString: dbUrl.toString() });
    await gen.connect();
    let campaignId: string;
    try {
      ({ campaignId } = await generate(gen, { units: settings.units, applications: settings.applications, passwordHash: await hashPassword(PASSWORD) }));
      // an encrypted 身份证号码 on every row (decrypted row by row by the export, like real data)
      await gen.query('update applications set id_enc = $1', [platform.services.cipher.encrypt('650102198005011234')]);
      // bench/data.ts leaves a tenth as drafts, which the organizer's 查询申报表 (and so the 汇总表) does not list: they
      // are put at a unit, so that the export has all 100,000 rows
      await gen.query(
        `update applications set status = 'submitted_to_unit', unit_id = (select id from units order by name limit 1) where status = 'applicant'`,
      );
      await gen.query('vacuum analyze applications');
    } finally {
      await gen.end();
    }
    console.log(
      `generated ${settings.units} units and ${settings.applications} applications (+ 身份证号码, drafts put at a unit, VACUUM ANALYZE) in ${secondsSince(t)} s`,
    );

    const app = await buildApp(platform.services);
    cleanups.push(() => app.close());
    const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    const org = await login(baseUrl, ORGANIZER_USERNAME);

    // warm-up: a small export (the modules and statements the big one uses)
    await runJob(baseUrl, org, '/api/exports/applications', { keyword: 'ZMKJ20231', columns: ['number'] });

    const summary = await runJob(baseUrl, org, '/api/exports/applications', { columns: EXPORT_COLUMN_KEYS });
    const rows = (await readSheet(summary.file)).length - 1;
    console.log(
      `\n汇总表 (${EXPORT_COLUMN_KEYS.length} columns, batches of ${process.env.EXPORT_BATCH_ROWS || 250} rows, every application the organizer's 查询申报表 lists): ${rows} rows in ${summary.seconds.toFixed(1)} s, of which the server process's CPU ${summary.cpuSeconds.toFixed(1)} s ` +
        `(${Math.round(rows / summary.seconds)} rows/s; the POST answered in ${summary.answeredMs.toFixed(0)} ms), ${mb(summary.file.length)} MB .xlsx; ` +
        `RSS ${mb(summary.baseline)} → peak ${mb(summary.peak)} MB: growth ${mb(summary.growth)} MB, JS heap growth ${mb(summary.heapGrowth)} MB (target ≤ ${TARGET_RSS_MB} MB: ${summary.growth <= TARGET_RSS_MB * 1024 * 1024 ? 'met' : 'NOT met'})`,
    );

    // 30 certificates of the campaign (25 当选, 5 全国推荐人选), not yet rendered: the ZIP job renders and zips them
    const db = new pg.Client({ connectionString: dbUrl.toString() });
    await db.connect();
    try {
      await db.query(
        `insert into certificates (number, campaign_id, application_id, kind, name, title, year, issued_on)
         select case when n <= 25 then 'XJZMKJ-2023-' || lpad(n::text, 3, '0') else 'XJZMKJ-2023-QG-' || lpad((n - 25)::text, 2, '0') end,
                $1, a.id, case when n <= 25 then 'winner' else 'national' end, a.applicant_name,
                case when n <= 25 then '2023年“新疆最美科技工作者”' else '2023年全国“最美科技工作者”推荐人选' end, 2023, '2023-05-30'
           from (select id, applicant_name, row_number() over (order by seq) as n from applications where status = 'submitted_to_org' order by seq limit 30) a`,
        [campaignId!],
      );
    } finally {
      await db.end();
    }
    try {
      const zip = await runJob(baseUrl, org, `/api/certificates/campaigns/${campaignId!}/zip`, {});
      console.log(`证书 ZIP (30 certificates rendered then zipped): ${zip.seconds.toFixed(1)} s, ${mb(zip.file.length)} MB; RSS growth ${mb(zip.growth)} MB`);
      const again = await runJob(baseUrl, org, `/api/certificates/campaigns/${campaignId!}/zip`, {});
      console.log(`证书 ZIP again (already rendered, only zipped): ${again.seconds.toFixed(1)} s, ${mb(again.file.length)} MB`);
    } catch (err) {
      console.log(`证书 ZIP: not run (${(err as Error).message})`);
    }
    console.log(`\nload average now ${loadAverage()}`);
  } finally {
    await cleanup();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
