// 计票 (issue 14, 4.), the organizer's only: the panel, who signed in, who has a draft or submitted ballot, and the
// counts of the submitted ballots per candidate and question. The snapshot is read whole from the database; the
// Server-Sent Events stream of each watching screen gets it again after every change of the meeting, whichever
// instance made the change (server/events.ts). Per process and meeting one subscription is held and one snapshot is
// read at a time for all its screens: changes arriving during a read cause one more read, not one per change, and
// reads start at least TALLY_MIN_INTERVAL_MS apart.
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { thresholdOf, type BallotState, type Counts, type Question, type RoundPurpose, type Tally } from '../../core/meeting';
import type { Services } from '../context';
import type { Db } from '../db/client';
import { ballots, ballotVotes, meetingAttendance, meetingRounds, meetings, users } from '../db/schema';
import { getCampaign } from './campaigns';
import { prepared } from '../db/prepared';
import { meetingNotFound, meetingOfCampaign, meetingTopic, panelOf, questionsOf, roundCandidatesWithFacts, type MeetingRow } from './meeting';

const zero = (): Counts => ({ yes: 0, no: 0, abstain: 0 });

// the snapshot's statements, built once (server/db/prepared.ts): every watching process reads it after each vote
const meetingById = prepared((db) =>
  db
    .select()
    .from(meetings)
    .where(eq(meetings.id, sql.placeholder('meetingId')))
    .prepare('tally_meeting'),
);
const panelNames = prepared((db) =>
  db
    .select({ id: users.id, name: users.realName })
    .from(users)
    .where(sql`${users.id} = any(${sql.placeholder('ids')}::uuid[])`)
    .prepare('tally_panel_names'),
);
const signedIn = prepared((db) =>
  db
    .select({ id: meetingAttendance.expertId })
    .from(meetingAttendance)
    .where(eq(meetingAttendance.meetingId, sql.placeholder('meetingId')))
    .prepare('tally_signed_in'),
);
// the open round, else the last
const currentRound = prepared((db) =>
  db
    .select()
    .from(meetingRounds)
    .where(eq(meetingRounds.meetingId, sql.placeholder('meetingId')))
    .orderBy(sql`${meetingRounds.status} = 'open' desc`, desc(meetingRounds.number))
    .limit(1)
    .prepare('tally_current_round'),
);
const ballotStates = prepared((db) =>
  db
    .select({ expertId: ballots.expertId, status: ballots.status })
    .from(ballots)
    .where(eq(ballots.roundId, sql.placeholder('roundId')))
    .prepare('tally_ballot_states'),
);
const countedVotes = prepared((db) =>
  db
    .select({ applicationId: ballotVotes.applicationId, question: ballotVotes.question, choice: ballotVotes.choice, n: sql<number>`count(*)::int` })
    .from(ballotVotes)
    .innerJoin(ballots, eq(ballots.id, ballotVotes.ballotId))
    .where(and(eq(ballots.roundId, sql.placeholder('roundId')), eq(ballots.status, 'submitted')))
    .groupBy(ballotVotes.applicationId, ballotVotes.question, ballotVotes.choice)
    .orderBy(asc(ballotVotes.applicationId))
    .prepare('tally_counted_votes'),
);

async function meetingRow(db: Db, meetingId: string): Promise<MeetingRow | undefined> {
  const [m] = await meetingById(db).execute({ meetingId });
  return m;
}

export async function tallyOfMeeting(db: Db, m: MeetingRow): Promise<Tally> {
  const campaign = await getCampaign(db, m.campaignId);
  const panel = panelOf(m);
  const people = panel.length ? await panelNames(db).execute({ ids: panel }) : [];
  const names = new Map(people.map((p) => [p.id, p.name]));
  const signed = new Set((await signedIn(db).execute({ meetingId: m.id })).map((r) => r.id));
  const [round] = await currentRound(db).execute({ meetingId: m.id });
  const states = new Map<string, BallotState>();
  let tallyRound: Tally['round'] = null;
  const present = panel.filter((id) => signed.has(id)).length;
  if (round) {
    const rows = await ballotStates(db).execute({ roundId: round.id });
    for (const b of rows) states.set(b.expertId, b.status === 'submitted' ? 'submitted' : 'draft');
    const counted = await countedVotes(db).execute({ roundId: round.id });
    const questions = questionsOf(round);
    const counts = new Map<string, Record<Question, Counts>>();
    for (const c of counted) {
      let e = counts.get(c.applicationId);
      if (!e) counts.set(c.applicationId, (e = { win: zero(), national: zero() }));
      if (c.question in e && (c.choice === 'yes' || c.choice === 'no' || c.choice === 'abstain')) e[c.question as Question][c.choice] += Number(c.n);
    }
    const candidates = await roundCandidatesWithFacts(db, round);
    tallyRound = {
      id: round.id,
      number: round.number,
      purpose: round.purpose as RoundPurpose,
      questions,
      placesWin: round.placesWin,
      placesNational: round.placesNational,
      status: round.status === 'closed' ? 'closed' : 'open',
      threshold: round.threshold ?? thresholdOf(present, campaign.settings.selection.passShare),
      submitted: rows.filter((b) => b.status === 'submitted').length,
      candidates: candidates.map((c) => {
        const e = counts.get(c.applicationId);
        return {
          applicationId: c.applicationId,
          number: c.number,
          name: c.name,
          onlineRank: c.onlineRank,
          win: questions.includes('win') ? (e?.win ?? zero()) : null,
          national: questions.includes('national') ? (e?.national ?? zero()) : null,
        };
      }),
    };
  }
  return {
    meetingId: m.id,
    campaignId: m.campaignId,
    status: m.status === 'closed' ? 'closed' : 'open',
    panel: panel.map((id) => ({ expertId: id, name: names.get(id) ?? '', signedIn: signed.has(id), ballot: states.get(id) ?? 'none' })),
    present,
    round: tallyRound,
    at: new Date().toISOString(),
  };
}

export async function tallyOf(s: Services, campaignId: string): Promise<Tally> {
  await getCampaign(s.db, campaignId);
  const m = await meetingOfCampaign(s.db, campaignId);
  if (!m) throw meetingNotFound();
  return tallyOfMeeting(s.db, m);
}

/**
 * The least time between the starts of two reads of a meeting's snapshot in one process. A change after a quiet
 * moment is read at once; under a burst of votes (thirty experts submitting within seconds) the screens get at most
 * ten snapshots a second, each with every change so far, instead of one read after another for as long as the burst
 * lasts, each costing the database and this process as much as a vote.
 */
export const TALLY_MIN_INTERVAL_MS = 100;

/** One meeting's watching screens in this process. */
interface Watch {
  screens: Set<(json: string) => void>;
  unsubscribe: Promise<() => void>;
  reading: boolean;
  again: boolean;
  /** performance.now() at the start of the last read */
  lastRead: number;
}

const hubs = new WeakMap<Services, Map<string, Watch>>();

async function readAndSend(s: Services, meetingId: string, w: Watch): Promise<void> {
  if (w.reading) {
    w.again = true;
    return;
  }
  w.reading = true;
  try {
    do {
      const wait = w.lastRead + TALLY_MIN_INTERVAL_MS - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      // a change from here on is read again after this read
      w.again = false;
      w.lastRead = performance.now();
      const m = await meetingRow(s.db, meetingId);
      if (!m) return;
      const json = JSON.stringify(await tallyOfMeeting(s.db, m));
      for (const screen of w.screens) screen(json);
    } while (w.again && w.screens.size);
  } catch (err) {
    console.error(`计票推送失败：${(err as Error).message}`);
  } finally {
    w.reading = false;
  }
}

/**
 * A screen watching a meeting's tally: `send` gets the snapshot now and after every change. Returns the stop.
 */
export async function watchTally(s: Services, meetingId: string, send: (json: string) => void): Promise<() => void> {
  let hub = hubs.get(s);
  if (!hub) hubs.set(s, (hub = new Map()));
  let w = hub.get(meetingId);
  if (!w) {
    const created: Watch = { screens: new Set(), reading: false, again: false, lastRead: -Infinity, unsubscribe: Promise.resolve(() => {}) };
    created.unsubscribe = s.events.subscribe(meetingTopic(meetingId), () => void readAndSend(s, meetingId, created));
    hub.set(meetingId, (w = created));
  }
  const watch = w;
  watch.screens.add(send);
  try {
    await watch.unsubscribe;
  } catch (err) {
    watch.screens.delete(send);
    if (hub.get(meetingId) === watch && !watch.screens.size) hub.delete(meetingId);
    throw err;
  }
  // this screen's first snapshot (the others already have the current one)
  const m = await meetingRow(s.db, meetingId);
  if (m) send(JSON.stringify(await tallyOfMeeting(s.db, m)));
  return () => {
    watch.screens.delete(send);
    if (!watch.screens.size && hub.get(meetingId) === watch) {
      hub.delete(meetingId);
      void watch.unsubscribe.then((stop) => stop()).catch(() => {});
    }
  };
}
