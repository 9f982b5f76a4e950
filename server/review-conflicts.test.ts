// Issue 13, 7. through HTTP: 回避 recorded by 自治区科协 (登记回避) — the permission matrix with nothing changed, the
// recused expert's 404 on every URL of the candidate and its absence from their list, the shortfall below k for
// reassignment, the expert's own rule for a submitted sheet and a saved draft, duplicates, bad bodies; and the plan's
// subsets (候选人, 评审专家) honoured by the preview; on PostgreSQL, 登记回避 racing the expert's 提交 (one winner).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { auditLog, campaigns, notifications, programs, reviewAssignments, reviewConflicts, scoreSheetChanges, scoreSheets } from './db/schema';
import { defaultCampaignSettings } from '../core';
import { buildApplicant, buildApplication } from './testing/factories';
import { Client, json, startTestPlatform } from './testing/harness';
import { parties } from './testing/journey';
import { acceptedCandidates, assignedReview, expertWithProfile, setReviewWindow } from './testing/review';
import type { AssignmentsReply, ConflictsReply, PlanReply, ProgressReply, ReviewListReply } from '../core/review';

let t: Awaited<ReturnType<typeof startTestPlatform>>;
beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(async () => t?.close());

type Failure = { error: { code: string; message: string; fields?: { field: string; label: string; message: string }[] } };
const errorOf = (res: { json(): unknown }) => (res.json() as Failure).error;
const conflictsNow = () => t.s.db.select().from(reviewConflicts).orderBy(reviewConflicts.expertId, reviewConflicts.applicationId);
const sheetRow = async (applicationId: string, expertId: string) =>
  (
    await t.s.db
      .select()
      .from(scoreSheets)
      .where(and(eq(scoreSheets.applicationId, applicationId), eq(scoreSheets.expertId, expertId)))
  )[0];

const FULL = { scores: { achievement: 45.5, story: 27.3, typical: 18.2 }, gates: { political: true }, comment: '事迹突出。' };

const world = () => assignedReview(t);

describe('登记回避 (自治区科协)', () => {
  let w: Awaited<ReturnType<typeof world>>;
  let url: string;
  beforeAll(async () => {
    w = await world();
    url = `/api/review/campaigns/${w.campaignId}/conflicts`;
  });
  const assignedTo = async (applicationId: string) =>
    (await t.s.db.select().from(reviewAssignments).where(eq(reviewAssignments.applicationId, applicationId))).map((r) => r.expertId);

  it('only 自治区科协: expert, unit, applicant 403 and anonymous 401 on both routes, the conflicts table unchanged', async () => {
    const id = w.cands[0]!.id;
    const [expertId] = await assignedTo(id);
    const expert = [w.e1, w.e2, w.e3].find((e) => e.id === expertId)!;
    const before = await conflictsNow();
    const body = { expertId, applicationId: id, reason: '与候选人为同一课题组成员' };
    for (const [who, client, status] of [
      ['expert', expert.client, 403],
      ['unit', w.uc, 403],
      ['applicant', w.ac, 403],
      ['anonymous', new Client(t.app), 401],
    ] as const) {
      const get = await client.get(url);
      expect({ who, status: get.statusCode }).toEqual({ who, status });
      const post = await client.post(url, body);
      expect({ who, status: post.statusCode }).toEqual({ who, status });
      expect(errorOf(post).message).toMatch(/[\u4e00-\u9fa5]/);
    }
    expect(await conflictsNow()).toEqual(before);
    // the expert still sees the candidate
    expect((await expert.client.get(`/api/review/applications/${id}/sheet`)).statusCode).toBe(200);
  });

  it('bad bodies: 400 naming the field in Chinese, nothing stored', async () => {
    const id = w.cands[0]!.id;
    const before = await conflictsNow();
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ expertId: w.e1.id, applicationId: id }, /回避理由/],
      [{ expertId: w.e1.id, applicationId: id, reason: ' 一 ' }, /请填写回避理由（至少2个字）/],
      [{ expertId: w.e1.id, applicationId: id, reason: '长'.repeat(201) }, /回避理由不能超过200字/],
      [{ expertId: 'abc', applicationId: id, reason: '同一课题组' }, /评审专家编号不正确/],
      [{ expertId: w.e1.id, reason: '同一课题组' }, /候选人/],
      [{ expertId: w.e1.id, applicationId: id, reason: '同一课题组', extra: 1 }, /extra|不认识|未知|不支持/],
    ];
    for (const [body, message] of cases) {
      const res = await w.oc.post(url, body);
      expect({ body, status: res.statusCode }).toEqual({ body, status: 400 });
      expect(errorOf(res).message).toMatch(message);
      expect(errorOf(res).message).toMatch(/[\u4e00-\u9fa5]/);
    }
    expect(await conflictsNow()).toEqual(before);
  });

  it('unknown expert, a non-expert account, a candidate of another campaign or of nothing: 404; not in review: 409; nothing stored', async () => {
    const id = w.cands[0]!.id;
    const before = await conflictsNow();
    const nobody = '00000000-0000-4000-8000-00000000000a';
    const unknownExpert = await w.oc.post(url, { expertId: nobody, applicationId: id, reason: '同一课题组' });
    expect(unknownExpert.statusCode).toBe(404);
    expect(errorOf(unknownExpert).message).toContain('未找到该评审专家');
    const notExpert = await w.oc.post(url, { expertId: w.applicant.user.id, applicationId: id, reason: '同一课题组' });
    expect(notExpert.statusCode).toBe(404);
    expect(errorOf(notExpert).message).toContain('评审专家');
    const unknownApp = await w.oc.post(url, { expertId: w.e1.id, applicationId: nobody, reason: '同一课题组' });
    expect(unknownApp.statusCode).toBe(404);
    expect(errorOf(unknownApp).message).toContain('未找到该候选人');

    // another campaign: its URL with this campaign's candidate
    const [program] = await t.s.db.select().from(programs).limit(1);
    const [other] = await t.s.db
      .insert(campaigns)
      .values({ programId: program!.id, year: 2019, title: '2019年“新疆最美科技工作者”学习宣传活动', settings: defaultCampaignSettings(2019) })
      .returning();
    const elsewhere = await w.oc.post(`/api/review/campaigns/${other!.id}/conflicts`, { expertId: w.e1.id, applicationId: id, reason: '同一课题组' });
    expect(elsewhere.statusCode).toBe(404);
    expect(errorOf(elsewhere).message).toContain('候选人');
    expect(json<ConflictsReply>(await w.oc.get(`/api/review/campaigns/${other!.id}/conflicts`)).conflicts).toEqual([]);
    expect((await w.oc.get(`/api/review/campaigns/${nobody}/conflicts`)).statusCode).toBe(404);

    // an application of this campaign still with its applicant (not 受理): 409 naming why
    const applicant = await buildApplicant(t.s);
    const draft = await buildApplication(t.s, applicant.user);
    const early = await w.oc.post(url, { expertId: w.e1.id, applicationId: draft.id, reason: '同一课题组' });
    expect(early.statusCode).toBe(409);
    expect(errorOf(early).message).toContain('已受理');
    expect(await conflictsNow()).toEqual(before);
  });

  it('the organizer’s 回避: the expert gets 404 on every URL and loses the candidate from the list; the draft stays hidden; the shortfall shows; recorded', async () => {
    const id = w.cands[0]!.id;
    const experts = await assignedTo(id);
    expect(experts).toHaveLength(2);
    const victim = [w.e1, w.e2, w.e3].find((e) => e.id === experts[0])!;
    // a saved draft first
    expect((await victim.client.put(`/api/review/applications/${id}/sheet`, { scores: { story: 12 } })).statusCode).toBe(200);
    const photo = json<{ attachments: { id: string; kind: string }[] }>(await victim.client.get(`/api/applications/${id}`)).attachments.find(
      (a) => a.kind === 'photo',
    )!;
    expect((await victim.client.get(`/api/attachments/${photo.id}`)).statusCode).toBe(200);

    const res = await w.oc.post(url, { expertId: victim.id, applicationId: id, reason: '  与候选人为同一课题组成员  ' });
    expect(res.statusCode).toBe(200);
    const reply = json<ConflictsReply>(res);
    expect(reply.message).toContain('现有1份有效评审，少于每人至少2份');
    expect(reply.conflicts[0]).toMatchObject({
      expertId: victim.id,
      expertName: victim.name,
      applicationId: id,
      number: w.cands[0]!.number,
      applicantName: w.cands[0]!.name,
      reason: '与候选人为同一课题组成员',
      declaredBy: 'organizer',
      declaredByLabel: '自治区科协登记',
      actorName: '自治区科协',
      assigned: true,
    });
    const [row] = await t.s.db
      .select()
      .from(reviewConflicts)
      .where(and(eq(reviewConflicts.expertId, victim.id), eq(reviewConflicts.applicationId, id)));
    expect(row).toMatchObject({ declaredBy: 'organizer', actorId: w.org.user.id, reason: '与候选人为同一课题组成员' });

    // the expert: 404 everywhere, gone from the list
    const gets = [`/api/review/applications/${id}/sheet`, `/api/applications/${id}`, `/api/attachments/${photo.id}`];
    for (const u of gets) expect({ u, status: (await victim.client.get(u)).statusCode }).toEqual({ u, status: 404 });
    expect((await victim.client.put(`/api/review/applications/${id}/sheet`, { scores: { story: 13 } })).statusCode).toBe(404);
    expect((await victim.client.post(`/api/review/applications/${id}/sheet/submit`, FULL)).statusCode).toBe(404);
    expect((await victim.client.post(`/api/review/applications/${id}/recusal`, { reason: '同一课题组成员' })).statusCode).toBe(404);
    expect(json<ReviewListReply>(await victim.client.get('/api/review/mine')).items.map((i) => i.applicationId)).not.toContain(id);
    // the draft is kept as it was, hidden and never counted (the expert's own rule)
    expect(await sheetRow(id, victim.id)).toMatchObject({ status: 'saved', scores: { story: 12 } });
    // told in-app, without a link to the candidate
    const told = await t.s.db.select().from(notifications).where(eq(notifications.userId, victim.id));
    expect(told.at(-1)!.body).toContain('自治区科协已登记您对候选人');

    // the organizer: the assignment stays, no longer counts; short of k, to reassign
    const list = json<AssignmentsReply>(await w.oc.get(`/api/review/campaigns/${w.campaignId}/assignments`));
    const c = list.candidates.find((x) => x.applicationId === id)!;
    expect(c.valid).toBe(1);
    expect(c.shortfall).toContain('还差1份');
    expect(c.experts.find((e) => e.expertId === victim.id)!.recusal).toBe('自治区科协指定回避：与候选人为同一课题组成员');
    const prog = json<ProgressReply>(await w.oc.get(`/api/review/campaigns/${w.campaignId}/progress`));
    expect(prog.candidates.find((x) => x.applicationId === id)!.required).toBe(1);
    // the audit log
    const audits = await t.s.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'review.conflict.organizer'), eq(auditLog.targetId, id)));
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ actorId: w.org.user.id, detail: { expertId: victim.id, reason: '与候选人为同一课题组成员' } });
    // the list
    const all = json<ConflictsReply>(await w.oc.get(url));
    expect(all.conflicts.map((x) => [x.expertId, x.applicationId])).toEqual([[victim.id, id]]);
    expect(all.message).toBeNull();

    // reassign: the recused expert is refused, a free one is taken
    const again = await w.oc.post(`/api/review/campaigns/${w.campaignId}/assignments`, { applicationId: id, expertId: victim.id });
    expect(again.statusCode).toBe(409);
    expect(errorOf(again).message).toContain('自治区科协指定回避');
    const free = [w.e1, w.e2, w.e3].find((e) => !experts.includes(e.id))!;
    const added = await w.oc.post(`/api/review/campaigns/${w.campaignId}/assignments`, { applicationId: id, expertId: free.id });
    expect(added.statusCode).toBe(200);
    expect(json<AssignmentsReply>(added).candidates.find((x) => x.applicationId === id)).toMatchObject({ valid: 2, shortfall: null });
  });

  it('a duplicate is 409; a submitted sheet refuses it as the expert’s own rule does; nothing changed', async () => {
    const [first] = (await conflictsNow()).filter((x) => x.declaredBy === 'organizer');
    const before = await conflictsNow();
    const dup = await w.oc.post(url, { expertId: first!.expertId, applicationId: first!.applicationId, reason: '再次登记' });
    expect(dup.statusCode).toBe(409);
    expect(errorOf(dup).message).toContain('已登记');
    expect(await conflictsNow()).toEqual(before);

    const id = w.cands[1]!.id;
    const [expertId] = await assignedTo(id);
    const expert = [w.e1, w.e2, w.e3].find((e) => e.id === expertId)!;
    expect((await expert.client.post(`/api/review/applications/${id}/sheet/submit`, FULL)).statusCode).toBe(200);
    const sheet = await sheetRow(id, expert.id);
    const late = await w.oc.post(url, { expertId, applicationId: id, reason: '与候选人有合作关系' });
    expect(late.statusCode).toBe(409);
    expect(errorOf(late).message).toContain('已提交');
    expect(errorOf(late).message).toContain('退回重评');
    expect(await conflictsNow()).toEqual(before);
    expect(await sheetRow(id, expert.id)).toEqual(sheet);
    expect((await expert.client.get(`/api/review/applications/${id}/sheet`)).statusCode).toBe(200);
  });

  it('a pair not assigned: recorded, and never planned afterwards; the expert’s 申报回避 shows in the same list', async () => {
    const id = w.cands[2]!.id;
    const assigned = await assignedTo(id);
    const outsider = [w.e1, w.e2, w.e3].find((e) => !assigned.includes(e.id))!;
    const res = await w.oc.post(url, { expertId: outsider.id, applicationId: id, reason: '与候选人系亲属关系' });
    expect(res.statusCode).toBe(200);
    expect(json<ConflictsReply>(res).message).toContain('此后不会被分配');
    expect(json<ConflictsReply>(res).conflicts.find((x) => x.expertId === outsider.id && x.applicationId === id)).toMatchObject({ assigned: false });
    // no sheet appears for the expert's list, and k = 3 cannot be met for this candidate any more
    expect(json<ReviewListReply>(await outsider.client.get('/api/review/mine')).items.map((i) => i.applicationId)).not.toContain(id);
    const plan = json<PlanReply>(
      await w.oc.post(`/api/review/campaigns/${w.campaignId}/plan/preview`, {
        mode: 'balanced',
        k: 3,
        L: 10,
        candidateIds: [id],
        expertIds: [w.e1.id, w.e2.id, w.e3.id],
      }),
    );
    expect(plan.ok).toBe(false);
    expect(plan.recused).toEqual([expect.objectContaining({ expertId: outsider.id, applicationId: id, code: '申报回避' })]);

    // an expert's own 申报回避 appears beside the organizer's
    const own = [w.e1, w.e2, w.e3].find((e) => e.id === assigned[0])!;
    expect((await own.client.post(`/api/review/applications/${id}/recusal`, { reason: '曾共同发表论文' })).statusCode).toBe(200);
    const all = json<ConflictsReply>(await w.oc.get(url)).conflicts;
    expect(all.find((x) => x.expertId === own.id && x.applicationId === id)).toMatchObject({
      declaredBy: 'expert',
      declaredByLabel: '专家申报',
      actorName: own.name,
      reason: '曾共同发表论文',
      assigned: true,
    });
    expect(all).toHaveLength(3);
  });
});

describe('the plan’s subsets', () => {
  it('a balanced preview covers only the picked candidates and experts; an id outside the campaign is refused', async () => {
    const p = await parties(t);
    const campaignId = await setReviewWindow(t);
    const cands = await acceptedCandidates(t, { uc: p.uc, oc: p.oc, unitId: p.unit.unit.id }, 3);
    const [a, b, c] = [await expertWithProfile(t), await expertWithProfile(t), await expertWithProfile(t)];
    const picked = [cands[0]!.id, cands[2]!.id];
    const res = await p.oc.post(`/api/review/campaigns/${campaignId}/plan/preview`, {
      mode: 'balanced',
      k: 2,
      L: 5,
      candidateIds: picked,
      expertIds: [a.id, b.id],
    });
    expect(res.statusCode).toBe(200);
    const plan = json<PlanReply>(res);
    expect(plan.ok).toBe(true);
    expect(plan.candidates.map((x) => x.id).sort()).toEqual([...picked].sort());
    expect(plan.experts.map((x) => x.id).sort()).toEqual([a.id, b.id].sort());
    expect(new Set(plan.assignments.map((x) => x.applicationId))).toEqual(new Set(picked));
    expect(new Set(plan.assignments.map((x) => x.expertId))).toEqual(new Set([a.id, b.id]));
    expect(plan.assignments.some((x) => x.expertId === c.id || x.applicationId === cands[1]!.id)).toBe(false);
    // nothing stored by a preview
    expect(await t.s.db.select().from(reviewAssignments).where(eq(reviewAssignments.applicationId, picked[0]!))).toHaveLength(0);

    // a candidate that is not 已受理 (still a draft) and an account that is no expert: 400, named
    const applicant = await buildApplicant(t.s);
    const draft = await buildApplication(t.s, applicant.user);
    const bad = await p.oc.post(`/api/review/campaigns/${campaignId}/plan/preview`, { mode: 'balanced', candidateIds: [draft.id] });
    expect(bad.statusCode).toBe(400);
    expect(errorOf(bad).message).toContain('所选候选人');
    const notExpert = await p.oc.post(`/api/review/campaigns/${campaignId}/plan/preview`, { mode: 'balanced', expertIds: [p.unit.user.id] });
    expect(notExpert.statusCode).toBe(400);
    expect(errorOf(notExpert).message).toContain('所选评审专家');
  });
});

const ROUNDS = Number(process.env.RACE_ROUNDS ?? 200);

describe.skipIf(!process.env.TEST_DATABASE_URL)(`登记回避 racing the expert’s 提交 on PostgreSQL, ${ROUNDS} rounds`, () => {
  it('either the 回避 wins (the submission 404, the sheet not submitted) or the submission (the 回避 409, no row); never both', async () => {
    const p = await parties(t);
    const campaignId = await setReviewWindow(t);
    const [cand] = await acceptedCandidates(t, { uc: p.uc, oc: p.oc, unitId: p.unit.unit.id }, 1);
    const expert = await expertWithProfile(t);
    await t.s.db.insert(reviewAssignments).values({ campaignId, applicationId: cand!.id, expertId: expert.id, assignedBy: p.org.user.id });
    const pair = and(eq(reviewConflicts.expertId, expert.id), eq(reviewConflicts.applicationId, cand!.id));
    const url = `/api/review/campaigns/${campaignId}/conflicts`;
    const wins = { conflict: 0, submit: 0 };
    for (let i = 0; i < ROUNDS; i++) {
      await t.s.db.delete(reviewConflicts).where(pair);
      const sheet = await sheetRow(cand!.id, expert.id);
      if (sheet && i % 2 === 0) {
        // even rounds: no sheet yet (the expert's first write makes it)
        await t.s.db.delete(scoreSheetChanges).where(eq(scoreSheetChanges.sheetId, sheet.id));
        await t.s.db.delete(scoreSheets).where(eq(scoreSheets.id, sheet.id));
      } else if (sheet) {
        await t.s.db.update(scoreSheets).set({ status: 'saved', submittedAt: null }).where(eq(scoreSheets.id, sheet.id));
      }
      const [conflict, submit] = await Promise.all([
        p.oc.post(url, { expertId: expert.id, applicationId: cand!.id, reason: `第${i + 1}轮回避` }),
        expert.client.post(`/api/review/applications/${cand!.id}/sheet/submit`, FULL),
      ]);
      const rows = await t.s.db.select().from(reviewConflicts).where(pair);
      const after = await sheetRow(cand!.id, expert.id);
      if (conflict.statusCode === 200) {
        wins.conflict++;
        expect({ i, submit: submit.statusCode }).toEqual({ i, submit: 404 });
        expect(rows).toHaveLength(1);
        expect(after?.status).not.toBe('submitted');
      } else {
        wins.submit++;
        expect({ i, conflict: conflict.statusCode, submit: submit.statusCode }).toEqual({ i, conflict: 409, submit: 200 });
        expect(errorOf(conflict).message).toContain('已提交');
        expect(rows).toHaveLength(0);
        expect(after?.status).toBe('submitted');
      }
    }
    expect(wins.conflict + wins.submit).toBe(ROUNDS);
  });
});
