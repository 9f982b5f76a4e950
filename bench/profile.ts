/**
 * bench/profile: where one page's main-thread time goes, as the slow phone of bench:web sees it (4× CPU
 * slowdown): a V8 CPU profile of a first visit, summed by function (self time), printed as a table.
 *
 *   npx vite build --config web/vite.config.ts --minify false --outDir /tmp/web-profile   # readable names
 *   WEB_DIST=/tmp/web-profile BENCH_PROFILE_PAGE=edit npm run bench:profile
 *
 * BENCH_PROFILE_TASKS=1 also lists the long tasks (over 50 ms) with the style, layout and paint work inside each.
 *
 * Pages: login, mine, edit, pending, units (as bench:web). BENCH_PROFILE_SAVE=file.cpuprofile keeps the
 * profile for Chromium's DevTools; BENCH_PROFILE_SHOT=file.png the whole page in screen-sized slices (file-0.png, …). It prints figures and asserts nothing.
 */
import fs from 'node:fs';
import puppeteer from 'puppeteer-core';
import { startServer } from '../e2e/harness';
import { BENCH_CHROME_FLAGS, benchPages, seedBenchAccounts, useCookies } from './web-session';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  tid: number;
  args?: { name?: string };
}

/** What the browser does inside a task, besides running script: styles, layout, paint. */
const RENDERING = ['ParseAuthorStyleSheet', 'UpdateLayoutTree', 'Layout', 'PrePaint', 'Paint', 'Layerize', 'HitTest'];

/**
 * BENCH_PROFILE_TASKS=1: the page's long tasks (over 50 ms, which is what Lighthouse's total blocking time sums:
 * each task's time beyond 50 ms), each with the time spent in the browser's own rendering work inside it
 * (style recalculation, layout, stylesheet parsing: forced by script or not) and the rest (script, GC, …).
 */
function printLongTasks(trace: { traceEvents: TraceEvent[] }, profile: CpuProfile) {
  const mains = new Set(trace.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => e.tid));
  const timed = trace.traceEvents.filter((e) => e.ph === 'X' && mains.has(e.tid) && e.dur !== undefined);
  const runTasks = timed.filter((e) => e.name === 'RunTask');
  // the renderer that did the most: the page's (others: about:blank, …)
  const busy = new Map<number, number>();
  for (const e of runTasks) busy.set(e.tid, (busy.get(e.tid) ?? 0) + e.dur!);
  const busiest = [...busy.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  const tasks = runTasks.filter((e) => e.tid === busiest && e.dur! > 50_000).sort((a, b) => a.ts - b.ts);
  const inside = timed.filter((e) => e.tid === busiest && RENDERING.includes(e.name));
  const start = Math.min(...runTasks.filter((e) => e.tid === busiest).map((e) => e.ts));
  let blocking = 0;
  console.log('\nlong tasks (over 50 ms, at 4× slowdown): start, length, and in it: ' + RENDERING.join(', ') + ', the rest');
  for (const t of tasks) {
    const by = new Map<string, number>();
    for (const e of inside) if (e.ts >= t.ts && e.ts + e.dur! <= t.ts + t.dur!) by.set(e.name, (by.get(e.name) ?? 0) + e.dur!);
    const rendering = [...by.values()].reduce((a, b) => a + b, 0);
    blocking += t.dur! - 50_000;
    const parts = RENDERING.filter((n) => by.get(n)).map((n) => `${n} ${((by.get(n) ?? 0) / 1000).toFixed(0)}`);
    console.log(
      `  at ${((t.ts - start) / 1000).toFixed(0).padStart(6)} ms  ${(t.dur! / 1000).toFixed(0).padStart(5)} ms  ${parts.join(', ')}${parts.length ? ', ' : ''}rest ${((t.dur! - rendering) / 1000).toFixed(0)}`,
    );
    const inTask = samplesIn(profile, t.ts, t.ts + t.dur!);
    if (inTask.components.length) console.log(`      components: ${inTask.components.join(', ')}`);
    if (inTask.entries.length) console.log(`      started by: ${inTask.entries.join(', ')}`);
  }
  console.log(`  ${tasks.length} long tasks; their time beyond 50 ms each: ${(blocking / 1000).toFixed(0)} ms`);
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
}

/**
 * What the CPU profile's samples inside one task (trace timestamps: the same clock) say ran in it: the components
 * (functions named with a capital, from a readable build) whose own render was on the stack, by samples, and the
 * outermost script function of each sample (what the task was: a timer, React's scheduler, a module's evaluation).
 */
function samplesIn(profile: CpuProfile, from: number, to: number) {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const components = new Map<string, number>();
  const entries = new Map<string, number>();
  let ts = profile.startTime;
  profile.samples.forEach((id, i) => {
    ts += profile.timeDeltas[i] ?? 0;
    if (ts < from || ts > to) return;
    const seen = new Set<string>();
    let outer: string | undefined;
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const f = byId.get(at)!.callFrame;
      if (/^[A-Z][A-Za-z0-9]*$/.test(f.functionName) && f.url && !seen.has(f.functionName)) {
        seen.add(f.functionName);
        components.set(f.functionName, (components.get(f.functionName) ?? 0) + 1);
      }
      if (f.url) outer = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}`;
    }
    if (outer) entries.set(outer, (entries.get(outer) ?? 0) + 1);
  });
  const top = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, c]) => `${k} ${((c * 200) / 1000).toFixed(0)}`);
  return { components: top(components, 8), entries: top(entries, 3) };
}

async function main() {
  const key = process.env.BENCH_PROFILE_PAGE ?? 'edit';
  const tasks = !!process.env.BENCH_PROFILE_TASKS;
  const platform = await startServer({ LOG_LEVEL: 'error', ...(process.env.WEB_DIST ? { WEB_DIST: process.env.WEB_DIST } : {}) });
  const browser = await puppeteer.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: BENCH_CHROME_FLAGS, headless: true });
  try {
    const who = await seedBenchAccounts(platform.url);
    const spec = benchPages(who).find((p) => p.key === key);
    if (!spec) throw new Error(`no page ${key}`);
    await useCookies(browser, platform.url, spec.cookie);
    const page = (await browser.pages())[0] ?? (await browser.newPage());
    await page.setViewport({ width: 412, height: 823, deviceScaleFactor: 1.75, isMobile: true, hasTouch: true });
    const cdp = await page.createCDPSession();
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
    // what became the largest paint, and what moved, as the page saw it
    // (a string: a function from this file would carry tsx's __name helper into the page)
    await page.evaluateOnNewDocument(`
      window.__paints = [];
      const describe = (el) => el ? el.tagName.toLowerCase() + '.' + (el.getAttribute('class') || '').split(/\\s+/).slice(0, 3).join('.') + ' "' + (el.textContent || '').slice(0, 30) + '"' : '(gone)';
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.__paints.push('LCP candidate at ' + e.startTime.toFixed(0) + ' ms, ' + e.size + ' px²: ' + describe(e.element));
      }).observe({ type: 'largest-contentful-paint', buffered: true });
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.__paints.push('layout shift at ' + e.startTime.toFixed(0) + ' ms, ' + e.value.toFixed(4) + ': ' + (e.sources || []).map((x) => describe(x.node)).join(' | '));
      }).observe({ type: 'layout-shift', buffered: true });
    `);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    await cdp.send('Profiler.start');
    if (tasks) await page.tracing.start({ categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
    const t0 = Date.now();
    await page.goto(platform.url + spec.path, { waitUntil: 'networkidle0', timeout: 120_000 });
    await new Promise((r) => setTimeout(r, 3000));
    const { profile } = (await cdp.send('Profiler.stop')) as { profile: CpuProfile };
    if (tasks) printLongTasks(JSON.parse(Buffer.from((await page.tracing.stop())!).toString('utf8')) as { traceEvents: TraceEvent[] }, profile);
    if (process.env.BENCH_PROFILE_SHOT) {
      // the whole page in slices of one screen each: name-0.png, name-1.png, …
      const height = await page.evaluate(() => document.documentElement.scrollHeight);
      for (let y = 0, i = 0; y < height; y += 823, i++) {
        await page.screenshot({
          path: process.env.BENCH_PROFILE_SHOT.replace(/\.png$/, `-${i}.png`) as `${string}.png`,
          clip: { x: 0, y, width: 412, height: 823 },
          captureBeyondViewport: true,
        });
      }
    }
    if (process.env.BENCH_PROFILE_SAVE) fs.writeFileSync(process.env.BENCH_PROFILE_SAVE, JSON.stringify(profile));
    console.log((await page.evaluate(() => (window as unknown as { __paints: string[] }).__paints)).join('\n'));
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const self = new Map<number, number>();
    profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
    const byFn = new Map<string, number>();
    const byFile = new Map<string, number>();
    for (const [id, us] of self) {
      const f = byId.get(id)!.callFrame;
      const file = f.url.split('/').pop() || '(native)';
      const name = `${f.functionName || '(anonymous)'}  ${file}:${f.lineNumber + 1}`;
      byFn.set(name, (byFn.get(name) ?? 0) + us);
      byFile.set(file, (byFile.get(file) ?? 0) + us);
    }
    const total = [...self.values()].reduce((a, b) => a + b, 0);
    const idle = self.get(profile.nodes.find((n) => n.callFrame.functionName === '(idle)')?.id ?? -1) ?? 0;
    console.log(
      `${spec.label}: ${Date.now() - t0} ms to network idle + 3 s; busy ${((total - idle) / 1000).toFixed(0)} ms of ${(total / 1000).toFixed(0)} ms (4× slowdown)`,
    );
    const top = (m: Map<string, number>, n: number) =>
      [...m.entries()]
        .filter(([k]) => !k.startsWith('(idle)'))
        .sort((a, b) => b[1] - a[1])
        .slice(0, n)
        .map(([k, us]) => `${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`)
        .join('\n');
    console.log('\nself time by file\n' + top(byFile, 12));
    console.log('\nself time by function\n' + top(byFn, Number(process.env.BENCH_PROFILE_TOP ?? 40)));
  } finally {
    await browser.close();
    await platform.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
