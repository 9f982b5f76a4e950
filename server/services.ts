import path from 'node:path';
import { eq } from 'drizzle-orm';
import type { Config } from './config';
import type { Services } from './context';
import { createFieldCipher, loadDataKey, randomToken } from './crypto';
import { backfillSortKeys } from './db/backfill';
import { openDatabase, type Database } from './db/client';
import { users } from './db/schema';
import { createOutboxSender } from './notify/sender';
import { createEvents } from './events';
import { createStorage } from './storage';
import { hashPassword } from './auth/passwords';
import { ensureDefaultCampaign } from './usecases/campaigns';

export interface Platform {
  services: Services;
  database: Database;
  close(): Promise<void>;
}

/**
 * Opens the database (applying migrations), storage and the rest; `inMemoryDb` keeps PGlite in memory, started from
 * `pgliteDump` when given (the tests' migrated template, server/testing/pglite-template.ts).
 */
export async function openPlatform(config: Config, opts: { inMemoryDb?: boolean; pgliteDump?: Blob } = {}): Promise<Platform> {
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    poolMax: config.pgPoolMax,
    dataDir: opts.inMemoryDb ? null : path.join(config.dataDir),
    ...(opts.inMemoryDb && opts.pgliteDump ? { pgliteDump: opts.pgliteDump } : {}),
  });
  try {
    const services: Services = {
      db: database.db,
      config,
      cipher: createFieldCipher(loadDataKey(config.dataKey, config.dataDir)),
      storage: await createStorage(config, config.dataDir),
      sender: createOutboxSender(config.messaging),
      events: createEvents(database),
    };
    await ensureDefaultCampaign(database.db);
    // pinyin sort keys of rows written before they existed: SQL cannot compute pinyin (server/db/backfill.ts)
    await backfillSortKeys(database.db);
    return {
      services,
      database,
      close: async () => {
        await services.events.close();
        await database.close();
      },
    };
  } catch (err) {
    await database.close();
    throw err;
  }
}

/**
 * First start with no organizer: create `admin` with ADMIN_PASSWORD, or a generated password that is
 * returned so that main.ts prints it once.
 */
export async function ensureOrganizer(s: Services): Promise<{ username: string; password: string | null } | null> {
  const [existing] = await s.db.select({ id: users.id }).from(users).where(eq(users.role, 'organizer')).limit(1);
  if (existing) return null;
  const password = s.config.adminPassword ?? `Xj${randomToken(9)}9`;
  await s.db
    .insert(users)
    .values({ username: 'admin', passwordHash: await hashPassword(password), role: 'organizer', realName: '自治区科协管理员' })
    .onConflictDoNothing();
  return { username: 'admin', password: s.config.adminPassword ? null : password };
}
