import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrizzleQueryError, eq, sql, type Placeholder } from 'drizzle-orm';
import { NodePgPreparedQuery } from 'drizzle-orm/node-postgres';
import { buildApplicant, buildApplication, buildUnit } from '../testing/factories';
import { startTestPlatform } from '../testing/harness';
import { applications, notifications, units, users } from './schema';
import type { Db } from './client';
import { prepared, preparedSql } from './prepared';

// A statement prepared once must run inside the transaction it is given: rolled back with it, and
// waiting on its locks. This rests on Drizzle internals (server/db/prepared.ts), so it is proven on
// both drivers: PGlite here, PostgreSQL in the second pass.
const onPostgres = !!process.env.TEST_DATABASE_URL;

const insertNote = prepared((db) =>
  db
    .insert(notifications)
    .values({ role: 'organizer', body: sql.placeholder('body') })
    .returning({ id: notifications.id })
    .prepare('test_insert_note'),
);
const lockUnit = prepared((db) =>
  db
    .select({ id: units.id, name: units.name })
    .from(units)
    .where(eq(units.id, sql.placeholder('id')))
    .for('update')
    .prepare('test_lock_unit'),
);
// a wide row, a left join whose row may be missing, a nested object of plain columns, SQL values with their decoders
const appWithUnitOf = (db: Db, id: string | Placeholder) =>
  db
    .select({
      app: applications,
      unit: { id: units.id, name: units.name },
      applicant: { name: users.realName, since: users.createdAt },
      unitName: units.name,
      count: sql<number>`count(*) over ()`.mapWith(Number),
      upper: sql<string>`upper(${applications.number})`,
    })
    .from(applications)
    .leftJoin(units, eq(units.id, applications.unitId))
    .innerJoin(users, eq(users.id, applications.applicantId))
    .where(eq(applications.id, id));
const appWithUnit = prepared((db) => appWithUnitOf(db, sql.placeholder('id')).prepare('test_app_with_unit'));
// a flat selection (prepared.ts compileFlatMapper): columns read as they are (text, uuid) and through their decoders
// (timestamp → Date, jsonb, boolean), a left-joined column that may be missing, SQL with and without mapWith
const flatOf = (db: Db, id: string | Placeholder) =>
  db
    .select({
      id: applications.id,
      number: applications.number,
      createdAt: applications.createdAt,
      form: applications.form,
      unitName: units.name,
      unitSince: units.createdAt,
      applicant: users.realName,
      disabled: users.disabled,
      count: sql<number>`count(*) over ()`.mapWith(Number),
      upper: sql<string>`upper(${applications.number})`,
    })
    .from(applications)
    .leftJoin(units, eq(units.id, applications.unitId))
    .innerJoin(users, eq(users.id, applications.applicantId))
    .where(eq(applications.id, id));
const flat = prepared((db) => flatOf(db, sql.placeholder('id')).prepare('test_flat'));
// no rows mapped: the driver's own result (rowCount)
const renameNotes = prepared((db) =>
  db
    .update(notifications)
    .set({ body: sql`${sql.placeholder('to')}` })
    .where(eq(notifications.body, sql.placeholder('from')))
    .prepare('test_rename_notes'),
);
// a unique violation to be reported: users.username is unique
const insertUser = prepared((db) =>
  db
    .insert(users)
    .values({ username: sql`${sql.placeholder('username')}`, passwordHash: 'x', role: 'applicant', realName: '重复' })
    .returning({ id: users.id })
    .prepare('test_insert_user'),
);
const notesWith = (t: Awaited<ReturnType<typeof startTestPlatform>>, body: string) =>
  t.s.db.select({ id: notifications.id }).from(notifications).where(eq(notifications.body, body));

let t: Awaited<ReturnType<typeof startTestPlatform>>;
beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(async () => t?.close());

describe('prepared statements', () => {
  it('run on the database itself, the same statement each time', async () => {
    const first = await insertNote(t.s.db).execute({ body: 'prepared-plain-1' });
    const second = await insertNote(t.s.db).execute({ body: 'prepared-plain-2' });
    expect(second[0]!.id).toBeGreaterThan(first[0]!.id);
    expect(insertNote(t.s.db)).toBe(insertNote(t.s.db));
    expect(await notesWith(t, 'prepared-plain-1')).toHaveLength(1);
  });

  it('map their rows as Drizzle does: nested objects, a missing left-joined row as null, SQL values decoded', async () => {
    const { user } = await buildApplicant(t.s, { username: 'prepmap01' });
    const app = await buildApplication(t.s, user);
    const { unit } = await buildUnit(t.s, { name: '映射测试单位' });
    // the same statement, not prepared: mapped by Drizzle's own mapResultRow
    const unprepared = (id: string) => appWithUnitOf(t.s.db, id);
    // the rows go through the mapper made once for the statement (not Drizzle's per-cell mapResultRow)
    expect((appWithUnit(t.s.db) as unknown as { customResultMapper: unknown }).customResultMapper).toBeTypeOf('function');
    // no unit yet: the left-joined object is null, as Drizzle maps it
    const [without] = await appWithUnit(t.s.db).execute({ id: app.id });
    expect(without!.unit).toBeNull();
    expect(without!.unitName).toBeNull();
    expect(without).toEqual((await unprepared(app.id))[0]);
    await t.s.db.update(applications).set({ unitId: unit.id }).where(eq(applications.id, app.id));
    const [withUnit] = await appWithUnit(t.s.db).execute({ id: app.id });
    expect(withUnit).toEqual((await unprepared(app.id))[0]);
    expect(withUnit!.unit).toEqual({ id: unit.id, name: '映射测试单位' });
    expect(withUnit!.app.createdAt).toBeInstanceOf(Date);
    expect(withUnit!.applicant.since).toBeInstanceOf(Date);
    expect(withUnit!.count).toBe(1);
    expect(withUnit!.upper).toBe(app.number.toUpperCase());
    expect(Object.keys(withUnit!)).toEqual(['app', 'unit', 'applicant', 'unitName', 'count', 'upper']);
    expect(Object.keys(withUnit!.app)).toEqual(Object.keys(applications).filter((k) => k in withUnit!.app));
    // a flat selection, with and without the left-joined unit
    await t.s.db.update(applications).set({ unitId: null }).where(eq(applications.id, app.id));
    const [flatWithout] = await flat(t.s.db).execute({ id: app.id });
    expect(flatWithout).toEqual((await flatOf(t.s.db, app.id))[0]);
    expect(flatWithout!.unitName).toBeNull();
    expect(flatWithout!.unitSince).toBeNull();
    await t.s.db.update(applications).set({ unitId: unit.id }).where(eq(applications.id, app.id));
    const [flatWith] = await flat(t.s.db).execute({ id: app.id });
    expect(flatWith).toEqual((await flatOf(t.s.db, app.id))[0]);
    expect(Object.keys(flatWith!)).toEqual(['id', 'number', 'createdAt', 'form', 'unitName', 'unitSince', 'applicant', 'disabled', 'count', 'upper']);
    expect(flatWith!.createdAt).toBeInstanceOf(Date);
    expect(flatWith!.unitSince).toBeInstanceOf(Date);
    expect(flatWith!.unitName).toBe('映射测试单位');
    expect(flatWith!.count).toBe(1);
    expect(typeof flatWith!.form).toBe('object');
    // returning(): the inserted row's columns
    const [note] = await insertNote(t.s.db).execute({ body: 'prepared-map' });
    expect(Object.keys(note!)).toEqual(['id']);
  });

  it('answer and fail as Drizzle does: raw results, mapped rows, a database refusal as DrizzleQueryError with its cause', async () => {
    await insertNote(t.s.db).execute({ body: 'prepared-raw-1' });
    await insertNote(t.s.db).execute({ body: 'prepared-raw-1' });
    const renamed = (await renameNotes(t.s.db).execute({ from: 'prepared-raw-1', to: 'prepared-raw-2' })) as unknown as { rowCount: number };
    expect(renamed.rowCount).toBe(2);
    expect(await notesWith(t, 'prepared-raw-2')).toHaveLength(2);
    const [first] = await insertUser(t.s.db).execute({ username: 'prepdup01' });
    expect(first!.id).toBeTypeOf('string');
    const refusal = await insertUser(t.s.db)
      .execute({ username: 'prepdup01' })
      .then(
        () => null,
        (err: unknown) => err,
      );
    expect(refusal).toBeInstanceOf(DrizzleQueryError);
    expect((refusal as DrizzleQueryError).cause).toMatchObject({ code: '23505' });
    expect(await t.s.db.select({ id: users.id }).from(users).where(eq(users.username, 'prepdup01'))).toHaveLength(1);
    if (onPostgres) {
      // node-postgres: execute goes straight to the driver (prepared.ts withDirectExecute); Drizzle's own gives the same
      const drizzles = NodePgPreparedQuery.prototype.execute;
      expect(renameNotes(t.s.db).execute).not.toBe(drizzles);
      const direct = await appWithUnit(t.s.db).execute({ id: first!.id });
      expect(direct).toEqual([]);
      const { user } = await buildApplicant(t.s, { username: 'prepdirect01' });
      const app = await buildApplication(t.s, user);
      expect(await appWithUnit(t.s.db).execute({ id: app.id })).toEqual(await drizzles.call(appWithUnit(t.s.db), { id: app.id }));
      const back = (await drizzles.call(renameNotes(t.s.db), { from: 'prepared-raw-2', to: 'prepared-raw-3' })) as { rowCount: number };
      expect(back.rowCount).toBe(2);
      const theirs = await drizzles.call(insertUser(t.s.db), { username: 'prepdup01' }).then(
        () => null,
        (err: unknown) => err,
      );
      expect(theirs).toBeInstanceOf(DrizzleQueryError);
      expect((theirs as DrizzleQueryError).message).toBe((refusal as DrizzleQueryError).message);
    }
  });

  it('run inside the transaction they are given: rolled back with it, committed with it', async () => {
    await expect(
      t.s.db.transaction(async (tx) => {
        await insertNote(tx).execute({ body: 'prepared-rolled-back' });
        // visible inside the transaction…
        expect(await tx.select({ id: notifications.id }).from(notifications).where(eq(notifications.body, 'prepared-rolled-back'))).toHaveLength(1);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    // …and gone with it
    expect(await notesWith(t, 'prepared-rolled-back')).toHaveLength(0);

    await t.s.db.transaction(async (tx) => {
      await insertNote(tx).execute({ body: 'prepared-committed' });
    });
    expect(await notesWith(t, 'prepared-committed')).toHaveLength(1);
  });

  it("written as SQL (preparedSql): placeholders filled, the driver's result, in the transaction given", async () => {
    const insertNotes = preparedSql(
      'test_insert_notes_sql',
      sql`insert into ${notifications} (role, body) select 'organizer', b from jsonb_array_elements_text(${sql.placeholder('bodies')}::jsonb) b returning body`,
    );
    const bodies = ['prepared-sql-1', 'prepared-sql-2'];
    await expect(
      t.s.db.transaction(async (tx) => {
        const result = (await insertNotes(tx).execute({ bodies: JSON.stringify(bodies) })) as { rows: { body: string }[] };
        expect(result.rows.map((r) => r.body)).toEqual(bodies);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await notesWith(t, 'prepared-sql-1')).toHaveLength(0);
    const result = (await insertNotes(t.s.db).execute({ bodies: JSON.stringify(['prepared-sql-3']) })) as { rows: { body: string }[] };
    expect(result.rows).toEqual([{ body: 'prepared-sql-3' }]);
    expect(await notesWith(t, 'prepared-sql-3')).toHaveLength(1);
    expect(insertNotes(t.s.db)).toBe(insertNotes(t.s.db));
  });

  it.skipIf(!onPostgres)('hold their row locks until the transaction ends (PostgreSQL: separate connections)', async () => {
    const { unit } = await buildUnit(t.s, { name: '锁测试单位' });
    const order: string[] = [];
    let releaseLock!: () => void;
    const locked = new Promise<void>((resolve) => (releaseLock = resolve));
    let lockTaken!: () => void;
    const taken = new Promise<void>((resolve) => (lockTaken = resolve));

    const holder = t.s.db.transaction(async (tx) => {
      const [row] = await lockUnit(tx).execute({ id: unit.id });
      expect(row!.name).toBe('锁测试单位');
      lockTaken();
      await locked;
      order.push('holder commits');
    });
    await taken;
    // a second transaction asking for the same lock waits for the first to commit
    const waiter = t.s.db.transaction(async (tx) => {
      await lockUnit(tx).execute({ id: unit.id });
      order.push('waiter locked');
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(order).toEqual([]);
    releaseLock();
    await Promise.all([holder, waiter]);
    expect(order).toEqual(['holder commits', 'waiter locked']);
  });
});
