import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import csrfProtection from '@fastify/csrf-protection';
import type { Services } from '../context';

// Cookies (names in config.cookies, auth/cookies.ts): `csrf`, the token, readable by the web app, which echoes it in the
// x-csrf-token header of every non-GET request; `csrf_secret`, httpOnly, the per-browser random secret the token is an
// HMAC of — the pre-session value before log-in. Over HTTPS both are `__Host-` prefixed.
export const CSRF_HEADER = 'x-csrf-token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** What a token is bound to besides the secret: the session cookie once logged in. */
const boundTo = (sessionToken: string | null | undefined) => (sessionToken ? `session:${sessionToken}` : 'pre-session');

/**
 * CSRF protection by the signed double-submit pattern (OWASP CSRF cheat sheet), with
 * @fastify/csrf-protection: the token is `salt-HMAC(key, HMAC(key, session id) + salt + secret)`, the key
 * derived from DATA_KEY (the same on every app instance), the secret a random value in the httpOnly
 * `csrf_secret` cookie, the session id our own `sid` cookie as it arrives. So a token is good only with the
 * browser's own secret and session: one from another session, another browser or before log-in is refused
 * (403 CSRF), and another site can neither read the readable `csrf` cookie nor set the header.
 * Before log-in the token is bound to the secret alone (the pre-session value); log-in and 退出 replace the
 * secret and the token (issueCsrfToken), so no earlier token works afterwards.
 */
export async function registerCsrf(app: FastifyInstance, services: Services): Promise<void> {
  const { config, cipher } = services;
  const names = config.cookies;
  await app.register(csrfProtection, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: names.csrfSecret,
    cookieOpts: { path: '/', sameSite: 'strict', httpOnly: true, secure: config.secureCookies },
    // the header only: a form field could be sent cross-site by a plain HTML form
    getToken: (req) => {
      const header = req.headers[CSRF_HEADER];
      return typeof header === 'string' ? header : undefined;
    },
    getUserInfo: (req) => boundTo(req.cookies[names.session]),
    csrfOpts: { hmacKey: cipher.keyedHash('csrf-token-hmac-key/v1'), userInfo: true },
    logLevel: 'info',
  });

  app.addHook('onRequest', (req, reply, done) => {
    if (!req.url.startsWith('/api/')) return done();
    if (SAFE_METHODS.has(req.method)) {
      // GET /api/auth/me (the web app's first request) and any other GET hand out a token when there is none
      if (!req.cookies[names.csrf] || !req.cookies[names.csrfSecret]) issueCsrfToken(req, reply, req.cookies[names.session] ?? null);
      return done();
    }
    // refuses with FST_CSRF_* errors, which the error handler answers 403 CSRF; calls done() when the token is good
    app.csrfProtection(req, reply, done);
  });
}

/**
 * Sets the readable csrf cookie to a token for the session `sessionToken` (null: not logged in).
 * `newSecret` — at log-in and 退出 — replaces the secret too, so that every token handed out before is refused.
 */
export function issueCsrfToken(req: FastifyRequest, reply: FastifyReply, sessionToken: string | null, newSecret = false): void {
  const { config } = req.server.services;
  if (newSecret) delete req.cookies[config.cookies.csrfSecret]; // generateCsrf then makes and sets a new one
  const token = reply.generateCsrf({ userInfo: boundTo(sessionToken) });
  reply.setCookie(config.cookies.csrf, token, { path: '/', sameSite: 'strict', httpOnly: false, secure: config.secureCookies });
}

/** The error handler's test: one of the plugin's refusals (missing secret, wrong token). */
export const isCsrfRefusal = (code: string | undefined) => code === 'FST_CSRF_INVALID_TOKEN' || code === 'FST_CSRF_MISSING_SECRET';
