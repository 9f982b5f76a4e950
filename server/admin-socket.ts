// The running server's door for the shell's administration commands while it holds the PGlite data directory
// (which a second process may not open): a Unix domain socket DATA_DIR/admin.sock, mode 0600, so only the
// user the server runs as (and root) can connect. One request per connection, one JSON line each way:
//   → {"command":"list-users","options":{...}}
//   ← {"ok":true,"output":"..."}  or  {"ok":false,"error":"..."}
// Not opened on PostgreSQL (DATABASE_URL): there the CLI connects to the database itself.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Services } from './context';
import { AppError } from './errors';
import { ADMIN_OPTION_NAMES, isAdminCommand, runAdminCommand, type AdminCommand, type AdminOptions } from './admin-commands';

export const ADMIN_SOCKET_NAME = 'admin.sock';
export const adminSocketPath = (dataDir: string) => path.join(path.resolve(dataDir), ADMIN_SOCKET_NAME);

/** the longest request line accepted: the options of one command */
const MAX_REQUEST = 64 * 1024;

export interface AdminSocket {
  path: string;
  close(): Promise<void>;
}

function errorText(err: unknown): string {
  if (err instanceof AppError) return err.message;
  return err instanceof Error ? err.message : String(err);
}

async function handle(s: Services, line: string): Promise<{ ok: true; output: string } | { ok: false; error: string }> {
  let request: unknown;
  try {
    request = JSON.parse(line);
  } catch {
    return { ok: false, error: '请求格式不正确：应为一行 JSON' };
  }
  const { command, options } = (request ?? {}) as { command?: unknown; options?: unknown };
  if (!isAdminCommand(command)) return { ok: false, error: `不认识的命令：${String(command)}` };
  const values: AdminOptions = {};
  if (options && typeof options === 'object') {
    for (const [k, v] of Object.entries(options)) {
      if (!(ADMIN_OPTION_NAMES as readonly string[]).includes(k) || typeof v !== 'string') return { ok: false, error: `不认识的选项：--${k}` };
      values[k as keyof AdminOptions] = v;
    }
  }
  try {
    return { ok: true, output: await runAdminCommand(s, command, values) };
  } catch (err) {
    return { ok: false, error: errorText(err) };
  }
}

/**
 * Listens on DATA_DIR/admin.sock. The caller holds the data directory's lock, so a socket file left there is
 * a dead server's and is replaced. The socket is created under umask 0177 (no moment with a wider mode) and
 * set to 0600 again after binding.
 */
export async function openAdminSocket(s: Services, dataDir: string, log: (message: string) => void = console.error): Promise<AdminSocket | null> {
  const socketPath = adminSocketPath(dataDir);
  // sun_path is 108 bytes on Linux (104 on macOS)
  if (Buffer.byteLength(socketPath) > 100) {
    log(`数据目录路径过长，未开启管理命令通道 ${socketPath}；运行期间 npm run cli 不可用`);
    return null;
  }
  fs.rmSync(socketPath, { force: true });
  const server = net.createServer((conn) => {
    let buffer = '';
    let done = false;
    conn.setEncoding('utf8');
    conn.on('error', () => conn.destroy());
    conn.on('data', (chunk: string) => {
      if (done) return;
      buffer += chunk;
      const end = buffer.indexOf('\n');
      if (end < 0) {
        if (buffer.length > MAX_REQUEST) {
          done = true;
          conn.end(JSON.stringify({ ok: false, error: '请求过长' }) + '\n');
        }
        return;
      }
      done = true;
      void handle(s, buffer.slice(0, end)).then((answer) => conn.end(JSON.stringify(answer) + '\n'));
    });
  });
  // Node binds a Unix socket synchronously inside listen(): the umask is restored before anything else runs
  // (a process-wide umask left at 0177 would make directories created meanwhile untraversable).
  const listening = new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.once('listening', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const previous = process.umask(0o177);
  try {
    server.listen(socketPath);
  } finally {
    process.umask(previous);
  }
  await listening;
  fs.chmodSync(socketPath, 0o600);
  return {
    path: socketPath,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(socketPath, { force: true });
    },
  };
}

/** The CLI's side: sends one command to the running server and returns its answer. */
export function sendAdminCommand(socketPath: string, command: AdminCommand, options: AdminOptions, timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const conn = net.createConnection(socketPath);
    let answer = '';
    const timer = setTimeout(() => {
      conn.destroy();
      reject(new Error('运行中的平台没有在规定时间内答复'));
    }, timeoutMs);
    conn.setEncoding('utf8');
    conn.on('connect', () => conn.write(JSON.stringify({ command, options }) + '\n'));
    conn.on('data', (chunk: string) => (answer += chunk));
    conn.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        new Error(
          err.code === 'EACCES' ? `没有权限连接 ${socketPath}：请以运行平台的同一系统用户执行` : `无法连接运行中的平台（${socketPath}）：${err.message}`,
        ),
      );
    });
    conn.on('end', () => {
      clearTimeout(timer);
      try {
        const reply = JSON.parse(answer.trim()) as { ok: boolean; output?: string; error?: string };
        if (reply.ok) resolve(reply.output ?? '');
        else reject(new AppError('VALIDATION', reply.error ?? '命令失败'));
      } catch {
        reject(new Error('运行中的平台的答复无法识别'));
      }
    });
  });
}
