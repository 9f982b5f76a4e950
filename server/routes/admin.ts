import type { FastifyInstance } from 'fastify';
import { audited } from '../audit';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { adminUnitSchema, campaignSettingsSchema, campaignTitleSchema, campaignViewSchema, outboxMessageSchema, text, unitCreateSchema } from '../../core';
import { idParam, noBody, parse, replyWith, requireUser } from '../http';
import { createUnitAccount } from '../usecases/accounts';
import { getCampaign, updateCampaign } from '../usecases/campaigns';
import { listOutbox } from '../usecases/outbox';
import { decideUnit, findUnitWithAccount, listUnits } from '../usecases/units';

const refuseSchema = z.object({ reason: text('理由').trim().min(2, '请填写不通过的理由（至少2个字）').max(500, '理由不能超过500字') });
const campaignUpdateSchema = z.object({
  title: campaignTitleSchema.optional(),
  settings: campaignSettingsSchema,
});

export async function adminRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const s = app.services;
  const organizer = (req: Parameters<typeof requireUser>[0]) => requireUser(req, 'organizer');

  app.get('/units', replyWith(z.array(adminUnitSchema)), async (req) => {
    organizer(req);
    return listUnits(s, (req.query as { status?: string }).status);
  });

  app.post('/units', replyWith(adminUnitSchema), async (req) => {
    const user = organizer(req);
    const input = parse(unitCreateSchema, req.body);
    // the password is 自治区科协's choice: the unit changes it at first log-in
    const unit = await createUnitAccount(s, input, { organizerId: user.id }, { mustChangePassword: true });
    return findUnitWithAccount(s, unit.id);
  });

  app.post('/units/:id/approve', replyWith(adminUnitSchema), async (req) => {
    const user = organizer(req);
    noBody(req);
    return decideUnit(s, user, idParam(req, '推荐单位'), 'approve');
  });

  app.post('/units/:id/refuse', replyWith(adminUnitSchema), async (req) => {
    const user = organizer(req);
    const id = idParam(req, '推荐单位');
    const { reason } = parse(refuseSchema, req.body);
    return decideUnit(s, user, id, 'refuse', reason);
  });

  app.get('/outbox', replyWith(z.array(outboxMessageSchema)), async (req) => {
    organizer(req);
    return listOutbox(s.db);
  });

  app.get('/campaigns/:id', replyWith(campaignViewSchema), async (req) => {
    organizer(req);
    return getCampaign(s.db, idParam(req, '评选活动'));
  });

  const settings = audited({
    action: 'campaign.settings',
    targetType: 'campaign',
    detail: (req) => ({ fields: Object.keys((req.body as object | null) ?? {}) }),
  });
  app.put('/campaigns/:id', { ...replyWith(campaignViewSchema), ...settings }, async (req) => {
    organizer(req);
    const id = idParam(req, '评选活动');
    // the labels are named here: http.ts's shared table gives `title` the 申请书's 专业技术职务
    return updateCampaign(s.db, id, parse(campaignUpdateSchema, req.body, { title: '活动名称', settings: '活动设置' }));
  });
}
