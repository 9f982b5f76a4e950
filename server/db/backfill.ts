import { and, asc, gt, isNull, sql } from 'drizzle-orm';
import { pinyinSortKey } from '../../core';
import type { Db } from './client';
import { applications, units } from './schema';

const BATCH = 500;

/**
 * Fills the pinyin sort keys (applications.work_unit_sort, units.name_sort) of rows that have none: the rows
 * that existed before migration 0007, and any row written by hand in SQL. A migration cannot do it: the key
 * is pinyin (core/pinyin.ts, pinyin-pro's dictionary), which neither PostgreSQL nor PGlite can compute. So it
 * runs in Node at every start, after the migrations; once every row has its key it is one query per table
 * that finds nothing (a sequential scan: ~10 ms on 100,000 applications).
 *
 * Idempotent and safe beside other instances and live writes: rows are read in id order, a batch at a
 * time, and a key is written only where it is still null and the name is still the one it was computed
 * from (a concurrent 保存 writes its own key).
 */
export async function backfillSortKeys(db: Db): Promise<{ applications: number; units: number }> {
  let apps = 0;
  for (let after = ''; ;) {
    const rows = await db
      .select({ id: applications.id, name: applications.workUnit })
      .from(applications)
      .where(and(isNull(applications.workUnitSort), after ? gt(applications.id, after) : undefined))
      .orderBy(asc(applications.id))
      .limit(BATCH);
    if (!rows.length) break;
    apps += await fill(db, 'applications', 'work_unit', 'work_unit_sort', rows);
    if (rows.length < BATCH) break;
    after = rows.at(-1)!.id;
  }
  let unitCount = 0;
  for (let after = ''; ;) {
    const rows = await db
      .select({ id: units.id, name: units.name })
      .from(units)
      .where(and(isNull(units.nameSort), after ? gt(units.id, after) : undefined))
      .orderBy(asc(units.id))
      .limit(BATCH);
    if (!rows.length) break;
    unitCount += await fill(db, 'units', 'name', 'name_sort', rows);
    if (rows.length < BATCH) break;
    after = rows.at(-1)!.id;
  }
  return { applications: apps, units: unitCount };
}

/** One UPDATE … FROM (VALUES …) per batch. */
async function fill(db: Db, table: string, nameColumn: string, keyColumn: string, rows: { id: string; name: string }[]): Promise<number> {
  const values = sql.join(
    rows.map((r) => sql`(${r.id}::uuid, ${r.name}::text, ${pinyinSortKey(r.name)}::text)`),
    sql`, `,
  );
  const t = sql.identifier(table);
  const name = sql.identifier(nameColumn);
  const key = sql.identifier(keyColumn);
  const res = await db.execute(sql`update ${t} set ${key} = v.k from (values ${values}) as v(id, name, k)
    where ${t}.id = v.id and ${t}.${key} is null and ${t}.${name} = v.name`);
  return (res as { rowCount?: number | null; affectedRows?: number }).rowCount ?? (res as { affectedRows?: number }).affectedRows ?? 0;
}
