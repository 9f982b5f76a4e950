// 集中评选: the expert's side (issue 14, 3.): 签到, the ballot of the open round, 保存 (draft) and 【提交选票】.
//
// The order of every check: the panel (not on it: 404, like any scope), the round still open (409: a vote after the
// close is refused, never counted), the window (403), 签到 (403), the votes against the ballot (400), the ballot not
// yet submitted (409). The round row is held FOR SHARE from the start of a vote to its commit, so the close (FOR UPDATE)
// waits for it or it waits for the close. One ballot per (expert, round) is the unique index: a write inserts the
// empty draft with ON CONFLICT DO NOTHING, then locks it FOR UPDATE. The ballot lists the round's candidates minus
// the expert's 回避: the declared ones (review_conflicts) and the automatic ones (core/review recusal: 本人, 同单位).
import { and, desc, eq, sql } from 'drizzle-orm';
import { recusalPairs, pairKey } from '../../core/review';
import {
  QUESTION_LABELS,
  ROUND_PURPOSE_LABELS,
  type BallotState,
  type BallotView,
  type BallotWriteReply,
  type Choice,
  type ExpertMeeting,
  type Question,
  type RoundCandidate,
  type RoundPurpose,
  type Vote,
} from '../../core/meeting';
import type { SessionUser } from '../auth/sessions';
import type { Services } from '../context';
import type { Db } from '../db/client';
import { prepared, preparedSql } from '../db/prepared';
import { ballots, ballotVotes, expertProfiles, meetingAttendance, meetingRoundCandidates, meetingRounds, meetings, reviewConflicts, users } from '../db/schema';
import { AppError } from '../errors';
import { getCampaign } from './campaigns';
import {
  meetingNotFound,
  meetingWindow,
  notifyMeeting,
  questionsOf,
  requireMeetingWindow,
  roundCandidatesForVote,
  roundCandidatesWithFacts,
  roundNotFound,
  type MeetingRow,
  type RecusalFacts,
  type RoundRow,
} from './meeting';

type BallotRow = typeof ballots.$inferSelect;

const onPanel = (userId: string | ReturnType<typeof sql.placeholder>) => sql`${meetings.panel} @> jsonb_build_array(${userId}::text)`;

// 【提交选票】's statements, built once (server/db/prepared.ts), as 【保存】's in review-sheets.ts: thirty experts vote
// at once, and Drizzle's building of each statement was a large part of a vote's own work (bench:review's meeting run).
const value = (name: string) => sql`${sql.placeholder(name)}`;
// the round, its meeting if the expert is on its panel, and when the expert signed in, in one statement; FOR SHARE of
// the round alone when voting (the round's close takes it FOR UPDATE)
const panelRoundOf = (lock: boolean) =>
  prepared((db) => {
    const q = db
      .select({ round: meetingRounds, meeting: meetings, signedInAt: meetingAttendance.signedInAt })
      .from(meetingRounds)
      .innerJoin(meetings, and(eq(meetings.id, meetingRounds.meetingId), onPanel(sql.placeholder('userId'))))
      .leftJoin(meetingAttendance, and(eq(meetingAttendance.meetingId, meetings.id), eq(meetingAttendance.expertId, sql.placeholder('userId'))))
      .where(eq(meetingRounds.id, sql.placeholder('roundId')));
    return lock ? q.for('share', { of: meetingRounds }).prepare('meeting_panel_round_for_share') : q.prepare('meeting_panel_round');
  });
const panelRoundRead = panelRoundOf(false);
const panelRoundShared = panelRoundOf(true);
const attendanceOf = prepared((db) =>
  db
    .select({ at: meetingAttendance.signedInAt })
    .from(meetingAttendance)
    .where(and(eq(meetingAttendance.meetingId, sql.placeholder('meetingId')), eq(meetingAttendance.expertId, sql.placeholder('expertId'))))
    .prepare('meeting_attendance_of'),
);
// the expert's 回避 facts and declared conflicts on a round's candidates, in one statement
const expertFacts = prepared((db) =>
  db
    .select({
      mobile: users.mobile,
      workUnit: expertProfiles.workUnit,
      idHash: expertProfiles.idHash,
      declared: sql<
        { applicationId: string; by: string; reason: string }[]
      >`coalesce((select jsonb_agg(jsonb_build_object('applicationId', rc.application_id, 'by', rc.declared_by, 'reason', rc.reason))
        from ${reviewConflicts} rc join ${meetingRoundCandidates} mrc on mrc.application_id = rc.application_id and mrc.round_id = ${sql.placeholder('roundId')}
        where rc.expert_id = ${users.id}), '[]'::jsonb)`,
    })
    .from(users)
    .leftJoin(expertProfiles, eq(expertProfiles.userId, users.id))
    .where(eq(users.id, sql.placeholder('userId')))
    .prepare('meeting_expert_facts'),
);
const ballotCreate = prepared((db) =>
  db
    .insert(ballots)
    .values({ roundId: value('roundId'), expertId: value('expertId') })
    .onConflictDoNothing()
    .returning({ id: ballots.id })
    .prepare('meeting_ballot_create'),
);
const ballotOf = (lock: boolean) =>
  prepared((db) => {
    const q = db
      .select()
      .from(ballots)
      .where(and(eq(ballots.roundId, sql.placeholder('roundId')), eq(ballots.expertId, sql.placeholder('expertId'))));
    return lock ? q.for('update').prepare('meeting_ballot_for_update') : q.prepare('meeting_ballot');
  });
const ballotRead = ballotOf(false);
const ballotLocked = ballotOf(true);
const votesOf = prepared((db) =>
  db
    .select()
    .from(ballotVotes)
    .where(eq(ballotVotes.ballotId, sql.placeholder('ballotId')))
    .prepare('meeting_ballot_votes'),
);
const ballotWrite = prepared((db) =>
  db
    .update(ballots)
    .set({ status: value('status'), submittedAt: value('submittedAt'), updatedAt: value('now') })
    .where(eq(ballots.id, sql.placeholder('id')))
    .returning()
    .prepare('meeting_ballot_write'),
);

/**
 * The votes given, in one statement of two parameters whatever their number (a 【提交选票】 of 40 candidates carries
 * 80): the last vote for a pair wins.
 */
const votesWrite = preparedSql(
  'meeting_votes_write',
  sql`insert into ${ballotVotes} (ballot_id, application_id, question, choice)
    select ${sql.placeholder('ballotId')}::uuid, x.a, x.q, x.c from jsonb_to_recordset(${sql.placeholder('rows')}::jsonb) as x(a uuid, q text, c text)
    on conflict (ballot_id, application_id, question) do update set choice = excluded.choice`,
);
async function writeVotes(db: Db, ballotId: string, votes: Vote[]): Promise<void> {
  const rows = JSON.stringify(votes.map((v) => ({ a: v.applicationId, q: v.question, c: v.choice })));
  await votesWrite(db).execute({ ballotId, rows });
}

async function signedInAt(db: Db, meetingId: string, expertId: string): Promise<Date | null> {
  const [row] = await attendanceOf(db).execute({ meetingId, expertId });
  return row?.at ?? null;
}

async function presentExpertMeeting(db: Db, user: SessionUser, m: MeetingRow): Promise<ExpertMeeting> {
  const campaign = await getCampaign(db, m.campaignId);
  const at = await signedInAt(db, m.id, user.id);
  const [round] = await db
    .select()
    .from(meetingRounds)
    .where(and(eq(meetingRounds.meetingId, m.id), eq(meetingRounds.status, 'open')));
  const [ballot] = round
    ? await db
        .select()
        .from(ballots)
        .where(and(eq(ballots.roundId, round.id), eq(ballots.expertId, user.id)))
    : [];
  return {
    meetingId: m.id,
    campaignId: m.campaignId,
    campaignTitle: campaign.title,
    status: m.status === 'closed' ? 'closed' : 'open',
    window: meetingWindow(campaign),
    signedIn: at !== null,
    signedInAt: at?.toISOString() ?? null,
    round: round
      ? {
          id: round.id,
          number: round.number,
          purpose: round.purpose as RoundPurpose,
          purposeLabel: ROUND_PURPOSE_LABELS[round.purpose as RoundPurpose] ?? '',
          questions: questionsOf(round),
        }
      : null,
    ballot: ballotState(ballot),
  };
}

const ballotState = (b: BallotRow | undefined): BallotState => (b ? (b.status === 'submitted' ? 'submitted' : 'draft') : 'none');

/** The meetings whose panel holds the expert, newest first. */
export async function myMeetings(s: Services, user: SessionUser): Promise<ExpertMeeting[]> {
  const rows = await s.db.select().from(meetings).where(onPanel(user.id)).orderBy(desc(meetings.openedAt));
  return Promise.all(rows.map((m) => presentExpertMeeting(s.db, user, m)));
}

async function panelMeeting(db: Db, user: SessionUser, where: ReturnType<typeof eq>): Promise<MeetingRow> {
  const [m] = await db
    .select()
    .from(meetings)
    .where(and(where, onPanel(user.id)));
  if (!m) throw meetingNotFound();
  return m;
}

/** 签到: once per meeting (a second is answered as the first, unchanged); within the window, while the meeting is open. */
export async function signIn(s: Services, user: SessionUser, campaignId: string): Promise<ExpertMeeting> {
  return s.db.transaction(async (tx) => {
    const m = await panelMeeting(tx, user, eq(meetings.campaignId, campaignId));
    if (m.status === 'closed') throw new AppError('CONFLICT', '集中评选会议已结束，不能再签到');
    requireMeetingWindow(await getCampaign(tx, m.campaignId), '签到');
    const created = await tx.insert(meetingAttendance).values({ meetingId: m.id, expertId: user.id }).onConflictDoNothing().returning();
    if (created.length) await notifyMeeting(tx, m.id);
    return presentExpertMeeting(tx, user, m);
  });
}

/** The expert's round and meeting, and when they signed in: 404 unless the round's meeting has them on its panel. */
async function panelRound(
  db: Db,
  user: SessionUser,
  roundId: string,
  lock?: 'share',
): Promise<{ round: RoundRow; meeting: MeetingRow; signedInAt: Date | null }> {
  const [row] = await (lock ? panelRoundShared : panelRoundRead)(db).execute({ roundId, userId: user.id });
  if (!row) throw roundNotFound();
  return row;
}

/** The round's candidates the expert may vote on: minus the declared and the automatic 回避. */
async function ballotCandidates(db: Db, user: SessionUser, round: RoundRow): Promise<RoundCandidate[]> {
  const all = await roundCandidatesWithFacts(db, round);
  return (await withoutRecused(db, user, round, all)).map(({ mobile: _m, idHash: _i, unitName: _u, ...c }) => c);
}

/** `all` (a round's candidates with their 回避 facts) minus the expert's declared and automatic 回避. */
async function withoutRecused<C extends { applicationId: string } & RecusalFacts & { workUnit: string }>(
  db: Db,
  user: SessionUser,
  round: RoundRow,
  all: C[],
): Promise<C[]> {
  if (!all.length) return all;
  const [expert] = await expertFacts(db).execute({ roundId: round.id, userId: user.id });
  const recused = recusalPairs(
    // the keyed hashes of the 身份证号码 stand for the numbers: equal numbers have equal hashes
    [{ id: user.id, workUnit: expert?.workUnit ?? null, mobile: expert?.mobile ?? null, idNumber: expert?.idHash ?? null }],
    all.map((c) => ({ id: c.applicationId, workUnit: c.workUnit, unitName: c.unitName, mobile: c.mobile, idNumber: c.idHash })),
    (expert?.declared ?? []).map((d) => ({
      expertId: user.id,
      candidateId: d.applicationId,
      by: d.by === 'organizer' ? 'organizer' : 'expert',
      reason: d.reason,
    })),
  );
  return all.filter((c) => !recused.has(pairKey(user.id, c.applicationId)));
}

async function presentBallot(db: Db, user: SessionUser, round: RoundRow, candidates: RoundCandidate[]): Promise<BallotView> {
  const [ballot] = await ballotRead(db).execute({ roundId: round.id, expertId: user.id });
  const votes = ballot ? await votesOf(db).execute({ ballotId: ballot.id }) : [];
  const questions = questionsOf(round);
  const given = new Map(votes.map((v) => [`${v.applicationId}\u001f${v.question}`, v.choice as Choice]));
  const choice = (applicationId: string, q: Question) => (questions.includes(q) ? (given.get(`${applicationId}\u001f${q}`) ?? null) : null);
  return {
    roundId: round.id,
    number: round.number,
    purpose: round.purpose as RoundPurpose,
    purposeLabel: ROUND_PURPOSE_LABELS[round.purpose as RoundPurpose] ?? '',
    questions,
    roundOpen: round.status === 'open',
    state: ballotState(ballot),
    submittedAt: ballot?.submittedAt?.toISOString() ?? null,
    candidates: candidates.map((c) => ({ ...c, votes: { win: choice(c.applicationId, 'win'), national: choice(c.applicationId, 'national') } })),
  };
}

function requireSignedIn(signedInAt: Date | null, action: string) {
  if (!signedInAt) throw new AppError('FORBIDDEN', `您尚未签到，请先在集中评选页面【签到】后再${action}`);
}

/** The expert's ballot for a round of their meeting (signed in; a closed round is shown read-only with their votes). */
export async function getBallot(s: Services, user: SessionUser, roundId: string): Promise<BallotView> {
  const { round, signedInAt } = await panelRound(s.db, user, roundId);
  requireSignedIn(signedInAt, '查看选票');
  return presentBallot(s.db, user, round, await ballotCandidates(s.db, user, round));
}

/** 保存 (draft: the given votes set, others kept) or 【提交选票】 (every candidate and question voted; immutable after). */
export async function writeBallot(s: Services, user: SessionUser, roundId: string, given: Vote[], mode: 'save' | 'submit'): Promise<BallotWriteReply> {
  return s.db.transaction(async (tx) => {
    // FOR SHARE until commit: the round's close (FOR UPDATE) is ordered against this vote
    const { round, meeting, signedInAt } = await panelRound(tx, user, roundId, 'share');
    if (round.status !== 'open' || meeting.status !== 'open') {
      throw new AppError('CONFLICT', `第${round.number}轮投票已结束，本次${mode === 'submit' ? '提交' : '投票'}未被计入`);
    }
    requireMeetingWindow(await getCampaign(tx, round.campaignId), mode === 'submit' ? '提交选票' : '投票');
    requireSignedIn(signedInAt, '投票');
    const candidates = await withoutRecused(tx, user, round, await roundCandidatesForVote(tx, round.id));
    const listed = new Set(candidates.map((c) => c.applicationId));
    const questions = questionsOf(round);
    // the votes given, by candidate (the last vote given for a pair wins): no key strings made per vote
    const chosen = new Map<string, Partial<Record<Question, Choice>>>();
    for (const v of given) {
      if (!listed.has(v.applicationId)) throw new AppError('VALIDATION', '投票：所投候选人不在您本轮的选票上，请刷新页面');
      if (!questions.includes(v.question)) throw new AppError('VALIDATION', `投票：本轮不表决“${QUESTION_LABELS[v.question]}”`);
      let votes = chosen.get(v.applicationId);
      if (!votes) chosen.set(v.applicationId, (votes = {}));
      votes[v.question] = v.choice;
    }
    const created = await ballotCreate(tx).execute({ roundId: round.id, expertId: user.id });
    const [ballot] = await ballotLocked(tx).execute({ roundId: round.id, expertId: user.id });
    if (ballot!.status === 'submitted') throw new AppError('CONFLICT', `您已提交第${round.number}轮选票，选票不能再修改`);
    if (chosen.size) {
      const rows: Vote[] = [];
      for (const [applicationId, votes] of chosen) for (const q of questions) if (votes[q]) rows.push({ applicationId, question: q, choice: votes[q] });
      await writeVotes(tx, ballot!.id, rows);
    }
    const now = new Date();
    // the ballot's votes now: the given when they hold every candidate and question of the ballot (a 【提交选票】 from
    // the page sends them all; votes kept from before on a candidate since 回避'd are never shown), else read back
    const complete = candidates.every((c) => {
      const votes = chosen.get(c.applicationId);
      return votes !== undefined && questions.every((q) => votes[q] !== undefined);
    });
    let held = chosen;
    if (!complete) {
      held = new Map();
      for (const v of await votesOf(tx).execute({ ballotId: ballot!.id })) {
        if (!listed.has(v.applicationId) || !questions.includes(v.question as Question)) continue;
        let votes = held.get(v.applicationId);
        if (!votes) held.set(v.applicationId, (votes = {}));
        votes[v.question as Question] = v.choice as Choice;
      }
    }
    let updated: BallotRow;
    if (mode === 'submit') {
      const missing = candidates.flatMap((c) =>
        questions.filter((q) => held.get(c.applicationId)?.[q] === undefined).map((q) => `${c.name}（${QUESTION_LABELS[q]}）`),
      );
      if (missing.length) {
        const shown = missing.slice(0, 5).join('、');
        throw new AppError(
          'VALIDATION',
          `投票：尚有${missing.length}项未表决：${shown}${missing.length > 5 ? '等' : ''}；请对每位候选人的每项表决事项选择赞成、反对或弃权后再提交`,
        );
      }
      [updated] = (await ballotWrite(tx).execute({ id: ballot!.id, status: 'submitted', submittedAt: now, now })) as [BallotRow];
    } else {
      [updated] = (await ballotWrite(tx).execute({ id: ballot!.id, status: ballot!.status, submittedAt: ballot!.submittedAt, now })) as [BallotRow];
    }
    // the 计票 shows who has a draft and who has submitted: a change of either is news; a draft's votes are not
    if (mode === 'submit' || created.length) await notifyMeeting(tx, meeting.id);
    // the votes on this ballot's candidates and questions, in the ballot's order (a candidate since 回避'd, never
    // shown, is left out)
    const votes: Vote[] = [];
    for (const c of candidates) {
      const mine = held.get(c.applicationId);
      if (mine) for (const q of questions) if (mine[q]) votes.push({ applicationId: c.applicationId, question: q, choice: mine[q] });
    }
    return { roundId: round.id, roundOpen: true, state: ballotState(updated), submittedAt: updated.submittedAt?.toISOString() ?? null, votes };
  });
}
