import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { loadConfig, type Config } from '../config';
import { buildApp } from '../app';
import { openPlatform, type Platform } from '../services';
import type { Services } from '../context';
import { pgliteTemplate } from './pglite-template';
import { startS3 } from './s3';
import { freePort, startNginx } from '../../scripts/cluster/topology';

export const CAPTCHA = '24680';

/**
 * CLUSTER=1 (`npm run test:cluster`): every test file's platform is the production topology in small — a fresh
 * PostgreSQL database (TEST_DATABASE_URL's server, default the local one), s3rver, two instances (A: `app`, whose
 * app.inject calls keep hitting it; B: a second openPlatform + buildApp on the same database, store and DATA_KEY),
 * both listening on ephemeral ports behind one nginx for the file (round robin), TRUST_PROXY=127.0.0.1. Client
 * then sends real HTTP through nginx, so consecutive requests alternate between A and B.
 */
export const CLUSTER = process.env.CLUSTER === '1';
const CLUSTER_PG = 'postgres://postgres@127.0.0.1:5432/test';
/** nginx's address for an app started in cluster mode (Client's requests go there) */
const clusterUrl = new WeakMap<FastifyInstance, string>();
/** the instances that answered through nginx, counted per app (the cluster test checks both served) */
export const upstreamsSeen = new WeakMap<FastifyInstance, Map<string, number>>();

/**
 * A whole platform for one test file: in-memory PGlite, or (when TEST_DATABASE_URL names a PostgreSQL
 * server) a fresh database created for this file and dropped afterwards. Real files in a temp dir.
 * With CLUSTER=1 the two-instance topology above; `app` is instance A.
 */
export async function startTestPlatform(
  env: Record<string, string> = {},
): Promise<{ app: FastifyInstance; s: Services; platform: Platform; close(): Promise<void> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xjkx-test-'));
  let dropDb = async () => {};
  let databaseUrl: string | undefined;
  const serverUrl = process.env.TEST_DATABASE_URL || (CLUSTER ? CLUSTER_PG : undefined);
  if (serverUrl) {
    const name = `t_${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const u = new URL(serverUrl);
    u.pathname = `/${name}`;
    databaseUrl = u.toString();
    dropDb = async () => {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    };
  }
  const s3 = CLUSTER ? await startS3() : null;
  const clusterEnv: Record<string, string> = s3 ? { ...s3.env, TRUST_PROXY: '127.0.0.1', DATA_KEY: crypto.randomBytes(32).toString('hex') } : {};
  const config: Config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    CAPTCHA_TEST_ANSWER: CAPTCHA,
    RATE_LIMIT_LOGIN: '1000',
    RATE_LIMIT_REGISTER: '1000',
    RATE_LIMIT_RECOVER: '1000',
    // TOTP is required of no role here, so that tests log in with a password; server/security.test.ts sets it
    MFA_REQUIRED_ROLES: '',
    LOG_LEVEL: 'silent',
    WEB_DIST: path.join(dataDir, 'no-web'),
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...(process.env.PG_POOL_MAX ? { PG_POOL_MAX: process.env.PG_POOL_MAX } : {}),
    ...clusterEnv,
    ...env,
  });
  // PGlite: a copy of the migrated template (server/testing/pglite-template.ts), not initdb and every migration anew
  const platform = await openPlatform(config, databaseUrl ? {} : { inMemoryDb: true, pgliteDump: (await pgliteTemplate()).dump() });
  const app = await buildApp(platform.services);
  await app.ready();
  const cluster = s3 ? await startClusterOf(app, config) : null;
  return {
    app,
    s: platform.services,
    platform,
    async close() {
      await cluster?.close();
      await app.close();
      await platform.close();
      await s3?.close();
      await dropDb();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Instance B beside `app` (A) on the same config but its own DATA_DIR, both listening, and nginx in front. */
async function startClusterOf(app: FastifyInstance, config: Config) {
  const dataDirB = fs.mkdtempSync(path.join(os.tmpdir(), 'xjkx-test-b-'));
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xjkx-test-nginx-'));
  fs.chmodSync(runDir, 0o755); // nginx's workers (nobody, when root starts it) reach their temp directories
  const platformB = await openPlatform({ ...config, dataDir: dataDirB });
  const appB = await buildApp(platformB.services);
  await app.listen({ port: 0, host: '127.0.0.1' });
  await appB.listen({ port: 0, host: '127.0.0.1' });
  const portOf = (a: FastifyInstance) => (a.server.address() as AddressInfo).port;
  // a test that listens itself (a real socket for tus) gets instance A's address: it already listens
  const addressA = `http://127.0.0.1:${portOf(app)}`;
  (app as { listen: unknown }).listen = async () => addressA;
  const nginx = await startNginx({ runDir, port: await freePort(), upstreams: [portOf(app), portOf(appB)] });
  clusterUrl.set(app, nginx.url);
  upstreamsSeen.set(app, new Map());
  return {
    appB,
    platformB,
    async close() {
      await nginx.stop();
      await appB.close();
      await platformB.close();
      fs.rmSync(dataDirB, { recursive: true, force: true });
      fs.rmSync(runDir, { recursive: true, force: true });
    },
  };
}

/** One request over a real socket, answered in app.inject's shape (the part the tests read). */
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
function httpRequest(base: string, method: string, url: string, headers: Record<string, string>, payload: Buffer | string | Body | undefined) {
  let body: Buffer | undefined;
  const h: Record<string, string> = { ...headers };
  if (payload !== undefined) {
    if (Buffer.isBuffer(payload)) body = payload;
    else if (typeof payload === 'string') body = Buffer.from(payload);
    else {
      body = Buffer.from(JSON.stringify(payload));
      if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['content-type'] = 'application/json';
    }
    h['content-length'] = String(body.length);
  }
  return new Promise<LightMyRequestResponse>((resolve, reject) => {
    const req = http.request(`${base}${url}`, { method, headers: h, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const rawPayload = Buffer.concat(chunks);
        const text = rawPayload.toString('utf8');
        const setCookie = res.headers['set-cookie'] ?? [];
        const cookies = setCookie.map((line) => {
          const [pair = '', ...attrs] = line.split(';');
          const eq = pair.indexOf('=');
          const cookie: Record<string, unknown> = { name: pair.slice(0, eq).trim(), value: decodeURIComponent(pair.slice(eq + 1).trim()) };
          for (const attr of attrs) {
            const [k = '', v = ''] = attr.split('=');
            const key = k.trim().toLowerCase();
            if (key === 'expires') cookie.expires = new Date(v.trim());
            else if (key === 'max-age') cookie.maxAge = Number(v.trim());
            else if (key === 'path') cookie.path = v.trim();
            else if (key === 'samesite') cookie.sameSite = v.trim();
            else if (key === 'httponly') cookie.httpOnly = true;
            else if (key === 'secure') cookie.secure = true;
          }
          return cookie;
        });
        resolve({
          statusCode: res.statusCode ?? 0,
          statusMessage: res.statusMessage ?? '',
          headers: res.headers,
          rawPayload,
          payload: text,
          body: text,
          cookies,
          json: () => JSON.parse(text),
          stream: () => {
            throw new Error('stream() is not available in cluster mode');
          },
          raw: { req, res },
          trailers: {},
        } as unknown as LightMyRequestResponse);
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

type Body = Record<string, unknown> | undefined;

/** A browser-like client: keeps cookies, sends the CSRF header like the web app does. */
export class Client {
  cookies = new Map<string, string>();
  /** `remoteAddress`: the client's address as the server's socket sees it (app.inject's default is 127.0.0.1) */
  constructor(
    private app: FastifyInstance,
    readonly remoteAddress?: string,
  ) {}

  /** app.inject on instance A, or (cluster mode) real HTTP through nginx; remoteAddress becomes X-Forwarded-For */
  private async send(opts: { method: string; url: string; headers: Record<string, string>; payload?: Buffer | string | Body }) {
    const base = clusterUrl.get(this.app);
    if (!base) {
      return this.app.inject({
        method: opts.method as 'GET',
        url: opts.url,
        headers: opts.headers,
        remoteAddress: this.remoteAddress,
        ...(opts.payload !== undefined ? { payload: opts.payload as string } : {}),
      });
    }
    const headers = { ...opts.headers, ...(this.remoteAddress ? { 'x-forwarded-for': this.remoteAddress } : {}) };
    const res = await httpRequest(base, opts.method, opts.url, headers, opts.payload);
    const upstream = String(res.headers['x-upstream'] ?? '');
    const seen = upstreamsSeen.get(this.app);
    if (seen && upstream) seen.set(upstream, (seen.get(upstream) ?? 0) + 1);
    return res;
  }

  /** the CSRF token, as the web app reads it: `__Host-csrf` over HTTPS (COOKIE_SECURE=1), `csrf` otherwise */
  csrfToken(): string | undefined {
    return this.cookies.get('__Host-csrf') ?? this.cookies.get('csrf');
  }

  private cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private remember(res: LightMyRequestResponse) {
    for (const c of res.cookies as { name: string; value: string; expires?: Date; maxAge?: number }[]) {
      if (c.value === '' || (c.expires && c.expires.getTime() < Date.now()) || c.maxAge === 0) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
  }

  async request(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    body?: Body,
    opts: { csrf?: boolean; headers?: Record<string, string>; payload?: Buffer | string } = {},
  ) {
    if (method !== 'GET' && opts.csrf !== false && !this.csrfToken()) {
      this.remember(await this.send({ method: 'GET', url: '/api/auth/me', headers: { cookie: this.cookieHeader() } }));
    }
    const headers: Record<string, string> = { cookie: this.cookieHeader(), ...opts.headers };
    if (method !== 'GET' && opts.csrf !== false) headers['x-csrf-token'] = this.csrfToken() ?? '';
    const res = await this.send({
      method,
      url,
      headers,
      ...(opts.payload !== undefined ? { payload: opts.payload } : body !== undefined ? { payload: body } : {}),
    });
    this.remember(res);
    return res;
  }

  get = (url: string, headers?: Record<string, string>) => this.request('GET', url, undefined, { headers });
  post = (url: string, body?: Body) => this.request('POST', url, body ?? {});
  put = (url: string, body?: Body) => this.request('PUT', url, body ?? {});
  del = (url: string) => this.request('DELETE', url);

  async login(username: string, password: string) {
    const res = await this.post('/api/auth/login', { username, password, captcha: CAPTCHA });
    if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
    return res;
  }

  /** multipart/form-data with `kind` then `file`, as the browser sends it */
  async upload(url: string, kind: string, fileName: string, content: Buffer, mime = 'application/octet-stream') {
    const boundary = '----xjkxtest' + Math.random().toString(16).slice(2);
    const payload = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\n${kind}\r\n`),
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: ${mime}\r\n\r\n`),
      content,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    return this.request('POST', url, undefined, { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } });
  }
}

export const json = <T = Record<string, unknown>>(res: LightMyRequestResponse) => res.json() as T;
