// 最终评选结果 (issue 14, 4.–8.): the selection under the constraints, 按规则推荐, 结构分析, the final 公示.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';

export async function selectionRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  void app;
}
