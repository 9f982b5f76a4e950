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
import { ballots, ballotVotes, expertProfiles, meetingAttendance, meetingRoundCandidates, meetingRounds, meetings, reviewConflicts, users } from '../db/schema';
import { AppError } from '../errors';
import { getCampaign } from './campaigns';
import {
  meetingNotFound,
  meetingWindow,
  notifyMeeting,
  questionsOf,
  requireMeetingWindow,
  roundCandidatesWithFacts,
  roundNotFound,
  type MeetingRow,
  type RoundRow,
} from './meeting';

type BallotRow = typeof ballots.$inferSelect;

const onPanel = (userId: string) => sql`${meetings.panel} @> jsonb_build_array(${userId}::text)`;

async function signedInAt(db: Db, meetingId: string, expertId: string): Promise<Date | null> {
  const [row] = await db
    .select({ at: meetingAttendance.signedInAt })
    .from(meetingAttendance)
    .where(and(eq(meetingAttendance.meetingId, meetingId), eq(meetingAttendance.expertId, expertId)));
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

/** The expert's round and meeting: 404 unless the round's meeting has them on its panel. */
async function panelRound(db: Db, user: SessionUser, roundId: string, lock?: 'share'): Promise<{ round: RoundRow; meeting: MeetingRow }> {
  const q = db.select().from(meetingRounds).where(eq(meetingRounds.id, roundId));
  const [round] = lock ? await q.for(lock) : await q;
  if (!round) throw roundNotFound();
  const [meeting] = await db
    .select()
    .from(meetings)
    .where(and(eq(meetings.id, round.meetingId), onPanel(user.id)));
  if (!meeting) throw roundNotFound();
  return { round, meeting };
}

/** The round's candidates the expert may vote on: minus the declared and the automatic 回避. */
async function ballotCandidates(db: Db, user: SessionUser, round: RoundRow): Promise<RoundCandidate[]> {
  const all = await roundCandidatesWithFacts(db, round);
  if (!all.length) return all;
  // the expert's 回避 facts and declared conflicts on this round's candidates, in one statement
  const [expert] = await db
    .select({
      mobile: users.mobile,
      workUnit: expertProfiles.workUnit,
      idHash: expertProfiles.idHash,
      declared: sql<
        { applicationId: string; by: string; reason: string }[]
      >`coalesce((select jsonb_agg(jsonb_build_object('applicationId', rc.application_id, 'by', rc.declared_by, 'reason', rc.reason))
        from ${reviewConflicts} rc join ${meetingRoundCandidates} mrc on mrc.application_id = rc.application_id and mrc.round_id = ${round.id}
        where rc.expert_id = ${users.id}), '[]'::jsonb)`,
    })
    .from(users)
    .leftJoin(expertProfiles, eq(expertProfiles.userId, users.id))
    .where(eq(users.id, user.id));
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
  return all.filter((c) => !recused.has(pairKey(user.id, c.applicationId))).map(({ mobile: _m, idHash: _i, unitName: _u, ...c }) => c);
}

type VoteRow = typeof ballotVotes.$inferSelect;

async function presentBallot(
  db: Db,
  user: SessionUser,
  round: RoundRow,
  candidates: RoundCandidate[],
  known?: { ballot: BallotRow; votes: VoteRow[] },
): Promise<BallotView> {
  const [ballot] = known
    ? [known.ballot]
    : await db
        .select()
        .from(ballots)
        .where(and(eq(ballots.roundId, round.id), eq(ballots.expertId, user.id)));
  const votes = known ? known.votes : ballot ? await db.select().from(ballotVotes).where(eq(ballotVotes.ballotId, ballot.id)) : [];
  const questions = questionsOf(round);
  const choice = (applicationId: string, q: Question) =>
    questions.includes(q) ? ((votes.find((v) => v.applicationId === applicationId && v.question === q)?.choice as Choice | undefined) ?? null) : null;
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

async function requireSignedIn(db: Db, meeting: MeetingRow, user: SessionUser, action: string) {
  if (!(await signedInAt(db, meeting.id, user.id))) throw new AppError('FORBIDDEN', `您尚未签到，请先在集中评选页面【签到】后再${action}`);
}

/** The expert's ballot for a round of their meeting (signed in; a closed round is shown read-only with their votes). */
export async function getBallot(s: Services, user: SessionUser, roundId: string): Promise<BallotView> {
  const { round, meeting } = await panelRound(s.db, user, roundId);
  await requireSignedIn(s.db, meeting, user, '查看选票');
  return presentBallot(s.db, user, round, await ballotCandidates(s.db, user, round));
}

/** 保存 (draft: the given votes set, others kept) or 【提交选票】 (every candidate and question voted; immutable after). */
export async function writeBallot(s: Services, user: SessionUser, roundId: string, given: Vote[], mode: 'save' | 'submit'): Promise<BallotView> {
  return s.db.transaction(async (tx) => {
    // FOR SHARE until commit: the round's close (FOR UPDATE) is ordered against this vote
    const { round, meeting } = await panelRound(tx, user, roundId, 'share');
    if (round.status !== 'open' || meeting.status !== 'open') {
      throw new AppError('CONFLICT', `第${round.number}轮投票已结束，本次${mode === 'submit' ? '提交' : '投票'}未被计入`);
    }
    requireMeetingWindow(await getCampaign(tx, round.campaignId), mode === 'submit' ? '提交选票' : '投票');
    await requireSignedIn(tx, meeting, user, '投票');
    const candidates = await ballotCandidates(tx, user, round);
    const listed = new Map(candidates.map((c) => [c.applicationId, c]));
    const questions = questionsOf(round);
    for (const v of given) {
      if (!listed.has(v.applicationId)) throw new AppError('VALIDATION', '投票：所投候选人不在您本轮的选票上，请刷新页面');
      if (!questions.includes(v.question)) throw new AppError('VALIDATION', `投票：本轮不表决“${QUESTION_LABELS[v.question]}”`);
    }
    const created = await tx.insert(ballots).values({ roundId: round.id, expertId: user.id }).onConflictDoNothing().returning({ id: ballots.id });
    const [ballot] = await tx
      .select()
      .from(ballots)
      .where(and(eq(ballots.roundId, round.id), eq(ballots.expertId, user.id)))
      .for('update');
    if (ballot!.status === 'submitted') throw new AppError('CONFLICT', `您已提交第${round.number}轮选票，选票不能再修改`);
    // the last vote given for a pair wins
    const unique = new Map(given.map((v) => [`${v.applicationId}\u001f${v.question}`, v]));
    if (unique.size) {
      await tx
        .insert(ballotVotes)
        .values([...unique.values()].map((v) => ({ ballotId: ballot!.id, applicationId: v.applicationId, question: v.question, choice: v.choice })))
        .onConflictDoUpdate({ target: [ballotVotes.ballotId, ballotVotes.applicationId, ballotVotes.question], set: { choice: sql`excluded.choice` } });
    }
    const now = new Date();
    const votes = await tx.select().from(ballotVotes).where(eq(ballotVotes.ballotId, ballot!.id));
    let updated: BallotRow;
    if (mode === 'submit') {
      const have = new Set(votes.map((v) => `${v.applicationId}\u001f${v.question}`));
      const missing = candidates.flatMap((c) =>
        questions.filter((q) => !have.has(`${c.applicationId}\u001f${q}`)).map((q) => `${c.name}（${QUESTION_LABELS[q]}）`),
      );
      if (missing.length) {
        const shown = missing.slice(0, 5).join('、');
        throw new AppError(
          'VALIDATION',
          `投票：尚有${missing.length}项未表决：${shown}${missing.length > 5 ? '等' : ''}；请对每位候选人的每项表决事项选择赞成、反对或弃权后再提交`,
        );
      }
      [updated] = (await tx.update(ballots).set({ status: 'submitted', submittedAt: now, updatedAt: now }).where(eq(ballots.id, ballot!.id)).returning()) as [
        BallotRow,
      ];
    } else {
      [updated] = (await tx.update(ballots).set({ updatedAt: now }).where(eq(ballots.id, ballot!.id)).returning()) as [BallotRow];
    }
    // the 计票 shows who has a draft and who has submitted: a change of either is news; a draft's votes are not
    if (mode === 'submit' || created.length) await notifyMeeting(tx, meeting.id);
    return presentBallot(tx, user, round, candidates, { ballot: updated, votes });
  });
}
