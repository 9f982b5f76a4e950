// `npm run test:cluster`: the production path under the tests (docs/OPERATIONS.md). With CLUSTER=1 each API test file
// gets two instances on a fresh PostgreSQL database and s3rver behind its own nginx (server/testing/harness.ts), and
// each browser journey the whole topology (e2e/harness.ts → scripts/cluster/topology.ts). PostgreSQL is required
// (TEST_DATABASE_URL's server, default the local one); nginx is installed from Debian when missing (as root).
// Prints each part's time and the total, which .ci/run shows.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { failedTests } from '../failures.mjs';
import { ensureTestTools } from '../prerequisites.mjs';
import { ensureNginx, ensureWebBuild } from './topology';

/** API test files that cannot run against the topology (nginx, a second instance, S3), each with the reason. */
export const API_EXCLUDED: Record<string, string> = {
  'server/proxy-lockout.test.ts':
    'it is about X-Forwarded-For itself: it sends the header as a client would, straight to an instance with and without TRUST_PROXY, which nginx (appending its own) would change',
};
/** Single API tests (by the start of their name) that cannot run through the topology, each with the reason. */
export const API_EXCLUDED_TESTS: Record<string, string> = {
  'the verification page shows exactly the name, the title and the year':
    'certificates.test.ts: nginx itself answers 400 (its JSON refusal) to a path that climbs above the root (..%2F..%2Fetc%2Fpasswd); the test wants the platform’s 404 page',
  'keeps a file sent in one PATCH as one stored piece when storing it fails':
    'uploads.test.ts: it breaks the local file store (DATA_DIR/files); the cluster stores in S3',
  'keeps hostile names off the file system': 'uploads.test.ts: it reads DATA_DIR/files; the cluster stores in S3',
  'a preview whose store is away is tried again': 'uploads.test.ts: it takes the local file store (DATA_DIR/files) away; the cluster stores in S3',
  'a vote through instance 1 reaches an SSE screen of instance 2':
    'meeting-races.test.ts: it starts its own second instance and expects exactly 2 LISTEN connections to kill; the cluster harness’s instance B holds a third (server/cluster.test.ts proves the tally across instances)',
  'restores into a fresh target':
    'backup.test.ts: it restores with --key-file DATA_DIR/data.key; the cluster gives DATA_KEY in the environment, so there is no such file',
};
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** vitest -t: every test whose name contains none of those */
const apiNamePattern = `^(?!.*(?:${Object.keys(API_EXCLUDED_TESTS).map(escape).join('|')})).*$`;
/** Browser journeys that cannot run against the cluster, each with the reason. */
export const E2E_EXCLUDED: Record<string, string> = {
  'e2e/media.test.ts': 'one check reads the stored files in DATA_DIR/files; the cluster keeps them in the object store',
};

const root = path.resolve(import.meta.dirname, '..', '..');
const pgUrl = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

async function reachable(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const u = new URL(url);
    const socket = net.connect({ host: u.hostname, port: Number(u.port || 5432) });
    socket.setTimeout(2000);
    socket.on('connect', () => (socket.destroy(), resolve(true)));
    socket.on('error', () => resolve(false));
    socket.on('timeout', () => (socket.destroy(), resolve(false)));
  });
}

const results: { name: string; ok: boolean; seconds: number }[] = [];
let passed = 0;
let failed = 0;
/** each failed test, named in the summary (scripts/failures.mjs) */
const failures: string[] = [];

function vitest(name: string, project: string, excluded: Record<string, string>, excludedTests: Record<string, string> = {}, namePattern?: string): boolean {
  const started = Date.now();
  console.log(`\n=== test:cluster — ${name} ===`);
  for (const [file, reason] of Object.entries(excluded)) console.log(`  不经集群运行（excluded）：${file} — ${reason}`);
  for (const [test, reason] of Object.entries(excludedTests)) console.log(`  不经集群运行（excluded）：“${test}…” — ${reason}`);
  const report = path.join(root, '.tmp', `vitest-cluster-${project}.json`);
  fs.mkdirSync(path.dirname(report), { recursive: true });
  fs.rmSync(report, { force: true });
  const r = spawnSync(
    path.join(root, 'node_modules', '.bin', 'vitest'),
    [
      'run',
      // `api` also runs `api-mocked` (vitest.config.ts: the files that mock a module, isolated)
      ...(project === 'api' ? ['--project', 'api', '--project', 'api-mocked'] : ['--project', project]),
      ...Object.keys(excluded).flatMap((f) => ['--exclude', f]),
      ...(namePattern ? ['-t', namePattern] : []),
      // every Client request is a real round trip through nginx: more time per test than app.inject's
      ...(project === 'api' ? ['--testTimeout=90000'] : []),
      ...process.argv.slice(2),
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${report}`,
    ],
    {
      cwd: root,
      stdio: 'inherit',
      env: {
        // the races run 50 rounds here (200 in npm test's PostgreSQL pass): each is real HTTP through nginx, the two
        // requests of a round on different instances
        RACE_ROUNDS: '50',
        ...process.env,
        CLUSTER: '1',
        TEST_DATABASE_URL: pgUrl,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
    },
  );
  failures.push(...failedTests(report, root));
  if (fs.existsSync(report)) {
    const json = JSON.parse(fs.readFileSync(report, 'utf8')) as { numPassedTests: number; numFailedTests: number };
    passed += json.numPassedTests;
    failed += json.numFailedTests;
  }
  const ok = r.status === 0;
  results.push({ name, ok, seconds: (Date.now() - started) / 1000 });
  return ok;
}

const started = Date.now();
if (!(await reachable(pgUrl))) {
  console.error(`test:cluster 需要 PostgreSQL：${pgUrl} 无法连接。请先启动本机的 PostgreSQL，或用 TEST_DATABASE_URL 指明服务器`);
  process.exit(1);
}
ensureNginx();
ensureTestTools();
let ok = vitest('API suite through nginx, two instances, PostgreSQL, s3rver', 'api', API_EXCLUDED, API_EXCLUDED_TESTS, apiNamePattern);
// the journeys run even when an API test failed: one report shows both parts' failures
if (process.env.CLUSTER_SKIP_E2E !== '1') {
  const build = Date.now();
  ensureWebBuild();
  results.push({ name: 'web build (when stale)', ok: true, seconds: (Date.now() - build) / 1000 });
  ok = vitest('browser journeys through nginx, two instances, PostgreSQL, s3rver', 'e2e', E2E_EXCLUDED) && ok;
}
console.log('\n=== test:cluster 汇总 / summary ===');
for (const r of results) console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name} (${r.seconds.toFixed(1)}s)`);
if (failures.length) console.log(['失败的测试 / failed tests:', ...failures.map((f) => `  ${f}`)].join('\n'));
console.log(`${passed} passed, ${failed} failed; test:cluster took ${((Date.now() - started) / 1000).toFixed(1)}s`);
process.exit(ok ? 0 : 1);
