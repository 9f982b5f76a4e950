// The start-up backfill of pinyin sort keys (server/db/backfill.ts): rows written before migration 0007 have none.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, inArray, isNull } from 'drizzle-orm';
import { pinyinSortKey } from '../../core';
import { applications, units } from './schema';
import { backfillSortKeys } from './backfill';
import { buildApplicant, buildApplication, buildUnit, completeForm } from '../testing/factories';
import { startTestPlatform } from '../testing/harness';

let t: Awaited<ReturnType<typeof startTestPlatform>>;
beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(async () => t?.close());

describe('backfillSortKeys', () => {
  it('fills every missing key in batches, leaves present keys alone, and is a no-op the second time', async () => {
    const unit = await buildUnit(t.s, { name: '重庆回填测试科协' });
    expect(unit.unit.nameSort).toBe(pinyinSortKey('重庆回填测试科协')); // written at creation
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const a = await buildApplicant(t.s);
      ids.push((await buildApplication(t.s, a.user, { form: completeForm({ workUnit: `中国银行新疆分行${i}` }) })).id);
    }
    const keys = await t.s.db
      .select({ id: applications.id, k: applications.workUnitSort, w: applications.workUnit })
      .from(applications)
      .where(inArray(applications.id, ids));
    for (const r of keys) expect(r.k).toBe(pinyinSortKey(r.w)); // written by 保存

    // as before the migration: no keys (and one key that must not be touched)
    await t.s.db.update(applications).set({ workUnitSort: null });
    await t.s.db.update(units).set({ nameSort: null });
    await t.s.db.update(applications).set({ workUnitSort: 'kept' }).where(eq(applications.id, ids[0]!));
    const filled = await backfillSortKeys(t.s.db);
    expect(filled.applications).toBeGreaterThanOrEqual(2);
    expect(filled.units).toBeGreaterThanOrEqual(1);
    expect(await t.s.db.select().from(applications).where(isNull(applications.workUnitSort))).toEqual([]);
    expect(await t.s.db.select().from(units).where(isNull(units.nameSort))).toEqual([]);
    const after = await t.s.db
      .select({ id: applications.id, k: applications.workUnitSort, w: applications.workUnit })
      .from(applications)
      .where(inArray(applications.id, ids));
    for (const r of after) expect(r.k).toBe(r.id === ids[0] ? 'kept' : pinyinSortKey(r.w));
    expect(after.find((r) => r.id === ids[1])!.k).toMatch(/^zhong guo yin hang xin jiang fen hang 11 !/);
    const [u] = await t.s.db.select().from(units).where(eq(units.id, unit.unit.id));
    expect(u!.nameSort).toMatch(/^chong qing /);
    expect(await backfillSortKeys(t.s.db)).toEqual({ applications: 0, units: 0 });
  });
});
