// 集中评选's races (issue 14, 3.): 【提交选票】 racing the round's close, many rounds — each time either the ballot is
// submitted and counted in the stored result, or it is refused and stays a draft (or absent) and uncounted; never lost,
// never counted after the close. 200 rounds on PostgreSQL (separate connections), fewer on PGlite (it serializes).
// On PostgreSQL also: two app instances on one database — a vote through instance 1 reaches an SSE screen of
// instance 2 (LISTEN/NOTIFY), and after the listening connection is killed it reconnects and the screen catches up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import type { RoundResult } from '../core/meeting';
import { buildApp } from './app';
import { ballots, ballotVotes, meetingRounds } from './db/schema';
import { openPlatform } from './services';
import { startTestPlatform } from './testing/harness';
import { parties } from './testing/journey';
import { cookieOf, panelExpert, setMeetingSettings, shortlistCandidates, tallyStream } from './testing/meeting';

const onPostgres = !!process.env.TEST_DATABASE_URL;
const ROUNDS = onPostgres ? Number(process.env.RACE_ROUNDS ?? 200) : 20;

let t: Awaited<ReturnType<typeof startTestPlatform>>;
beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(async () => t?.close());

/** A meeting of the current campaign (one per campaign: each test starts its own platform) with two experts signed in. */
async function setup() {
  const p = await parties(t);
  const campaignId = await setMeetingSettings(t, { winners: 1, nationalRecommendees: 1, passShare: 0.5 });
  const [cand] = await shortlistCandidates(t, campaignId, p.org.user.id, 1);
  const expert = await panelExpert(t);
  const other = await panelExpert(t);
  const open = await p.oc.post(`/api/meeting/campaigns/${campaignId}/open`, { expertIds: [expert.id, other.id] });
  expect(open.statusCode, open.body).toBe(200);
  for (const e of [expert, other]) expect((await e.client.post(`/api/meeting/campaigns/${campaignId}/sign-in`)).statusCode).toBe(200);
  return { ...p, campaignId, cand: cand!, expert, other };
}

describe(`集中评选: 【提交选票】 racing the round's close, ${ROUNDS} rounds`, () => {
  it('each round: counted and closed, or refused and not counted', { timeout: 300_000 }, async () => {
    const { oc, campaignId, cand, expert } = await setup();
    const vote = [{ applicationId: cand.id, question: 'win', choice: 'yes' }];
    let counted = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const started = await oc.post(`/api/meeting/campaigns/${campaignId}/rounds`, {
        candidateIds: [cand.id],
        questions: ['win'],
        placesWin: 1,
        purpose: 'fill',
      });
      expect(started.statusCode, started.body).toBe(200);
      const roundId = (started.json().rounds as { id: string; status: string }[]).find((r) => r.status === 'open')!.id;
      const [submit, close] = await Promise.all([
        expert.client.post(`/api/meeting/rounds/${roundId}/ballot/submit`, { votes: vote }),
        oc.post(`/api/meeting/rounds/${roundId}/close`),
      ]);
      expect(close.statusCode, close.body).toBe(200);
      const [round] = await t.s.db.select().from(meetingRounds).where(eq(meetingRounds.id, roundId));
      const result = round!.result as RoundResult;
      const [ballot] = await t.s.db
        .select()
        .from(ballots)
        .where(and(eq(ballots.roundId, roundId), eq(ballots.expertId, expert.id)));
      const yes = result.candidates[0]!.win!.yes;
      expect(result.present).toBe(2);
      if (submit.statusCode === 200) {
        counted++;
        // landed before the close: submitted, and counted in the stored result
        expect(ballot!.status).toBe('submitted');
        expect(ballot!.submittedAt!.getTime()).toBeLessThanOrEqual(round!.closedAt!.getTime());
        expect(yes).toBe(1);
        expect(close.json().result.candidates[0].win.yes).toBe(1);
      } else {
        // after the close: refused with the reason, nothing submitted, nothing counted
        expect(submit.statusCode, submit.body).toBe(409);
        expect(submit.json().error.message).toContain('投票已结束，本次提交未被计入');
        expect(ballot?.status ?? 'none').not.toBe('submitted');
        expect(yes).toBe(0);
      }
      // the stored counts are exactly the submitted ballots' votes
      const [{ n }] = (await t.s.db
        .select({ n: sql<number>`count(*)::int` })
        .from(ballotVotes)
        .innerJoin(ballots, eq(ballots.id, ballotVotes.ballotId))
        .where(and(eq(ballots.roundId, roundId), eq(ballots.status, 'submitted'), eq(ballotVotes.choice, 'yes')))) as [{ n: number }];
      expect(n).toBe(yes);
    }
    console.log(`提交选票 vs 结束本轮: the submit landed first in ${counted} of ${ROUNDS}`);
  });
});

describe.skipIf(!onPostgres)('集中评选: the live tally across two app instances on one PostgreSQL database', () => {
  it('a vote through instance 1 reaches an SSE screen of instance 2; after its LISTEN connection is killed, it reconnects and catches up', async () => {
    await t.close();
    t = await startTestPlatform();
    const { oc, campaignId, cand, expert, other } = await setup();
    const started = await oc.post(`/api/meeting/campaigns/${campaignId}/rounds`, { candidateIds: [cand.id], questions: ['win'], placesWin: 1 });
    expect(started.statusCode, started.body).toBe(200);
    const roundId = (started.json().rounds as { id: string; status: string }[]).find((r) => r.status === 'open')!.id;

    // instance 2: its own platform (pool, events service, LISTEN connection) and app on the same database
    const platform2 = await openPlatform(t.s.config);
    const app2 = await buildApp(platform2.services);
    await app2.listen({ port: 0, host: '127.0.0.1' });
    const url2 = `http://127.0.0.1:${(app2.server.address() as AddressInfo).port}`;
    const stream = tallyStream(url2, `/api/meeting/campaigns/${campaignId}/tally/events`, cookieOf(oc));
    try {
      await stream.ready;
      expect(stream.status).toBe(200);
      await stream.next((x) => x.round?.id === roundId && x.round.submitted === 0);

      // through instance 1 (app.inject on t.app)
      const submitted = await expert.client.post(`/api/meeting/rounds/${roundId}/ballot/submit`, {
        votes: [{ applicationId: cand.id, question: 'win', choice: 'yes' }],
      });
      expect(submitted.statusCode, submitted.body).toBe(200);
      const seen = await stream.next((x) => x.round?.submitted === 1);
      expect(seen.round!.candidates[0]!.win).toEqual({ yes: 1, no: 0, abstain: 0 });
      expect(seen.panel.find((m) => m.expertId === expert.id)!.ballot).toBe('submitted');

      // kill instance 2's LISTEN connection: it reconnects and resyncs, so the next vote still shows
      const admin = new pg.Client({ connectionString: t.s.config.databaseUrl! });
      await admin.connect();
      const killed = await admin.query(
        `select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and query ilike 'listen%'`,
      );
      await admin.end();
      // one per instance: each one's jobs runner subscribes to the events (server/jobs/runner.ts), and instance 2's
      // also carries the screen's tally; both reconnect
      expect(killed.rowCount).toBe(2);
      const from = stream.events.length;
      const again = await other.client.post(`/api/meeting/rounds/${roundId}/ballot/submit`, {
        votes: [{ applicationId: cand.id, question: 'win', choice: 'no' }],
      });
      expect(again.statusCode, again.body).toBe(200);
      const caught = await stream.next((x) => x.round?.submitted === 2, from);
      expect(caught.round!.candidates[0]!.win).toEqual({ yes: 1, no: 1, abstain: 0 });
    } finally {
      stream.close();
      await app2.close();
      await platform2.close();
    }
  });
});
