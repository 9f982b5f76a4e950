import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { campaignSettingsSchema, text, unitCreateSchema } from '../../core';
import { desc } from 'drizzle-orm';
import { outbox } from '../db/schema';
import { idParam, noBody, parse, requireUser } from '../http';
import { createUnitAccount } from '../usecases/accounts';
import { getCampaign, updateCampaign } from '../usecases/campaigns';
import { decideUnit, findUnitWithAccount, listUnits } from '../usecases/units';

const refuseSchema = z.object({ reason: text('理由').trim().min(2, '请填写不通过的理由（至少2个字）').max(500, '理由不能超过500字') });
const campaignUpdateSchema = z.object({
  title: text('活动名称').trim().min(4, '活动名称至少4个字').max(100, '活动名称不能超过100字').optional(),
  settings: campaignSettingsSchema,
});

export async function adminRoutes(app: FastifyInstance) {
  const s = app.services;
  const organizer = (req: Parameters<typeof requireUser>[0]) => requireUser(req, 'organizer');

  app.get('/units', async (req) => {
    organizer(req);
    return listUnits(s, (req.query as { status?: string }).status);
  });

  app.post('/units', async (req) => {
    const user = organizer(req);
    const input = parse(unitCreateSchema, req.body);
    const unit = await createUnitAccount(s, input, { organizerId: user.id });
    return findUnitWithAccount(s, unit.id);
  });

  app.post('/units/:id/approve', async (req) => {
    const user = organizer(req);
    noBody(req);
    return decideUnit(s, user, idParam(req, '推荐单位'), 'approve');
  });

  app.post('/units/:id/refuse', async (req) => {
    const user = organizer(req);
    const id = idParam(req, '推荐单位');
    const { reason } = parse(refuseSchema, req.body);
    return decideUnit(s, user, id, 'refuse', reason);
  });

  app.get('/outbox', async (req) => {
    organizer(req);
    const rows = await s.db.select().from(outbox).orderBy(desc(outbox.id)).limit(500);
    return rows.map((r) => ({ id: r.id, channel: r.channel, recipient: r.recipient, subject: r.subject, body: r.body, createdAt: r.createdAt.toISOString() }));
  });

  app.get('/campaigns/:id', async (req) => {
    organizer(req);
    return getCampaign(s.db, idParam(req, '评选活动'));
  });

  app.put('/campaigns/:id', async (req) => {
    organizer(req);
    const id = idParam(req, '评选活动');
    return updateCampaign(s.db, id, parse(campaignUpdateSchema, req.body));
  });
}
