import type { FastifyInstance, FastifyRequest } from 'fastify';
import { applicantRegisterSchema, loginSchema, recoverResetSchema, recoverSendSchema, unitRegisterSchema } from '../../core';
import { checkCaptcha, createCaptcha } from '../auth/captcha';
import { issueCsrfToken } from '../auth/csrf';
import { warmDummyHash } from '../auth/passwords';
import { destroySession } from '../auth/sessions';
import { SESSION_COOKIE, startSession } from '../auth/start-session';
import { noBody, parse } from '../http';
import { authenticate, createUnitAccount, registerApplicant, resetPassword, sendRecoveryCode } from '../usecases/accounts';

const CAPTCHA_COOKIE = 'captcha';

export async function authRoutes(app: FastifyInstance) {
  const { services } = app;
  const { db, config } = services;
  // an unknown user name's first log-in must not also pay for hashing the dummy password
  await warmDummyHash();
  const limit = (max: number) => ({ rateLimit: { max, timeWindow: config.rateLimits.windowMs } });

  const captcha = (req: FastifyRequest, answer: string) => checkCaptcha(db, req.cookies[CAPTCHA_COOKIE], answer, config.captchaTestAnswer);

  app.get('/auth/me', async (req) => ({
    user: req.user,
    oidc: { enabled: !!config.oidc, name: config.oidc?.name ?? '' },
  }));

  app.get('/captcha', async (_req, reply) => {
    const { id, svg } = await createCaptcha(db);
    reply.setCookie(CAPTCHA_COOKIE, id, { path: '/api', httpOnly: true, sameSite: 'strict', secure: config.secureCookies });
    reply.header('cache-control', 'no-store');
    return reply.type('image/svg+xml').send(svg);
  });

  app.post('/auth/login', { config: limit(config.rateLimits.login) }, async (req, reply) => {
    const input = parse(loginSchema, req.body);
    await captcha(req, input.captcha);
    const user = await authenticate(services, input, req.ip);
    await startSession(services, req, reply, user);
    return { user };
  });

  app.post('/auth/logout', async (req, reply) => {
    noBody(req);
    if (req.sessionToken) await destroySession(db, req.sessionToken);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    // a new CSRF secret and a pre-session token: the logged-in session's token is refused from now on
    issueCsrfToken(req, reply, null, true);
    return { ok: true };
  });

  app.post('/auth/register/applicant', { config: limit(config.rateLimits.register) }, async (req, reply) => {
    const input = parse(applicantRegisterSchema, req.body);
    await captcha(req, input.captcha);
    const user = await registerApplicant(services, input);
    await startSession(services, req, reply, user);
    return { user };
  });

  app.post('/auth/register/unit', { config: limit(config.rateLimits.register) }, async (req) => {
    const input = parse(unitRegisterSchema, req.body);
    await captcha(req, input.captcha);
    await createUnitAccount(services, input, null);
    return { pending: true, message: '注册成功。推荐单位账号需经自治区科协审核，审核通过后方可登录。' };
  });

  app.post('/auth/recover/send', { config: limit(config.rateLimits.recover) }, async (req) => {
    const input = parse(recoverSendSchema, req.body);
    await captcha(req, input.captcha);
    return sendRecoveryCode(services, input);
  });

  app.post('/auth/recover/reset', { config: limit(config.rateLimits.recover) }, async (req) => {
    await resetPassword(services, parse(recoverResetSchema, req.body));
    return { ok: true };
  });
}
