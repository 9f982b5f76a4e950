// Change events carried through the database, so every app instance behind a load balancer hears them (issue 14, 4.):
// a use case calls notifyInTx inside its transaction (pg_notify, delivered at commit, never for a rolled-back change),
// and each process LISTENs on one channel (server/db/client.ts: PGlite's listen, or one dedicated PostgreSQL
// connection with reconnect) and hands each topic to its subscribers in this process (the 计票 SSE streams).
import { sql } from 'drizzle-orm';
import type { Database, Db } from './db/client';
import { preparedSql } from './db/prepared';

const CHANNEL = 'app_events';
/** a payload subscribers of every topic receive after a reconnect (notifications may have been lost) */
const RESYNC = '*';

export interface Events {
  /** Calls `fn` after every committed change of `topic` (and after a reconnect); returns the unsubscribe. */
  subscribe(topic: string, fn: () => void): Promise<() => void>;
  close(): Promise<void>;
}

const notify = preparedSql('app_events_notify', sql`select pg_notify(${CHANNEL}, ${sql.placeholder('topic')})`);
/** Sends `topic` to every instance when the transaction `tx` commits. */
export async function notifyInTx(tx: Db, topic: string): Promise<void> {
  await notify(tx).execute({ topic });
}

export function createEvents(database: Pick<Database, 'listen'>): Events {
  const subscribers = new Map<string, Set<() => void>>();
  let listening: Promise<() => Promise<void>> | null = null;
  let closed = false;

  const dispatch = (topic: string) => {
    const targets = topic === RESYNC ? [...subscribers.values()].flatMap((s) => [...s]) : [...(subscribers.get(topic) ?? [])];
    for (const fn of targets) {
      try {
        fn();
      } catch (err) {
        console.error(`事件处理出错：${(err as Error).message}`);
      }
    }
  };

  return {
    async subscribe(topic, fn) {
      if (closed) throw new Error('事件服务已关闭');
      // the LISTEN starts with the first subscriber: a process nobody watches holds no extra connection
      listening ??= database.listen(CHANNEL, { onNotify: dispatch, onResync: () => dispatch(RESYNC) }).catch((err: unknown) => {
        listening = null;
        throw err;
      });
      await listening;
      let set = subscribers.get(topic);
      if (!set) subscribers.set(topic, (set = new Set()));
      set.add(fn);
      return () => {
        set.delete(fn);
        if (!set.size && subscribers.get(topic) === set) subscribers.delete(topic);
      };
    },
    async close() {
      closed = true;
      subscribers.clear();
      const unlisten = await listening?.catch(() => null);
      await unlisten?.();
    },
  };
}
