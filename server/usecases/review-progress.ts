// 网上评选 progress (issue 13, 10.): per expert and per candidate, 催办 by hand and automatically before the window
// closes (once per window, whatever the number of app instances: review_reminders' unique dedupe_key), and the
// organizer's 重置评审 (reset), which unlocks the 评分标准.
import { and, asc, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { type ProgressReply } from '../../core/review';
import type { SessionUser } from '../auth/sessions';
import { audit } from '../audit';
import type { Services } from '../context';
import type { Db } from '../db/client';
import {
  applications,
  campaigns,
  expertProfiles,
  notifications,
  reviewAssignments,
  reviewConflicts,
  reviewReminders,
  scoreSheetChanges,
  scoreSheets,
  shortlistChanges,
  users,
} from '../db/schema';
import { REMIND_JOB } from '../../core/messages';
import { AppError } from '../errors';
import { enqueueJob } from '../jobs/runner';
import { getCampaign } from './campaigns';
import { reviewWindow } from './review-common';
import { lastActivity } from './review-sheets';

/**
 * The statuses of the candidates 网上评选管理's progress shows: those in the online review and, once the 入围名单 is
 * built (the online stage over for everyone still in it), those it moved on to 评审中 — the review's final progress,
 * read-only (催办 and 重置评审 no longer apply to them).
 */
const PROGRESS_STATUSES = ['accepted', 'online_review', 'final_review'];

/**
 * The valid assignments of a campaign (assigned, not recused, candidate not deleted) with their sheets' statuses;
 * `statuses` limits them to candidates in those statuses.
 */
async function validAssignments(db: Db, campaignId: string, statuses?: string[]) {
  return db
    .select({ expertId: reviewAssignments.expertId, applicationId: reviewAssignments.applicationId, status: scoreSheets.status })
    .from(reviewAssignments)
    .innerJoin(
      applications,
      and(eq(applications.id, reviewAssignments.applicationId), isNull(applications.deletedAt), statuses ? inArray(applications.status, statuses) : undefined),
    )
    .leftJoin(scoreSheets, and(eq(scoreSheets.applicationId, reviewAssignments.applicationId), eq(scoreSheets.expertId, reviewAssignments.expertId)))
    .where(
      and(
        eq(reviewAssignments.campaignId, campaignId),
        sql`not exists (select 1 from ${reviewConflicts} rc where rc.expert_id = ${reviewAssignments.expertId} and rc.application_id = ${reviewAssignments.applicationId})`,
      ),
    );
}

/** 评审进度: per expert assigned / 已保存 / 已提交 and last activity; per candidate 已提交 of required; the 催办 sent. */
export async function progress(s: Services, campaignId: string): Promise<ProgressReply> {
  const campaign = await getCampaign(s.db, campaignId);
  const rows = await validAssignments(s.db, campaignId);
  const expertIds = [...new Set(rows.map((r) => r.expertId))];
  const people = expertIds.length
    ? await s.db
        .select({ id: users.id, name: users.realName, workUnit: expertProfiles.workUnit })
        .from(users)
        .leftJoin(expertProfiles, eq(expertProfiles.userId, users.id))
        .where(inArray(users.id, expertIds))
        .orderBy(asc(users.realName))
    : [];
  const candidates = await s.db
    .select({ id: applications.id, number: applications.number, name: applications.applicantName })
    .from(applications)
    .where(and(eq(applications.campaignId, campaignId), inArray(applications.status, PROGRESS_STATUSES), isNull(applications.deletedAt)))
    .orderBy(asc(applications.seq));
  const last = await lastActivity(s.db, campaignId);
  const reminders = await s.db.select().from(reviewReminders).where(eq(reviewReminders.campaignId, campaignId)).orderBy(desc(reviewReminders.id)).limit(50);
  const count = (pred: (r: (typeof rows)[number]) => boolean) => rows.filter(pred).length;
  return {
    window: reviewWindow(campaign),
    experts: people.map((p) => ({
      id: p.id,
      name: p.name,
      workUnit: p.workUnit,
      assigned: count((r) => r.expertId === p.id),
      saved: count((r) => r.expertId === p.id && r.status === 'saved'),
      submitted: count((r) => r.expertId === p.id && r.status === 'submitted'),
      lastActivity: last.get(p.id)?.toISOString() ?? null,
    })),
    candidates: candidates.map((c) => ({
      applicationId: c.id,
      number: c.number,
      applicantName: c.name,
      required: count((r) => r.applicationId === c.id),
      submitted: count((r) => r.applicationId === c.id && r.status === 'submitted'),
    })),
    reminders: reminders.map((r) => ({ kind: r.kind, at: r.at.toISOString(), experts: r.experts })),
  };
}

/**
 * 催办: an in-app message and an SMS to every expert with unfinished sheets (assigned, not recused, not submitted),
 * recorded in review_reminders. `dedupeKey` (automatic 催办) makes it happen once: the row is written first, and a
 * second instance's insert conflicts and sends nothing. Returns the number of experts reminded (null: already sent).
 */
export async function remind(s: Services, campaignId: string, by: SessionUser | null, dedupeKey: string | null = null): Promise<number | null> {
  const campaign = await getCampaign(s.db, campaignId);
  const window = reviewWindow(campaign);
  return s.db.transaction(async (tx) => {
    // only candidates still 网上评选中: after the 入围名单 an unsubmitted sheet is of a review that is over
    const rows = await validAssignments(tx, campaignId, ['online_review']);
    const unfinished = new Map<string, number>();
    for (const r of rows) if (r.status !== 'submitted') unfinished.set(r.expertId, (unfinished.get(r.expertId) ?? 0) + 1);
    const inserted = await tx
      .insert(reviewReminders)
      .values({ campaignId, kind: dedupeKey ? 'auto' : 'manual', dedupeKey, sentBy: by?.id ?? null, experts: unfinished.size })
      .onConflictDoNothing()
      .returning({ id: reviewReminders.id });
    if (!inserted.length) return null;
    const closes = `${window.end} 24:00`;
    for (const [expertId, n] of unfinished) {
      const body = `【新疆科技工作者之家】${campaign.title}网上评选将于${closes}截止，您还有${n}位候选人的评分未提交，请尽快登录平台完成评审。`;
      await tx.insert(notifications).values({ userId: expertId, body });
      await s.sender.textUsers(tx, { userId: expertId }, { template: 'review.remind', values: { campaign: campaign.title, closes, count: n } });
    }
    if (by) await audit(tx, by.id, 'review.remind', 'campaign', campaignId, { experts: unfinished.size });
    return unfinished.size;
  });
}

/**
 * The automatic 催办 of every campaign whose 网上评选 window closes within its settings' remindHours (0: none) and
 * has not closed yet: once per window (the key names the window's end, so a window moved later gets its own).
 * Called by the hourly maintenance sweep of every instance; it only enqueues a review-auto-remind job per campaign
 * and window (dedupe key: one live job however many instances enqueue it), which sends through remindDue. Returns
 * the number of campaigns with a 催办 job queued (0 once that window's 催办 was sent).
 */
export async function autoRemind(s: Services, now = new Date()): Promise<number> {
  const rows = await s.db.select({ id: campaigns.id }).from(campaigns);
  let queued = 0;
  for (const { id } of rows) {
    const campaign = await getCampaign(s.db, id);
    const hours = campaign.settings.review.remindHours;
    if (!hours) continue;
    const window = reviewWindow(campaign, now);
    const closes = Date.parse(window.closesAt);
    const opens = Date.parse(window.opensAt);
    if (now.getTime() < opens || now.getTime() >= closes || now.getTime() < closes - hours * 3_600_000) continue;
    const [sent] = await s.db
      .select({ id: reviewReminders.id })
      .from(reviewReminders)
      .where(and(eq(reviewReminders.campaignId, id), eq(reviewReminders.dedupeKey, `auto:${window.end}`)));
    if (sent) continue;
    await enqueueJob(s.db, {
      kind: REMIND_JOB,
      campaignId: id,
      params: { window: window.end, at: now.toISOString() },
      dedupeKey: `review-remind:${id}:${window.end}`,
    });
    queued++;
  }
  return queued;
}

/**
 * The review-auto-remind job's work: the 催办 of `windowEnd`'s window, unless the window has moved since it was
 * enqueued (the new window gets its own job). Once per window: remind's dedupe key (review_reminders).
 */
export async function remindDue(s: Services, campaignId: string, windowEnd: string, at: Date): Promise<number | null> {
  const campaign = await getCampaign(s.db, campaignId);
  if (reviewWindow(campaign, at).end !== windowEnd) return null;
  return remind(s, campaignId, null, `auto:${windowEnd}`);
}

/**
 * 重置评审: every sheet of the campaign that holds scores is emptied (status 'reset': the expert's list shows 未评),
 * each with a 'reset' change keeping its old values and the reason, and the audit log records who and why. The
 * assignments stay. The 评分标准 is unlocked until the next save. The experts whose sheets were emptied are told.
 */
export async function resetReview(s: Services, user: SessionUser, campaignId: string, reason: string): Promise<{ sheets: number; message: string }> {
  await getCampaign(s.db, campaignId);
  const n = await s.db.transaction(async (tx) => {
    // the campaign's row lock: no sheet is saved meanwhile (they take KEY SHARE on it)
    await tx.select({ id: campaigns.id }).from(campaigns).where(eq(campaigns.id, campaignId)).for('update');
    // the 入围名单 is built on these scores (and its build ended the online stage): they stay
    const [built] = await tx
      .select({ id: shortlistChanges.id })
      .from(shortlistChanges)
      .where(and(eq(shortlistChanges.campaignId, campaignId), eq(shortlistChanges.action, 'build')))
      .limit(1);
    if (built) throw new AppError('CONFLICT', '入围名单已按网上评选结果生成，网上评选已结束，不能重置评审');
    const sheets = await tx
      .select()
      .from(scoreSheets)
      .where(and(eq(scoreSheets.campaignId, campaignId), inArray(scoreSheets.status, ['saved', 'submitted'])))
      .for('update');
    const now = new Date();
    for (const sheet of sheets) {
      await tx
        .update(scoreSheets)
        .set({ status: 'reset', scores: {}, gates: {}, comment: null, total: null, submittedAt: null, updatedAt: now })
        .where(eq(scoreSheets.id, sheet.id));
      await tx.insert(scoreSheetChanges).values({
        sheetId: sheet.id,
        action: 'reset',
        actorId: user.id,
        actorRole: user.role,
        oldValue: {
          status: sheet.status,
          scores: sheet.scores,
          gates: sheet.gates,
          comment: sheet.comment,
          total: sheet.total === null ? null : Number(sheet.total),
        },
        newValue: { status: 'reset', scores: {}, gates: {}, comment: null, total: null },
        reason,
      });
    }
    for (const expertId of new Set(sheets.map((x) => x.expertId))) {
      await tx
        .insert(notifications)
        .values({ userId: expertId, body: `自治区科协重置了网上评选，您已保存或提交的评分已清空，请按新的评分标准重新评审。理由：${reason}` });
    }
    await audit(tx, user, 'review.reset', 'campaign', campaignId, { reason, sheets: sheets.length });
    return sheets.length;
  });
  return { sheets: n, message: n ? `已重置网上评选：${n}份评分表已清空（原评分留有记录），评分标准现可修改` : '尚无评分，评分标准现可修改' };
}
