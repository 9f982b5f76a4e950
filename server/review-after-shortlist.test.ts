// Issue 14 (helper E's note, confirmed): once the 入围名单 is built, every candidate still 网上评选中 moves on to 评审中.
// 网上评选管理 then shows the review's final progress, read-only: the progress still lists them with their figures;
// 调整分配 no longer lists them nor takes an assignment for them; 催办 reminds nobody of a sheet of a review that is
// over; 重置评审 is refused and empties nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { AssignmentsReply, ProgressReply } from '../core/review';
import { applications, notifications, reviewAssignments, scoreSheets } from './db/schema';
import { startTestPlatform } from './testing/harness';
import { assignedReview, setReviewWindow } from './testing/review';

let t: Awaited<ReturnType<typeof startTestPlatform>>;
beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(async () => t?.close());

const FULL = { scores: { achievement: 45.5, story: 27.3, typical: 18.2 }, gates: { political: true }, comment: '事迹突出。' };
const day = (offset: number) => new Date(Date.now() + 8 * 3_600_000 + offset * 86_400_000).toISOString().slice(0, 10);

describe('网上评选管理 after the 入围名单 is built', () => {
  let w: Awaited<ReturnType<typeof assignedReview>>;
  let base: string;
  let unsubmitted: { expertId: string; applicationId: string };
  beforeAll(async () => {
    w = await assignedReview(t);
    base = `/api/review/campaigns/${w.campaignId}`;
    // every sheet submitted but one, which 专家丙 only saves
    const rows = await t.s.db.select().from(reviewAssignments).where(eq(reviewAssignments.campaignId, w.campaignId));
    const experts = [w.e1, w.e2, w.e3];
    const mine = rows.filter((r) => r.expertId === w.e3.id);
    unsubmitted = { expertId: w.e3.id, applicationId: mine[mine.length - 1]!.applicationId };
    for (const r of rows) {
      const expert = experts.find((e) => e.id === r.expertId)!;
      const last = r.expertId === unsubmitted.expertId && r.applicationId === unsubmitted.applicationId;
      const res = last
        ? await expert.client.put(`/api/review/applications/${r.applicationId}/sheet`, FULL)
        : await expert.client.post(`/api/review/applications/${r.applicationId}/sheet/submit`, FULL);
      if (res.statusCode !== 200) throw new Error(res.body);
    }
  });

  it('before: the three candidates 网上评选中, 5 of 6 sheets submitted, 催办 reminds 专家丙', async () => {
    const p = (await w.oc.get(`${base}/progress`)).json() as ProgressReply;
    expect(p.candidates.map((c) => c.applicantName)).toEqual(['候选人1', '候选人2', '候选人3']);
    expect(p.candidates.reduce((n, c) => n + c.submitted, 0)).toBe(5);
    expect(p.candidates.every((c) => c.required === 2)).toBe(true);
    const a = (await w.oc.get(`${base}/assignments`)).json() as AssignmentsReply;
    expect(a.candidates).toHaveLength(3);
  });

  it('after: the final progress is still shown; the candidates are out of 调整分配; 催办 and 重置评审 do nothing', async () => {
    await setReviewWindow(t, { start: day(-10), end: day(-2) });
    const progressBefore = (await w.oc.get(`${base}/progress`)).json() as ProgressReply;
    const built = await w.oc.post(`/api/selection/campaigns/${w.campaignId}/shortlist/build`, {});
    expect(built.statusCode, built.body).toBe(200);
    const statuses = await t.s.db.select({ status: applications.status }).from(applications).where(eq(applications.campaignId, w.campaignId));
    expect(statuses.map((x) => x.status)).toEqual(['final_review', 'final_review', 'final_review']);

    // the progress: the same candidates and figures as before the build (read-only: nothing moves them any more)
    const after = (await w.oc.get(`${base}/progress`)).json() as ProgressReply;
    expect(after.candidates).toEqual(progressBefore.candidates);
    expect(after.experts.map((e) => [e.name, e.assigned, e.submitted])).toEqual(progressBefore.experts.map((e) => [e.name, e.assigned, e.submitted]));

    // 调整分配: no candidate to assign, and an assignment for one is refused with nothing written
    const a = (await w.oc.get(`${base}/assignments`)).json() as AssignmentsReply;
    expect(a.candidates).toHaveLength(0);
    const rowsBefore = await t.s.db.select().from(reviewAssignments).where(eq(reviewAssignments.campaignId, w.campaignId));
    const add = await w.oc.post(`${base}/assignments`, {
      applicationId: w.cands[0]!.id,
      expertId: rowsBefore.find((r) => r.applicationId !== w.cands[0]!.id)!.expertId,
    });
    expect(add.statusCode).toBeGreaterThanOrEqual(400);
    expect(await t.s.db.select().from(reviewAssignments).where(eq(reviewAssignments.campaignId, w.campaignId))).toHaveLength(rowsBefore.length);

    // 催办: 专家丙's saved sheet is of a candidate no longer 网上评选中: nobody is reminded
    const inbox = async () => (await t.s.db.select().from(notifications).where(eq(notifications.userId, w.e3.id))).length;
    const before = await inbox();
    const remind = await w.oc.post(`${base}/reminders`);
    expect(remind.statusCode, remind.body).toBe(200);
    expect(await inbox()).toBe(before);

    // 重置评审: refused, every sheet as it was
    const sheets = await t.s.db.select().from(scoreSheets).where(eq(scoreSheets.campaignId, w.campaignId)).orderBy(scoreSheets.id);
    const reset = await w.oc.post(`${base}/reset`, { reason: '评分标准有误' });
    expect(reset.statusCode).toBe(409);
    expect((reset.json() as { error: { message: string } }).error.message).toContain('入围名单已按网上评选结果生成');
    expect(await t.s.db.select().from(scoreSheets).where(eq(scoreSheets.campaignId, w.campaignId)).orderBy(scoreSheets.id)).toEqual(sheets);
    expect(sheets.filter((x) => x.status === 'submitted')).toHaveLength(5);
  });
});
