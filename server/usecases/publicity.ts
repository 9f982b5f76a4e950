// 公示 and 异议: the owner's notice (a unit's 初评公示; 自治区科协's final 公示 later), its public page, the real-name
// objections sent from it with an SMS-checked mobile, and their 核实. One mechanism for both scopes: who owns a
// notice is `ownsPublicity`, who may see it `publicityScope`; everything else is the same.
import crypto from 'node:crypto';
import fsp from 'node:fs/promises';
import { and, asc, desc, eq, gt, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import {
  chinaToday,
  chineseDate,
  EVIDENCE_MIME,
  OBJECTION_STATUS_LABELS,
  PUBLICITY_ACTION_LABELS,
  PUBLICITY_LIMITS,
  PUBLICITY_STATUS_LABELS,
  publicityPhase,
  type ObjectionDecisionInput,
  type ObjectionInput,
  type ObjectionStatus,
  type ObjectionView,
  type PublicIndexReply,
  type PublicityAction,
  type PublicityCandidate,
  type PublicityDetail,
  type PublicityInput,
  type PublicityStatus,
  type PublicityView,
  type PublicPageReply,
  type PublicPublicity,
  type PublicityScope,
  type PublicityVersion,
} from '../../core';
import { audit } from '../audit';
import type { SessionUser } from '../auth/sessions';
import type { Services } from '../context';
import { randomDigits, safeEqual, sha256 } from '../crypto';
import type { Db } from '../db/client';
import { applications, notifications, objectionFiles, objections, phoneCodes, publicities, publicityEntries, publicityVersions, units } from '../db/schema';
import { AppError, notFound } from '../errors';
import { MediaError, probeFile } from '../media/probe';
import { requireClean } from './antivirus';
import { cleanFileName } from './attachments';
import { currentCampaign, getCampaign, requireWindowOpen } from './campaigns';

type PublicityRow = typeof publicities.$inferSelect;
type EntryRow = typeof publicityEntries.$inferSelect;
type Tx = Db;

/** Statuses in which the unit holds an application (a new candidate of its 公示 must be one of them). */
const UNIT_HOLDS = ['submitted_to_unit', 'returned_to_unit'];
/** The SMS code of the 异议 form: lifetime, attempts, and how often one number may ask. */
export const PHONE_CODE = { ttlMs: 10 * 60_000, attempts: 5, intervalMs: 60_000, perHour: 5 } as const;

const publicityNotFound = () => notFound('公示');
const objectionNotFound = () => notFound('异议');

/** The 公示 a user may see: a unit its own 初评公示, 自治区科协 every one; nobody else any (the routes refuse them). */
function publicityScope(user: SessionUser): SQL {
  if (user.role === 'organizer') return sql`true`;
  if (user.role === 'unit' && user.unit) return and(eq(publicities.scope, 'preliminary'), eq(publicities.unitId, user.unit.id))!;
  return sql`false`;
}

/** Who corrects, withdraws and decides the objections of a 公示: the unit for its 初评公示, 自治区科协 for the final one. */
export function ownsPublicity(user: SessionUser, p: Pick<PublicityRow, 'scope' | 'unitId'>): boolean {
  if (p.scope === 'preliminary') return user.role === 'unit' && !!user.unit && user.unit.id === p.unitId;
  return user.role === 'organizer';
}

const actorName = (user: SessionUser) => (user.unit ? `${user.unit.name}（${user.realName}）` : user.realName);

async function publisherName(db: Db, p: Pick<PublicityRow, 'scope' | 'unitId'>): Promise<string> {
  if (p.scope === 'final' || !p.unitId) return '自治区科协';
  const [u] = await db.select({ name: units.name }).from(units).where(eq(units.id, p.unitId));
  return u?.name ?? '推荐单位';
}

// ---------------------------------------------------------------------------------------------------------------
// The owner's side: candidates, publish, correct, withdraw, lists

/** The candidates the unit may put in a 初评公示: it holds them, 初评 通过. */
export async function listCandidates(s: Services, user: SessionUser): Promise<PublicityCandidate[]> {
  const unitId = requireUnit(user);
  const rows = await s.db
    .select({ id: applications.id, number: applications.number, name: applications.applicantName, form: applications.form })
    .from(applications)
    .where(
      and(
        eq(applications.unitId, unitId),
        inArray(applications.status, UNIT_HOLDS),
        eq(applications.preliminaryResult, 'pass'),
        isNull(applications.deletedAt),
      ),
    )
    .orderBy(asc(applications.seq));
  const inside = await publishedEntriesOf(
    s.db,
    unitId,
    rows.map((r) => r.id),
  );
  return rows.map((r) => ({ applicationId: r.id, number: r.number, ...publicFieldsOf(r.name, r.form), inPublicity: inside.get(r.id)?.title ?? null }));
}

function requireUnit(user: SessionUser): string {
  if (user.role !== 'unit' || !user.unit) throw new AppError('FORBIDDEN', '初评公示由推荐单位发布');
  return user.unit.id;
}

/** The public fields of a candidate, from the 申请书: 姓名, 工作单位 (单位名称), 专业技术职务, 推荐领域. */
function publicFieldsOf(applicantName: string, form: unknown) {
  const f = (form ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
  return { name: applicantName || str(f.name), workUnit: str(f.workUnit), jobTitle: str(f.title), field: str(f.field) };
}

/** For each application, the published 初评公示 of `unitId` it is in (other than `except`). */
async function publishedEntriesOf(db: Db, unitId: string, ids: string[], except?: string) {
  const map = new Map<string, { id: string; title: string }>();
  if (!ids.length) return map;
  const rows = await db
    .select({ applicationId: publicityEntries.applicationId, id: publicities.id, title: publicities.title })
    .from(publicityEntries)
    .innerJoin(publicities, eq(publicities.id, publicityEntries.publicityId))
    .where(
      and(
        inArray(publicityEntries.applicationId, ids),
        eq(publicities.scope, 'preliminary'),
        eq(publicities.unitId, unitId),
        eq(publicities.status, 'published'),
        except ? sql`${publicities.id} <> ${except}` : sql`true`,
      ),
    );
  for (const r of rows) map.set(r.applicationId, { id: r.id, title: r.title });
  return map;
}

/**
 * The entries of a 初评公示 from the unit's input: each candidate must be this unit's, 初评 通过, held by the unit
 * (or already in this 公示), and in no other published 公示 of the unit. The refusal names every candidate at fault.
 */
async function entriesFor(tx: Tx, unitId: string, campaignId: string, input: PublicityInput, publicityId?: string): Promise<Omit<EntryRow, 'publicityId'>[]> {
  const ids = input.entries.map((e) => e.applicationId);
  const rows = await tx
    .select({
      id: applications.id,
      number: applications.number,
      name: applications.applicantName,
      form: applications.form,
      status: applications.status,
      unitId: applications.unitId,
      campaignId: applications.campaignId,
      preliminaryResult: applications.preliminaryResult,
    })
    .from(applications)
    .where(and(inArray(applications.id, ids), isNull(applications.deletedAt)));
  const byId = new Map(rows.map((r) => [r.id, r]));
  const already = new Set<string>();
  if (publicityId) {
    for (const e of await tx.select({ id: publicityEntries.applicationId }).from(publicityEntries).where(eq(publicityEntries.publicityId, publicityId))) {
      already.add(e.id);
    }
  }
  const elsewhere = await publishedEntriesOf(tx, unitId, ids, publicityId);
  const problems: { field: string; label: string; message: string }[] = [];
  const entries = input.entries.map((e, i) => {
    const r = byId.get(e.applicationId);
    const field = `entries.${i}.applicationId`;
    const label = `第${i + 1}名候选人`;
    // another unit's application, or none at all: the same words (existence does not leak)
    if (!r || r.unitId !== unitId || r.campaignId !== campaignId || (!UNIT_HOLDS.includes(r.status) && !already.has(r.id))) {
      problems.push({ field, label, message: `${label}不是本单位正在办理的申请书，请重新选择` });
    } else if (r.preliminaryResult !== 'pass') {
      problems.push({ field, label, message: `${label}（${r.name}）的初评结果不是“通过”，只能公示初评通过的候选人` });
    } else if (elsewhere.has(r.id)) {
      problems.push({ field, label, message: `${label}（${r.name}）已在公示《${elsewhere.get(r.id)!.title}》中，请更正该公示，不要重复公示` });
    }
    const fields = r ? publicFieldsOf(r.name, r.form) : { name: '', workUnit: '', jobTitle: '', field: '' };
    return { applicationId: e.applicationId, position: i + 1, ...fields, summary: e.summary };
  });
  if (problems.length) throw new AppError('VALIDATION', problems.map((p) => p.message).join('；'), problems);
  return entries;
}

/** The 公示期 must end within the 初评 window: after it, the unit could no longer 【提交】 the candidates. */
function checkPeriod(campaign: Awaited<ReturnType<typeof getCampaign>>, input: PublicityInput) {
  const w = campaign.settings.windows.preliminary;
  if (input.endsOn > w.end) {
    const message = `公示结束日期（${input.endsOn}）不能晚于初评截止日期（${w.end}）：公示期满后还需向自治区科协提交`;
    throw new AppError('VALIDATION', message, [{ field: 'endsOn', label: '公示结束日期', message }]);
  }
}

/**
 * The campaign of a new 公示: its candidates' (one campaign for all of them), or the current one when none of them
 * exists (entriesFor then refuses them by name).
 */
async function campaignOf(db: Db, input: PublicityInput) {
  const found = await db
    .selectDistinct({ campaignId: applications.campaignId })
    .from(applications)
    .where(
      inArray(
        applications.id,
        input.entries.map((e) => e.applicationId),
      ),
    );
  if (found.length > 1) throw new AppError('VALIDATION', '一次公示的候选人须属于同一评选活动，请分别公示');
  return found[0] ? getCampaign(db, found[0].campaignId) : currentCampaign(db);
}

/** 发布公示: a new 初评公示 of the unit, version 1. */
export async function createPublicity(s: Services, user: SessionUser, input: PublicityInput): Promise<PublicityDetail> {
  const unitId = requireUnit(user);
  const campaign = await campaignOf(s.db, input);
  requireWindowOpen(campaign, 'preliminary');
  checkPeriod(campaign, input);
  const id = await s.db.transaction(async (tx) => {
    // one unit's publications in turn: a candidate cannot slip into two 公示 at once
    await tx.select({ id: units.id }).from(units).where(eq(units.id, unitId)).for('update');
    const entries = await entriesFor(tx, unitId, campaign.id, input);
    const [row] = await tx
      .insert(publicities)
      .values({
        campaignId: campaign.id,
        scope: 'preliminary',
        unitId,
        title: input.title,
        startsOn: input.startsOn,
        endsOn: input.endsOn,
        contactName: input.contactName,
        contactPhone: input.contactPhone,
        objectionMethod: input.objectionMethod,
        createdBy: user.id,
      })
      .returning();
    await tx.insert(publicityEntries).values(entries.map((e) => ({ ...e, publicityId: row!.id })));
    await writeVersion(tx, row!, 'publish', user);
    await audit(tx, user.id, 'publicity.publish', 'publicity', row!.id);
    return row!.id;
  });
  return getPublicity(s, user, id);
}

/**
 * 最终公示 (issue 14, 7.): 自治区科协's 公示 of the confirmed winners, scope 'final', written like a unit's (entries with
 * the public fields copied at publication, version 1 in publicity_versions); the caller (server/usecases/
 * selection-final.ts) checks the selection and locks it. Objections, 核实 and the public page are the same mechanism.
 */
export async function insertFinalPublicity(tx: Tx, user: SessionUser, campaignId: string, input: PublicityInput): Promise<string> {
  const ids = input.entries.map((e) => e.applicationId);
  const rows = await tx
    .select({ id: applications.id, name: applications.applicantName, form: applications.form })
    .from(applications)
    .where(and(inArray(applications.id, ids), eq(applications.campaignId, campaignId), isNull(applications.deletedAt)));
  const byId = new Map(rows.map((r) => [r.id, r]));
  const entries = input.entries.map((e, i) => {
    const r = byId.get(e.applicationId);
    if (!r) throw new AppError('VALIDATION', `第${i + 1}名候选人不是本次评选的当选人员，请重新选择`);
    return { applicationId: e.applicationId, position: i + 1, ...publicFieldsOf(r.name, r.form), summary: e.summary };
  });
  const [row] = await tx
    .insert(publicities)
    .values({
      campaignId,
      scope: 'final',
      unitId: null,
      title: input.title,
      startsOn: input.startsOn,
      endsOn: input.endsOn,
      contactName: input.contactName,
      contactPhone: input.contactPhone,
      objectionMethod: input.objectionMethod,
      createdBy: user.id,
    })
    .returning();
  await tx.insert(publicityEntries).values(entries.map((e) => ({ ...e, publicityId: row!.id })));
  await writeVersion(tx, row!, 'publish', user);
  await audit(tx, user.id, 'publicity.publish', 'publicity', row!.id, { scope: 'final' });
  return row!.id;
}

/** Locks a 公示 the user owns (404 when it is not the user's to see; 403 when seen but not owned). */
async function lockOwned(tx: Tx, user: SessionUser, id: string): Promise<PublicityRow> {
  const [row] = await tx
    .select()
    .from(publicities)
    .where(and(eq(publicities.id, id), publicityScope(user)))
    .for('update');
  if (!row) throw publicityNotFound();
  if (!ownsPublicity(user, row)) throw new AppError('FORBIDDEN', '只有发布该公示的单位可以更正或撤回');
  if (row.status === 'withdrawn') throw new AppError('CONFLICT', '该公示已撤回，不能再更正或撤回；如需公示，请发布新的公示');
  return row;
}

/** 更正公示: the whole notice again; the previous version stays in publicity_versions. */
export async function correctPublicity(s: Services, user: SessionUser, id: string, input: PublicityInput): Promise<PublicityDetail> {
  await s.db.transaction(async (tx) => {
    const row = await lockOwned(tx, user, id);
    // the final 公示's list is the confirmed selection: a change is a new 公示 (撤回, then 发布), not a correction
    if (row.scope === 'final') throw new AppError('CONFLICT', '最终公示不能更正：如需修改，请撤回后按确认的名单重新发布');
    const campaign = await getCampaign(tx, row.campaignId);
    requireWindowOpen(campaign, 'preliminary');
    checkPeriod(campaign, input);
    await tx.select({ id: units.id }).from(units).where(eq(units.id, row.unitId!)).for('update');
    const entries = await entriesFor(tx, row.unitId!, row.campaignId, input, row.id);
    const [updated] = await tx
      .update(publicities)
      .set({
        title: input.title,
        startsOn: input.startsOn,
        endsOn: input.endsOn,
        contactName: input.contactName,
        contactPhone: input.contactPhone,
        objectionMethod: input.objectionMethod,
        version: row.version + 1,
        updatedAt: new Date(),
      })
      .where(eq(publicities.id, row.id))
      .returning();
    await tx.delete(publicityEntries).where(eq(publicityEntries.publicityId, row.id));
    await tx.insert(publicityEntries).values(entries.map((e) => ({ ...e, publicityId: row.id })));
    await writeVersion(tx, updated!, 'correct', user);
    await audit(tx, user.id, 'publicity.correct', 'publicity', row.id, { version: updated!.version });
  });
  return getPublicity(s, user, id);
}

/** 撤回公示 with a reason: the public page then says 该公示已撤回; kept as a version of its own. */
export async function withdrawPublicity(s: Services, user: SessionUser, id: string, reason: string): Promise<PublicityDetail> {
  await s.db.transaction(async (tx) => {
    const row = await lockOwned(tx, user, id);
    // the 初评 window bounds a unit's 初评公示 only; 自治区科协's final 公示 may be withdrawn whenever
    if (row.scope === 'preliminary') requireWindowOpen(await getCampaign(tx, row.campaignId), 'preliminary');
    const [updated] = await tx
      .update(publicities)
      .set({ status: 'withdrawn', withdrawnReason: reason, version: row.version + 1, updatedAt: new Date() })
      .where(eq(publicities.id, row.id))
      .returning();
    await writeVersion(tx, updated!, 'withdraw', user);
    await audit(tx, user.id, 'publicity.withdraw', 'publicity', row.id, { version: updated!.version });
  });
  return getPublicity(s, user, id);
}

async function entriesWithNumbers(db: Db, publicityId: string) {
  return db
    .select({
      position: publicityEntries.position,
      applicationId: publicityEntries.applicationId,
      number: applications.number,
      name: publicityEntries.name,
      workUnit: publicityEntries.workUnit,
      jobTitle: publicityEntries.jobTitle,
      field: publicityEntries.field,
      summary: publicityEntries.summary,
    })
    .from(publicityEntries)
    .innerJoin(applications, eq(applications.id, publicityEntries.applicationId))
    .where(eq(publicityEntries.publicityId, publicityId))
    .orderBy(asc(publicityEntries.position));
}

/** The notice as it now is, whole, into publicity_versions. */
async function writeVersion(tx: Tx, row: PublicityRow, action: PublicityAction, user: SessionUser) {
  const content: PublicityVersion['content'] = {
    title: row.title,
    startsOn: row.startsOn,
    endsOn: row.endsOn,
    contactName: row.contactName,
    contactPhone: row.contactPhone,
    objectionMethod: row.objectionMethod,
    status: row.status,
    withdrawnReason: row.withdrawnReason,
    entries: await entriesWithNumbers(tx, row.id),
  };
  await tx.insert(publicityVersions).values({ publicityId: row.id, version: row.version, action, content, actorId: user.id, actorName: actorName(user) });
}

async function presentPublicity(db: Db, user: SessionUser, row: PublicityRow, today = chinaToday()): Promise<PublicityView> {
  const [counts] = await db
    .select({ total: sql<number>`count(*)::int`, open: sql<number>`count(*) filter (where ${objections.status} = 'open')::int` })
    .from(objections)
    .where(eq(objections.publicityId, row.id));
  return {
    id: row.id,
    scope: row.scope as PublicityScope,
    unitId: row.unitId,
    publisher: await publisherName(db, row),
    title: row.title,
    startsOn: row.startsOn,
    endsOn: row.endsOn,
    contactName: row.contactName,
    contactPhone: row.contactPhone,
    objectionMethod: row.objectionMethod,
    status: row.status as PublicityStatus,
    statusLabel: PUBLICITY_STATUS_LABELS[row.status as PublicityStatus] ?? row.status,
    phaseLabel: publicityPhase(row, today),
    version: row.version,
    withdrawnReason: row.withdrawnReason,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    entries: await entriesWithNumbers(db, row.id),
    objections: { total: counts?.total ?? 0, open: counts?.open ?? 0 },
    mine: ownsPublicity(user, row),
  };
}

/** 初评公示 list: a unit's own, 自治区科协's every one; newest first. */
export async function listPublicities(s: Services, user: SessionUser): Promise<PublicityView[]> {
  const rows = await s.db.select().from(publicities).where(publicityScope(user)).orderBy(desc(publicities.createdAt));
  const today = chinaToday();
  return Promise.all(rows.map((r) => presentPublicity(s.db, user, r, today)));
}

/** One 公示 with every version; another unit's id is 404. */
export async function getPublicity(s: Services, user: SessionUser, id: string): Promise<PublicityDetail> {
  const [row] = await s.db
    .select()
    .from(publicities)
    .where(and(eq(publicities.id, id), publicityScope(user)));
  if (!row) throw publicityNotFound();
  const versions = await s.db.select().from(publicityVersions).where(eq(publicityVersions.publicityId, id)).orderBy(desc(publicityVersions.version));
  return {
    ...(await presentPublicity(s.db, user, row)),
    versions: versions.map((v) => ({
      version: v.version,
      action: v.action as PublicityAction,
      actionLabel: PUBLICITY_ACTION_LABELS[v.action as PublicityAction] ?? v.action,
      actorName: v.actorName,
      at: v.at.toISOString(),
      content: v.content as PublicityVersion['content'],
    })),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The public side: the index, the page, the SMS code and the 异议 form. Only the fields listed in core's reply
// schemas leave: the entries hold nothing else, and the page never reads the 申请书.

function presentPublic(row: PublicityRow, publisher: string, today: string): PublicPublicity {
  return {
    id: row.id,
    scope: row.scope as PublicityScope,
    publisher,
    title: row.title,
    startsOn: row.startsOn,
    endsOn: row.endsOn,
    open: row.status === 'published' && row.startsOn <= today && today <= row.endsOn,
    status: row.status as PublicityStatus,
    version: row.version,
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** 公示公告: every published 公示 of the current campaign, those open for objections first. */
export async function publicIndex(s: Services): Promise<PublicIndexReply> {
  const campaign = await currentCampaign(s.db);
  const rows = await s.db
    .select({ p: publicities, unitName: units.name })
    .from(publicities)
    .leftJoin(units, eq(units.id, publicities.unitId))
    .where(and(eq(publicities.campaignId, campaign.id), eq(publicities.status, 'published')))
    .orderBy(desc(publicities.endsOn), asc(publicities.title));
  const today = chinaToday();
  const items = rows.map((r) => presentPublic(r.p, r.p.scope === 'final' ? '自治区科协' : (r.unitName ?? '推荐单位'), today));
  items.sort((a, b) => Number(b.open) - Number(a.open));
  return { campaign: campaign.title, items };
}

/** One 公示's public page; a withdrawn one says so and shows nothing else. */
export async function publicPage(s: Services, id: string): Promise<PublicPageReply> {
  const [row] = await s.db.select().from(publicities).where(eq(publicities.id, id));
  if (!row) throw publicityNotFound();
  const base = presentPublic(row, await publisherName(s.db, row), chinaToday());
  if (row.status === 'withdrawn') {
    return { ...base, contactName: null, contactPhone: null, objectionMethod: null, entries: [], message: '该公示已撤回' };
  }
  const entries = await s.db
    .select({
      position: publicityEntries.position,
      name: publicityEntries.name,
      workUnit: publicityEntries.workUnit,
      jobTitle: publicityEntries.jobTitle,
      field: publicityEntries.field,
      summary: publicityEntries.summary,
    })
    .from(publicityEntries)
    .where(eq(publicityEntries.publicityId, id))
    .orderBy(asc(publicityEntries.position));
  return { ...base, contactName: row.contactName, contactPhone: row.contactPhone, objectionMethod: row.objectionMethod, entries, message: null };
}

/**
 * 获取短信验证码 for the 异议 form (the captcha was checked by the route, which also limits requests per address):
 * one code a minute and five an hour per number; a new code replaces the older ones. Kept hashed, 10 minutes.
 */
export async function requestPhoneCode(s: Services, mobile: string): Promise<{ message: string }> {
  await s.db.transaction(async (tx) => {
    // one number's requests in turn, so that two at once cannot both pass the limits
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`phone_code:${mobile}`}))`);
    const recent = await tx
      .select({ createdAt: phoneCodes.createdAt })
      .from(phoneCodes)
      .where(and(eq(phoneCodes.mobile, mobile), eq(phoneCodes.purpose, 'objection'), gt(phoneCodes.createdAt, new Date(Date.now() - 3600_000))))
      .orderBy(desc(phoneCodes.createdAt));
    const last = recent[0]?.createdAt.getTime();
    if (last !== undefined && Date.now() - last < PHONE_CODE.intervalMs) {
      const wait = Math.ceil((PHONE_CODE.intervalMs - (Date.now() - last)) / 1000);
      throw new AppError('RATE_LIMITED', `验证码已发送，请在${wait}秒后再重新获取`);
    }
    if (recent.length >= PHONE_CODE.perHour) {
      throw new AppError('RATE_LIMITED', `该手机号码一小时内最多获取${PHONE_CODE.perHour}次验证码，请稍后再试`);
    }
    const code = randomDigits(6);
    await tx
      .update(phoneCodes)
      .set({ usedAt: new Date() })
      .where(and(eq(phoneCodes.mobile, mobile), eq(phoneCodes.purpose, 'objection'), isNull(phoneCodes.usedAt)));
    await tx.insert(phoneCodes).values({ mobile, purpose: 'objection', codeHash: sha256(code), expiresAt: new Date(Date.now() + PHONE_CODE.ttlMs) });
    await s.sender.send(tx, {
      channel: 'mobile',
      recipient: mobile,
      template: 'publicity.code',
      values: { code },
    });
  });
  return { message: '验证码已发送至该手机，10分钟内有效' };
}

const codeRefusal = (message = '短信验证码不正确或已过期，请重新获取') =>
  new AppError('VALIDATION', message, [{ field: 'code', label: '短信验证码', message }]);

/**
 * Checks `given` against the newest live code of `mobile`, outside the transaction that writes the objection, so
 * that a wrong code's attempt is counted (committed) even though the request fails. Returns the code's id.
 */
async function checkCode(db: Db, mobile: string, given: string): Promise<string> {
  const [code] = await db
    .select()
    .from(phoneCodes)
    .where(and(eq(phoneCodes.mobile, mobile), eq(phoneCodes.purpose, 'objection'), isNull(phoneCodes.usedAt), gt(phoneCodes.expiresAt, new Date())))
    .orderBy(desc(phoneCodes.createdAt))
    .limit(1);
  if (!code) throw codeRefusal();
  if (code.attempts >= PHONE_CODE.attempts) throw codeRefusal('短信验证码输入错误次数过多，请重新获取');
  if (!safeEqual(code.codeHash, sha256(given))) {
    await db
      .update(phoneCodes)
      .set({ attempts: sql`${phoneCodes.attempts} + 1` })
      .where(eq(phoneCodes.id, code.id));
    throw codeRefusal();
  }
  return code.id;
}

/** Uses a checked code, once: of two requests with the same code, one wins (the row's update is the arbiter). */
async function useCode(tx: Tx, codeId: string): Promise<void> {
  const used = await tx
    .update(phoneCodes)
    .set({ usedAt: new Date() })
    .where(
      and(eq(phoneCodes.id, codeId), isNull(phoneCodes.usedAt), gt(phoneCodes.expiresAt, new Date()), sql`${phoneCodes.attempts} < ${PHONE_CODE.attempts}`),
    )
    .returning({ id: phoneCodes.id });
  if (!used.length) throw codeRefusal();
}

/** A received evidence file, already on disk in the storage's temp dir. */
export interface EvidenceFile {
  fileName: string;
  tmpPath: string;
  size: number;
}

/** The open 公示 and the candidate the 异议 is about; refuses outside the 公示期. */
async function openEntry(db: Db, publicityId: string, position: number) {
  const [row] = await db.select().from(publicities).where(eq(publicities.id, publicityId));
  if (!row) throw publicityNotFound();
  if (row.status !== 'published') throw new AppError('CONFLICT', '该公示已撤回，不再受理异议');
  const today = chinaToday();
  if (today < row.startsOn || today > row.endsOn) {
    throw new AppError('CONFLICT', `该公示的公示期为${chineseDate(row.startsOn)}至${chineseDate(row.endsOn)}，当前不在公示期内，不能提出异议`);
  }
  const [entry] = await db
    .select()
    .from(publicityEntries)
    .where(and(eq(publicityEntries.publicityId, row.id), eq(publicityEntries.position, position)));
  if (!entry) {
    const message = '请选择异议涉及的候选人（公示内容可能已更正，请刷新页面）';
    throw new AppError('VALIDATION', message, [{ field: 'entry', label: '候选人', message }]);
  }
  return { publicity: row, entry };
}

/**
 * 提交异议: the form is checked, the 公示 must be in its period, every evidence file is recognised by its content
 * (PDF, JPEG, PNG) and within the size, and only then is the SMS code consumed and the objection written (a file
 * refused does not cost the objector the code). The owner is told in-app and by SMS, without the objector's data.
 */
export async function submitObjection(
  s: Services,
  publicityId: string,
  input: ObjectionInput,
  files: EvidenceFile[],
  ip: string,
): Promise<{ message: string }> {
  const stored: string[] = [];
  try {
    await openEntry(s.db, publicityId, input.entry);
    if (files.length > PUBLICITY_LIMITS.evidenceFiles) throw new AppError('VALIDATION', `证明材料最多${PUBLICITY_LIMITS.evidenceFiles}个`);
    const checked: (EvidenceFile & { mime: string; sha256: string })[] = [];
    for (const f of files) {
      const name = cleanFileName(f.fileName);
      if (f.size === 0) throw new AppError('UNSUPPORTED_FILE', `证明材料“${name}”为空文件，请重新选择`);
      if (f.size > PUBLICITY_LIMITS.evidenceBytes) throw evidenceTooLarge(name);
      let mime: string;
      try {
        mime = (await probeFile(f.tmpPath)).mime;
      } catch (err) {
        if (err instanceof MediaError) {
          const found = err.reason === 'type' && err.found ? err.found.replace(/^文件/, '的') : `：${err.message}`;
          throw new AppError('UNSUPPORTED_FILE', `证明材料“${name}”${found}，要求为 PDF、JPEG 或 PNG 格式（按文件内容识别，修改扩展名无效）`);
        }
        throw err;
      }
      if (!(EVIDENCE_MIME as readonly string[]).includes(mime)) {
        throw new AppError('UNSUPPORTED_FILE', `证明材料“${name}”不是 PDF、JPEG 或 PNG 格式（按文件内容识别，修改扩展名无效）`);
      }
      const hash = crypto
        .createHash('sha256')
        .update(await fsp.readFile(f.tmpPath))
        .digest('hex');
      await requireClean(s, f.tmpPath, {
        label: '证明材料',
        name,
        actor: null,
        targetType: 'publicity',
        targetId: publicityId,
        detail: { size: f.size, ip },
        // nothing of the objection is kept and the SMS code is not used: the same form may be sent again
        unavailable: '您的异议和证明材料均未提交（短信验证码仍可使用）',
      });
      checked.push({ ...f, fileName: name, mime, sha256: hash });
    }
    const codeId = await checkCode(s.db, input.mobile, input.code);
    for (const f of checked) stored.push(await s.storage.putFile(f.tmpPath, { contentType: f.mime }));
    await s.db.transaction(async (tx) => {
      // the period and the candidate again, inside the transaction that writes
      const { publicity, entry } = await openEntry(tx, publicityId, input.entry);
      await useCode(tx, codeId);
      const [row] = await tx
        .insert(objections)
        .values({ publicityId: publicity.id, applicationId: entry.applicationId, name: input.name, mobile: input.mobile, content: input.content, ip })
        .returning({ id: objections.id });
      if (checked.length) {
        await tx
          .insert(objectionFiles)
          .values(checked.map((f, i) => ({ objectionId: row!.id, name: f.fileName, storageKey: stored[i]!, mime: f.mime, size: f.size, sha256: f.sha256 })));
      }
      const body = `【新疆科技工作者之家】您发布的公示《${publicity.title}》收到一件关于候选人${entry.name}的异议，请登录平台在【初评公示】中核实并记录结论。`;
      if (publicity.scope === 'preliminary' && publicity.unitId) {
        await tx.insert(notifications).values({ unitId: publicity.unitId, applicationId: entry.applicationId, body });
        await s.sender.textUsers(
          tx,
          { unitId: publicity.unitId },
          { template: 'publicity.objection', values: { title: publicity.title, candidate: entry.name } },
        );
      } else {
        await tx.insert(notifications).values({ role: 'organizer', applicationId: entry.applicationId, body });
      }
    });
  } catch (err) {
    await Promise.all(stored.map((key) => s.storage.remove(key).catch(() => {})));
    throw err;
  } finally {
    await Promise.all(files.map((f) => fsp.rm(f.tmpPath, { force: true })));
  }
  return { message: '异议已提交。发布公示的单位核实后，将以短信告知您核实结论。' };
}

export const evidenceTooLarge = (name: string | null) =>
  new AppError('TOO_LARGE', `证明材料${name ? `“${name}”` : ''}超过 ${PUBLICITY_LIMITS.evidenceBytes / 1024 / 1024} MB，请压缩或拆分后重新上传`);

// ---------------------------------------------------------------------------------------------------------------
// 异议 for the owner (and 自治区科协, who sees every one)

const objectionSelect = {
  o: objections,
  publicity: publicities,
};

async function presentObjections(db: Db, user: SessionUser, rows: { o: typeof objections.$inferSelect; publicity: PublicityRow }[]): Promise<ObjectionView[]> {
  if (!rows.length) return [];
  const ids = rows.map((r) => r.o.id);
  const files = await db.select().from(objectionFiles).where(inArray(objectionFiles.objectionId, ids)).orderBy(asc(objectionFiles.createdAt));
  const names = await db
    .select({ id: applications.id, name: applications.applicantName })
    .from(applications)
    .where(
      inArray(
        applications.id,
        rows.map((r) => r.o.applicationId),
      ),
    );
  const nameOf = new Map(names.map((n) => [n.id, n.name]));
  const publishers = new Map<string, string>();
  const result: ObjectionView[] = [];
  for (const { o, publicity } of rows) {
    if (!publishers.has(publicity.id)) publishers.set(publicity.id, await publisherName(db, publicity));
    result.push({
      id: o.id,
      publicityId: publicity.id,
      publicityTitle: publicity.title,
      publisher: publishers.get(publicity.id)!,
      applicationId: o.applicationId,
      candidateName: nameOf.get(o.applicationId) ?? '',
      name: o.name,
      mobile: o.mobile,
      content: o.content,
      files: files.filter((f) => f.objectionId === o.id).map((f) => ({ id: f.id, name: f.name, mime: f.mime, size: f.size })),
      status: o.status as ObjectionStatus,
      statusLabel: OBJECTION_STATUS_LABELS[o.status as ObjectionStatus] ?? o.status,
      finding: o.finding,
      decidedByName: o.decidedByName,
      decidedAt: o.decidedAt?.toISOString() ?? null,
      createdAt: o.createdAt.toISOString(),
      mine: ownsPublicity(user, publicity),
    });
  }
  return result;
}

/** 异议 a user may see: on the unit's own 公示, or (自治区科协) all; optionally of one 公示. Newest first. */
export async function listObjections(s: Services, user: SessionUser, publicityId?: string): Promise<ObjectionView[]> {
  const rows = await s.db
    .select(objectionSelect)
    .from(objections)
    .innerJoin(publicities, eq(publicities.id, objections.publicityId))
    .where(and(publicityScope(user), publicityId ? eq(publicities.id, publicityId) : sql`true`))
    .orderBy(desc(objections.createdAt));
  return presentObjections(s.db, user, rows);
}

/**
 * 核实: the owner records 核实情况 and 异议成立 / 异议不成立, once (a second decision is 409); the objector is told by SMS.
 * Another unit's objection is 404; 自治区科协 sees a unit's objection but does not decide it (403).
 */
export async function decideObjection(s: Services, user: SessionUser, id: string, input: ObjectionDecisionInput): Promise<ObjectionView> {
  return s.db.transaction(async (tx) => {
    const [row] = await tx
      .select(objectionSelect)
      .from(objections)
      .innerJoin(publicities, eq(publicities.id, objections.publicityId))
      .where(and(eq(objections.id, id), publicityScope(user)))
      .for('update', { of: objections });
    if (!row) throw objectionNotFound();
    if (!ownsPublicity(user, row.publicity)) throw new AppError('FORBIDDEN', '异议由发布该公示的单位核实');
    if (row.o.status !== 'open')
      throw new AppError('CONFLICT', `该异议已核实（${OBJECTION_STATUS_LABELS[row.o.status as ObjectionStatus]}），不能再次记录结论`);
    const [updated] = await tx
      .update(objections)
      .set({ status: input.conclusion, finding: input.finding, decidedBy: user.id, decidedByName: actorName(user), decidedAt: new Date() })
      .where(and(eq(objections.id, id), eq(objections.status, 'open')))
      .returning();
    if (!updated) throw new AppError('CONFLICT', '该异议已核实，不能再次记录结论');
    const [entry] = await tx
      .select({ name: publicityEntries.name })
      .from(publicityEntries)
      .where(and(eq(publicityEntries.publicityId, row.publicity.id), eq(publicityEntries.applicationId, row.o.applicationId)));
    const candidate = entry?.name ?? '';
    const finding = Array.from(input.finding).length > 200 ? Array.from(input.finding).slice(0, 200).join('') + '…' : input.finding;
    await s.sender.send(tx, {
      channel: 'mobile',
      recipient: row.o.mobile,
      template: 'publicity.decided',
      values: { title: row.publicity.title, candidate: candidate || '（未注明）', conclusion: OBJECTION_STATUS_LABELS[input.conclusion], finding },
    });
    await audit(tx, user.id, 'objection.decide', 'objection', id, { conclusion: input.conclusion });
    return (await presentObjections(tx, user, [{ o: updated, publicity: row.publicity }]))[0]!;
  });
}

/** An evidence file, for the owner of the 公示 and 自治区科协 only. */
export async function openObjectionFile(s: Services, user: SessionUser, id: string) {
  const [row] = await s.db
    .select({ file: objectionFiles })
    .from(objectionFiles)
    .innerJoin(objections, eq(objections.id, objectionFiles.objectionId))
    .innerJoin(publicities, eq(publicities.id, objections.publicityId))
    .where(and(eq(objectionFiles.id, id), publicityScope(user)));
  if (!row) throw notFound('证明材料');
  await audit(s.db, user.id, 'objection_file.download', 'objection_file', id);
  return { file: row.file, stream: await s.storage.open(row.file.storageKey) };
}

// ---------------------------------------------------------------------------------------------------------------
// The forward guard's fact

/**
 * 'publicityDone' for 【提交】 to 自治区科协 when 初评须公示 is on: a published (not withdrawn) 初评公示 of the unit that
 * includes the candidate, whose period has ended (the period is inclusive: the day after its end), and no objection
 * about the candidate on the unit's 初评公示 that is open (待核实) or upheld (异议成立: the candidate is not forwarded).
 * The refusal names what is missing.
 */
export async function publicityFact(
  tx: Tx,
  applicationId: string,
  unitId: string | null,
  today = chinaToday(),
): Promise<{ publicityDone: boolean; publicityText?: string }> {
  if (!unitId) return { publicityDone: false, publicityText: '尚未发布初评公示，公示期满且无异议后方可提交' };
  const shown = await tx
    .select({ endsOn: publicities.endsOn })
    .from(publicityEntries)
    .innerJoin(publicities, eq(publicities.id, publicityEntries.publicityId))
    .where(
      and(
        eq(publicityEntries.applicationId, applicationId),
        eq(publicities.scope, 'preliminary'),
        eq(publicities.unitId, unitId),
        eq(publicities.status, 'published'),
      ),
    );
  if (!shown.length) {
    return {
      publicityDone: false,
      publicityText: '该候选人尚未进行初评公示：请在【初评公示】中发布包含该候选人的公示，公示期满且无异议后方可提交',
    };
  }
  if (!shown.some((p) => p.endsOn < today)) {
    const end = shown.map((p) => p.endsOn).sort()[0]!;
    return { publicityDone: false, publicityText: `初评公示期至${chineseDate(end)}，公示期满后方可提交` };
  }
  const disputes = await tx
    .select({ status: objections.status, n: sql<number>`count(*)::int` })
    .from(objections)
    .innerJoin(publicities, eq(publicities.id, objections.publicityId))
    .where(
      and(
        eq(objections.applicationId, applicationId),
        eq(publicities.scope, 'preliminary'),
        eq(publicities.unitId, unitId),
        inArray(objections.status, ['open', 'upheld']),
      ),
    )
    .groupBy(objections.status);
  const open = disputes.find((d) => d.status === 'open')?.n ?? 0;
  if (open) {
    return {
      publicityDone: false,
      publicityText: `初评公示期间收到关于该候选人的异议${open}件尚未核实：请在【初评公示】中核实并记录结论后再提交`,
    };
  }
  if (disputes.some((d) => d.status === 'upheld')) {
    return { publicityDone: false, publicityText: '关于该候选人的公示异议经核实成立，不能提交到自治区科协' };
  }
  return { publicityDone: true };
}
