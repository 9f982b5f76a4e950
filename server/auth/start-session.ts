import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../context';
import { audit } from '../audit';
import { issueCsrfToken } from './csrf';
import { eq } from 'drizzle-orm';
import { users } from '../db/schema';
import { createSession, destroySession, type SessionStage, type SessionUser } from './sessions';

/**
 * What a new session still owes (docs/api/security.md): the authenticator's code when TOTP is set up ('mfa'),
 * enrolment when the role requires TOTP and there is none ('enroll'), else nothing ('full').
 */
export async function stageAtLogin(s: Services, user: SessionUser): Promise<SessionStage> {
  const [row] = await s.db.select({ totpEnabledAt: users.totpEnabledAt }).from(users).where(eq(users.id, user.id));
  if (row?.totpEnabledAt) return 'mfa';
  return s.config.mfaRequiredRoles.includes(user.role) ? 'enroll' : 'full';
}

/**
 * Logs a user in: a new session id at every log-in, so a session fixed before log-in is worthless, and a new
 * CSRF secret and token bound to it (auth/csrf.ts). Every way in (password, registration, 合作网站) passes the
 * second factor the same way: the session starts at the stage stageAtLogin says. Returns the user with that stage.
 */
export async function startSession(s: Services, req: FastifyRequest, reply: FastifyReply, user: SessionUser, via = 'password'): Promise<SessionUser> {
  const previous = req.cookies[s.config.cookies.session];
  if (previous) await destroySession(s.db, previous);
  const stage = await stageAtLogin(s, user);
  const token = await createSession(s.db, user.id, { ip: req.ip, userAgent: req.headers['user-agent'] }, stage);
  reply.setCookie(s.config.cookies.session, token, { path: '/', httpOnly: true, sameSite: 'lax', secure: s.config.secureCookies });
  // a new CSRF secret and a token bound to the new session: the token of before the log-in is refused
  issueCsrfToken(req, reply, token, true);
  await audit(s.db, user.id, stage === 'mfa' ? 'account.login_password' : 'account.login', 'user', user.id, { ip: req.ip, via, stage });
  return { ...user, stage };
}
