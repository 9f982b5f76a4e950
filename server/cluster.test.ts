// No sticky sessions (issue 16, 2.): two app instances — each its own openPlatform (pool, events service and LISTEN
// connection, job runner) and buildApp — on one PostgreSQL database, one S3-compatible store and one DATA_KEY. Each
// piece of shared state is made through one instance and used through the other: the session, the captcha, the
// log-in rate limit, an in-app notification, the live tally's event stream (LISTEN/NOTIFY), and the job queue (each
// of many jobs runs once while both runners compete). PostgreSQL only: PGlite is one process's database.
// (The resumable upload across instances is server/uploads-cluster.test.ts's.)
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inArray } from 'drizzle-orm';
import svgCaptcha from 'svg-captcha';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app';
import { jobs } from './db/schema';
import { JOB_KINDS } from './jobs/kinds';
import { enqueueJob } from './jobs/runner';
import { openPlatform, type Platform } from './services';
import { startS3 } from './testing/s3';
import { CAPTCHA, CLUSTER, Client, json, startTestPlatform, upstreamsSeen } from './testing/harness';
import { parties, readyApplication } from './testing/journey';
import { cookieOf, panelExpert, setMeetingSettings, shortlistCandidates, tallyStream } from './testing/meeting';
import { NGINX_FAIL_TIMEOUT_S } from '../scripts/cluster/topology';

const onPostgres = !!process.env.TEST_DATABASE_URL || CLUSTER;
const RATE_LIMIT = 60;

let t: Awaited<ReturnType<typeof startTestPlatform>>;
let s3: Awaited<ReturnType<typeof startS3>> | null = null;
let platformB: Platform;
let appB: FastifyInstance;
let dataDirB: string;
/** the jobs of kind test.cluster: for each job id, the instances whose runner ran it (A, B; C: the cluster harness's own B) */
const ranBy = new Map<string, string[]>();

/** the same person's browser, its next request landing on `app`: the cookies (session, csrf) go with it */
function on(app: FastifyInstance, c: Client, remoteAddress?: string): Client {
  const moved = new Client(app, remoteAddress ?? c.remoteAddress);
  moved.cookies = c.cookies;
  return moved;
}

describe.skipIf(!onPostgres)('two app instances on one PostgreSQL database and one object store', () => {
  beforeAll(async () => {
    JOB_KINDS['test.cluster'] = {
      label: '集群测试',
      async run(ctx) {
        const instance = ctx.s === t.s ? 'A' : ctx.s === platformB.services ? 'B' : 'C';
        ranBy.set(ctx.job.id, [...(ranBy.get(ctx.job.id) ?? []), instance]);
        await new Promise((r) => setTimeout(r, 30));
      },
    };
    s3 = CLUSTER ? null : await startS3();
    t = await startTestPlatform({ ...(s3?.env ?? {}), DATA_KEY: crypto.randomBytes(32).toString('hex'), RATE_LIMIT_LOGIN: String(RATE_LIMIT) });
    dataDirB = fs.mkdtempSync(path.join(os.tmpdir(), 'xjkx-cluster-b-'));
    platformB = await openPlatform({ ...t.s.config, dataDir: dataDirB });
    appB = await buildApp(platformB.services);
    await appB.ready();
  });
  afterAll(async () => {
    await appB?.close();
    await platformB?.close();
    await t?.close();
    await s3?.close();
    if (dataDirB) fs.rmSync(dataDirB, { recursive: true, force: true });
    delete JOB_KINDS['test.cluster'];
  });

  it.runIf(CLUSTER)('through nginx (npm run test:cluster), one client’s requests alternate between the two instances', async () => {
    const c = new Client(t.app);
    const seen = upstreamsSeen.get(t.app)!;
    const before = new Map(seen);
    for (let i = 0; i < 10; i++) expect((await c.get('/api/auth/me')).statusCode).toBe(200);
    const counts = [...seen].map(([upstream, n]) => n - (before.get(upstream) ?? 0));
    expect(counts.length).toBe(2);
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(4);
  });

  it('a session made on A is used on B, and 退出 on B ends it on A', async () => {
    const p = await parties(t);
    const a = new Client(t.app);
    await a.login(p.applicant.username, p.applicant.password);
    const b = on(appB, a);
    const me = json<{ user: { username: string } | null }>(await b.get('/api/auth/me'));
    expect(me.user?.username).toBe(p.applicant.username);
    const inbox = await b.get('/api/notifications');
    expect(inbox.statusCode, inbox.body).toBe(200);
    const before = new Map(a.cookies);
    const out = await b.post('/api/auth/logout');
    expect(out.statusCode, out.body).toBe(200);
    // the old cookies, replayed on A: the session is gone from the database, not only from B's reply
    const stale = new Client(t.app);
    stale.cookies = before;
    expect(json<{ user: unknown }>(await stale.get('/api/auth/me')).user).toBeNull();
  });

  it('a captcha made on A is answered on B; once answered it is gone on A too', async () => {
    const p = await parties(t);
    // svg-captcha's text is the answer: record it as the instance draws it (both run in this process)
    const create = svgCaptcha.create;
    let drawn = '';
    svgCaptcha.create = (options) => {
      const made = create(options);
      drawn = made.text;
      return made;
    };
    try {
      const a = new Client(t.app);
      do {
        const res = await a.get('/api/captcha');
        expect(res.statusCode).toBe(200);
      } while (drawn === CAPTCHA); // the test answer would pass without the database
      const b = on(appB, a);
      const wrong = String((Number(drawn) + 1) % 100000).padStart(5, '0');
      // a wrong answer on B: B found A's captcha (不正确, not 过期) and consumed it
      const refused = await b.post('/api/auth/login', { username: p.applicant.username, password: p.applicant.password, captcha: wrong });
      expect(refused.statusCode).toBe(400);
      expect(refused.body).toContain('验证码不正确');
      // a fresh one from A, answered right on B
      await a.get('/api/captcha');
      const answer = drawn;
      const ok = await on(appB, a).post('/api/auth/login', { username: p.applicant.username, password: p.applicant.password, captcha: answer });
      expect(ok.statusCode, ok.body).toBe(200);
      // the same captcha again, on A: consumed by B
      const again = await on(t.app, a).post('/api/auth/login', { username: p.applicant.username, password: p.applicant.password, captcha: answer });
      expect(again.statusCode).toBe(400);
      expect(again.body).toContain('验证码已过期');
    } finally {
      svgCaptcha.create = create;
    }
  });

  it(`the log-in rate limit (${RATE_LIMIT} a minute per address) counts requests on both instances together`, async () => {
    const address = `10.77.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250) + 1}`;
    const statuses: number[] = [];
    for (let i = 0; i < RATE_LIMIT + 2; i++) {
      const c = new Client(i % 2 === 0 ? t.app : appB, address);
      const res = await c.post('/api/auth/login', { username: 'nobody-here', password: 'Wrong-pass1', captcha: CAPTCHA });
      statuses.push(res.statusCode);
    }
    // each instance alone saw only half: the limit held because the count is shared
    expect(statuses.slice(0, RATE_LIMIT).every((s) => s !== 429)).toBe(true);
    expect(statuses.slice(RATE_LIMIT)).toEqual([429, 429]);
    // another address still has its budget, on either instance
    const other = await new Client(appB, '10.78.0.1').post('/api/auth/login', { username: 'nobody-here', password: 'Wrong-pass1', captcha: CAPTCHA });
    expect(other.statusCode).not.toBe(429);
  });

  it('a notification made by a change on A is read on B, and marked read there for A as well', async () => {
    const p = await parties(t);
    const id = await readyApplication(t, p.applicant, p.ac);
    const submitted = await p.ac.post(`/api/applications/${id}/transitions/submit`, { unitId: p.unit.unit.id });
    expect(submitted.statusCode, submitted.body).toBe(200);
    const ub = on(appB, p.uc);
    const inbox = json<{ items: { id: number; applicationId: string | null; read: boolean }[]; unread: number }>(await ub.get('/api/notifications'));
    const mine = inbox.items.filter((n) => n.applicationId === id);
    expect(mine.length).toBe(1);
    expect(mine[0]!.read).toBe(false);
    const read = await ub.post('/api/notifications/read', { ids: [mine[0]!.id] });
    expect(read.statusCode, read.body).toBe(200);
    const onA = json<{ items: { id: number; read: boolean }[] }>(await on(t.app, p.uc).get('/api/notifications'));
    expect(onA.items.find((n) => n.id === mine[0]!.id)?.read).toBe(true);
  });

  it('the live tally streamed by A shows a vote that lands on B', async () => {
    const p = await parties(t);
    const campaignId = await setMeetingSettings(t, { winners: 1, nationalRecommendees: 1, passShare: 0.5 });
    const [cand] = await shortlistCandidates(t, campaignId, p.org.user.id, 1);
    const expert = await panelExpert(t);
    const opened = await p.oc.post(`/api/meeting/campaigns/${campaignId}/open`, { expertIds: [expert.id] });
    expect(opened.statusCode, opened.body).toBe(200);
    expect((await expert.client.post(`/api/meeting/campaigns/${campaignId}/sign-in`)).statusCode).toBe(200);
    const started = await p.oc.post(`/api/meeting/campaigns/${campaignId}/rounds`, { candidateIds: [cand!.id], questions: ['win'], placesWin: 1 });
    expect(started.statusCode, started.body).toBe(200);
    const roundId = (started.json().rounds as { id: string; status: string }[]).find((r) => r.status === 'open')!.id;

    const urlA = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const stream = tallyStream(urlA, `/api/meeting/campaigns/${campaignId}/tally/events`, cookieOf(p.oc));
    try {
      await stream.ready;
      expect(stream.status).toBe(200);
      await stream.next((x) => x.round?.id === roundId && x.round.submitted === 0);
      const vote = await on(appB, expert.client).post(`/api/meeting/rounds/${roundId}/ballot/submit`, {
        votes: [{ applicationId: cand!.id, question: 'win', choice: 'yes' }],
      });
      expect(vote.statusCode, vote.body).toBe(200);
      const seen = await stream.next((x) => x.round?.submitted === 1);
      expect(seen.round!.candidates[0]!.win).toEqual({ yes: 1, no: 0, abstain: 0 });
    } finally {
      stream.close();
    }
  });

  it('40 jobs with both instances’ runners competing: each runs exactly once, and both runners take some', { timeout: 120_000 }, async () => {
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) ids.push((await enqueueJob(t.s.db, { kind: 'test.cluster' })).id);
    const until = Date.now() + 100_000;
    let rows: (typeof jobs.$inferSelect)[] = [];
    while (Date.now() < until) {
      rows = await t.s.db.select().from(jobs).where(inArray(jobs.id, ids));
      if (rows.every((r) => r.status === 'done')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(rows.filter((r) => r.status === 'done').length).toBe(40);
    expect(ids.map((id) => ranBy.get(id)?.length)).toEqual(ids.map(() => 1));
    const runners = new Set(ids.map((id) => ranBy.get(id)![0]));
    expect(runners.has('A') && runners.has('B')).toBe(true);
  });
});

// One truth for nginx: the configuration to copy (docs/nginx.conf.example) is valid for Debian's nginx, and the cluster's
// template (what test:cluster and npm run cluster run) carries the same proxy settings.
const nginxBin = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => fs.existsSync(p));
describe.skipIf(!nginxBin)('docs/nginx.conf.example', () => {
  const root = path.resolve(import.meta.dirname, '..');
  const example = fs.readFileSync(path.join(root, 'docs', 'nginx.conf.example'), 'utf8');

  it('passes nginx -t (with a throwaway certificate in place of the real one)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xjkx-nginx-t-'));
    try {
      const cert = spawnSync('openssl', [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        `${dir}/k.pem`,
        '-out',
        `${dir}/c.pem`,
        '-days',
        '1',
        '-subj',
        '/CN=zmkj.example.cn',
      ]);
      expect(cert.status).toBe(0);
      const site = example.replace(/\/etc\/nginx\/tls\/\S+fullchain\.pem/, `${dir}/c.pem`).replace(/\/etc\/nginx\/tls\/\S+\.key/, `${dir}/k.pem`);
      fs.writeFileSync(`${dir}/site.conf`, site);
      fs.writeFileSync(`${dir}/nginx.conf`, `pid ${dir}/pid;\nerror_log ${dir}/error.log;\nevents {}\nhttp {\n  include ${dir}/site.conf;\n}\n`);
      const t = spawnSync(nginxBin!, ['-t', '-p', dir, '-e', `${dir}/error.log`, '-c', `${dir}/nginx.conf`], { encoding: 'utf8' });
      expect(t.status, t.stderr).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('has the same proxy settings as the cluster’s template (scripts/cluster/nginx.conf.template)', () => {
    // the template's $http_host keeps nginx's port (it listens on a free one); the example listens on 443
    const template = fs.readFileSync(path.join(root, 'scripts', 'cluster', 'nginx.conf.template'), 'utf8').replaceAll('$http_host', '$host');
    const settings = (conf: string) =>
      conf
        .split('\n')
        .map((l) => l.trim())
        .filter((l) =>
          /^(client_max_body_size|proxy_request_buffering|proxy_read_timeout|proxy_send_timeout|proxy_connect_timeout|proxy_next_upstream|proxy_http_version|error_page|return [0-9]{3} '|proxy_set_header (Connection|X-))/.test(
            l,
          ),
        );
    const fromExample = settings(example);
    expect(fromExample.length).toBeGreaterThan(10);
    expect(settings(template)).toEqual(fromExample);
    // the same time out of rotation for an instance nginx could not reach (the template's come from topology.ts)
    const servers = [...example.matchAll(/^\s*server \S+ (.*);$/gm)].map((m) => m[1]);
    expect(servers.length).toBeGreaterThan(1);
    for (const params of servers) expect(params).toBe(`max_fails=1 fail_timeout=${NGINX_FAIL_TIMEOUT_S}s`);
  });
});
