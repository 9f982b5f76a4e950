import { sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';

/**
 * A timestamptz column as the text `Date.prototype.toISOString` writes (UTC, milliseconds truncated, `Z`), made by
 * the database; null stays null. For lists of many rows: each time otherwise costs Node a `new Date(text)` from the
 * driver and a `toISOString()` for the reply (bench/README "Session 25": a tenth of the expert's 300-row list).
 * server/db/iso-time.test.ts holds it equal to toISOString on both drivers.
 */
export function isoTime(column: AnyPgColumn | SQL): SQL<string | null> {
  return sql<string | null>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}
