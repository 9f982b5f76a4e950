import type { Db } from './client';

/**
 * Statements on the hot paths (every request's session, every transfer of an application), built once.
 *
 * Drizzle builds a query's SQL text and result mapping anew on every call: for a whole `applications` row
 * that is a tenth of a millisecond of CPU, and a transfer runs seven such statements (bench/README.md,
 * run 6). `.prepare(name)` builds once, and node-postgres then parses a named statement once per
 * connection. But Drizzle binds a prepared query to the session it was prepared on, so a query prepared
 * on `db` always runs on the pool, outside any transaction (drizzle-orm#613, #2826, open).
 *
 * `prepared(build)` builds the statement once per driver (PGlite, node-postgres) and hands out, for the
 * `db` or transaction it is given, the same statement bound to that one's connection: inside
 * `db.transaction(tx => …)`, `stmt(tx).execute(…)` runs in the transaction, row locks and all. It relies
 * on one thing Drizzle does not document: both drivers' sessions and prepared queries keep the driver's
 * client in a `client` property. server/db/prepared.test.ts proves, on PGlite and PostgreSQL, that a
 * prepared statement run on `tx` is rolled back with it and waits on its locks, so an upgrade that
 * changes this fails there.
 */
export function prepared<Q extends object>(build: (db: Db) => Q): (db: Db) => Q {
  const byDriver = new Map<unknown, Q>();
  return (db) => {
    const session = db._.session as unknown as { client: unknown; constructor: unknown };
    let query = byDriver.get(session.constructor);
    if (!query) byDriver.set(session.constructor, (query = build(db)));
    if (!('client' in query)) throw new Error('drizzle-orm: a prepared query has no client property; see server/db/prepared.ts');
    if (query.client === session.client) return query;
    return Object.create(query, { client: { value: session.client } }) as Q;
  };
}
