import { loadConfig } from './config';
import { openPlatform, ensureOrganizer } from './services';
import { buildApp } from './app';
import { openAdminSocket, type AdminSocket } from './admin-socket';

async function main() {
  const started = Date.now();
  const config = loadConfig();
  const platform = await openPlatform(config);
  const created = await ensureOrganizer(platform.services);
  if (created) {
    console.log(
      created.password
        ? `已创建自治区科协管理员账号 ${created.username}，初始密码：${created.password}\n（此密码只显示这一次，请登录后妥善保管；也可用 npm run cli -- create-organizer 另建账号）`
        : `已创建自治区科协管理员账号 ${created.username}，密码为环境变量 ADMIN_PASSWORD 的值`,
    );
  }
  const app = await buildApp(platform.services);
  let adminSocket: AdminSocket | null = null;
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    await adminSocket?.close();
    await app.close();
    await platform.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  await app.listen({ port: config.port, host: config.host });
  // PGlite is this process's alone: `npm run cli` reaches it through DATA_DIR/admin.sock (mode 0600)
  if (platform.database.kind === 'pglite') adminSocket = await openAdminSocket(platform.services, config.dataDir);
  const db = platform.database.kind === 'pglite' ? `PGlite（${config.dataDir}）` : 'PostgreSQL';
  console.log(`新疆科技工作者之家 申报平台已启动：http://localhost:${config.port}  数据库：${db}  用时 ${((Date.now() - started) / 1000).toFixed(1)} 秒`);
}

main().catch((err: unknown) => {
  console.error(`启动失败：${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
