import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import {
  applicantRegisterSchema,
  loginSchema,
  meReplySchema,
  messageReplySchema,
  okReplySchema,
  passwordChangeSchema,
  pendingReplySchema,
  recoverResetSchema,
  recoverSendSchema,
  unitRegisterSchema,
  userReplySchema,
} from '../../core';
import { checkCaptcha, createCaptcha } from '../auth/captcha';
import { issueCsrfToken } from '../auth/csrf';
import { warmDummyHash } from '../auth/passwords';
import { destroySession } from '../auth/sessions';
import { startSession } from '../auth/start-session';
import { noBody, parse, replyWith, requireUser } from '../http';
import { authenticate, changePassword, createUnitAccount, registerApplicant, resetPassword, sendRecoveryCode } from '../usecases/accounts';

export async function authRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { services } = app;
  const { db, config } = services;
  // an unknown user name's first log-in must not also pay for hashing the dummy password
  await warmDummyHash();
  const limit = (max: number) => ({ config: { rateLimit: { max, timeWindow: config.rateLimits.windowMs } } });

  const captcha = (req: FastifyRequest, answer: string) => checkCaptcha(db, req.cookies[config.cookies.captcha], answer, config.captchaTestAnswer);

  app.get('/auth/me', replyWith(meReplySchema), async (req) => ({
    user: req.user,
    oidc: { enabled: !!config.oidc, name: config.oidc?.name ?? '' },
  }));

  // an SVG image, not JSON: no reply schema (server/reply-schemas.test.ts lists it)
  app.get('/captcha', async (_req, reply) => {
    const { id, svg } = await createCaptcha(db);
    reply.setCookie(config.cookies.captcha, id, { path: '/api', httpOnly: true, sameSite: 'strict', secure: config.secureCookies });
    reply.header('cache-control', 'no-store');
    return reply.type('image/svg+xml').send(svg);
  });

  app.post('/auth/login', { ...replyWith(userReplySchema), ...limit(config.rateLimits.login) }, async (req, reply) => {
    const input = parse(loginSchema, req.body);
    await captcha(req, input.captcha);
    const user = await authenticate(services, input, req.ip);
    // with TOTP set up, the session starts at stage 'mfa': POST /api/auth/mfa completes it (routes/security.ts)
    return { user: await startSession(services, req, reply, user) };
  });

  app.post('/auth/logout', replyWith(okReplySchema), async (req, reply) => {
    noBody(req);
    if (req.sessionToken) await destroySession(db, req.sessionToken);
    reply.clearCookie(config.cookies.session, { path: '/', httpOnly: true, sameSite: 'lax', secure: config.secureCookies });
    // a new CSRF secret and a pre-session token: the logged-in session's token is refused from now on
    issueCsrfToken(req, reply, null, true);
    return { ok: true as const };
  });

  // 修改密码 / 修改初始密码: the one call (with 退出 and me) an account on its initial password may make
  app.post('/auth/password', { ...replyWith(userReplySchema), ...limit(config.rateLimits.login) }, async (req) => {
    const input = parse(passwordChangeSchema, req.body, { oldPassword: '原密码', newPassword: '新密码' });
    const user = requireUser(req);
    return { user: await changePassword(services, user, req.sessionToken!, input) };
  });

  app.post('/auth/register/applicant', { ...replyWith(userReplySchema), ...limit(config.rateLimits.register) }, async (req, reply) => {
    const input = parse(applicantRegisterSchema, req.body);
    await captcha(req, input.captcha);
    const user = await registerApplicant(services, input);
    return { user: await startSession(services, req, reply, user) };
  });

  app.post('/auth/register/unit', { ...replyWith(pendingReplySchema), ...limit(config.rateLimits.register) }, async (req) => {
    const input = parse(unitRegisterSchema, req.body);
    await captcha(req, input.captcha);
    await createUnitAccount(services, input, null);
    return { pending: true as const, message: '注册成功。推荐单位账号需经自治区科协审核，审核通过后方可登录。' };
  });

  app.post('/auth/recover/send', { ...replyWith(messageReplySchema), ...limit(config.rateLimits.recover) }, async (req) => {
    const input = parse(recoverSendSchema, req.body);
    await captcha(req, input.captcha);
    return sendRecoveryCode(services, input);
  });

  app.post('/auth/recover/reset', { ...replyWith(okReplySchema), ...limit(config.rateLimits.recover) }, async (req) => {
    await resetPassword(services, parse(recoverResetSchema, req.body));
    return { ok: true as const };
  });
}
