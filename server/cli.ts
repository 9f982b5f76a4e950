import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from './config';
import { openPlatform } from './services';
import { AppError } from './errors';
import { dataDirOwner } from './db/client';
import { ADMIN_OPTION_NAMES, isAdminCommand, runAdminCommand, type AdminOptions } from './admin-commands';
import { adminSocketPath, sendAdminCommand } from './admin-socket';
import { runRestoreCli } from './backup/cli';

const USAGE = `用法：
  npm run cli -- create-organizer --username U --password P [--name 姓名]
  npm run cli -- create-unit --name 单位名称 --type 单位类型 --region 地区 --mobile 手机 --username U --password P [--email 电子邮箱] [--contact 联系人] [--phone 联系电话]
  npm run cli -- list-users
  npm run cli -- audit verify      审计日志哈希链校验（有问题时退出码为 1）
  npm run cli -- backup --to 备份目录
  npm run cli -- restore --from 备份目录 [--key-file 密钥文件] [--force]
  npm run seed:demo`;

async function main() {
  const [first, ...args] = process.argv.slice(2);
  // `audit verify` is the admin command audit-verify
  const [command, rest] = first === 'audit' && args[0] === 'verify' ? ['audit-verify', args.slice(1)] : [first, args];
  if (command === 'restore') return runRestoreCli(rest);
  const { values } = parseArgs({
    args: rest,
    options: Object.fromEntries(ADMIN_OPTION_NAMES.map((n) => [n, { type: 'string' as const }])),
  });
  if (!isAdminCommand(command)) {
    console.log(USAGE);
    process.exit(command ? 2 : 0);
  }
  const options = values as AdminOptions;
  // a running server writes the backup: it must get the directory as the shell meant it
  if (command === 'backup' && options.to) options.to = path.resolve(options.to);
  const config = loadConfig();
  // The embedded database is open in the running platform: ask it to run the command (server/admin-socket.ts).
  if (!config.databaseUrl) {
    const owner = dataDirOwner(config.dataDir);
    if (owner) {
      const socketPath = adminSocketPath(config.dataDir);
      if (!fs.existsSync(socketPath)) {
        throw new Error(
          `数据目录 ${config.dataDir} 正被另一个进程（PID ${owner}）使用，且没有找到运行中平台的管理命令通道 ${socketPath}。` +
            `请等平台启动完成后重试，或先停止该进程。`,
        );
      }
      console.log(await sendAdminCommand(socketPath, command, options, command === 'backup' ? 6 * 60 * 60_000 : undefined));
      return;
    }
  }
  const platform = await openPlatform(config);
  try {
    console.log(await runAdminCommand(platform.services, command, options));
  } finally {
    await platform.close();
  }
}

main().catch((err: unknown) => {
  if (err instanceof AppError) console.error(`错误：${err.message}`);
  else console.error(`错误：${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
