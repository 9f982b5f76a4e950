// 公示 and 异议 over HTTP: the owner's routes (/api/publicities, /api/objections), and the public ones under
// /api/public (no login: the index, the page, the SMS code and the 异议 form, behind the captcha and rate limits).
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  messageReplySchema,
  objectionDecisionSchema,
  objectionInputSchema,
  objectionViewSchema,
  phoneCodeRequestSchema,
  PUBLICITY_LIMITS,
  publicIndexReplySchema,
  publicityCandidateSchema,
  publicityDetailSchema,
  publicityInputSchema,
  publicityViewSchema,
  publicityWithdrawSchema,
  publicPageReplySchema,
  text,
} from '../../core';
import { checkCaptcha } from '../auth/captcha';
import { AppError } from '../errors';
import { attachmentDisposition, idParam, parse, replyWith, requireUser } from '../http';
import {
  correctPublicity,
  createPublicity,
  decideObjection,
  evidenceTooLarge,
  getPublicity,
  listCandidates,
  listObjections,
  listPublicities,
  openObjectionFile,
  publicIndex,
  publicPage,
  requestPhoneCode,
  submitObjection,
  withdrawPublicity,
  type EvidenceFile,
} from '../usecases/publicity';

const PUBLICITY_LABELS = {
  title: '公示标题',
  startsOn: '公示开始日期',
  endsOn: '公示结束日期',
  contactName: '联系人',
  contactPhone: '联系电话',
  objectionMethod: '受理异议的方式',
  entries: '候选人',
};
const OBJECTION_LABELS = { name: '姓名', mobile: '手机', code: '短信验证码', entry: '候选人', content: '异议内容' };

const objectionListQuery = z.object({
  publicityId: text('公示')
    .regex(/^[0-9a-f-]{36}$/i, '公示不正确')
    .optional(),
});

export async function publicityRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const s = app.services;
  const { config } = s;
  const limit = (max: number) => ({ config: { rateLimit: { max, timeWindow: config.rateLimits.windowMs } } });

  // ---- the owner's (a unit's 初评公示) and 自治区科协's ----
  app.get('/publicities', replyWith(z.array(publicityViewSchema)), async (req) => listPublicities(s, requireUser(req, 'unit', 'organizer')));

  app.get('/publicities/candidates', replyWith(z.array(publicityCandidateSchema)), async (req) => listCandidates(s, requireUser(req, 'unit')));

  app.post('/publicities', replyWith(publicityDetailSchema), async (req) => {
    const user = requireUser(req, 'unit');
    return createPublicity(s, user, parse(publicityInputSchema, req.body, PUBLICITY_LABELS));
  });

  app.get('/publicities/:id', replyWith(publicityDetailSchema), async (req) => {
    const user = requireUser(req, 'unit', 'organizer');
    return getPublicity(s, user, idParam(req, '公示'));
  });

  app.put('/publicities/:id', replyWith(publicityDetailSchema), async (req) => {
    const user = requireUser(req, 'unit', 'organizer');
    const id = idParam(req, '公示');
    return correctPublicity(s, user, id, parse(publicityInputSchema, req.body, PUBLICITY_LABELS));
  });

  app.post('/publicities/:id/withdraw', replyWith(publicityDetailSchema), async (req) => {
    const user = requireUser(req, 'unit', 'organizer');
    const id = idParam(req, '公示');
    const { reason } = parse(publicityWithdrawSchema, req.body, { reason: '撤回理由' });
    return withdrawPublicity(s, user, id, reason);
  });

  app.get('/objections', replyWith(z.array(objectionViewSchema)), async (req) => {
    const user = requireUser(req, 'unit', 'organizer');
    const { publicityId } = parse(objectionListQuery, req.query, { publicityId: '公示' });
    return listObjections(s, user, publicityId?.toLowerCase());
  });

  app.put('/objections/:id/decision', replyWith(objectionViewSchema), async (req) => {
    const user = requireUser(req, 'unit', 'organizer');
    const id = idParam(req, '异议');
    return decideObjection(s, user, id, parse(objectionDecisionSchema, req.body, { conclusion: '核实结论', finding: '核实情况' }));
  });

  // a file, not JSON (server/reply-schemas.test.ts lists it): always a download
  app.get('/objection-files/:id', async (req, reply) => {
    const user = requireUser(req, 'unit', 'organizer');
    const { file, stream } = await openObjectionFile(s, user, idParam(req, '证明材料'));
    attachmentDisposition(reply, file.name);
    reply.header('cache-control', 'private, no-store');
    reply.header('content-length', file.size);
    return reply.type(file.mime).send(stream);
  });

  // ---- public, no login ----
  app.get('/public/publicities', replyWith(publicIndexReplySchema), async (_req, reply) => {
    reply.header('cache-control', 'no-cache');
    return publicIndex(s);
  });

  app.get('/public/publicities/:id', replyWith(publicPageReplySchema), async (req, reply) => {
    reply.header('cache-control', 'no-cache');
    return publicPage(s, idParam(req, '公示'));
  });

  // 获取短信验证码: the image captcha, a limit per address here and per number in the use case
  app.post('/public/phone-codes', { ...replyWith(messageReplySchema), ...limit(config.rateLimits.recover) }, async (req) => {
    const input = parse(phoneCodeRequestSchema, req.body, { mobile: '手机', captcha: '图片验证码' });
    await checkCaptcha(s.db, req.cookies.captcha, input.captcha, config.captchaTestAnswer);
    return requestPhoneCode(s, input.mobile);
  });

  // 提交异议: JSON, or multipart with the form as the `data` field and up to three evidence files
  app.post('/public/publicities/:id/objections', { ...replyWith(messageReplySchema), ...limit(config.rateLimits.recover) }, async (req) => {
    const id = idParam(req, '公示');
    const { data, files } = req.isMultipart() ? await readObjectionParts(req, s.storage.tmpDir) : { data: req.body, files: [] };
    let input;
    try {
      input = parse(objectionInputSchema, data, OBJECTION_LABELS);
    } catch (err) {
      await Promise.all(files.map((f) => fsp.rm(f.tmpPath, { force: true })));
      throw err;
    }
    return submitObjection(s, id, input, files, req.ip);
  });
}

/** The multipart 异议 form: `data` (the form as JSON) and files `file`, each streamed to a temporary file. */
async function readObjectionParts(req: FastifyRequest, tmpDir: string): Promise<{ data: unknown; files: EvidenceFile[] }> {
  const files: EvidenceFile[] = [];
  let data: unknown = undefined;
  try {
    const parts = req.parts({ limits: { files: PUBLICITY_LIMITS.evidenceFiles, fileSize: PUBLICITY_LIMITS.evidenceBytes, fields: 2 } });
    for await (const part of parts) {
      if (part.type === 'field') {
        if (part.fieldname !== 'data') continue;
        try {
          data = JSON.parse(String(part.value));
        } catch {
          throw new AppError('VALIDATION', '异议表单格式不正确，请刷新页面后重试');
        }
        continue;
      }
      const tmpPath = path.join(tmpDir, `${crypto.randomUUID()}.evidence`);
      const file: EvidenceFile = { fileName: part.filename, tmpPath, size: 0 };
      files.push(file);
      let size = 0;
      await pipeline(
        part.file,
        async function* (source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            size += chunk.length;
            yield chunk;
          }
        },
        fs.createWriteStream(tmpPath),
      );
      file.size = size;
      if (part.file.truncated) throw evidenceTooLarge(part.filename);
    }
  } catch (err) {
    await Promise.all(files.map((f) => fsp.rm(f.tmpPath, { force: true })));
    const code = (err as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw evidenceTooLarge(null);
    if (code === 'FST_FILES_LIMIT') throw new AppError('VALIDATION', `证明材料最多${PUBLICITY_LIMITS.evidenceFiles}个`);
    throw err;
  }
  return { data, files };
}
