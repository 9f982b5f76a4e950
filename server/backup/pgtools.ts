// pg_dump and pg_restore (Debian's postgresql-client): where they are and how they are run — the connection passed in
// the environment (PGHOST, PGPASSWORD …), never on the command line where `ps` would show the password.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export function findPgTool(name: 'pg_dump' | 'pg_restore'): string {
  const fromEnv = process.env[name === 'pg_dump' ? 'PG_DUMP' : 'PG_RESTORE'];
  if (fromEnv) {
    if (!fs.existsSync(fromEnv)) throw new Error(`环境变量 ${name === 'pg_dump' ? 'PG_DUMP' : 'PG_RESTORE'} 指向的 ${fromEnv} 不存在`);
    return fromEnv;
  }
  // the newest installed server version's own binaries first: pg_dump must not be older than the server
  const versions = fs.existsSync('/usr/lib/postgresql')
    ? fs
        .readdirSync('/usr/lib/postgresql')
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const candidates = [
    ...versions.map((v) => path.join('/usr/lib/postgresql', v, 'bin', name)),
    ...(process.env.PATH ?? '').split(path.delimiter).map((d) => path.join(d, name)),
  ];
  const found = candidates.find((c) => c && fs.existsSync(c));
  if (!found) {
    throw new Error(
      `没有找到 ${name}：PostgreSQL 的备份与恢复需要 PostgreSQL 客户端工具。请安装（Debian/Ubuntu：apt-get install postgresql-client，` +
        `版本不低于数据库服务器），或用环境变量 ${name === 'pg_dump' ? 'PG_DUMP' : 'PG_RESTORE'} 指定其路径`,
    );
  }
  return found;
}

/** libpq's environment for a postgres:// URL. */
export function pgEnv(databaseUrl: string): NodeJS.ProcessEnv {
  const u = new URL(databaseUrl);
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (u.hostname) env.PGHOST = decodeURIComponent(u.hostname.replace(/^\[|\]$/g, ''));
  if (u.port) env.PGPORT = u.port;
  if (u.username) env.PGUSER = decodeURIComponent(u.username);
  if (u.password) env.PGPASSWORD = decodeURIComponent(u.password);
  env.PGDATABASE = decodeURIComponent(u.pathname.replace(/^\//, ''));
  const host = u.searchParams.get('host');
  if (host) env.PGHOST = host;
  const sslmode = u.searchParams.get('sslmode');
  if (sslmode) env.PGSSLMODE = sslmode;
  return env;
}

/** Runs a tool; rejects with its stderr (the last lines) when it fails. */
export function runPgTool(tool: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
    child.on('error', (err) => reject(new Error(`无法运行 ${tool}：${err.message}`)));
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${path.basename(tool)} 失败（${signal ?? `退出码 ${code}`}）：${stderr.trim() || '没有输出'}`));
    });
  });
}
