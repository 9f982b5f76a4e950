import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { campaignViewSchema, unitRefSchema } from '../../core';
import { idParam, noBody, replyWith, requireUser } from '../http';
import { currentCampaign, getCampaign } from '../usecases/campaigns';
import { activeUnits } from '../usecases/units';

export async function referenceRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const s = app.services;

  app.get('/campaigns/current', replyWith(campaignViewSchema), async (req) => {
    requireUser(req);
    const program = (req.query as { program?: string }).program;
    return currentCampaign(s.db, typeof program === 'string' && /^[A-Z]{2,10}$/.test(program) ? program : 'ZMKJ');
  });

  // One campaign by id: the web reads an application's own campaign (its limits) with it, whatever the newest is.
  app.get('/campaigns/:id', replyWith(campaignViewSchema), async (req) => {
    requireUser(req);
    noBody(req);
    return getCampaign(s.db, idParam(req, '评选活动'));
  });

  app.get('/units', replyWith(z.array(unitRefSchema)), async (req) => {
    requireUser(req);
    return activeUnits(s);
  });
}
