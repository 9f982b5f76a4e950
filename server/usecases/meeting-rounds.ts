// 集中评选's 轮次 (issue 14, 2.): the organizer starts a round (the proposed one, or one of their own choosing among
// the 入围名单) and closes it. Closing is atomic with the ballots: it locks the round row FOR UPDATE, while every vote
// and 【提交选票】 holds it FOR SHARE (meeting-ballots.ts), so a submit either commits before the close and is counted,
// or waits, sees the round closed and is refused. Only submitted ballots count; core/meeting closeRound decides.
import { and, asc, eq, inArray, lt, sql } from 'drizzle-orm';
import writeXlsxFile from 'write-excel-file/node';
import {
  CHOICE_LABELS,
  closeRound as decideClose,
  QUESTION_LABELS,
  QUESTIONS,
  ROUND_PURPOSE_LABELS,
  standingOf,
  type Choice,
  type Question,
  type RoundPurpose,
  type RoundResult,
  type RoundView,
  type StartRoundRequest,
  type MeetingView,
} from '../../core/meeting';
import type { SessionUser } from '../auth/sessions';
import { audit } from '../audit';
import type { Services } from '../context';
import { isUniqueViolation } from '../db/client';
import { ballots, ballotVotes, meetingAttendance, meetingRoundCandidates, meetingRounds, meetings } from '../db/schema';
import { AppError } from '../errors';
import { getCampaign } from './campaigns';
import {
  loadShortlist,
  meetingNotFound,
  meetingOfCampaign,
  notifyMeeting,
  panelOf,
  presentMeeting,
  presentRound,
  proposalOf,
  questionsOf,
  requireMeetingWindow,
  roundCandidates,
  roundNotFound,
  type RoundRow,
} from './meeting';

/** 开始投票: a new round of the open meeting (one open round at a time; the partial unique index enforces it). */
export async function startRound(s: Services, user: SessionUser, campaignId: string, input: StartRoundRequest): Promise<MeetingView> {
  return s.db.transaction(async (tx) => {
    const campaign = await getCampaign(tx, campaignId);
    // the meeting's row lock orders two starts (the round number) and a start against the meeting's close
    const m = await meetingOfCampaign(tx, campaignId, 'update');
    if (!m) throw new AppError('CONFLICT', '集中评选会议尚未召开，请先召开会议');
    if (m.status === 'closed') throw new AppError('CONFLICT', '集中评选会议已结束，不能再开始投票');
    requireMeetingWindow(campaign, '开始投票');
    const rounds = await tx.select().from(meetingRounds).where(eq(meetingRounds.meetingId, m.id)).orderBy(asc(meetingRounds.number));
    const open = rounds.find((r) => r.status === 'open');
    if (open) throw new AppError('CONFLICT', `第${open.number}轮投票尚未结束，请先结束该轮投票`);
    const shortlist = await loadShortlist(tx, campaignId);
    if (!shortlist.length) throw new AppError('CONFLICT', '入围名单为空，请先生成入围名单');
    const proposal = await proposalOf(tx, campaign, rounds);
    if (!proposal && !input.candidateIds) {
      throw new AppError('CONFLICT', '各项名额均已产生，无需再投票；如需另行投票，请选择候选人');
    }
    const inList = new Set(shortlist.map((c) => c.applicationId));
    const wanted = input.candidateIds ? [...new Set(input.candidateIds)] : proposal!.candidates;
    const outside = wanted.filter((id) => !inList.has(id));
    if (outside.length) throw new AppError('VALIDATION', `所选候选人中有${outside.length}位不在入围名单中，请刷新后重新选择`);
    // candidates in the 入围名单's order
    const candidates = shortlist.map((c) => c.applicationId).filter((id) => wanted.includes(id));
    const questions = QUESTIONS.filter((q) => (input.questions ?? proposal?.questions ?? QUESTIONS).includes(q));
    // a question's places: given, else the proposal's when it asks the question, else the places still open
    const standing = standingOf(rounds.filter((r) => r.status === 'closed').map((r) => ({ questions: questionsOf(r), result: r.result as RoundResult })));
    const totals = { win: campaign.settings.winners, national: campaign.settings.nationalRecommendees };
    const placesOf = (q: Question, given: number | undefined, proposed: number | undefined) =>
      !questions.includes(q) ? 0 : (given ?? (proposal?.questions.includes(q) ? proposed : undefined) ?? Math.max(0, totals[q] - standing.elected[q].length));
    const placesWin = placesOf('win', input.placesWin, proposal?.placesWin);
    const placesNational = placesOf('national', input.placesNational, proposal?.placesNational);
    if (questions.includes('win') && placesWin < 1) throw new AppError('VALIDATION', '当选名额：应至少为1（当选名额均已产生时，请填写本轮名额）');
    if (questions.includes('national') && placesNational < 1)
      throw new AppError('VALIDATION', '全国推荐名额：应至少为1（全国推荐名额均已产生时，请填写本轮名额）');
    const purpose: RoundPurpose = input.purpose ?? proposal?.purpose ?? (rounds.length ? 'fill' : 'main');
    const number = (rounds.at(-1)?.number ?? 0) + 1;
    let round: RoundRow;
    try {
      [round] = (await tx
        .insert(meetingRounds)
        .values({ meetingId: m.id, campaignId, number, purpose, questions, placesWin, placesNational, openedBy: user.id })
        .returning()) as [RoundRow];
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('CONFLICT', '已有一轮投票正在进行，请刷新页面');
      throw err;
    }
    await tx.insert(meetingRoundCandidates).values(candidates.map((applicationId, position) => ({ roundId: round.id, applicationId, position })));
    await audit(tx, user.id, 'meeting.round_start', 'meeting_round', round.id, {
      campaignId,
      number,
      purpose,
      questions,
      placesWin,
      placesNational,
      candidates,
    });
    await notifyMeeting(tx, m.id);
    return presentMeeting(tx, m);
  });
}

/** A round of any meeting, for the organizer (404 when there is none). */
export async function loadRound(db: Services['db'], roundId: string, lock?: 'update' | 'share'): Promise<RoundRow> {
  const q = db.select().from(meetingRounds).where(eq(meetingRounds.id, roundId));
  const [row] = lock ? await q.for(lock) : await q;
  if (!row) throw roundNotFound();
  return row;
}

export async function getRound(s: Services, roundId: string): Promise<RoundView> {
  return presentRound(s.db, await loadRound(s.db, roundId));
}

/**
 * 结束本轮投票: under the round's row lock, count the submitted ballots, apply the threshold to the experts present,
 * decide elected and tied, propose the next round, and store it all on the round (present, threshold, result).
 */
export async function closeRoundOf(s: Services, user: SessionUser, roundId: string): Promise<RoundView> {
  return s.db.transaction(async (tx) => {
    const round = await loadRound(tx, roundId, 'update');
    if (round.status === 'closed') throw new AppError('CONFLICT', `第${round.number}轮投票已结束，不能重复结束`);
    const campaign = await getCampaign(tx, round.campaignId);
    const [meeting] = await tx.select().from(meetings).where(eq(meetings.id, round.meetingId));
    if (!meeting) throw meetingNotFound();
    const panel = panelOf(meeting);
    const attendance = await tx.select({ expertId: meetingAttendance.expertId }).from(meetingAttendance).where(eq(meetingAttendance.meetingId, meeting.id));
    const present = attendance.filter((a) => panel.includes(a.expertId)).length;
    // the submitted ballots, then their votes by ballot_votes' primary key: a join let PostgreSQL choose, at some table
    // sizes, a hash join reading every vote of every round (see meeting-tally.ts)
    const submitted = (
      await tx
        .select({ id: ballots.id })
        .from(ballots)
        .where(and(eq(ballots.roundId, round.id), eq(ballots.status, 'submitted')))
    ).map((b) => b.id);
    const votes = submitted.length
      ? await tx
          .select({ applicationId: ballotVotes.applicationId, question: ballotVotes.question, choice: ballotVotes.choice })
          .from(ballotVotes)
          .where(inArray(ballotVotes.ballotId, submitted))
      : [];
    const earlier = await tx
      .select()
      .from(meetingRounds)
      .where(and(eq(meetingRounds.meetingId, meeting.id), eq(meetingRounds.status, 'closed'), lt(meetingRounds.number, round.number)))
      .orderBy(asc(meetingRounds.number));
    const candidates = await roundCandidates(tx, round);
    const shortlist = await loadShortlist(tx, round.campaignId);
    const onlineRank = Object.fromEntries([...shortlist, ...candidates].map((c) => [c.applicationId, c.onlineRank]));
    const result = decideClose({
      present,
      passShare: campaign.settings.selection.passShare,
      round: {
        questions: questionsOf(round),
        placesWin: round.placesWin,
        placesNational: round.placesNational,
        candidates: candidates.map((c) => c.applicationId),
      },
      votes: votes.map((v) => ({ applicationId: v.applicationId, question: v.question as Question, choice: v.choice as Choice })),
      onlineRank,
      shortlist: shortlist.map((c) => c.applicationId),
      before: standingOf(earlier.map((r) => ({ questions: questionsOf(r), result: r.result as RoundResult }))),
      totals: { win: campaign.settings.winners, national: campaign.settings.nationalRecommendees },
    });
    const [closed] = (await tx
      .update(meetingRounds)
      .set({ status: 'closed', present, threshold: result.threshold, result, closedBy: user.id, closedAt: new Date() })
      .where(eq(meetingRounds.id, round.id))
      .returning()) as [RoundRow];
    const [{ n } = { n: 0 }] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(ballots)
      .where(and(eq(ballots.roundId, round.id), eq(ballots.status, 'submitted')));
    await audit(tx, user.id, 'meeting.round_close', 'meeting_round', round.id, {
      campaignId: round.campaignId,
      number: round.number,
      present,
      threshold: result.threshold,
      submittedBallots: n,
      elected: result.elected,
      tied: result.tied,
    });
    await notifyMeeting(tx, meeting.id);
    return presentRound(tx, closed);
  });
}

/** 计票结果 of a closed round as an .xlsx workbook: candidates, counts, passed, elected; and a sheet of notes. */
export async function roundWorkbook(s: Services, roundId: string): Promise<{ name: string; buffer: Buffer }> {
  const round = await loadRound(s.db, roundId);
  if (round.status !== 'closed') throw new AppError('CONFLICT', `第${round.number}轮投票尚未结束，结束后方可下载计票结果`);
  const campaign = await getCampaign(s.db, round.campaignId);
  const view = await presentRound(s.db, round);
  const result = view.result!;
  const questions = view.questions;
  const bold = (value: string) => ({ value, fontWeight: 'bold' as const });
  const cell = (value: string | number | null) => (value === null ? null : { value });
  const headers = [
    '序号',
    '申请书编号',
    '姓名',
    '工作单位',
    '网上评选名次',
    ...questions.flatMap((q) => [`${QUESTION_LABELS[q]}：${CHOICE_LABELS.yes}`, CHOICE_LABELS.no, CHOICE_LABELS.abstain, '是否通过', '是否当选']),
  ];
  const byId = new Map(result.candidates.map((c) => [c.applicationId, c]));
  const rows = view.candidates.map((c, i) => {
    const r = byId.get(c.applicationId);
    return [
      cell(i + 1),
      cell(c.number),
      cell(c.name),
      cell(c.workUnit),
      cell(c.onlineRank === null ? '—' : `${c.onlineTied ? '并列' : ''}第${c.onlineRank}名`),
      ...questions.flatMap((q: Question) => {
        const o = r?.[q];
        const verdict = result.elected[q].includes(c.applicationId) ? '当选' : result.tied[q].includes(c.applicationId) ? '同票待决选' : '—';
        return [cell(o?.yes ?? 0), cell(o?.no ?? 0), cell(o?.abstain ?? 0), cell(o?.passed ? '通过' : '未通过'), cell(verdict)];
      }),
    ];
  });
  const names = new Map(view.candidates.map((c) => [c.applicationId, c.name]));
  const list = (ids: string[]) => (ids.length ? ids.map((id) => names.get(id) ?? id).join('、') : '无');
  const notes = [
    [bold(`${campaign.title} 集中评选 第${round.number}轮（${ROUND_PURPOSE_LABELS[view.purpose]}）计票结果`)],
    [cell(`到会专家（签到）：${result.present}人；通过票数：赞成票超过到会专家的${campaign.settings.selection.passShare * 100}%，即至少${result.threshold}票`)],
    ...questions.map((q) => [
      cell(
        `${QUESTION_LABELS[q]}：名额${q === 'win' ? round.placesWin : round.placesNational}人；当选：${list(result.elected[q])}；同票待决选：${list(result.tied[q])}`,
      ),
    ]),
    [cell(result.next ? `下一轮：${ROUND_PURPOSE_LABELS[result.next.purpose]}，候选人${result.next.candidates.length}人` : '各项名额均已产生')],
    [cell(`结束时间：${round.closedAt?.toISOString() ?? ''}`)],
    [cell('只计入已提交的选票；排序依据：赞成票数，其次网上评选名次；边界处两者均相同者为同票，须另行决选。')],
  ];
  const buffer = (await writeXlsxFile([
    {
      sheet: '计票结果',
      data: [headers.map(bold), ...rows],
      columns: headers.map((h) => ({ width: Math.max(8, Math.min(30, h.length * 2)) })),
      stickyRowsCount: 1,
    },
    { sheet: '说明', data: notes, columns: [{ width: 120 }] },
  ]).toBuffer()) as Buffer;
  return { name: `集中评选第${round.number}轮计票结果.xlsx`, buffer };
}
