// The 计票 screens under a burst of changes (server/usecases/meeting-tally.ts): one read at a time for all of a
// meeting's screens, reads at least TALLY_MIN_INTERVAL_MS apart, and no change left unread.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { MeetingView, Tally } from '../core/meeting';
import { meetingAttendance } from './db/schema';
import { startTestPlatform } from './testing/harness';
import { parties } from './testing/journey';
import { panelExpert, setMeetingSettings, shortlistCandidates } from './testing/meeting';
import { notifyMeeting } from './usecases/meeting';
import { TALLY_MIN_INTERVAL_MS, watchTally } from './usecases/meeting-tally';

let t: Awaited<ReturnType<typeof startTestPlatform>>;
let meetingId: string;
let panel: string[];

beforeAll(async () => {
  t = await startTestPlatform();
  const p = await parties(t);
  const campaignId = await setMeetingSettings(t);
  await shortlistCandidates(t, campaignId, p.org.user.id, 2);
  const experts = [await panelExpert(t), await panelExpert(t), await panelExpert(t)];
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
