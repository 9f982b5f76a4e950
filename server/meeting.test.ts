// 集中评选 through HTTP (issue 14, 2.–6.): the meeting, 签到, rounds, ballots, 回避 on the ballot and on the 申请书,
// the close's threshold, tie and next round, drafts never counted, a vote after the close refused, the window, the
// 计票 as JSON and as Server-Sent Events, the .xlsx, the audit rows, and the permission matrix with every row unchanged
// after each refusal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, eq, like } from 'drizzle-orm';
import type { AddressInfo } from 'node:net';
import type { LightMyRequestResponse } from 'fastify';
import type { BallotView, BallotWriteReply, MeetingView, RoundView, Tally } from '../core/meeting';
import { auditLog, ballots, ballotVotes, meetingAttendance, meetingRoundCandidates, meetingRounds, meetings, reviewConflicts } from './db/schema';
import { Client, startTestPlatform } from './testing/harness';
import { parties } from './testing/journey';
import { closedWindow, cookieOf, panelExpert, setMeetingSettings, shortlistCandidates, tallyStream } from './testing/meeting';

let t: Awaited<ReturnType<typeof startTestPlatform>>;
let p: Awaited<ReturnType<typeof parties>>;
let campaignId: string;
let cands: Awaited<ReturnType<typeof shortlistCandidates>>;
let e1: Awaited<ReturnType<typeof panelExpert>>;
let e2: typeof e1;
let e3: typeof e1;
let outsider: typeof e1;
let anon: Client;
let baseUrl: string;

beforeAll(async () => {
  t = await startTestPlatform();
  p = await parties(t);
  campaignId = await setMeetingSettings(t, { winners: 2, nationalRecommendees: 1, passShare: 0.5 });
  // 候选人2 and 候选人3 share the online rank 2: equal 赞成 votes leave them tied
  cands = await shortlistCandidates(t, campaignId, p.org.user.id, 4, [1, 2, 2, 4]);
  e1 = await panelExpert(t);
  e2 = await panelExpert(t);
  // 同单位 as 候选人1: automatic 回避
  e3 = await panelExpert(t, { workUnit: cands[0]!.workUnit });
  outsider = await panelExpert(t);
  anon = new Client(t.app);
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
});
afterAll(async () => t?.close());

const ok = <T>(res: LightMyRequestResponse): T => {
  if (res.statusCode !== 200) throw new Error(`${res.statusCode} ${res.body}`);
  return res.json() as T;
};
const message = (res: LightMyRequestResponse) => (res.json() as { error: { message: string } }).error.message;

/** Every row the meeting writes, to compare before and after a refusal. */
async function rows() {
  return {
    meetings: await t.s.db.select().from(meetings),
    rounds: await t.s.db.select().from(meetingRounds).orderBy(meetingRounds.number),
    attendance: (await t.s.db.select({ n: count() }).from(meetingAttendance))[0]!.n,
    ballots: await t.s.db.select().from(ballots).orderBy(ballots.id),
    votes: await t.s.db.select().from(ballotVotes).orderBy(ballotVotes.ballotId, ballotVotes.applicationId, ballotVotes.question),
    candidates: (await t.s.db.select({ n: count() }).from(meetingRoundCandidates))[0]!.n,
  };
}

/** Asserts the refusal's status and Chinese message, and that no row changed. */
async function refused(call: () => Promise<LightMyRequestResponse>, status: number, text?: string | RegExp) {
  const before = await rows();
  const res = await call();
  expect(res.statusCode, res.body).toBe(status);
  const msg = message(res);
  expect(msg).toMatch(/[\u4e00-\u9fff]/);
  if (text) expect(msg).toMatch(text);
  expect(await rows()).toEqual(before);
  return msg;
}

const all = (ids: string[], q: 'win' | 'national', choice: 'yes' | 'no' | 'abstain') => ids.map((applicationId) => ({ applicationId, question: q, choice }));

describe('集中评选 meeting through HTTP', () => {
  let meeting: MeetingView;
  let round1: string;
  let round2: string;
  const id = (i: number) => cands[i]!.id;

  it('before the meeting: nothing to see, nobody can sign in, no round can start', async () => {
    expect(ok<{ meeting: null }>(await p.oc.get(`/api/meeting/campaigns/${campaignId}`)).meeting).toBeNull();
    await refused(() => e1.client.post(`/api/meeting/campaigns/${campaignId}/sign-in`), 404, '未找到该集中评选会议');
    await refused(() => p.oc.post(`/api/meeting/campaigns/${campaignId}/rounds`), 409, '尚未召开');
    expect(ok<{ meetings: unknown[] }>(await e1.client.get('/api/meeting/mine')).meetings).toEqual([]);
  });

  it('opening: bad bodies are 400 in Chinese, other roles refused, nothing written', async () => {
    await refused(() => p.oc.post(`/api/meeting/campaigns/${campaignId}/open`, { expertIds: 'x' }), 400, '评审专家');
    await refused(() => p.oc.post(`/api/meeting/campaigns/${campaignId}/open`, { panel: [] }), 400, '不认识的字段');
    await refused(() => p.oc.post(`/api/meeting/campaigns/${campaignId}/open`, { expertIds: [] }), 400, '至少选择一位');
    await refused(() => p.oc.post(`/api/meeting/campaigns/${campaignId}/open`, { expertIds: [p.applicant.user.id] }), 400, '不存在');
    await refused(() => p.oc.post('/api/meeting/campaigns/00000000-0000-4000-8000-000000000000/open', {}), 404, '评选活动');
    for (const c of [p.uc, p.ac, e1.client]) await refused(() => c.post(`/api/meeting/campaigns/${campaignId}/open`, {}), 403, '仅限');
    await refused(() => anon.post(`/api/meeting/campaigns/${campaignId}/open`, {}), 401);
    for (const c of [p.uc, p.ac, e1.client]) await refused(() => c.get(`/api/meeting/campaigns/${campaignId}`), 403);
  });

  it('the organizer opens the meeting with its panel (once), recorded in the audit log', async () => {
    meeting = ok<MeetingView>(await p.oc.post(`/api/meeting/campaigns/${campaignId}/open`, { expertIds: [e1.id, e2.id, e3.id] }));
    expect(meeting.panel.map((x) => x.expertId)).toEqual([e1.id, e2.id, e3.id]);
    expect(meeting).toMatchObject({ status: 'open', present: 0, rounds: [], window: { open: true } });
    // the proposal: round 1 over the whole 入围名单, both questions, the campaign's places
    expect(meeting.proposal).toEqual({ purpose: 'main', questions: ['win', 'national'], candidates: cands.map((c) => c.id), placesWin: 2, placesNational: 1 });
    await refused(() => p.oc.post(`/api/meeting/campaigns/${campaignId}/open`, {}), 409, '已召开');
    const audit = await t.s.db.select().from(auditLog).where(eq(auditLog.action, 'meeting.open'));
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorId: p.org.user.id, targetId: meeting.id });
  });

  it('round 1 starts with every candidate of the 入围名单; a second open round is refused', async () => {
    await refused(() => p.oc.post(`/api/meeting/campaigns/${campaignId}/rounds`, { questions: ['maybe'] }), 400, '表决事项');
    await refused(() => p.oc.post(`/api/meeting/campaigns/${campaignId}/rounds`, { candidateIds: [p.applicant.user.id] }), 400, '不在入围名单');
    meeting = ok<MeetingView>(await p.oc.post(`/api/meeting/campaigns/${campaignId}/rounds`, {}));
    const r = meeting.rounds[0]!;
    round1 = r.id;
    expect(r).toMatchObject({ number: 1, purpose: 'main', questions: ['win', 'national'], placesWin: 2, placesNational: 1, status: 'open', result: null });
    expect(r.candidates.map((c) => [c.name, c.onlineRank])).toEqual([
      ['候选人1', 1],
      ['候选人2', 2],
      ['候选人3', 2],
      ['候选人4', 4],
    ]);
    expect(meeting.proposal).toBeNull();
    await refused(() => p.oc.post(`/api/meeting/campaigns/${campaignId}/rounds`, {}), 409, '第1轮投票尚未结束');
  });

  it('签到: an expert off the panel gets 404 everywhere; not signed in, no ballot and no vote', async () => {
    await refused(() => outsider.client.post(`/api/meeting/campaigns/${campaignId}/sign-in`), 404);
    await refused(() => outsider.client.get(`/api/meeting/rounds/${round1}/ballot`), 404);
    await refused(() => outsider.client.put(`/api/meeting/rounds/${round1}/ballot`, { votes: all([id(1)], 'win', 'yes') }), 404);
    await refused(() => outsider.client.get(`/api/applications/${id(1)}`), 404);
    expect(ok<{ meetings: unknown[] }>(await outsider.client.get('/api/meeting/mine')).meetings).toEqual([]);
    await refused(() => e1.client.get(`/api/meeting/rounds/${round1}/ballot`), 403, '尚未签到');
    await refused(() => e1.client.put(`/api/meeting/rounds/${round1}/ballot`, { votes: all([id(1)], 'win', 'yes') }), 403, '尚未签到');
    await refused(() => e1.client.post(`/api/meeting/rounds/${round1}/ballot/submit`, {}), 403, '尚未签到');
    for (const c of [p.uc, p.ac]) {
      await refused(() => c.post(`/api/meeting/campaigns/${campaignId}/sign-in`), 403);
      await refused(() => c.get(`/api/meeting/rounds/${round1}/ballot`), 403);
      await refused(() => c.put(`/api/meeting/rounds/${round1}/ballot`, { votes: all([id(1)], 'win', 'yes') }), 403);
    }
    await refused(() => anon.post(`/api/meeting/campaigns/${campaignId}/sign-in`), 401);
    await refused(() => anon.get(`/api/meeting/rounds/${round1}/ballot`), 401);
  });

  it('签到 once (a second is the same), then the ballot lists the round minus 回避, and 回避 holds on the 申请书', async () => {
    const first = ok<{ signedIn: boolean; signedInAt: string }>(await e1.client.post(`/api/meeting/campaigns/${campaignId}/sign-in`));
    expect(first.signedIn).toBe(true);
    const again = ok<{ signedInAt: string }>(await e1.client.post(`/api/meeting/campaigns/${campaignId}/sign-in`));
    expect(again.signedInAt).toBe(first.signedInAt);
    ok(await e2.client.post(`/api/meeting/campaigns/${campaignId}/sign-in`));
    ok(await e3.client.post(`/api/meeting/campaigns/${campaignId}/sign-in`));
    expect((await rows()).attendance).toBe(3);
    const mine = ok<{ meetings: { round: { id: string } | null; signedIn: boolean; ballot: string }[] }>(await e1.client.get('/api/meeting/mine')).meetings;
    expect(mine).toMatchObject([{ signedIn: true, ballot: 'none', round: { id: round1 } }]);

    const b1 = ok<BallotView>(await e1.client.get(`/api/meeting/rounds/${round1}/ballot`));
    expect(b1.candidates.map((c) => c.applicationId)).toEqual(cands.map((c) => c.id));
    expect(b1.candidates[0]).toMatchObject({ name: '候选人1', onlineRank: 1, votes: { win: null, national: null } });
    const b3 = ok<BallotView>(await e3.client.get(`/api/meeting/rounds/${round1}/ballot`));
    expect(b3.candidates.map((c) => c.applicationId)).toEqual([id(1), id(2), id(3)]);
    // the full 申请书 of a round candidate opens; the recused one is not found
    expect((await e1.client.get(`/api/applications/${id(0)}`)).statusCode).toBe(200);
    expect((await e3.client.get(`/api/applications/${id(1)}`)).statusCode).toBe(200);
    await refused(() => e3.client.get(`/api/applications/${id(0)}`), 404);
    await refused(() => e3.client.put(`/api/meeting/rounds/${round1}/ballot`, { votes: all([id(0)], 'win', 'yes') }), 400, '不在您本轮的选票上');
  });

  it('the live tally over SSE: organizer only, never compressed, a new snapshot on each submit', async () => {
    const refusedStream = tallyStream(baseUrl, `/api/meeting/campaigns/${campaignId}/tally/events`, cookieOf(e1.client));
    await refusedStream.ready;
    expect(refusedStream.status).toBe(403);
    refusedStream.close();

    // a client that does not ask for a stream gets a 400, not a request that never ends
    await refused(() => p.oc.get(`/api/meeting/campaigns/${campaignId}/tally/events`), 400, 'EventSource');
    const stream = tallyStream(baseUrl, `/api/meeting/campaigns/${campaignId}/tally/events`, cookieOf(p.oc));
    await stream.ready;
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(stream.headers['content-encoding']).toBeUndefined();
    // the stream is written on the raw response (hijacked): the security headers still on it, as on every reply
    expect(stream.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(stream.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    expect(stream.headers['x-content-type-options']).toBe('nosniff');
    expect(stream.headers['x-frame-options']).toBe('DENY');
    expect(stream.headers['cross-origin-resource-policy']).toBe('same-origin');
    expect(stream.headers['cache-control']).toMatch(/no-cache|no-store/);
    const first = await stream.next(() => true);
    expect(first).toMatchObject({ present: 3, round: { id: round1, submitted: 0, threshold: 2 } });

    // bad bodies
    await refused(
      () => e1.client.put(`/api/meeting/rounds/${round1}/ballot`, { votes: [{ applicationId: id(0), question: 'win', choice: 'maybe' }] }),
      400,
      '表决意见',
    );
    await refused(() => e1.client.put(`/api/meeting/rounds/${round1}/ballot`, { votes: [] }), 400, '至少投一票');
    await refused(() => e1.client.put(`/api/meeting/rounds/${round1}/ballot`, { vote: 1 }), 400);

    // a draft, changed, then an incomplete submit refused, then the full submit
    let b = ok<BallotWriteReply>(await e1.client.put(`/api/meeting/rounds/${round1}/ballot`, { votes: all([id(0), id(1)], 'win', 'no') }));
    expect(b).toMatchObject({ roundId: round1, roundOpen: true, state: 'draft', submittedAt: null });
    b = ok<BallotWriteReply>(await e1.client.put(`/api/meeting/rounds/${round1}/ballot`, { votes: all([id(0)], 'win', 'yes') }));
    // the reply is the ballot's state and its votes as saved, not the candidates again
    expect(Object.keys(b).sort()).toEqual(['roundId', 'roundOpen', 'state', 'submittedAt', 'votes']);
    const winOf = (r: BallotWriteReply, i: number) => r.votes.find((v) => v.applicationId === id(i) && v.question === 'win')?.choice ?? null;
    expect([0, 1, 2, 3].map((i) => winOf(b, i))).toEqual(['yes', 'no', null, null]);
    expect(b.votes).toHaveLength(2);
    // and the ballot as GET shows it agrees
    expect(ok<BallotView>(await e1.client.get(`/api/meeting/rounds/${round1}/ballot`)).candidates.map((c) => c.votes.win)).toEqual(['yes', 'no', null, null]);
    const drafted = await stream.next((x) => x.panel.find((m) => m.expertId === e1.id)?.ballot === 'draft');
    expect(drafted.round!.candidates.every((c) => c.win!.yes + c.win!.no + c.win!.abstain === 0)).toBe(true);
    await refused(() => e1.client.post(`/api/meeting/rounds/${round1}/ballot/submit`, {}), 400, '尚有6项未表决');

    const votesOf = (winYes: number[], natYes: number[]) => [
      ...cands.map((c, i) => ({ applicationId: c.id, question: 'win' as const, choice: winYes.includes(i) ? ('yes' as const) : ('no' as const) })),
      ...cands.map((c, i) => ({ applicationId: c.id, question: 'national' as const, choice: natYes.includes(i) ? ('yes' as const) : ('abstain' as const) })),
    ];
    b = ok<BallotWriteReply>(await e1.client.post(`/api/meeting/rounds/${round1}/ballot/submit`, { votes: votesOf([0, 1, 2], [3]) }));
    expect(b.state).toBe('submitted');
    expect(b.submittedAt).toEqual(expect.any(String));
    expect(b.votes).toHaveLength(8);
    expect([0, 1, 2, 3].map((i) => winOf(b, i))).toEqual(['yes', 'yes', 'yes', 'no']);
    const after1 = await stream.next((x) => x.round!.submitted === 1);
    expect(after1.panel.find((m) => m.expertId === e1.id)!.ballot).toBe('submitted');
    expect(after1.round!.candidates.map((c) => c.win!.yes)).toEqual([1, 1, 1, 0]);

    // immutable after 【提交选票】
    await refused(() => e1.client.put(`/api/meeting/rounds/${round1}/ballot`, { votes: all([id(3)], 'win', 'yes') }), 409, '不能再修改');
    await refused(() => e1.client.post(`/api/meeting/rounds/${round1}/ballot/submit`, {}), 409, '不能再修改');
    // nobody else's votes or the tally for an expert
    const b2 = ok<BallotView>(await e2.client.get(`/api/meeting/rounds/${round1}/ballot`));
    expect(b2.candidates.every((c) => c.votes.win === null && c.votes.national === null)).toBe(true);
    for (const c of [e2.client, p.uc, p.ac]) await refused(() => c.get(`/api/meeting/campaigns/${campaignId}/tally`), 403);
    await refused(() => anon.get(`/api/meeting/campaigns/${campaignId}/tally`), 401);

    ok(await e2.client.post(`/api/meeting/rounds/${round1}/ballot/submit`, { votes: votesOf([0, 1, 2], [3]) }));
    // e3 only drafts, with 赞成 for 候选人2: a draft is never counted
    ok(await e3.client.put(`/api/meeting/rounds/${round1}/ballot`, { votes: all([id(1), id(2)], 'win', 'yes') }));
    const after2 = await stream.next((x) => x.round!.submitted === 2);
    expect(after2.round!.candidates.map((c) => c.win!.yes)).toEqual([2, 2, 2, 0]);
    expect(after2.round!.candidates.map((c) => c.national!.abstain)).toEqual([2, 2, 2, 0]);
    const json = ok<Tally>(await p.oc.get(`/api/meeting/campaigns/${campaignId}/tally`));
    expect(json.round!.candidates).toEqual(after2.round!.candidates);
    expect(json.panel.map((m) => m.ballot)).toEqual(['submitted', 'submitted', 'draft']);
    stream.close();
  });

  it('closing round 1: threshold over the experts present, the tie at the boundary, drafts not counted; a late submit refused', async () => {
    const closed = ok<RoundView>(await p.oc.post(`/api/meeting/rounds/${round1}/close`));
    expect(closed).toMatchObject({ status: 'closed', present: 3, threshold: 2 });
    const result = closed.result!;
    expect(result).toEqual({
      present: 3,
      threshold: 2,
      candidates: [
        { applicationId: id(0), win: { yes: 2, no: 0, abstain: 0, passed: true }, national: { yes: 0, no: 0, abstain: 2, passed: false } },
        { applicationId: id(1), win: { yes: 2, no: 0, abstain: 0, passed: true }, national: { yes: 0, no: 0, abstain: 2, passed: false } },
        { applicationId: id(2), win: { yes: 2, no: 0, abstain: 0, passed: true }, national: { yes: 0, no: 0, abstain: 2, passed: false } },
        { applicationId: id(3), win: { yes: 0, no: 2, abstain: 0, passed: false }, national: { yes: 2, no: 0, abstain: 0, passed: true } },
      ],
      elected: { win: [id(0)], national: [id(3)] },
      tied: { win: [id(1), id(2)], national: [] },
      next: { purpose: 'tiebreak', questions: ['win'], candidates: [id(1), id(2)], placesWin: 1, placesNational: 0 },
    });
    const [stored] = await t.s.db.select().from(meetingRounds).where(eq(meetingRounds.id, round1));
    expect(stored!.result).toEqual(result);
    await refused(() => e3.client.post(`/api/meeting/rounds/${round1}/ballot/submit`, { votes: [] }), 409, '第1轮投票已结束，本次提交未被计入');
    await refused(() => e3.client.put(`/api/meeting/rounds/${round1}/ballot`, { votes: all([id(1)], 'win', 'no') }), 409, '已结束');
    await refused(() => p.oc.post(`/api/meeting/rounds/${round1}/close`), 409, '不能重复结束');
    // the closed ballot is still readable, as it was
    expect(ok<BallotView>(await e3.client.get(`/api/meeting/rounds/${round1}/ballot`))).toMatchObject({ roundOpen: false, state: 'draft' });
  });

  it('计票结果 .xlsx of a closed round, the organizer only', async () => {
    const res = await p.oc.get(`/api/meeting/rounds/${round1}/result.xlsx`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    expect(res.rawPayload.subarray(0, 2).toString()).toBe('PK');
    expect(String(res.headers['content-disposition'])).toContain(encodeURIComponent('集中评选第1轮计票结果.xlsx'));
    for (const c of [e1.client, p.uc, p.ac]) await refused(() => c.get(`/api/meeting/rounds/${round1}/result.xlsx`), 403);
  });

  it('the window: no round starts and nobody votes outside 集中评选', async () => {
    await setMeetingSettings(t, { window: closedWindow() });
    await refused(() => p.oc.post(`/api/meeting/campaigns/${campaignId}/rounds`, {}), 403, '集中评选时间');
    await setMeetingSettings(t);
    meeting = ok<MeetingView>(await p.oc.post(`/api/meeting/campaigns/${campaignId}/rounds`, {}));
    const r = meeting.rounds[1]!;
    round2 = r.id;
    expect(r).toMatchObject({ number: 2, purpose: 'tiebreak', questions: ['win'], placesWin: 1, placesNational: 0 });
    expect(r.candidates.map((c) => c.applicationId)).toEqual([id(1), id(2)]);
    await refused(() => p.oc.get(`/api/meeting/rounds/${round2}/result.xlsx`), 409, '尚未结束');
    await setMeetingSettings(t, { window: closedWindow() });
    await refused(() => e1.client.put(`/api/meeting/rounds/${round2}/ballot`, { votes: all([id(1)], 'win', 'yes') }), 403, '集中评选时间');
    await setMeetingSettings(t);
  });

  it('round 2 decides the tie; the meeting has nothing left to propose and closes', async () => {
    await refused(() => e1.client.put(`/api/meeting/rounds/${round2}/ballot`, { votes: all([id(1)], 'national', 'yes') }), 400, '本轮不表决');
    for (const e of [e1, e2])
      ok(await e.client.post(`/api/meeting/rounds/${round2}/ballot/submit`, { votes: [...all([id(1)], 'win', 'yes'), ...all([id(2)], 'win', 'no')] }));
    await refused(() => p.oc.post(`/api/meeting/campaigns/${campaignId}/close`), 409, '第2轮投票尚未结束');
    const closed = ok<RoundView>(await p.oc.post(`/api/meeting/rounds/${round2}/close`));
    expect(closed.result).toMatchObject({ elected: { win: [id(1)], national: [] }, tied: { win: [], national: [] }, next: null });
    expect(closed.result!.candidates[0]!.national).toBeNull();
    meeting = ok<{ meeting: MeetingView }>(await p.oc.get(`/api/meeting/campaigns/${campaignId}`)).meeting;
    expect(meeting.proposal).toBeNull();
    await refused(() => p.oc.post(`/api/meeting/campaigns/${campaignId}/rounds`, {}), 409, '均已产生');
    // a round of the organizer's own choosing: its places default to those still open (none here), or are given
    await refused(() => p.oc.post(`/api/meeting/campaigns/${campaignId}/rounds`, { candidateIds: [id(0)], questions: ['national'] }), 400, '全国推荐名额');
    meeting = ok<MeetingView>(
      await p.oc.post(`/api/meeting/campaigns/${campaignId}/rounds`, { candidateIds: [id(0)], questions: ['national'], placesNational: 1, purpose: 'fill' }),
    );
    expect(meeting.rounds[2]).toMatchObject({ number: 3, purpose: 'fill', questions: ['national'], placesWin: 0, placesNational: 1 });
    const closed3 = ok<RoundView>(await p.oc.post(`/api/meeting/rounds/${meeting.rounds[2]!.id}/close`));
    // nobody voted: nothing passes (threshold 2 of the 3 present)
    expect(closed3.result).toMatchObject({ threshold: 2, elected: { win: [], national: [] }, next: null });
    meeting = ok<MeetingView>(await p.oc.post(`/api/meeting/campaigns/${campaignId}/close`));
    expect(meeting.status).toBe('closed');
    await refused(() => e1.client.post(`/api/meeting/campaigns/${campaignId}/sign-in`), 409, '会议已结束');
    await refused(() => p.oc.post(`/api/meeting/campaigns/${campaignId}/rounds`, { candidateIds: [id(0)] }), 409, '会议已结束');
    // a declared 回避 (review_conflicts) takes the candidate off the expert's ballot and out of their scope
    expect(ok<BallotView>(await e2.client.get(`/api/meeting/rounds/${round2}/ballot`)).candidates.map((c) => c.applicationId)).toEqual([id(1), id(2)]);
    expect((await e2.client.get(`/api/applications/${id(1)}`)).statusCode).toBe(200);
    await t.s.db
      .insert(reviewConflicts)
      .values({ expertId: e2.id, applicationId: id(1), reason: '同一课题组', declaredBy: 'organizer', actorId: p.org.user.id });
    expect(ok<BallotView>(await e2.client.get(`/api/meeting/rounds/${round2}/ballot`)).candidates.map((c) => c.applicationId)).toEqual([id(2)]);
    await refused(() => e2.client.get(`/api/applications/${id(1)}`), 404);
    const rows = await t.s.db.select().from(auditLog).where(like(auditLog.action, 'meeting.%')).orderBy(auditLog.id);
    // the experts' 【提交选票】 are recorded too, one row per ballot submitted (two experts, two voted rounds)
    expect(rows.filter((a) => a.action === 'meeting.ballot_submit').length).toBe(4);
    const actions = rows.filter((a) => a.actorId === p.org.user.id && a.action !== 'meeting.result_download').map((a) => a.action);
    expect(actions).toEqual([
      'meeting.open',
      'meeting.round_start',
      'meeting.round_close',
      'meeting.round_start',
      'meeting.round_close',
      'meeting.round_start',
      'meeting.round_close',
      'meeting.close',
    ]);
  });
});
