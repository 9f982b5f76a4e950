// 网上评选's races over separate PostgreSQL connections (issue 13): a double 提交 of one sheet, and 退回重评 racing the
// expert's 保存. Exactly one winner each round, and the row and its history agree with the winner. PGlite has one
// connection and serializes everything, so these run on the PostgreSQL pass only (server/races.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { campaigns, reviewAssignments, scoreSheetChanges, scoreSheets } from './db/schema';
import { startTestPlatform } from './testing/harness';
import { parties } from './testing/journey';
import { acceptedCandidates, expertWithProfile, setReviewWindow } from './testing/review';

const ROUNDS = Number(process.env.RACE_ROUNDS ?? 200);
const onPostgres = !!process.env.TEST_DATABASE_URL;

let t: Awaited<ReturnType<typeof startTestPlatform>>;
beforeAll(async () => {
  if (onPostgres) t = await startTestPlatform();
});
afterAll(async () => t?.close());

const FULL = { scores: { achievement: 45.5, story: 27.3, typical: 18.2 }, gates: { political: true } };
const codes = (list: { statusCode: number }[]) => list.map((r) => r.statusCode).sort();

/** One candidate assigned to one expert, and that expert's sheet id after a first save. */
async function oneSheet() {
  const p = await parties(t);
  const campaignId = await setReviewWindow(t);
  const [cand] = await acceptedCandidates(t, { uc: p.uc, oc: p.oc, unitId: p.unit.unit.id }, 1);
  const expert = await expertWithProfile(t);
  await t.s.db.insert(reviewAssignments).values({ campaignId, applicationId: cand!.id, expertId: expert.id, assignedBy: p.org.user.id });
  const url = `/api/review/applications/${cand!.id}/sheet`;
  const saved = await expert.client.put(url, FULL);
  expect(saved.statusCode).toBe(200);
  const sheetId = saved.json().sheetId as string;
  return { ...p, campaignId, expert, url, sheetId };
}

const rowOf = async (id: string) => (await t.s.db.select().from(scoreSheets).where(eq(scoreSheets.id, id)))[0]!;
const changesOf = (id: string) => t.s.db.select().from(scoreSheetChanges).where(eq(scoreSheetChanges.sheetId, id)).orderBy(scoreSheetChanges.id);

describe.skipIf(!onPostgres)(`网上评选 races on PostgreSQL, ${ROUNDS} rounds each`, () => {
  it('a double 提交 of one sheet: exactly one submission, one change row', async () => {
    const { expert, url, sheetId } = await oneSheet();
    for (let i = 0; i < ROUNDS; i++) {
      await t.s.db.update(scoreSheets).set({ status: 'saved', submittedAt: null }).where(eq(scoreSheets.id, sheetId));
      const before = (await changesOf(sheetId)).length;
      const results = await Promise.all([expert.client.post(`${url}/submit`, FULL), expert.client.post(`${url}/submit`, {})]);
      expect(codes(results)).toEqual([200, 409]);
      for (const r of results.filter((x) => x.statusCode === 409)) expect(r.json().error.message).toContain('评分表已锁定');
      const changes = await changesOf(sheetId);
      expect(changes).toHaveLength(before + 1);
      expect(changes.at(-1)!.action).toBe('submit');
      expect(await rowOf(sheetId)).toMatchObject({ status: 'submitted', total: '91.0' });
    }
  });

  it('退回重评 racing the expert’s 保存: the save wins only after the reopening; the row matches the winner', async () => {
    const { expert, url, sheetId, oc } = await oneSheet();
    expect((await expert.client.post(`${url}/submit`, {})).statusCode).toBe(200);
    let saves = 0;
    for (let i = 0; i < ROUNDS; i++) {
      await t.s.db
        .update(scoreSheets)
        .set({ status: 'submitted', submittedAt: new Date(), scores: FULL.scores, gates: FULL.gates, total: '91.0' })
        .where(eq(scoreSheets.id, sheetId));
      const before = (await changesOf(sheetId)).length;
      const [reopen, save] = await Promise.all([
        oc.post(`/api/review/sheets/${sheetId}/reopen`, { reason: `复核第${i + 1}轮` }),
        expert.client.put(url, { scores: { achievement: 10 } }),
      ]);
      expect(reopen.statusCode).toBe(200);
      const row = await rowOf(sheetId);
      const changes = (await changesOf(sheetId)).slice(before);
      expect(row.status).toBe('saved');
      expect(row.submittedAt).toBeNull();
      if (save.statusCode === 200) {
        saves++;
        // the save came after the reopening: both recorded in that order, the new values kept
        expect(changes.map((c) => c.action)).toEqual(['reopen', 'save']);
        expect(row).toMatchObject({ scores: { achievement: 10, story: null, typical: null }, total: '10.0' });
      } else {
        expect(save.statusCode).toBe(409);
        expect(changes.map((c) => c.action)).toEqual(['reopen']);
        expect(row).toMatchObject({ scores: FULL.scores, total: '91.0' });
      }
    }
    console.log(`退回重评 vs 保存: the save came second and won ${saves} of ${ROUNDS}`);
  });

  it('a change of the 评分标准 racing the first 保存: either the rubric changes and the save uses it, or the save wins and the rubric stays', async () => {
    const p = await parties(t);
    const campaignId = await setReviewWindow(t);
    const cands = await acceptedCandidates(t, { uc: p.uc, oc: p.oc, unitId: p.unit.unit.id }, 1);
    const expert = await expertWithProfile(t);
    await t.s.db.insert(reviewAssignments).values({ campaignId, applicationId: cands[0]!.id, expertId: expert.id, assignedBy: p.org.user.id });
    const settings = (await p.oc.get(`/api/admin/campaigns/${campaignId}`)).json().settings;
    const rounds = Math.min(ROUNDS, 50);
    for (let i = 0; i < rounds; i++) {
      await t.s.db.delete(scoreSheetChanges);
      await t.s.db.delete(scoreSheets);
      await t.s.db.update(campaigns).set({ settings }).where(eq(campaigns.id, campaignId));
      const changed = structuredClone(settings);
      changed.review.rubric.criteria[1].maxScore = 40;
      changed.review.rubric.criteria[2].maxScore = 40;
      const [put, save] = await Promise.all([
        p.oc.put(`/api/admin/campaigns/${campaignId}`, { settings: changed }),
        expert.client.put(`/api/review/applications/${cands[0]!.id}/sheet`, { scores: { achievement: 45 } }),
      ]);
      // 45 fits the old 业绩突出 (50), not the new one (40): exactly one of the two goes through
      expect(codes([put, save])).toEqual([200, put.statusCode === 200 ? 400 : 409].sort());
    }
  });
});

describe.skipIf(onPostgres)('网上评选 races', () => {
  it('run on the PostgreSQL pass (TEST_DATABASE_URL); PGlite serializes every transaction', () => {
    expect(onPostgres).toBe(false);
  });
});
