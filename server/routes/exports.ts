// POST /api/exports/... — 汇总表, ranking, tallies, final list, media package as jobs (issue 15, 4.)
import type { FastifyInstance } from 'fastify';

export async function exportRoutes(_fastify: FastifyInstance) {}
