// `npm run cluster`: the production topology on this machine in the foreground (scripts/cluster/topology.ts):
// PostgreSQL (a fresh database), s3rver, two app instances and nginx in front. Ctrl-C stops everything.
// CLUSTER_INSTANCES (2), CLUSTER_PORT (nginx's port, default 8080), CLUSTER_PG_URL (the PostgreSQL server),
// DATABASE_URL (an existing database to use instead of a fresh one); the instances' other settings from the environment.
import { startCluster } from './topology';

async function main() {
  const started = Date.now();
  const instances = Number(process.env.CLUSTER_INSTANCES || 2);
  const port = Number(process.env.CLUSTER_PORT || 8080);
  if (!Number.isInteger(instances) || instances < 1) throw new Error(`CLUSTER_INSTANCES 应为正整数，实际为 "${process.env.CLUSTER_INSTANCES}"`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`CLUSTER_PORT 应为 1–65535 的端口号，实际为 "${process.env.CLUSTER_PORT}"`);
  console.log(`正在启动：PostgreSQL 数据库、对象存储（s3rver）、${instances} 个应用实例和 nginx …`);
  const cluster = await startCluster({
    instances,
    port,
    databaseUrl: process.env.DATABASE_URL || undefined,
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
    logTo: process.stdout,
  });
  console.log(
    [
      ``,
      `新疆科技工作者之家 申报平台（集群）已启动：${cluster.url}   用时 ${((Date.now() - started) / 1000).toFixed(1)} 秒`,
      `  自治区科协管理员：admin  密码：${cluster.adminPassword}`,
      `  数据库：${cluster.databaseUrl.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@')}${process.env.DATABASE_URL ? '' : '（本次运行新建，停止时删除）'}`,
      `  对象存储：${cluster.s3Env.S3_ENDPOINT}（s3rver，桶 ${cluster.s3Env.S3_BUCKET}）`,
      ...cluster.instances.map((i) => `  实例 ${i.index + 1}：${i.url}（进程 ${i.pid}）`),
      `  nginx 配置与日志：${cluster.runDir}`,
      `按 Ctrl-C 停止全部。`,
    ].join('\n'),
  );
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('正在停止 …');
    await cluster.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  console.error(`启动失败：${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
