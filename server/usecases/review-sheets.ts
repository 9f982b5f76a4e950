// 网上评选 score sheets (issue 13, 9.): the expert's list, one sheet per (expert, candidate), 保存 (draft) and 提交
// (final), 申报回避, and the organizer's reading of a sheet and 退回重评.
//
// One sheet per pair is the unique index score_sheets_pair_key: a save inserts the row with ON CONFLICT DO NOTHING,
// then locks it (FOR UPDATE) and changes it; a submitted sheet changes only through 退回重评. Every change writes a
// score_sheet_changes row (who, when, old, new, reason) in the same transaction. The expert reaches a sheet only
// through the candidate's id and their own scope (access.ts), so another expert's sheet, or a recused candidate's,
// is simply not found.
import { and, asc, desc, eq, inArray, isNull, max, sql, type SQLWrapper } from 'drizzle-orm';
import {
  scoreSheetSchema,
  sheetTotal,
  SHEET_CHANGE_LABELS,
  SHEET_STATE_LABELS,
  type Rubric,
  type ReviewListReply,
  type ScoreSheet,
  type SheetState,
  type SheetDetail,
  type SheetReply,
} from '../../core/review';
import type { SessionUser } from '../auth/sessions';
import type { Services } from '../context';
import type { Db } from '../db/client';
import { isoTime } from '../db/iso-time';
import { prepared } from '../db/prepared';
import { applications, notifications, reviewAssignments, reviewConflicts, scoreSheetChanges, scoreSheets, units, users } from '../db/schema';
import { AppError, notFound } from '../errors';
import { parse } from '../http';
import { loadScope, loadVisible } from './access';
import { currentCampaign, getCampaign } from './campaigns';
import { campaignForScoring, recordConflict, requireReviewWindow, reviewWindow, sheetState, sheetStateLabel, totalOf } from './review-common';

type SheetRow = typeof scoreSheets.$inferSelect;

const SHEET_LABELS = { scores: '评分', gates: '是否项', comment: '评语' };

/** What a change records of a sheet: its values and status. */
const valueOf = (row: Pick<SheetRow, 'status' | 'scores' | 'gates' | 'comment' | 'total'>) => ({
  status: row.status,
  scores: row.scores,
  gates: row.gates,
  comment: row.comment,
  total: totalOf(row.total),
});

/**
 * 退回重评's reason while the sheet waits to be submitted again, as SQL: for a sheet that is 已保存, the reason of its
 * latest 退回重评 ('' when none was given) if that is later than its latest 提交; null otherwise. The one rule for the
 * expert's list (a column of its statement) and the sheet (reopenReasonOf). `sheetId` and `status` must be qualified
 * or parameters: inside the subquery a bare "id" would be the change's.
 */
const pendingReopenReason = (sheetId: SQLWrapper, status: SQLWrapper) =>
  sql<string | null>`case when ${status} = 'saved' then (
    select case when c.action = 'reopen' then coalesce(c.reason, '') end from ${scoreSheetChanges} c
    where c.sheet_id = ${sheetId} and c.action in ('reopen', 'submit') order by c.id desc limit 1) end`;

const reopenReasonQuery = prepared((db) =>
  db
    .select({ reason: pendingReopenReason(sql`${sql.placeholder('id')}::uuid`, sql`${sql.placeholder('status')}::text`) })
    .from(sql`(select 1) one`)
    .prepare('review_reopen_reason'),
);

async function reopenReasonOf(db: Db, sheet: Pick<SheetRow, 'id' | 'status'>): Promise<string | null> {
  if (sheet.status !== 'saved') return null;
  const [row] = await reopenReasonQuery(db).execute({ id: sheet.id, status: sheet.status });
  return row?.reason ?? null;
}

/**
 * The expert's list in one statement, built once (server/db/prepared.ts), its rows the reply's items as they are:
 * the sheet's state, label, total, time (as the reply's ISO text, server/db/iso-time.ts) and 退回重评 reason made by
 * the database, not 300 rows mapped, presented and copied again in Node (bench/README "Session 25"). Not the sheet's
 * scores and gates, which the list does not show. `campaignId` is for the window; the reply schema leaves it out.
 */
const sheetStateSql = sql<SheetState>`case when ${scoreSheets.status} in ('saved', 'submitted') then ${scoreSheets.status} else 'todo' end`;
const mineQuery = prepared((db) =>
  db
    .select({
      applicationId: applications.id,
      number: applications.number,
      applicantName: applications.applicantName,
      workUnit: applications.workUnit,
      unitName: units.name,
      state: sheetStateSql,
      stateLabel: sql<string>`case ${sheetStateSql} when 'saved' then ${SHEET_STATE_LABELS.saved} when 'submitted' then ${SHEET_STATE_LABELS.submitted} else ${SHEET_STATE_LABELS.todo} end`,
      // numeric(…, 1) as float8: the driver's number, as totalOf's Number(text) would make it
      total: sql<number | null>`case when ${scoreSheets.status} <> 'reset' then ${scoreSheets.total}::float8 end`,
      updatedAt: isoTime(scoreSheets.updatedAt),
      reopenReason: pendingReopenReason(scoreSheets.id, scoreSheets.status),
      campaignId: reviewAssignments.campaignId,
    })
    .from(reviewAssignments)
    .innerJoin(applications, eq(applications.id, reviewAssignments.applicationId))
    .leftJoin(units, eq(units.id, applications.unitId))
    .leftJoin(scoreSheets, and(eq(scoreSheets.applicationId, reviewAssignments.applicationId), eq(scoreSheets.expertId, reviewAssignments.expertId)))
    .where(
      and(
        eq(reviewAssignments.expertId, sql.placeholder('expertId')),
        isNull(applications.deletedAt),
        sql`not exists (select 1 from ${reviewConflicts} rc where rc.expert_id = ${reviewAssignments.expertId} and rc.application_id = ${reviewAssignments.applicationId})`,
      ),
    )
    .orderBy(asc(applications.seq))
    .prepare('review_mine'),
);

/** 网上评选: the expert's candidates (their scope: assignments minus 回避), each with the sheet's state. */
export async function listMine(s: Services, user: SessionUser): Promise<ReviewListReply> {
  const items = await mineQuery(s.db).execute({ expertId: user.id });
  const campaignId = items[0]?.campaignId;
  const campaign = campaignId ? await getCampaign(s.db, campaignId) : await currentCampaign(s.db).catch(() => null);
  const window = campaign ? reviewWindow(campaign) : null;
  const counts = { todo: 0, saved: 0, submitted: 0 };
  for (const i of items) counts[i.state]++;
  return { window, items, counts };
}

function presentSheet(applicationId: string, row: SheetRow | undefined, rubric: Rubric, window: SheetReply['window'], reopenReason: string | null): SheetReply {
  const live = row && row.status !== 'reset';
  return {
    sheetId: row?.id ?? null,
    applicationId,
    state: sheetState(row?.status),
    stateLabel: sheetStateLabel(row?.status),
    scores: live ? (row.scores as Record<string, number | null>) : {},
    gates: live ? (row.gates as Record<string, boolean | null>) : {},
    comment: live ? row.comment : null,
    total: live ? totalOf(row.total) : null,
    submittedAt: row?.submittedAt?.toISOString() ?? null,
    updatedAt: live ? row.updatedAt.toISOString() : null,
    reopenReason,
    rubric: { criteria: rubric.criteria },
    window,
  };
}

// 【保存】's statements, built once (server/db/prepared.ts): an expert saves often, and Drizzle's building of each
// statement was the largest part of the save's own work (bench:review).
const value = (name: string) => sql`${sql.placeholder(name)}`;
const json = (name: string) => sql`${sql.placeholder(name)}::jsonb`;
const sheetOfPair = (lock: boolean) =>
  prepared((db) => {
    const q = db
      .select()
      .from(scoreSheets)
      .where(and(eq(scoreSheets.applicationId, sql.placeholder('applicationId')), eq(scoreSheets.expertId, sql.placeholder('expertId'))));
    return lock ? q.for('update').prepare('sheet_of_pair_for_update') : q.prepare('sheet_of_pair');
  });
const sheetOfPairRead = sheetOfPair(false);
const sheetOfPairLocked = sheetOfPair(true);
const sheetCreate = prepared((db) =>
  db
    .insert(scoreSheets)
    .values({ campaignId: value('campaignId'), applicationId: value('applicationId'), expertId: value('expertId'), status: 'reset' })
    .onConflictDoNothing()
    .returning({ id: scoreSheets.id })
    .prepare('sheet_create'),
);
const sheetWrite = prepared((db) =>
  db
    .update(scoreSheets)
    .set({
      status: value('status'),
      scores: json('scores'),
      gates: json('gates'),
      comment: value('comment'),
      total: value('total'),
      submittedAt: value('submittedAt'),
      updatedAt: value('now'),
    })
    .where(eq(scoreSheets.id, sql.placeholder('id')))
    .returning()
    .prepare('sheet_write'),
);
const sheetChange = prepared((db) =>
  db
    .insert(scoreSheetChanges)
    .values({
      sheetId: value('sheetId'),
      action: value('action'),
      actorId: value('actorId'),
      actorRole: value('actorRole'),
      oldValue: json('oldValue'),
      newValue: json('newValue'),
    })
    .prepare('sheet_change'),
);

async function ownSheet(db: Db, applicationId: string, expertId: string, lock = false): Promise<SheetRow | undefined> {
  const [row] = await (lock ? sheetOfPairLocked : sheetOfPairRead)(db).execute({ applicationId, expertId });
  return row;
}

/** The expert's own sheet on a candidate in their scope (404 otherwise), with the rubric and the window. */
export async function getMySheet(s: Services, user: SessionUser, applicationId: string): Promise<SheetReply> {
  const { app } = await loadScope(s.db, user, applicationId);
  const campaign = await getCampaign(s.db, app.campaignId);
  const row = await ownSheet(s.db, app.id, user.id);
  const reason = row ? await reopenReasonOf(s.db, row) : null;
  return presentSheet(app.id, row, campaign.settings.review.rubric, reviewWindow(campaign), reason);
}

/**
 * The sheet's schema for a rubric, built once: campaign settings are read frozen and shared (campaigns.ts), so one
 * rubric is one object for as long as it is unchanged, and building the schema anew cost every save (bench:review).
 */
const sheetSchemas = new WeakMap<Rubric, Partial<Record<'draft' | 'submit', ReturnType<typeof scoreSheetSchema>>>>();
function sheetSchema(rubric: Rubric, mode: 'draft' | 'submit') {
  let built = sheetSchemas.get(rubric);
  if (!built) sheetSchemas.set(rubric, (built = {}));
  return (built[mode] ??= scoreSheetSchema(rubric, mode));
}

/**
 * 【保存】 (draft: blanks allowed) or 【提交】 (every criterion answered; the sheet is locked after). `body` holds the
 * values; for 【提交】 it may be empty, and the saved values are submitted. In order: the scope (404), the window
 * (403, naming it), the values against the rubric (400, naming the criterion), the sheet's state (409 once submitted).
 */
export async function writeSheet(s: Services, user: SessionUser, applicationId: string, body: unknown, mode: 'save' | 'submit'): Promise<SheetReply> {
  const result = await s.db.transaction(async (tx) => {
    const { app } = await loadScope(tx, user, applicationId);
    const campaign = await campaignForScoring(tx, app.campaignId);
    requireReviewWindow(campaign, mode === 'save' ? '保存评分' : '提交评分');
    const rubric = campaign.settings.review.rubric;
    const given = body && typeof body === 'object' && Object.keys(body).length ? body : null;
    const draft: ScoreSheet | null = given ? parse(sheetSchema(rubric, 'draft'), given, SHEET_LABELS) : null;
    if (mode === 'save' && !draft) throw new AppError('VALIDATION', '请填写评分后再保存');

    // the one row of the pair, created empty if needed, then locked
    const created = await sheetCreate(tx).execute({ campaignId: app.campaignId, applicationId: app.id, expertId: user.id });
    const row = (await ownSheet(tx, app.id, user.id, true))!;
    // a 回避 declared meanwhile (recordConflict makes and locks this row first) is seen now, under the lock: 404
    if (!created.length) await loadScope(tx, user, applicationId);
    if (row.status === 'submitted') {
      throw new AppError('CONFLICT', '您已提交对该候选人的评分，评分表已锁定，不能再修改；如确需修改，请联系自治区科协退回重评');
    }
    const current: ScoreSheet =
      row.status === 'reset'
        ? { scores: {}, gates: {} }
        : { scores: row.scores as ScoreSheet['scores'], gates: row.gates as ScoreSheet['gates'], ...(row.comment !== null ? { comment: row.comment } : {}) };
    const values: ScoreSheet = draft ?? current;
    if (mode === 'submit')
      parse(
        sheetSchema(rubric, 'submit'),
        { scores: values.scores, gates: values.gates, ...(values.comment !== undefined ? { comment: values.comment } : {}) },
        SHEET_LABELS,
      );
    const total = sheetTotal(rubric, values);
    const scored = Object.values(values.scores).some((v) => typeof v === 'number');
    const now = new Date();
    const [updated] = await sheetWrite(tx).execute({
      id: row.id,
      status: mode === 'submit' ? 'submitted' : 'saved',
      scores: JSON.stringify(values.scores),
      gates: JSON.stringify(values.gates),
      comment: values.comment?.trim() ? values.comment : null,
      total: mode === 'submit' || scored ? total.toFixed(1) : null,
      submittedAt: mode === 'submit' ? now : null,
      now,
    });
    await sheetChange(tx).execute({
      sheetId: row.id,
      action: mode,
      actorId: user.id,
      actorRole: user.role,
      oldValue: created.length ? null : JSON.stringify(valueOf(row)),
      newValue: JSON.stringify(valueOf(updated!)),
    });
    return { updated: updated!, campaign };
  });
  return presentSheet(applicationId, result.updated, result.campaign.settings.review.rubric, reviewWindow(result.campaign), null);
}

/**
 * 申报回避: the expert declares a conflict on a candidate in their scope, with a reason. The candidate leaves their
 * list and every URL of it answers 404 from then on. The rule (a submitted sheet refuses it, a saved draft is kept
 * hidden, the organizer is told with the candidate's remaining reviews) is recordConflict's, the same as the
 * organizer's 登记回避.
 */
export async function declareRecusal(s: Services, user: SessionUser, applicationId: string, reason: string): Promise<ReviewListReply> {
  await s.db.transaction(async (tx) => {
    const { app } = await loadVisible(tx, user, applicationId, true);
    await recordConflict(tx, user, app, { id: user.id, name: user.realName }, reason);
  });
  return listMine(s, user);
}

async function sheetChanges(db: Db, sheetId: string): Promise<SheetDetail['changes']> {
  const rows = await db
    .select({ change: scoreSheetChanges, name: users.realName })
    .from(scoreSheetChanges)
    .leftJoin(users, eq(users.id, scoreSheetChanges.actorId))
    .where(eq(scoreSheetChanges.sheetId, sheetId))
    .orderBy(asc(scoreSheetChanges.id));
  return rows.map(({ change, name }) => ({
    action: change.action,
    actionLabel: SHEET_CHANGE_LABELS[change.action] ?? change.action,
    actorName: change.actorRole === 'organizer' ? '自治区科协' : (name ?? ''),
    at: change.at.toISOString(),
    reason: change.reason,
    oldValue: change.oldValue,
    newValue: change.newValue,
  }));
}

/**
 * A sheet by its id with every change: the organizer reads any; an expert only their own sheet on a candidate still
 * in their scope. Anything else is not found.
 */
export async function getSheet(s: Services, user: SessionUser, sheetId: string): Promise<SheetDetail> {
  const [row] = await s.db
    .select({ sheet: scoreSheets, expertName: users.realName })
    .from(scoreSheets)
    .innerJoin(users, eq(users.id, scoreSheets.expertId))
    .where(eq(scoreSheets.id, sheetId));
  if (!row) throw notFound('评分表');
  if (user.role !== 'organizer') {
    if (user.role !== 'expert' || row.sheet.expertId !== user.id) throw notFound('评分表');
    await loadScope(s.db, user, row.sheet.applicationId).catch(() => {
      throw notFound('评分表');
    });
  }
  return presentDetail(row.sheet, row.expertName, await sheetChanges(s.db, row.sheet.id));
}

function presentDetail(sheet: SheetRow, expertName: string, changes: SheetDetail['changes']): SheetDetail {
  const live = sheet.status !== 'reset';
  return {
    id: sheet.id,
    applicationId: sheet.applicationId,
    expertId: sheet.expertId,
    expertName,
    state: sheetState(sheet.status),
    stateLabel: sheetStateLabel(sheet.status),
    scores: live ? (sheet.scores as Record<string, number | null>) : {},
    gates: live ? (sheet.gates as Record<string, boolean | null>) : {},
    comment: live ? sheet.comment : null,
    total: live ? totalOf(sheet.total) : null,
    submittedAt: sheet.submittedAt?.toISOString() ?? null,
    updatedAt: sheet.updatedAt.toISOString(),
    changes,
  };
}

/**
 * 退回重评: the organizer reopens one 已提交 sheet with a reason. It goes back to 已保存 with its values (the expert
 * corrects and submits again, within the window); the change is recorded with the reason, and the expert is told in
 * the platform and by SMS. A sheet not submitted is refused (409), nothing changed.
 */
export async function reopenSheet(s: Services, user: SessionUser, sheetId: string, reason: string): Promise<SheetDetail> {
  const result = await s.db.transaction(async (tx) => {
    const [row] = await tx.select().from(scoreSheets).where(eq(scoreSheets.id, sheetId)).for('update');
    if (!row) throw notFound('评分表');
    if (row.status !== 'submitted') throw new AppError('CONFLICT', '该评分表尚未提交，无需退回重评');
    const [updated] = await tx
      .update(scoreSheets)
      .set({ status: 'saved', submittedAt: null, updatedAt: new Date() })
      .where(eq(scoreSheets.id, row.id))
      .returning();
    await tx
      .insert(scoreSheetChanges)
      .values({ sheetId: row.id, action: 'reopen', actorId: user.id, actorRole: user.role, oldValue: valueOf(row), newValue: valueOf(updated!), reason });
    const [app] = await tx
      .select({ number: applications.number, name: applications.applicantName })
      .from(applications)
      .where(eq(applications.id, row.applicationId));
    const body = `【新疆科技工作者之家】自治区科协退回了您对候选人 ${app!.number}（${app!.name}）的评分，请重新评审后提交。理由：${reason}`;
    await tx.insert(notifications).values({ userId: row.expertId, applicationId: row.applicationId, body });
    await s.sender.textUsers(tx, { userId: row.expertId }, { template: 'review.reopen', values: { number: app!.number, candidate: app!.name, reason } });
    const [expert] = await tx.select({ name: users.realName }).from(users).where(eq(users.id, row.expertId));
    return { updated: updated!, expertName: expert!.name };
  });
  return presentDetail(result.updated, result.expertName, await sheetChanges(s.db, sheetId));
}

/** The expert's last save or submission in a campaign, per expert (progress). */
export async function lastActivity(db: Db, campaignId: string): Promise<Map<string, Date>> {
  const rows = await db
    .select({ expertId: scoreSheets.expertId, at: max(scoreSheets.updatedAt) })
    .from(scoreSheets)
    .where(and(eq(scoreSheets.campaignId, campaignId), inArray(scoreSheets.status, ['saved', 'submitted'])))
    .groupBy(scoreSheets.expertId)
    .orderBy(desc(max(scoreSheets.updatedAt)));
  return new Map(rows.flatMap((r) => (r.at ? [[r.expertId, r.at]] : [])));
}
