// 网上评选's shared pieces: the window, the campaign read under the lock that guards its 评分标准, sheet presentation,
// and the one rule of a declared 回避 (the expert's 申报回避 and the organizer's 登记回避).
import { and, eq, inArray, sql } from 'drizzle-orm';
import { chinaToday, isWindowOpen, windowRefusal, type CampaignView } from '../../core';
import { SHEET_STATE_LABELS, type ReviewWindow, type SheetState } from '../../core/review';
import type { SessionUser } from '../auth/sessions';
import { audit } from '../audit';
import type { Db } from '../db/client';
import { notifications, reviewAssignments, reviewConflicts, scoreSheets } from '../db/schema';
import { AppError } from '../errors';
import { getCampaign } from './campaigns';

/** Sheet statuses that lock the rubric and count as 已保存 / 已提交 ('reset': emptied by 重置评审, counts as 未评). */
export const LIVE_SHEET_STATUSES = ['saved', 'submitted'] as const;

/** The day after `date` (YYYY-MM-DD). */
function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** The 网上评选 window of a campaign: windows.online, whole days of Beijing time, both ends included. */
export function reviewWindow(c: CampaignView, now = new Date()): ReviewWindow {
  const w = c.settings.windows.online;
  return {
    campaignId: c.id,
    campaignTitle: c.title,
    start: w.start,
    end: w.end,
    opensAt: new Date(`${w.start}T00:00:00+08:00`).toISOString(),
    closesAt: new Date(`${nextDay(w.end)}T00:00:00+08:00`).toISOString(),
    open: isWindowOpen(w, chinaToday(now)),
  };
}

/** Refuses a score change outside the 网上评选 window, naming the window. */
export function requireReviewWindow(c: CampaignView, action: string): void {
  if (!isWindowOpen(c.settings.windows.online, chinaToday())) {
    throw new AppError('FORBIDDEN', windowRefusal(c.title, 'online', c.settings.windows.online, action));
  }
}

/**
 * The campaign, read after taking a KEY SHARE lock on its row: a score change holds it until commit, and a change
 * of the 评分标准 (FOR UPDATE, campaigns.ts) waits for it and then sees the sheet, so no sheet is ever saved against
 * a rubric being replaced. KEY SHARE does not wait for the numbering of new applications (next_seq).
 */
export async function campaignForScoring(tx: Db, campaignId: string): Promise<CampaignView> {
  return getCampaign(tx, campaignId, 'key share');
}

/** Whether any sheet of the campaign holds a score (已保存 or 已提交): the 评分标准 is then locked. */
export async function rubricLocked(db: Db, campaignId: string): Promise<boolean> {
  const [row] = await db
    .select({ n: sql<number>`1` })
    .from(scoreSheets)
    .where(and(eq(scoreSheets.campaignId, campaignId), inArray(scoreSheets.status, [...LIVE_SHEET_STATUSES])))
    .limit(1);
  return !!row;
}

export const sheetState = (status: string | null | undefined): SheetState => (status === 'saved' || status === 'submitted' ? status : 'todo');
export const sheetStateLabel = (status: string | null | undefined) => SHEET_STATE_LABELS[sheetState(status)];
export const totalOf = (total: string | null): number | null => (total === null ? null : Number(total));

/**
 * A declared 回避 of `expert` for the candidate `app`, by the expert (申报回避) or by 自治区科协 (登记回避): the one rule
 * for both. The caller holds the candidate's row lock. The pair's sheet row is made (empty, as a first save makes it)
 * and locked, so a concurrent 保存/提交 of that expert is ordered against this: it either submitted first (then the
 * 回避 is refused: a submitted sheet stands, the organizer decides by 退回重评) or it waits and then finds the
 * candidate out of its scope (writeSheet checks the scope again under the lock). A 已保存 draft is kept as it is,
 * hidden and never counted; the assignment stays and no longer counts, so the candidate may fall short of k. A pair
 * already declared: 409. Recorded in review_conflicts and the audit log; the organizer is told of an expert's
 * declaration, the expert (when assigned) of the organizer's. Returns the candidate's valid reviews left and k.
 */
export async function recordConflict(
  tx: Db,
  actor: SessionUser,
  app: { id: string; number: string; applicantName: string; campaignId: string },
  expert: { id: string; name: string },
  reason: string,
): Promise<{ left: number; k: number; assigned: boolean }> {
  const byExpert = actor.role === 'expert';
  await tx.insert(scoreSheets).values({ campaignId: app.campaignId, applicationId: app.id, expertId: expert.id, status: 'reset' }).onConflictDoNothing();
  const [sheet] = await tx
    .select({ status: scoreSheets.status })
    .from(scoreSheets)
    .where(and(eq(scoreSheets.applicationId, app.id), eq(scoreSheets.expertId, expert.id)))
    .for('update');
  if (sheet?.status === 'submitted') {
    throw new AppError(
      'CONFLICT',
      byExpert
        ? '您已提交对该候选人的评分，不能再申报回避；如有利害关系，请联系自治区科协'
        : `评审专家「${expert.name}」已提交对候选人「${app.applicantName}」的评分，不能登记回避；如需重评，请先【退回重评】该评分表`,
    );
  }
  const inserted = await tx
    .insert(reviewConflicts)
    .values({ expertId: expert.id, applicationId: app.id, reason, declaredBy: byExpert ? 'expert' : 'organizer', actorId: actor.id })
    .onConflictDoNothing()
    .returning({ expertId: reviewConflicts.expertId });
  if (!inserted.length) throw new AppError('CONFLICT', `评审专家「${expert.name}」对候选人「${app.applicantName}」的回避已登记，无需重复登记`);
  const [row] = (
    (await tx.execute(sql`
      select count(*) filter (where not exists (select 1 from ${reviewConflicts} rc where rc.expert_id = ra.expert_id and rc.application_id = ra.application_id))::int as "left",
             count(*) filter (where ra.expert_id = ${expert.id})::int as "assigned"
      from ${reviewAssignments} ra where ra.application_id = ${app.id}`)) as unknown as { rows: { left: number; assigned: number }[] }
  ).rows;
  const k = (await getCampaign(tx, app.campaignId)).settings.review.k;
  const left = Number(row?.left ?? 0);
  const assigned = Number(row?.assigned ?? 0) > 0;
  const short = left < k ? `，现有${left}份有效评审，少于每人至少${k}份，请在【分配评审专家】中补充分配` : '';
  if (byExpert) {
    await tx.insert(notifications).values({
      role: 'organizer',
      applicationId: app.id,
      body: `评审专家${expert.name}对候选人 ${app.number}（${app.applicantName}）申报回避，理由：${reason}${short}。`,
    });
  } else if (assigned) {
    await tx.insert(notifications).values({
      userId: expert.id,
      body: `自治区科协已登记您对候选人 ${app.number}（${app.applicantName}）回避，该候选人已从您的网上评选列表中移除。`,
    });
  }
  await audit(tx, actor.id, byExpert ? 'review.conflict.expert' : 'review.conflict.organizer', 'application', app.id, { expertId: expert.id, reason });
  return { left, k, assigned };
}
