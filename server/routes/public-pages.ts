// /results, /results/:year, /results/:year/:slug — the public winners pages, rendered on the server (issue 15, 2.)
import type { FastifyInstance } from 'fastify';

export async function publicPageRoutes(_fastify: FastifyInstance) {}
