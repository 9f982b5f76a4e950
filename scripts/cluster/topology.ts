// The production topology on one machine (issue 16, 1.): PostgreSQL (the local server, a database created for the
// run), an S3-compatible store (s3rver, as the tests use), N app instances of the same build as `npm start`
// (server/main.ts through tsx) and nginx in front of them (round robin, no sticky sessions).
//
// API (used by `npm run cluster`, `npm run test:cluster`'s browser journeys, the crash rounds and bench:surge):
//
//   const cluster = await startCluster({ instances: 2, env: { CAPTCHA_TEST_ANSWER: '13579' } });
//   cluster.url               nginx's address, e.g. http://127.0.0.1:41234 (also every instance's PUBLIC_URL)
//   cluster.adminPassword     the 自治区科协管理员 (admin) password: ADMIN_PASSWORD from options.env, else generated
//   cluster.databaseUrl       the run's database; cluster.s3Env the S3_* variables; cluster.runDir everything else
//   cluster.instances[i]      { index, port, url (the instance itself, bypassing nginx), dataDir, pid, running }
//   await cluster.kill(i)     kill -9 instance i (signal optional: cluster.kill(i, 'SIGTERM') for a clean stop)
//   await cluster.restart(i)  start instance i again (kills it first if it still runs); resolves with the
//                             milliseconds until it answered /api/auth/me, once nginx passes requests to it again
//   await cluster.stop()      stops nginx, every instance and s3rver; drops the database (unless keepDatabase or
//                             options.databaseUrl named an existing one) and removes the run directory (unless keepRunDir)
//
// Options: instances (2), databaseUrl (an existing database to use as is; default: a fresh database `xjkx_cluster_…`
// on CLUSTER_PG_URL or postgres://postgres@127.0.0.1:5432/postgres), env (added to every instance's environment,
// after the topology's own: TRUST_PROXY=127.0.0.1, one DATA_KEY, PUBLIC_URL = nginx, DATA_DIR per instance),
// port (nginx's, default a free one), logTo (a file that receives every instance's output, prefixed [i]),
// accessLog (nginx's access log: true → runDir/nginx-access.log; default off).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startS3 } from '../../server/testing/s3';

const root = path.resolve(import.meta.dirname, '..', '..');
const DEFAULT_PG = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface ClusterOptions {
  instances?: number;
  databaseUrl?: string;
  env?: Record<string, string>;
  port?: number;
  /** a file (appended to) or a stream that receives every instance's output, each line prefixed [i] */
  logTo?: string | NodeJS.WritableStream;
  accessLog?: boolean;
  keepDatabase?: boolean;
  keepRunDir?: boolean;
  /** build web/dist first when it is missing or stale (default true; the journeys build it once beforehand) */
  buildWeb?: boolean;
  /** how long an instance may take to answer (a loaded machine needs a minute); default 170 s */
  startTimeoutMs?: number;
}

export interface Instance {
  index: number;
  port: number;
  url: string;
  dataDir: string;
  pid: number | null;
  running: boolean;
}

export interface Cluster {
  url: string;
  adminPassword: string;
  databaseUrl: string;
  s3Env: Record<string, string>;
  runDir: string;
  instances: Instance[];
  kill(index: number, signal?: NodeJS.Signals): Promise<void>;
  restart(index: number): Promise<number>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** nginx's binary: on PATH or /usr/sbin; installed from Debian when missing and we are root, else a clear refusal. */
export function ensureNginx(): string {
  const find = () => {
    for (const candidate of [process.env.NGINX_PATH, '/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx']) {
      if (candidate && fs.existsSync(candidate)) return candidate;
    }
    const which = spawnSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' });
    return which.status === 0 ? which.stdout.trim() : null;
  };
  const found = find();
  if (found) return found;
  if (process.getuid?.() !== 0) {
    throw new Error('未找到 nginx。请以 root 运行：apt-get update && apt-get install -y nginx，然后重试（或用环境变量 NGINX_PATH 指明 nginx 的位置）');
  }
  console.log('正在从 Debian 安装 nginx（apt-get install -y nginx）…');
  const r = spawnSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx'], { stdio: 'inherit' });
  const installed = r.status === 0 ? find() : null;
  if (!installed) throw new Error('安装 nginx 失败：请检查网络与 apt 源后以 root 运行 apt-get install -y nginx');
  return installed;
}

/** The web pages built when missing or older than their sources, as `npm start` does (scripts/start.mjs). */
export function ensureWebBuild(): void {
  const newest = (dir: string): number => {
    let t = 0;
    for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
      if (e.isFile()) t = Math.max(t, fs.statSync(path.join(e.parentPath, e.name)).mtimeMs);
    }
    return t;
  };
  const dist = path.join(root, 'web', 'dist', 'index.html');
  const sources = Math.max(newest(path.join(root, 'web', 'src')), newest(path.join(root, 'core')), fs.statSync(path.join(root, 'web', 'index.html')).mtimeMs);
  if (fs.existsSync(dist) && fs.statSync(dist).mtimeMs >= sources) return;
  console.log('正在构建前端页面（首次启动或页面代码有更新时需要，约半分钟）…');
  const build = spawnSync(
    process.execPath,
    [path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'],
    { cwd: root, stdio: 'inherit' },
  );
  if (build.status !== 0) throw new Error('前端页面构建失败');
}

async function createDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `xjkx_cluster_${Date.now().toString(36)}_${crypto.randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(`无法连接 PostgreSQL（${redact(serverUrl)}）：${(err as Error).message}。请先启动本机的 PostgreSQL，或用 CLUSTER_PG_URL 指明服务器`, {
      cause: err,
    });
  }
  await admin.query(`create database ${name}`);
  await admin.end();
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

const redact = (url: string) => url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');

async function waitReady(url: string, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`实例启动失败（退出码 ${child.exitCode ?? child.signalCode}）：\n${output()}`);
    try {
      const res = await fetch(`${url}/api/auth/me`);
      if (res.ok) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`实例 ${url} 在 ${timeoutMs / 1000} 秒内没有就绪：\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Resolves when nginx passes requests to the instance on `port` again (its X-Upstream answers name it). nginx left the
 * instance out when it could not reach it, for NGINX_FAIL_TIMEOUT_S after the last failure; until it takes the
 * instance back, the other instances carry everything, and killing the last of them would leave nginx with no instance
 * at all ("no live upstreams", 503 for every request) even though this one is up again. A rolling restart waits for
 * this before it restarts the next instance (docs/OPERATIONS.md).
 */
async function backInRotation(url: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = await new Promise<string>((resolve) => {
      const req = http.get(`${url}/api/auth/me`, { agent: false, timeout: 5_000 }, (res) => {
        res.resume();
        resolve(String(res.headers['x-upstream'] ?? ''));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => resolve(''));
    });
    // $upstream_addr lists every instance tried ("a, b"; "a : b" across an internal redirect): the last one answered
    if (seen.split(/\s*,\s*|\s+:\s+/).pop() === `127.0.0.1:${port}`) return;
    if (Date.now() > deadline) throw new Error(`nginx 在 ${timeoutMs / 1000} 秒内没有把请求再转给 127.0.0.1:${port} 上的实例`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * How long nginx leaves out an instance it could not reach (docs/nginx.conf.example has the same): after that it sends
 * the instance one request again, and takes it back when that one is answered.
 */
export const NGINX_FAIL_TIMEOUT_S = 3;

/**
 * nginx from scripts/cluster/nginx.conf.template in `runDir` (config, pid, logs, temp files), in front of the given
 * ports on 127.0.0.1 (round robin), listening on 127.0.0.1:`port`; resolves when it answers /api/auth/me.
 */
export async function startNginx(opts: {
  runDir: string;
  port: number;
  upstreams: number[];
  accessLog?: boolean;
}): Promise<{ url: string; stop(): Promise<void> }> {
  const nginxBin = ensureNginx();
  const { runDir, port } = opts;
  const url = `http://127.0.0.1:${port}`;
  fs.mkdirSync(path.join(runDir, 'nginx-temp'), { recursive: true, mode: 0o755 });
  const template = fs.readFileSync(path.join(import.meta.dirname, 'nginx.conf.template'), 'utf8');
  const conf = template
    .replaceAll('{{runDir}}', runDir)
    .replaceAll('{{port}}', String(port))
    .replaceAll('{{accessLog}}', opts.accessLog ? path.join(runDir, 'nginx-access.log') : 'off')
    .replaceAll('{{upstreams}}', opts.upstreams.map((p) => `        server 127.0.0.1:${p} max_fails=1 fail_timeout=${NGINX_FAIL_TIMEOUT_S}s;`).join('\n'));
  const confPath = path.join(runDir, 'nginx.conf');
  const errorLog = path.join(runDir, 'nginx-error.log');
  fs.writeFileSync(confPath, conf);
  const nginx = spawn(nginxBin, ['-p', runDir, '-e', errorLog, '-c', confPath, '-g', 'daemon off;'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  nginx.stdout!.on('data', (d) => (output += d));
  nginx.stderr!.on('data', (d) => (output += d));
  const stop = async () => {
    if (nginx.exitCode !== null || nginx.signalCode !== null) return;
    const exited = new Promise((r) => nginx.once('exit', r));
    nginx.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (nginx.exitCode !== null) {
      const errors = fs.existsSync(errorLog) ? fs.readFileSync(errorLog, 'utf8') : '';
      throw new Error(`nginx 启动失败：${output}${errors}`);
    }
    try {
      if ((await fetch(`${url}/api/auth/me`)).ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`nginx 在 20 秒内没有就绪：${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url, stop };
}

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const count = options.instances ?? 2;
  ensureNginx();
  if (options.buildWeb !== false) ensureWebBuild();
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xjkx-cluster-'));
  // nginx's workers run as nobody when started by root: they must reach their temp directories
  fs.chmodSync(runDir, 0o755);
  const cleanups: (() => Promise<void>)[] = [];
  const log = typeof options.logTo === 'string' ? fs.createWriteStream(options.logTo, { flags: 'a' }) : (options.logTo ?? null);
  const ownLog = typeof options.logTo === 'string';
  try {
    let databaseUrl = options.databaseUrl;
    if (!databaseUrl) {
      const db = await createDatabase(process.env.CLUSTER_PG_URL || DEFAULT_PG);
      databaseUrl = db.url;
      if (!options.keepDatabase) cleanups.push(db.drop);
    }
    const s3 = await startS3();
    cleanups.push(s3.close);
    const nginxPort = options.port ?? (await freePort());
    const url = `http://127.0.0.1:${nginxPort}`;
    const adminPassword = options.env?.ADMIN_PASSWORD ?? `Zm${crypto.randomBytes(6).toString('base64url')}7!`;
    const dataKey = options.env?.DATA_KEY ?? crypto.randomBytes(32).toString('hex');
    const timeout = options.startTimeoutMs ?? 170_000;

    const instances: (Instance & { child: ChildProcess | null; output: string })[] = [];
    for (let i = 0; i < count; i++) {
      const dataDir = path.join(runDir, `instance-${i}`);
      fs.mkdirSync(dataDir, { mode: 0o700 });
      const port = await freePort();
      instances.push({ index: i, port, url: `http://127.0.0.1:${port}`, dataDir, pid: null, running: false, child: null, output: '' });
    }

    const launch = async (i: number) => {
      const inst = instances[i]!;
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'server', 'main.ts')], {
        cwd: root,
        env: {
          ...process.env,
          PORT: String(inst.port),
          HOST: '127.0.0.1',
          DATABASE_URL: databaseUrl,
          ...s3.env,
          TRUST_PROXY: '127.0.0.1',
          DATA_KEY: dataKey,
          PUBLIC_URL: url,
          ADMIN_PASSWORD: adminPassword,
          ...options.env,
          DATA_DIR: inst.dataDir,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      inst.child = child;
      inst.pid = child.pid ?? null;
      inst.running = true;
      inst.output = '';
      let partial = '';
      const onData = (d: Buffer) => {
        inst.output = (inst.output + d.toString()).slice(-20_000);
        if (!log) return;
        const lines = (partial + d.toString()).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) log.write(`[${i + 1}] ${line}\n`);
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', () => {
        inst.running = false;
        inst.pid = null;
      });
      const started = Date.now();
      await waitReady(inst.url, child, () => inst.output, timeout);
      return Date.now() - started;
    };
    const halt = async (i: number, signal: NodeJS.Signals) => {
      const child = instances[i]?.child;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill(signal);
      await exited;
    };
    cleanups.push(async () => {
      await Promise.all(instances.map((_, i) => halt(i, 'SIGTERM')));
    });

    // the first creates the schema and the admin account, the others start beside it
    await launch(0);
    await Promise.all(instances.slice(1).map((inst) => launch(inst.index)));

    const nginx = await startNginx({ runDir, port: nginxPort, upstreams: instances.map((inst) => inst.port), accessLog: options.accessLog });
    cleanups.push(nginx.stop);

    let stopped = false;
    return {
      url,
      adminPassword,
      databaseUrl,
      s3Env: s3.env,
      runDir,
      instances: instances as Instance[],
      kill: (i, signal = 'SIGKILL') => halt(i, signal),
      async restart(i) {
        await halt(i, 'SIGKILL');
        const ms = await launch(i);
        await backInRotation(url, instances[i]!.port, timeout);
        return ms;
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        for (const c of cleanups.reverse()) await c().catch((err: unknown) => console.error(`停止时出错：${(err as Error).message}`));
        if (ownLog) log?.end();
        if (!options.keepRunDir) fs.rmSync(runDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    for (const c of cleanups.reverse()) await c().catch(() => {});
    if (ownLog) log?.end();
    if (!options.keepRunDir) fs.rmSync(runDir, { recursive: true, force: true });
    throw err;
  }
}
