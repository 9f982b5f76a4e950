import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import {
  ACTION_LABELS,
  chinaToday,
  decide,
  holderOf,
  isWindowOpen,
  QUOTA_STATUSES,
  statusLabel,
  windowRefusal,
  type Action,
  type CampaignView,
  type ApplicationDetail,
  type ApplicationStatus,
  type Facts,
  type Guard,
  type Rule,
  REQUIRED_UNIT_ATTACHMENTS,
  UNIT_ATTACHMENT_KINDS,
} from '../../core';
import type { SessionUser } from '../auth/sessions';
import type { Services } from '../context';
import type { Db } from '../db/client';
import { applicationEvents, applications, applicationSnapshots, applicationUnits, attachments, notifications, units } from '../db/schema';
import { AppError } from '../errors';
import { prepared } from '../db/prepared';
import { actorFor, loadVisible, requireAbility, stateOf } from './access';
import { submissionCheck } from './applications';
import { detail } from './presenters';
import { getCampaign } from './campaigns';
import { publicityFact } from './publicity';

type AppRow = typeof applications.$inferSelect;
type Tx = Db;

/** What a guard's fact provider gets: the transaction, the user, the locked row and what the transition knows. */
interface FactContext {
  s: Services;
  tx: Tx;
  user: SessionUser;
  app: AppRow;
  rule: Rule;
  /** the unit concerned: the chosen one at 提交, the holder otherwise */
  unitId: string | null;
  /** the application's own campaign, read once per transition whatever the guards */
  campaign: () => Promise<CampaignView>;
}

/**
 * Each guard that needs the database, with the fact provider that establishes it. A new guard (公示 ended,
 * 初评 passed, quotas over a set) is one more entry; `holder` and `notViewed` come from the row itself (core).
 */
const FACT_PROVIDERS: { [G in Exclude<Guard, 'holder' | 'notViewed'>]: (c: FactContext) => Promise<Facts> } = {
  async complete({ s, tx, app, campaign }) {
    return { complete: (await submissionCheck(s, tx, app, (await campaign()).settings.media)).complete };
  },
  applyWindow: (c) => windowFact(c, 'apply'),
  preliminaryWindow: (c) => windowFact(c, 'preliminary'),
  async returnOpinion({ app }) {
    return { returnOpinion: !!app.returnOpinion?.trim() };
  },
  async orgOpinion({ app }) {
    return { orgOpinion: !!app.orgOpinion?.trim() };
  },
  async recommendation({ tx, app }) {
    // 推荐单位意见, and each of the unit's scans: 推荐报告扫描件, 干部人事管理部门意见, 纪检监察部门意见
    const present = await tx
      .selectDistinct({ kind: attachments.kind })
      .from(attachments)
      .where(and(eq(attachments.applicationId, app.id), inArray(attachments.kind, [...REQUIRED_UNIT_ATTACHMENTS]), isNull(attachments.deletedAt)));
    const have = new Set(present.map((p) => p.kind));
    const missing = {
      opinion: !app.unitOpinion?.trim(),
      scans: UNIT_ATTACHMENT_KINDS.filter((k) => !have.has(k.kind)).map((k) => k.label),
    };
    return { recommendation: !missing.opinion && missing.scans.length === 0, recommendationMissing: missing };
  },
  async preliminaryPassed({ app }) {
    return { preliminaryPassed: app.preliminaryResult === 'pass' };
  },
  async publicityDone({ tx, app, unitId, campaign }) {
    // 初评须公示 (on by default): a published 初评公示 including the candidate, its period ended, no open or upheld
    // objection (server/usecases/publicity.ts); off: nothing to wait for
    if (!(await campaign()).settings.preliminary.requirePublicity) return { publicityDone: true };
    return publicityFact(tx, app.id, unitId);
  },
  async quota({ tx, app, unitId, campaign }) {
    if (!unitId) return {};
    // The unit's row lock serializes concurrent forwards of one unit: the last place goes to one of them.
    await tx.select({ id: units.id }).from(units).where(eq(units.id, unitId)).for('update');
    const quota = (await campaign()).settings.unitQuota;
    const forwarded = await tx
      .select({ number: applications.number, name: applications.applicantName })
      .from(applications)
      .where(
        and(
          eq(applications.campaignId, app.campaignId),
          eq(applications.unitId, unitId),
          inArray(applications.status, QUOTA_STATUSES),
          isNull(applications.deletedAt),
          sql`${applications.id} <> ${app.id}`,
        ),
      )
      .orderBy(asc(applications.seq));
    return {
      quota: forwarded.length < quota,
      quotaText: `每个推荐单位最多向自治区科协推荐${quota}名候选人，本单位已提交${forwarded.length}名：${forwarded.map((f) => `${f.number} ${f.name}`).join('、')}；如需更换，请先收回其中一份`,
    };
  },
};

async function windowFact({ rule, campaign }: FactContext, key: 'apply' | 'preliminary'): Promise<Facts> {
  const c = await campaign();
  const w = c.settings.windows[key];
  return {
    [key === 'apply' ? 'applyWindow' : 'preliminaryWindow']: isWindowOpen(w, chinaToday()),
    windowText: windowRefusal(c.title, key, w, ACTION_LABELS[rule.action]),
  };
}

/** Establishes the facts the rule's guards need, inside the transaction (quota under a lock on the unit). */
export async function factsFor(s: Services, tx: Tx, user: SessionUser, app: AppRow, rule: Rule | undefined, unitId: string | null): Promise<Facts> {
  if (!rule) return {};
  let campaign: Promise<CampaignView> | undefined;
  const context: FactContext = { s, tx, user, app, rule, unitId, campaign: () => (campaign ??= getCampaign(tx, app.campaignId)) };
  const facts: Facts = {};
  for (const guard of rule.guards) {
    if (guard === 'holder' || guard === 'notViewed') continue;
    Object.assign(facts, await FACT_PROVIDERS[guard](context));
  }
  return facts;
}

async function nameOfUnit(tx: Tx, unitId: string | null): Promise<string> {
  if (!unitId) return '推荐单位';
  const [u] = await tx.select({ name: units.name }).from(units).where(eq(units.id, unitId));
  return u?.name ?? '推荐单位';
}

/** Who holds it in each status, by name, for 流程情况 and messages. */
function holderName(app: AppRow, status: ApplicationStatus, unitName: string): string {
  const holder = holderOf(status);
  if (holder === 'applicant') return app.applicantName || '申报人';
  if (holder === 'organizer') return '自治区科协';
  return unitName;
}

// The statements every transfer runs, built once (server/db/prepared.ts).
const value = (name: string) => sql`${sql.placeholder(name)}`;
const transferUpdate = prepared((db) =>
  db
    .update(applications)
    .set({
      status: value('status'),
      unitId: value('unitId'),
      transferredAt: value('now'),
      viewedAt: value('viewedAt'),
      viewedBy: value('viewedBy'),
      updatedAt: value('now'),
    })
    .where(eq(applications.id, sql.placeholder('id')))
    .returning()
    .prepare('transfer_update'),
);
export const insertEvent = prepared((db) =>
  db
    .insert(applicationEvents)
    .values({
      applicationId: sql.placeholder('applicationId'),
      action: sql.placeholder('action'),
      fromStatus: sql.placeholder('fromStatus'),
      toStatus: sql.placeholder('toStatus'),
      actorId: sql.placeholder('actorId'),
      actorRole: sql.placeholder('actorRole'),
      actorName: sql.placeholder('actorName'),
      fromName: sql.placeholder('fromName'),
      toName: sql.placeholder('toName'),
      opinion: sql.placeholder('opinion'),
      snapshotId: sql.placeholder('snapshotId'),
    })
    .prepare('insert_event'),
);
/** An in-app message to one user, one unit's accounts or the organizers (the other two null). */
const insertNotification = prepared((db) =>
  db
    .insert(notifications)
    .values({
      userId: sql.placeholder('userId'),
      unitId: sql.placeholder('unitId'),
      role: sql.placeholder('role'),
      applicationId: sql.placeholder('applicationId'),
      body: sql.placeholder('body'),
    })
    .prepare('insert_notification'),
);

export interface TransitionInput {
  /** 提交: the chosen 推荐单位 */
  unitId?: string;
}

/**
 * Every transfer of an application: one transaction that locks the row, asks the workflow table,
 * writes the new status, the 流程情况 row, the snapshot (at 提交) and the messages to the receiver.
 */
export async function transition(s: Services, user: SessionUser, id: string, action: Action, input: TransitionInput = {}): Promise<ApplicationDetail> {
  const result = await s.db.transaction((tx) => transitionInTx(s, tx, user, id, action, input));
  return detail(s, user, result.row, result.row.unitId ? result.unitName : null);
}

/**
 * One transfer inside the caller's transaction (transition's body): several applications moved at once, as the
 * confirmed 网上评选 plan does (startReview), move or fail together.
 */
export async function transitionInTx(s: Services, tx: Tx, user: SessionUser, id: string, action: Action, input: TransitionInput = {}) {
  const { app, unitName } = await loadVisible(tx, user, id, true);
  // status, role and relationship first (a stale request gets 409), then the guards that need facts
  const guessed = requireAbility(user, app, action);
  let unitId = app.unitId;
  if (action === 'submit') unitId = await chooseUnit(tx, app, input.unitId);
  const facts = await factsFor(s, tx, user, app, guessed, action === 'forward' ? app.unitId : unitId);
  const rule = requireAbility(user, app, action, facts);
  const oldUnitName = unitName ?? '推荐单位';
  const newUnitName = unitId === app.unitId ? oldUnitName : await nameOfUnit(tx, unitId);
  if (!rule.to) throw new AppError('INTERNAL', `action ${action} does not transfer`);
  const from = app.status as ApplicationStatus;
  const to = rule.to;
  const now = new Date();

  const opinion = action === 'return' ? app.returnOpinion : action === 'forward' ? app.unitOpinion : action === 'orgReturn' ? app.orgOpinion : null;
  // A transfer to a new receiver starts unread; a 收回 returns it to a sender who has already handled it, and
  // 受理 leaves it with 自治区科协, who has handled it (so nothing of the unit's 收回 survives it either).
  const handled = action === 'withdrawReturn' || action === 'withdrawForward' || action === 'accept';
  const [updated] = await transferUpdate(tx).execute({
    id: app.id,
    status: to,
    unitId,
    now: now.toISOString(),
    viewedAt: handled ? (action === 'accept' && app.viewedAt ? app.viewedAt.toISOString() : now.toISOString()) : null,
    viewedBy: handled ? (action === 'accept' && app.viewedBy ? app.viewedBy : user.id) : null,
  });

  let snapshotId: number | null = null;
  if (action === 'submit') {
    const content = await snapshotContent(s, tx, updated!);
    const [snap] = await tx.insert(applicationSnapshots).values({ applicationId: app.id, content }).returning({ id: applicationSnapshots.id });
    snapshotId = snap!.id;
    await tx.insert(applicationUnits).values({ applicationId: app.id, unitId: unitId! }).onConflictDoNothing();
  }
  const fromName = holderName(app, from, oldUnitName);
  const toName = holderName(updated!, to, newUnitName);
  await insertEvent(tx).execute({
    applicationId: app.id,
    action,
    fromStatus: from,
    toStatus: to,
    actorId: user.id,
    actorRole: user.role,
    actorName: user.unit?.name ?? user.realName,
    fromName,
    toName,
    opinion,
    snapshotId,
  });
  await notifyReceiver(s, tx, updated!, action, to, user, newUnitName);
  return { row: updated!, unitName: newUnitName };
}

async function chooseUnit(tx: Tx, app: AppRow, requested: string | undefined): Promise<string> {
  // After a return the application goes back to the unit that returned it.
  if (app.status === 'returned_to_applicant' && app.unitId) return app.unitId;
  if (!requested || !/^[0-9a-f-]{36}$/i.test(requested)) {
    throw new AppError('VALIDATION', '请选择推荐单位', [{ field: 'unitId', label: '推荐单位', message: '请选择要提交到的推荐单位' }]);
  }
  const [unit] = await tx.select().from(units).where(eq(units.id, requested));
  if (!unit || unit.status !== 'active') {
    throw new AppError('VALIDATION', '所选推荐单位不存在或尚未通过审核，请重新选择', [{ field: 'unitId', label: '推荐单位', message: '请重新选择推荐单位' }]);
  }
  return unit.id;
}

async function snapshotContent(s: Services, tx: Tx, app: AppRow) {
  const files = await tx
    .select({ id: attachments.id, kind: attachments.kind, name: attachments.name, sha256: attachments.sha256 })
    .from(attachments)
    .where(and(eq(attachments.applicationId, app.id), isNull(attachments.deletedAt)))
    .orderBy(asc(attachments.createdAt));
  return { form: app.form, idHash: app.idHash, pledgedAt: app.pledgedAt?.toISOString() ?? null, attachments: files };
}

/** An in-app message to the receiver, and a text through the sender interface (outbox by default). */
async function notifyReceiver(s: Services, tx: Tx, app: AppRow, action: Action, to: ApplicationStatus, actor: SessionUser, unitName: string) {
  // 分配评审专家 and 网上评选结束 (the 入围名单's build) leave it with 自治区科协, who did it: the status (网上评选中,
  // 评审中) is the news, nobody is messaged — not one message per candidate to the organizers' own inbox
  if (action === 'startReview' || action === 'endOnlineReview') return;
  const who = actor.unit?.name ?? (actor.role === 'organizer' ? '自治区科协' : actor.realName);
  const body = `【新疆科技工作者之家】${who}对申请书 ${app.number}（${app.applicantName}）进行了【${ACTION_LABELS[action]}】，当前状态：${statusLabel(to, unitName)}。`;
  const message = { applicationId: app.id, body, userId: null, unitId: null, role: null };
  // the texts' placeholders (core/messages.ts: application.*): the text is made from the current template
  const appValues = { number: app.number, applicant: app.applicantName };
  const transferValues = { ...appValues, actor: who, action: ACTION_LABELS[action], status: statusLabel(to, unitName) };
  // 发布结果: the outcome is news for the applicant (in-app and a text) and the unit that recommended them (in-app)
  if (action === 'publishWin' || action === 'publishNational' || action === 'publishNotWon') {
    const outcome = `【新疆科技工作者之家】评选结果已发布：申请书 ${app.number}（${app.applicantName}）${statusLabel(to)}。`;
    await insertNotification(tx).execute({ ...message, body: outcome, userId: app.applicantId });
    await s.sender.textUsers(tx, { userId: app.applicantId }, { template: 'application.result', values: { ...appValues, result: statusLabel(to) } });
    if (app.unitId) await insertNotification(tx).execute({ ...message, body: outcome, unitId: app.unitId });
    return;
  }
  // 受理 keeps it with 自治区科协: the unit that forwarded it is told
  const holder = action === 'accept' ? 'unit' : holderOf(to);
  if (holder === 'applicant') {
    await insertNotification(tx).execute({ ...message, userId: app.applicantId });
    await s.sender.textUsers(tx, { userId: app.applicantId }, { template: 'application.status', values: transferValues });
  } else if (holder === 'unit') {
    if (!app.unitId) return;
    await insertNotification(tx).execute({ ...message, unitId: app.unitId });
    await s.sender.textUsers(tx, { unitId: app.unitId }, { template: 'application.todo', values: transferValues });
  } else {
    await insertNotification(tx).execute({ ...message, role: 'organizer' });
  }
}

/**
 * 办理 / 查看 by the current receiver: records who opened it and when, once per transfer. From that moment
 * the sender's 收回 is refused. Anyone else who may see it just reads.
 */
export async function openApplication(s: Services, user: SessionUser, id: string): Promise<ApplicationDetail> {
  const { row, unitName } = await s.db.transaction(async (tx) => {
    const { app, unitName } = await loadVisible(tx, user, id, true);
    if (app.viewedAt === null && decide('view', stateOf(app), actorFor(user, app)).ok) {
      const [updated] = await tx.update(applications).set({ viewedAt: new Date(), viewedBy: user.id }).where(eq(applications.id, app.id)).returning();
      return { row: updated!, unitName };
    }
    return { row: app, unitName };
  });
  return detail(s, user, row, unitName);
}
