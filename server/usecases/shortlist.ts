// 入围名单 (issue 14, 1.): the candidates taken into 集中评选, built from the 网上评选 ranking (rankingRows, by the
// campaign's rankBy) and changed by hand with a recorded reason. Every change is a shortlist_changes row. Building it
// also ends the online stage: every candidate still in 网上评选 (shortlisted or not) moves to 评审中, so nothing an
// applicant or a unit sees tells whether it was shortlisted.
//
// Decisions where the notice is silent:
// - top N by rank, where a tie at the boundary takes every tied candidate (the list grows beyond N rather than cut
//   between equals by 申请书编号); candidates without a submitted sheet (未评分) are never taken;
// - a candidate with any 政治过硬 "否" is not taken by the build (the gate is a condition, not a score): the next one
//   takes the place, the build's record names the skipped, and the organizer may still 增补 them with a reason;
// - 重新生成 replaces the list (the 基层一线 marks of candidates who stay are kept) and is refused once the meeting's
//   first round exists; 增补 / 移出 / 基层一线 stay possible until the selection is confirmed (a candidate 移出 also leaves
//   the selection's current pick).
import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { RankFigure } from '../../core/review';
import { SHORTLIST_ACTION_LABELS, type OnlineSnapshot, type ShortlistAction, type ShortlistReply } from '../../core/selection/api';
import type { CampaignSettings } from '../../core';
import { audit } from '../audit';
import type { SessionUser } from '../auth/sessions';
import type { Services } from '../context';
import type { Db } from '../db/client';
import { applications, meetingRounds, selections, shortlistChanges, shortlistEntries, units, users } from '../db/schema';
import { AppError } from '../errors';
import { getCampaign } from './campaigns';
import { rankingRows } from './review-ranking';
import { transitionInTx } from './workflow';

type Tx = Db;
type RankRow = Awaited<ReturnType<typeof rankingRows>>[number];

/** The statuses of a candidate still in the review: before the build (网上评选中) and after it (评审中). */
const IN_REVIEW = ['online_review', 'final_review'];

const FIGURE_OF: Record<RankFigure, keyof RankRow> = { mean: 'mean', trimmedMean: 'trimmed_mean', zMean: 'z_mean', additive: 'additive' };

/** N: settings.selection.shortlistSize, or twice the number of winners when it is 0. */
export function shortlistSize(settings: CampaignSettings): number {
  return settings.selection.shortlistSize || 2 * settings.winners;
}

export const rankLabelOf = (online: OnlineSnapshot | null) =>
  !online || online.rank === null ? '未评分' : online.tied ? `并列第${online.rank}` : `第${online.rank}`;

/** Shortlist and selection writes of one campaign, one at a time (the campaign row's lock is the review's). */
export async function lockSelection(tx: Tx, campaignId: string) {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`selection:${campaignId}`}))`);
}

async function requireNotConfirmed(tx: Tx, campaignId: string) {
  const [sel] = await tx.select({ status: selections.status }).from(selections).where(eq(selections.campaignId, campaignId));
  if (sel?.status === 'confirmed') {
    throw new AppError('CONFLICT', '最终评选结果已确认，入围名单不能再修改；如需修改，请先在【最终评选结果】中【重新打开】');
  }
}

async function rankingOfCampaign(tx: Tx, campaignId: string) {
  const campaign = await getCampaign(tx, campaignId);
  const by = campaign.settings.review.rankBy;
  const gateKeys = campaign.settings.review.rubric.criteria.filter((c) => c.kind === 'gate').map((c) => c.key);
  const rows = await rankingRows(tx, campaignId, by, gateKeys);
  return { campaign, by, rows };
}

function snapshot(row: RankRow | undefined, by: RankFigure): OnlineSnapshot {
  if (!row) return { rank: null, tied: false, figure: null, by };
  const rank = row.rank === null ? null : Number(row.rank);
  const figure = row[FIGURE_OF[by]];
  return { rank, tied: rank !== null && Number(row.ties) > 1, figure: figure === null || figure === undefined ? null : Number(figure), by };
}

async function change(
  tx: Tx,
  user: SessionUser,
  campaignId: string,
  action: ShortlistAction,
  applicationId: string | null,
  reason: string | null,
  detail: unknown,
) {
  await tx.insert(shortlistChanges).values({ campaignId, applicationId, action, reason, detail, actorId: user.id });
}

/** 生成入围名单 (again, until the meeting's first round): top N of the ranking, ties at the boundary all in. */
export async function buildShortlist(s: Services, user: SessionUser, campaignId: string): Promise<ShortlistReply> {
  await s.db.transaction(async (tx) => {
    await lockSelection(tx, campaignId);
    const { campaign, by, rows } = await rankingOfCampaign(tx, campaignId);
    const [round] = await tx.select({ id: meetingRounds.id }).from(meetingRounds).where(eq(meetingRounds.campaignId, campaignId)).limit(1);
    if (round) {
      throw new AppError('CONFLICT', '集中评选已开始第一轮投票，入围名单不能重新生成；如需调整，请逐个【增补】或【移出】并填写理由');
    }
    await requireNotConfirmed(tx, campaignId);
    const ids = rows.map((r) => r.application_id);
    const statusOf = new Map(
      ids.length
        ? (
            await tx
              .select({ id: applications.id, status: applications.status })
              .from(applications)
              .where(and(inArray(applications.id, ids), isNull(applications.deletedAt)))
          ).map((a) => [a.id, a.status])
        : [],
    );
    const ranked = rows.filter((r) => r.rank !== null && IN_REVIEW.includes(statusOf.get(r.application_id) ?? ''));
    const skipped = ranked.filter((r) => Number(r.gate_failures) > 0);
    const eligible = ranked.filter((r) => Number(r.gate_failures) === 0);
    const size = shortlistSize(campaign.settings);
    const last = eligible[size - 1];
    const taken = last ? eligible.filter((r) => Number(r.rank) <= Number(last.rank)) : eligible;
    const before = await tx.select().from(shortlistEntries).where(eq(shortlistEntries.campaignId, campaignId));
    const frontline = new Set(before.filter((e) => e.frontline).map((e) => e.applicationId));
    await tx.delete(shortlistEntries).where(eq(shortlistEntries.campaignId, campaignId));
    if (taken.length) {
      await tx.insert(shortlistEntries).values(
        taken.map((r) => ({
          campaignId,
          applicationId: r.application_id,
          origin: 'ranking',
          online: snapshot(r, by),
          frontline: frontline.has(r.application_id),
          addedBy: user.id,
        })),
      );
    }
    await change(tx, user, campaignId, 'build', null, null, {
      by,
      size,
      taken: taken.length,
      tiedBeyond: Math.max(0, taken.length - size),
      skippedGate: skipped.map((r) => ({ applicationId: r.application_id, name: r.name, rank: Number(r.rank) })),
      replaced: before.length,
    });
    // the online stage ends for every candidate still in it, shortlisted or not
    const moving = await tx
      .select({ id: applications.id })
      .from(applications)
      .where(and(eq(applications.campaignId, campaignId), eq(applications.status, 'online_review'), isNull(applications.deletedAt)))
      .orderBy(asc(applications.seq));
    for (const { id } of moving) await transitionInTx(s, tx, user, id, 'endOnlineReview');
    await audit(tx, user.id, 'shortlist.build', 'campaign', campaignId, { taken: taken.length, moved: moving.length });
  });
  return getShortlist(s, campaignId);
}

async function requireBuilt(tx: Tx, campaignId: string) {
  const [built] = await tx
    .select({ id: shortlistChanges.id })
    .from(shortlistChanges)
    .where(and(eq(shortlistChanges.campaignId, campaignId), eq(shortlistChanges.action, 'build')))
    .limit(1);
  if (!built) throw new AppError('CONFLICT', '尚未生成入围名单：请先点击【生成入围名单】');
}

async function entryOf(tx: Tx, campaignId: string, applicationId: string) {
  const [entry] = await tx
    .select()
    .from(shortlistEntries)
    .where(and(eq(shortlistEntries.campaignId, campaignId), eq(shortlistEntries.applicationId, applicationId)));
  return entry;
}

/** 增补: a candidate still in the review (评审中) who is not on the list, with the reason. */
export async function addToShortlist(s: Services, user: SessionUser, campaignId: string, input: { applicationId: string; reason: string }) {
  await s.db.transaction(async (tx) => {
    await lockSelection(tx, campaignId);
    await getCampaign(tx, campaignId);
    await requireBuilt(tx, campaignId);
    await requireNotConfirmed(tx, campaignId);
    const [app] = await tx
      .select({ id: applications.id, name: applications.applicantName, status: applications.status })
      .from(applications)
      .where(and(eq(applications.id, input.applicationId), eq(applications.campaignId, campaignId), isNull(applications.deletedAt)));
    if (!app || app.status !== 'final_review') {
      const message = '只能增补本次评选活动中仍在评审中的候选人，请重新选择';
      throw new AppError('VALIDATION', message, [{ field: 'applicationId', label: '候选人', message }]);
    }
    if (await entryOf(tx, campaignId, app.id)) throw new AppError('CONFLICT', `${app.name}已在入围名单中`);
    const { by, rows } = await rankingOfCampaign(tx, campaignId);
    const online = snapshot(
      rows.find((r) => r.application_id === app.id),
      by,
    );
    await tx.insert(shortlistEntries).values({ campaignId, applicationId: app.id, origin: 'manual', online, addedBy: user.id });
    await change(tx, user, campaignId, 'add', app.id, input.reason, null);
    await audit(tx, user.id, 'shortlist.add', 'application', app.id);
  });
  return getShortlist(s, campaignId);
}

/** 移出 with the reason; the candidate also leaves the selection's current pick. */
export async function removeFromShortlist(s: Services, user: SessionUser, campaignId: string, input: { applicationId: string; reason: string }) {
  await s.db.transaction(async (tx) => {
    await lockSelection(tx, campaignId);
    await getCampaign(tx, campaignId);
    await requireNotConfirmed(tx, campaignId);
    const entry = await entryOf(tx, campaignId, input.applicationId);
    if (!entry) {
      const message = '该候选人不在入围名单中，请刷新页面后重试';
      throw new AppError('VALIDATION', message, [{ field: 'applicationId', label: '候选人', message }]);
    }
    await tx.delete(shortlistEntries).where(and(eq(shortlistEntries.campaignId, campaignId), eq(shortlistEntries.applicationId, entry.applicationId)));
    const [sel] = await tx.select().from(selections).where(eq(selections.campaignId, campaignId)).for('update');
    const strip = (list: unknown) => (list as string[]).filter((id) => id !== entry.applicationId);
    if (sel && ((sel.winners as string[]).includes(entry.applicationId) || (sel.nationals as string[]).includes(entry.applicationId))) {
      await tx
        .update(selections)
        .set({ winners: strip(sel.winners), nationals: strip(sel.nationals), version: sel.version + 1, updatedBy: user.id, updatedAt: new Date() })
        .where(eq(selections.campaignId, campaignId));
    }
    await change(tx, user, campaignId, 'remove', entry.applicationId, input.reason, null);
    await audit(tx, user.id, 'shortlist.remove', 'application', entry.applicationId);
  });
  return getShortlist(s, campaignId);
}

/** 基层一线: marked by the organizer (the 申请书 has no such field); the selection's constraints may count it. */
export async function markFrontline(s: Services, user: SessionUser, campaignId: string, input: { applicationId: string; frontline: boolean }) {
  await s.db.transaction(async (tx) => {
    await lockSelection(tx, campaignId);
    await getCampaign(tx, campaignId);
    await requireNotConfirmed(tx, campaignId);
    const entry = await entryOf(tx, campaignId, input.applicationId);
    if (!entry) {
      const message = '该候选人不在入围名单中，请刷新页面后重试';
      throw new AppError('VALIDATION', message, [{ field: 'applicationId', label: '候选人', message }]);
    }
    if (entry.frontline === input.frontline) return;
    await tx
      .update(shortlistEntries)
      .set({ frontline: input.frontline })
      .where(and(eq(shortlistEntries.campaignId, campaignId), eq(shortlistEntries.applicationId, entry.applicationId)));
    await change(tx, user, campaignId, 'mark', entry.applicationId, null, { frontline: input.frontline });
  });
  return getShortlist(s, campaignId);
}

/** The shortlist's entries with their 申请书 facts, in online rank order (未评分 and manual additions after). */
export async function shortlistRows(db: Db, campaignId: string) {
  const rows = await db
    .select({
      applicationId: shortlistEntries.applicationId,
      origin: shortlistEntries.origin,
      online: shortlistEntries.online,
      frontline: shortlistEntries.frontline,
      number: applications.number,
      seq: applications.seq,
      name: applications.applicantName,
      workUnit: applications.workUnit,
      form: applications.form,
      unitName: units.name,
      unitRegion: units.region,
      unitType: units.type,
    })
    .from(shortlistEntries)
    .innerJoin(applications, eq(applications.id, shortlistEntries.applicationId))
    .leftJoin(units, eq(units.id, applications.unitId))
    .where(eq(shortlistEntries.campaignId, campaignId));
  const rankOf = (o: unknown) => (o as OnlineSnapshot | null)?.rank ?? Number.POSITIVE_INFINITY;
  return rows
    .map((r) => ({ ...r, online: r.online as OnlineSnapshot | null, form: (r.form ?? {}) as Record<string, unknown> }))
    .sort((a, b) => rankOf(a.online) - rankOf(b.online) || a.seq - b.seq);
}

const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '');

export async function getShortlist(s: Services, campaignId: string): Promise<ShortlistReply> {
  const db = s.db;
  const campaign = await getCampaign(db, campaignId);
  const entries = await shortlistRows(db, campaignId);
  const changes = await db
    .select({ c: shortlistChanges, actorName: users.realName, name: applications.applicantName })
    .from(shortlistChanges)
    .leftJoin(users, eq(users.id, shortlistChanges.actorId))
    .leftJoin(applications, eq(applications.id, shortlistChanges.applicationId))
    .where(eq(shortlistChanges.campaignId, campaignId))
    .orderBy(asc(shortlistChanges.id));
  const [round] = await db.select({ id: meetingRounds.id }).from(meetingRounds).where(eq(meetingRounds.campaignId, campaignId)).limit(1);
  const [sel] = await db.select({ status: selections.status }).from(selections).where(eq(selections.campaignId, campaignId));
  const inList = new Set(entries.map((e) => e.applicationId));
  const { rows } = await rankingOfCampaign(db, campaignId);
  const rankRow = new Map(rows.map((r) => [r.application_id, r]));
  const others = await db
    .select({ id: applications.id, number: applications.number, name: applications.applicantName, seq: applications.seq })
    .from(applications)
    .where(and(eq(applications.campaignId, campaignId), eq(applications.status, 'final_review'), isNull(applications.deletedAt)))
    .orderBy(asc(applications.seq));
  const by = campaign.settings.review.rankBy;
  return {
    campaignId,
    size: shortlistSize(campaign.settings),
    built: changes.some((c) => c.c.action === 'build'),
    rebuildLocked: !!round,
    locked: sel?.status === 'confirmed',
    entries: entries.map((e) => ({
      applicationId: e.applicationId,
      number: e.number,
      name: e.name,
      workUnit: e.workUnit,
      unitName: e.unitName,
      field: str(e.form.field),
      origin: e.origin,
      online: e.online,
      rankLabel: rankLabelOf(e.online),
      frontline: e.frontline,
    })),
    outsiders: others
      .filter((o) => !inList.has(o.id))
      .map((o) => {
        const r = rankRow.get(o.id);
        return { applicationId: o.id, number: o.number, name: o.name, rankLabel: rankLabelOf(snapshot(r, by)), gateFailed: Number(r?.gate_failures ?? 0) > 0 };
      }),
    changes: changes.map(({ c, actorName, name }) => ({
      id: c.id,
      action: c.action,
      actionLabel: SHORTLIST_ACTION_LABELS[c.action as ShortlistAction] ?? c.action,
      applicationId: c.applicationId,
      name: name ?? null,
      reason: c.reason,
      detail: describeChange(c.action, c.detail),
      actorName: actorName ?? '',
      at: c.at.toISOString(),
    })),
  };
}

function describeChange(action: string, detail: unknown): string | null {
  const d = (detail ?? {}) as Record<string, unknown>;
  if (action === 'mark') return d.frontline ? '基层一线：是' : '基层一线：否';
  if (action !== 'build') return null;
  const skipped = (d.skippedGate as { name: string }[] | undefined) ?? [];
  return [
    `按网上评选排名取前${String(d.size)}名，共${String(d.taken)}人`,
    Number(d.tiedBeyond) > 0 ? `其中${String(d.tiedBeyond)}人因名次并列一并入围` : '',
    skipped.length ? `${skipped.map((x) => x.name).join('、')}有专家认为未达到政治过硬要求，未自动入围` : '',
  ]
    .filter(Boolean)
    .join('；');
}
