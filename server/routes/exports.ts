// POST /api/exports/... — 汇总表, ranking, tallies, final list, media package as jobs (issue 15, 4.). Each answers at once
// with the Job; the browser follows it at GET /api/jobs/:id and downloads from its downloadUrl (server/routes/jobs.ts).
import type { FastifyInstance } from 'fastify';
import { audited } from '../audit';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { campaignExportSchema, mediaExportSchema, rankingExportSchema, summaryExportSchema } from '../../core/exports';
import { jobViewSchema } from '../../core/jobs';
import { parse, replyWith, requireUser } from '../http';
import { enqueueFinalExport, enqueueMediaExport, enqueueRankingExport, enqueueSummaryExport, enqueueTalliesExport } from '../usecases/exports';

const LABELS = {
  keyword: '查询条件',
  year: '年度',
  workUnit: '工作单位',
  status: '当前步骤',
  columns: '导出列',
  fullIdNumber: '身份证号码完整显示',
  campaignId: '评选活动',
  by: '排名依据',
  applicationId: '申请书',
};

export async function exportRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const s = app.services;
  // every export is in the audit log, with whether the full 身份证号码 was asked for
  const job = (kind: string) => ({
    ...replyWith(jobViewSchema),
    ...audited({
      action: 'export.create',
      targetType: 'job',
      target: (_req, reply) => (reply as { id?: string }).id,
      detail: (req) => ({ kind, fullIdNumber: (req.body as { fullIdNumber?: unknown } | null)?.fullIdNumber === true }),
    }),
  });

  app.post('/exports/applications', job('applications'), async (req) => {
    const user = requireUser(req, 'organizer', 'unit');
    return enqueueSummaryExport(s, user, parse(summaryExportSchema, req.body, LABELS));
  });

  app.post('/exports/ranking', job('ranking'), async (req) => {
    const user = requireUser(req, 'organizer');
    const { campaignId, by } = parse(rankingExportSchema, req.body, LABELS);
    return enqueueRankingExport(s, user, campaignId, by);
  });

  app.post('/exports/tallies', job('tallies'), async (req) => {
    const user = requireUser(req, 'organizer');
    return enqueueTalliesExport(s, user, parse(campaignExportSchema, req.body, LABELS).campaignId);
  });

  app.post('/exports/final', job('final'), async (req) => {
    const user = requireUser(req, 'organizer');
    return enqueueFinalExport(s, user, parse(campaignExportSchema, req.body, LABELS).campaignId);
  });

  app.post('/exports/media', job('media'), async (req) => {
    const user = requireUser(req, 'organizer', 'unit');
    return enqueueMediaExport(s, user, parse(mediaExportSchema, req.body, LABELS).applicationId);
  });
}
