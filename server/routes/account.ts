import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { accountContactReplySchema, accountContactSchema } from '../../core';
import { parse, replyWith, requireUser } from '../http';
import { getAccountContact, updateAccountContact } from '../usecases/accounts';

/** 账号信息: any logged-in account's own 手机 and 电子邮箱 (找回, log-in codes and 待办理 texts go there). */
export async function accountRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const s = app.services;

  app.get('/account/contact', replyWith(accountContactReplySchema), async (req) => getAccountContact(s, requireUser(req).id));

  // the password is checked again here: as many tries as a log-in gets (per address), no more
  const limit = { config: { rateLimit: { max: s.config.rateLimits.login, timeWindow: s.config.rateLimits.windowMs } } };
  app.put('/account/contact', { ...replyWith(accountContactReplySchema), ...limit }, async (req) => {
    const user = requireUser(req);
    return updateAccountContact(s, user.id, parse(accountContactSchema, req.body, { currentPassword: '当前密码' }));
  });
}
