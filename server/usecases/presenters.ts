// What an application looks like to the user asking: list rows, the detail with its files, each with the
// abilities (buttons) the workflow table gives this user. The 身份证号码 is shown in full only to its applicant.
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import {
  APPLICANT_HIDDEN_KINDS,
  abilitiesFor,
  attachmentKindLabel,
  checkEligibility,
  holderOf,
  maskIdNumber,
  photoFileName,
  statusLabel,
  type ApplicationDetail,
  type ApplicationForm,
  type ApplicationRow,
  type ApplicationStatus,
  type AttachmentView,
  type PreliminaryView,
  PRELIMINARY_LABELS,
} from '../../core';
import type { SessionUser } from '../auth/sessions';
import type { Services } from '../context';
import { prepared } from '../db/prepared';
import { applications, attachments, units, users } from '../db/schema';
import { actorFor, stateOf, type ApplicationRowDb } from './access';
import { previousWinYears } from './previous-winners';

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
    previewPending: !a.previewKey && (a.mime === 'image/jpeg' || a.mime === 'image/png'),
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
export function fullForm(s: Services, user: SessionUser, app: ApplicationRowDb): ApplicationForm {
  const form = { ...(app.form as ApplicationForm) };
  if (app.idEnc) {
    const id = s.cipher.decrypt(app.idEnc);
    form.idNumber = user.role === 'applicant' && app.applicantId === user.id ? id : maskIdNumber(id);
  }
  return form;
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
  db
    .select({ name: users.realName, unit: units.name })
    .from(users)
    .leftJoin(units, eq(units.id, users.unitId))
    .where(eq(users.id, sql.placeholder('userId')))
    .prepare('viewer_name'),
);

export async function detail(s: Services, user: SessionUser, app: ApplicationRowDb, unitName: string | null): Promise<ApplicationDetail> {
  const [files, viewers, previousWins] = await Promise.all([
    liveAttachments(s.db).execute({ applicationId: app.id }),
    // who opened it: often the user asking (a 收回 marks it read by the sender), whose names are at hand
    app.viewedBy === user.id
      ? [{ name: user.realName, unit: user.unit?.name ?? null }]
      : app.viewedBy
        ? viewerName(s.db).execute({ userId: app.viewedBy })
        : [],
    // 往年获评 from the results (issue 15, 6.): asked while the applicant or the unit holds it, where 【提交】 checks it
    holderOf(app.status) === 'organizer' ? [] : previousWinYears(s.db, app),
  ]);
  const viewer = viewers[0];
  const form = fullForm(s, user, app);
  // The applicant reads the 修改意见 sent back; the unit's 推荐单位意见 and the organizer's opinion stay between them.
  const opinions = {
    return: app.returnOpinion,
    recommend: user.role === 'applicant' ? null : app.unitOpinion,
    // an expert reads the 申请书 with the unit's 推荐单位意见 and 初评, not 自治区科协's exchanges with the unit
    org: user.role === 'applicant' || user.role === 'expert' ? null : app.orgOpinion,
  };
  const reply: ApplicationDetail = {
    ...presentRow(user, app, unitName, viewer ? (viewer.unit ?? viewer.name) : null),
    campaignId: app.campaignId,
    form,
    pledgedAt: app.pledgedAt?.toISOString() ?? null,
    // the departments' opinions on the candidate (干部人事管理, 纪检监察) are not listed for the applicant
    attachments: (user.role === 'applicant' ? files.filter((f) => !APPLICANT_HIDDEN_KINDS.includes(f.kind)) : files).map((f) =>
      presentAttachment(f, app.applicantName),
    ),
    eligibility: checkEligibility(form, { previousWinYears: previousWins }),
    opinions,
  };
  // 初评 is between the unit and 自治区科协: the applicant's reply does not carry the field at all
  if (user.role !== 'applicant') reply.preliminary = presentPreliminary(app);
  return reply;
}

/** The unit's 初评 as recorded, or null. */
export function presentPreliminary(app: ApplicationRowDb): PreliminaryView | null {
  const result = app.preliminaryResult;
  if ((result !== 'pass' && result !== 'fail') || !app.preliminaryAt) return null;
  return {
    result,
    resultLabel: PRELIMINARY_LABELS[result],
    reason: app.preliminaryReason,
    by: app.preliminaryByName ?? '',
    at: app.preliminaryAt.toISOString(),
  };
}
