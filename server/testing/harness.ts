import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { loadConfig, type Config } from '../config';
import { buildApp } from '../app';
import { openPlatform, type Platform } from '../services';
import type { Services } from '../context';

export const CAPTCHA = '24680';

/**
 * A whole platform for one test file: in-memory PGlite, or (when TEST_DATABASE_URL names a PostgreSQL
 * server) a fresh database created for this file and dropped afterwards. Real files in a temp dir.
 */
export async function startTestPlatform(
  env: Record<string, string> = {},
): Promise<{ app: FastifyInstance; s: Services; platform: Platform; close(): Promise<void> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xjkx-test-'));
  let dropDb = async () => {};
  let databaseUrl: string | undefined;
  const serverUrl = process.env.TEST_DATABASE_URL;
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
  const config: Config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    CAPTCHA_TEST_ANSWER: CAPTCHA,
    RATE_LIMIT_LOGIN: '1000',
    RATE_LIMIT_REGISTER: '1000',
    RATE_LIMIT_RECOVER: '1000',
    LOG_LEVEL: 'silent',
    WEB_DIST: path.join(dataDir, 'no-web'),
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...(process.env.PG_POOL_MAX ? { PG_POOL_MAX: process.env.PG_POOL_MAX } : {}),
    ...env,
  });
  const platform = await openPlatform(config, { inMemoryDb: !databaseUrl });
  const app = await buildApp(platform.services);
  await app.ready();
  return {
    app,
    s: platform.services,
    platform,
    async close() {
      await app.close();
      await platform.close();
      await dropDb();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
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
    if (method !== 'GET' && opts.csrf !== false && !this.cookies.has('csrf')) {
      this.remember(await this.app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: this.cookieHeader() }, remoteAddress: this.remoteAddress }));
    }
    const headers: Record<string, string> = { cookie: this.cookieHeader(), ...opts.headers };
    if (method !== 'GET' && opts.csrf !== false) headers['x-csrf-token'] = this.cookies.get('csrf') ?? '';
    const res = await this.app.inject({
      method,
      url,
      headers,
      remoteAddress: this.remoteAddress,
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
