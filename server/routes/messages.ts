// Issue 16: N — 消息模板 and 后台任务: editable message templates, delivery status, the failed jobs (dead letters) and
// their re-run (docs/api/messages.md). Organizer only.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { backgroundSummarySchema, messageTemplateViewSchema, templateSaveSchema } from '../../core/messages';
import { messageReplySchema } from '../../core/replies';
import { AppError } from '../errors';
import { idParam, noBody, parse, replyWith, requireUser } from '../http';
import { backgroundSummary, listTemplates, resendMessage, resetTemplate, retryJob, saveTemplate } from '../notify/manage';

const templateParams = (req: FastifyRequest) => req.params as { key: string; channel: string };

export async function messageRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const s = app.services;

  app.get('/message-templates', replyWith(z.array(messageTemplateViewSchema)), async (req) => {
    requireUser(req, 'organizer');
    return listTemplates(s);
  });

  app.put('/message-templates/:key/:channel', replyWith(messageTemplateViewSchema), async (req) => {
    const user = requireUser(req, 'organizer');
    const input = parse(templateSaveSchema, req.body, { subject: '标题', body: '内容', providerTemplate: '短信平台模板编号' });
    return saveTemplate(s, user, templateParams(req).key, templateParams(req).channel, input);
  });

  app.delete('/message-templates/:key/:channel', replyWith(messageTemplateViewSchema), async (req) => {
    const user = requireUser(req, 'organizer');
    noBody(req);
    return resetTemplate(s, user, templateParams(req).key, templateParams(req).channel);
  });

  app.get('/background', replyWith(backgroundSummarySchema), async (req) => {
    requireUser(req, 'organizer');
    return backgroundSummary(s);
  });

  app.post('/background/jobs/:id/retry', replyWith(messageReplySchema), async (req) => {
    const user = requireUser(req, 'organizer');
    noBody(req);
    return retryJob(s, user, idParam(req, '任务'));
  });

  app.post('/outbox/:id/resend', replyWith(messageReplySchema), async (req) => {
    const user = requireUser(req, 'organizer');
    noBody(req);
    const id = (req.params as { id: string }).id;
    if (!/^\d{1,15}$/.test(id)) throw new AppError('NOT_FOUND', '未找到该消息，请刷新页面');
    return resendMessage(s, user, Number(id));
  });
}
