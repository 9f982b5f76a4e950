import { and, asc, desc, eq, isNull, sql, type SQL } from 'drizzle-orm';
import {
  abilitiesFor,
  applicationDraftSchema,
  attachmentKindLabel,
  canDo,
  checkCompleteness,
  checkEligibility,
  formIssuesFromZod,
  maskIdNumber,
  refusalMessage,
  REQUIRED_APPLICANT_ATTACHMENTS,
  statusLabel,
  type Abilities,
  type ApplicationForm,
  type ApplicationStatus,
  type ContentAction,
  type FormIssue,
} from '../../core';
import type { SessionUser } from '../auth/sessions';
import type { Services } from '../context';
import type { Db } from '../db/client';
import { isUniqueViolation } from '../db/client';
import { applicationEvents, applications, attachments, campaigns, programs, units } from '../db/schema';
import { AppError, notFound } from '../errors';
import { audit } from './accounts';
import { currentCampaign, getCampaign, requireWindowOpen } from './campaigns';

type ApplicationRowDb = typeof applications.$inferSelect;

export interface ApplicationRow {
  id: string;
  number: string;
  applicantName: string;
  status: string;
  statusLabel: string;
  unitName: string | null;
  updatedAt: string;
  abilities: Abilities;
}

export interface AttachmentView {
  id: string;
  kind: string;
  kindLabel: string;
  name: string;
  size: number;
  mime: string;
  createdAt: string;
}

export interface ApplicationDetail extends ApplicationRow {
  campaignId: string;
  form: ApplicationForm;
  pledgedAt: string | null;
  attachments: AttachmentView[];
  eligibility: { refused: string[]; flags: string[] };
}

/**
 * What a user may see: their own applications, those sent to their unit, or (organizer) all.
 * Anything else is simply not found.
 */
export function visibleTo(user: SessionUser): SQL {
  const live = isNull(applications.deletedAt);
  switch (user.role) {
    case 'applicant':
      return and(live, eq(applications.applicantId, user.id))!;
    case 'unit':
      return user.unit ? and(live, eq(applications.unitId, user.unit.id))! : sql`false`;
    case 'organizer':
      return live;
    default:
      return sql`false`;
  }
}

function actorFor(user: SessionUser, app: ApplicationRowDb) {
  const related =
    user.role === 'applicant' ? app.applicantId === user.id : user.role === 'unit' ? app.unitId === user.unit?.id : user.role === 'organizer';
  return { role: user.role, related };
}

export function presentAttachment(a: typeof attachments.$inferSelect): AttachmentView {
  return { id: a.id, kind: a.kind, kindLabel: attachmentKindLabel(a.kind), name: a.name, size: a.size, mime: a.mime, createdAt: a.createdAt.toISOString() };
}

function presentRow(user: SessionUser, app: ApplicationRowDb, unitName: string | null): ApplicationRow {
  const status = app.status as ApplicationStatus;
  return {
    id: app.id,
    number: app.number,
    applicantName: app.applicantName,
    status,
    statusLabel: statusLabel(status, unitName),
    unitName,
    updatedAt: app.updatedAt.toISOString(),
    abilities: abilitiesFor(status, actorFor(user, app)),
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

async function loadVisible(db: Db, user: SessionUser, id: string, lock = false) {
  const query = db
    .select({ app: applications, unitName: units.name })
    .from(applications)
    .leftJoin(units, eq(units.id, applications.unitId))
    .where(and(eq(applications.id, id), visibleTo(user)));
  const [row] = lock ? await query.for('update', { of: applications }) : await query;
  if (!row) throw notFound();
  return row;
}

function requireAbility(user: SessionUser, app: ApplicationRowDb, unitName: string | null, action: ContentAction) {
  if (!canDo(action, app.status as ApplicationStatus, actorFor(user, app))) {
    throw new AppError('FORBIDDEN', refusalMessage(action, statusLabel(app.status, unitName)));
  }
}

export async function listMine(s: Services, user: SessionUser): Promise<ApplicationRow[]> {
  const rows = await s.db
    .select({ app: applications, unitName: units.name })
    .from(applications)
    .leftJoin(units, eq(units.id, applications.unitId))
    .where(and(visibleTo(user), eq(applications.applicantId, user.id)))
    .orderBy(desc(applications.createdAt));
  return rows.map((r) => presentRow(user, r.app, r.unitName));
}

export async function getDetail(s: Services, user: SessionUser, id: string): Promise<ApplicationDetail> {
  const { app, unitName } = await loadVisible(s.db, user, id);
  return detail(s, user, app, unitName);
}

async function detail(s: Services, user: SessionUser, app: ApplicationRowDb, unitName: string | null): Promise<ApplicationDetail> {
  const files = await s.db
    .select()
    .from(attachments)
    .where(and(eq(attachments.applicationId, app.id), isNull(attachments.deletedAt)))
    .orderBy(asc(attachments.createdAt));
  const form = fullForm(s, user, app);
  return {
    ...presentRow(user, app, unitName),
    campaignId: app.campaignId,
    form,
    pledgedAt: app.pledgedAt?.toISOString() ?? null,
    attachments: files.map(presentAttachment),
    eligibility: checkEligibility(form),
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
          number: `${program!.code}${campaign.year}${seq!.seq}`,
          applicantId: user.id,
          status: 'applicant',
          form: { name: user.realName, mobile: user.mobile ?? undefined, email: user.email ?? undefined },
          applicantName: user.realName,
          mobile: user.mobile ?? '',
        })
        .returning();
      await tx.insert(applicationEvents).values({ applicationId: row!.id, action: 'create', fromStatus: null, toStatus: 'applicant', actorId: user.id, actorRole: user.role });
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

/** 【保存】: a partly filled draft saves; each filled value must be well-formed. */
export async function saveForm(s: Services, user: SessionUser, id: string, input: unknown): Promise<ApplicationDetail> {
  const parsed = applicationDraftSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const fields = formIssuesFromZod(parsed.error);
    throw new AppError('VALIDATION', `申请书有${fields.length}处填写不正确：${fields.map((f) => f.message).join('；')}`, fields);
  }
  const { idNumber, ...rest } = parsed.data as ApplicationForm;
  const form = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) as ApplicationForm;
  try {
    return await s.db.transaction(async (tx) => {
      const { app, unitName } = await loadVisible(tx, user, id, true);
      requireAbility(user, app, unitName, 'edit');
      const [row] = await tx
        .update(applications)
        .set({
          form,
          idEnc: idNumber ? s.cipher.encrypt(idNumber) : null,
          idHash: idNumber ? s.cipher.keyedHash(idNumber) : null,
          applicantName: form.name ?? '',
          workUnit: form.workUnit ?? '',
          mobile: form.mobile ?? '',
          version: sql`${applications.version} + 1`,
          updatedAt: new Date(),
        })
        .where(eq(applications.id, app.id))
        .returning();
      return detail({ ...s, db: tx }, user, row!, unitName);
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
    requireAbility(user, app, unitName, 'pledge');
    const [row] = await tx.update(applications).set({ pledgedAt: new Date(), updatedAt: new Date() }).where(eq(applications.id, app.id)).returning();
    await audit(tx, user.id, 'application.pledge', 'application', app.id);
    return detail({ ...s, db: tx }, user, row!, unitName);
  });
}

/** 删除: soft delete, so the number is never reused and the history stays. */
export async function deleteApplication(s: Services, user: SessionUser, id: string): Promise<void> {
  await s.db.transaction(async (tx) => {
    const { app, unitName } = await loadVisible(tx, user, id, true);
    requireAbility(user, app, unitName, 'delete');
    await tx.update(applications).set({ deletedAt: new Date() }).where(eq(applications.id, app.id));
    await tx.insert(applicationEvents).values({ applicationId: app.id, action: 'delete', fromStatus: app.status, toStatus: app.status, actorId: user.id, actorRole: user.role });
  });
}

/** What 【提交】 would refuse: every missing or wrong field, the pledge and the three scans. */
export async function checkSubmission(s: Services, user: SessionUser, id: string): Promise<{ complete: boolean; missing: FormIssue[] }> {
  const d = await getDetail(s, user, id);
  const missing = checkCompleteness(d.form);
  for (const reason of d.eligibility.refused) missing.push({ field: 'eligibility', label: '资格条件', message: reason });
  if (!d.pledgedAt) missing.push({ field: 'pledge', label: '承诺', message: '请阅读评选条例后点击【我承诺】' });
  for (const kind of REQUIRED_APPLICANT_ATTACHMENTS) {
    if (!d.attachments.some((a) => a.kind === kind)) {
      missing.push({ field: `attachment.${kind}`, label: attachmentKindLabel(kind), message: `请在【附件】中上传${attachmentKindLabel(kind)}` });
    }
  }
  return { complete: missing.length === 0, missing };
}

export { loadVisible, requireAbility };
