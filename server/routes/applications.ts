import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { applicationDetailSchema, applicationRowSchema, attachmentViewSchema, checkReplySchema, okReplySchema, text } from '../../core';
import { AppError } from '../errors';
import { attachmentDisposition, idParam, noBody, parse, parseRange, replyWith, requireUser } from '../http';
import { checkSubmission, createApplication, deleteApplication, getDetail, listMine, pledge, saveForm } from '../usecases/applications';
import { addAttachment, describeAttachment, openAttachment, openPreview, removeAttachment } from '../usecases/attachments';
import { audited } from '../audit';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** 【我要申请】: the campaign, or the current 最美科技工作者 campaign when absent. */
const createSchema = z.object({
  campaignId: text('评选活动')
    .regex(UUID, '评选活动编号不正确')
    .transform((v) => v.toLowerCase())
    .optional(),
});
/** 【保存】: the fields to change; their values are checked field by field in saveForm (malformed ones are not saved: `notSaved`). */
const saveSchema = z.object({ form: z.record(text('字段名'), z.unknown(), { error: '请求缺少申请书内容：应为 { "form": { 字段: 值 } }' }) });

export async function applicationRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const s = app.services;
  const detail = replyWith(applicationDetailSchema);

  app.get('/applications/mine', replyWith(z.array(applicationRowSchema)), async (req) => listMine(s, requireUser(req, 'applicant')));

  app.post('/applications', detail, async (req) => {
    const user = requireUser(req, 'applicant');
    const { campaignId } = parse(createSchema, req.body, { campaignId: '评选活动' });
    return createApplication(s, user, campaignId);
  });

  // every opening of an application (unit, organizer, expert, the applicant) is in the audit log
  app.get('/applications/:id', { ...detail, ...audited({ action: 'application.view', targetType: 'application' }) }, async (req) =>
    getDetail(s, requireUser(req), idParam(req)),
  );

  app.put('/applications/:id', detail, async (req) => {
    const user = requireUser(req, 'applicant');
    const { form } = parse(saveSchema, req.body, { form: '申请书' });
    return saveForm(s, user, idParam(req), form);
  });

  app.post('/applications/:id/pledge', detail, async (req) => {
    const user = requireUser(req, 'applicant');
    noBody(req);
    return pledge(s, user, idParam(req));
  });

  app.get('/applications/:id/check', replyWith(checkReplySchema), async (req) => checkSubmission(s, requireUser(req, 'applicant'), idParam(req)));

  app.delete('/applications/:id', replyWith(okReplySchema), async (req) => {
    const user = requireUser(req, 'applicant');
    noBody(req);
    await deleteApplication(s, user, idParam(req));
    return { ok: true as const };
  });

  app.post('/applications/:id/attachments', replyWith(attachmentViewSchema), async (req) => {
    const user = requireUser(req, 'applicant', 'unit');
    const id = idParam(req);
    if (!req.isMultipart()) throw new AppError('VALIDATION', '请选择要上传的文件');
    const part = await req.file();
    if (!part) throw new AppError('VALIDATION', '请选择要上传的文件');
    const kindField = part.fields.kind;
    const kind = kindField && 'value' in kindField ? String(kindField.value) : '';
    return addAttachment(s, user, id, { kind, fileName: part.filename, stream: part.file, truncated: () => part.file.truncated });
  });

  // Not JSON, so without a reply schema (server/reply-schemas.test.ts lists them): the two file routes below.
  // The original exactly as uploaded: always a download, never rendered by the browser as a page (not even
  // a PDF: Chromium's own viewer runs a PDF's JavaScript, sandboxed or not; ?inline=1, once asked by the 附件
  // viewer, is ignored). The web app draws PDFs itself with pdf.js, scripting off, from these bytes. Range
  // support so that a <video> can seek.
  app.get('/attachments/:id', async (req, reply) => {
    const { file, name, range, stream } = await openAttachment(s, requireUser(req), idParam(req, '附件'), (size) => parseRange(req.headers.range, size));
    attachmentDisposition(reply, name);
    reply.header('cache-control', 'private, no-store');
    reply.header('accept-ranges', 'bytes');
    if (range) {
      reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${file.size}`);
      reply.header('content-length', range.end - range.start + 1);
    } else {
      reply.header('content-length', file.size);
    }
    return reply.type(file.mime).send(stream);
  });

  // What an attachment is, and whether its preview is there yet (the page asks while 预览生成中)
  app.get('/attachments/:id/meta', replyWith(attachmentViewSchema), async (req) => describeAttachment(s, requireUser(req), idParam(req, '附件')));

  // The re-encoded preview of an image (no metadata): the only form of an uploaded image shown inline.
  app.get('/attachments/:id/preview', async (req, reply) => {
    const { name, stream } = await openPreview(s, requireUser(req), idParam(req, '附件'));
    attachmentDisposition(reply, name, true);
    reply.header('cache-control', 'private, max-age=3600');
    return reply.type('image/jpeg').send(stream);
  });

  app.delete('/attachments/:id', replyWith(okReplySchema), async (req) => {
    const user = requireUser(req, 'applicant', 'unit');
    noBody(req);
    await removeAttachment(s, user, idParam(req, '附件'));
    return { ok: true as const };
  });
}
