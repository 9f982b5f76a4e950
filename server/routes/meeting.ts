// 入围名单 and the 集中评选 meeting (issue 14, 1.–3.): the shortlist, 签到, rounds, ballots, the live tally.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';

export async function meetingRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  void app;
}
