// 最终评选结果 (issue 14, 4.–7.): the organizer's pick of winners and national recommendees from the 入围名单, checked
// against the campaign's constraints (core/selection checkSelection), 按规则推荐 by the exact solver (proposeSelection),
// 确认 only when every line holds (re-checked here), 重新打开 with a reason, 结构分析, and, after the final 公示, an upheld
// 异议's replacement. Every pick, proposal (its whole input and output), acceptance, confirmation, reopening and
// replacement is a selection_events row: the result can be reproduced from them.
//
// The pool is the shortlist. Merit (smaller is better, ties equal): candidates elected 当选 by a closed round of the
// meeting first, then more 当选 赞成 votes in the last closed round that included the candidate, then the online rank
// (shortlist_entries.online.rank), unranked last.
import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import { chinaToday, chineseDate, type CampaignView } from '../../core';
import {
  ageOn,
  attributeLabel,
  balanceReport,
  campaignConstraints,
  checkSelection,
  describeConstraint,
  isYouth,
  proposeSelection,
  type Proposal,
  type SelectionCandidate,
  type SelectionCheck,
  type SelectionSetup,
} from '../../core/selection';
import { SELECTION_ACTION_LABELS, type BalanceReply, type ProposalReply, type SelectionCandidateView, type SelectionState } from '../../core/selection/api';
import { audit } from '../audit';
import type { SessionUser } from '../auth/sessions';
import type { Services } from '../context';
import type { Db } from '../db/client';
import { meetingRounds, objections, publications, publicities, publicityEntries, selectionEvents, selections, users } from '../db/schema';
import { AppError } from '../errors';
import { getCampaign } from './campaigns';
import { lockSelection, rankLabelOf, shortlistRows } from './shortlist';

type Tx = Db;
type SelectionRow = typeof selections.$inferSelect;

interface RoundResult {
  candidates?: { applicationId: string; win?: { yes?: number } | null }[];
  elected?: { win?: string[]; national?: string[] };
}

const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '');

/** Upheld 异议 on the campaign's final 公示 (any version): the candidates they remove, with the finding. */
async function upheldObjections(db: Db, campaignId: string) {
  return db
    .select({ applicationId: objections.applicationId, finding: objections.finding })
    .from(objections)
    .innerJoin(publicities, eq(publicities.id, objections.publicityId))
    .where(and(eq(publicities.campaignId, campaignId), eq(publicities.scope, 'final'), eq(objections.status, 'upheld')))
    .orderBy(asc(objections.decidedAt));
}

/** The pool with its attributes and merit, the constraints and sizes: what the checker and the solver are given. */
export async function loadSetup(db: Db, campaign: CampaignView) {
  const settings = campaign.settings;
  const entries = await shortlistRows(db, campaign.id);
  const rounds = await db
    .select({ result: meetingRounds.result })
    .from(meetingRounds)
    .where(and(eq(meetingRounds.campaignId, campaign.id), eq(meetingRounds.status, 'closed')))
    .orderBy(asc(meetingRounds.number));
  const votes = new Map<string, number>();
  const electedWin = new Set<string>();
  const electedNational = new Set<string>();
  for (const { result } of rounds) {
    const r = (result ?? {}) as RoundResult;
    // a round that did not ask 当选 (win: null, e.g. a tiebreak on 全国推荐 only) leaves the earlier count
    for (const c of r.candidates ?? []) if (c.win) votes.set(c.applicationId, Number(c.win.yes ?? 0));
    for (const id of r.elected?.win ?? []) electedWin.add(id);
    for (const id of r.elected?.national ?? []) electedNational.add(id);
  }
  const upheld = await upheldObjections(db, campaign.id);
  const upheldIds = new Set(upheld.map((u) => u.applicationId));
  const key = (id: string, rank: number | null | undefined) => [electedWin.has(id) ? 0 : 1, -(votes.get(id) ?? -1), rank ?? Number.POSITIVE_INFINITY];
  const keys = new Map(entries.map((e) => [e.applicationId, key(e.applicationId, e.online?.rank)]));
  const better = (a: number[], b: number[]) => {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
    return false;
  };
  const youthAgeLimit = settings.youthAgeLimit;
  const views: SelectionCandidateView[] = entries.map((e) => {
    const age = ageOn(str(e.form.birthDate), settings.ageReferenceDate);
    const mine = keys.get(e.applicationId)!;
    const merit = 1 + entries.filter((o) => better(keys.get(o.applicationId)!, mine)).length;
    return {
      id: e.applicationId,
      name: e.name,
      merit,
      age: Number.isFinite(age) ? age : null,
      flags: { academician: e.form.isAcademician === true, youth: isYouth(age, youthAgeLimit), frontline: e.frontline },
      values: {
        field: str(e.form.field),
        region: e.unitRegion ?? '',
        unitType: e.unitType ?? '',
        unit: e.unitName ?? '',
        gender: str(e.form.gender),
        ethnicity: str(e.form.ethnicity),
      },
      number: e.number,
      workUnit: e.workUnit,
      birthDate: str(e.form.birthDate),
      onlineRankLabel: rankLabelOf(e.online),
      onlineRank: e.online?.rank ?? null,
      votes: votes.has(e.applicationId) ? votes.get(e.applicationId)! : null,
      electedWin: electedWin.has(e.applicationId),
      electedNational: electedNational.has(e.applicationId),
      objectionUpheld: upheldIds.has(e.applicationId),
    };
  });
  views.sort((a, b) => a.merit - b.merit);
  const candidates: SelectionCandidate[] = views.map((v) => ({
    id: v.id,
    name: v.name,
    merit: v.merit,
    age: v.age ?? Number.NaN,
    flags: v.flags,
    values: v.values,
  }));
  const setup: SelectionSetup = {
    candidates,
    constraints: campaignConstraints(settings),
    sizes: { winners: settings.winners, nationals: settings.nationalRecommendees },
    nationalsWithinWinners: settings.selection.nationalsWithinWinners,
    youthAgeLimit,
  };
  return { setup, views, upheld };
}

async function currentRow(db: Db, campaignId: string): Promise<SelectionRow | undefined> {
  const [row] = await db.select().from(selections).where(eq(selections.campaignId, campaignId));
  return row;
}

/** The selection row locked for a change (made, at version 0 with an empty pick, on the first change). */
async function lockRow(tx: Tx, user: SessionUser, campaignId: string): Promise<SelectionRow> {
  await lockSelection(tx, campaignId);
  await tx.insert(selections).values({ campaignId, updatedBy: user.id, version: 0 }).onConflictDoNothing();
  const [row] = await tx.select().from(selections).where(eq(selections.campaignId, campaignId)).for('update');
  return row!;
}

function requireVersion(row: SelectionRow, version: number) {
  if (row.version !== version) {
    throw new AppError('CONFLICT', '名单已在别处被修改（可能在另一窗口或由其他工作人员），请刷新页面后再操作');
  }
}

function requireDraft(row: SelectionRow) {
  if (row.status === 'confirmed') throw new AppError('CONFLICT', '最终评选结果已确认，不能修改；如需修改，请先【重新打开】并填写理由');
}

const pickOf = (row: SelectionRow | undefined) => ({ winners: (row?.winners ?? []) as string[], nationals: (row?.nationals ?? []) as string[] });

async function event(
  tx: Tx,
  user: SessionUser,
  campaignId: string,
  action: keyof typeof SELECTION_ACTION_LABELS,
  data: { input?: unknown; output?: unknown; reason?: string },
) {
  const [row] = await tx
    .insert(selectionEvents)
    .values({ campaignId, action, input: data.input ?? null, output: data.output ?? null, reason: data.reason ?? null, actorId: user.id })
    .returning();
  return row!;
}

async function update(tx: Tx, user: SessionUser, row: SelectionRow, set: Partial<typeof selections.$inferInsert>) {
  await tx
    .update(selections)
    .set({ ...set, version: row.version + 1, updatedBy: user.id, updatedAt: new Date() })
    .where(eq(selections.campaignId, row.campaignId));
}

/** Every id of the pick must be a shortlisted candidate, once. */
function requireInPool(setup: SelectionSetup, pick: { winners: string[]; nationals: string[] }) {
  const pool = new Set(setup.candidates.map((c) => c.id));
  for (const [list, label] of [
    ['winners', '当选人员'],
    ['nationals', '全国推荐人选'],
  ] as const) {
    const ids = pick[list];
    if (ids.some((id) => !pool.has(id))) {
      const message = `${label}中有不在入围名单中的候选人，请刷新页面后重新选择`;
      throw new AppError('VALIDATION', message, [{ field: list, label, message }]);
    }
    if (new Set(ids).size !== ids.length) {
      const message = `${label}中有重复的候选人`;
      throw new AppError('VALIDATION', message, [{ field: list, label, message }]);
    }
  }
}

/** The failing lines of a check, and the winners removed by an upheld 异议 still in the pick. */
function failures(check: SelectionCheck, pick: { winners: string[] }, removed: { applicationId: string; name: string }[]): string[] {
  const lines = [...check.sizeLines, ...check.lines].filter((l) => !l.ok).map((l) => l.text);
  for (const r of removed) if (pick.winners.includes(r.applicationId)) lines.push(`关于${r.name}的公示异议经核实成立，不能当选`);
  return lines;
}

// ---------------------------------------------------------------------------------------------------------------

export async function selectionState(s: Services, campaignId: string): Promise<SelectionState> {
  const db = s.db;
  const campaign = await getCampaign(db, campaignId);
  const { setup, views, upheld } = await loadSetup(db, campaign);
  const row = await currentRow(db, campaignId);
  const pick = pickOf(row);
  const check = checkSelection(setup, pick);
  const [last] = await db
    .select()
    .from(selectionEvents)
    .where(and(eq(selectionEvents.campaignId, campaignId), inArray(selectionEvents.action, ['propose', 'replace'])))
    .orderBy(desc(selectionEvents.id))
    .limit(1);
  const events = await db
    .select({ e: selectionEvents, actorName: users.realName })
    .from(selectionEvents)
    .leftJoin(users, eq(users.id, selectionEvents.actorId))
    .where(eq(selectionEvents.campaignId, campaignId))
    .orderBy(asc(selectionEvents.id));
  const nameOf = new Map(views.map((v) => [v.id, v.name]));
  const final = await finalPublicityOf(db, campaignId);
  const removals = upheld.map((u) => ({
    applicationId: u.applicationId,
    name: nameOf.get(u.applicationId) ?? final?.names.get(u.applicationId) ?? '',
    finding: u.finding,
    stillPicked: pick.winners.includes(u.applicationId),
  }));
  const matches = !!final && sameSet(final.entries, pick.winners);
  return {
    campaignId,
    status: row?.status ?? 'draft',
    version: row?.version ?? 0,
    sizes: setup.sizes,
    nationalsWithinWinners: setup.nationalsWithinWinners,
    youthAgeLimit: setup.youthAgeLimit,
    ageReferenceDate: campaign.settings.ageReferenceDate,
    candidates: views,
    constraints: setup.constraints.map((c) => ({ ...c, text: describeConstraint(c, setup.youthAgeLimit) })),
    pick,
    check,
    lastProposal: last ? presentProposal(last) : null,
    confirmedAt: row?.status === 'confirmed' ? (row.confirmedAt?.toISOString() ?? null) : null,
    finalPublicity: final
      ? {
          id: final.row.id,
          title: final.row.title,
          startsOn: final.row.startsOn,
          endsOn: final.row.endsOn,
          phaseLabel: final.phase,
          objectionsOpen: final.open,
          objectionsUpheld: final.upheld,
          matchesPick: matches,
        }
      : null,
    removals,
    readyToPublish: readiness(row, final, matches, removals),
    events: events.map(({ e, actorName }) => ({
      id: e.id,
      action: e.action,
      actionLabel: SELECTION_ACTION_LABELS[e.action as keyof typeof SELECTION_ACTION_LABELS] ?? e.action,
      reason: e.reason,
      actorName: actorName ?? '',
      at: e.at.toISOString(),
    })),
  };
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && new Set([...a, ...b]).size === a.length;

function presentProposal(e: typeof selectionEvents.$inferSelect): ProposalReply {
  return { eventId: e.id, action: e.action, proposal: e.output as Proposal, at: e.at.toISOString() };
}

/** The campaign's newest published final 公示, its entries and its objections' counts. */
async function finalPublicityOf(db: Db, campaignId: string, today = chinaToday()) {
  const [row] = await db
    .select()
    .from(publicities)
    .where(and(eq(publicities.campaignId, campaignId), eq(publicities.scope, 'final'), eq(publicities.status, 'published')))
    .orderBy(desc(publicities.createdAt))
    .limit(1);
  if (!row) return null;
  const entries = await db
    .select({ applicationId: publicityEntries.applicationId, name: publicityEntries.name })
    .from(publicityEntries)
    .where(eq(publicityEntries.publicityId, row.id));
  const objs = await db.select({ status: objections.status }).from(objections).where(eq(objections.publicityId, row.id));
  const phase = today < row.startsOn ? '未开始' : today > row.endsOn ? '已结束' : '公示中';
  return {
    row,
    phase,
    ended: today > row.endsOn,
    entries: entries.map((e) => e.applicationId),
    names: new Map(entries.map((e) => [e.applicationId, e.name])),
    open: objs.filter((o) => o.status === 'open').length,
    upheld: objs.filter((o) => o.status === 'upheld').length,
  };
}

/** readyToPublish: the period over, no open objection, and the confirmed selection exactly the 公示's list. */
function readiness(
  row: SelectionRow | undefined,
  final: Awaited<ReturnType<typeof finalPublicityOf>>,
  matches: boolean,
  removals: { name: string; stillPicked: boolean }[],
): { ready: boolean; reason: string | null } {
  const no = (reason: string) => ({ ready: false, reason });
  const still = removals.filter((r) => r.stillPicked);
  if (still.length) return no(`关于${still.map((r) => r.name).join('、')}的公示异议经核实成立：请【推荐递补人选】，采用后重新确认名单并重新公示`);
  if (row?.status !== 'confirmed') return no('最终评选结果尚未确认：所有约束均满足后点击【确认名单】');
  if (!final) return no('尚未发布最终公示：请按确认的名单发布最终公示');
  if (!matches) return no('最终公示的名单与已确认的评选结果不一致：请撤回该公示，按确认的名单重新发布');
  if (final.open) return no(`最终公示收到异议${final.open}件尚未核实：请核实并记录结论`);
  if (!final.ended) return no(`最终公示期至${chineseDate(final.row.endsOn)}，公示期满且无异议后方可发布结果`);
  return { ready: true, reason: null };
}

/** PUT the pick (the organizer's hand), optimistic on `version`; event 'pick' with its check. */
export async function savePick(s: Services, user: SessionUser, campaignId: string, input: { winners: string[]; nationals: string[]; version: number }) {
  await s.db.transaction(async (tx) => {
    const row = await lockRow(tx, user, campaignId);
    requireDraft(row);
    requireVersion(row, input.version);
    const { setup } = await loadSetup(tx, await getCampaign(tx, campaignId));
    const pick = { winners: input.winners, nationals: input.nationals };
    requireInPool(setup, pick);
    await update(tx, user, row, pick);
    await event(tx, user, campaignId, 'pick', { input: pick, output: checkSelection(setup, pick) });
  });
  return selectionState(s, campaignId);
}

/** 按规则推荐: the solver on the server, over the pool minus the candidates an upheld 异议 removed; recorded whole. */
export async function propose(s: Services, user: SessionUser, campaignId: string): Promise<ProposalReply> {
  return s.db.transaction(async (tx) => {
    await lockSelection(tx, campaignId);
    const { setup, upheld } = await loadSetup(tx, await getCampaign(tx, campaignId));
    if (!setup.candidates.length) throw new AppError('CONFLICT', '入围名单为空：请先生成入围名单');
    const fixed = { exclude: upheld.map((u) => u.applicationId) };
    const proposal = proposeSelection(setup, fixed);
    const e = await event(tx, user, campaignId, 'propose', { input: { setup, fixed }, output: proposal });
    return presentProposal(e);
  });
}

/**
 * 采用推荐名单: the last proposal (按规则推荐 or an upheld 异议's replacement) becomes the pick. A replacement may be
 * taken over a confirmed selection: it goes back to draft and must be confirmed again.
 */
export async function acceptProposal(s: Services, user: SessionUser, campaignId: string, input: { version: number }) {
  await s.db.transaction(async (tx) => {
    const row = await lockRow(tx, user, campaignId);
    requireVersion(row, input.version);
    const [last] = await tx
      .select()
      .from(selectionEvents)
      .where(and(eq(selectionEvents.campaignId, campaignId), inArray(selectionEvents.action, ['propose', 'replace'])))
      .orderBy(desc(selectionEvents.id))
      .limit(1);
    if (!last) throw new AppError('CONFLICT', '尚无推荐名单：请先点击【按规则推荐】');
    if (last.action !== 'replace') requireDraft(row);
    const proposal = last.output as Proposal;
    if (!proposal.feasible) throw new AppError('CONFLICT', `最近一次推荐未能找到满足全部约束的名单，不能采用：${proposal.reasons.join('；')}`);
    const { setup } = await loadSetup(tx, await getCampaign(tx, campaignId));
    const pick = { winners: proposal.winners, nationals: proposal.nationals };
    const pool = new Set(setup.candidates.map((c) => c.id));
    if ([...pick.winners, ...pick.nationals].some((id) => !pool.has(id))) {
      throw new AppError('CONFLICT', '推荐之后入围名单已有变化，请重新点击【按规则推荐】');
    }
    await update(tx, user, row, { ...pick, status: 'draft', confirmedBy: null, confirmedAt: null });
    await event(tx, user, campaignId, 'accept', { input: { eventId: last.id }, output: pick });
  });
  return selectionState(s, campaignId);
}

/** 确认名单: re-checked here; refused (409) naming every failing line, with nothing changed. */
export async function confirmSelection(s: Services, user: SessionUser, campaignId: string, input: { version: number }) {
  await s.db.transaction(async (tx) => {
    const row = await lockRow(tx, user, campaignId);
    requireDraft(row);
    requireVersion(row, input.version);
    const { setup, views, upheld } = await loadSetup(tx, await getCampaign(tx, campaignId));
    const pick = pickOf(row);
    const check = checkSelection(setup, pick);
    const names = new Map(views.map((v) => [v.id, v.name]));
    const failing = failures(
      check,
      pick,
      upheld.map((u) => ({ applicationId: u.applicationId, name: names.get(u.applicationId) ?? '' })),
    );
    if (failing.length) {
      throw new AppError(
        'CONFLICT',
        `名单不满足以下要求，不能确认：${failing.join('；')}`,
        failing.map((message) => ({ field: 'pick', label: '最终评选结果', message })),
      );
    }
    await update(tx, user, row, { status: 'confirmed', confirmedBy: user.id, confirmedAt: new Date() });
    await event(tx, user, campaignId, 'confirm', { input: pick, output: check });
    await audit(tx, user.id, 'selection.confirm', 'campaign', campaignId);
  });
  return selectionState(s, campaignId);
}

/** 重新打开 a confirmed selection, with the reason. */
export async function reopenSelection(s: Services, user: SessionUser, campaignId: string, input: { version: number; reason: string }) {
  await s.db.transaction(async (tx) => {
    const row = await lockRow(tx, user, campaignId);
    requireVersion(row, input.version);
    if (row.status !== 'confirmed') throw new AppError('CONFLICT', '最终评选结果尚未确认，无需重新打开');
    // 发布 (issue 15): the result is out, the certificates numbered; the published list is not reopened
    const [pub] = await tx.select({ status: publications.status }).from(publications).where(eq(publications.campaignId, campaignId));
    if (pub?.status === 'published') throw new AppError('CONFLICT', '评选结果已发布，最终评选结果不能重新打开');
    await update(tx, user, row, { status: 'draft', confirmedBy: null, confirmedAt: null });
    await event(tx, user, campaignId, 'reopen', { reason: input.reason });
    await audit(tx, user.id, 'selection.reopen', 'campaign', campaignId, { reason: input.reason });
  });
  return selectionState(s, campaignId);
}

/**
 * 推荐递补人选: a winner removed by an upheld 异议 on the final 公示 is replaced by the solver keeping the other winners
 * (fixed include) and every constraint, without any candidate an upheld 异议 removed (fixed exclude). Recorded as
 * 'replace'; 采用 makes it the pick (to be confirmed again).
 */
export async function proposeReplacement(s: Services, user: SessionUser, campaignId: string, input: { applicationId: string }): Promise<ProposalReply> {
  return s.db.transaction(async (tx) => {
    await lockSelection(tx, campaignId);
    const row = await currentRow(tx, campaignId);
    const { setup, upheld } = await loadSetup(tx, await getCampaign(tx, campaignId));
    const removed = new Set(upheld.map((u) => u.applicationId));
    const pick = pickOf(row);
    if (!removed.has(input.applicationId) || !pick.winners.includes(input.applicationId)) {
      const message = '只能为最终公示中异议经核实成立的当选人员推荐递补人选';
      throw new AppError('VALIDATION', message, [{ field: 'applicationId', label: '被取消的当选人员', message }]);
    }
    const fixed = { include: pick.winners.filter((id) => !removed.has(id)), exclude: [...removed] };
    const proposal = proposeSelection(setup, fixed);
    const e = await event(tx, user, campaignId, 'replace', { input: { setup, fixed, removed: input.applicationId }, output: proposal });
    return presentProposal(e);
  });
}

/** 结构分析: the current pick's winners against the pool. */
export async function balance(s: Services, campaignId: string): Promise<BalanceReply> {
  const campaign = await getCampaign(s.db, campaignId);
  const { setup } = await loadSetup(s.db, campaign);
  const pick = pickOf(await currentRow(s.db, campaignId));
  return {
    rows: balanceReport(setup, pick.winners).map((r) => ({
      ...r,
      attributeLabel: r.attribute === 'ageBand' ? '年龄段' : attributeLabel(r.attribute, setup.youthAgeLimit),
    })),
  };
}

/** For the final 公示: the confirmed selection's winners, or the refusal. */
export async function confirmedWinners(tx: Tx, campaignId: string): Promise<string[]> {
  const row = await currentRow(tx, campaignId);
  if (row?.status !== 'confirmed') throw new AppError('CONFLICT', '最终评选结果尚未确认，不能发布最终公示：请先【确认名单】');
  return pickOf(row).winners;
}
