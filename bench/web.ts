/**
 * bench/web: Lighthouse (mobile defaults: a mid-range phone, slow 4G, 4× CPU slowdown) on the main page of
 * each role, against the real server on a fresh data directory, beside the figures of issue 11 (item 9).
 *
 *   npm run build:web && npm run bench:web     # it builds nothing itself: web/dist must be there
 *   BENCH_WEB_RUNS=5 npm run bench:web         # runs per page (default 3; the median is printed)
 *   BENCH_WEB_PAGES=login,edit npm run bench:web
 *   BENCH_WEB_CPU=calibrated npm run bench:web  # the CPU slowdown scaled to this machine (below)
 *
 * Lighthouse's 4× CPU slowdown is meant for a host in its "high-end desktop" bracket (benchmarkIndex 1500-2000,
 * lighthouse docs/throttling.md): on a faster host it is a faster phone, on a slower one a slower phone. Each run
 * prints the host's benchmarkIndex. With BENCH_WEB_CPU=calibrated the slowdown of each run is 4 × (the previous
 * run's benchmarkIndex ÷ 1750), clamped to 2-10, so that every run aims at the same phone; a first run at 4×
 * (not counted) gives the first index.
 *
 * Logged-in pages are measured with the session cookies of a log-in made through the API (as the e2e
 * journeys do), put into the browser's cookie jar before each run. Lighthouse clears the cache before each run: these
 * are first visits. It prints figures and asserts nothing about them.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import puppeteer from 'puppeteer-core';
import { startServer } from '../e2e/harness';
import { BENCH_CHROME_FLAGS, benchPages, seedBenchAccounts, useCookies } from './web-session';

const root = path.resolve(import.meta.dirname, '..');
const RUNS = Number(process.env.BENCH_WEB_RUNS ?? 3);

interface Run {
  score: number;
  fcp: number;
  lcp: number;
  tbt: number;
  bytes: number;
  benchmarkIndex: number;
  slowdown: number;
  finalUrl: string;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const CALIBRATED = process.env.BENCH_WEB_CPU === 'calibrated';
/** The slowdown that makes a host of this benchmarkIndex a phone of the bracket Lighthouse's 4× aims at. */
const calibratedSlowdown = (benchmarkIndex: number) => Math.min(10, Math.max(2, (4 * benchmarkIndex) / 1750));

async function measure(port: number, url: string, cpuSlowdownMultiplier = 4): Promise<Run> {
  const result = await lighthouse(url, {
    port,
    output: 'json',
    logLevel: 'error',
    onlyCategories: ['performance'],
    ...(cpuSlowdownMultiplier !== 4 ? { throttling: { cpuSlowdownMultiplier } } : {}),
  });
  if (!result) throw new Error(`Lighthouse gave no result for ${url}`);
  const { lhr } = result;
  // BENCH_WEB_SAVE=dir keeps each report's JSON (its audits say where the time went: bootup-time, mainthread-work-breakdown)
  if (process.env.BENCH_WEB_SAVE) {
    fs.mkdirSync(process.env.BENCH_WEB_SAVE, { recursive: true });
    fs.writeFileSync(path.join(process.env.BENCH_WEB_SAVE, `${new URL(url).pathname.replace(/\W+/g, '_')}-${Date.now()}.json`), JSON.stringify(lhr));
  }
  if (lhr.runtimeError) throw new Error(`Lighthouse: ${lhr.runtimeError.code} ${lhr.runtimeError.message} (${url})`);
  const audit = (id: string) => lhr.audits[id]?.numericValue ?? NaN;
  return {
    score: Math.round((lhr.categories.performance?.score ?? 0) * 100),
    fcp: audit('first-contentful-paint') / 1000,
    lcp: audit('largest-contentful-paint') / 1000,
    tbt: audit('total-blocking-time') / 1000,
    bytes: audit('total-byte-weight'),
    // the host's speed as Lighthouse measures it (its 4× slowdown is calibrated for about 1,000-1,500): scores
    // of two machines compare only beside it
    benchmarkIndex: lhr.environment.benchmarkIndex,
    slowdown: lhr.configSettings.throttling.cpuSlowdownMultiplier ?? 4,
    finalUrl: lhr.finalDisplayedUrl,
  };
}

async function main() {
  if (!fs.existsSync(path.join(root, 'web', 'dist', 'index.html'))) throw new Error('web/dist is not built: run npm run build:web first');
  const platform = await startServer({ LOG_LEVEL: 'error' });
  const chrome = await chromeLauncher.launch({ chromePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', chromeFlags: BENCH_CHROME_FLAGS });
  const browser = await puppeteer.connect({ browserURL: `http://127.0.0.1:${chrome.port}` });
  try {
    const who = await seedBenchAccounts(platform.url);
    const pages = benchPages(who);
    const only = process.env.BENCH_WEB_PAGES?.split(',');
    const rows: string[] = [];
    let lastIndex = 0;
    if (CALIBRATED) {
      const first = pages.find((p) => !only || only.includes(p.key))!;
      await useCookies(browser, platform.url, first.cookie);
      lastIndex = (await measure(chrome.port, platform.url + first.path)).benchmarkIndex;
      console.error(`calibration run: benchmarkIndex ${lastIndex.toFixed(0)}`);
    }
    for (const page of pages.filter((p) => !only || only.includes(p.key))) {
      const runs: Run[] = [];
      for (let i = 0; i < RUNS; i++) {
        await useCookies(browser, platform.url, page.cookie);
        // Lighthouse's own trace sometimes fails to start (NO_NAVSTART, NO_FCP on a busy machine): try again twice
        let run: Run | undefined;
        for (let attempt = 1; !run; attempt++) {
          try {
            run = await measure(chrome.port, platform.url + page.path, CALIBRATED ? calibratedSlowdown(lastIndex) : 4);
          } catch (err) {
            if (attempt >= 3 || !/NO_NAVSTART|NO_FCP|NO_LCP/.test(String(err))) throw err;
            console.error(`${page.label} run ${i + 1}: ${String(err)}; trying again`);
          }
        }
        if (new URL(run.finalUrl).pathname !== page.path) throw new Error(`${page.label}: Lighthouse ended on ${run.finalUrl}, not ${page.path}`);
        runs.push(run);
        lastIndex = run.benchmarkIndex;
        console.error(
          `${page.label} run ${i + 1}: score ${run.score}, FCP ${run.fcp.toFixed(1)} s, LCP ${run.lcp.toFixed(1)} s, TBT ${run.tbt.toFixed(2)} s, ${(run.bytes / 1024).toFixed(0)} KB, benchmarkIndex ${run.benchmarkIndex.toFixed(0)}, CPU ${run.slowdown.toFixed(1)}× (${new URL(run.finalUrl).pathname})`,
        );
      }
      const m = (k: Exclude<keyof Run, 'finalUrl' | 'benchmarkIndex' | 'slowdown'>) => median(runs.map((r) => r[k]));
      rows.push(
        `${page.label.padEnd(34)} | ${String(m('score')).padStart(5)} | ${m('fcp').toFixed(1).padStart(5)} | ${m('lcp').toFixed(1).padStart(5)} | ${m('tbt').toFixed(2).padStart(6)} | ${(m('bytes') / 1024).toFixed(0).padStart(7)} | ${page.before}`,
      );
    }
    console.log(
      `\nLighthouse 12 mobile defaults${CALIBRATED ? ' (CPU slowdown calibrated to the host)' : ''}, median of ${RUNS} run(s); the issue's figures (before) on the right`,
    );
    console.log(`targets: 我的申报表 ≤ 300 KB on the wire; score ≥ 90 on 登录, ≥ 75 on the 申请书`);
    console.log(`${'page'.padEnd(34)} | score | FCP s | LCP s |  TBT s | KB wire | before: score | FCP | LCP | TBT | KB`);
    console.log(`${'-'.repeat(34)}-|-------|-------|-------|--------|---------|-------------------------------------`);
    for (const row of rows) console.log(row);
  } finally {
    await browser.disconnect();
    chrome.kill();
    await platform.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
