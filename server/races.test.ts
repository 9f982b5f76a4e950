import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, inArray } from 'drizzle-orm';
import { applicationEvents, applications } from './db/schema';
import { buildUnit } from './testing/factories';
import { Client, startTestPlatform } from './testing/harness';
import { forwardable, forwarded, parties, readyApplication } from './testing/journey';

// Conflicting actions sent at the same moment over separate PostgreSQL connections: exactly one wins,
// the other gets a clear 409 and changes nothing. PGlite has one connection and serializes everything,
// so these run on the PostgreSQL pass only.
const ROUNDS = Number(process.env.RACE_ROUNDS ?? 200);
const onPostgres = !!process.env.TEST_DATABASE_URL;

let t: Awaited<ReturnType<typeof startTestPlatform>>;
beforeAll(async () => {
  if (onPostgres) t = await startTestPlatform();
});
afterAll(async () => t?.close());

const reset = (id: string, values: Partial<typeof applications.$inferInsert>) =>
  t.s.db
    .update(applications)
    .set({ viewedAt: null, viewedBy: null, ...values })
    .where(eq(applications.id, id));
const rowOf = async (id: string) => (await t.s.db.select().from(applications).where(eq(applications.id, id)))[0]!;
const events = async (id: string) => (await t.s.db.select().from(applicationEvents).where(eq(applicationEvents.applicationId, id))).length;
const codes = (list: { statusCode: number }[]) => list.map((r) => r.statusCode).sort();

describe.skipIf(!onPostgres)(`races on PostgreSQL, ${ROUNDS} rounds each`, () => {
  it('收回 racing 办理: either the withdrawal or the viewing wins, never both', async () => {
    const { applicant, unit, ac, uc } = await parties(t);
    const id = await readyApplication(t, applicant, ac);
    await ac.post(`/api/applications/${id}/transitions/submit`, { unitId: unit.unit.id });
    let withdrawals = 0;
    for (let i = 0; i < ROUNDS; i++) {
      await reset(id, { status: 'submitted_to_unit', unitId: unit.unit.id });
      const [w, o] = await Promise.all([ac.post(`/api/applications/${id}/transitions/withdraw`), uc.post(`/api/applications/${id}/open`)]);
      expect(o.statusCode).toBe(200);
      const row = await rowOf(id);
      if (w.statusCode === 200) {
        withdrawals++;
        expect(row.status).toBe('applicant');
        expect(row.viewedAt).toBeNull();
      } else {
        expect(w.statusCode).toBe(409);
        expect(w.json().error.message).toContain('推荐单位已经查看或办理此申请书');
        expect(row.status).toBe('submitted_to_unit');
        expect(row.viewedAt).not.toBeNull();
      }
    }
    console.log(`收回 vs 办理: withdrawal won ${withdrawals} of ${ROUNDS}`);
  });

  it('a double 提交: exactly one submission', async () => {
    const { applicant, unit, ac } = await parties(t);
    const id = await readyApplication(t, applicant, ac);
    for (let i = 0; i < ROUNDS; i++) {
      await reset(id, { status: 'applicant' });
      const before = await events(id);
      const results = await Promise.all([
        ac.post(`/api/applications/${id}/transitions/submit`, { unitId: unit.unit.id }),
        ac.post(`/api/applications/${id}/transitions/submit`, { unitId: unit.unit.id }),
      ]);
      expect(codes(results)).toEqual([200, 409]);
      expect(await events(id)).toBe(before + 1);
      expect((await rowOf(id)).status).toBe('submitted_to_unit');
    }
  });

  it('four forwards racing for a unit’s last place: exactly one gets it', async () => {
    const unit = await buildUnit(t.s);
    const uc = new Client(t.app);
    await uc.login(unit.username, unit.password);
    const apps = [];
    for (let i = 0; i < 6; i++) apps.push(await forwardable(t, uc, unit.unit.id));
    const [first, second, ...racers] = apps.map((a) => a.id);
    for (const id of [first!, second!]) expect((await uc.post(`/api/applications/${id}/transitions/forward`)).statusCode).toBe(200);
    for (let i = 0; i < ROUNDS; i++) {
      await t.s.db.update(applications).set({ status: 'submitted_to_unit', viewedAt: new Date() }).where(inArray(applications.id, racers));
      const results = await Promise.all(racers.map((id) => uc.post(`/api/applications/${id}/transitions/forward`)));
      expect(codes(results)).toEqual([200, 409, 409, 409]);
      for (const r of results.filter((x) => x.statusCode === 409)) expect(r.json().error.message).toContain('最多向自治区科协推荐3名');
      const forwarded = await t.s.db
        .select()
        .from(applications)
        .where(and(eq(applications.unitId, unit.unit.id), eq(applications.status, 'submitted_to_org')));
      expect(forwarded).toHaveLength(3);
    }
  });

  it('the unit’s 收回 of a return racing the applicant’s resubmission: one of them', async () => {
    const { applicant, unit, ac, uc } = await parties(t);
    const id = await readyApplication(t, applicant, ac);
    await ac.post(`/api/applications/${id}/transitions/submit`, { unitId: unit.unit.id });
    await uc.post(`/api/applications/${id}/open`);
    await uc.put(`/api/applications/${id}/opinions/return`, { text: '请修改' });
    let resubmissions = 0;
    for (let i = 0; i < ROUNDS; i++) {
      await reset(id, { status: 'returned_to_applicant', unitId: unit.unit.id });
      const [u, a] = await Promise.all([
        uc.post(`/api/applications/${id}/transitions/withdraw-return`),
        ac.post(`/api/applications/${id}/transitions/submit`, {}),
      ]);
      expect(codes([u, a])).toEqual([200, 409]);
      const row = await rowOf(id);
      expect(row.status).toBe('submitted_to_unit');
      // the winner decides whether the unit has already handled it
      if (a.statusCode === 200) {
        resubmissions++;
        expect(row.viewedAt).toBeNull();
      } else expect(row.viewedAt).not.toBeNull();
    }
    console.log(`收回退回 vs 重新提交: resubmission won ${resubmissions} of ${ROUNDS}`);
  });
});

describe.skipIf(!onPostgres)(`受理 races on PostgreSQL, ${ROUNDS} rounds`, () => {
  it('the unit’s 收回 racing 自治区科协’s 受理: exactly one of them, each round', async () => {
    const { unit, uc, oc } = await parties(t);
    const { id } = await forwarded(t, uc, unit.unit.id);
    let acceptances = 0;
    for (let i = 0; i < ROUNDS; i++) {
      await reset(id, { status: 'submitted_to_org', unitId: unit.unit.id });
      const before = await events(id);
      const [w, a] = await Promise.all([
        uc.post(`/api/applications/${id}/transitions/withdraw-forward`),
        oc.post(`/api/applications/${id}/transitions/accept`),
      ]);
      expect(codes([w, a])).toEqual([200, 409]);
      expect(await events(id)).toBe(before + 1);
      const row = await rowOf(id);
      if (a.statusCode === 200) {
        acceptances++;
        expect(row.status).toBe('accepted');
        expect(row.viewedAt).not.toBeNull();
        expect(w.json().error.message).toContain('不能收回');
      } else {
        expect(row.status).toBe('submitted_to_unit');
        expect(a.json().error.message).toContain('不能受理');
      }
    }
    console.log(`收回 vs 受理: 受理 won ${acceptances} of ${ROUNDS}`);
  });
});

describe.skipIf(onPostgres)('races', () => {
  it('run on the PostgreSQL pass (TEST_DATABASE_URL); PGlite serializes every transaction', () => {
    expect(onPostgres).toBe(false);
  });
});
