/**
 * `npm run bench:public` — the public winners pages (issue 15, 2.) under load, beside the same bytes as a static file.
 *
 * 1. Opens the real platform (config → openPlatform → buildApp) on a fresh database: PostgreSQL (a database
 *    bench_public_<timestamp> on BENCH_DATABASE_URL's server, dropped at the end) or, with BENCH_DB=pglite, the
 *    embedded PGlite in memory.
 * 2. Publishes a campaign of BENCH_WINNERS (default 30) winners: applicants and 申请书 through the factories, then a
 *    publications row and winner_profiles with a 宣传稿 of about 1,500 characters, two photos and a video each (ids
 *    only: the bench fetches the HTML, not the media).
 * 3. Fetches a winner's page and the gallery once, and writes exactly those bytes (with their .br and .gz copies) into
 *    the web dist directory, which the same server serves with @fastify/static (app.ts: preCompressed): the static file.
 * 4. For each page: autocannon (bench/load.ts, in a child process) for BENCH_DURATION s with BENCH_CONNECTIONS
 *    connections, `Accept-Encoding: br, gzip` as a browser sends, against the page and against its static copy.
 *    Prints requests/s, the page's share of the static file's, p50 and p99. Targets: ≥ 50 %, p99 ≤ 20 ms.
 *
 * Not a test: it prints figures and exits 0 whether or not the targets are met.
 */
import { fork, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import pg from 'pg';
import { loadConfig } from '../server/config';
import { buildApp } from '../server/app';
import { openPlatform } from '../server/services';
import { publications, winnerProfiles } from '../server/db/schema';
import { buildApplicant, buildApplication, buildOrganizer, completeForm } from '../server/testing/factories';
import { currentCampaign } from '../server/usecases/campaigns';
import type { LoadResult, LoadSpec } from './load';

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} should be a positive integer, not "${raw}"`);
  return n;
}

const settings = {
  serverUrl: process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test',
  pglite: process.env.BENCH_DB === 'pglite',
  duration: intEnv('BENCH_DURATION', 10),
  connections: intEnv('BENCH_CONNECTIONS', 10),
  warmup: intEnv('BENCH_WARMUP', 2),
  winners: intEnv('BENCH_WINNERS', 30),
};

const TARGET_SHARE = 50;
const TARGET_P99_MS = 20;
const HEADERS = { 'accept-encoding': 'br, gzip', accept: 'text/html' };

const loadAverage = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** autocannon in a child process (bench/load.ts), so that generating load does not share the servers' event loop. */
class LoadGenerator {
  private child: ChildProcess;
  private seq = 0;
  private pending = new Map<number, { resolve: (r: LoadResult) => void; reject: (e: Error) => void }>();

  constructor() {
    this.child = fork(fileURLToPath(new URL('./load.ts', import.meta.url)));
    this.child.on('message', (m: { id: number; result?: LoadResult; error?: string }) => {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.result) p?.resolve(m.result);
      else p?.reject(new Error(m.error));
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

const PARAGRAPH =
  '扎根南疆二十余年，带领团队在盐碱地改良、节水灌溉和抗旱棉花育种上取得系统性突破，培育新品种六个，累计推广八百万亩，帮助数万户农民增收。' +
  '她常年住在试验田旁，与农民同吃同住，手把手传授技术，被群众亲切地称为“棉花妈妈”。';
const ARTICLE = Array.from({ length: 6 }, () => PARAGRAPH).join('\n\n');

async function main() {
  const dbName = `bench_public_${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}`;
  const dbUrl = new URL(settings.serverUrl);
  dbUrl.pathname = `/${dbName}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xjkx-bench-public-'));
  const webDist = path.join(dataDir, 'web');
  fs.mkdirSync(webDist, { recursive: true });
  fs.writeFileSync(path.join(webDist, 'index.html'), '<!doctype html><title>bench</title>');

  const cleanups: (() => Promise<unknown> | unknown)[] = [() => fs.rmSync(dataDir, { recursive: true, force: true })];
  const cleanup = async () => {
    while (cleanups.length) await Promise.resolve(cleanups.pop()!()).catch((err: unknown) => console.error('cleanup:', err));
  };
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));

  try {
    let dbLabel = 'PGlite (in memory)';
    if (!settings.pglite) {
      const admin = new pg.Client({ connectionString: settings.serverUrl });
      await admin.connect();
      const { rows } = await admin.query<{ server_version: string }>('show server_version');
      await admin.query(`create database ${dbName}`);
      await admin.end();
      dbLabel = `PostgreSQL ${rows[0]!.server_version} (database ${dbName})`;
      cleanups.push(async () => {
        const c = new pg.Client({ connectionString: settings.serverUrl });
        await c.connect();
        await c.query(`drop database if exists ${dbName} with (force)`);
        await c.end();
      });
    }
    console.log(
      `bench:public — ${os.cpus().length} cores, Node ${process.version}, ${dbLabel}; ${settings.connections} connections, ` +
        `${settings.duration} s per run after a ${settings.warmup} s warm-up; load average ${loadAverage()} (other work on the machine skews every figure)`,
    );
    const config = loadConfig({
      ...process.env,
      ...(settings.pglite ? { DATABASE_URL: '' } : { DATABASE_URL: dbUrl.toString() }),
      DATA_DIR: dataDir,
      WEB_DIST: webDist,
      LOG_LEVEL: 'silent',
      PUBLIC_URL: 'https://kxgz.example.cn',
    });
    const platform = await openPlatform(config, { inMemoryDb: settings.pglite });
    cleanups.push(() => platform.close());
    const s = platform.services;

    // a published campaign of settings.winners winners (what 发布 leaves: publications + winner_profiles)
    const campaign = await currentCampaign(s.db);
    const org = await buildOrganizer(s);
    const profiles = [];
    for (let i = 0; i < settings.winners; i++) {
      const name = `获奖者${String(i + 1).padStart(2, '0')}`;
      const applicant = await buildApplicant(s, { realName: name });
      const app = await buildApplication(s, applicant.user, { form: completeForm({ name }), pledged: true });
      profiles.push({
        applicationId: app.id,
        campaignId: campaign.id,
        slug: String(i + 1).padStart(2, '0'),
        position: i + 1,
        name,
        workUnit: `新疆维吾尔自治区第${i + 1}研究所`,
        field: '经济主战场与成果转化',
        national: i < Math.ceil(settings.winners / 3),
        article: `${name}同志${ARTICLE}`,
        photoIds: [crypto.randomUUID(), crypto.randomUUID()],
        videoIds: [crypto.randomUUID()],
      });
    }
    await s.db.insert(publications).values({ campaignId: campaign.id, status: 'published', publishedAt: new Date(), actorId: org.user.id });
    await s.db.insert(winnerProfiles).values(profiles);

    const pages = [
      { label: "a winner's page", path: `/results/${campaign.year}/${profiles[0]!.slug}`, file: 'bench-winner.html' },
      { label: 'the gallery', path: `/results/${campaign.year}`, file: 'bench-gallery.html' },
    ];
    // the static copies: the page's own bytes, with the .br and .gz copies @fastify/static serves by Accept-Encoding.
    // Rendered by a first app: @fastify/static (wildcard: false) knows the files that exist when the app is built.
    const renderer = await buildApp(s, { jobRunner: false });
    for (const p of pages) {
      const res = await renderer.inject({ method: 'GET', url: p.path, headers: { 'accept-encoding': 'identity' } });
      if (res.statusCode !== 200) throw new Error(`${p.path}: ${res.statusCode}`);
      fs.writeFileSync(path.join(webDist, p.file), res.rawPayload);
      fs.writeFileSync(path.join(webDist, `${p.file}.br`), zlib.brotliCompressSync(res.rawPayload));
      fs.writeFileSync(path.join(webDist, `${p.file}.gz`), zlib.gzipSync(res.rawPayload, { level: 9 }));
    }
    await renderer.close();

    const app = await buildApp(s, { jobRunner: false });
    cleanups.push(() => app.close());
    const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    for (const p of pages) {
      const real = await app.inject({ method: 'GET', url: p.path, headers: HEADERS });
      const stat = await app.inject({ method: 'GET', url: `/${p.file}`, headers: HEADERS });
      const same = (await app.inject({ method: 'GET', url: p.path })).body === (await app.inject({ method: 'GET', url: `/${p.file}` })).body;
      console.log(
        `${p.label} ${p.path}: ${real.headers['content-encoding']} ${real.rawPayload.length} bytes; ` +
          `static /${p.file}: ${stat.statusCode} ${stat.headers['content-encoding']} ${stat.rawPayload.length} bytes; same HTML: ${same}`,
      );
    }

    const load = new LoadGenerator();
    cleanups.push(() => load.close());
    const run = async (p: string) => {
      const request = { method: 'GET' as const, path: p, headers: HEADERS };
      await load.run({ baseUrl, connections: settings.connections, durationSeconds: settings.warmup, request });
      return load.run({ baseUrl, connections: settings.connections, durationSeconds: settings.duration, request });
    };
    const rows: string[][] = [['page', 'req/s', 'static req/s', 'share', 'p50 ms', 'p99 ms', 'static p99 ms', 'targets (≥50%, p99 ≤20 ms)']];
    for (const p of pages) {
      const stat = await run(`/${p.file}`);
      const real = await run(p.path);
      for (const r of [stat, real]) if (r.non2xx || r.errors) console.log(`failures: ${r.non2xx} non-2xx, ${r.errors} errors; first: ${r.firstFailure}`);
      const share = (100 * real.rps) / stat.rps;
      const met = share >= TARGET_SHARE && real.p99 <= TARGET_P99_MS;
      rows.push([
        p.label,
        real.rps.toFixed(0),
        stat.rps.toFixed(0),
        `${share.toFixed(0)}%`,
        real.p50.toFixed(2),
        real.p99.toFixed(2),
        stat.p99.toFixed(2),
        met ? 'met' : 'missed',
      ]);
    }
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    console.log();
    for (const r of rows) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
    console.log(`\nload average after: ${loadAverage()}`);
  } finally {
    await cleanup();
  }
}

await main();
