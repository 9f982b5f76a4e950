import type { FastifyInstance } from 'fastify';
import { requireUser } from '../http';
import { currentCampaign } from '../usecases/campaigns';
import { activeUnits } from '../usecases/units';

export async function referenceRoutes(app: FastifyInstance) {
  const s = app.services;

  app.get('/campaigns/current', async (req) => {
    requireUser(req);
    const program = (req.query as { program?: string }).program;
    return currentCampaign(s.db, typeof program === 'string' && /^[A-Z]{2,10}$/.test(program) ? program : 'ZMKJ');
  });

  app.get('/units', async (req) => {
    requireUser(req);
    return activeUnits(s);
  });
}
