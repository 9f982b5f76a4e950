// 入围名单 and 最终评选结果 (issue 14, 1. and 4.–7.): the shortlist, the selection under the constraints, 按规则推荐,
// 结构分析, the final 公示 and an upheld 异议's replacement. 自治区科协 only: nothing here reaches experts, units or
// applicants before publication.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { shortlistAddSchema, shortlistMarkSchema, shortlistRemoveSchema, shortlistReplySchema } from '../../core/selection/api';
import { idParam, noBody, parse, replyWith, requireUser } from '../http';
import { addToShortlist, buildShortlist, getShortlist, markFrontline, removeFromShortlist } from '../usecases/shortlist';

const SHORTLIST_LABELS = { applicationId: '候选人', reason: '理由', frontline: '基层一线' };

export async function selectionRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const s = app.services;
  const organizer = (req: Parameters<typeof requireUser>[0]) => requireUser(req, 'organizer');

  // ---- 入围名单 ----
  app.get('/selection/campaigns/:id/shortlist', replyWith(shortlistReplySchema), async (req) => {
    organizer(req);
    return getShortlist(s, idParam(req, '评选活动'));
  });

  app.post('/selection/campaigns/:id/shortlist/build', replyWith(shortlistReplySchema), async (req) => {
    const user = organizer(req);
    const id = idParam(req, '评选活动');
    noBody(req);
    return buildShortlist(s, user, id);
  });

  app.post('/selection/campaigns/:id/shortlist/add', replyWith(shortlistReplySchema), async (req) => {
    const user = organizer(req);
    const id = idParam(req, '评选活动');
    return addToShortlist(s, user, id, parse(shortlistAddSchema, req.body, { ...SHORTLIST_LABELS, reason: '增补理由' }));
  });

  app.post('/selection/campaigns/:id/shortlist/remove', replyWith(shortlistReplySchema), async (req) => {
    const user = organizer(req);
    const id = idParam(req, '评选活动');
    return removeFromShortlist(s, user, id, parse(shortlistRemoveSchema, req.body, { ...SHORTLIST_LABELS, reason: '移出理由' }));
  });

  app.put('/selection/campaigns/:id/shortlist/frontline', replyWith(shortlistReplySchema), async (req) => {
    const user = organizer(req);
    const id = idParam(req, '评选活动');
    return markFrontline(s, user, id, parse(shortlistMarkSchema, req.body, SHORTLIST_LABELS));
  });
}
