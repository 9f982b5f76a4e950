// The applicant's own actions on the 申请书's content: 我要申请, 保存, 我承诺, 删除, and what 提交 requires.
// Who may see and do what is in access.ts; how an application is shown, in presenters.ts; transfers, in workflow.ts.
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import {
  applicationDraftSchema,
  applicationField,
  missingForSubmission,
  pinyinSortKey,
  previousWinnerRefusal,
  type ApplicationDetail,
  type ApplicationForm,
  type ApplicationRow,
  type CheckReply,
  type FormIssue,
  type MediaSettings,
} from '../../core';
import type { SessionUser } from '../auth/sessions';
import type { Services } from '../context';
import type { Db } from '../db/client';
import { isUniqueViolation } from '../db/client';
import { prepared } from '../db/prepared';
import { applicationEvents, applications, attachments, campaigns, programs, units, users } from '../db/schema';
import { AppError } from '../errors';
import { audit } from '../audit';
import { loadVisible, requireAbility, visibleTo, type ApplicationRowDb } from './access';
import { currentCampaign, getCampaign, requireWindowOpen } from './campaigns';
import { detail, presentRow } from './presenters';
import { previousWinYears, previousWinYearsOfAccount } from './previous-winners';

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

/** 【我要申请】: a new draft with the next number of the campaign (ZMKJ20231, ZMKJ20232, …). */
export async function createApplication(s: Services, user: SessionUser, campaignId?: string): Promise<ApplicationDetail> {
  const campaign = campaignId ? await getCampaign(s.db, campaignId) : await currentCampaign(s.db);
  requireWindowOpen(campaign, 'apply');
  // 往年获评人员不再推荐: an account published 当选 in an earlier year of the program cannot start a 申请书
  const previous = await previousWinYearsOfAccount(s.db, user.id, campaign.id);
  if (previous.length) throw new AppError('FORBIDDEN', `${previousWinnerRefusal(previous)}，不能申请`);
  try {
    const app = await s.db.transaction(async (tx) => {
      // The row lock on the campaign hands out each number once; numbers of deleted drafts are not reused.
      const [seq] = await tx
        .update(campaigns)
        .set({ nextSeq: sql`${campaigns.nextSeq} + 1` })
        .where(eq(campaigns.id, campaign.id))
        .returning({ seq: sql<number>`${campaigns.nextSeq} - 1` });
      const [program] = await tx
        .select({ code: programs.code })
        .from(programs)
        .innerJoin(campaigns, eq(campaigns.programId, programs.id))
        .where(eq(campaigns.id, campaign.id));
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
      await tx.insert(applicationEvents).values({
        applicationId: row!.id,
        action: 'create',
        fromStatus: null,
        toStatus: 'applicant',
        actorId: user.id,
        actorRole: user.role,
        actorName: user.realName,
        fromName: user.realName,
        toName: user.realName,
      });
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
    throw new AppError('VALIDATION', '请求缺少申请书内容：应为 { "form": { 字段: 值 } }，请刷新页面后重试', [
      { field: 'form', label: '申请书', message: '请求缺少申请书内容' },
    ]);
  }
  const unknown = Object.keys(input).filter((key) => !applicationField(key));
  if (unknown.length) {
    const keys = unknown.map((k) => k.slice(0, 40)).join('、');
    throw new AppError('VALIDATION', `申请书中含有不认识的字段：${keys}；请刷新页面后重试`, [
      { field: 'form', label: '申请书', message: `不认识的字段：${keys}` },
    ]);
  }
  const shape = applicationDraftSchema.shape;
  const values: Record<string, unknown> = {};
  const notSaved: FormIssue[] = [];
  for (const [key, raw] of Object.entries(input as Record<string, unknown>)) {
    const parsed = shape[key as keyof typeof shape].safeParse(raw);
    if (parsed.success) values[key] = parsed.data;
    else
      notSaved.push({
        field: key,
        label: applicationField(key)!.label,
        message: parsed.error.issues[0]?.message ?? `${applicationField(key)!.label}填写不正确`,
      });
  }
  const named = Object.keys(values);
  const withNotSaved = (d: ApplicationDetail): ApplicationDetail => (notSaved.length ? { ...d, notSaved } : d);
  if (!named.length && notSaved.length) {
    // nothing well-formed to write: the row stays exactly as it was
    return withNotSaved(
      await s.db.transaction(async (tx) => {
        const { app, unitName } = await loadVisible(tx, user, id, true);
        requireAbility(user, app, 'edit');
        return detail({ ...s, db: tx }, user, app, unitName);
      }),
    );
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
    await tx.insert(applicationEvents).values({
      applicationId: app.id,
      action: 'delete',
      fromStatus: app.status,
      toStatus: app.status,
      actorId: user.id,
      actorRole: user.role,
      actorName: user.realName,
      fromName: user.realName,
      toName: user.realName,
    });
  });
}

/** What 【提交】 would refuse: every missing or wrong field, the pledge and the three scans. */
export async function checkSubmission(s: Services, user: SessionUser, id: string): Promise<CheckReply> {
  const { app } = await loadVisible(s.db, user, id);
  return submissionCheck(s, s.db, app, (await getCampaign(s.db, app.campaignId)).settings.media);
}

const liveAttachmentKinds = prepared((db) =>
  db
    .select({ kind: attachments.kind })
    .from(attachments)
    .where(and(eq(attachments.applicationId, sql.placeholder('applicationId')), isNull(attachments.deletedAt)))
    .prepare('live_attachment_kinds'),
);

/**
 * The rule of 【提交】 (core/submission.ts) on the stored application: its form (the 身份证号码 decrypted in memory
 * only to check it agrees with 出生年月 and 性别, never presented), its pledge and the kinds of its live files.
 */
export async function submissionCheck(s: Services, db: Db, app: ApplicationRowDb, media: MediaSettings): Promise<CheckReply> {
  const files = await liveAttachmentKinds(db).execute({ applicationId: app.id });
  const form: ApplicationForm = { ...(app.form as ApplicationForm), ...(app.idEnc ? { idNumber: s.cipher.decrypt(app.idEnc) } : {}) };
  const previous = await previousWinYears(db, app);
  return missingForSubmission(
    { form, pledged: app.pledgedAt !== null, attachmentKinds: files.map((f) => f.kind), record: { previousWinYears: previous } },
    media,
  );
}
