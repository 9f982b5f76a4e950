// Issue 11, items 4 and 5: the README's admin commands while the platform runs on PGlite (through the server's
// DATA_DIR/admin.sock), and seed:demo saying what happened to each demo account.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const root = path.join(import.meta.dirname, '..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xjkx-sock-'));
const socketPath = path.join(dataDir, 'admin.sock');
let server: ChildProcess;
let serverOutput = '';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** `npm run cli -- …` as the README has it, with the platform's DATA_DIR */
function cli(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'server', 'cli.ts'), ...args], {
      cwd: root,
      env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  const port = await freePort();
  server = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'server', 'main.ts')], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      DATABASE_URL: '',
      ADMIN_PASSWORD: 'Admin2023x',
      LOG_LEVEL: 'warn',
      WEB_DIST: path.join(dataDir, 'no-web'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout!.on('data', (d) => (serverOutput += d));
  server.stderr!.on('data', (d) => (serverOutput += d));
  const deadline = Date.now() + 240_000; // a first start on a busy machine: PGlite creates its database
  while (!serverOutput.includes('已启动')) {
    if (server.exitCode !== null) throw new Error(`server exited: ${serverOutput}`);
    if (Date.now() > deadline) throw new Error(`server did not start: ${serverOutput}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}, 300_000);

afterAll(async () => {
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('admin commands while the platform runs on PGlite', () => {
  it('list-users, create-unit and seed-demo go through the running server', async () => {
    const listed = await cli('list-users');
    expect(listed.stderr).toBe('');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^admin\t自治区科协/m);

    const created = await cli(
      'create-unit',
      '--name',
      '乌鲁木齐市科学技术协会',
      '--type',
      '地州市科协',
      '--region',
      '乌鲁木齐市',
      '--mobile',
      '13609911234',
      '--phone',
      '0991-2345678',
      '--username',
      'wlmqkx',
      '--password',
      'Wlmq2023x',
    );
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('已创建推荐单位 乌鲁木齐市科学技术协会');
    // a refusal comes back as the error it is
    const refused = await cli(
      'create-unit',
      '--name',
      '乌鲁木齐市科学技术协会',
      '--type',
      '地州市科协',
      '--region',
      '乌鲁木齐市',
      '--username',
      'wlmqkx2',
      '--password',
      'Wlmq2023x',
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('手机');

    // item 4: the unit of demo_wlmq exists under wlmqkx: not reported as usable, and the login to use is named
    const seeded = await cli('seed-demo');
    expect(seeded.code).toBe(0);
    const wlmqLine = seeded.stdout.split('\n').find((l) => l.includes('demo_wlmq'))!;
    expect(wlmqLine).toContain('已跳过');
    expect(wlmqLine).toContain('wlmqkx');
    expect(wlmqLine).not.toContain('可用演示密码登录');
    expect(seeded.stdout).not.toMatch(/就绪|ready/);
    expect(seeded.stdout).toMatch(/demo_kashi.*已创建，可用演示密码登录/);

    const after = await cli('list-users');
    expect(after.stdout).toMatch(/^wlmqkx\t推荐单位/m);
    expect(after.stdout).toMatch(/^demo_kashi\t/m);
    expect(after.stdout).not.toMatch(/^demo_wlmq\t/m);

    // a second run: the accounts are there and usable
    const again = await cli('seed-demo');
    expect(again.stdout).toMatch(/demo_kashi.*已存在，可用演示密码登录/);
    expect(again.stdout).toMatch(/demo_wlmq.*已跳过.*wlmqkx/);
  }, 240_000);

  it('the socket is the server user’s only (0600); another user cannot connect', async () => {
    expect(fs.statSync(socketPath).isSocket()).toBe(true);
    expect(fs.statSync(socketPath).mode & 0o777).toBe(0o600);
    if (process.getuid?.() !== 0) return; // only root can act as another user
    // the directory open to all, so that only the socket's own mode keeps the other user out
    fs.chmodSync(dataDir, 0o755);
    try {
      const attempt = await new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(
          process.execPath,
          [
            '-e',
            `require('net').createConnection(${JSON.stringify(socketPath)}).on('connect', () => { console.log('connected'); process.exit(0) }).on('error', (e) => { console.log(e.code); process.exit(3) })`,
          ],
          {
            uid: 65534,
            gid: 65534,
            cwd: '/',
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        );
        let out = '';
        child.stdout!.on('data', (d) => (out += d));
        child.stderr!.on('data', (d) => (out += d));
        child.on('exit', (code) => resolve({ code, out }));
      });
      expect(attempt.out.trim()).toBe('EACCES');
      expect(attempt.code).toBe(3);
    } finally {
      fs.chmodSync(dataDir, 0o700);
    }
  }, 60_000);

  it('the socket is removed when the server stops', async () => {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    expect(fs.existsSync(socketPath)).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'pglite.lock'))).toBe(false);
    // and the CLI opens the data directory itself again
    const listed = await cli('list-users');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^demo_kashi\t/m);
  }, 120_000);
});
