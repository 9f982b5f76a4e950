// GET /api/stats — the 统计 dashboard (issue 15, 5.): the organizer's every application, a unit's own, counted under
// 查询申报表's filters and the campaign (docs/api/stats.md).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { STATS_QUERY_LABELS, statsQuerySchema, statsReplySchema } from '../../core/stats';
import { parse, replyWith, requireUser } from '../http';
import { campaignStats } from '../usecases/stats';

export async function statsRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const s = app.services;

  app.get('/stats', replyWith(statsReplySchema), async (req) => {
    const user = requireUser(req, 'unit', 'organizer');
    return campaignStats(s, user, parse(statsQuerySchema, req.query, STATS_QUERY_LABELS));
  });
}
