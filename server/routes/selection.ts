// 入围名单 and 最终评选结果 (issue 14, 1. and 4.–7.): the shortlist, the selection under the constraints, 按规则推荐,
// 结构分析, the final 公示 and an upheld 异议's replacement. 自治区科协 only: nothing here reaches experts, units or
// applicants before publication.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import {
  balanceReplySchema,
  finalPublicityInputSchema,
  proposalReplySchema,
  selectionPickSchema,
  selectionReopenSchema,
  selectionReplacementSchema,
  selectionStateSchema,
  selectionVersionSchema,
  shortlistAddSchema,
  shortlistMarkSchema,
  shortlistRemoveSchema,
  shortlistReplySchema,
} from '../../core/selection/api';
import { idParam, noBody, parse, replyWith, requireUser } from '../http';
import { acceptProposal, balance, confirmSelection, propose, proposeReplacement, reopenSelection, savePick, selectionState } from '../usecases/selection';
import { publishFinal } from '../usecases/selection-final';
import { addToShortlist, buildShortlist, getShortlist, markFrontline, removeFromShortlist } from '../usecases/shortlist';

const SHORTLIST_LABELS = { applicationId: '候选人', reason: '理由', frontline: '基层一线' };
const PICK_LABELS = { winners: '当选人员', nationals: '全国推荐人选', version: '名单版本', reason: '重新打开的理由', applicationId: '被取消的当选人员' };
const PUBLICITY_LABELS = {
  title: '公示标题',
  startsOn: '公示开始日期',
  endsOn: '公示结束日期',
  contactName: '联系人',
  contactPhone: '联系电话',
  objectionMethod: '受理异议的方式',
  entries: '候选人',
};

export async function selectionRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const s = app.services;
  const organizer = (req: Parameters<typeof requireUser>[0]) => requireUser(req, 'organizer');

  // ---- 入围名单 ----
  app.get('/selection/campaigns/:id/shortlist', replyWith(shortlistReplySchema), async (req) => {
    organizer(req);
    return getShortlist(s, idParam(req, '评选活动'));
  });

  app.post('/selection/campaigns/:id/shortlist/build', replyWith(shortlistReplySchema), async (req) => {
    const user = organizer(req);
    const id = idParam(req, '评选活动');
    noBody(req);
    return buildShortlist(s, user, id);
  });

  app.post('/selection/campaigns/:id/shortlist/add', replyWith(shortlistReplySchema), async (req) => {
    const user = organizer(req);
    const id = idParam(req, '评选活动');
    return addToShortlist(s, user, id, parse(shortlistAddSchema, req.body, { ...SHORTLIST_LABELS, reason: '增补理由' }));
  });

  app.post('/selection/campaigns/:id/shortlist/remove', replyWith(shortlistReplySchema), async (req) => {
    const user = organizer(req);
    const id = idParam(req, '评选活动');
    return removeFromShortlist(s, user, id, parse(shortlistRemoveSchema, req.body, { ...SHORTLIST_LABELS, reason: '移出理由' }));
  });

  app.put('/selection/campaigns/:id/shortlist/frontline', replyWith(shortlistReplySchema), async (req) => {
    const user = organizer(req);
    const id = idParam(req, '评选活动');
    return markFrontline(s, user, id, parse(shortlistMarkSchema, req.body, SHORTLIST_LABELS));
  });

  // ---- 最终评选结果 ----
  app.get('/selection/campaigns/:id', replyWith(selectionStateSchema), async (req) => {
    organizer(req);
    return selectionState(s, idParam(req, '评选活动'));
  });

  app.put('/selection/campaigns/:id/pick', replyWith(selectionStateSchema), async (req) => {
    const user = organizer(req);
    const id = idParam(req, '评选活动');
    return savePick(s, user, id, parse(selectionPickSchema, req.body, PICK_LABELS));
  });

  app.post('/selection/campaigns/:id/propose', replyWith(proposalReplySchema), async (req) => {
    const user = organizer(req);
    const id = idParam(req, '评选活动');
    noBody(req);
    return propose(s, user, id);
  });

  app.post('/selection/campaigns/:id/accept', replyWith(selectionStateSchema), async (req) => {
    const user = organizer(req);
    const id = idParam(req, '评选活动');
    return acceptProposal(s, user, id, parse(selectionVersionSchema, req.body, PICK_LABELS));
  });

  app.post('/selection/campaigns/:id/confirm', replyWith(selectionStateSchema), async (req) => {
    const user = organizer(req);
    const id = idParam(req, '评选活动');
    return confirmSelection(s, user, id, parse(selectionVersionSchema, req.body, PICK_LABELS));
  });

  app.post('/selection/campaigns/:id/reopen', replyWith(selectionStateSchema), async (req) => {
    const user = organizer(req);
    const id = idParam(req, '评选活动');
    return reopenSelection(s, user, id, parse(selectionReopenSchema, req.body, PICK_LABELS));
  });

  app.get('/selection/campaigns/:id/balance', replyWith(balanceReplySchema), async (req) => {
    organizer(req);
    return balance(s, idParam(req, '评选活动'));
  });

  // ---- 最终公示 and an upheld 异议's replacement ----
  app.post('/selection/campaigns/:id/publicity', replyWith(selectionStateSchema), async (req) => {
    const user = organizer(req);
    const id = idParam(req, '评选活动');
    return publishFinal(s, user, id, parse(finalPublicityInputSchema, req.body, PUBLICITY_LABELS));
  });

  app.post('/selection/campaigns/:id/replacement', replyWith(proposalReplySchema), async (req) => {
    const user = organizer(req);
    const id = idParam(req, '评选活动');
    return proposeReplacement(s, user, id, parse(selectionReplacementSchema, req.body, PICK_LABELS));
  });
}
