// A real ClamAV daemon for the tests (Debian's clamav-daemon; scripts/prerequisites.mjs installs it), on a socket in
// a temporary directory, with a signature database of our own: the EICAR test string (no download of ClamAV's
// databases, which this machine cannot reach). Its log says what it scanned.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** The anti-virus test file's text (EICAR): harmless, detected by every scanner. */
export const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';
/** The name clamd reports for it (our signature; ClamAV adds .UNOFFICIAL to a signature not its own). */
export const EICAR_SIGNATURE = 'Xjkx.Test.Eicar.UNOFFICIAL';

function clamdBinary(): string {
  for (const candidate of [process.env.CLAMD_PATH, '/usr/sbin/clamd', '/usr/bin/clamd']) if (candidate && fs.existsSync(candidate)) return candidate;
  const found = spawnSync('sh', ['-c', 'command -v clamd'], { encoding: 'utf8' }).stdout.trim();
  if (found) return found;
  throw new Error('没有找到 clamd：请以 root 运行 apt-get install -y clamav-daemon（npm test 会自动安装）');
}

const ping = (socket: string) =>
  new Promise<boolean>((resolve) => {
    const conn = net.connect({ path: socket });
    let reply = '';
    conn.setTimeout(1000);
    conn.on('connect', () => conn.write('zPING\0'));
    conn.on('data', (d) => {
      reply += d.toString();
      if (!reply.includes('PONG')) return;
      conn.destroy();
      resolve(true);
    });
    conn.on('error', () => resolve(false));
    conn.on('timeout', () => {
      conn.destroy();
      resolve(false);
    });
  });

export interface TestClamd {
  /** what CLAMD is set to */
  socket: string;
  /** the log's lines of scans: "instream(local): OK" and "instream(local): … FOUND" */
  scans(): string[];
  start(): Promise<void>;
  stop(): Promise<void>;
  close(): Promise<void>;
}

export async function startClamd(): Promise<TestClamd> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xjkx-clamd-'));
  fs.mkdirSync(path.join(dir, 'db'));
  const hex = Buffer.from(EICAR, 'latin1').toString('hex');
  fs.writeFileSync(path.join(dir, 'db', 'xjkx.ndb'), `Xjkx.Test.Eicar:0:*:${hex}\n`);
  const socket = path.join(dir, 'clamd.sock');
  const log = path.join(dir, 'clamd.log');
  fs.writeFileSync(
    path.join(dir, 'clamd.conf'),
    [
      'Foreground yes',
      `LocalSocket ${socket}`,
      `DatabaseDirectory ${path.join(dir, 'db')}`,
      `LogFile ${log}`,
      'LogClean yes',
      'StreamMaxLength 64M',
      // as root clamd would switch to Debian's clamav user, who cannot reach this directory
      ...(process.getuid?.() === 0 ? ['User root'] : []),
      '',
    ].join('\n'),
  );
  let child: ChildProcess | null = null;
  const start = async () => {
    fs.rmSync(socket, { force: true });
    child = spawn(clamdBinary(), ['-c', path.join(dir, 'clamd.conf')], { stdio: 'ignore' });
    const until = Date.now() + 30_000;
    while (!(await ping(socket))) {
      if (child.exitCode !== null || Date.now() > until) throw new Error(`clamd did not start (${path.join(dir, 'clamd.log')})`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const stop = async () => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGTERM');
    });
    fs.rmSync(socket, { force: true });
  };
  await start();
  return {
    socket,
    scans: () =>
      fs.existsSync(log)
        ? fs
            .readFileSync(log, 'utf8')
            .split('\n')
            .filter((l) => /instream\(.*\): .*(OK|FOUND)$/.test(l))
        : [],
    start,
    stop,
    close: async () => {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
