/**
 * bench/stats: the 统计 dashboard's figures (GET /api/stats, server/usecases/stats.ts) at 100,000 applications, to
 * decide whether they can be answered in the request (target: well under ~200 ms) or need a cache.
 *
 *   npx tsx bench/stats.ts        (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test)
 *
 * Creates a fresh database, opens the real platform on it (migrations), generates the data of bench:query
 * (bench/data.ts: 200 units, 100,000 applications), varies the 申请书's 出生日期, 民族, 推荐领域, 学历 and 院士 so that
 * every breakdown has several groups, then times campaignStats for the organizer (unfiltered, by year, by 当前步骤,
 * by 工作单位) and for one unit: BENCH_RUNS runs each after one warm-up, sequentially, each with a cold cache; prints min,
 * median and max; then a kept count's cost.
 * Not a test: prints figures, asserts nothing. The database is dropped at the end unless BENCH_KEEP=1.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { eq } from 'drizzle-orm';
import { loadConfig } from '../server/config';
import { openPlatform } from '../server/services';
import { hashPassword } from '../server/auth/passwords';
import { presentSessionUser } from '../server/auth/sessions';
import { units, users } from '../server/db/schema';
import { campaignStats } from '../server/usecases/stats';
import { statsQuerySchema } from '../core/stats';
import { generate, INSTITUTIONS, ORGANIZER_USERNAME, UNIT_USERNAME } from './data';

const serverUrl = process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const applications = Number(process.env.BENCH_APPLICATIONS ?? 100_000);
const runs = Number(process.env.BENCH_RUNS ?? 15);

/** BENCH_DB: an existing database left by BENCH_KEEP=1 (no generation; kept afterwards) */
const reuse = process.env.BENCH_DB ?? '';
const dbName = reuse || `bench_stats_${Date.now().toString(36)}`;
const dbUrl = new URL(serverUrl);
dbUrl.pathname = `/${dbName}`;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xjkx-bench-stats-'));

const admin = new pg.Client({ connectionString: serverUrl });
await admin.connect();
const version = (await admin.query<{ server_version: string }>('show server_version')).rows[0]!.server_version;
if (!reuse) await admin.query(`create database ${dbName}`);
await admin.end();

async function generateData(t: number) {
  const gen = new pg.Client({ connectionString: dbUrl.toString() });
  await gen.connect();
  await generate(gen, { units: 200, applications, passwordHash: await hashPassword('Bench#2023pass') });
  await gen.query(`update applications set form = form || jsonb_build_object(
      'birthDate', (date '1958-01-01' + (abs(hashtext('b' || seq)) % 12000))::text,
      'ethnicity', (array['汉族','维吾尔族','哈萨克族','回族','蒙古族'])[1 + seq % 5],
      'field', (array['前沿领域和基础研究','国家重大需求与关键核心技术','经济主战场与成果转化','人民生命健康'])[1 + seq % 4],
      'education', (array['博士研究生','硕士研究生','大学本科','大学专科'])[1 + seq % 4],
      'isAcademician', seq % 97 = 0)`);
  await gen.query('vacuum analyze applications');
  await gen.end();
  console.log(`generated 200 units and ${applications} applications in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

const platform = await openPlatform(loadConfig({ ...process.env, DATABASE_URL: dbUrl.toString(), DATA_DIR: dataDir, LOG_LEVEL: 'silent' }));
try {
  console.log(`bench:stats — ${os.cpus().length} cores, Node ${process.version}, PostgreSQL ${version}; load average ${os.loadavg()[0]!.toFixed(2)}`);
  let t = performance.now();
  if (!reuse) await generateData(t);
  const s = platform.services;
  const sessionOf = async (username: string) => {
    const [u] = await s.db.select().from(users).where(eq(users.username, username));
    const unit = u!.unitId ? (await s.db.select().from(units).where(eq(units.id, u!.unitId)))[0]! : null;
    return presentSessionUser(u!, unit);
  };
  const org = await sessionOf(ORGANIZER_USERNAME);
  const unit = await sessionOf(UNIT_USERNAME(1));

  const scenarios: [string, typeof org, Record<string, unknown>][] = [
    ['organizer, no filter', org, {}],
    ['organizer, 年度 2023', org, { year: '2023' }],
    ['organizer, 当前步骤 提交到推荐单位', org, { status: 'submitted_to_unit' }],
    ['organizer, 工作单位', org, { workUnit: INSTITUTIONS[10] }],
    ['unit (500 applications)', unit, {}],
  ];
  console.log('the count itself (no cache):');
  console.log('scenario                              |  min ms | median ms | max ms | total');
  for (const [name, user, raw] of scenarios) {
    const q = statsQuerySchema.parse(raw);
    const first = await campaignStats({ ...s }, user, q); // warm-up (plans, PostgreSQL's buffers)
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      t = performance.now();
      await campaignStats({ ...s }, user, q); // a Services object of its own: a cold cache, the count itself
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const f = (n: number) => n.toFixed(1).padStart(7);
    console.log(`${name.padEnd(38)}| ${f(times[0]!)} | ${f(times[Math.floor(times.length / 2)]!).padStart(9)} | ${f(times.at(-1)!)} | ${first.total}`);
  }
  // what a dashboard request costs once the organizer's count is kept (server/usecases/stats.ts CACHE_FROM_MS)
  const q = statsQuerySchema.parse({});
  await campaignStats(s, org, q);
  t = performance.now();
  for (let i = 0; i < 100; i++) await campaignStats(s, org, q);
  console.log(`organizer, no filter, kept: ${((performance.now() - t) / 100).toFixed(2)} ms per request`);
} finally {
  await platform.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  if (process.env.BENCH_KEEP !== '1' && !reuse) {
    const c = new pg.Client({ connectionString: serverUrl });
    await c.connect();
    await c.query(`drop database if exists ${dbName} with (force)`);
    await c.end();
  } else console.log(`kept database ${dbName}`);
}
