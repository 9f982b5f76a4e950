// /api/stats/... — the 统计 dashboard (issue 15, 5.)
import type { FastifyInstance } from 'fastify';

export async function statsRoutes(_fastify: FastifyInstance) {}
