import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createPglite, migratePgliteClient, migrationsFolder } from '../db/client';

/**
 * A PGlite database with every migration applied, made once and shared by the test processes, so that each test
 * file's platform starts from it instead of from an empty cluster: PGlite's initdb and the migrations take 5 to 7
 * seconds a start on a CI machine, a copy of the result under one. The platform still applies the migrations when it
 * opens the copy (none is left to apply), and the migrations themselves keep running from empty where the tests
 * make a database of their own (the PostgreSQL passes, server/db/client.test.ts, the backup and crash tests).
 *
 * It lives in .tmp/pglite-template/<key>, the key naming PGlite's version and every migration file's name and
 * content, so a changed migration or PGlite makes a new one. Made in a directory of its own and renamed into place:
 * processes that make it at once all end with one complete template.
 */
export interface PgliteTemplate {
  /** a closed PGlite data directory: copy it to DATA_DIR/pglite (the on-disk server, e2e/harness.ts) */
  dir: string;
  /** the same as PGlite's dumpDataDir: for an in-memory PGlite (the API tests' platforms) */
  dump(): Blob;
}

const root = path.resolve(import.meta.dirname, '..', '..');
const base = path.join(root, '.tmp', 'pglite-template');

function templateKey(): string {
  const hash = crypto.createHash('sha256');
  // the package's directory (its exports leave package.json out): node_modules/@electric-sql/pglite/dist/index.js → ../..
  const pgliteDir = path.resolve(path.dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite')), '..');
  const pglite = JSON.parse(fs.readFileSync(path.join(pgliteDir, 'package.json'), 'utf8')) as { version: string };
  hash.update(`pglite ${pglite.version}\n`);
  const files = fs.readdirSync(migrationsFolder, { recursive: true, encoding: 'utf8' }).sort();
  for (const file of files) {
    const full = path.join(migrationsFolder, file);
    if (!fs.statSync(full).isFile()) continue;
    hash.update(`${file}\n`);
    hash.update(fs.readFileSync(full));
  }
  return hash.digest('hex').slice(0, 16);
}

let made: Promise<PgliteTemplate> | undefined;

export function pgliteTemplate(): Promise<PgliteTemplate> {
  made ??= make();
  return made;
}

async function make(): Promise<PgliteTemplate> {
  const final = path.join(base, templateKey());
  if (!fs.existsSync(path.join(final, 'ready'))) {
    fs.mkdirSync(base, { recursive: true });
    const building = fs.mkdtempSync(path.join(base, 'building-'));
    try {
      const client = await createPglite(path.join(building, 'pglite'));
      await migratePgliteClient(client);
      const dump = await client.dumpDataDir('none');
      await client.close();
      fs.writeFileSync(path.join(building, 'dump.tar'), Buffer.from(await dump.arrayBuffer()));
      fs.writeFileSync(path.join(building, 'ready'), '');
      try {
        fs.renameSync(building, final);
      } catch (err) {
        // another process put its template there first: the same content
        if (!['ENOTEMPTY', 'EEXIST'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
      }
      // the templates of other migrations or another PGlite (a day old: not a run's that is still going)
      for (const other of fs.readdirSync(base)) {
        const full = path.join(base, other);
        if (full !== final && full !== building && Date.now() - fs.statSync(full).mtimeMs > 86_400_000) fs.rmSync(full, { recursive: true, force: true });
      }
    } finally {
      fs.rmSync(building, { recursive: true, force: true });
    }
  }
  let dump: Blob | undefined;
  return {
    dir: path.join(final, 'pglite'),
    dump: () => (dump ??= new Blob([fs.readFileSync(path.join(final, 'dump.tar'))])),
  };
}

/** DATA_DIR/pglite of a new server: a copy of the template. */
export async function seedPgliteDataDir(dataDir: string): Promise<void> {
  const template = await pgliteTemplate();
  fs.cpSync(template.dir, path.join(dataDir, 'pglite'), { recursive: true });
}
