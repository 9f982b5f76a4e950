// 数据导出 (issue 15, 4.): each export is a background job (server/jobs/exports.ts) started here, after the checks that
// decide who may have it. The scope is fixed in the job: a unit's job carries its unit and reads only that unit's rows.
// The full 身份证号码 is the organizer's only, by an explicit choice recorded in the audit log (who, when, the filters
// and columns) in the same transaction as the job: no job without its record, no record without its job.
import type { JobView } from '../../core/jobs';
import type { SummaryExport } from '../../core/exports';
import { audit } from '../audit';
import type { SessionUser } from '../auth/sessions';
import type { Services } from '../context';
import { AppError } from '../errors';
import { enqueueJob } from '../jobs/runner';
import { getCampaign } from './campaigns';
import { loadVisible } from './access';
import { MEDIA_KIND } from './exports-media';
import { FINAL_KIND, RANKING_KIND, TALLIES_KIND } from './exports-results';
import { SUMMARY_KIND } from './exports-summary';
import { presentJob } from './jobs';

function unitOf(user: SessionUser): string | null {
  if (user.role !== 'unit') return null;
  if (!user.unit) throw new AppError('FORBIDDEN', '该账号未关联推荐单位，无法导出');
  return user.unit.id;
}

/** 汇总表: organizer (everything 查询申报表 shows it) or unit (its own); the full 身份证号码 only for the organizer. */
export async function enqueueSummaryExport(s: Services, user: SessionUser, input: SummaryExport): Promise<JobView> {
  if (user.role !== 'organizer' && user.role !== 'unit') throw new AppError('FORBIDDEN', '此功能仅限推荐单位、自治区科协使用');
  if (input.fullIdNumber && user.role !== 'organizer') {
    throw new AppError('FORBIDDEN', '身份证号码完整显示仅限自治区科协导出；推荐单位导出的汇总表中身份证号码部分隐藏，请取消“完整显示”后重新导出');
  }
  const unitId = unitOf(user);
  const filters = { keyword: input.keyword, year: input.year, workUnit: input.workUnit, status: input.status };
  return s.db.transaction(async (tx) => {
    const job = await enqueueJob(tx, {
      kind: SUMMARY_KIND,
      ownerId: user.id,
      unitId,
      params: { ...filters, columns: input.columns, fullIdNumber: input.fullIdNumber },
    });
    if (input.fullIdNumber) {
      await audit(tx, user, 'export.full_id_number', 'job', job.id, { filters, columns: input.columns });
    }
    return presentJob(job);
  });
}

async function enqueueCampaignExport(s: Services, user: SessionUser, kind: string, campaignId: string, params: Record<string, unknown> = {}): Promise<JobView> {
  await getCampaign(s.db, campaignId); // 404 for an unknown campaign, before anything is queued
  return presentJob(await enqueueJob(s.db, { kind, ownerId: user.id, campaignId, params }));
}

export const enqueueRankingExport = (s: Services, user: SessionUser, campaignId: string, by?: string) =>
  enqueueCampaignExport(s, user, RANKING_KIND, campaignId, by ? { by } : {});
export const enqueueTalliesExport = (s: Services, user: SessionUser, campaignId: string) => enqueueCampaignExport(s, user, TALLIES_KIND, campaignId);
export const enqueueFinalExport = (s: Services, user: SessionUser, campaignId: string) => enqueueCampaignExport(s, user, FINAL_KIND, campaignId);

/** 宣传素材包: the organizer any candidate's, a unit those it may see (else 404, nothing queued). */
export async function enqueueMediaExport(s: Services, user: SessionUser, applicationId: string): Promise<JobView> {
  if (user.role !== 'organizer' && user.role !== 'unit') throw new AppError('FORBIDDEN', '此功能仅限推荐单位、自治区科协使用');
  const unitId = unitOf(user);
  const { app } = await loadVisible(s.db, user, applicationId);
  return presentJob(await enqueueJob(s.db, { kind: MEDIA_KIND, ownerId: user.id, unitId, campaignId: app.campaignId, params: { applicationId: app.id } }));
}
