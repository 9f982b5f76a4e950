// `npm test`: the whole suite. Typecheck, lint, migration drift, unit and API tests on PGlite, the web
// build and the browser journeys in Chromium; then the API tests again on the PostgreSQL at
// TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test) when it answers.
// REQUIRE_POSTGRES=1 (set by .ci/run) turns a missing PostgreSQL into a failure instead of a skip.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { failedTests } from './failures.mjs';
import { ensureTestTools } from './prerequisites.mjs';

const root = path.resolve(import.meta.dirname, '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const results = [];
const counts = { passed: 0, failed: 0, skipped: 0 };
/** each failed test, named in the summary (scripts/failures.mjs) */
const failures = [];
fs.mkdirSync(path.join(root, '.tmp'), { recursive: true });

/** vitest with a JSON report beside the usual output, so the summary can add up every pass. */
function vitest(name, args, env = {}) {
  const report = path.join(root, '.tmp', `vitest-${results.length}.json`);
  fs.rmSync(report, { force: true });
  step(name, bin('vitest'), ['run', ...args, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`], env, () => {
    if (!fs.existsSync(report)) return;
    failures.push(...failedTests(report, root));
    const r = JSON.parse(fs.readFileSync(report, 'utf8'));
    counts.passed += r.numPassedTests;
    counts.failed += r.numFailedTests;
    counts.skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  });
}

function step(name, cmd, args, env = {}, after = () => {}) {
  const started = Date.now();
  console.log(`\n=== ${name} ===`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  const ok = r.status === 0;
  after();
  results.push({ name, ok, seconds: ((Date.now() - started) / 1000).toFixed(1) });
  if (!ok) finish(1);
}

function finish(code) {
  console.log('\n=== 汇总 / summary ===');
  for (const r of results) console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name} (${r.seconds}s)`);
  if (failures.length) console.log(['失败的测试 / failed tests:', ...failures.map((f) => `  ${f}`)].join('\n'));
  if (code !== 0 && counts.failed === 0) counts.failed = 1; // a failing step that is not a test still fails the run
  console.log(`${counts.passed} passed, ${counts.failed} failed${counts.skipped ? `, ${counts.skipped} skipped` : ''}`);
  process.exit(code);
}

function reachable(url) {
  return new Promise((resolve) => {
    const u = new URL(url);
    const socket = net.connect({ host: u.hostname, port: Number(u.port || 5432) });
    socket.setTimeout(2000);
    socket.on('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
    socket.on('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

step('typecheck', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']);
step('format (prettier --check; npm run format fixes it)', bin('prettier'), ['--check', '--log-level', 'warn', '.']);
step('lint', bin('eslint'), ['.', '--max-warnings=0']);
step('migration drift (drizzle-kit generate makes nothing new)', process.execPath, [path.join(root, 'scripts', 'check-migrations.mjs')]);
ensureTestTools();
// TEST_DATABASE_URL emptied: this pass is PGlite's even where the caller (.ci/run) names a PostgreSQL
vitest('unit + API tests on PGlite', ['--project', 'unit', '--project', 'api', '--project', 'api-mocked'], { TEST_DATABASE_URL: '' });
step('web build', bin('vite'), ['build', '--config', 'web/vite.config.ts', '--logLevel', 'warn']);
vitest('browser journeys (Chromium, PGlite)', ['--project', 'e2e']);

const pgUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
if (await reachable(pgUrl)) {
  vitest('API tests on PostgreSQL', ['--project', 'api', '--project', 'api-mocked'], { TEST_DATABASE_URL: pgUrl });
} else if (process.env.REQUIRE_POSTGRES === '1') {
  console.error(`PostgreSQL at ${pgUrl} is not reachable, and REQUIRE_POSTGRES=1`);
  finish(1);
} else {
  console.log(`\nPostgreSQL at ${pgUrl} is not reachable: the PostgreSQL pass was SKIPPED (the PGlite suite ran).`);
  results.push({ name: 'API tests on PostgreSQL — SKIPPED (not reachable)', ok: true, seconds: '0.0' });
}
finish(0);
