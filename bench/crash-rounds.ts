// Crash rounds (issue 16 item 5): `npm run crash -- --rounds 20 --db pglite|pg`.
//
// The real server (server/main.ts, as `npm start` runs it) is started as a child process on one data directory
// (PGlite) or one PostgreSQL database, and a load driver writes continuously through HTTP: 【保存】 of 申请书,
// 提交/退回 of an application, an expert's score sheet, a ballot of 集中评选 and tus uploads of photos in 256 KiB
// PATCHes. At a random moment the server is killed with SIGKILL. Every write that got a 2xx is recorded, and so is
// the one in flight when the kill came (it may or may not have committed). The server is started again, nothing
// repaired by hand (PGlite's lock file, job and upload leases are left as the kill left them), and:
// - every acknowledged write is there: the value read back is the last acknowledged one or the one in flight;
// - the tus upload cut by the kill keeps every byte a PATCH acknowledged (HEAD's offset ≥ it), continues from HEAD's
//   offset and completes; the stored file is byte-identical (sha256) to what was sent;
// - every completed upload is downloadable with its hash; every deleted one stays deleted;
// - the time from the start to /api/auth/me 200 is measured.
// After the last round the server is stopped and the data opened directly (on PostgreSQL also after every round):
// every storage key a row refers to exists, every attachment's file has the row's size and sha256, and what is not
// referenced (a kill between storing a file and committing its row) is only in storage or the temp area, where the
// sweep removes it.
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { isNull } from 'drizzle-orm';
import { loadConfig, type Config } from '../server/config';
import { openPlatform } from '../server/services';
import { buildApp } from '../server/app';
import { CAPTCHA, Client, type startTestPlatform } from '../server/testing/harness';
import { buildApplicant, buildApplication } from '../server/testing/factories';
import { readyApplication } from '../server/testing/journey';
import { assignedReview } from '../server/testing/review';
import { panelExpert, setMeetingSettings, shortlistCandidates } from '../server/testing/meeting';
import { attachments } from '../server/db/schema';
import { queryOf, referencedKeys } from '../server/backup/manifest';
import { sweepOrphans } from '../server/usecases/sweep';
import { freePort, type Cluster } from '../scripts/cluster/topology';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
type T = Awaited<ReturnType<typeof startTestPlatform>>;
type Kind = 'save' | 'transition' | 'score' | 'vote' | 'upload';
const KINDS: Kind[] = ['save', 'transition', 'score', 'vote', 'upload'];
const DB_NAMES = { pglite: 'PGlite', pg: 'PostgreSQL', cluster: 'PostgreSQL + S3, two instances behind nginx' } as const;

export interface CrashOptions {
  rounds: number;
  /** cluster: PostgreSQL, S3 (s3rver) and two instances behind nginx (scripts/cluster/topology.ts); one is killed per round */
  db: 'pglite' | 'pg' | 'cluster';
  /** a PostgreSQL server's URL; a fresh database is created on it (pg) */
  pgUrl?: string;
  /** the writes run this long at least and at most before the kill (ms) */
  minRunMs?: number;
  maxRunMs?: number;
  log?: (line: string) => void;
}

export interface Loss {
  round: number;
  kind: Kind | 'file';
  what: string;
  expected: string;
  actual: string;
}

export interface CrashReport {
  db: CrashOptions['db'];
  rounds: number;
  /** 2xx writes by kind */
  writes: Record<Kind, number>;
  /** requests cut by a kill (their outcome unknown to the client) */
  inFlight: number;
  /**
   * two instances: the requests cut in each round. Only those in flight on the killed instance should be: at most one
   * per loop (the writers run one request at a time). More means nginx had no instance to send to while one was up.
   */
  cutPerRound: number[];
  /** the writers running side by side (each one request at a time) */
  loops: number;
  losses: Loss[];
  /** ms from each start to /api/auth/me 200 (the first start too) */
  startMs: number[];
  /** of which the server's own start (config → database open, recovery and migrations → listening), as it prints it */
  serverMs: number[];
  /** the machine's 1-minute load average at each start (2 cores shared with other work inflate the times) */
  load: number[];
  uploads: { completed: number; resumed: number; resumedByteIdentical: number; deleted: number; maxLeaseWaitMs: number };
  files: { referenced: number; checked: number; orphansSwept: number; tmpSwept: number };
  /** non-2xx answers that were not a kill (a refusal the driver did not expect) */
  unexpected: string[];
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP to the child, through the tests' Client (cookies, CSRF header): an "app" whose inject is a real request.

interface InjectOpts {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: Buffer | string | Record<string, unknown>;
}

function parseSetCookie(lines: string[]) {
  return lines.map((line) => {
    const [pair = '', ...attrs] = line.split(';');
    const eq = pair.indexOf('=');
    const cookie: { name: string; value: string; expires?: Date; maxAge?: number } = {
      name: pair.slice(0, eq).trim(),
      value: decodeURIComponent(pair.slice(eq + 1).trim()),
    };
    for (const attr of attrs) {
      const [k = '', v = ''] = attr.split('=');
      if (k.trim().toLowerCase() === 'expires') cookie.expires = new Date(v.trim());
      if (k.trim().toLowerCase() === 'max-age') cookie.maxAge = Number(v.trim());
    }
    return cookie;
  });
}

function httpApp(base: () => string): FastifyInstance {
  const inject = (opts: InjectOpts) =>
    new Promise<LightMyRequestResponse>((resolve, reject) => {
      const headers: Record<string, string> = { ...opts.headers };
      let body: Buffer | undefined;
      if (opts.payload !== undefined) {
        if (Buffer.isBuffer(opts.payload)) body = opts.payload;
        else if (typeof opts.payload === 'string') body = Buffer.from(opts.payload);
        else {
          body = Buffer.from(JSON.stringify(opts.payload));
          if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
        }
        headers['content-length'] = String(body.length);
      }
      const req = http.request(`${base()}${opts.url}`, { method: opts.method, headers, agent: false, timeout: 60_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const rawPayload = Buffer.concat(chunks);
          const text = rawPayload.toString('utf8');
          resolve({
            statusCode: res.statusCode ?? 0,
            headers: res.headers,
            rawPayload,
            payload: text,
            body: text,
            cookies: parseSetCookie(res.headers['set-cookie'] ?? []),
            json: () => JSON.parse(text) as unknown,
          } as unknown as LightMyRequestResponse);
        });
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end(body);
    });
  return { inject } as unknown as FastifyInstance;
}

/** A raw HTTP request for tus (its headers, a Buffer body). */
function rawRequest(url: string, method: string, headers: Record<string, string>, body?: Buffer) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = http.request(
      url,
      { method, headers: { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) }, agent: false, timeout: 60_000 },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('error', reject);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rand = (a: number, b: number) => a + Math.floor(Math.random() * (b - a + 1));

/** A JPEG of `size` bytes whose comment segments hold random bytes: every upload distinct. */
function randomJpeg(size: number): Buffer {
  // the smallest JPEG the platform accepts, from the test fixtures' recipe (testing/files.ts jpegBytes)
  const tiny = TINY_JPEG;
  const pads: Buffer[] = [];
  let left = size - tiny.length;
  while (left > 0) {
    let take = Math.min(left, 65537);
    if (left - take > 0 && left - take < 4) take -= 4;
    const seg = crypto.randomBytes(take);
    seg.writeUInt16BE(0xfffe, 0);
    seg.writeUInt16BE(take - 2, 2);
    pads.push(seg);
    left -= take;
  }
  return Buffer.concat([tiny.subarray(0, 2), ...pads, tiny.subarray(2)]);
}
let TINY_JPEG: Buffer;

// ---------------------------------------------------------------------------------------------------------------
// The instance

interface Instance {
  child: ChildProcess;
  output: () => string;
  readyMs: number;
  /** the server's own start as main.ts prints it (用时 N 秒), NaN when not printed */
  serverMs: number;
}

async function startInstance(env: Record<string, string>, port: number): Promise<Instance> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'server', 'main.ts')], {
    cwd: root,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output = (output + String(d)).slice(-20_000)));
  child.stderr!.on('data', (d) => (output = (output + String(d)).slice(-20_000)));
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}) at start: ${output}`);
    const ok = await rawRequest(`http://127.0.0.1:${port}/api/auth/me`, 'GET', {}).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the server was not ready within 120 s: ${output}`);
    }
    await sleep(25);
  }
  const printed = /用时 ([\d.]+) 秒/.exec(output);
  return { child, output: () => output, readyMs: performance.now() - started, serverMs: printed ? Number(printed[1]) * 1000 : NaN };
}

async function kill(instance: Instance, signal: NodeJS.Signals = 'SIGKILL') {
  if (instance.child.exitCode !== null || instance.child.signalCode !== null) return;
  const exited = new Promise((r) => instance.child.once('exit', r));
  instance.child.kill(signal);
  await exited;
}

// ---------------------------------------------------------------------------------------------------------------
// The writes: one slot per resource, one request at a time per slot, so at most one write per slot is in flight.

interface Slot<V> {
  kind: Kind;
  what: string;
  acked: V | undefined;
  /**
   * the writes cut since the last acknowledged one (each may or may not have committed). With two instances the loop
   * goes on after a cut write, so several can be cut in a row, and any of them may be the one that stands.
   */
  pending: V[];
  hasPending: boolean;
}

const newSlot = <V>(kind: Kind, what: string, initial?: V): Slot<V> => ({ kind, what, acked: initial, pending: [], hasPending: false });

class Driver {
  writes: Record<Kind, number> = { save: 0, transition: 0, score: 0, vote: 0, upload: 0 };
  inFlight = 0;
  unexpected: string[] = [];
  running = false;
  /** two instances: a write cut by the kill is retried through the other one, the loop goes on */
  survive = false;

  /**
   * One write: 2xx → acked; a failed connection (or the proxy's 502/503/504) → pending, and the loop stops (one
   * instance) or goes on (two); another status → unexpected. Returns whether the loop goes on.
   */
  async write<V>(slot: Slot<V>, value: V, send: () => Promise<LightMyRequestResponse | { statusCode: number; body: string }>): Promise<boolean> {
    let res;
    try {
      res = await send();
    } catch {
      slot.pending.push(value);
      slot.hasPending = true;
      this.inFlight++;
      return this.survive && this.running;
    }
    if (res.statusCode >= 200 && res.statusCode < 300) {
      slot.acked = value;
      slot.pending = [];
      slot.hasPending = false;
      this.writes[slot.kind]++;
      return true;
    }
    if ((res.statusCode >= 500 && !this.running) || (this.survive && [502, 503, 504].includes(res.statusCode))) {
      // the instance answered while going down, or nginx found it gone
      slot.pending.push(value);
      slot.hasPending = true;
      this.inFlight++;
      return this.survive && this.running;
    }
    this.unexpected.push(`${slot.what}: ${res.statusCode} ${res.body.slice(0, 200)}`);
    return false;
  }
}

// ---------------------------------------------------------------------------------------------------------------

interface Fixture {
  savers: { cookies: Map<string, string>; id: string; form: Record<string, unknown> }[];
  mover: { ac: Map<string, string>; uc: Map<string, string>; id: string; unitId: string };
  scorer: { cookies: Map<string, string>; ids: string[] };
  voter: { cookies: Map<string, string>; roundId: string; candidateIds: string[] };
  uploader: { cookies: Map<string, string>; id: string; name: string };
}

/** The data the rounds write on, made in-process on the same data directory or database before the first start. */
async function makeFixture(config: Config): Promise<Fixture> {
  const platform = await openPlatform(config);
  const app = await buildApp(platform.services, { jobRunner: false });
  await app.ready();
  const t = { app, s: platform.services, platform, close: async () => {} } as unknown as T;
  try {
    const review = await assignedReview(t);
    const cookies = (c: Client) => new Map(c.cookies);
    // 集中评选: a round open with two candidates, one expert signed in
    const campaignId = await setMeetingSettings(t, { winners: 1, nationalRecommendees: 1, passShare: 0.5 });
    const cands = await shortlistCandidates(t, campaignId, review.org.user.id, 2);
    const voter = await panelExpert(t);
    const open = await review.oc.post(`/api/meeting/campaigns/${campaignId}/open`, { expertIds: [voter.id] });
    if (open.statusCode !== 200) throw new Error(`集中评选 open: ${open.body}`);
    const signIn = await voter.client.post(`/api/meeting/campaigns/${campaignId}/sign-in`);
    if (signIn.statusCode !== 200) throw new Error(`sign-in: ${signIn.body}`);
    const round = await review.oc.post(`/api/meeting/campaigns/${campaignId}/rounds`, {
      candidateIds: cands.map((c) => c.id),
      questions: ['win'],
      placesWin: 1,
      purpose: 'fill',
    });
    if (round.statusCode !== 200) throw new Error(`round: ${round.body}`);
    const roundId = (round.json() as { rounds: { id: string; status: string }[] }).rounds.find((r) => r.status === 'open')!.id;

    const savers: Fixture['savers'] = [];
    for (let i = 0; i < 3; i++) {
      const a = await buildApplicant(t.s);
      const d = await buildApplication(t.s, a.user);
      const c = new Client(app);
      await c.login(a.username, a.password);
      const detail = (await c.get(`/api/applications/${d.id}`)).json() as { form: Record<string, unknown> };
      savers.push({ cookies: cookies(c), id: d.id, form: detail.form });
    }
    const moverApplicant = await buildApplicant(t.s);
    const mac = new Client(app);
    await mac.login(moverApplicant.username, moverApplicant.password);
    const moverId = await readyApplication(t, moverApplicant, mac);

    const up = await buildApplicant(t.s);
    const upApp = await buildApplication(t.s, up.user, { pledged: true });
    const uc = new Client(app);
    await uc.login(up.username, up.password);
    return {
      savers,
      mover: { ac: cookies(mac), uc: cookies(review.uc), id: moverId, unitId: review.unit.unit.id },
      scorer: {
        cookies: cookies(review.e1.client),
        ids: ((await review.e1.client.get('/api/review/mine')).json() as { items: { applicationId: string }[] }).items.map((i) => i.applicationId),
      },
      voter: { cookies: cookies(voter.client), roundId, candidateIds: cands.map((c) => c.id) },
      uploader: { cookies: cookies(uc), id: upApp.id, name: up.user.realName },
    };
  } finally {
    await app.close();
    await platform.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------

interface UploadState {
  url: string;
  bytes: Buffer;
  sha: string;
  ackedOffset: number;
}

export async function runCrashRounds(opts: CrashOptions): Promise<CrashReport> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const minRun = opts.minRunMs ?? 1500;
  const maxRun = opts.maxRunMs ?? 5000;
  TINY_JPEG = (await import('../server/testing/files')).jpegBytes();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'xjkx-crash-'));
  const dataDir = path.join(work, 'data');
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    DATA_KEY: crypto.randomBytes(32).toString('hex'),
    CAPTCHA_TEST_ANSWER: CAPTCHA,
    ADMIN_PASSWORD: 'Admin2023!x',
    MFA_REQUIRED_ROLES: '',
    RATE_LIMIT_LOGIN: '100000',
    RATE_LIMIT_REGISTER: '100000',
    RATE_LIMIT_RECOVER: '100000',
    LOG_LEVEL: 'fatal',
    WEB_DIST: path.join(work, 'no-web'),
  };
  let dropDb = async () => {};
  if (opts.db === 'pg') {
    const server = opts.pgUrl ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    const name = `crash_${process.pid}_${Date.now().toString(36)}`;
    const admin = new pg.Client({ connectionString: server });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const u = new URL(server);
    u.pathname = `/${name}`;
    env.DATABASE_URL = u.toString();
    dropDb = async () => {
      const c = new pg.Client({ connectionString: server });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    };
  }
  let cluster: Cluster | null = null;
  if (opts.db === 'cluster') {
    const { startCluster } = await import('../scripts/cluster/topology');
    const { WEB_DIST: _web, DATA_DIR: _dir, ...instanceEnv } = env;
    cluster = await startCluster({ instances: 2, env: instanceEnv });
    Object.assign(env, { DATABASE_URL: cluster.databaseUrl, ...cluster.s3Env });
  }
  const config = loadConfig(env);
  const report: CrashReport = {
    db: opts.db,
    rounds: opts.rounds,
    writes: { save: 0, transition: 0, score: 0, vote: 0, upload: 0 },
    inFlight: 0,
    cutPerRound: [],
    loops: 0,
    losses: [],
    startMs: [],
    serverMs: [],
    load: [],
    uploads: { completed: 0, resumed: 0, resumedByteIdentical: 0, deleted: 0, maxLeaseWaitMs: 0 },
    files: { referenced: 0, checked: 0, orphansSwept: 0, tmpSwept: 0 },
    unexpected: [],
  };
  let instance: Instance | null = null;
  try {
    log(`crash rounds on ${DB_NAMES[opts.db]}: setting up the data…`);
    const fx = await makeFixture(config);
    const port = await freePort();
    const base = cluster ? cluster.url : `http://127.0.0.1:${port}`;
    const app = httpApp(() => base);
    const client = (cookies: Map<string, string>) => {
      const c = new Client(app);
      c.cookies = new Map(cookies);
      return c;
    };
    const driver = new Driver();
    driver.survive = !!cluster;

    // slots
    const saveSlots = fx.savers.map((s, i) => ({ ...s, slot: newSlot<string>('save', `申请书${i + 1} 保存`, String(s.form.mainDeeds)), n: 0 }));
    const moveSlot = newSlot<string>('transition', '提交/退回', 'applicant');
    const scoreSlots = fx.scorer.ids.map((id, i) => ({ id, slot: newSlot<number | null>('score', `评分表${i + 1}`, null), n: 0 }));
    const voteSlot = newSlot<string>('vote', '选票', JSON.stringify(fx.voter.candidateIds.map(() => null)));
    const completed: { attachmentId: string; sha: string; size: number }[] = [];
    const deleted: string[] = [];
    let current: UploadState | null = null;
    let roundNow = 1;

    // the loops
    const saveLoop = async (s: (typeof saveSlots)[number]) => {
      const c = client(s.cookies);
      while (driver.running) {
        const value = `扎根南疆二十年，培育抗旱棉花新品种6个，累计推广800万亩。第${++s.n}次保存${crypto.randomUUID().slice(0, 8)}`;
        if (!(await driver.write(s.slot, value, () => c.put(`/api/applications/${s.id}`, { form: { ...s.form, mainDeeds: value } })))) return;
      }
    };
    const moveLoop = async () => {
      const ac = client(fx.mover.ac);
      const uc = client(fx.mover.uc);
      while (driver.running) {
        if (moveSlot.hasPending) {
          // two instances: a transition cut by the kill may have committed; read where it stands before the next one
          const res = await ac.get(`/api/applications/${fx.mover.id}`).catch(() => null);
          if (!res || res.statusCode !== 200) {
            await sleep(100);
            continue;
          }
          const now = (res.json() as { status: string }).status;
          if (!accepts(moveSlot, now)) loss(roundNow, 'transition', moveSlot.what, [moveSlot.acked, ...moveSlot.pending], now);
          settle(moveSlot, now);
        }
        const status = moveSlot.acked;
        if (status === 'applicant' || status === 'returned_to_applicant') {
          const ok = await driver.write(moveSlot, 'submitted_to_unit', () =>
            ac.post(`/api/applications/${fx.mover.id}/transitions/submit`, { unitId: fx.mover.unitId }),
          );
          if (!ok) return;
        } else {
          const opinion = await uc
            .put(`/api/applications/${fx.mover.id}/opinions/return`, { text: `请补充材料（第${driver.writes.transition}次）。` })
            .catch(() => null);
          if (!opinion || opinion.statusCode !== 200) {
            if (!driver.survive) return;
            await sleep(100);
            continue;
          }
          if (!(await driver.write(moveSlot, 'returned_to_applicant', () => uc.post(`/api/applications/${fx.mover.id}/transitions/return`)))) return;
        }
      }
    };
    const scoreLoop = async (s: (typeof scoreSlots)[number]) => {
      const c = client(fx.scorer.cookies);
      while (driver.running) {
        const value = (++s.n % 100) / 2;
        if (!(await driver.write(s.slot, value, () => c.put(`/api/review/applications/${s.id}/sheet`, { scores: { achievement: value } })))) return;
      }
    };
    const voteLoop = async () => {
      const c = client(fx.voter.cookies);
      const choices = ['yes', 'no', 'abstain'];
      let n = 0;
      while (driver.running) {
        const votes = fx.voter.candidateIds.map((applicationId, i) => ({ applicationId, question: 'win', choice: choices[(n + i) % 3]! }));
        n++;
        const value = JSON.stringify(votes.map((v) => v.choice));
        if (!(await driver.write(voteSlot, value, () => c.put(`/api/meeting/rounds/${fx.voter.roundId}/ballot`, { votes })))) return;
      }
    };
    const uploadClient = client(fx.uploader.cookies);
    const tusHeaders = async () => {
      if (!uploadClient.cookies.has('csrf')) await uploadClient.get('/api/auth/me');
      return {
        cookie: [...uploadClient.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        'x-csrf-token': uploadClient.cookies.get('csrf') ?? '',
        'tus-resumable': '1.0.0',
      };
    };
    /** PATCHes from `offset` in 256 KiB pieces: done, cut by a kill, or refused. */
    const sendFrom = async (u: UploadState, offset: number): Promise<'done' | 'cut' | 'refused'> => {
      const CHUNK = 256 * 1024;
      while (offset < u.bytes.length) {
        const end = Math.min(offset + CHUNK, u.bytes.length);
        const piece = u.bytes.subarray(offset, end);
        let res;
        try {
          res = await rawRequest(
            u.url,
            'PATCH',
            { ...(await tusHeaders()), 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' },
            piece,
          );
        } catch {
          driver.inFlight++;
          return 'cut';
        }
        if (res.status === 204) {
          offset = Number(res.headers['upload-offset']);
          u.ackedOffset = offset;
          driver.writes.upload++;
          continue;
        }
        if (res.status === 200) {
          driver.writes.upload++;
          const view = JSON.parse(res.body) as { id: string };
          completed.push({ attachmentId: view.id, sha: u.sha, size: u.bytes.length });
          report.uploads.completed++;
          return 'done';
        }
        if ((res.status >= 500 && !driver.running) || (driver.survive && [502, 503, 504].includes(res.status))) {
          driver.inFlight++;
          return 'cut';
        }
        driver.unexpected.push(`tus PATCH: ${res.status} ${res.body.slice(0, 200)}`);
        return 'refused';
      }
      // every byte had arrived before the kill, but the file was not stored yet: the client asks the server to store
      // it now (POST …/commit), as the web client's tusUpload.finish does when a resumed upload ends on its HEAD
      const res = await uploadClient.post(`${new URL(u.url).pathname}/commit`).catch(() => null);
      if (!res) {
        driver.inFlight++;
        return 'cut';
      }
      if (res.statusCode === 200) {
        driver.writes.upload++;
        completed.push({ attachmentId: (res.json() as { id: string }).id, sha: u.sha, size: u.bytes.length });
        report.uploads.completed++;
        return 'done';
      }
      if ((res.statusCode >= 500 && !driver.running) || (driver.survive && [502, 503, 504].includes(res.statusCode))) {
        driver.inFlight++;
        return 'cut';
      }
      driver.unexpected.push(`tus commit: ${res.statusCode} ${res.body.slice(0, 200)}`);
      return 'refused';
    };
    const uploadLoop = async () => {
      while (driver.running) {
        // at most 10 photos: the oldest goes (an acknowledged delete must stay deleted)
        if (completed.length - deleted.length >= 8) {
          const oldest = completed.find((c) => !deleted.includes(c.attachmentId))!;
          const slot = newSlot<string>('upload', `删除照片 ${oldest.attachmentId}`);
          if (!(await driver.write(slot, 'deleted', () => uploadClient.del(`/api/attachments/${oldest.attachmentId}`)))) return;
          deleted.push(oldest.attachmentId);
          report.uploads.deleted++;
          continue;
        }
        const bytes = randomJpeg(2 * 1024 * 1024 + rand(0, 1024 * 1024));
        const meta = Object.entries({ applicationId: fx.uploader.id, kind: 'photo', filename: `IMG_${Date.now()}.JPG` })
          .map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`)
          .join(',');
        let created;
        try {
          created = await rawRequest(`${base}/api/uploads`, 'POST', {
            ...(await tusHeaders()),
            'upload-length': String(bytes.length),
            'upload-metadata': meta,
          });
        } catch {
          return;
        }
        // through nginx, a request that reached the instance being killed answers 502–504: a client tries again
        if (driver.survive && [502, 503, 504].includes(created.status)) {
          driver.inFlight++;
          await sleep(200);
          continue;
        }
        if (created.status !== 201) {
          if (driver.running) driver.unexpected.push(`tus create: ${created.status} ${created.body.slice(0, 200)}`);
          return;
        }
        const u: UploadState = { url: new URL(String(created.headers.location), `${base}/api/uploads/`).toString(), bytes, sha: sha(bytes), ackedOffset: 0 };
        current = u;
        const sent = await sendFrom(u, 0);
        if (sent === 'done') current = null;
        else if (sent === 'cut' && driver.survive) {
          // the other instance takes the upload over: HEAD's offset, the rest, byte-identical
          current = null;
          await sleep(200);
          await resumeUpload(roundNow, u);
        } else return;
      }
    };

    /** After a restart: the upload the kill cut resumes from HEAD's offset and completes byte-identical. */
    const resumeUpload = async (round: number, u: UploadState) => {
      report.uploads.resumed++;
      let head = await rawRequest(u.url, 'HEAD', await tusHeaders());
      // through nginx, the first request after a kill may still meet the dead instance (502–504): a client tries again
      for (let tries = 0; driver.survive && [502, 503, 504].includes(head.status) && tries < 20; tries++) {
        await sleep(500);
        head = await rawRequest(u.url, 'HEAD', await tusHeaders());
      }
      if (head.status === 404) {
        // the last PATCH completed before the kill: the photo must be there, whole
        const detail = (await uploadClient.get(`/api/applications/${fx.uploader.id}`)).json() as { attachments: { id: string; kind: string }[] };
        for (const a of detail.attachments.filter((x) => x.kind === 'photo' && !completed.some((c) => c.attachmentId === x.id))) {
          const got = await uploadClient.get(`/api/attachments/${a.id}`);
          if (sha(got.rawPayload) === u.sha) {
            completed.push({ attachmentId: a.id, sha: u.sha, size: u.bytes.length });
            report.uploads.completed++;
            report.uploads.resumedByteIdentical++;
            return;
          }
        }
        report.losses.push({
          round,
          kind: 'upload',
          what: `tus 上传 ${u.url}`,
          expected: `已确认 ${u.ackedOffset} 字节，可续传`,
          actual: 'HEAD 404 且没有完成的照片',
        });
        return;
      }
      const offset = Number(head.headers['upload-offset']);
      if (head.status !== 200 || !(offset >= u.ackedOffset && offset <= u.bytes.length)) {
        report.losses.push({
          round,
          kind: 'upload',
          what: `tus 上传 ${u.url}`,
          expected: `HEAD 200，偏移 ≥ ${u.ackedOffset}`,
          actual: `HEAD ${head.status}，偏移 ${offset}`,
        });
        return;
      }
      // a lease the killed instance held may still run: the continuation waits for it, nobody repairs it
      const started = Date.now();
      for (;;) {
        const before = driver.unexpected.length;
        const at = await rawRequest(u.url, 'HEAD', await tusHeaders()).catch(() => null);
        const sent = at && at.status === 200 ? await sendFrom(u, Number(at.headers['upload-offset'])) : 'cut';
        if (sent === 'done') break;
        const last = driver.unexpected[driver.unexpected.length - 1] ?? '';
        // a lease the killed process held answers a PATCH 423/409 and a commit 423 until it runs out (8 s)
        const leaseHeld = sent === 'refused' && driver.unexpected.length > before && /^tus (PATCH: (409|423)|commit: 423)/.test(last);
        if ((leaseHeld || sent === 'cut') && Date.now() - started < 120_000) {
          if (leaseHeld) driver.unexpected.pop();
          await sleep(500);
          continue;
        }
        report.losses.push({ round, kind: 'upload', what: `tus 上传 ${u.url} 的续传`, expected: '从 HEAD 的偏移续传完成', actual: last || '失败' });
        return;
      }
      report.uploads.maxLeaseWaitMs = Math.max(report.uploads.maxLeaseWaitMs, Date.now() - started);
      const done = completed[completed.length - 1]!;
      const got = await uploadClient.get(`/api/attachments/${done.attachmentId}`);
      if (sha(got.rawPayload) === u.sha && got.rawPayload.length === u.bytes.length) report.uploads.resumedByteIdentical++;
      else
        report.losses.push({
          round,
          kind: 'upload',
          what: `续传的照片 ${done.attachmentId}`,
          expected: `sha256 ${u.sha}`,
          actual: `sha256 ${sha(got.rawPayload)}，${got.rawPayload.length} 字节`,
        });
    };

    const loss = (round: number, kind: Loss['kind'], what: string, expected: unknown, actual: unknown) =>
      report.losses.push({ round, kind, what, expected: JSON.stringify(expected), actual: JSON.stringify(actual) });
    /** acked or the one in flight */
    const accepts = <V>(slot: Slot<V>, actual: V) => actual === slot.acked || slot.pending.includes(actual);
    const settle = <V>(slot: Slot<V>, actual: V) => {
      slot.acked = actual;
      slot.hasPending = false;
      slot.pending = [];
    };

    /**
     * A read after the restart: the restarted instance is back in nginx's rotation and the other one never went away,
     * so anything but 200 is a failure of the platform (or of the topology), named with its answer.
     */
    const read = async <J>(c: Client, url: string): Promise<J> => {
      const res = await c.get(url);
      if (res.statusCode !== 200) throw new Error(`重启后读取 ${url}：${res.statusCode} ${res.body.slice(0, 300)}`);
      return res.json() as J;
    };

    const verify = async (round: number) => {
      for (const s of saveSlots) {
        const d = await read<{ form: { mainDeeds: string } }>(client(s.cookies), `/api/applications/${s.id}`);
        if (!accepts(s.slot, d.form.mainDeeds)) loss(round, 'save', s.slot.what, [s.slot.acked, ...s.slot.pending], d.form.mainDeeds);
        settle(s.slot, d.form.mainDeeds);
      }
      const d = await read<{ status: string }>(client(fx.mover.ac), `/api/applications/${fx.mover.id}`);
      if (!accepts(moveSlot, d.status)) loss(round, 'transition', moveSlot.what, [moveSlot.acked, ...moveSlot.pending], d.status);
      settle(moveSlot, d.status);
      for (const s of scoreSlots) {
        const sheet = await read<{ scores?: { achievement?: number | null } }>(client(fx.scorer.cookies), `/api/review/applications/${s.id}/sheet`);
        // a sheet never saved has no scores yet
        const achievement = sheet.scores?.achievement ?? null;
        if (!accepts(s.slot, achievement)) loss(round, 'score', s.slot.what, [s.slot.acked, ...s.slot.pending], achievement);
        settle(s.slot, achievement);
      }
      const ballot = await read<{ candidates: { applicationId: string; votes: { win: string | null } }[] }>(
        client(fx.voter.cookies),
        `/api/meeting/rounds/${fx.voter.roundId}/ballot`,
      );
      const choices = JSON.stringify(fx.voter.candidateIds.map((id) => ballot.candidates.find((c) => c.applicationId === id)?.votes.win ?? null));
      if (!accepts(voteSlot, choices)) loss(round, 'vote', voteSlot.what, [voteSlot.acked, ...voteSlot.pending], choices);
      settle(voteSlot, choices);
      // every completed photo whole, every deleted one gone
      const detail = await read<{ attachments: { id: string }[] }>(uploadClient, `/api/applications/${fx.uploader.id}`);
      const present = new Set(detail.attachments.map((a) => a.id));
      for (const c of completed) {
        if (deleted.includes(c.attachmentId)) {
          if (present.has(c.attachmentId)) loss(round, 'upload', `已删除的照片 ${c.attachmentId}`, '已删除', '仍在');
          continue;
        }
        const got = await uploadClient.get(`/api/attachments/${c.attachmentId}`);
        if (got.statusCode !== 200 || sha(got.rawPayload) !== c.sha)
          loss(round, 'upload', `照片 ${c.attachmentId}`, c.sha, `${got.statusCode} ${sha(got.rawPayload)}`);
      }
      if (current) {
        const u = current;
        current = null;
        await resumeUpload(round, u);
      }
    };

    if (cluster) {
      // two instances behind nginx: one is killed while the writes go on through the other, then started again
      for (let round = 1; round <= opts.rounds; round++) {
        roundNow = round;
        const cutBefore = driver.inFlight;
        driver.running = true;
        const loops = [...saveSlots.map((s) => saveLoop(s)), moveLoop(), ...scoreSlots.map((s) => scoreLoop(s)), voteLoop(), uploadLoop()];
        const runMs = rand(minRun, maxRun);
        await sleep(runMs);
        const victim = round % 2;
        await cluster.kill(victim);
        await sleep(rand(500, 2000)); // the survivor carries on alone
        driver.running = false;
        await Promise.all(loops);
        report.cutPerRound.push(driver.inFlight - cutBefore);
        report.loops = loops.length;
        report.load.push(os.loadavg()[0]!);
        report.startMs.push(await cluster.restart(victim));
        await verify(round);
        await checkFiles(config, report, round, round === opts.rounds);
        log(
          `round ${round}/${opts.rounds}: instance ${victim} killed after ${runMs} ms, ready again in ${report.startMs[report.startMs.length - 1]!.toFixed(0)} ms; ` +
            `writes so far ${KINDS.map((k) => `${k} ${driver.writes[k]}`).join(', ')}; losses ${report.losses.length}`,
        );
      }
      report.writes = driver.writes;
      report.inFlight = driver.inFlight;
      report.unexpected = driver.unexpected;
      return report;
    }
    for (let round = 1; round <= opts.rounds; round++) {
      roundNow = round;
      report.load.push(os.loadavg()[0]!);
      instance = await startInstance(env, port);
      report.startMs.push(instance.readyMs);
      report.serverMs.push(instance.serverMs);
      if (round > 1) await verify(round - 1);
      driver.running = true;
      const loops = [...saveSlots.map((s) => saveLoop(s)), moveLoop(), ...scoreSlots.map((s) => scoreLoop(s)), voteLoop(), uploadLoop()];
      const runMs = rand(minRun, maxRun);
      await sleep(runMs);
      await kill(instance);
      driver.running = false;
      await Promise.all(loops);
      instance = null;
      log(
        `round ${round}/${opts.rounds}: ready in ${report.startMs[report.startMs.length - 1]!.toFixed(0)} ms, killed after ${runMs} ms; ` +
          `writes so far ${KINDS.map((k) => `${k} ${driver.writes[k]}`).join(', ')}; losses ${report.losses.length}`,
      );
      if (opts.db !== 'pglite') await checkFiles(config, report, round, false);
    }
    // the last restart: everything of the last round, then a clean stop and the data read directly
    report.load.push(os.loadavg()[0]!);
    instance = await startInstance(env, port);
    report.startMs.push(instance.readyMs);
    report.serverMs.push(instance.serverMs);
    await verify(opts.rounds);
    await kill(instance, 'SIGTERM');
    instance = null;
    await checkFiles(config, report, opts.rounds, true);
    report.writes = driver.writes;
    report.inFlight = driver.inFlight;
    report.unexpected = driver.unexpected;
    return report;
  } catch (err) {
    if (instance) log(instance.output().slice(-3000));
    throw err;
  } finally {
    if (instance) await kill(instance);
    await cluster?.stop().catch(() => {});
    await dropDb().catch(() => {});
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The data read directly: every storage key a row refers to is stored; every attachment's file has the row's size
 * and sha256. With `sweep`: what no row refers to is swept (as the hourly sweep would, its grace period passed) and
 * nothing referenced goes with it.
 */
async function checkFiles(config: Config, report: CrashReport, round: number, sweep: boolean) {
  const platform = await openPlatform(config);
  try {
    const s = platform.services;
    const { keys } = await referencedKeys(queryOf(s.db));
    report.files.referenced = keys.size;
    for (const key of keys) {
      if (!(await s.storage.stat(key))) report.losses.push({ round, kind: 'file', what: `存储键 ${key}`, expected: '存在（有数据行引用）', actual: '缺失' });
    }
    const rows = await s.db.select().from(attachments).where(isNull(attachments.deletedAt));
    report.files.checked = 0;
    for (const row of rows) {
      const hash = crypto.createHash('sha256');
      let size = 0;
      try {
        for await (const chunk of await s.storage.open(row.storageKey)) {
          hash.update(chunk as Buffer);
          size += (chunk as Buffer).length;
        }
      } catch {
        continue; // counted above as missing
      }
      report.files.checked++;
      const digest = hash.digest('hex');
      if (size !== row.size || digest !== row.sha256) {
        report.losses.push({
          round,
          kind: 'file',
          what: `附件 ${row.id} 的文件 ${row.storageKey}`,
          expected: `${row.size} 字节 ${row.sha256}`,
          actual: `${size} 字节 ${digest}`,
        });
      }
    }
    if (sweep) {
      const swept = await sweepOrphans(s, Date.now() + 25 * 60 * 60 * 1000);
      report.files.orphansSwept = swept.objects;
      report.files.tmpSwept = swept.tmpFiles;
      for (const key of keys) {
        if (!(await s.storage.stat(key))) report.losses.push({ round, kind: 'file', what: `存储键 ${key}`, expected: '清理后仍存在', actual: '被清理' });
      }
    }
  } finally {
    await platform.close();
  }
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};

export function formatReport(r: CrashReport): string {
  const total = KINDS.reduce((n, k) => n + r.writes[k], 0);
  return [
    `崩溃轮次（${DB_NAMES[r.db]}）：${r.rounds} 轮，每轮 kill -9${r.db === 'cluster' ? ' 其中一个实例，写入经另一个继续' : ''}`,
    `  得到 2xx 的写入：${total}（${KINDS.map((k) => `${k} ${r.writes[k]}`).join('，')}）；被 kill 打断的请求 ${r.inFlight}`,
    ...(r.cutPerRound.length
      ? [`  每轮被打断的请求：最多 ${Math.max(...r.cutPerRound)}（${r.loops} 个写入者各一次一个请求；逐轮 ${r.cutPerRound.join('、')}）`]
      : []),
    `  丢失：${r.losses.length}`,
    ...r.losses.slice(0, 20).map((l) => `    第 ${l.round} 轮 ${l.kind} ${l.what}：应为 ${l.expected}，实际 ${l.actual}`),
    `  启动到 /api/auth/me 200：p50 ${(pct(r.startMs, 50) / 1000).toFixed(2)} s，最长 ${(Math.max(...r.startMs) / 1000).toFixed(2)} s（${r.startMs.length} 次）` +
      (r.serverMs.some((x) => !Number.isNaN(x))
        ? `；其中平台自身启动（打开数据库、恢复、迁移到监听）p50 ${(
            pct(
              r.serverMs.filter((x) => !Number.isNaN(x)),
              50,
            ) / 1000
          ).toFixed(2)} s，最长 ${(Math.max(...r.serverMs.filter((x) => !Number.isNaN(x))) / 1000).toFixed(2)} s`
        : '') +
      `；启动时机器 1 分钟负载 p50 ${pct(r.load, 50).toFixed(1)}（2 核）`,
    `  上传：完成 ${r.uploads.completed}，被打断后续传 ${r.uploads.resumed}（字节一致 ${r.uploads.resumedByteIdentical}），删除 ${r.uploads.deleted}，续传等待租约最长 ${r.uploads.maxLeaseWaitMs} ms`,
    `  文件：被引用的存储键 ${r.files.referenced}，逐个核对大小与 sha256 的附件 ${r.files.checked}；清理未被引用的对象 ${r.files.orphansSwept}、临时文件 ${r.files.tmpSwept}`,
    `  意外的拒绝：${r.unexpected.length}${r.unexpected.length ? `（${r.unexpected.slice(0, 5).join('；')}）` : ''}`,
  ].join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { rounds: { type: 'string' }, db: { type: 'string' }, 'pg-url': { type: 'string' } } });
  const rounds = Number(values.rounds ?? 20);
  const dbs = (values.db ?? 'pglite').split(',');
  if (!Number.isInteger(rounds) || rounds < 1 || dbs.some((d) => !(d in DB_NAMES))) {
    console.error('用法：npm run crash -- [--rounds 20] [--db pglite|pg|cluster|pglite,pg,cluster] [--pg-url postgres://…]');
    process.exit(2);
  }
  let failed = false;
  for (const db of dbs as CrashOptions['db'][]) {
    const r = await runCrashRounds({ rounds, db, pgUrl: values['pg-url'] });
    console.log(formatReport(r));
    if (r.losses.length || r.unexpected.length) failed = true;
  }
  process.exit(failed ? 1 : 0);
}
