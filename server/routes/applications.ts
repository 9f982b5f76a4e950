import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors';
import { attachmentDisposition, idParam, parseRange, requireUser } from '../http';
import {
  checkSubmission,
  createApplication,
  deleteApplication,
  getDetail,
  listMine,
  pledge,
  saveForm,
} from '../usecases/applications';
import { addAttachment, openAttachment, openPreview, removeAttachment, uploadLimit } from '../usecases/attachments';

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
    const part = await req.file();
    if (!part) throw new AppError('VALIDATION', '请选择要上传的文件');
    const kindField = part.fields.kind;
    const kind = kindField && 'value' in kindField ? String(kindField.value) : '';
    const maxBytes = await uploadLimit(s, id, kind);
    return addAttachment(s, user, id, { kind, fileName: part.filename, stream: part.file, truncated: () => part.file.truncated }, maxBytes);
  });

  // The original exactly as uploaded: always a download (never rendered by the browser as a page), with
  // Range support so that a <video> can seek. A PDF may be shown in the 附件 viewer with ?inline=1.
  app.get('/attachments/:id', async (req, reply) => {
    const { file, name, range, stream } = await openAttachment(s, requireUser(req), idParam(req, '附件'), (size) => parseRange(req.headers.range, size));
    const inline = (req.query as { inline?: string }).inline === '1' && file.mime === 'application/pdf';
    attachmentDisposition(reply, name, inline);
    reply.header('cache-control', 'private, no-store');
    reply.header('accept-ranges', 'bytes');
    if (inline) reply.header('content-security-policy', 'sandbox');
    if (range) {
      reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${file.size}`);
      reply.header('content-length', range.end - range.start + 1);
    } else {
      reply.header('content-length', file.size);
    }
    return reply.type(file.mime).send(stream);
  });

  // The re-encoded preview of an image (no metadata): the only form of an uploaded image shown inline.
  app.get('/attachments/:id/preview', async (req, reply) => {
    const { name, stream } = await openPreview(s, requireUser(req), idParam(req, '附件'));
    attachmentDisposition(reply, name, true);
    reply.header('cache-control', 'private, max-age=3600');
    return reply.type('image/jpeg').send(stream);
  });

  app.delete('/attachments/:id', async (req) => {
    await removeAttachment(s, requireUser(req, 'applicant', 'unit'), idParam(req, '附件'));
    return { ok: true };
  });
}
