import type { Config } from './config';
import type { FieldCipher } from './crypto';
import type { Db } from './db/client';
import type { Events } from './events';
import type { Sender } from './notify/sender';
import type { Storage } from './storage/storage';
import type { SessionUser } from './auth/sessions';

/** What every route and use case may use; built once at start (server/main.ts) or per test. */
export interface Services {
  db: Db;
  config: Config;
  cipher: FieldCipher;
  storage: Storage;
  sender: Sender;
  /** change events through the database (LISTEN/NOTIFY): every instance hears every commit's notifications */
  events: Events;
}

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
  }
  interface FastifyRequest {
    user: SessionUser | null;
    sessionToken: string | null;
  }
}
