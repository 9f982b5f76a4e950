// The 计票 screens under a burst of changes (server/usecases/meeting-tally.ts): one read at a time for all of a
// meeting's screens, reads at least TALLY_MIN_INTERVAL_MS apart, and no change left unread.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { MeetingView, Tally } from '../core/meeting';
import { eq } from 'drizzle-orm';
import { applications, meetingAttendance, users } from './db/schema';
import { startTestPlatform } from './testing/harness';
import { parties } from './testing/journey';
import { panelExpert, setMeetingSettings, shortlistCandidates } from './testing/meeting';
import { notifyMeeting } from './usecases/meeting';
import { TALLY_MIN_INTERVAL_MS, watchTally } from './usecases/meeting-tally';

let t: Awaited<ReturnType<typeof startTestPlatform>>;
let meetingId: string;
let campaignId: string;
let panel: string[];
let p: Awaited<ReturnType<typeof parties>>;
let experts: Awaited<ReturnType<typeof panelExpert>>[];
let cands: Awaited<ReturnType<typeof shortlistCandidates>>;

beforeAll(async () => {
  t = await startTestPlatform();
  p = await parties(t);
  campaignId = await setMeetingSettings(t, { passShare: 0.5 });
  // online ranks 2, 1 and none, given out of order: the round puts them by rank (none last), and the snapshot keeps the
  // round's order
  cands = await shortlistCandidates(t, campaignId, p.org.user.id, 3, [2, 1, null]);
  experts = [await panelExpert(t), await panelExpert(t), await panelExpert(t)];
  for (const [i, e] of experts.entries())
    await t.s.db
      .update(users)
      .set({ realName: `专家${'甲乙丙'[i]}` })
      .where(eq(users.id, e.id));
  panel = experts.map((e) => e.id);
  const res = await p.oc.post(`/api/meeting/campaigns/${campaignId}/open`, { expertIds: panel });
  expect(res.statusCode, res.body).toBe(200);
  meetingId = (res.json() as MeetingView).id;
});
afterAll(async () => t?.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('a burst of changes: two screens share each read, reads start at least the interval apart, and the last change is shown', async () => {
  const seen: { at: number; tally: Tally }[][] = [[], []];
  const stops = await Promise.all(
    seen.map((list) => watchTally(t.s, meetingId, (json) => list.push({ at: performance.now(), tally: JSON.parse(json) as Tally }))),
  );
  // each screen's own first snapshot; the meeting's opening may still be on its way (this process LISTENs from its
  // start for the jobs, so a notification committed before the screens subscribed can arrive after): one more
  // snapshot then is right. The burst is counted from a quiet moment.
  expect(seen.every((list) => list.length >= 1)).toBe(true);
  await sleep(TALLY_MIN_INTERVAL_MS * 2);
  const quiet = seen.map((list) => list.length);

  // 30 committed changes back to back; the last one (the third expert's 签到) is a change the snapshot shows
  const started = performance.now();
  for (let i = 0; i < 29; i++) await t.s.db.transaction((tx) => notifyMeeting(tx, meetingId));
  await t.s.db.transaction(async (tx) => {
    await tx.insert(meetingAttendance).values({ meetingId, expertId: panel[2]! });
    await notifyMeeting(tx, meetingId);
  });
  const lastChange = performance.now();
  const showsLast = (x: Tally) => x.panel.find((m) => m.expertId === panel[2])?.signedIn === true;
  for (let waited = 0; !seen.every((list) => list.some((e) => showsLast(e.tally))); waited += 20) {
    if (waited > 10_000) throw new Error('the last change never reached the screens');
    await sleep(20);
  }
  await sleep(TALLY_MIN_INTERVAL_MS * 3);
  const ended = performance.now();

  const burst = seen.map((list, i) => list.slice(quiet[i]));
  // both screens got the same snapshots: one read each time, for all of the meeting's screens
  expect(burst[0]!.map((e) => e.tally.at)).toEqual(burst[1]!.map((e) => e.tally.at));
  // far fewer reads than changes, and no more than the interval allows over the time they took (each read's start is
  // at least the interval after the one before; the first may start at once)
  const reads = burst[0]!.length;
  expect(reads).toBeGreaterThanOrEqual(1);
  expect(reads).toBeLessThan(30);
  expect(reads).toBeLessThanOrEqual(Math.floor((ended - started) / TALLY_MIN_INTERVAL_MS) + 1);
  // the last snapshot shows the last change, and it came after it
  expect(showsLast(burst[0]!.at(-1)!.tally)).toBe(true);
  expect(burst[0]!.at(-1)!.at).toBeGreaterThan(lastChange);

  // after a quiet moment a single change still reaches the screens (read at once: the last read is long past; this
  // test does not time it, the machines are too noisy for that)
  await sleep(TALLY_MIN_INTERVAL_MS * 2);
  const before = seen[0]!.length;
  await t.s.db.transaction((tx) => notifyMeeting(tx, meetingId));
  for (let waited = 0; seen[0]!.length === before; waited += 5) {
    if (waited > 10_000) throw new Error('a lone change never reached the screens');
    await sleep(5);
  }
  expect(seen[0]!.length).toBe(before + 1);
  for (const stop of stops) stop();
});

it("the snapshot: the panel by name, who signed in and voted, the round's candidates in order with 编号 and online rank, only submitted ballots counted", async () => {
  const read = async () => {
    const res = await p.oc.get(`/api/meeting/campaigns/${campaignId}/tally`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as Tally;
  };
  // no round yet; the third expert signed in by the test above
  let tally = await read();
  expect(tally).toMatchObject({ meetingId, campaignId, status: 'open', present: 1, round: null });
  expect(tally.panel).toEqual([
    { expertId: panel[0], name: '专家甲', signedIn: false, ballot: 'none' },
    { expertId: panel[1], name: '专家乙', signedIn: false, ballot: 'none' },
    { expertId: panel[2], name: '专家丙', signedIn: true, ballot: 'none' },
  ]);

  const started = await p.oc.post(`/api/meeting/campaigns/${campaignId}/rounds`, { candidateIds: [cands[2]!.id, cands[0]!.id, cands[1]!.id] });
  expect(started.statusCode, started.body).toBe(200);
  const shown = (started.json() as MeetingView).rounds.at(-1)!;
  const roundId = shown.id;
  for (const e of experts.slice(0, 2)) expect((await e.client.post(`/api/meeting/campaigns/${campaignId}/sign-in`)).statusCode).toBe(200);
  const ids = [cands[2]!.id, cands[0]!.id, cands[1]!.id];
  const votes = (win: string[], national: string[]) =>
    ids.flatMap((applicationId, i) => [
      { applicationId, question: 'win', choice: win[i] },
      { applicationId, question: 'national', choice: national[i] },
    ]);
  // 甲 submits, 乙 only drafts (never counted), 丙 has not voted
  let res = await experts[0]!.client.post(`/api/meeting/rounds/${roundId}/ballot/submit`, { votes: votes(['yes', 'no', 'abstain'], ['no', 'yes', 'yes']) });
  expect(res.statusCode, res.body).toBe(200);
  res = await experts[1]!.client.put(`/api/meeting/rounds/${roundId}/ballot`, { votes: votes(['yes', 'yes', 'yes'], ['yes', 'yes', 'yes']) });
  expect(res.statusCode, res.body).toBe(200);

  tally = await read();
  expect(tally.present).toBe(3);
  expect(tally.panel.map((m) => [m.name, m.signedIn, m.ballot])).toEqual([
    ['专家甲', true, 'submitted'],
    ['专家乙', true, 'draft'],
    ['专家丙', true, 'none'],
  ]);
  const numbers = new Map((await t.s.db.select({ id: applications.id, number: applications.number }).from(applications)).map((a) => [a.id, a.number]));
  const expected: Record<string, { win: object; national: object }> = {
    [ids[0]!]: { win: { yes: 1, no: 0, abstain: 0 }, national: { yes: 0, no: 1, abstain: 0 } },
    [ids[1]!]: { win: { yes: 0, no: 1, abstain: 0 }, national: { yes: 1, no: 0, abstain: 0 } },
    [ids[2]!]: { win: { yes: 0, no: 0, abstain: 1 }, national: { yes: 1, no: 0, abstain: 0 } },
  };
  expect(shown.candidates.map((c) => [c.name, c.onlineRank])).toEqual([
    ['候选人2', 1],
    ['候选人1', 2],
    ['候选人3', null],
  ]);
  expect(tally.round).toEqual({
    id: roundId,
    number: 1,
    purpose: 'main',
    questions: ['win', 'national'],
    placesWin: expect.any(Number),
    placesNational: expect.any(Number),
    status: 'open',
    // more than half of the 3 present
    threshold: 2,
    submitted: 1,
    // in the round's order (online rank first, the unranked last), each with its own figures
    candidates: shown.candidates.map((c) => ({
      applicationId: c.applicationId,
      number: numbers.get(c.applicationId),
      name: c.name,
      onlineRank: c.onlineRank,
      ...expected[c.applicationId],
    })),
  });

  // 乙 submits with one vote changed, the rest from the draft: the reply and the count hold the whole ballot
  res = await experts[1]!.client.post(`/api/meeting/rounds/${roundId}/ballot/submit`, { votes: [{ applicationId: ids[0], question: 'win', choice: 'no' }] });
  expect(res.statusCode, res.body).toBe(200);
  const reply = res.json() as { state: string; votes: { applicationId: string; question: string; choice: string }[] };
  expect(reply.state).toBe('submitted');
  expect(reply.votes.map((v) => `${v.applicationId} ${v.question} ${v.choice}`).sort()).toEqual(
    ids.flatMap((id, i) => [`${id} win ${i === 0 ? 'no' : 'yes'}`, `${id} national yes`]).sort(),
  );
  tally = await read();
  expect(tally.round!.submitted).toBe(2);
  expect(Object.fromEntries(tally.round!.candidates.map((c) => [c.applicationId, [c.win!.yes, c.win!.no, c.national!.yes]]))).toEqual({
    [ids[0]!]: [1, 1, 1],
    [ids[1]!]: [1, 1, 2],
    [ids[2]!]: [1, 0, 2],
  });

  // closed: the round's own threshold stays, the counts are the close's
  res = await p.oc.post(`/api/meeting/rounds/${roundId}/close`);
  expect(res.statusCode, res.body).toBe(200);
  tally = await read();
  expect(tally.round).toMatchObject({ id: roundId, status: 'closed', threshold: 2, submitted: 2 });
  expect(tally.round!.candidates.map((c) => [c.name, c.win!.yes, c.national!.yes])).toEqual([
    ['候选人2', 1, 2],
    ['候选人1', 1, 2],
    ['候选人3', 1, 1],
  ]);
});
