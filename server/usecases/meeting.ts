// 集中评选 meeting (issue 14, 2.): the organizer opens the campaign's meeting with its panel, sees it, closes it.
// Shared pieces of the meeting's use cases live here too: the window, the loaders of the meeting, its 入围名单 and a
// round's candidates, and the view. Every change notifies the meeting's topic inside its transaction (server/events.ts),
// so the 计票 screens of every instance update at commit.
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { chinaToday, isWindowOpen, windowRefusal, type CampaignView } from '../../core';
import {
  QUESTIONS,
  ROUND_PURPOSE_LABELS,
  standingOf,
  nextRoundOf,
  type MeetingView,
  type OpenMeetingRequest,
  type Question,
  type RoundCandidate,
  type RoundPurpose,
  type RoundResult,
  type RoundView,
} from '../../core/meeting';
import type { SessionUser } from '../auth/sessions';
import { audit } from '../audit';
import type { Services } from '../context';
import type { Db } from '../db/client';
import { prepared } from '../db/prepared';
import { isUniqueViolation } from '../db/client';
import { applications, expertProfiles, meetingAttendance, meetingRoundCandidates, meetingRounds, meetings, shortlistEntries, units, users } from '../db/schema';
import { AppError, notFound } from '../errors';
import { notifyInTx } from '../events';
import { getCampaign } from './campaigns';

export type MeetingRow = typeof meetings.$inferSelect;
export type RoundRow = typeof meetingRounds.$inferSelect;

export const meetingTopic = (meetingId: string) => `meeting:${meetingId}`;
export const notifyMeeting = (tx: Db, meetingId: string) => notifyInTx(tx, meetingTopic(meetingId));

export const meetingNotFound = () => notFound('集中评选会议');
export const roundNotFound = () => notFound('投票轮次');

/** The 集中评选 window: settings.windows.concentrated, whole days of Beijing time, both ends included. */
export function meetingWindow(c: CampaignView, now = new Date()) {
  const w = c.settings.windows.concentrated;
  return { start: w.start, end: w.end, open: isWindowOpen(w, chinaToday(now)) };
}

/** Refuses outside the 集中评选 window, naming it (开始投票, 签到, 投票). */
export function requireMeetingWindow(c: CampaignView, action: string): void {
  if (!isWindowOpen(c.settings.windows.concentrated, chinaToday())) {
    throw new AppError('FORBIDDEN', windowRefusal(c.title, 'concentrated', c.settings.windows.concentrated, action));
  }
}

export const panelOf = (m: Pick<MeetingRow, 'panel'>) => (Array.isArray(m.panel) ? (m.panel as string[]) : []);

export async function meetingOfCampaign(db: Db, campaignId: string, lock?: 'update' | 'share'): Promise<MeetingRow | undefined> {
  const q = db.select().from(meetings).where(eq(meetings.campaignId, campaignId));
  const [row] = lock ? await q.for(lock) : await q;
  return row;
}

/** The 入围名单 as the meeting uses it: each candidate's summary and online figures, by online rank (none last). */
export async function loadShortlist(db: Db, campaignId: string, ids?: string[]): Promise<RoundCandidate[]> {
  const rows = await db
    .select(SUMMARY)
    .from(shortlistEntries)
    .innerJoin(applications, eq(applications.id, shortlistEntries.applicationId))
    .where(and(eq(shortlistEntries.campaignId, campaignId), ids ? inArray(shortlistEntries.applicationId, ids.length ? ids : [NIL]) : undefined))
    .orderBy(sql`(${shortlistEntries.online}->>'rank')::numeric asc nulls last`, asc(applications.seq));
  return rows.map(candidateOf);
}

const NIL = '00000000-0000-0000-0000-000000000000';

/** The columns a candidate's summary needs (never the whole 申请书: the ballot is read on every vote). */
const SUMMARY = {
  applicationId: applications.id,
  number: applications.number,
  name: applications.applicantName,
  workUnit: applications.workUnit,
  title: sql<string | null>`${applications.form}->>'title'`,
  field: sql<string | null>`${applications.form}->>'field'`,
  online: shortlistEntries.online,
};
type SummaryRow = { applicationId: string; number: string; name: string; workUnit: string; title: string | null; field: string | null; online: unknown };

function candidateOf(r: SummaryRow): RoundCandidate {
  const o = (r.online ?? {}) as { rank?: unknown; tied?: unknown; figure?: unknown };
  return {
    applicationId: r.applicationId,
    number: r.number,
    name: r.name,
    workUnit: r.workUnit,
    title: r.title ?? '',
    field: r.field ?? '',
    onlineRank: typeof o.rank === 'number' ? o.rank : null,
    onlineTied: o.tied === true,
    onlineFigure: typeof o.figure === 'number' ? o.figure : null,
  };
}

/** What 回避 compares of a candidate (core/review recusal), beside its summary. */
export interface RecusalFacts {
  mobile: string;
  idHash: string | null;
  unitName: string | null;
}

/** A round's candidates with their 回避 facts, in one statement (the ballot of every vote reads it). */
export async function roundCandidatesWithFacts(db: Db, round: Pick<RoundRow, 'id' | 'campaignId'>): Promise<(RoundCandidate & RecusalFacts)[]> {
  const rows = await roundCandidatesWithFactsQuery(db).execute({ roundId: round.id, campaignId: round.campaignId });
  return rows.map((r) => ({ ...candidateOf(r), mobile: r.mobile, idHash: r.idHash, unitName: r.unitName }));
}

// built once (server/db/prepared.ts): every ballot read and vote runs it
const roundCandidatesWithFactsQuery = prepared((db) =>
  db
    .select({ ...SUMMARY, mobile: applications.mobile, idHash: applications.idHash, unitName: units.name })
    .from(meetingRoundCandidates)
    .innerJoin(applications, eq(applications.id, meetingRoundCandidates.applicationId))
    .leftJoin(units, eq(units.id, applications.unitId))
    .leftJoin(
      shortlistEntries,
      and(eq(shortlistEntries.campaignId, sql.placeholder('campaignId')), eq(shortlistEntries.applicationId, meetingRoundCandidates.applicationId)),
    )
    .where(eq(meetingRoundCandidates.roundId, sql.placeholder('roundId')))
    .orderBy(asc(meetingRoundCandidates.position))
    .prepare('meeting_round_candidates_with_facts'),
);

/** What a vote needs of a round's candidates: who they are (名字 for a refusal's message) and their 回避 facts. */
export interface VoteCandidate extends RecusalFacts {
  applicationId: string;
  name: string;
  workUnit: string;
}

/** A round's candidates for a vote (保存, 【提交选票】): not the ballot's facts, which the reply no longer carries. */
export async function roundCandidatesForVote(db: Db, roundId: string): Promise<VoteCandidate[]> {
  return roundCandidatesForVoteQuery(db).execute({ roundId });
}

const roundCandidatesForVoteQuery = prepared((db) =>
  db
    .select({
      applicationId: applications.id,
      name: applications.applicantName,
      workUnit: applications.workUnit,
      mobile: applications.mobile,
      idHash: applications.idHash,
      unitName: units.name,
    })
    .from(meetingRoundCandidates)
    .innerJoin(applications, eq(applications.id, meetingRoundCandidates.applicationId))
    .leftJoin(units, eq(units.id, applications.unitId))
    .where(eq(meetingRoundCandidates.roundId, sql.placeholder('roundId')))
    .orderBy(asc(meetingRoundCandidates.position))
    .prepare('meeting_round_candidates_for_vote'),
);

/** A round's candidates in their position order, with the 入围名单's online figures. */
export async function roundCandidates(db: Db, round: Pick<RoundRow, 'id' | 'campaignId'>): Promise<RoundCandidate[]> {
  return (await candidatesOfRounds(db, round.campaignId, [round.id])).get(round.id) ?? [];
}

/** The candidates of several rounds of one campaign in one query, by round id. */
async function candidatesOfRounds(db: Db, campaignId: string, roundIds: string[]): Promise<Map<string, RoundCandidate[]>> {
  const out = new Map<string, RoundCandidate[]>();
  if (!roundIds.length) return out;
  const rows = await db
    .select({ roundId: meetingRoundCandidates.roundId, ...SUMMARY })
    .from(meetingRoundCandidates)
    .innerJoin(applications, eq(applications.id, meetingRoundCandidates.applicationId))
    .leftJoin(shortlistEntries, and(eq(shortlistEntries.campaignId, campaignId), eq(shortlistEntries.applicationId, meetingRoundCandidates.applicationId)))
    .where(inArray(meetingRoundCandidates.roundId, roundIds))
    .orderBy(asc(meetingRoundCandidates.roundId), asc(meetingRoundCandidates.position));
  for (const r of rows) {
    let list = out.get(r.roundId);
    if (!list) out.set(r.roundId, (list = []));
    list.push(candidateOf(r));
  }
  return out;
}

export const questionsOf = (r: Pick<RoundRow, 'questions'>) => (r.questions as Question[]).filter((q) => (QUESTIONS as readonly string[]).includes(q));

export async function presentRound(db: Db, r: RoundRow, candidates?: RoundCandidate[]): Promise<RoundView> {
  return {
    id: r.id,
    number: r.number,
    purpose: r.purpose as RoundPurpose,
    purposeLabel: ROUND_PURPOSE_LABELS[r.purpose as RoundPurpose] ?? r.purpose,
    questions: questionsOf(r),
    placesWin: r.placesWin,
    placesNational: r.placesNational,
    status: r.status === 'closed' ? 'closed' : 'open',
    present: r.present,
    threshold: r.threshold,
    result: (r.result as RoundResult | null) ?? null,
    candidates: candidates ?? (await roundCandidates(db, r)),
    openedAt: r.openedAt.toISOString(),
    closedAt: r.closedAt?.toISOString() ?? null,
  };
}

/** What 【开始下一轮】 without a body starts: the last close's proposal, or round 1 over the whole 入围名单. */
export async function proposalOf(db: Db, campaign: CampaignView, rounds: RoundRow[]): Promise<MeetingView['proposal']> {
  if (rounds.some((r) => r.status === 'open')) return null;
  const closed = rounds.filter((r) => r.status === 'closed').sort((a, b) => a.number - b.number);
  const shortlist = (await loadShortlist(db, campaign.id)).map((c) => c.applicationId);
  if (!closed.length) {
    if (!shortlist.length) return null;
    return {
      purpose: 'main',
      questions: [...QUESTIONS],
      candidates: shortlist,
      placesWin: campaign.settings.winners,
      placesNational: campaign.settings.nationalRecommendees,
    };
  }
  // recomputed from every round (not only the last one's stored next): rounds of the organizer's own choosing count too
  const standing = standingOf(closed.map((r) => ({ questions: questionsOf(r), result: r.result as RoundResult })));
  return nextRoundOf(standing, { win: campaign.settings.winners, national: campaign.settings.nationalRecommendees }, shortlist);
}

export async function presentMeeting(db: Db, m: MeetingRow): Promise<MeetingView> {
  const campaign = await getCampaign(db, m.campaignId);
  const panel = panelOf(m);
  const people = panel.length
    ? await db
        .select({ id: users.id, name: users.realName, workUnit: expertProfiles.workUnit })
        .from(users)
        .leftJoin(expertProfiles, eq(expertProfiles.userId, users.id))
        .where(inArray(users.id, panel))
    : [];
  const byId = new Map(people.map((p) => [p.id, p]));
  const attendance = await db.select().from(meetingAttendance).where(eq(meetingAttendance.meetingId, m.id));
  const signed = new Map(attendance.map((a) => [a.expertId, a.signedInAt]));
  const rounds = await db.select().from(meetingRounds).where(eq(meetingRounds.meetingId, m.id)).orderBy(asc(meetingRounds.number));
  const candidates = await candidatesOfRounds(
    db,
    m.campaignId,
    rounds.map((r) => r.id),
  );
  return {
    id: m.id,
    campaignId: m.campaignId,
    campaignTitle: campaign.title,
    status: m.status === 'closed' ? 'closed' : 'open',
    openedAt: m.openedAt.toISOString(),
    closedAt: m.closedAt?.toISOString() ?? null,
    window: meetingWindow(campaign),
    panel: panel.map((id) => ({
      expertId: id,
      name: byId.get(id)?.name ?? '',
      workUnit: byId.get(id)?.workUnit ?? null,
      signedIn: signed.has(id),
      signedInAt: signed.get(id)?.toISOString() ?? null,
    })),
    present: attendance.filter((a) => panel.includes(a.expertId)).length,
    rounds: await Promise.all(rounds.map((r) => presentRound(db, r, candidates.get(r.id) ?? []))),
    proposal: m.status === 'open' ? await proposalOf(db, campaign, rounds) : null,
  };
}

/** The organizer's view of the campaign's meeting, or null before it is opened. */
export async function getMeeting(s: Services, campaignId: string): Promise<MeetingView | null> {
  await getCampaign(s.db, campaignId);
  const m = await meetingOfCampaign(s.db, campaignId);
  return m ? presentMeeting(s.db, m) : null;
}

/** 召开集中评选会议: one per campaign, with its panel (given, or every enabled 评审专家). */
export async function openMeeting(s: Services, user: SessionUser, campaignId: string, input: OpenMeetingRequest): Promise<MeetingView> {
  return s.db.transaction(async (tx) => {
    await getCampaign(tx, campaignId);
    const wanted = input.expertIds ? [...new Set(input.expertIds)] : null;
    const experts = await tx
      .select({ id: users.id, disabled: users.disabled })
      .from(users)
      .where(and(eq(users.role, 'expert'), wanted ? inArray(users.id, wanted) : eq(users.disabled, false)))
      .orderBy(asc(users.createdAt), asc(users.id));
    if (wanted) {
      const found = new Map(experts.map((e) => [e.id, e]));
      if (wanted.some((id) => !found.has(id))) throw new AppError('VALIDATION', '所选评审专家中有的不存在，请刷新后重新选择');
      if (wanted.some((id) => found.get(id)!.disabled)) throw new AppError('VALIDATION', '所选评审专家中有已停用的账号，请先启用或取消选择');
    }
    if (!experts.length) throw new AppError('CONFLICT', '尚无可用的评审专家，请先在“评审专家”中新建或导入专家');
    const panel = wanted ?? experts.map((e) => e.id);
    if (await meetingOfCampaign(tx, campaignId)) throw new AppError('CONFLICT', '本活动的集中评选会议已召开，不能重复召开');
    let row: MeetingRow;
    try {
      [row] = (await tx.insert(meetings).values({ campaignId, panel, openedBy: user.id }).returning()) as [MeetingRow];
    } catch (err) {
      if (isUniqueViolation(err, 'meetings_campaign_key')) throw new AppError('CONFLICT', '本活动的集中评选会议已召开，不能重复召开');
      throw err;
    }
    await audit(tx, user.id, 'meeting.open', 'meeting', row.id, { campaignId, panel });
    await notifyMeeting(tx, row.id);
    return presentMeeting(tx, row);
  });
}

/** 结束集中评选会议: refused while a round is open; after it nobody signs in, votes or starts a round. */
export async function closeMeeting(s: Services, user: SessionUser, campaignId: string): Promise<MeetingView> {
  return s.db.transaction(async (tx) => {
    await getCampaign(tx, campaignId);
    const m = await meetingOfCampaign(tx, campaignId, 'update');
    if (!m) throw meetingNotFound();
    if (m.status === 'closed') throw new AppError('CONFLICT', '集中评选会议已结束');
    const [open] = await tx
      .select({ number: meetingRounds.number })
      .from(meetingRounds)
      .where(and(eq(meetingRounds.meetingId, m.id), eq(meetingRounds.status, 'open')));
    if (open) throw new AppError('CONFLICT', `第${open.number}轮投票尚未结束，请先结束该轮投票再结束会议`);
    const [row] = (await tx.update(meetings).set({ status: 'closed', closedBy: user.id, closedAt: new Date() }).where(eq(meetings.id, m.id)).returning()) as [
      MeetingRow,
    ];
    await audit(tx, user.id, 'meeting.close', 'meeting', m.id, { campaignId });
    await notifyMeeting(tx, m.id);
    return presentMeeting(tx, row);
  });
}
