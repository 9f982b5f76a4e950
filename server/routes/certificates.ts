// /api/certificates/... , POST /api/exports/application-pdf and the public /verify/:number — 证书 (issue 15, 3.) and
// the printable 申请书 (4.). Registered without a prefix (app.ts): the verification page is not under /api.
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { audited, bodyField } from '../audit';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { applicationPdfInputSchema, campaignCertificatesSchema, myCertificatesSchema, SEAL_MAX_BYTES } from '../../core/certificates';
import { jobViewSchema } from '../../core/jobs';
import { AppError } from '../errors';
import { attachmentDisposition, idParam, noBody, parse, replyWith, requireUser } from '../http';
import { enqueueApplicationPdf } from '../pdf/application-job';
import {
  campaignCertificates,
  enqueueCertificateZip,
  myCertificates,
  openCertificate,
  openSeal,
  putSeal,
  removeSeal,
  sealPosition,
  verifyCertificate,
} from '../usecases/certificates';
import { presentJob } from '../usecases/jobs';

/** /verify is public: a person checks one certificate; this many a minute per address is plenty and slows a crawler. */
const VERIFY_PER_MINUTE = 60;

const sealTooLarge = () => new AppError('TOO_LARGE', `印章图片不能超过${SEAL_MAX_BYTES / 1024 / 1024}MB`);

/** The one file of a multipart seal upload, streamed to a temporary file (at most SEAL_MAX_BYTES, else 413). */
async function readSealUpload(req: FastifyRequest, tmpDir: string): Promise<string> {
  if (!req.isMultipart()) {
    // a JSON body: its keys are refused by name like every route's, and an empty one asks for the file
    noBody(req);
    throw new AppError('VALIDATION', '请选择要上传的印章图片（PNG 或 JPEG）');
  }
  const tmpPath = path.join(tmpDir, `seal-upload-${crypto.randomUUID()}`);
  try {
    const part = await req.file({ limits: { fileSize: SEAL_MAX_BYTES, files: 1 } });
    if (!part) throw new AppError('VALIDATION', '请选择要上传的印章图片（PNG 或 JPEG）');
    await pipeline(part.file, fs.createWriteStream(tmpPath));
    if (part.file.truncated) throw sealTooLarge();
    return tmpPath;
  } catch (err) {
    await fsp.rm(tmpPath, { force: true });
    if (err instanceof AppError) throw err;
    if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw sealTooLarge();
    throw new AppError('VALIDATION', '上传的内容格式不正确，请重新选择印章图片后上传');
  }
}

const escapeHtml = (v: string) => v.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

function verifyPage(reply: FastifyReply, status: number, title: string, body: string) {
  const html = `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)} - 新疆科技工作者之家</title>
<style>
body{margin:0;font-family:"Noto Serif CJK SC","Noto Sans CJK SC","PingFang SC","Microsoft YaHei",serif;background:#f5f5f5;color:#1f1f1f}
main{max-width:560px;margin:32px auto;background:#fff;padding:28px 24px;border-top:6px solid #a61b1b}
h1{font-size:24px;margin:0 0 16px}
.ok{color:#135200;font-size:18px;font-weight:bold}
.bad{color:#a8071a;font-size:18px;font-weight:bold}
dl{display:grid;grid-template-columns:auto 1fr;gap:10px 16px;font-size:18px;margin:20px 0 0}
dt{color:#595959}
dd{margin:0;font-weight:bold}
footer{color:#595959;font-size:14px;margin-top:24px}
</style>
</head>
<body>
<main>
${body}
<footer>新疆维吾尔自治区科学技术协会 · 新疆科技工作者之家 申报平台</footer>
</main>
</body>
</html>
`;
  return reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'public, max-age=300').send(html);
}

export async function certificateRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const s = app.services;
  const organizer = (req: FastifyRequest) => requireUser(req, 'organizer');

  // ---- the organizer's 证书 page ----
  app.get('/api/certificates/campaigns/:id', replyWith(campaignCertificatesSchema), async (req) => {
    organizer(req);
    return campaignCertificates(s, idParam(req, '评选活动'));
  });

  app.post('/api/certificates/campaigns/:id/seals/:position', replyWith(campaignCertificatesSchema), async (req) => {
    const user = organizer(req);
    const tmpPath = await readSealUpload(req, s.storage.tmpDir);
    let id: string;
    let position: number;
    try {
      id = idParam(req, '评选活动');
      position = sealPosition((req.params as { position?: string }).position);
    } catch (err) {
      await fsp.rm(tmpPath, { force: true });
      throw err;
    }
    return putSeal(s, user, id, position, tmpPath);
  });

  app.delete('/api/certificates/campaigns/:id/seals/:position', replyWith(campaignCertificatesSchema), async (req) => {
    organizer(req);
    noBody(req);
    return removeSeal(s, idParam(req, '评选活动'), sealPosition((req.params as { position?: string }).position));
  });

  app.get('/api/certificates/campaigns/:id/seals/:position', { config: { notJson: 'a seal image (PNG), for the preview' } }, async (req, reply) => {
    organizer(req);
    const stream = await openSeal(s, idParam(req, '评选活动'), sealPosition((req.params as { position?: string }).position));
    reply.header('cache-control', 'private, no-store');
    reply.header('x-content-type-options', 'nosniff');
    return reply.type('image/png').send(stream);
  });

  app.post('/api/certificates/campaigns/:id/zip', replyWith(jobViewSchema), async (req) => {
    const user = organizer(req);
    noBody(req);
    return presentJob(await enqueueCertificateZip(s, user, idParam(req, '评选活动')));
  });

  // ---- a winner's and their unit's own certificates, after publication ----
  app.get('/api/certificates/mine', replyWith(myCertificatesSchema), async (req) => myCertificates(s, requireUser(req)));

  const certificateDownload = audited({
    action: 'certificate.download',
    targetType: 'certificate',
    target: (req) => (req.params as { number?: string }).number,
  });
  app.get('/api/certificates/:number/pdf', { config: { notJson: 'a certificate, a PDF download', ...certificateDownload.config } }, async (req, reply) => {
    const user = requireUser(req);
    const { name, size, stream } = await openCertificate(s, user, String((req.params as { number?: string }).number ?? ''));
    attachmentDisposition(reply, name);
    reply.header('cache-control', 'private, no-store');
    reply.header('content-length', size);
    return reply.type('application/pdf').send(stream);
  });

  // ---- the printable 申请书/推荐表 ----
  const pdf = audited({
    action: 'application.pdf',
    targetType: 'application',
    target: (req) => bodyField(req, 'applicationId')?.toLowerCase(),
    detail: (_req, job) => ({ job: (job as { id?: string }).id }),
  });
  app.post('/api/exports/application-pdf', { ...replyWith(jobViewSchema), ...pdf }, async (req) => {
    const user = requireUser(req);
    const input = parse(applicationPdfInputSchema, req.body, { applicationId: '申请书' });
    return presentJob(await enqueueApplicationPdf(s, user, idParamOf(input.applicationId)));
  });

  // ---- the public verification page the QR code links to ----
  // a wildcard, not `:number`: a longer path or one with more segments is this page's 404 too, not the web app's
  app.get(
    '/verify/*',
    { config: { notJson: 'the public verification page, HTML', rateLimit: { max: VERIFY_PER_MINUTE, timeWindow: s.config.rateLimits.windowMs } } },
    async (req, reply) => {
      const number = String((req.params as { '*'?: string })['*'] ?? '');
      const found = await verifyCertificate(s.db, number);
      if (!found) {
        return verifyPage(
          reply,
          404,
          '未找到该证书',
          '<h1>证书验证</h1>\n<p class="bad">未找到该证书编号对应的证书</p>\n<p>请核对证书编号，或扫描证书上的二维码重新打开本页。</p>',
        );
      }
      return verifyPage(
        reply,
        200,
        '证书验证',
        `<h1>证书验证</h1>
<p class="ok">✔ 该证书真实有效</p>
<dl>
<dt>姓名</dt><dd>${escapeHtml(found.name)}</dd>
<dt>荣誉称号</dt><dd>${escapeHtml(found.title)}</dd>
<dt>年度</dt><dd>${found.year}年</dd>
</dl>`,
      );
    },
  );
}

/** An application id in a body: anything but a UUID is simply not found. */
function idParamOf(value: string): string {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value))
    throw new AppError('NOT_FOUND', '未找到该申请书，可能已被删除或您无权查看');
  return value.toLowerCase();
}
