// 评审专家 and 评审组 (issue 13, item 6): 自治区科协's routes under /api/admin (docs/API.md "评审专家").
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  adminExpertSchema,
  EXPERT_IMPORT_MAX_BYTES,
  EXPERT_IMPORT_MAX_MB,
  expertCreateSchema,
  expertGroupInputSchema,
  expertGroupSchema,
  expertImportReplySchema,
  expertListSchema,
  expertQuerySchema,
  expertUpdateSchema,
  groupMembersInputSchema,
  okReplySchema,
} from '../../core';
import { AppError } from '../errors';
import { attachmentDisposition, idParam, noBody, parse, replyWith, requireUser } from '../http';
import {
  addMembers,
  createExpert,
  createGroup,
  deleteGroup,
  findExpert,
  importExperts,
  importTemplate,
  listExperts,
  listGroups,
  removeMember,
  resendInitialPassword,
  setExpertDisabled,
  updateExpert,
  updateGroup,
} from '../usecases/experts';

const EXPERT_LABELS = { realName: '姓名', workUnit: '工作单位', field: '专业领域', mobile: '手机', email: '电子邮箱', idNumber: '身份证号码' };
const GROUP_LABELS = { name: '评审组名称', field: '推荐领域', expertIds: '评审专家' };

const uuidOf = (value: string | undefined, what: string) => {
  if (!value || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) {
    throw new AppError('NOT_FOUND', `未找到该${what}，可能已被删除或您无权查看`);
  }
  return value.toLowerCase();
};

/** The .xlsx of an import request: one multipart file, read whole up to the limit (a larger one is 413). */
async function importBytes(req: FastifyRequest): Promise<Buffer> {
  if (!req.isMultipart()) throw new AppError('VALIDATION', '请选择要导入的 Excel（.xlsx）文件');
  const part = await req.file({ limits: { fileSize: EXPERT_IMPORT_MAX_BYTES + 1 } });
  if (!part) throw new AppError('VALIDATION', '请选择要导入的 Excel（.xlsx）文件');
  const bytes = await part.toBuffer().catch((err: { code?: string }) => {
    if (err.code === 'FST_REQ_FILE_TOO_LARGE') throw new AppError('TOO_LARGE', `导入文件过大，不能超过${EXPERT_IMPORT_MAX_MB}MB；请分批导入`);
    throw err;
  });
  if (part.file.truncated || bytes.length > EXPERT_IMPORT_MAX_BYTES)
    throw new AppError('TOO_LARGE', `导入文件过大，不能超过${EXPERT_IMPORT_MAX_MB}MB；请分批导入`);
  return bytes;
}

export async function expertRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const s = app.services;
  const organizer = (req: FastifyRequest) => requireUser(req, 'organizer');

  app.get('/experts', replyWith(expertListSchema), async (req) => {
    organizer(req);
    return listExperts(s, parse(expertQuerySchema, req.query, { keyword: '查询条件', groupId: '评审组', status: '状态', page: '页码', pageSize: '每页条数' }));
  });

  app.post('/experts', replyWith(adminExpertSchema), async (req) => {
    const user = organizer(req);
    return createExpert(s, user, parse(expertCreateSchema, req.body, EXPERT_LABELS));
  });

  // an .xlsx file, not JSON (server/reply-schemas.test.ts lists it)
  app.get('/experts/template', async (req, reply) => {
    organizer(req);
    attachmentDisposition(reply, '评审专家导入模板.xlsx');
    reply.header('cache-control', 'no-store');
    return reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(await importTemplate());
  });

  app.post('/experts/import', replyWith(expertImportReplySchema), async (req) => {
    const user = organizer(req);
    const dryRun = ['1', 'true'].includes(String((req.query as { dryRun?: string }).dryRun ?? ''));
    return importExperts(s, user, await importBytes(req), dryRun);
  });

  app.get('/experts/:id', replyWith(adminExpertSchema), async (req) => {
    organizer(req);
    return findExpert(s, idParam(req, '评审专家'));
  });

  app.put('/experts/:id', replyWith(adminExpertSchema), async (req) => {
    const user = organizer(req);
    const id = idParam(req, '评审专家');
    return updateExpert(s, user, id, parse(expertUpdateSchema, req.body, EXPERT_LABELS));
  });

  app.post('/experts/:id/disable', replyWith(adminExpertSchema), async (req) => {
    const user = organizer(req);
    noBody(req);
    return setExpertDisabled(s, user, idParam(req, '评审专家'), true);
  });

  app.post('/experts/:id/enable', replyWith(adminExpertSchema), async (req) => {
    const user = organizer(req);
    noBody(req);
    return setExpertDisabled(s, user, idParam(req, '评审专家'), false);
  });

  app.post('/experts/:id/resend-password', replyWith(adminExpertSchema), async (req) => {
    const user = organizer(req);
    noBody(req);
    return resendInitialPassword(s, user, idParam(req, '评审专家'));
  });

  app.get('/expert-groups', replyWith(z.array(expertGroupSchema)), async (req) => {
    organizer(req);
    return listGroups(s);
  });

  app.post('/expert-groups', replyWith(expertGroupSchema), async (req) => {
    const user = organizer(req);
    return createGroup(s, user, parse(expertGroupInputSchema, req.body, GROUP_LABELS));
  });

  app.put('/expert-groups/:id', replyWith(expertGroupSchema), async (req) => {
    const user = organizer(req);
    const id = idParam(req, '评审组');
    return updateGroup(s, user, id, parse(expertGroupInputSchema, req.body, GROUP_LABELS));
  });

  app.delete('/expert-groups/:id', replyWith(okReplySchema), async (req) => {
    const user = organizer(req);
    noBody(req);
    await deleteGroup(s, user, idParam(req, '评审组'));
    return { ok: true as const };
  });

  app.post('/expert-groups/:id/members', replyWith(expertGroupSchema), async (req) => {
    const user = organizer(req);
    const id = idParam(req, '评审组');
    return addMembers(s, user, id, parse(groupMembersInputSchema, req.body, GROUP_LABELS).expertIds);
  });

  app.delete('/expert-groups/:id/members/:expertId', replyWith(expertGroupSchema), async (req) => {
    const user = organizer(req);
    noBody(req);
    const id = idParam(req, '评审组');
    return removeMember(s, user, id, uuidOf((req.params as { expertId?: string }).expertId, '评审专家'));
  });
}
