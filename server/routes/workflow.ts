import type { FastifyInstance } from 'fastify';
import { audited } from '../audit';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  applicationDetailSchema,
  applicationQuerySchema,
  changesReplySchema,
  historyEntrySchema,
  markReadReplySchema,
  notificationsReplySchema,
  opinionSchema,
  preliminarySchema,
  queryResultSchema,
  text,
  type Action,
} from '../../core';
import { AppError } from '../errors';
import { idParam, noBody, parse, replyWith, requireUser } from '../http';
import { listNotifications, markRead } from '../usecases/notifications';
import { queryApplications } from '../usecases/queries';
import { changesSinceReturn, history } from '../usecases/history';
import { saveOpinion, savePreliminary } from '../usecases/opinions';
import { openApplication, transition } from '../usecases/workflow';

/** The transfers a client may ask for by name (the rest of the table are content actions). */
const TRANSITIONS: Record<string, Action> = {
  submit: 'submit',
  withdraw: 'withdraw',
  return: 'return',
  'withdraw-return': 'withdrawReturn',
  forward: 'forward',
  'withdraw-forward': 'withdrawForward',
  'org-return': 'orgReturn',
  accept: 'accept',
};

const QUERY_LABELS = {
  keyword: '条件',
  year: '年度',
  workUnit: '工作单位',
  status: '当前步骤',
  sort: '排序',
  order: '排序方向',
  tab: '标签',
  page: '页码',
  pageSize: '每页显示',
};

/** `ids` of the messages to mark read (numbers, or their decimal strings); none: all of the user's. */
const markReadSchema = z.object({
  ids: z
    .array(
      z.union(
        [
          z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
          text('消息编号')
            .regex(/^[1-9]\d{0,14}$/)
            .transform(Number),
        ],
        { error: '消息编号不正确' },
      ),
      { error: '消息编号应为列表' },
    )
    .max(500, '一次最多标记500条消息')
    .optional(),
});

/** 【提交】 names its 推荐单位 (ignored after a return); the other transfers take no body. */
const transitionSchema = z.object({ unitId: text('推荐单位', { required: '请选择推荐单位' }).optional() });

export async function workflowRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const s = app.services;
  const detail = replyWith(applicationDetailSchema);

  app.get('/applications', replyWith(queryResultSchema), async (req) => {
    const user = requireUser(req, 'unit', 'organizer');
    return queryApplications(s, user, parse(applicationQuerySchema, req.query, QUERY_LABELS));
  });

  app.post('/applications/:id/transitions/:action', detail, async (req) => {
    const user = requireUser(req);
    const id = idParam(req);
    const action = TRANSITIONS[(req.params as { action: string }).action];
    if (!action) throw new AppError('NOT_FOUND', '请求的操作不存在');
    const { unitId } = parse(transitionSchema, req.body, { unitId: '推荐单位' });
    return transition(s, user, id, action, { unitId });
  });

  app.post(
    '/applications/:id/open',
    { ...detail, ...audited({ action: 'application.view', targetType: 'application', detail: () => ({ via: 'open' }) }) },
    async (req) => {
      const user = requireUser(req);
      noBody(req);
      return openApplication(s, user, idParam(req));
    },
  );

  app.put('/applications/:id/opinions/:kind', detail, async (req) => {
    const user = requireUser(req, 'unit', 'organizer');
    const id = idParam(req);
    const kind = (req.params as { kind: string }).kind;
    if (kind !== 'return' && kind !== 'recommend' && kind !== 'org') throw new AppError('NOT_FOUND', '请求的意见类别不存在');
    const { text } = parse(opinionSchema, req.body);
    return saveOpinion(s, user, id, kind, text);
  });

  // 【保存初评】: the unit's 初评, 通过 or 不通过 with a reason
  app.put('/applications/:id/preliminary', detail, async (req) => {
    const user = requireUser(req, 'unit');
    const id = idParam(req);
    const input = parse(preliminarySchema, req.body, { result: '初评结果', reason: '初评理由' });
    return savePreliminary(s, user, id, input);
  });

  app.get('/applications/:id/history', replyWith(z.array(historyEntrySchema)), async (req) => history(s, requireUser(req), idParam(req)));
  app.get('/applications/:id/changes', replyWith(changesReplySchema), async (req) => changesSinceReturn(s, requireUser(req), idParam(req)));
  app.get('/notifications', replyWith(notificationsReplySchema), async (req) => listNotifications(s, requireUser(req)));
  app.post('/notifications/read', replyWith(markReadReplySchema), async (req) => {
    const user = requireUser(req);
    const { ids } = parse(markReadSchema, req.body, { ids: '消息编号' });
    return markRead(s, user, ids);
  });
}
