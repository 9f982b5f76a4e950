// 计票 (issue 14, 4.), the organizer's only: the panel, who signed in, who has a draft or submitted ballot, and the
// counts of the submitted ballots per candidate and question. The snapshot is read whole from the database; the
// Server-Sent Events stream of each watching screen gets it again after every change of the meeting, whichever
// instance made the change (server/events.ts). Per process and meeting one subscription is held and one snapshot is
// read at a time for all its screens: changes arriving during a read cause one more read, not one per change, and
// reads start at least TALLY_MIN_INTERVAL_MS apart.
import { eq, sql } from 'drizzle-orm';
import { thresholdOf, type BallotState, type Counts, type Question, type RoundPurpose, type Tally } from '../../core/meeting';
import type { Services } from '../context';
import type { Db } from '../db/client';
import { meetings } from '../db/schema';
import { getCampaign } from './campaigns';
import { prepared } from '../db/prepared';
import { meetingNotFound, meetingOfCampaign, meetingTopic, panelOf, questionsOf } from './meeting';

const zero = (): Counts => ({ yes: 0, no: 0, abstain: 0 });

/** The meeting's round the 计票 shows: the open one, else the last. */
const shownRoundId = sql`(select r.id from meeting_rounds r where r.meeting_id = "meetings"."id" order by r.status = 'open' desc, r.number desc limit 1)`;

/**
 * The whole snapshot in one statement, built once (server/db/prepared.ts): the meeting, the panel's names, who signed
 * in, the shown round, its ballots' states, the counts of its submitted ballots and its candidates, the lists as JSON
 * arrays that the driver parses natively. Every watching process reads it up to ten times a second while experts
 * vote, so it is one round trip and one row to map, not seven statements' (bench/README "Session 24"). Plain SQL with
 * aliases: inside a one-table select Drizzle writes a column without its table, which a subquery would misread.
 *
 * The votes are read ballot by ballot through ballot_votes' primary key (the lateral subquery's `offset 0` keeps the
 * planner from turning it into a join): a join let PostgreSQL choose, at some table sizes, a hash join that reads every
 * vote of every round — 35 ms and a parallel worker, ten times a second — where the round's 30 ballots need 2,400 rows.
 */
const snapshot = prepared((db) =>
  db
    .select({
      id: meetings.id,
      campaignId: meetings.campaignId,
      status: meetings.status,
      panel: meetings.panel,
      names: sql<[string, string][]>`(select coalesce(json_agg(json_build_array(u.id, u.real_name)), '[]'::json) from users u
        where u.id in (select jsonb_array_elements_text(case jsonb_typeof("meetings"."panel") when 'array' then "meetings"."panel" else '[]'::jsonb end)::uuid))`,
      signed: sql<string[]>`(select coalesce(json_agg(a.expert_id), '[]'::json) from meeting_attendance a where a.meeting_id = "meetings"."id")`,
      round: sql<ShownRound | null>`(select json_build_object('id', r.id, 'number', r.number, 'purpose', r.purpose, 'questions', r.questions,
        'placesWin', r.places_win, 'placesNational', r.places_national, 'status', r.status, 'threshold', r.threshold, 'campaignId', r.campaign_id)
        from meeting_rounds r where r.id = ${shownRoundId})`,
      states: sql<[string, string][]>`(select coalesce(json_agg(json_build_array(b.expert_id, b.status)), '[]'::json) from ballots b
        where b.round_id = ${shownRoundId})`,
      counts: sql<[string, string, string, number][]>`(select coalesce(json_agg(json_build_array(x.application_id, x.question, x.choice, x.n)), '[]'::json)
        from (select v.application_id, v.question, v.choice, count(*)::int as n
          from ballots b cross join lateral (select v.application_id, v.question, v.choice from ballot_votes v where v.ballot_id = b.id offset 0) v
          where b.round_id = ${shownRoundId} and b.status = 'submitted'
          group by 1, 2, 3) x)`,
      candidates: sql<
        [string, string, string, unknown][]
      >`(select coalesce(json_agg(json_build_array(c.application_id, a.number, a.applicant_name, e.online->'rank')
          order by c.position), '[]'::json)
        from meeting_round_candidates c join applications a on a.id = c.application_id
          left join shortlist_entries e on e.campaign_id = "meetings"."campaign_id" and e.application_id = c.application_id
        where c.round_id = ${shownRoundId})`,
    })
    .from(meetings)
    .where(eq(meetings.id, sql.placeholder('meetingId')))
    .prepare('tally_snapshot'),
);

interface ShownRound {
  id: string;
  number: number;
  purpose: string;
  questions: unknown;
  placesWin: number;
  placesNational: number;
  status: string;
  threshold: number | null;
  campaignId: string;
}

/** The 计票 of a meeting now; undefined when there is no such meeting. */
export async function readTally(db: Db, meetingId: string): Promise<Tally | undefined> {
  const [m] = await snapshot(db).execute({ meetingId });
  if (!m) return undefined;
  const panel = panelOf(m);
  const names = new Map(m.names);
  const signed = new Set(m.signed);
  const present = panel.filter((id) => signed.has(id)).length;
  const states = new Map<string, BallotState>();
  let tallyRound: Tally['round'] = null;
  const round = m.round;
  if (round) {
    let submitted = 0;
    for (const [expertId, status] of m.states) {
      states.set(expertId, status === 'submitted' ? 'submitted' : 'draft');
      if (status === 'submitted') submitted++;
    }
    const questions = questionsOf(round);
    const counts = new Map<string, Record<Question, Counts>>();
    for (const [applicationId, question, choice, n] of m.counts) {
      let e = counts.get(applicationId);
      if (!e) counts.set(applicationId, (e = { win: zero(), national: zero() }));
      if (question in e && (choice === 'yes' || choice === 'no' || choice === 'abstain')) e[question as Question][choice] += Number(n);
    }
    // the threshold with the experts present now, until the close fixes it
    const threshold = round.threshold ?? thresholdOf(present, (await getCampaign(db, round.campaignId)).settings.selection.passShare);
    tallyRound = {
      id: round.id,
      number: round.number,
      purpose: round.purpose as RoundPurpose,
      questions,
      placesWin: round.placesWin,
      placesNational: round.placesNational,
      status: round.status === 'closed' ? 'closed' : 'open',
      threshold,
      submitted,
      candidates: m.candidates.map(([applicationId, number, name, rank]) => {
        const e = counts.get(applicationId);
        return {
          applicationId,
          number,
          name,
          onlineRank: typeof rank === 'number' ? rank : null,
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
  const tally = m && (await readTally(s.db, m.id));
  if (!tally) throw meetingNotFound();
  return tally;
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
      const tally = await readTally(s.db, meetingId);
      if (!tally) return;
      const json = JSON.stringify(tally);
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
  const tally = await readTally(s.db, meetingId);
  if (tally) send(JSON.stringify(tally));
  return () => {
    watch.screens.delete(send);
    if (!watch.screens.size && hub.get(meetingId) === watch) {
      hub.delete(meetingId);
      void watch.unsubscribe.then((stop) => stop()).catch(() => {});
    }
  };
}
