import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors';
import { attachmentDisposition, idParam, requireUser } from '../http';
import {
  checkSubmission,
  createApplication,
  deleteApplication,
  getDetail,
  listMine,
  pledge,
  saveForm,
} from '../usecases/applications';
import { addAttachment, openAttachment, removeAttachment, scanLimit } from '../usecases/attachments';

export async function applicationRoutes(app: FastifyInstance) {
  const s = app.services;

  app.get('/applications/mine', async (req) => listMine(s, requireUser(req, 'applicant')));

  app.post('/applications', async (req) => {
    const user = requireUser(req, 'applicant');
    const campaignId = (req.body as { campaignId?: unknown } | undefined)?.campaignId;
    return createApplication(s, user, typeof campaignId === 'string' ? campaignId : undefined);
  });

  app.get('/applications/:id', async (req) => getDetail(s, requireUser(req), idParam(req)));

  app.put('/applications/:id', async (req) => {
    const user = requireUser(req, 'applicant');
    return saveForm(s, user, idParam(req), (req.body as { form?: unknown } | undefined)?.form);
  });

  app.post('/applications/:id/pledge', async (req) => pledge(s, requireUser(req, 'applicant'), idParam(req)));

  app.get('/applications/:id/check', async (req) => checkSubmission(s, requireUser(req, 'applicant'), idParam(req)));

  app.delete('/applications/:id', async (req) => {
    await deleteApplication(s, requireUser(req, 'applicant'), idParam(req));
    return { ok: true };
  });

  app.post('/applications/:id/attachments', async (req) => {
    const user = requireUser(req, 'applicant', 'unit');
    const id = idParam(req);
    if (!req.isMultipart()) throw new AppError('VALIDATION', '请选择要上传的文件');
    const maxBytes = await scanLimit(s, id);
    const part = await req.file({ limits: { fileSize: maxBytes + 1 } });
    if (!part) throw new AppError('VALIDATION', '请选择要上传的文件');
    const kindField = part.fields.kind;
    const kind = kindField && 'value' in kindField ? String(kindField.value) : '';
    return addAttachment(s, user, id, { kind, fileName: part.filename, stream: part.file, truncated: () => part.file.truncated }, maxBytes);
  });

  app.get('/attachments/:id', async (req, reply) => {
    const { file, stream } = await openAttachment(s, requireUser(req), idParam(req, '附件'));
    // A PDF (recognised from its bytes at upload) may be shown in the 附件 viewer; everything else downloads.
    const inline = (req.query as { inline?: string }).inline === '1' && file.mime === 'application/pdf';
    attachmentDisposition(reply, file.name, inline);
    reply.header('cache-control', 'private, no-store');
    return reply.type(file.mime).send(stream);
  });

  app.delete('/attachments/:id', async (req) => {
    await removeAttachment(s, requireUser(req, 'applicant', 'unit'), idParam(req, '附件'));
    return { ok: true };
  });
}
