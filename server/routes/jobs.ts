// GET /api/jobs, GET /api/jobs/:id, POST /api/jobs/:id/cancel, GET /api/jobs/:id/download — the owner's background jobs (issue 15)
import type { FastifyInstance } from 'fastify';

export async function jobRoutes(_fastify: FastifyInstance) {}
