// 网上评选结果 (issue 13, 11.): the organizer's ranking, on the page and as an .xlsx download. Only 自治区科协: results
// stay hidden from experts, units and applicants until publication.
import type { FastifyInstance } from 'fastify';
import { audited } from '../audit';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { rankingQuerySchema, rankingReplySchema } from '../../core/review';
import { attachmentDisposition, idParam, parse, replyWith, requireUser } from '../http';
import { rankingOf, rankingWorkbook } from '../usecases/review-ranking';

const QUERY_LABELS = { by: '排名依据' };

export async function reviewRankingRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const s = app.services;

  app.get('/review/campaigns/:id/ranking', replyWith(rankingReplySchema), async (req) => {
    requireUser(req, 'organizer');
    const id = idParam(req, '评选活动');
    const { by } = parse(rankingQuerySchema, req.query, QUERY_LABELS);
    return rankingOf(s, id, by);
  });

  // an .xlsx file, not JSON (server/reply-schemas.test.ts lists it)
  app.get('/review/campaigns/:id/ranking.xlsx', audited({ action: 'review.ranking_download', targetType: 'campaign' }), async (req, reply) => {
    requireUser(req, 'organizer');
    const id = idParam(req, '评选活动');
    const { by } = parse(rankingQuerySchema, req.query, QUERY_LABELS);
    const ranking = await rankingOf(s, id, by);
    attachmentDisposition(reply, `网上评选结果（${ranking.byLabel}）.xlsx`);
    reply.header('cache-control', 'no-store');
    return reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(await rankingWorkbook(ranking));
  });
}
