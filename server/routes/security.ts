// Issue 16: 账号安全 — TOTP two-factor enrolment and log-in, recovery codes, sessions (list, revoke) (docs/api/security.md).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  endedReplySchema,
  okReplySchema,
  recoveryCodesReplySchema,
  securityOverviewSchema,
  sessionLookupSchema,
  text,
  totpCodeSchema,
  totpConfirmSchema,
  totpEnabledReplySchema,
  totpSetupReplySchema,
  userReplySchema,
  userSessionsReplySchema,
} from '../../core';
import { AppError } from '../errors';
import { noBody, parse, replyWith, requireUser } from '../http';
import {
  beginTotpSetup,
  completeSecondFactor,
  confirmTotpSetup,
  disableTotp,
  regenerateRecoveryCodes,
  revokeOtherSessions,
  revokeOwnSession,
  resetUserTotp,
  revokeUserSessions,
  securityOverview,
  sessionsOfUsername,
} from '../usecases/security';

/** What a session that owes its second factor ('mfa') or its enrolment ('enroll') may call; everything else is refused. */
const STAGE_ALLOWED: Record<'mfa' | 'enroll', Set<string>> = {
  mfa: new Set(['GET /api/auth/me', 'POST /api/auth/logout', 'POST /api/auth/mfa']),
  enroll: new Set(['GET /api/auth/me', 'POST /api/auth/logout', 'POST /api/account/totp/setup', 'POST /api/account/totp/enable']),
};

/** The check (run by a preHandler in server/app.ts) that keeps a half-signed-in session to its few calls (docs/api/security.md); throws the refusal. */
export function stageGate(req: FastifyRequest): void {
  const stage = req.user?.stage;
  if (!stage || stage === 'full') return;
  const path = req.url.split('?')[0];
  if (STAGE_ALLOWED[stage].has(`${req.method} ${path}`)) return;
  if (stage === 'mfa') throw new AppError('MFA_REQUIRED', '请先输入身份验证器中的6位动态验证码（或一个恢复码）完成登录');
  throw new AppError('MFA_ENROLL_REQUIRED', '您的账号必须开启两步验证：请先用手机上的身份验证器扫描二维码完成设置，设置后方可使用评选平台');
}

const refParam = z.object({
  id: text('会话')
    .trim()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, '会话编号格式不正确，请刷新页面后重试'),
});
const userParam = z.object({
  id: text('账号')
    .trim()
    .regex(/^[0-9a-f-]{36}$/, '账号编号格式不正确，请刷新页面后重试'),
});

export async function securityRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const s = app.services;
  const limit = { config: { rateLimit: { max: s.config.rateLimits.login, timeWindow: s.config.rateLimits.windowMs } } };

  // the second step of log-in: the authenticator's code or a recovery code
  app.post('/auth/mfa', { ...replyWith(userReplySchema), ...limit }, async (req) => {
    const { code } = parse(totpCodeSchema, req.body, { code: '验证码' });
    return { user: await completeSecondFactor(s, requireUser(req), req.sessionToken!, code, req.ip) };
  });

  app.get('/account/security', replyWith(securityOverviewSchema), async (req) => securityOverview(s, requireUser(req), req.sessionToken!));

  app.post('/account/totp/setup', replyWith(totpSetupReplySchema), async (req, reply) => {
    noBody(req);
    reply.header('cache-control', 'no-store');
    return beginTotpSetup(s, requireUser(req));
  });

  app.post('/account/totp/enable', { ...replyWith(totpEnabledReplySchema), ...limit }, async (req, reply) => {
    const { code } = parse(totpConfirmSchema, req.body, { code: '验证码' });
    reply.header('cache-control', 'no-store');
    return confirmTotpSetup(s, requireUser(req), req.sessionToken!, code, req.ip);
  });

  app.post('/account/totp/recovery-codes', { ...replyWith(recoveryCodesReplySchema), ...limit }, async (req, reply) => {
    const { code } = parse(totpCodeSchema, req.body, { code: '验证码' });
    reply.header('cache-control', 'no-store');
    return regenerateRecoveryCodes(s, requireUser(req), req.sessionToken!, code, req.ip);
  });

  app.post('/account/totp/disable', { ...replyWith(okReplySchema), ...limit }, async (req) => {
    const { code } = parse(totpCodeSchema, req.body, { code: '验证码' });
    await disableTotp(s, requireUser(req), req.sessionToken!, code, req.ip);
    return { ok: true as const };
  });

  app.delete('/account/sessions/:id', replyWith(okReplySchema), async (req) => {
    noBody(req);
    const user = requireUser(req);
    const { id } = parse(refParam, req.params);
    await revokeOwnSession(s, user, req.sessionToken!, id, req.ip);
    return { ok: true as const };
  });

  app.post('/account/sessions/revoke-others', replyWith(endedReplySchema), async (req) => {
    noBody(req);
    return revokeOtherSessions(s, requireUser(req), req.sessionToken!, req.ip);
  });

  app.get('/admin/sessions', replyWith(userSessionsReplySchema), async (req) => {
    requireUser(req, 'organizer');
    const { username } = parse(sessionLookupSchema, req.query, { username: '用户名' });
    return sessionsOfUsername(s, username);
  });

  app.delete('/admin/users/:id/sessions', replyWith(endedReplySchema), async (req) => {
    noBody(req);
    const organizer = requireUser(req, 'organizer');
    const { id } = parse(userParam, req.params);
    return revokeUserSessions(s, organizer, req.sessionToken!, id, req.ip);
  });

  // 重置两步验证: the owner lost the phone and the recovery codes (identity checked by 自治区科协 off-line)
  app.delete('/admin/users/:id/totp', replyWith(endedReplySchema), async (req) => {
    noBody(req);
    const organizer = requireUser(req, 'organizer');
    const { id } = parse(userParam, req.params);
    return resetUserTotp(s, organizer, id, req.ip);
  });
}
