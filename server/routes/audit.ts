// Issue 16: A — 审计日志: search of the hash-chained audit log (organizer) (docs/api/audit.md).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { AUDIT_QUERY_LABELS, auditListSchema, auditQuerySchema } from '../../core/audit';
import { parse, replyWith, requireUser } from '../http';
import { audited } from '../audit';
import { searchAuditLog } from '../audit/search';

export async function auditRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const s = app.services;

  // reading the audit log is itself recorded, with the conditions used
  const searched = audited({ action: 'audit.search', targetType: 'audit_log', target: () => '', detail: (req) => req.query });
  app.get('/audit', { ...replyWith(auditListSchema), ...searched }, async (req) => {
    requireUser(req, 'organizer');
    return searchAuditLog(s.db, parse(auditQuerySchema, req.query, AUDIT_QUERY_LABELS));
  });
}
