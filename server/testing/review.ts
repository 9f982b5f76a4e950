// Test helpers of 网上评选 (issue 13, 7.–10.): accepted candidates, experts with a profile, the review window.
import { eq } from 'drizzle-orm';
import { normaliseOrgName } from '../../core/review';
import { applications, campaigns, expertProfiles, users } from '../db/schema';
import { currentCampaign } from '../usecases/campaigns';
import { buildExpert } from './factories';
import { Client, type startTestPlatform } from './harness';
import { forwarded, parties } from './journey';

type T = Awaited<ReturnType<typeof startTestPlatform>>;

/** A 评审专家 with a profile (工作单位, 专业领域) and a 手机, logged in. */
export async function expertWithProfile(t: T, opts: { name?: string; workUnit?: string; mobile?: string | null; field?: string } = {}) {
  const e = await buildExpert(t.s);
  const workUnit = opts.workUnit ?? `新疆测试研究院${Math.floor(Math.random() * 1e9)}`;
  await t.s.db
    .update(users)
    .set({
      realName: opts.name ?? e.user.realName,
      mobile: opts.mobile === undefined ? `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}` : opts.mobile,
    })
    .where(eq(users.id, e.user.id));
  await t.s.db
    .insert(expertProfiles)
    .values({ userId: e.user.id, workUnit, workUnitNorm: normaliseOrgName(workUnit), field: opts.field ?? '前沿领域和基础研究' });
  const client = new Client(t.app);
  await client.login(e.username, e.password);
  return { ...e, id: e.user.id, client, workUnit };
}

/**
 * `n` candidates of one unit forwarded and 受理 by the organizer (status 已受理), each given its own 手机 and 单位名称
 * (the demo form gives them all the same), and distinct names 候选人1…n.
 */
export async function acceptedCandidates(t: T, parties: { uc: Client; oc: Client; unitId: string }, n: number) {
  const out: { id: string; number: string; mobile: string; workUnit: string; name: string }[] = [];
  for (let i = 0; i < n; i++) {
    const f = await forwarded(t, parties.uc, parties.unitId);
    const res = await parties.oc.post(`/api/applications/${f.id}/transitions/accept`);
    if (res.statusCode !== 200) throw new Error(res.body);
    const mobile = `1370000${String(Math.floor(Math.random() * 1e4)).padStart(4, '0')}`;
    const workUnit = `候选人工作单位${i}_${Math.floor(Math.random() * 1e6)}`;
    const name = `候选人${i + 1}`;
    await t.s.db.update(applications).set({ mobile, workUnit, applicantName: name }).where(eq(applications.id, f.id));
    out.push({ id: f.id, number: f.number, mobile, workUnit, name });
  }
  return out;
}

/** Sets the current campaign's 网上评选 window (whole days, Beijing time); open today by default. */
export async function setReviewWindow(t: T, window?: { start: string; end: string }) {
  const c = await currentCampaign(t.s.db);
  const day = (offset: number) => new Date(Date.now() + 8 * 3_600_000 + offset * 86_400_000).toISOString().slice(0, 10);
  const settings = { ...c.settings, windows: { ...c.settings.windows, online: window ?? { start: day(-1), end: day(10) } } };
  await t.s.db.update(campaigns).set({ settings }).where(eq(campaigns.id, c.id));
  return c.id;
}

/** The campaign's 网上评选 counts: k reviews per candidate, at most L per expert. */
export async function setReviewCounts(t: T, campaignId: string, k: number, L: number) {
  const [c] = await t.s.db.select().from(campaigns).where(eq(campaigns.id, campaignId));
  const settings = c!.settings as { review: Record<string, unknown> };
  await t.s.db
    .update(campaigns)
    .set({ settings: { ...settings, review: { ...settings.review, k, L } } })
    .where(eq(campaigns.id, campaignId));
}

/**
 * A 网上评选 under way: one unit's three accepted candidates, three experts (专家甲/乙/丙; k 2, L 3), all assigned by a
 * confirmed balanced plan (two each): six assignments, every candidate 网上评选中.
 */
export async function assignedReview(t: T) {
  const p = await parties(t);
  const campaignId = await setReviewWindow(t);
  await setReviewCounts(t, campaignId, 2, 3);
  const cands = await acceptedCandidates(t, { uc: p.uc, oc: p.oc, unitId: p.unit.unit.id }, 3);
  const e1 = { ...(await expertWithProfile(t, { name: '专家甲' })), name: '专家甲' };
  const e2 = { ...(await expertWithProfile(t, { name: '专家乙' })), name: '专家乙' };
  const e3 = { ...(await expertWithProfile(t, { name: '专家丙' })), name: '专家丙' };
  const body = { mode: 'balanced', k: 2, L: 2, candidateIds: cands.map((x) => x.id), expertIds: [e1.id, e2.id, e3.id] };
  const res = await p.oc.post(`/api/review/campaigns/${campaignId}/plan/confirm`, body);
  if (res.statusCode !== 200) throw new Error(res.body);
  return { ...p, campaignId, cands, e1, e2, e3 };
}
