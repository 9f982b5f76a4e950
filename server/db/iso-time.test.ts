import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { startTestPlatform } from '../testing/harness';
import { isoTime } from './iso-time';

let t: Awaited<ReturnType<typeof startTestPlatform>>;
beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(async () => {
  await t?.close();
});

describe('isoTime', () => {
  it('writes what toISOString writes, whatever the session time zone, microseconds truncated; null stays null', async () => {
    // microseconds the database keeps and JavaScript does not; a Beijing midnight (the day differs in UTC); a leap day;
    // whole seconds; the last microsecond of a year
    const given = [
      '2026-12-03 11:23:45.123999+00',
      '2026-04-25 00:00:00+08',
      '2024-02-29 23:59:59.5-05',
      '2000-01-01 00:00:00+00',
      '2025-12-31 23:59:59.999999+00',
    ];
    for (const zone of ['UTC', 'Asia/Shanghai', 'America/New_York']) {
      const rows = await t.s.db.transaction(async (tx) => {
        await tx.execute(sql.raw(`set local time zone '${zone}'`));
        const out: (string | null)[] = [];
        for (const text of given) {
          const [row] = await tx.select({ iso: isoTime(sql`${text}::timestamptz`) }).from(sql`(select 1) one`);
          out.push(row!.iso);
        }
        return out;
      });
      expect(rows).toEqual(given.map((g) => new Date(g.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00')).toISOString()));
    }
    const [none] = await t.s.db.select({ iso: isoTime(sql`null::timestamptz`) }).from(sql`(select 1) one`);
    expect(none!.iso).toBeNull();
  });
});
