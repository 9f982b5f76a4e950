import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { lockDataDir } from './client';

describe('PGlite data directory lock', () => {
  it('refuses a second process on the same data directory with a clear message', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xjkx-lock-'));
    const release = lockDataDir(dir);
    try {
      const script = `import { lockDataDir } from ${JSON.stringify(path.join(import.meta.dirname, 'client.ts'))}; try { lockDataDir(${JSON.stringify(dir)}); console.log('LOCKED-OK'); } catch (e) { console.log(e.message); }`;
      const out = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', cwd: path.join(import.meta.dirname, '../..') });
      expect(out.stdout).toContain('正被另一个进程');
      expect(out.stdout).toContain(`PID ${process.pid}`);
      expect(out.stdout).not.toContain('LOCKED-OK');
    } finally {
      release();
    }
    expect(fs.existsSync(path.join(dir, 'pglite.lock'))).toBe(false);
  });

  it('takes over a lock left by a process that no longer runs', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xjkx-lock-'));
    fs.writeFileSync(path.join(dir, 'pglite.lock'), '999999');
    const release = lockDataDir(dir);
    expect(fs.readFileSync(path.join(dir, 'pglite.lock'), 'utf8')).toBe(String(process.pid));
    release();
  });
});
