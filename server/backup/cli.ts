// `npm run cli -- restore --from DIR [--key-file FILE] [--force]` (server/cli.ts): never through a running server,
// whose data directory or database it would overwrite.
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { restoreBackup } from './restore';

export async function runRestoreCli(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { from: { type: 'string' }, 'key-file': { type: 'string' }, force: { type: 'boolean' } },
  });
  if (!values.from) throw new Error('请用 --from 指定备份目录，如 npm run cli -- restore --from /srv/backup/2026-12-01');
  const config = loadConfig();
  const result = await restoreBackup(config, { fromDir: values.from, keyFile: values['key-file'], force: values.force });
  console.log(result.report);
  if (!result.ok) process.exit(1);
}
