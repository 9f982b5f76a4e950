import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../context';
import { audit } from '../audit';
import { issueCsrfToken } from './csrf';
import { createSession, destroySession, type SessionUser } from './sessions';

export const SESSION_COOKIE = 'sid';

/**
 * Logs a user in: a new session id at every log-in, so a session fixed before log-in is worthless, and a new
 * CSRF secret and token bound to it (auth/csrf.ts).
 */
export async function startSession(s: Services, req: FastifyRequest, reply: FastifyReply, user: SessionUser, via = 'password'): Promise<void> {
  const previous = req.cookies[SESSION_COOKIE];
  if (previous) await destroySession(s.db, previous);
  const token = await createSession(s.db, user.id, { ip: req.ip, userAgent: req.headers['user-agent'] });
  reply.setCookie(SESSION_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'lax', secure: s.config.secureCookies });
  // a new CSRF secret and a token bound to the new session: the token of before the log-in is refused
  issueCsrfToken(req, reply, token, true);
  await audit(s.db, user.id, 'account.login', 'user', user.id, { ip: req.ip, via });
}
