// Fails when server/db/schema.ts has changes that no migration covers.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const dir = path.join(root, 'server', 'db', 'migrations');
const before = new Set(fs.readdirSync(dir));
const r = spawnSync(path.join(root, 'node_modules', '.bin', 'drizzle-kit'), ['generate', '--config', 'server/db/drizzle.config.ts', '--name', 'drift_check'], {
  cwd: root,
  encoding: 'utf8',
});
const added = fs.readdirSync(dir).filter((f) => !before.has(f));
if (added.length) {
  for (const f of added) fs.rmSync(path.join(dir, f));
  spawnSync('git', ['checkout', '--', 'server/db/migrations/meta'], { cwd: root });
  console.error(`schema.ts changed without a migration: run npm run db:generate and commit the result (${added.join(', ')})`);
  process.exit(1);
}
if (r.status !== 0) {
  console.error(r.stdout, r.stderr);
  process.exit(1);
}
console.log('no schema drift');
