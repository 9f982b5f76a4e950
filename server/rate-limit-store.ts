import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import { lt, sql } from 'drizzle-orm';
import type { Db } from './db/client';
import { prepared } from './db/prepared';
import { rateLimits } from './db/schema';

/**
 * One request more for `key` in its window, in one statement: a new key or an elapsed window starts again at
 * 1, otherwise the count goes up. Returns the count and the milliseconds left in the window.
 */
const increment = prepared((db) =>
  db
    .insert(rateLimits)
    .values({ key: sql.placeholder('key'), count: 1, windowStart: sql`now()` })
    .onConflictDoUpdate({
      target: rateLimits.key,
      set: {
        count: sql`case when ${rateLimits.windowStart} + ${sql.placeholder('window')} * interval '1 millisecond' <= now() then 1 else ${rateLimits.count} + 1 end`,
        windowStart: sql`case when ${rateLimits.windowStart} + ${sql.placeholder('window')} * interval '1 millisecond' <= now() then now() else ${rateLimits.windowStart} end`,
      },
    })
    .returning({
      current: rateLimits.count,
      ttl: sql<number>`greatest(0, ceil(extract(epoch from ${rateLimits.windowStart} + ${sql.placeholder('window')} * interval '1 millisecond' - now()) * 1000))::int`,
    })
    .prepare('rate_limit_increment'),
);

/**
 * @fastify/rate-limit's store in PostgreSQL (or PGlite), so that every app instance behind a load balancer
 * counts the same requests (docs DESIGN: nothing a second instance needs may live in one process's memory).
 * Each limited route gets its own keys (`child`); the plugin's key is the client's address.
 */
export function postgresRateLimitStore(db: Db): FastifyRateLimitStoreCtor {
  class PostgresStore implements FastifyRateLimitStore {
    constructor(
      _options: unknown,
      private readonly prefix = '',
    ) {}

    incr(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number): void {
      increment(db)
        .execute({ key: `${this.prefix}${key}`, window: timeWindow })
        .then(
          ([row]) => callback(null, { current: row!.current, ttl: row!.ttl }),
          (err: Error) => callback(err),
        );
    }

    // typed as the route; passed (11.x) as the route's merged limit settings, with the route as `routeInfo`
    child(routeOptions: Parameters<FastifyRateLimitStore['child']>[0]): FastifyRateLimitStore {
      const route = (routeOptions as { routeInfo?: typeof routeOptions }).routeInfo ?? routeOptions;
      return new PostgresStore(routeOptions, `${[route.method].flat().join(',')} ${route.url} `);
    }
  }
  return PostgresStore;
}

/** Counters whose window ended more than a day ago (housekeeping). */
export async function sweepRateLimits(db: Db): Promise<number> {
  const gone = await db
    .delete(rateLimits)
    .where(lt(rateLimits.windowStart, sql`now() - interval '1 day'`))
    .returning({ key: rateLimits.key });
  return gone.length;
}
