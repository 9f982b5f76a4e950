// The printable 申请书/推荐表 as a job (issue 15, 4.): POST /api/exports/application-pdf enqueues it for whoever may see
// the application (the organizer any, a unit those submitted to it, the applicant their own: server/usecases/access.ts
// loadVisible); the job checks that scope again when it runs and renders server/pdf/application.ts. A job, though the
// PDF is small (about 50 ms): the rule is that PDFs are made off the request path, and the web follows every file it
// asks for the same way (progress, then a download link).
import { and, eq, isNull, sql } from 'drizzle-orm';
import { APPLICATION_FIELDS, type ApplicationForm } from '../../core';
import { CERTIFICATE_JOB_KINDS } from '../../core/certificates';
import { maskIdNumber } from '../../core/idcard';
import { chinaToday } from '../../core/validators';
import type { SessionUser } from '../auth/sessions';
import type { Services } from '../context';
import { applications, applicationUnits, campaigns, units } from '../db/schema';
import { AppError } from '../errors';
import { enqueueJob } from '../jobs/runner';
import { JobFailure, type JobContext } from '../jobs/types';
import { loadVisible } from '../usecases/access';
import { renderApplicationPdf } from './application';

export async function enqueueApplicationPdf(s: Services, user: SessionUser, applicationId: string) {
  if (user.role !== 'organizer' && user.role !== 'unit' && user.role !== 'applicant') {
    throw new AppError('FORBIDDEN', '此功能仅限申报人、推荐单位、自治区科协使用');
  }
  const { app } = await loadVisible(s.db, user, applicationId);
  return enqueueJob(s.db, {
    kind: CERTIFICATE_JOB_KINDS.applicationPdf,
    campaignId: app.campaignId,
    ownerId: user.id,
    unitId: user.role === 'unit' ? (user.unit?.id ?? null) : null,
    params: { applicationId: app.id, role: user.role },
  });
}

const yesNo = (v: unknown) => (v === true ? '是' : v === false ? '否' : '');

export async function runApplicationPdf(ctx: JobContext): Promise<void> {
  const { s, job } = ctx;
  const applicationId = String(job.params.applicationId ?? '');
  const role = String(job.params.role ?? '');
  await ctx.progress(0, 1);
  const [row] = await s.db
    .select({ app: applications, unitName: units.name, campaignTitle: campaigns.title, year: campaigns.year })
    .from(applications)
    .innerJoin(campaigns, eq(campaigns.id, applications.campaignId))
    .leftJoin(units, eq(units.id, applications.unitId))
    .where(
      and(
        eq(applications.id, applicationId),
        isNull(applications.deletedAt),
        // the scope fixed when the job was made: the applicant's own, the unit's, or (organizer) any
        role === 'applicant'
          ? eq(applications.applicantId, job.ownerId ?? '00000000-0000-0000-0000-000000000000')
          : role === 'unit'
            ? sql`${applications.id} in (select au.application_id from ${applicationUnits} au where au.unit_id = ${job.unitId})`
            : role === 'organizer'
              ? sql`true`
              : sql`false`,
      ),
    );
  if (!row) throw new JobFailure('未找到该申请书，可能已被删除或您无权查看');
  const { app } = row;
  const form = app.form as ApplicationForm;
  let idNumber = '';
  if (app.idEnc) {
    const id = s.cipher.decrypt(app.idEnc);
    // as on the screen (presenters.ts fullForm): whole for the applicant, masked for everyone else
    idNumber = role === 'applicant' ? id : maskIdNumber(id);
  }
  const valueOf = (key: string): string => {
    if (key === 'idNumber') return idNumber;
    const v = (form as Record<string, unknown>)[key];
    return typeof v === 'string' ? v : typeof v === 'boolean' ? yesNo(v) : '';
  };
  const personal = APPLICATION_FIELDS.filter((f) => f.section === 'personal' && f.key !== 'idNumber').map((f) => ({ label: f.label, value: valueOf(f.key) }));
  // the manual's table: 申请书编号 and 身份证号码 first, then the fields, then 推荐单位 (manual, 二、2.)
  const table = [
    { label: '申请书编号', value: app.number },
    { label: '身份证号码', value: idNumber },
    ...personal,
    { label: '推荐单位', value: row.unitName ?? '' },
  ];
  const file = ctx.tmpFile('.pdf');
  await renderApplicationPdf(
    {
      heading: `${row.year}年“新疆最美科技工作者”申请书（推荐表）`,
      number: app.number,
      personal: table,
      deeds: APPLICATION_FIELDS.filter((f) => f.section === 'deeds').map((f) => ({ label: f.label, value: valueOf(f.key) })),
      eligibility: APPLICATION_FIELDS.filter((f) => f.section === 'eligibility').map((f) => ({ label: f.label, value: valueOf(f.key) })),
      unitName: row.unitName ?? '',
      unitOpinion: app.unitOpinion ?? '',
      printedOn: chinaToday(),
    },
    file,
  );
  await ctx.progress(1, 1);
  const name = (form.name ?? app.applicantName ?? '').replace(/[\\/:*?"<>|]/g, '_');
  await ctx.store(`${app.number}-${name}-申请书.pdf`, 'application/pdf', { path: file });
}
