// Issue 13, 7.–10. through HTTP: assignment with 回避 (preview, confirm, shortfall, reassign), the expert's scope
// (404 on every URL of a candidate not theirs), score sheets (validation, 保存, 提交, locked, the window), progress,
// 催办 (by hand, and automatic once per window), 退回重评, the 评分标准's lock and 重置评审.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { and, eq } from 'drizzle-orm';
import {
  applicationEvents,
  applications,
  campaigns,
  expertGroupMembers,
  expertGroups,
  jobs,
  notifications,
  outbox,
  reviewAssignments,
  reviewConflicts,
  reviewReminders,
  scoreSheetChanges,
  scoreSheets,
} from './db/schema';
import { buildApplicant, buildOrganizer, buildUnit } from './testing/factories';
import { Client, json, startTestPlatform } from './testing/harness';
import { parties } from './testing/journey';
import { acceptedCandidates, expertWithProfile, setReviewWindow } from './testing/review';
import { autoRemind } from './usecases/review-progress';
import { runJobsUntilIdle } from './jobs/runner';
import { REMIND_JOB } from '../core/messages';
import type { AssignmentsReply, PlanReply, ProgressReply, ReviewListReply, SheetDetail, SheetReply } from '../core/review';

let t: Awaited<ReturnType<typeof startTestPlatform>>;
beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(async () => t?.close());

type Failure = { error: { code: string; message: string; fields?: { field: string; label: string; message: string }[] } };
const errorOf = (res: { json(): unknown }) => (res.json() as Failure).error;
const sheetsOf = (applicationId: string) => t.s.db.select().from(scoreSheets).where(eq(scoreSheets.applicationId, applicationId));
const sheetRow = async (applicationId: string, expertId: string) =>
  (
    await t.s.db
      .select()
      .from(scoreSheets)
      .where(and(eq(scoreSheets.applicationId, applicationId), eq(scoreSheets.expertId, expertId)))
  )[0];
const changesOf = (sheetId: string) => t.s.db.select().from(scoreSheetChanges).where(eq(scoreSheetChanges.sheetId, sheetId)).orderBy(scoreSheetChanges.id);
const assignmentsOf = (campaignId: string) => t.s.db.select().from(reviewAssignments).where(eq(reviewAssignments.campaignId, campaignId));
const statusOf = async (id: string) => (await t.s.db.select({ s: applications.status }).from(applications).where(eq(applications.id, id)))[0]!.s;

const FULL = { scores: { achievement: 45.5, story: 27.3, typical: 18.2 }, gates: { political: true }, comment: '事迹突出，材料翔实。' };

type World = Awaited<ReturnType<typeof world>>;

/**
 * One unit's three accepted candidates and five experts: e1, e2 free; e3 is candidate 3 (same 手机, written with
 * +86 and spaces); e4 works at the recommending unit (its name with a full-width space); e5 disabled.
 */
async function world() {
  const p = await parties(t);
  const campaignId = await setReviewWindow(t);
  // this campaign asks for 2 reviews per candidate, at most 3 per expert
  const [c] = await t.s.db.select().from(campaigns).where(eq(campaigns.id, campaignId));
  const settings = c!.settings as { review: Record<string, unknown> };
  await t.s.db
    .update(campaigns)
    .set({ settings: { ...settings, review: { ...settings.review, k: 2, L: 3 } } })
    .where(eq(campaigns.id, campaignId));
  const cands = await acceptedCandidates(t, { uc: p.uc, oc: p.oc, unitId: p.unit.unit.id }, 3);
  const e1 = await expertWithProfile(t, { name: '专家甲' });
  const e2 = await expertWithProfile(t, { name: '专家乙' });
  const e3 = await expertWithProfile(t, { name: '专家丙', mobile: `+86 ${cands[2]!.mobile.slice(0, 3)} ${cands[2]!.mobile.slice(3)}` });
  const unitName = p.unit.unit.name;
  const e4 = await expertWithProfile(t, { name: '专家丁', workUnit: `${unitName.slice(0, 2)}\u3000${unitName.slice(2)}` });
  return { ...p, campaignId, cands, e1, e2, e3, e4 };
}

describe('网上评选, the whole flow through HTTP', () => {
  let w: World;
  beforeAll(async () => {
    w = await world();
  });

  it('previews a balanced plan with automatic 回避 and stores nothing; an impossible k is explained in Chinese', async () => {
    const url = `/api/review/campaigns/${w.campaignId}/plan/preview`;
    const experts = [w.e1.id, w.e2.id, w.e3.id, w.e4.id];
    const res = await w.oc.post(url, { mode: 'balanced', k: 2, L: 3, expertIds: experts });
    expect(res.statusCode).toBe(200);
    const plan = json<PlanReply>(res);
    expect(plan.ok).toBe(true);
    // 本人 (e3 with candidate 3) and 同单位 (e4 with everyone) are listed and never planned
    expect(plan.recused).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ expertId: w.e3.id, applicationId: w.cands[2]!.id, code: '本人' }),
        ...w.cands.map((c) => expect.objectContaining({ expertId: w.e4.id, applicationId: c.id, code: '同单位' })),
      ]),
    );
    for (const a of plan.assignments) {
      expect(a.expertId).not.toBe(w.e4.id);
      expect(a.expertId === w.e3.id && a.applicationId === w.cands[2]!.id).toBe(false);
    }
    for (const c of plan.candidates) expect(c.coverage).toBeGreaterThanOrEqual(2);
    for (const e of plan.experts) expect(e.load).toBeLessThanOrEqual(3);
    expect(plan.added).toBe(6);
    expect(await assignmentsOf(w.campaignId)).toHaveLength(0);
    for (const c of w.cands) expect(await statusOf(c.id)).toBe('accepted');

    // k = 3: candidate 3 has only two experts free of 回避 (e1, e2)
    const bad = json<PlanReply>(await w.oc.post(url, { mode: 'balanced', k: 3, L: 3, expertIds: experts }));
    expect(bad.ok).toBe(false);
    expect(bad.reason).toContain('候选人3');
    expect(bad.reason).toContain('少于每人至少3份');
    // confirming it is refused with the same explanation, nothing stored
    const refused = await w.oc.post(`/api/review/campaigns/${w.campaignId}/plan/confirm`, { mode: 'balanced', k: 3, L: 3, expertIds: experts });
    expect(refused.statusCode).toBe(409);
    expect(errorOf(refused).message).toContain('无法按要求分配');
    expect(errorOf(refused).message).toContain('候选人3');
    expect(await assignmentsOf(w.campaignId)).toHaveLength(0);

    // L too small for the total: the planner says so
    const tight = json<PlanReply>(await w.oc.post(url, { mode: 'balanced', k: 2, L: 1, expertIds: experts }));
    expect(tight.ok).toBe(false);
    expect(tight.reason).toMatch(/需要至少6份评审/);

    // bad input: named
    const invalid = await w.oc.post(url, { mode: 'random', k: 0 });
    expect(invalid.statusCode).toBe(400);
    expect(errorOf(invalid).message).toContain('分配方式');
  });

  it('confirms the plan: rows stored in one go, the candidates move to 网上评选中 with a 流程情况 row', async () => {
    const res = await w.oc.post(`/api/review/campaigns/${w.campaignId}/plan/confirm`, {
      mode: 'balanced',
      k: 2,
      L: 3,
      expertIds: [w.e1.id, w.e2.id, w.e3.id, w.e4.id],
    });
    expect(res.statusCode).toBe(200);
    const plan = json<PlanReply>(res);
    expect(plan.moved).toBe(3);
    const rows = await assignmentsOf(w.campaignId);
    expect(rows).toHaveLength(6);
    // candidate 3 is reviewed by e1 and e2: the only experts free of 回避
    expect(
      rows
        .filter((r) => r.applicationId === w.cands[2]!.id)
        .map((r) => r.expertId)
        .sort(),
    ).toEqual([w.e1.id, w.e2.id].sort());
    for (const c of w.cands) {
      expect(await statusOf(c.id)).toBe('online_review');
      const events = await t.s.db.select().from(applicationEvents).where(eq(applicationEvents.applicationId, c.id));
      expect(events.at(-1)).toMatchObject({ action: 'startReview', fromStatus: 'accepted', toStatus: 'online_review' });
    }
    // the applicant and the unit see 网上评选中, nothing more
    const detail = json<{ statusLabel: string }>(await w.uc.get(`/api/applications/${w.cands[0]!.id}`));
    expect(detail.statusLabel).toBe('网上评选中');
    // a second confirm adds nothing (everyone already has k) and moves nothing
    const again = json<PlanReply>(await w.oc.post(`/api/review/campaigns/${w.campaignId}/plan/confirm`, { mode: 'balanced', k: 2, L: 3 }));
    expect(again).toMatchObject({ ok: true, added: 0, moved: 0 });
    expect(await assignmentsOf(w.campaignId)).toHaveLength(6);
  });

  it('an expert sees exactly their candidates, the whole 申请书 with 推荐单位意见 and 初评; anything else is 404', async () => {
    const rows = await assignmentsOf(w.campaignId);
    const mine = rows.filter((r) => r.expertId === w.e1.id).map((r) => r.applicationId);
    const list = json<ReviewListReply>(await w.e1.client.get('/api/review/mine'));
    expect(list.items.map((i) => i.applicationId).sort()).toEqual([...mine].sort());
    expect(list.items.every((i) => i.state === 'todo' && i.stateLabel === '未评')).toBe(true);
    expect(list.window?.open).toBe(true);
    expect(Date.parse(list.window!.closesAt)).toBeGreaterThan(Date.now());

    const id = w.cands[2]!.id; // e1 reviews candidate 3
    const d = await w.e1.client.get(`/api/applications/${id}`);
    expect(d.statusCode).toBe(200);
    const body = json<{
      opinions: { recommend: string | null; org: string | null };
      preliminary: { result: string } | null;
      attachments: { id: string; kind: string; hasPreview: boolean }[];
      form: { idNumber?: string };
    }>(d);
    expect(body.opinions.recommend).toBe('同意推荐。');
    expect(body.opinions.org).toBeNull();
    expect(body.preliminary).toMatchObject({ result: 'pass' });
    expect(body.form.idNumber).toMatch(/\*/); // masked
    const photo = body.attachments.find((a) => a.kind === 'photo')!;
    const scan = body.attachments.find((a) => a.kind === 'recommend_report')!;
    expect((await w.e1.client.get(`/api/attachments/${photo.id}`)).statusCode).toBe(200);
    expect((await w.e1.client.get(`/api/attachments/${scan.id}`)).statusCode).toBe(200);
    if (photo.hasPreview) expect((await w.e1.client.get(`/api/attachments/${photo.id}/preview`)).statusCode).toBe(200);

    // e3 is candidate 3 himself, e4 works at the recommending unit: neither is assigned; every URL 404
    for (const other of [w.e3, w.e4]) {
      const urls = [
        `/api/applications/${id}`,
        `/api/applications/${id}/history`,
        `/api/attachments/${photo.id}`,
        `/api/attachments/${photo.id}/preview`,
        `/api/attachments/${scan.id}`,
        `/api/review/applications/${id}/sheet`,
      ];
      for (const url of urls) expect({ url, status: (await other.client.get(url)).statusCode }).toEqual({ url, status: 404 });
      expect((await other.client.put(`/api/review/applications/${id}/sheet`, FULL)).statusCode).toBe(404);
      expect((await other.client.post(`/api/review/applications/${id}/sheet/submit`, FULL)).statusCode).toBe(404);
      expect((await other.client.post(`/api/review/applications/${id}/recusal`, { reason: '想看看' })).statusCode).toBe(404);
      expect(await sheetsOf(id)).toHaveLength(0);
      expect(json<ReviewListReply>(await other.client.get('/api/review/mine')).items.map((i) => i.applicationId)).not.toContain(id);
    }
    // the expert's own candidate: 流程情况 is not theirs either
    expect((await w.e1.client.get(`/api/applications/${id}/history`)).statusCode).toBe(404);
    // experts do not reach the organizer's or the units' lists
    expect((await w.e1.client.get('/api/applications')).statusCode).toBe(403);
    expect((await w.e1.client.get(`/api/review/campaigns/${w.campaignId}/progress`)).statusCode).toBe(403);
  });

  it('validates a sheet against the 评分标准, naming the criterion; nothing stored on a refusal', async () => {
    const id = w.cands[2]!.id;
    const url = `/api/review/applications/${id}/sheet`;
    const cases: [unknown, string][] = [
      [{ scores: { achievement: 50.5 } }, '业绩突出的分数须在0到50之间'],
      [{ scores: { story: -1 } }, '事迹感人的分数须在0到30之间'],
      [{ scores: { typical: 10.25 } }, '典型性与代表性的分数最多保留一位小数'],
      [{ scores: { achievement: '四十' } }, '业绩突出的分数须为数字'],
      [{ scores: { bogus: 1 } }, '评分标准中没有评分项「bogus」'],
      [{ gates: { political: 'yes' } }, '政治过硬只能选择是或否'],
      [{ scores: { political: 1 } }, '「政治过硬」是是否项'],
      [{ comment: '评'.repeat(501) }, '评语不能超过500字'],
      [{ scores: {}, extra: 1 }, '不认识的字段：extra'],
      [{}, '请填写评分后再保存'],
    ];
    for (const [body, message] of cases) {
      const res = await w.e1.client.put(url, body as Record<string, unknown>);
      expect({ body, status: res.statusCode }).toEqual({ body, status: 400 });
      expect(errorOf(res).message).toContain(message);
    }
    expect(await sheetsOf(id)).toHaveLength(0);
  });

  it('保存 (partial allowed), then 提交 (complete, total computed), then locked: 409 and the row unchanged', async () => {
    const id = w.cands[2]!.id;
    const url = `/api/review/applications/${id}/sheet`;
    const empty = json<SheetReply>(await w.e1.client.get(url));
    expect(empty).toMatchObject({ sheetId: null, state: 'todo', total: null });
    expect(empty.rubric.criteria.map((c) => c.name)).toEqual(['政治过硬', '业绩突出', '事迹感人', '典型性与代表性']);

    let sheet = json<SheetReply>(await w.e1.client.put(url, { scores: { achievement: 40 } }));
    expect(sheet).toMatchObject({ state: 'saved', stateLabel: '已保存', total: 40, scores: { achievement: 40, story: null, typical: null } });
    const sheetId = sheet.sheetId!;
    sheet = json<SheetReply>(await w.e1.client.put(url, { scores: { achievement: 41.5, story: 20 }, gates: { political: true } }));
    expect(sheet.total).toBe(61.5);
    let changes = await changesOf(sheetId);
    expect(changes.map((c) => c.action)).toEqual(['save', 'save']);
    expect(changes[0]).toMatchObject({ actorId: w.e1.id, actorRole: 'expert', oldValue: null });
    expect(changes[1]!.oldValue).toMatchObject({ scores: { achievement: 40 }, total: 40 });
    expect(changes[1]!.newValue).toMatchObject({ scores: { achievement: 41.5, story: 20 }, total: 61.5 });

    // incomplete 提交: names what is missing; nothing changed
    const before = await sheetRow(id, w.e1.id);
    const incomplete = await w.e1.client.post(`${url}/submit`, {});
    expect(incomplete.statusCode).toBe(400);
    expect(errorOf(incomplete).message).toContain('请填写典型性与代表性的分数');
    expect(await sheetRow(id, w.e1.id)).toEqual(before);

    sheet = json<SheetReply>(await w.e1.client.post(`${url}/submit`, FULL));
    expect(sheet).toMatchObject({ state: 'submitted', stateLabel: '已提交', total: 91 });
    const row = await sheetRow(id, w.e1.id);
    expect(row).toMatchObject({ status: 'submitted', total: '91.0' });
    expect(row!.submittedAt).not.toBeNull();

    // locked: save and submit are 409, the row stays
    for (const res of [
      await w.e1.client.put(url, { scores: { achievement: 1 } }),
      await w.e1.client.post(`${url}/submit`, FULL),
      await w.e1.client.post(`${url}/submit`, {}),
    ]) {
      expect(res.statusCode).toBe(409);
      expect(errorOf(res).message).toContain('评分表已锁定');
    }
    expect(await sheetRow(id, w.e1.id)).toEqual(row);
    changes = await changesOf(sheetId);
    expect(changes.map((c) => c.action)).toEqual(['save', 'save', 'submit']);
    // one sheet per (expert, candidate), by the database
    await expect(t.s.db.insert(scoreSheets).values({ campaignId: w.campaignId, applicationId: id, expertId: w.e1.id })).rejects.toThrow();

    const list = json<ReviewListReply>(await w.e1.client.get('/api/review/mine'));
    expect(list.items.find((i) => i.applicationId === id)).toMatchObject({ state: 'submitted', total: 91 });
    expect(list.counts.submitted).toBe(1);
  });

  it('an expert never sees another expert’s sheet (404); the organizer reads it with its history', async () => {
    const id = w.cands[2]!.id;
    const sheetId = (await sheetRow(id, w.e1.id))!.id;
    // e2 also reviews candidate 3, e3 does not: both 404
    for (const other of [w.e2, w.e3]) {
      const res = await other.client.get(`/api/review/sheets/${sheetId}`);
      expect(res.statusCode).toBe(404);
      expect(res.body).not.toContain('45.5');
    }
    // e2's own sheet on candidate 3 is theirs alone: empty
    expect(json<SheetReply>(await w.e2.client.get(`/api/review/applications/${id}/sheet`))).toMatchObject({ sheetId: null, scores: {} });
    expect(json<SheetDetail>(await w.e1.client.get(`/api/review/sheets/${sheetId}`)).total).toBe(91);
    const detail = json<SheetDetail>(await w.oc.get(`/api/review/sheets/${sheetId}`));
    expect(detail).toMatchObject({ expertName: '专家甲', state: 'submitted', total: 91 });
    expect(detail.changes.map((c) => c.actionLabel)).toEqual(['保存', '保存', '提交']);
    // applicant, unit, anonymous
    expect((await w.ac.get(`/api/review/sheets/${sheetId}`)).statusCode).toBe(403);
    expect((await w.uc.get(`/api/review/sheets/${sheetId}`)).statusCode).toBe(403);
    expect((await new Client(t.app).get(`/api/review/sheets/${sheetId}`)).statusCode).toBe(401);
  });

  it('申报回避: the candidate leaves the expert’s list and every URL, the organizer is told and sees the shortfall, then reassigns', async () => {
    const id = w.cands[2]!.id; // e2 and e1 review it; e1 submitted
    const url = `/api/review/applications/${id}/recusal`;
    expect((await w.e2.client.put(`/api/review/applications/${id}/sheet`, { scores: { story: 10 } })).statusCode).toBe(200);
    const short = await w.e2.client.post(url, { reason: '' });
    expect(short.statusCode).toBe(400);
    expect(errorOf(short).message).toContain('请填写回避理由');
    // e1 has submitted: refused
    const late = await w.e1.client.post(url, { reason: '与候选人为同一课题组成员' });
    expect(late.statusCode).toBe(409);
    expect(await t.s.db.select().from(reviewConflicts).where(eq(reviewConflicts.applicationId, id))).toHaveLength(0);

    const res = await w.e2.client.post(url, { reason: '与候选人为同一课题组成员' });
    expect(res.statusCode).toBe(200);
    expect(json<ReviewListReply>(res).items.map((i) => i.applicationId)).not.toContain(id);
    expect((await w.e2.client.get(`/api/applications/${id}`)).statusCode).toBe(404);
    expect((await w.e2.client.get(`/api/review/applications/${id}/sheet`)).statusCode).toBe(404);
    expect((await w.e2.client.put(`/api/review/applications/${id}/sheet`, { scores: { story: 11 } })).statusCode).toBe(404);
    // the saved draft is kept as it was, hidden, never counted
    expect(await sheetRow(id, w.e2.id)).toMatchObject({ status: 'saved', scores: { story: 10 } });
    const told = await t.s.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.role, 'organizer'), eq(notifications.applicationId, id)));
    expect(told.at(-1)!.body).toContain('申报回避');
    expect(told.at(-1)!.body).toContain('少于每人至少2份');

    const list = json<AssignmentsReply>(await w.oc.get(`/api/review/campaigns/${w.campaignId}/assignments`));
    const c3 = list.candidates.find((c) => c.applicationId === id)!;
    expect(c3.valid).toBe(1);
    expect(c3.shortfall).toContain('还差1份');
    expect(c3.experts.find((e) => e.expertId === w.e2.id)!.recusal).toContain('同一课题组');
    // each assignment names its sheet (退回重评 needs it): e1's submitted one, e2's hidden draft none
    expect(c3.experts.find((e) => e.expertId === w.e1.id)).toMatchObject({ state: 'submitted', sheetId: (await sheetRow(id, w.e1.id))!.id });

    // reassign: e4 (同单位) and e3 (本人) are refused with the reason; the row count stays
    for (const [expert, reason] of [
      [w.e4, '同单位'],
      [w.e3, '本人'],
    ] as const) {
      const bad = await w.oc.post(`/api/review/campaigns/${w.campaignId}/assignments`, { applicationId: id, expertId: expert.id });
      expect(bad.statusCode).toBe(409);
      expect(errorOf(bad).message).toContain(reason === '本人' ? '候选人本人' : '推荐单位相同');
    }
    expect(await assignmentsOf(w.campaignId)).toHaveLength(6);
    const e5 = await expertWithProfile(t, { name: '专家戊' });
    const added = await w.oc.post(`/api/review/campaigns/${w.campaignId}/assignments`, { applicationId: id, expertId: e5.id });
    expect(added.statusCode).toBe(200);
    expect(json<AssignmentsReply>(added).candidates.find((c) => c.applicationId === id)).toMatchObject({ valid: 2, shortfall: null });
    expect(json<ReviewListReply>(await e5.client.get('/api/review/mine')).items.map((i) => i.applicationId)).toEqual([id]);
    // removing one with a submitted sheet is refused; without one it works and the expert loses the candidate
    const keep = await w.oc.post(`/api/review/campaigns/${w.campaignId}/assignments/remove`, { applicationId: id, expertId: w.e1.id });
    expect(keep.statusCode).toBe(409);
    expect(errorOf(keep).message).toContain('已提交');
    expect(await assignmentsOf(w.campaignId)).toHaveLength(7);
    expect((await w.oc.post(`/api/review/campaigns/${w.campaignId}/assignments/remove`, { applicationId: id, expertId: e5.id })).statusCode).toBe(200);
    expect((await e5.client.get(`/api/applications/${id}`)).statusCode).toBe(404);
    expect((await w.oc.post(`/api/review/campaigns/${w.campaignId}/assignments`, { applicationId: id, expertId: e5.id })).statusCode).toBe(200);
  });

  it('progress per expert and per candidate; 催办 reaches only experts with unfinished sheets, in-app and by SMS', async () => {
    const p = json<ProgressReply>(await w.oc.get(`/api/review/campaigns/${w.campaignId}/progress`));
    const e1 = p.experts.find((e) => e.id === w.e1.id)!;
    expect(e1).toMatchObject({ assigned: expect.any(Number), submitted: 1 });
    expect(e1.lastActivity).not.toBeNull();
    expect(p.experts.find((e) => e.id === w.e2.id)!.lastActivity).not.toBeNull();
    const c3 = p.candidates.find((c) => c.applicationId === w.cands[2]!.id)!;
    expect(c3).toMatchObject({ required: 2, submitted: 1 });

    // e1 finishes everything; then 催办 reaches the others only
    for (const a of (await assignmentsOf(w.campaignId)).filter((r) => r.expertId === w.e1.id && r.applicationId !== w.cands[2]!.id)) {
      expect((await w.e1.client.post(`/api/review/applications/${a.applicationId}/sheet/submit`, FULL)).statusCode).toBe(200);
    }
    const before = (await t.s.db.select().from(outbox)).length;
    const res = await w.oc.post(`/api/review/campaigns/${w.campaignId}/reminders`);
    expect(res.statusCode).toBe(200);
    const n = json<{ experts: number; message: string }>(res).experts;
    expect(n).toBeGreaterThan(0);
    const texts = (await t.s.db.select().from(outbox)).slice(before);
    expect(texts).toHaveLength(n);
    expect(texts.every((m) => m.body.includes('网上评选将于') && m.userId !== w.e1.id)).toBe(true);
    expect(texts.some((m) => m.userId === w.e2.id)).toBe(true);
    const inApp = await t.s.db.select().from(notifications).where(eq(notifications.userId, w.e2.id));
    expect(inApp.some((m) => m.body.includes('评分未提交'))).toBe(true);
    expect((await t.s.db.select().from(notifications).where(eq(notifications.userId, w.e1.id))).some((m) => m.body.includes('评分未提交'))).toBe(false);
    const rem = await t.s.db.select().from(reviewReminders).where(eq(reviewReminders.campaignId, w.campaignId));
    expect(rem).toMatchObject([{ kind: 'manual', experts: n }]);
    // the expert cannot send one
    expect((await w.e2.client.post(`/api/review/campaigns/${w.campaignId}/reminders`)).statusCode).toBe(403);
  });

  it('automatic 催办: within remindHours of the close, once per window however often the sweep runs', async () => {
    const [c] = await t.s.db.select().from(campaigns).where(eq(campaigns.id, w.campaignId));
    const end = (c!.settings as { windows: { online: { end: string } } }).windows.online.end;
    const close = Date.parse(`${end}T00:00:00+08:00`) + 86_400_000;
    expect(await autoRemind(t.s, new Date(close - 30 * 3_600_000))).toBe(0); // 30 h before: not yet (24 h default)
    const before = (await t.s.db.select().from(outbox)).length;
    // two instances' sweeps: one review-auto-remind job between them (its dedupe key), run once
    const [a, b] = await Promise.all([autoRemind(t.s, new Date(close - 3_600_000)), autoRemind(t.s, new Date(close - 1_800_000))]);
    expect([a, b]).toEqual([1, 1]);
    expect((await t.s.db.select().from(jobs).where(eq(jobs.kind, REMIND_JOB))).length).toBe(1);
    await runJobsUntilIdle(t.s); // (the app's runner may have taken it already)
    await vi.waitFor(async () => expect((await t.s.db.select().from(jobs).where(eq(jobs.kind, REMIND_JOB)))[0]!.status).toBe('done'));
    expect(await autoRemind(t.s, new Date(close - 600_000))).toBe(0);
    const auto = (await t.s.db.select().from(reviewReminders).where(eq(reviewReminders.campaignId, w.campaignId))).filter((r) => r.kind === 'auto');
    expect(auto).toHaveLength(1);
    expect(auto[0]!.dedupeKey).toBe(`auto:${end}`);
    expect((await t.s.db.select().from(outbox)).length - before).toBe(auto[0]!.experts);
    expect(await autoRemind(t.s, new Date(close + 1000))).toBe(0); // closed
  });

  it('退回重评: a submitted sheet back to 已保存 with a reason; history kept; the expert told; then submitted again', async () => {
    const id = w.cands[2]!.id;
    const sheetId = (await sheetRow(id, w.e1.id))!.id;
    const url = `/api/review/sheets/${sheetId}/reopen`;
    const noReason = await w.oc.post(url, {});
    expect(noReason.statusCode).toBe(400);
    expect(errorOf(noReason).message).toContain('退回重评理由');
    expect((await w.e1.client.post(url, { reason: '自己退回' })).statusCode).toBe(403);
    expect((await sheetRow(id, w.e1.id))!.status).toBe('submitted');

    const before = (await t.s.db.select().from(outbox)).length;
    const res = await w.oc.post(url, { reason: '业绩突出评分与评语不一致，请复核' });
    expect(res.statusCode).toBe(200);
    const d = json<SheetDetail>(res);
    expect(d).toMatchObject({ state: 'saved', total: 91, submittedAt: null });
    expect(d.changes.at(-1)).toMatchObject({ action: 'reopen', actionLabel: '退回重评', reason: '业绩突出评分与评语不一致，请复核', actorName: '自治区科协' });
    const sms = (await t.s.db.select().from(outbox)).slice(before);
    expect(sms.map((m) => m.userId)).toEqual([w.e1.id]);
    expect(sms[0]!.body).toContain('请复核');
    // a sheet not submitted: 409
    const again = await w.oc.post(url, { reason: '再退一次' });
    expect(again.statusCode).toBe(409);
    // the expert sees the reason, corrects and submits again
    const mine = json<SheetReply>(await w.e1.client.get(`/api/review/applications/${id}/sheet`));
    expect(mine).toMatchObject({ state: 'saved', reopenReason: '业绩突出评分与评语不一致，请复核' });
    const resubmitted = json<SheetReply>(
      await w.e1.client.post(`/api/review/applications/${id}/sheet/submit`, { ...FULL, scores: { ...FULL.scores, achievement: 40 } }),
    );
    expect(resubmitted).toMatchObject({ state: 'submitted', total: 85.5, reopenReason: null });
    expect((await changesOf(sheetId)).map((c) => c.action)).toEqual(['save', 'save', 'submit', 'reopen', 'submit']);
  });

  it('outside the 网上评选 window: saving and submitting are refused naming the window; the row unchanged', async () => {
    const id = w.cands[0]!.id;
    const expert = (await assignmentsOf(w.campaignId)).find((r) => r.applicationId === id && r.expertId !== w.e1.id)!;
    const client = [w.e2, w.e3].find((e) => e.id === expert.expertId)!.client;
    const row = await sheetRow(id, expert.expertId);
    await setReviewWindow(t, { start: '2023-05-01', end: '2023-05-20' });
    for (const res of [
      await client.put(`/api/review/applications/${id}/sheet`, { scores: { achievement: 30 } }),
      await client.post(`/api/review/applications/${id}/sheet/submit`, FULL),
    ]) {
      expect(res.statusCode).toBe(403);
      expect(errorOf(res).message).toContain('网上评选时间为 2023-05-01 至 2023-05-20');
    }
    expect(await sheetRow(id, expert.expertId)).toEqual(row);
    // the sheet and the list still open, with the window shown closed
    expect(json<SheetReply>(await client.get(`/api/review/applications/${id}/sheet`)).window.open).toBe(false);
    await setReviewWindow(t);
  });

  it('the 评分标准 is locked once a sheet is saved; 重置评审 (recorded) empties the sheets and unlocks it', async () => {
    const campaignUrl = `/api/admin/campaigns/${w.campaignId}`;
    const current = json<{ settings: { review: { rubric: { criteria: { key: string; maxScore: number }[] }; remindHours: number } } }>(
      await w.oc.get(campaignUrl),
    );
    const changed = structuredClone(current.settings);
    changed.review.rubric.criteria.find((c) => c.key === 'achievement')!.maxScore = 40;
    changed.review.rubric.criteria.find((c) => c.key === 'story')!.maxScore = 40;
    const [before] = await t.s.db.select().from(campaigns).where(eq(campaigns.id, w.campaignId));
    const locked = await w.oc.put(campaignUrl, { settings: changed });
    expect(locked.statusCode).toBe(409);
    expect(errorOf(locked).message).toContain('评分标准已锁定');
    expect((await t.s.db.select().from(campaigns).where(eq(campaigns.id, w.campaignId)))[0]).toEqual(before);
    // other settings still change
    const other = structuredClone(current.settings);
    other.review.remindHours = 48;
    expect((await w.oc.put(campaignUrl, { settings: other })).statusCode).toBe(200);
    // an invalid rubric is refused by the schema, naming the sum
    const bad = structuredClone(current.settings);
    bad.review.rubric.criteria.find((c) => c.key === 'story')!.maxScore = 10;
    const invalid = await w.oc.put(campaignUrl, { settings: bad });
    expect(invalid.statusCode).toBe(400);
    expect(errorOf(invalid).message).toContain('满分之和应为100分');

    // 重置评审: a reason required; the expert may not
    expect((await w.oc.post(`/api/review/campaigns/${w.campaignId}/reset`, {})).statusCode).toBe(400);
    expect((await w.e1.client.post(`/api/review/campaigns/${w.campaignId}/reset`, { reason: '想重来' })).statusCode).toBe(403);
    const live = (await t.s.db.select().from(scoreSheets).where(eq(scoreSheets.campaignId, w.campaignId))).filter((x) => x.status !== 'reset');
    const reset = await w.oc.post(`/api/review/campaigns/${w.campaignId}/reset`, { reason: '评分标准调整' });
    expect(reset.statusCode).toBe(200);
    expect(json<{ sheets: number }>(reset).sheets).toBe(live.length);
    for (const x of live) {
      const row = (await t.s.db.select().from(scoreSheets).where(eq(scoreSheets.id, x.id)))[0]!;
      expect(row).toMatchObject({ status: 'reset', scores: {}, total: null });
      const last = (await changesOf(x.id)).at(-1)!;
      expect(last).toMatchObject({ action: 'reset', reason: '评分标准调整' });
      expect(last.oldValue).toMatchObject({ status: x.status, scores: x.scores });
    }
    const list = json<ReviewListReply>(await w.e1.client.get('/api/review/mine'));
    expect(list.items.every((i) => i.state === 'todo' && i.total === null)).toBe(true);
    // now the rubric changes, and the expert scores against the new one
    expect((await w.oc.put(campaignUrl, { settings: changed })).statusCode).toBe(200);
    const id = w.cands[2]!.id;
    const over = await w.e1.client.put(`/api/review/applications/${id}/sheet`, { scores: { achievement: 45 } });
    expect(over.statusCode).toBe(400);
    expect(errorOf(over).message).toContain('业绩突出的分数须在0到40之间');
    expect(json<SheetReply>(await w.e1.client.put(`/api/review/applications/${id}/sheet`, { scores: { achievement: 39.9 } }))).toMatchObject({
      state: 'saved',
      total: 39.9,
    });
  });
});

describe('the review routes’ permission matrix', () => {
  it('anonymous: 401; applicant and unit: 403 on every review route; ids of nothing: 404 (experts: see the flow above)', async () => {
    const applicant = await buildApplicant(t.s);
    const org = await buildOrganizer(t.s);
    const ac = new Client(t.app);
    await ac.login(applicant.username, applicant.password);
    const oc = new Client(t.app);
    await oc.login(org.username, org.password);
    const unit = await buildUnit(t.s);
    const uc = new Client(t.app);
    await uc.login(unit.username, unit.password);
    const anon = new Client(t.app);
    const cid = '00000000-0000-4000-8000-000000000001';
    const routes: ['GET' | 'POST' | 'PUT', string][] = [
      ['POST', `/api/review/campaigns/${cid}/plan/preview`],
      ['POST', `/api/review/campaigns/${cid}/plan/confirm`],
      ['GET', `/api/review/campaigns/${cid}/assignments`],
      ['POST', `/api/review/campaigns/${cid}/assignments`],
      ['POST', `/api/review/campaigns/${cid}/assignments/remove`],
      ['GET', `/api/review/campaigns/${cid}/progress`],
      ['POST', `/api/review/campaigns/${cid}/reminders`],
      ['POST', `/api/review/campaigns/${cid}/reset`],
      ['POST', `/api/review/sheets/${cid}/reopen`],
      ['GET', `/api/review/sheets/${cid}`],
      ['GET', '/api/review/mine'],
      ['GET', `/api/review/applications/${cid}/sheet`],
      ['PUT', `/api/review/applications/${cid}/sheet`],
      ['POST', `/api/review/applications/${cid}/sheet/submit`],
      ['POST', `/api/review/applications/${cid}/recusal`],
    ];
    for (const [method, url] of routes) {
      expect({ url, anon: (await anon.request(method, url, {})).statusCode }).toEqual({ url, anon: 401 });
      expect({ url, applicant: (await ac.request(method, url, {})).statusCode }).toEqual({ url, applicant: 403 });
      expect({ url, unit: (await uc.request(method, url, {})).statusCode }).toEqual({ url, unit: 403 });
    }
    // the organizer on a campaign or sheet that does not exist: 404
    expect((await oc.get(`/api/review/campaigns/${cid}/progress`)).statusCode).toBe(404);
    expect((await oc.get(`/api/review/sheets/${cid}`)).statusCode).toBe(404);
    expect((await oc.post(`/api/review/sheets/${cid}/reopen`, { reason: '测试理由' })).statusCode).toBe(404);
  });
});

describe('whole-group assignment (评审组)', () => {
  it('each enabled member of a group reviews every candidate of its 推荐领域, except 回避; candidates below k are named', async () => {
    const w = await world();
    const field = (await t.s.db.select().from(applications).where(eq(applications.id, w.cands[0]!.id)))[0]!.form as { field: string };
    const [g] = await t.s.db
      .insert(expertGroups)
      .values({ campaignId: w.campaignId, name: `评审组${Date.now()}`, field: field.field })
      .returning();
    const [other] = await t.s.db
      .insert(expertGroups)
      .values({ campaignId: w.campaignId, name: `空组${Date.now()}`, field: '人民生命健康' })
      .returning();
    await t.s.db.insert(expertGroupMembers).values([w.e1, w.e2, w.e3, w.e4].map((e) => ({ groupId: g!.id, expertId: e.id })));
    // the campaign holds the first world's candidates too: this plan is for these three
    const mine = w.cands.map((c) => c.id);
    const body = { mode: 'groups', k: 3, groupIds: [g!.id, other!.id], candidateIds: mine };
    const plan = json<PlanReply>(await w.oc.post(`/api/review/campaigns/${w.campaignId}/plan/preview`, body));
    expect(plan.ok).toBe(true);
    const pairs = plan.assignments.map((a) => `${a.expertId}:${a.applicationId}`);
    for (const c of w.cands.slice(0, 2)) for (const e of [w.e1, w.e2, w.e3]) expect(pairs).toContain(`${e.id}:${c.id}`);
    expect(pairs).not.toContain(`${w.e3.id}:${w.cands[2]!.id}`); // 本人
    expect(pairs.some((p) => p.startsWith(`${w.e4.id}:`))).toBe(false); // 同单位
    expect(plan.belowK).toEqual([{ applicationId: w.cands[2]!.id, text: expect.stringContaining('还差1份') }]);
    const ours = async () => (await assignmentsOf(w.campaignId)).filter((r) => mine.includes(r.applicationId));
    expect(await ours()).toHaveLength(0);

    const confirmed = json<PlanReply>(await w.oc.post(`/api/review/campaigns/${w.campaignId}/plan/confirm`, body));
    expect(confirmed.moved).toBe(3);
    const rows = await ours();
    expect(rows).toHaveLength(8);
    expect(rows.every((r) => r.groupId === g!.id)).toBe(true);
    // a group id of nothing: refused, nothing more stored
    const total = (await assignmentsOf(w.campaignId)).length;
    const bad = await w.oc.post(`/api/review/campaigns/${w.campaignId}/plan/confirm`, { mode: 'groups', groupIds: ['00000000-0000-4000-8000-000000000009'] });
    expect(bad.statusCode).toBe(400);
    expect(errorOf(bad).message).toContain('评审组');
    expect(await assignmentsOf(w.campaignId)).toHaveLength(total);
  });
});
