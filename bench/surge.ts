/**
 * bench:surge (issue 16, 6.): the last days before a deadline, against the production topology on this machine —
 * nginx in front of two app instances, PostgreSQL, the S3-compatible store (scripts/cluster/topology.ts).
 *
 * 300 virtual users (SURGE_USERS) act for SURGE_SECONDS (default 120) after a warm-up (SURGE_WARMUP_SECONDS, 15):
 * each waits a think time (exponential, mean SURGE_THINK_MS = 3000: a user reads and types between clicks), then
 * does one thing, drawn as 70% reads, 25% saves, 5% uploads:
 * - read: an applicant's 我的申报表 list or its 申请书 (half each); a unit account's 查询申报表 list or an application
 *   of its own (SURGE_UNIT_USERS of the users are unit accounts, default 20: they only read);
 * - save: 【保存】 of the whole 申请书 (PUT /api/applications/:id), a different 感人故事 each time;
 * - upload: a video of 2, 5, 10 or 20 MB by tus (POST, then PATCHes of core's uploadChunkBytes), the whole upload
 *   timed from creation to the stored attachment; then deleted again (not timed) so the count limit is never hit.
 * Every request through nginx, round robin over the instances. The data: bench/data.ts's generator (SURGE_APPLICATIONS,
 * 3,000 applications of 30 units); the applicants are those whose application is 草稿 or 退回 (they may save).
 *
 * Prints p50/p95/p99/max per kind, the counts, the error count (non-2xx and network errors, with the first of each
 * kind), the offered rate, the load average; and the targets: p95 read < 200 ms, p95 save < 500 ms, 0 errors.
 * Run on a quiet machine: `npm run bench:surge` (needs PostgreSQL on 127.0.0.1:5432 and nginx, as npm run cluster).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { uploadChunkBytes } from '../core/media';
import { hashPassword } from '../server/auth/passwords';
import { completeForm, makeIdNumber } from '../server/demo/forms';
import { writeSparseMp4 } from '../server/testing/media-fixtures';
import { startCluster } from '../scripts/cluster/topology';
import { intEnv, loadAverage } from './common';
import { generate, UNIT_USERNAME } from './data';

const CAPTCHA = '13579';
const PASSWORD = 'Bench#Surge2023';
const MiB = 1024 * 1024;

const settings = {
  users: intEnv('SURGE_USERS', 300),
  unitUsers: intEnv('SURGE_UNIT_USERS', 20, 0),
  seconds: intEnv('SURGE_SECONDS', 120),
  warmupSeconds: intEnv('SURGE_WARMUP_SECONDS', 15, 0),
  thinkMs: intEnv('SURGE_THINK_MS', 3000),
  applications: intEnv('SURGE_APPLICATIONS', 3000),
  units: intEnv('SURGE_UNITS', 30),
};

type Kind = 'read' | 'save' | 'upload';

interface Sample {
  kind: Kind;
  ms: number;
}

const samples: Sample[] = [];
const errors = new Map<string, { count: number; first: string }>();
let measuring = false;

function recordError(what: string, detail: string) {
  if (!measuring) return;
  const e = errors.get(what);
  if (e) e.count++;
  else errors.set(what, { count: 1, first: detail.slice(0, 300) });
}

class Session {
  cookies = new Map<string, string>();
  constructor(readonly base: string) {}

  private remember(res: Response) {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1));
    }
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return {
      cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      'x-csrf-token': this.cookies.get('csrf') ?? '',
      ...extra,
    };
  }

  async fetch(method: string, url: string, init: { body?: BodyInit; headers?: Record<string, string> } = {}): Promise<Response> {
    const res = await fetch(`${this.base}${url}`, { method, headers: this.headers(init.headers), body: init.body, duplex: 'half' } as RequestInit);
    this.remember(res);
    return res;
  }

  async login(username: string) {
    this.remember(await fetch(`${this.base}/api/auth/me`));
    const res = await this.fetch('POST', '/api/auth/login', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: PASSWORD, captcha: CAPTCHA }),
    });
    if (res.status !== 200) throw new Error(`log-in of ${username}: ${res.status} ${await res.text()}`);
  }
}

/** A request that counts: timed (when it is its kind's own), 2xx or an error. */
interface Answer {
  status: number;
  headers: Headers;
  body: Buffer;
}

async function timed(kind: Kind | null, what: string, run: () => Promise<Response>): Promise<Answer | null> {
  const started = performance.now();
  try {
    const res = await run();
    const body = Buffer.from(await res.arrayBuffer());
    if (res.status >= 300) {
      recordError(`${what} ${res.status}`, body.toString('utf8'));
      return null;
    }
    if (kind && measuring) samples.push({ kind, ms: performance.now() - started });
    return { status: res.status, headers: res.headers, body };
  } catch (err) {
    recordError(`${what} network`, String(err));
    return null;
  }
}

interface User {
  session: Session;
  role: 'applicant' | 'unit';
  applicationId: string;
  seq: number;
  /** the applicant's own 身份证号码, the same at every 【保存】 (one per applicant: a second 申请书 with it is refused) */
  idNumber: string;
}

const files: { size: number; path: string }[] = [];

async function upload(u: User): Promise<void> {
  const file = files[Math.floor(Math.random() * files.length)]!;
  const started = performance.now();
  const meta = Object.entries({ applicationId: u.applicationId, kind: 'video', filename: `事迹视频${file.size / MiB}MB.mp4` })
    .map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`)
    .join(',');
  const created = await timed(null, 'upload POST', () =>
    u.session.fetch('POST', '/api/uploads', { headers: { 'tus-resumable': '1.0.0', 'upload-length': String(file.size), 'upload-metadata': meta } }),
  );
  if (!created) return;
  const location = new URL(String(created.headers.get('location')), `${u.session.base}/api/uploads/`).pathname;
  const chunk = uploadChunkBytes(file.size);
  const bytes = fs.readFileSync(file.path);
  let last: Answer | null = null;
  for (let offset = 0; offset < file.size; offset += chunk) {
    const end = Math.min(offset + chunk, file.size);
    last = await timed(null, 'upload PATCH', () =>
      u.session.fetch('PATCH', location, {
        headers: { 'tus-resumable': '1.0.0', 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' },
        body: bytes.subarray(offset, end),
      }),
    );
    if (!last) return;
  }
  if (last?.status !== 200) {
    recordError('upload final', `the last PATCH answered ${last?.status}`);
    return;
  }
  if (measuring) samples.push({ kind: 'upload', ms: performance.now() - started });
  const { id } = JSON.parse(last.body.toString('utf8')) as { id: string };
  await timed(null, 'attachment DELETE', () => u.session.fetch('DELETE', `/api/attachments/${id}`));
}

async function act(u: User): Promise<void> {
  const draw = u.role === 'unit' ? 0 : Math.random();
  if (draw < 0.7) {
    if (u.role === 'unit') {
      if (Math.random() < 0.5) await timed('read', 'read 查询申报表', () => u.session.fetch('GET', '/api/applications?page=1&pageSize=20'));
      else await timed('read', 'read 申请书 (unit)', () => u.session.fetch('GET', `/api/applications/${u.applicationId}`));
    } else if (Math.random() < 0.5) await timed('read', 'read 我的申报表', () => u.session.fetch('GET', '/api/applications/mine'));
    else await timed('read', 'read 申请书', () => u.session.fetch('GET', `/api/applications/${u.applicationId}`));
  } else if (draw < 0.95) {
    u.seq++;
    const form = completeForm({ idNumber: u.idNumber, story: `在边疆基层坚持科研与推广第${u.seq}年，带领团队解决了当地产业的关键技术难题。` });
    await timed('save', 'save 【保存】', () =>
      u.session.fetch('PUT', `/api/applications/${u.applicationId}`, { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ form }) }),
    );
  } else await upload(u);
}

function think(): Promise<void> {
  const ms = -Math.log(1 - Math.random()) * settings.thinkMs;
  return new Promise((r) => setTimeout(r, Math.min(ms, settings.thinkMs * 6)));
}

function pct(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'xjkx-surge-'));
  for (const mb of [2, 5, 10, 20]) {
    const file = path.join(work, `video-${mb}.mp4`);
    await writeSparseMp4(file, mb * MiB);
    files.push({ size: mb * MiB, path: file });
  }
  console.log(
    `bench:surge — ${settings.users} users (${settings.unitUsers} unit accounts), think ${settings.thinkMs} ms, ${settings.seconds} s; load ${loadAverage()}`,
  );
  const cluster = await startCluster({
    instances: 2,
    env: {
      CAPTCHA_TEST_ANSWER: CAPTCHA,
      RATE_LIMIT_LOGIN: '1000000',
      RATE_LIMIT_REGISTER: '1000000',
      RATE_LIMIT_RECOVER: '1000000',
      MFA_REQUIRED_ROLES: '',
      LOG_LEVEL: 'warn',
    },
  });
  try {
    const client = new pg.Client({ connectionString: cluster.databaseUrl });
    await client.connect();
    await generate(client, { units: settings.units, applications: settings.applications, passwordHash: await hashPassword(PASSWORD) });
    const applicantCount = settings.users - settings.unitUsers;
    const { rows: editable } = await client.query<{ username: string; id: string }>(
      `select u.username, a.id from applications a join users u on u.id = a.applicant_id
        where a.status in ('applicant', 'returned_to_applicant') order by a.seq limit $1`,
      [applicantCount],
    );
    if (editable.length < applicantCount) throw new Error(`only ${editable.length} editable applications: raise SURGE_APPLICATIONS`);
    const { rows: unitApps } = await client.query<{ unit_id: string; id: string }>(
      `select distinct on (unit_id) unit_id, id from applications where unit_id is not null order by unit_id, seq`,
    );
    const { rows: unitRows } = await client.query<{ username: string; unit_id: string }>(
      `select username, unit_id from users where role = 'unit' and username like 'benchunit%'`,
    );
    await client.end();
    const appOfUnit = new Map(unitApps.map((r) => [r.unit_id, r.id]));
    const unitUsers = unitRows
      .filter((r) => appOfUnit.has(r.unit_id))
      .slice(0, settings.unitUsers)
      .map((r) => ({ username: r.username, applicationId: appOfUnit.get(r.unit_id)! }));
    if (unitUsers.length < settings.unitUsers) throw new Error(`only ${unitUsers.length} unit accounts with an application (${UNIT_USERNAME(1)} …)`);

    // log every user in, eight at a time (argon2id: the log-in is deliberately slow)
    const users: User[] = [
      ...editable.map((r) => ({ username: r.username, applicationId: r.id, role: 'applicant' as const })),
      ...unitUsers.map((r) => ({ ...r, role: 'unit' as const })),
    ].map((r, i) => ({
      session: new Session(cluster.url),
      role: r.role,
      applicationId: r.applicationId,
      seq: 0,
      username: r.username,
      // completeForm's birth date and gender, a region no generated 申请书 uses, a serial of its own
      idNumber: makeIdNumber('1985-03-12', '女', '659001', i),
    }));
    const t = performance.now();
    for (let i = 0; i < users.length; i += 8) await Promise.all(users.slice(i, i + 8).map((u) => u.session.login((u as User & { username: string }).username)));
    console.log(`${users.length} users logged in through nginx in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    const deadline = performance.now() + (settings.warmupSeconds + settings.seconds) * 1000;
    setTimeout(() => (measuring = true), settings.warmupSeconds * 1000);
    const started = performance.now() + settings.warmupSeconds * 1000;
    const loadAtStart = loadAverage();
    await Promise.all(
      users.map(async (u) => {
        await new Promise((r) => setTimeout(r, Math.random() * settings.thinkMs));
        while (performance.now() < deadline) {
          await act(u);
          await think();
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;

    console.log(
      `\nmeasured ${seconds.toFixed(0)} s after a ${settings.warmupSeconds} s warm-up; load average at start ${loadAtStart}, at end ${loadAverage()}`,
    );
    console.log('kind     count   per s    p50 ms   p95 ms   p99 ms   max ms');
    const p95: Partial<Record<Kind, number>> = {};
    for (const kind of ['read', 'save', 'upload'] as Kind[]) {
      const ms = samples
        .filter((s) => s.kind === kind)
        .map((s) => s.ms)
        .sort((a, b) => a - b);
      p95[kind] = pct(ms, 95);
      const f = (n: number) => n.toFixed(1).padStart(8);
      console.log(
        `${kind.padEnd(8)}${String(ms.length).padStart(6)}${(ms.length / seconds).toFixed(1).padStart(8)} ${f(pct(ms, 50))} ${f(pct(ms, 95))} ${f(pct(ms, 99))} ${f(ms.at(-1) ?? NaN)}`,
      );
    }
    const errorCount = [...errors.values()].reduce((n, e) => n + e.count, 0);
    console.log(`errors: ${errorCount}`);
    for (const [what, e] of errors) console.log(`  ${what}: ${e.count} (first: ${e.first})`);
    const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
    console.log(
      `targets: p95 read < 200 ms: ${verdict((p95.read ?? Infinity) < 200)} (${p95.read?.toFixed(1)}); p95 save < 500 ms: ${verdict((p95.save ?? Infinity) < 500)} (${p95.save?.toFixed(1)}); 0 errors: ${verdict(errorCount === 0)}`,
    );
  } finally {
    await cluster.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

await main();
