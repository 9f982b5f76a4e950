// 入围名单 (issue 14, 1.–2.) through HTTP: built from the ranking (top N, a tie at the boundary all in, 政治过硬 否 left
// out), 增补 / 移出 with a required reason, 基层一线, every change recorded; 重新生成 refused once the meeting's first round
// exists; every candidate of the review reads 评审中 to its applicant and unit, shortlisted or not, with nothing of
// the list in the status, the lists or 流程情况; only 自治区科协 may do any of it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { ShortlistReply } from '../core/selection/api';
import { applications, shortlistChanges, shortlistEntries } from './db/schema';
import { Client, json, startTestPlatform } from './testing/harness';
import { parties } from './testing/journey';
import { expertWithProfile } from './testing/review';
import { fakeClosedRound, patchSettings, reviewedCandidates, type MadeCandidate } from './testing/selection';

let t: Awaited<ReturnType<typeof startTestPlatform>>;
let p: Awaited<ReturnType<typeof parties>>;
let campaignId = '';
let c: MadeCandidate[] = [];
let unitClient: Client;
const base = () => `/api/selection/campaigns/${campaignId}/shortlist`;

beforeAll(async () => {
  t = await startTestPlatform();
  p = await parties(t);
  await patchSettings(t, (s) => ({ winners: 2, nationalRecommendees: 1, selection: { ...s.selection, shortlistSize: 0 } }));
  // ranks: 90 第1, 88 第2 (政治过硬 否), 85 第3, 80 第4, 75 并列第5 ×2, 70 第7, unscored none
  const made = await reviewedCandidates(t, [
    { total: 90 },
    { total: 88, politicalNo: true },
    { total: 85 },
    { total: 80 },
    { total: 75 },
    { total: 75 },
    { total: 70 },
  ]);
  campaignId = made.campaignId;
  c = made.candidates;
  unitClient = new Client(t.app);
  await unitClient.login(made.units[0]!.username, made.units[0]!.password);
}, 120_000);

afterAll(async () => {
  await t?.close();
});

const rows = async () => t.s.db.select().from(shortlistEntries).where(eq(shortlistEntries.campaignId, campaignId));
const changes = async () => t.s.db.select().from(shortlistChanges).where(eq(shortlistChanges.campaignId, campaignId));

describe('入围名单', () => {
  it('is refused to experts, units, applicants and the anonymous, with nothing written', async () => {
    const expert = await expertWithProfile(t);
    for (const client of [expert.client, unitClient, c[0]!.client, p.ac]) {
      expect((await client.post(`${base()}/build`)).statusCode).toBe(403);
      expect((await client.get(base())).statusCode).toBe(403);
    }
    expect((await new Client(t.app).get(base())).statusCode).toBe(401);
    expect(await rows()).toEqual([]);
    expect(await changes()).toEqual([]);
    const [app] = await t.s.db.select().from(applications).where(eq(applications.id, c[0]!.id));
    expect(app!.status).toBe('online_review');
  });

  it('takes the top N = 2 × winners, every candidate tied at the boundary, and leaves out 政治过硬 否', async () => {
    const res = await p.oc.post(`${base()}/build`);
    expect(res.statusCode, res.body).toBe(200);
    const list = json<ShortlistReply>(res);
    expect(list.size).toBe(4);
    expect(list.entries.map((e) => [e.name, e.rankLabel, e.origin])).toEqual([
      [c[0]!.name, '第1', 'ranking'],
      [c[2]!.name, '第3', 'ranking'],
      [c[3]!.name, '第4', 'ranking'],
      [c[4]!.name, '并列第5', 'ranking'],
      [c[5]!.name, '并列第5', 'ranking'],
    ]);
    expect(list.entries[0]!.online).toMatchObject({ rank: 1, tied: false, by: 'additive' });
    expect(list.outsiders.map((o) => [o.name, o.gateFailed])).toEqual([
      [c[1]!.name, true],
      [c[6]!.name, false],
    ]);
    expect(list.changes).toHaveLength(1);
    expect(list.changes[0]!.detail).toContain('其中1人因名次并列一并入围');
    expect(list.changes[0]!.detail).toContain(`${c[1]!.name}有专家认为未达到政治过硬要求`);
  });

  it('shows 评审中 to every candidate’s applicant and unit, shortlisted or not, and nothing of the list', async () => {
    for (const cand of [c[0]!, c[6]!, c[1]!]) {
      const detail = json<{ status: string; statusLabel: string }>(await cand.client.get(`/api/applications/${cand.id}`));
      expect([detail.status, detail.statusLabel]).toEqual(['final_review', '评审中']);
      const mine = json<{ statusLabel: string }[]>(await cand.client.get('/api/applications/mine'));
      expect(mine.map((m) => m.statusLabel)).toEqual(['评审中']);
      const history = await cand.client.get(`/api/applications/${cand.id}/history`);
      expect(history.statusCode).toBe(200);
      expect(history.body).toContain('网上评选结束');
      expect(history.body).not.toMatch(/入围|名次|排名|第\d/);
      const unitView = await unitClient.get(`/api/applications/${cand.id}`);
      expect(json<{ statusLabel: string }>(unitView).statusLabel).toBe('评审中');
    }
    const unitList = await unitClient.get('/api/applications?pageSize=50');
    expect(unitList.statusCode).toBe(200);
    expect(unitList.body).not.toMatch(/入围|网上评选中/);
  });

  it('adds and removes one candidate with a required reason, marks 基层一线, and records each change', async () => {
    const noReason = await p.oc.post(`${base()}/add`, { applicationId: c[1]!.id, reason: ' ' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.body).toContain('请填写增补理由');
    const twice = await p.oc.post(`${base()}/add`, { applicationId: c[0]!.id, reason: '重复增补' });
    expect(twice.statusCode).toBe(409);
    expect(twice.body).toContain('已在入围名单中');
    const added = await p.oc.post(`${base()}/add`, { applicationId: c[1]!.id, reason: '经核实，政治过硬评价系误填' });
    expect(added.statusCode, added.body).toBe(200);
    const list = json<ShortlistReply>(added);
    expect(list.entries.find((e) => e.applicationId === c[1]!.id)).toMatchObject({ origin: 'manual', rankLabel: '第2' });

    expect((await p.oc.post(`${base()}/remove`, { applicationId: c[5]!.id })).statusCode).toBe(400);
    const removed = await p.oc.post(`${base()}/remove`, { applicationId: c[5]!.id, reason: '本人申请退出' });
    expect(removed.statusCode, removed.body).toBe(200);
    expect(json<ShortlistReply>(removed).entries.map((e) => e.applicationId)).not.toContain(c[5]!.id);
    // 移出 does not tell the applicant anything either
    expect(json<{ statusLabel: string }>(await c[5]!.client.get(`/api/applications/${c[5]!.id}`)).statusLabel).toBe('评审中');

    const marked = await p.oc.put(`${base()}/frontline`, { applicationId: c[2]!.id, frontline: true });
    expect(marked.statusCode, marked.body).toBe(200);
    const after = json<ShortlistReply>(marked);
    expect(after.entries.find((e) => e.applicationId === c[2]!.id)!.frontline).toBe(true);
    expect(after.changes.map((x) => [x.actionLabel, x.name, x.reason])).toEqual([
      ['生成入围名单', null, null],
      ['增补', c[1]!.name, '经核实，政治过硬评价系误填'],
      ['移出', c[5]!.name, '本人申请退出'],
      ['标记基层一线', c[2]!.name, null],
    ]);
    expect((await changes()).map((x) => x.action)).toEqual(['build', 'add', 'remove', 'mark']);
  });

  it('refuses the units’ and applicants’ changes with the rows unchanged', async () => {
    const before = await rows();
    for (const client of [unitClient, c[0]!.client]) {
      expect((await client.post(`${base()}/remove`, { applicationId: c[0]!.id, reason: '越权移出' })).statusCode).toBe(403);
      expect((await client.put(`${base()}/frontline`, { applicationId: c[0]!.id, frontline: true })).statusCode).toBe(403);
    }
    expect(await rows()).toEqual(before);
  });

  it('rebuilds until the meeting’s first round exists (keeping 基层一线), then refuses with the list unchanged', async () => {
    const again = await p.oc.post(`${base()}/build`);
    expect(again.statusCode, again.body).toBe(200);
    const list = json<ShortlistReply>(again);
    expect(list.entries.map((e) => e.applicationId)).toEqual([c[0]!.id, c[2]!.id, c[3]!.id, c[4]!.id, c[5]!.id]);
    expect(list.entries.find((e) => e.applicationId === c[2]!.id)!.frontline).toBe(true);
    await fakeClosedRound(t, campaignId, p.org.user.id, [{ applicationId: c[0]!.id, winYes: 8 }]);
    const before = await rows();
    const refused = await p.oc.post(`${base()}/build`);
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('集中评选已开始第一轮投票，入围名单不能重新生成');
    expect(await rows()).toEqual(before);
    // 增补 is still possible, with its reason
    expect((await p.oc.post(`${base()}/add`, { applicationId: c[6]!.id, reason: '会议决定增补' })).statusCode).toBe(200);
  });

  it('移出 also takes the candidate out of the selection’s current pick', async () => {
    const picked = await p.oc.put(`/api/selection/campaigns/${campaignId}/pick`, { winners: [c[0]!.id, c[3]!.id], nationals: [c[3]!.id], version: 0 });
    expect(picked.statusCode, picked.body).toBe(200);
    expect((await p.oc.post(`${base()}/remove`, { applicationId: c[3]!.id, reason: '经核实不符合条件' })).statusCode).toBe(200);
    const state = json<{ pick: { winners: string[]; nationals: string[] }; version: number }>(await p.oc.get(`/api/selection/campaigns/${campaignId}`));
    expect(state.pick).toEqual({ winners: [c[0]!.id], nationals: [] });
    expect(state.version).toBe(2);
  });
});
