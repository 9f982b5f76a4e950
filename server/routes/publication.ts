// /api/publication/... — 发布 and the winners' 宣传稿 (issue 15, 1. and 2.), and 创建下一年度评选活动 (6.). 自治区科协 only:
// applicants and units learn the outcome from their own 申请书 once it is published, never from here.
import type { FastifyInstance } from 'fastify';
import { audited } from '../audit';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  nextCampaignInputSchema,
  nextCampaignReplySchema,
  profileDetailSchema,
  profileInputSchema,
  publicationCampaignSchema,
  publicationStateSchema,
  publishInputSchema,
} from '../../core/publication';
import { idParam, noBody, parse, replyWith, requireUser } from '../http';
import { cancelPublish, createNextCampaign, listCampaigns, getProfile, publicationState, publish, updateProfile } from '../usecases/publication';

const PUBLISH_LABELS = { at: '发布时间' };
const PROFILE_LABELS = { article: '宣传稿', photoIds: '照片', videoIds: '视频' };
const NEXT_LABELS = { year: '年度', copyFrom: '复制设置的评选活动' };

export async function publicationRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const s = app.services;
  const organizer = (req: Parameters<typeof requireUser>[0]) => requireUser(req, 'organizer');

  app.get('/publication/campaigns', replyWith(z.array(publicationCampaignSchema)), async (req) => {
    organizer(req);
    return listCampaigns(s);
  });

  app.get('/publication/campaigns/:id', replyWith(publicationStateSchema), async (req) => {
    organizer(req);
    return publicationState(s, idParam(req, '评选活动'));
  });

  app.post('/publication/campaigns/:id/publish', replyWith(publicationStateSchema), async (req) => {
    const user = organizer(req);
    const input = parse(publishInputSchema, req.body, PUBLISH_LABELS);
    return publish(s, user, idParam(req, '评选活动'), input);
  });

  app.post('/publication/campaigns/:id/cancel', replyWith(publicationStateSchema), async (req) => {
    const user = organizer(req);
    noBody(req);
    return cancelPublish(s, user, idParam(req, '评选活动'));
  });

  app.get('/publication/profiles/:id', replyWith(profileDetailSchema), async (req) => {
    organizer(req);
    return getProfile(s, idParam(req, '当选人员'));
  });

  app.put('/publication/profiles/:id', replyWith(profileDetailSchema), async (req) => {
    const user = organizer(req);
    const input = parse(profileInputSchema, req.body, PROFILE_LABELS);
    return updateProfile(s, user, idParam(req, '当选人员'), input);
  });

  // 创建下一年度评选活动（复制本年度设置）: kept with the year after's other work rather than in admin.ts
  const created = audited({
    action: 'campaign.create',
    targetType: 'campaign',
    target: (_req, reply) => (reply as { id?: string }).id,
    detail: (_req, reply) => ({ year: (reply as { year?: number }).year }),
  });
  app.post('/admin/campaigns', { ...replyWith(nextCampaignReplySchema), ...created }, async (req) => {
    const user = organizer(req);
    return createNextCampaign(s, user, parse(nextCampaignInputSchema, req.body, NEXT_LABELS));
  });
}
