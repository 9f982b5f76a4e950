import { and, asc, desc, eq, isNull, sql, type Placeholder, type SQL } from 'drizzle-orm';
import {
  abilitiesFor,
  applicationDraftSchema,
  applicationField,
  attachmentKindLabel,
  checkCompleteness,
  checkEligibility,
  checkMediaCounts,
  decide,
  maskIdNumber,
  photoFileName,
  pinyinSortKey,
  REQUIRED_APPLICANT_ATTACHMENTS,
  statusLabel,
  type Action,
  type ApplicationForm,
  type ApplicationStatus,
  type Facts,
  type FormIssue,
  type ApplicationDetail,
  type ApplicationRow,
  type AttachmentView,
  type CheckReply,
  type MediaSettings,
} from '../../core';
import { alias } from 'drizzle-orm/pg-core';
import type { SessionUser } from '../auth/sessions';
import type { Services } from '../context';
import type { Db } from '../db/client';
import { isUniqueViolation } from '../db/client';
import { prepared } from '../db/prepared';
import { applicationEvents, applications, applicationUnits, attachments, campaigns, programs, units, users } from '../db/schema';
import { AppError, notFound } from '../errors';
import { audit } from './accounts';
import { currentCampaign, getCampaign, requireWindowOpen } from './campaigns';

type ApplicationRowDb = typeof applications.$inferSelect;


/**
 * What a user may see: their own applications, those sent to their unit, or (organizer) all.
 * Anything else is simply not found.
 */
export function visibleTo(user: SessionUser): SQL {
  return visibility(user.role, { userId: user.id, unitId: user.unit?.id ?? null });
}

/** The rule of visibleTo with the user's ids as values, or as placeholders for a prepared statement. */
function visibility(role: SessionUser['role'], who: { userId: string | Placeholder; unitId: string | Placeholder | null }): SQL {
  const live = isNull(applications.deletedAt);
  switch (role) {
    case 'applicant':
      return and(live, eq(applications.applicantId, who.userId))!;
    case 'unit':
      // Every application ever submitted to the unit, wherever it is now. `offset 0` keeps PostgreSQL from
      // flattening the subquery: it then starts from the unit's few hundred rows and sorts them, instead of
      // walking the whole year/seq index probing each row (measured 3 ms against 6–75 ms, bench/README.md).
      return who.unitId !== null
        ? and(live, sql`${applications.id} in (select au.application_id from ${applicationUnits} au where au.unit_id = ${who.unitId} offset 0)`)!
        : sql`false`;
    case 'organizer':
      return live;
    default:
      return sql`false`;
  }
}

export function actorFor(user: SessionUser, app: Pick<ApplicationRowDb, 'applicantId' | 'unitId'>) {
  const related =
    user.role === 'applicant' ? app.applicantId === user.id : user.role === 'unit' ? app.unitId === user.unit?.id : user.role === 'organizer';
  return { role: user.role, related };
}

export const stateOf = (app: Pick<ApplicationRowDb, 'status' | 'viewedAt'>) => ({ status: app.status as ApplicationStatus, viewed: app.viewedAt !== null });

/** The name a file is shown and downloaded under: a photo is 姓名+序号.jpg with the applicant's current name. */
export function attachmentName(a: typeof attachments.$inferSelect, applicantName: string): string {
  return a.kind === 'photo' && a.seq ? photoFileName(applicantName, a.seq) : a.name;
}

export function presentAttachment(a: typeof attachments.$inferSelect, applicantName: string): AttachmentView {
  return {
    id: a.id,
    kind: a.kind,
    kindLabel: attachmentKindLabel(a.kind),
    name: attachmentName(a, applicantName),
    size: a.size,
    mime: a.mime,
    seq: a.seq,
    width: a.width,
    height: a.height,
    durationSeconds: a.durationMs === null ? null : a.durationMs / 1000,
    hasPreview: !!a.previewKey,
    createdAt: a.createdAt.toISOString(),
  };
}

/** The columns a list row needs (presentRow): lists select only these, not the form. */
export const ROW_COLUMNS = {
  id: applications.id,
  number: applications.number,
  applicantId: applications.applicantId,
  applicantName: applications.applicantName,
  workUnit: applications.workUnit,
  status: applications.status,
  unitId: applications.unitId,
  viewedAt: applications.viewedAt,
  transferredAt: applications.transferredAt,
  createdAt: applications.createdAt,
  updatedAt: applications.updatedAt,
};
type RowColumns = Pick<ApplicationRowDb, keyof typeof ROW_COLUMNS>;

export function presentRow(user: SessionUser, app: RowColumns, unitName: string | null, viewedBy: string | null = null): ApplicationRow {
  const status = app.status as ApplicationStatus;
  return {
    id: app.id,
    number: app.number,
    applicantName: app.applicantName,
    workUnit: app.workUnit,
    status,
    statusLabel: statusLabel(status, unitName),
    unitName,
    createdAt: app.createdAt.toISOString(),
    updatedAt: app.updatedAt.toISOString(),
    transferredAt: app.transferredAt?.toISOString() ?? null,
    viewedAt: app.viewedAt?.toISOString() ?? null,
    viewedBy,
    abilities: abilitiesFor(stateOf(app), actorFor(user, app)),
  };
}

/** The whole form including the 身份证号码: decrypted for the applicant, masked for everyone else. */
function fullForm(s: Services, user: SessionUser, app: ApplicationRowDb): ApplicationForm {
  const form = { ...(app.form as ApplicationForm) };
  if (app.idEnc) {
    const id = s.cipher.decrypt(app.idEnc);
    form.idNumber = user.role === 'applicant' && app.applicantId === user.id ? id : maskIdNumber(id);
  }
  return form;
}

/**
 * One application with its unit's name, if `user` may see it (else 404); `lock` takes the row lock for a
 * change. Prepared per role and lock: every request about an application starts here.
 */
const visibleQueries = new Map<string, ReturnType<typeof visibleQuery>>();
function visibleQuery(role: SessionUser['role'], lock: boolean) {
  return prepared((db) => {
    const query = db
      .select({ app: applications, unitName: units.name })
      .from(applications)
      .leftJoin(units, eq(units.id, applications.unitId))
      .where(and(eq(applications.id, sql.placeholder('id')), visibility(role, { userId: sql.placeholder('userId'), unitId: sql.placeholder('unitId') })));
    return (lock ? query.for('update', { of: applications }) : query).prepare(`load_visible_${role}${lock ? '_lock' : ''}`);
  });
}

async function loadVisible(db: Db, user: SessionUser, id: string, lock = false) {
  const key = `${user.role}:${lock}`;
  let query = visibleQueries.get(key);
  if (!query) visibleQueries.set(key, (query = visibleQuery(user.role, lock)));
  const [row] = await query(db).execute({ id, userId: user.id, unitId: user.unit?.id ?? null });
  if (!row) throw notFound();
  return row;
}

/** Refuses unless the workflow table allows `action` (with the facts the caller has established). */
function requireAbility(user: SessionUser, app: ApplicationRowDb, action: Action, facts: Facts = {}) {
  const decision = decide(action, stateOf(app), actorFor(user, app), facts);
  if (!decision.ok) throw new AppError(action.startsWith('withdraw') || action === 'forward' || action === 'submit' ? 'CONFLICT' : 'FORBIDDEN', decision.reason);
  return decision.rule;
}

export async function listMine(s: Services, user: SessionUser): Promise<ApplicationRow[]> {
  const viewer = alias(users, 'viewer');
  const viewerUnit = alias(units, 'viewer_unit');
  const rows = await s.db
    .select({ app: applications, unitName: units.name, viewerName: viewer.realName, viewerUnit: viewerUnit.name })
    .from(applications)
    .leftJoin(units, eq(units.id, applications.unitId))
    .leftJoin(viewer, eq(viewer.id, applications.viewedBy))
    .leftJoin(viewerUnit, eq(viewerUnit.id, viewer.unitId))
    .where(and(visibleTo(user), eq(applications.applicantId, user.id)))
    .orderBy(desc(applications.createdAt));
  return rows.map((r) => presentRow(user, r.app, r.unitName, r.viewerUnit ?? r.viewerName));
}

export async function getDetail(s: Services, user: SessionUser, id: string): Promise<ApplicationDetail> {
  const { app, unitName } = await loadVisible(s.db, user, id);
  return detail(s, user, app, unitName);
}

const liveAttachments = prepared((db) =>
  db
    .select()
    .from(attachments)
    .where(and(eq(attachments.applicationId, sql.placeholder('applicationId')), isNull(attachments.deletedAt)))
    .orderBy(asc(attachments.createdAt))
    .prepare('live_attachments'),
);
const viewerName = prepared((db) =>
  db.select({ name: users.realName, unit: units.name }).from(users).leftJoin(units, eq(units.id, users.unitId)).where(eq(users.id, sql.placeholder('userId'))).prepare('viewer_name'),
);

export async function detail(s: Services, user: SessionUser, app: ApplicationRowDb, unitName: string | null): Promise<ApplicationDetail> {
  const [files, viewers] = await Promise.all([
    liveAttachments(s.db).execute({ applicationId: app.id }),
    // who opened it: often the user asking (a 收回 marks it read by the sender), whose names are at hand
    app.viewedBy === user.id
      ? [{ name: user.realName, unit: user.unit?.name ?? null }]
      : app.viewedBy
        ? viewerName(s.db).execute({ userId: app.viewedBy })
        : [],
  ]);
  const viewer = viewers[0];
  const form = fullForm(s, user, app);
  // The applicant reads the 修改意见 sent back; the unit's 推荐单位意见 and the organizer's opinion stay between them.
  const opinions = {
    return: app.returnOpinion,
    recommend: user.role === 'applicant' ? null : app.unitOpinion,
    org: user.role === 'applicant' ? null : app.orgOpinion,
  };
  return {
    ...presentRow(user, app, unitName, viewer ? viewer.unit ?? viewer.name : null),
    campaignId: app.campaignId,
    form,
    pledgedAt: app.pledgedAt?.toISOString() ?? null,
    attachments: files.map((f) => presentAttachment(f, app.applicantName)),
    eligibility: checkEligibility(form),
    opinions,
  };
}

/** 【我要申请】: a new draft with the next number of the campaign (ZMKJ20231, ZMKJ20232, …). */
export async function createApplication(s: Services, user: SessionUser, campaignId?: string): Promise<ApplicationDetail> {
  const campaign = campaignId ? await getCampaign(s.db, campaignId) : await currentCampaign(s.db);
  requireWindowOpen(campaign, 'apply');
  try {
    const app = await s.db.transaction(async (tx) => {
      // The row lock on the campaign hands out each number once; numbers of deleted drafts are not reused.
      const [seq] = await tx
        .update(campaigns)
        .set({ nextSeq: sql`${campaigns.nextSeq} + 1` })
        .where(eq(campaigns.id, campaign.id))
        .returning({ seq: sql<number>`${campaigns.nextSeq} - 1` });
      const [program] = await tx.select({ code: programs.code }).from(programs).innerJoin(campaigns, eq(campaigns.programId, programs.id)).where(eq(campaigns.id, campaign.id));
      const [row] = await tx
        .insert(applications)
        .values({
          campaignId: campaign.id,
          year: campaign.year,
          number: `${program!.code}${campaign.year}${seq!.seq}`,
          seq: Number(seq!.seq),
          applicantId: user.id,
          status: 'applicant',
          form: { name: user.realName, mobile: user.mobile ?? undefined, email: user.email ?? undefined },
          applicantName: user.realName,
          workUnitSort: pinyinSortKey(''),
          mobile: user.mobile ?? '',
        })
        .returning();
      await tx.insert(applicationEvents).values({ applicationId: row!.id, action: 'create', fromStatus: null, toStatus: 'applicant', actorId: user.id, actorRole: user.role, actorName: user.realName, fromName: user.realName, toName: user.realName });
      return row!;
    });
    return detail(s, user, app, null);
  } catch (err) {
    if (isUniqueViolation(err, 'applications_live_applicant_key')) {
      throw new AppError('CONFLICT', `您在${campaign.title}中已有一份申请书，每人只能申请一份；请在【我的申报表】中继续编辑`);
    }
    throw err;
  }
}

/**
 * 【保存】: a partly filled draft saves. Only the fields the request names change (a named field sent blank
 * or null is cleared); a field it does not name keeps its saved value. Each named value is checked on its
 * own: the well-formed ones are saved, a malformed one (untypeable characters included) is not — it keeps
 * its saved value and is named in `notSaved` with the reason, so one wrong entry never blocks the others.
 * An unknown key or a `form` that is not an object is still 400 and changes nothing.
 */
export async function saveForm(s: Services, user: SessionUser, id: string, input: unknown): Promise<ApplicationDetail> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new AppError('VALIDATION', '请求缺少申请书内容：应为 { "form": { 字段: 值 } }，请刷新页面后重试', [{ field: 'form', label: '申请书', message: '请求缺少申请书内容' }]);
  }
  const unknown = Object.keys(input).filter((key) => !applicationField(key));
  if (unknown.length) {
    const keys = unknown.map((k) => k.slice(0, 40)).join('、');
    throw new AppError('VALIDATION', `申请书中含有不认识的字段：${keys}；请刷新页面后重试`, [{ field: 'form', label: '申请书', message: `不认识的字段：${keys}` }]);
  }
  const shape = applicationDraftSchema.shape;
  const values: Record<string, unknown> = {};
  const notSaved: FormIssue[] = [];
  for (const [key, raw] of Object.entries(input as Record<string, unknown>)) {
    const parsed = shape[key as keyof typeof shape].safeParse(raw);
    if (parsed.success) values[key] = parsed.data;
    else notSaved.push({ field: key, label: applicationField(key)!.label, message: parsed.error.issues[0]?.message ?? `${applicationField(key)!.label}填写不正确` });
  }
  const named = Object.keys(values);
  const withNotSaved = (d: ApplicationDetail): ApplicationDetail => (notSaved.length ? { ...d, notSaved } : d);
  if (!named.length && notSaved.length) {
    // nothing well-formed to write: the row stays exactly as it was
    return withNotSaved(await s.db.transaction(async (tx) => {
      const { app, unitName } = await loadVisible(tx, user, id, true);
      requireAbility(user, app, 'edit');
      return detail({ ...s, db: tx }, user, app, unitName);
    }));
  }
  try {
    return await s.db.transaction(async (tx) => {
      const { app, unitName } = await loadVisible(tx, user, id, true);
      requireAbility(user, app, 'edit');
      const form: Record<string, unknown> = { ...(app.form as ApplicationForm) };
      for (const key of named) {
        if (key === 'idNumber') continue;
        if (values[key] === undefined) delete form[key];
        else form[key] = values[key];
      }
      const saved = form as ApplicationForm;
      const idNumber = values.idNumber as string | undefined;
      const idChange = named.includes('idNumber')
        ? { idEnc: idNumber ? s.cipher.encrypt(idNumber) : null, idHash: idNumber ? s.cipher.keyedHash(idNumber) : null }
        : {};
      const [row] = await tx
        .update(applications)
        .set({
          form: saved,
          ...idChange,
          applicantName: saved.name ?? '',
          workUnit: saved.workUnit ?? '',
          workUnitSort: pinyinSortKey(saved.workUnit ?? ''),
          mobile: saved.mobile ?? '',
          version: sql`${applications.version} + 1`,
          updatedAt: new Date(),
        })
        .where(eq(applications.id, app.id))
        .returning();
      return withNotSaved(await detail({ ...s, db: tx }, user, row!, unitName));
    });
  } catch (err) {
    if (isUniqueViolation(err, 'applications_live_person_key')) {
      const message = '该身份证号码在本届评选中已有申请书，每人只能有一份申请书；如有疑问请联系自治区科协';
      throw new AppError('CONFLICT', message, [{ field: 'idNumber', label: '身份证号码', message }]);
    }
    throw err;
  }
}

/** 【我承诺】 after reading the regulations. */
export async function pledge(s: Services, user: SessionUser, id: string): Promise<ApplicationDetail> {
  return s.db.transaction(async (tx) => {
    const { app, unitName } = await loadVisible(tx, user, id, true);
    requireAbility(user, app, 'pledge');
    const [row] = await tx.update(applications).set({ pledgedAt: new Date(), updatedAt: new Date() }).where(eq(applications.id, app.id)).returning();
    await audit(tx, user.id, 'application.pledge', 'application', app.id);
    return detail({ ...s, db: tx }, user, row!, unitName);
  });
}

/** 删除: soft delete, so the number is never reused and the history stays. */
export async function deleteApplication(s: Services, user: SessionUser, id: string): Promise<void> {
  await s.db.transaction(async (tx) => {
    const { app } = await loadVisible(tx, user, id, true);
    requireAbility(user, app, 'delete');
    await tx.update(applications).set({ deletedAt: new Date() }).where(eq(applications.id, app.id));
    await tx.insert(applicationEvents).values({ applicationId: app.id, action: 'delete', fromStatus: app.status, toStatus: app.status, actorId: user.id, actorRole: user.role, actorName: user.realName, fromName: user.realName, toName: user.realName });
  });
}

/** What 【提交】 would refuse: every missing or wrong field, the pledge and the three scans. */
export async function checkSubmission(s: Services, user: SessionUser, id: string): Promise<CheckReply> {
  const d = await getDetail(s, user, id);
  return missingForSubmission(d, (await getCampaign(s.db, d.campaignId)).settings.media);
}

export function missingForSubmission(d: ApplicationDetail, media: MediaSettings): { complete: boolean; missing: FormIssue[] } {
  const missing = checkCompleteness(d.form);
  for (const reason of d.eligibility.refused) missing.push({ field: 'eligibility', label: '资格条件', message: reason });
  if (!d.pledgedAt) missing.push({ field: 'pledge', label: '承诺', message: '请阅读评选条例后点击【我承诺】' });
  for (const kind of REQUIRED_APPLICANT_ATTACHMENTS) {
    if (!d.attachments.some((a) => a.kind === kind)) {
      missing.push({ field: `attachment.${kind}`, label: attachmentKindLabel(kind), message: `请在【附件】中上传${attachmentKindLabel(kind)}` });
    }
  }
  const counts = { photos: d.attachments.filter((a) => a.kind === 'photo').length, videos: d.attachments.filter((a) => a.kind === 'video').length };
  for (const message of checkMediaCounts(counts, media)) {
    missing.push({ field: message.startsWith('照片') ? 'media.photo' : 'media.video', label: message.startsWith('照片') ? '照片' : '视频', message });
  }
  return { complete: missing.length === 0, missing };
}

export { loadVisible, requireAbility };
