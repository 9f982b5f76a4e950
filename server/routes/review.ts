// 网上评选 (issue 13, 7.–10.): the organizer's assignment, 回避登记, progress, 催办, 退回重评 and 重置评审; the expert's list,
// score sheet and 申报回避. The expert's routes reach a candidate only through their scope (access.ts): a recused or
// unassigned candidate is 404 everywhere.
import type { FastifyInstance } from 'fastify';
import { audited, bodyField } from '../audit';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import {
  assignmentChangeSchema,
  assignmentsReplySchema,
  conflictRequestSchema,
  conflictsReplySchema,
  planReplySchema,
  planRequestSchema,
  progressReplySchema,
  reasonRequestSchema,
  recusalRequestSchema,
  reminderReplySchema,
  resetReplySchema,
  reviewListReplySchema,
  sheetDetailSchema,
  sheetBodySchema,
  sheetReplySchema,
} from '../../core/review';
import { idParam, parse, replyWith, requireUser, noBody } from '../http';
import { addAssignment, addConflict, confirmPlan, listAssignments, listConflicts, previewPlan, removeAssignment } from '../usecases/review-assign';
import { progress, remind, resetReview } from '../usecases/review-progress';
import { declareRecusal, getMySheet, getSheet, listMine, reopenSheet, writeSheet } from '../usecases/review-sheets';
import { getCampaign } from '../usecases/campaigns';

const PLAN_LABELS = {
  mode: '分配方式',
  k: '每位候选人至少评审份数',
  L: '每位专家最多评审份数',
  candidateIds: '候选人',
  expertIds: '评审专家',
  groupIds: '评审组',
};
const CHANGE_LABELS = { applicationId: '候选人', expertId: '评审专家' };
const CONFLICT_LABELS = { ...CHANGE_LABELS, reason: '回避理由' };
const SHEET_LABELS = { scores: '评分', gates: '是否项', comment: '评语' };
const reopenSchema = reasonRequestSchema('退回重评理由');
const resetSchema = reasonRequestSchema('重置理由');

export async function reviewRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const s = app.services;
  const organizer = (req: Parameters<typeof requireUser>[0]) => requireUser(req, 'organizer');
  const campaignId = (req: Parameters<typeof idParam>[0]) => idParam(req, '评选活动');

  // ---- 自治区科协 ----

  app.post('/review/campaigns/:id/plan/preview', replyWith(planReplySchema), async (req) => {
    organizer(req);
    const id = campaignId(req);
    return previewPlan(s, id, parse(planRequestSchema, req.body, PLAN_LABELS));
  });

  app.post('/review/campaigns/:id/plan/confirm', replyWith(planReplySchema), async (req) => {
    const user = organizer(req);
    const id = campaignId(req);
    return confirmPlan(s, user, id, parse(planRequestSchema, req.body, PLAN_LABELS));
  });

  app.get('/review/campaigns/:id/assignments', replyWith(assignmentsReplySchema), async (req) => {
    organizer(req);
    return listAssignments(s, campaignId(req));
  });

  app.post('/review/campaigns/:id/assignments', replyWith(assignmentsReplySchema), async (req) => {
    const user = organizer(req);
    const id = campaignId(req);
    return addAssignment(s, user, id, parse(assignmentChangeSchema, req.body, CHANGE_LABELS));
  });

  app.post('/review/campaigns/:id/assignments/remove', replyWith(assignmentsReplySchema), async (req) => {
    const user = organizer(req);
    const id = campaignId(req);
    return removeAssignment(s, user, id, parse(assignmentChangeSchema, req.body, CHANGE_LABELS));
  });

  app.get('/review/campaigns/:id/conflicts', replyWith(conflictsReplySchema), async (req) => {
    organizer(req);
    return listConflicts(s, campaignId(req));
  });

  app.post('/review/campaigns/:id/conflicts', replyWith(conflictsReplySchema), async (req) => {
    const user = organizer(req);
    const id = campaignId(req);
    return addConflict(s, user, id, parse(conflictRequestSchema, req.body, CONFLICT_LABELS));
  });

  app.get('/review/campaigns/:id/progress', replyWith(progressReplySchema), async (req) => {
    organizer(req);
    return progress(s, campaignId(req));
  });

  app.post('/review/campaigns/:id/reminders', replyWith(reminderReplySchema), async (req) => {
    const user = organizer(req);
    const id = campaignId(req);
    noBody(req);
    await getCampaign(s.db, id);
    const n = (await remind(s, id, user)) ?? 0;
    return { experts: n, message: n ? `已向${n}位尚未完成评审的专家发送催办（站内消息和短信）` : '所有专家均已提交评分，无需催办' };
  });

  app.post('/review/campaigns/:id/reset', replyWith(resetReplySchema), async (req) => {
    const user = organizer(req);
    const id = campaignId(req);
    const { reason } = parse(resetSchema, req.body, { reason: '重置理由' });
    return resetReview(s, user, id, reason);
  });

  const reopen = audited({
    action: 'review.sheet_reopen',
    targetType: 'application',
    target: (_req, reply) => (reply as { applicationId?: string }).applicationId,
    detail: (req, reply) => ({
      sheet: (req.params as { id?: string }).id,
      expertId: (reply as { expertId?: string }).expertId,
      reason: bodyField(req, 'reason'),
    }),
  });
  app.post('/review/sheets/:id/reopen', { ...replyWith(sheetDetailSchema), ...reopen }, async (req) => {
    const user = organizer(req);
    const id = idParam(req, '评分表');
    const { reason } = parse(reopenSchema, req.body, { reason: '退回重评理由' });
    return reopenSheet(s, user, id, reason);
  });

  // ---- the organizer (any sheet) and the expert (their own) ----

  app.get('/review/sheets/:id', replyWith(sheetDetailSchema), async (req) => {
    const user = requireUser(req, 'organizer', 'expert');
    return getSheet(s, user, idParam(req, '评分表'));
  });

  // ---- 评审专家 ----

  app.get('/review/mine', replyWith(reviewListReplySchema), async (req) => listMine(s, requireUser(req, 'expert')));

  app.get('/review/applications/:id/sheet', replyWith(sheetReplySchema), async (req) => getMySheet(s, requireUser(req, 'expert'), idParam(req)));

  app.put(
    '/review/applications/:id/sheet',
    { ...replyWith(sheetReplySchema), ...audited({ action: 'review.sheet_save', targetType: 'application' }) },
    async (req) => {
      const user = requireUser(req, 'expert');
      const id = idParam(req);
      parse(sheetBodySchema, req.body, SHEET_LABELS);
      return writeSheet(s, user, id, req.body, 'save');
    },
  );

  app.post(
    '/review/applications/:id/sheet/submit',
    { ...replyWith(sheetReplySchema), ...audited({ action: 'review.sheet_submit', targetType: 'application' }) },
    async (req) => {
      const user = requireUser(req, 'expert');
      const id = idParam(req);
      parse(sheetBodySchema, req.body, SHEET_LABELS);
      return writeSheet(s, user, id, req.body, 'submit');
    },
  );

  app.post('/review/applications/:id/recusal', replyWith(reviewListReplySchema), async (req) => {
    const user = requireUser(req, 'expert');
    const id = idParam(req);
    const { reason } = parse(recusalRequestSchema, req.body, { reason: '回避理由' });
    return declareRecusal(s, user, id, reason);
  });
}
