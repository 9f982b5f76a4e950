// GET /api/jobs, GET /api/jobs/:id, POST /api/jobs/:id/cancel, GET /api/jobs/:id/download — the owner's background jobs (issue 15)
import type { FastifyInstance } from 'fastify';
import { audited } from '../audit';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { jobListSchema, jobViewSchema } from '../../core/jobs';
import { attachmentDisposition, idParam, noBody, replyWith, requireUser } from '../http';
import { cancelOwnJob, getJob, listJobs, openJobResult } from '../usecases/jobs';

export async function jobRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const s = app.services;

  app.get('/jobs', replyWith(jobListSchema), async (req) => listJobs(s, requireUser(req)));

  app.get('/jobs/:id', replyWith(jobViewSchema), async (req) => getJob(s, requireUser(req), idParam(req, '任务')));

  app.post('/jobs/:id/cancel', replyWith(jobViewSchema), async (req) => {
    const user = requireUser(req);
    noBody(req);
    return cancelOwnJob(s, user, idParam(req, '任务'));
  });

  // The produced file, checked like an attachment: only the job's owner (else 404), 409 until it is done.
  app.get(
    '/jobs/:id/download',
    { config: { notJson: 'the file a job produced (xlsx, zip, pdf)', ...audited({ action: 'job.download', targetType: 'job' }).config } },
    async (req, reply) => {
      const { name, type, size, stream } = await openJobResult(s, requireUser(req), idParam(req, '任务'));
      attachmentDisposition(reply, name);
      reply.header('cache-control', 'private, no-store');
      reply.header('content-length', size);
      return reply.type(type).send(stream);
    },
  );
}
