// /api/certificates/... and /verify/:number — 证书 (issue 15, 3.)
import type { FastifyInstance } from 'fastify';

export async function certificateRoutes(_fastify: FastifyInstance) {}
