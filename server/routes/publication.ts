// /api/publication/... — 发布 and the winners' 宣传稿 (issue 15, 1.)
import type { FastifyInstance } from 'fastify';

export async function publicationRoutes(_fastify: FastifyInstance) {}
