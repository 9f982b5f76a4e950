import fs from 'node:fs';
import path from 'node:path';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type RouteOptions } from 'fastify';
import cookie from '@fastify/cookie';
import helmet, { type HelmetOptions } from 'helmet';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import { postgresRateLimitStore } from './rate-limit-store';
import fastifyStatic from '@fastify/static';
import compress from '@fastify/compress';
import { ResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError } from './errors';
import { loadSession } from './auth/sessions';
import { isCsrfRefusal, registerCsrf } from './auth/csrf';
import { oidcRoutes } from './routes/oidc';
import type { Services } from './context';
import { authRoutes } from './routes/auth';
import { accountRoutes } from './routes/account';
import { referenceRoutes } from './routes/reference';
import { applicationRoutes } from './routes/applications';
import { workflowRoutes } from './routes/workflow';
import { reviewRoutes } from './routes/review';
import { reviewRankingRoutes } from './routes/review-ranking';
import { publicityRoutes } from './routes/publicity';
import { meetingRoutes } from './routes/meeting';
import { selectionRoutes } from './routes/selection';
import { jobRoutes } from './routes/jobs';
import { exportRoutes } from './routes/exports';
import { publicationRoutes } from './routes/publication';
import { publicPageRoutes } from './routes/public-pages';
import { certificateRoutes } from './routes/certificates';
import { statsRoutes } from './routes/stats';
import { securityRoutes, stageGate } from './routes/security';
import { auditRoutes } from './routes/audit';
import { messageRoutes } from './routes/messages';
import { adminRoutes } from './routes/admin';
import { expertRoutes } from './routes/experts';
import { createTusServer, uploadRoutes } from './routes/uploads';
import { onSettingsProblem } from './usecases/campaigns';
import { startMaintenance } from './maintenance';
import { startJobRunner } from './jobs/runner';
import { registerAuditHooks, startAuditChainer } from './audit';
import { loggerOptions } from './logging';
import { registerOpenApi } from './openapi';
import { replySerializerCompiler } from './reply-encoder';
import type { DestinationStream } from 'pino';

export { CSRF_HEADER } from './auth/csrf';
export { OPENAPI_PATH } from './openapi';

/** API replies this large or larger are compressed (see the compress registration in buildApp). */
export const COMPRESS_THRESHOLD = 12 * 1024;

/** What an account that must change its initial password may still call (GET /api/auth/me: who it is). */
const PASSWORD_CHANGE_ALLOWED = new Set(['GET /api/auth/me', 'POST /api/auth/logout', 'POST /api/auth/password']);

export interface BuildOptions {
  /** where the log goes (tests read it back); standard output when absent */
  logStream?: DestinationStream;
  /** told of every route as it is registered (tests list the routes and their reply schemas) */
  onRoute?: (route: RouteOptions) => void;
  /** false: this app runs no background jobs (a test that runs them itself with runJobsUntilIdle) */
  jobRunner?: boolean;
  /**
   * every reply also encoded by zod and compared with the compiled encoder's (server/reply-encoder.ts); a difference
   * is a 500. On by default under vitest, so that the whole API suite checks the encoder on real replies.
   */
  checkReplies?: boolean;
}

export async function buildApp(services: Services, options: BuildOptions = {}): Promise<FastifyInstance> {
  const { config } = services;
  const app = Fastify({
    logger: loggerOptions(config.logLevel, options.logStream),
    // each request's logger is a child carrying its reqId: pino builds one (bindings redacted and serialised) per
    // request, for nothing when the level is silent (LOG_LEVEL=silent writes no line at all)
    childLoggerFactory: (logger, bindings, opts) => (logger.level === 'silent' ? logger : logger.child(bindings, opts)),
    trustProxy: config.trustProxy, // X-Forwarded-For only from the configured proxies (TRUST_PROXY)
    bodyLimit: 1024 * 1024,
    // Refusals Fastify makes before routing (a malformed URL, a path parameter past its length) in our form
    frameworkErrors: (err, _req, reply) => {
      const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 400;
      const body = { error: { code: status === 404 ? 'NOT_FOUND' : 'VALIDATION', message: '请求的地址格式不正确或过长，请检查链接后重试' } };
      return (reply as unknown as FastifyReply).status(status).send(body);
    },
  });
  app.decorate('services', services);
  // Bodies are JSON (or multipart for a scan, or tus bytes on their own routes): a text/plain body is
  // refused with 415 instead of arriving as a string that a handler might read as "no fields".
  app.removeContentTypeParser('text/plain');
  app.decorateRequest('user', null);
  app.decorateRequest('sessionToken', null);
  if (options.onRoute) app.addHook('onRoute', options.onRoute);
  // Replies go out through their route's response schema (core/replies.ts, registered by every JSON route): the
  // value is encoded keeping only the schema's fields, then JSON.stringify — by an encoder compiled from the schema,
  // with zod's own encode wherever that encoder is not sure (server/reply-encoder.ts). A reply that does not match
  // its schema is a fault of ours: 500 INTERNAL (the error handler below). Requests are not validated by schema: the
  // routes parse bodies themselves (http.ts parse), with the strictness and the Chinese messages of docs/API.md.
  app.setSerializerCompiler(replySerializerCompiler({ check: options.checkReplies ?? Boolean(process.env.VITEST) }));

  await app.register(cookie);
  // Security headers on every response — the web app, the API, the public pages, files and errors (docs/SECURITY.md,
  // server/headers.test.ts). Scripts only from our origin, never inline (script-src 'self', script-src-attr 'none');
  // styles may be inline: Ant Design's CSS-in-JS writes <style> elements at run time and the public pages carry theirs
  // (a nonce would need every index.html reply templated and antd's StyleProvider fed with it; CSS cannot run script).
  // No one may frame the platform (frame-ancestors 'none', X-Frame-Options DENY); no plugins; forms post only here.
  const securityHeaders = helmetHeaders({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'none'"],
        connectSrc: ["'self'"],
        fontSrc: ["'self'", 'data:'],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        frameSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        manifestSrc: ["'self'"],
        mediaSrc: ["'self'", 'blob:'],
        objectSrc: ["'none'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        workerSrc: ["'self'"],
        upgradeInsecureRequests: config.secureCookies ? [] : null,
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    // over HTTPS only (production, COOKIE_SECURE=1): a year, subdomains included
    hsts: config.secureCookies ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  });
  // the same headers for every response, worked out once (helmet's middleware rebuilt its parts on each request); set
  // on the raw response as helmet did, so that a hijacked reply (the 计票's event stream) carries them too
  const securityHeaderList = Object.entries(securityHeaders);
  app.addHook('onRequest', (_req, reply, done) => {
    for (const [name, value] of securityHeaderList) reply.raw.setHeader(name, value);
    done();
  });
  // API replies are personal (申请书, 身份证号码, scores): no browser or proxy keeps them (ASVS 5.0 V14.3.2). A route that
  // sets its own Cache-Control (a download's ETag, the captcha) keeps it.
  app.addHook('onSend', (req, reply, payload, done) => {
    if (req.url.startsWith('/api/') && !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    done(null, payload);
  });
  await app.register(rateLimit, {
    global: false,
    // counted in the database, so that several app instances share the limits
    store: postgresRateLimitStore(services.db),
    errorResponseBuilder: (_req, ctx) => new AppError('RATE_LIMITED', `操作过于频繁，请在 ${Math.ceil(ctx.ttl / 1000)} 秒后再试`),
  });
  await app.register(multipart, { limits: { files: 1, fields: 5, fileSize: 1024 * 1024 * 1024 } });
  // API replies of COMPRESS_THRESHOLD (12 KB) or more (JSON; an SVG, though the captcha's are 6–12 KB and so go as
  // they are) are compressed, gzip where the browser takes it, else br: gzip costs the event loop half what brotli at quality 4 does for a reply of a few KB. A smaller
  // reply is sent as it is: it fits TCP's initial congestion window (10 segments, ~14 KB with the headers), so it
  // reaches the browser in the same round trip compressed or not, and compressing it only costs CPU at both ends — a
  // ballot's 80 votes (7.5 KB) took ~0.3 ms of the event loop per 【提交选票】 in zlib's set-up and output, 7 points of
  // bench:review's meeting share with thirty experts submitting at once (bench/README "Session 26"). Nothing else: the
  // web app's files have precompressed brotli and gzip copies (below), and file transfers are never touched — tus
  // uploads and attachment downloads opt out by path (a video's Range replies must stay identity bytes with their
  // Content-Range). Request bodies are never decompressed.
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/') || route.url.startsWith('/api/uploads') || route.url.startsWith('/api/attachments')) route.compress = false;
  });
  await app.register(compress, {
    globalCompression: true,
    globalDecompression: false,
    threshold: COMPRESS_THRESHOLD,
    encodings: ['gzip', 'br'],
    customTypes: /^application\/json(;|$)/,
  });

  // GET /api/docs/json, generated from the reply schemas of the routes registered below (server/openapi.ts)
  await registerOpenApi(app);

  app.setErrorHandler((err, req, reply) => {
    if (err instanceof AppError) {
      if (err.code === 'RATE_LIMITED') reply.header('retry-after', '60');
      // a failure of ours told in the user's words (e.g. the virus scanner unreachable): the cause goes to the log
      if (err.status >= 500) req.log.error({ err, cause: err.cause }, err.message);
      return reply.status(err.status).send({ error: { code: err.code, message: err.message, fields: err.fields } });
    }
    const e = err as { statusCode?: number; code?: string; message: string };
    if (isCsrfRefusal(e.code)) {
      return reply.status(403).send({ error: { code: 'CSRF', message: '页面已过期或请求来源不可信，请刷新页面后重试' } });
    }
    if (e.code === 'FST_REQ_FILE_TOO_LARGE') {
      return reply.status(413).send({ error: { code: 'TOO_LARGE', message: '文件过大，超过了允许的大小' } });
    }
    if (e.statusCode === 415 || e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply
        .status(415)
        .send({ error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: '请求内容的格式不受支持：请以 JSON 格式提交（Content-Type: application/json）' } });
    }
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
      const message = e.statusCode === 413 ? '提交的内容过大' : '请求格式不正确，请刷新页面后重试';
      return reply.status(e.statusCode).send({ error: { code: 'VALIDATION', message } });
    }
    if (err instanceof ResponseSerializationError) {
      // the serializer refused a reply (a presenter and core/replies.ts disagree): logged with the failing paths
      req.log.error({ err }, 'reply does not match its schema');
    } else {
      req.log.error({ err }, 'unhandled error');
    }
    return reply.status(500).send({ error: { code: 'INTERNAL', message: '系统繁忙，请稍后再试；如问题持续，请联系技术服务电话 0991-3193615' } });
  });

  // CSRF: signed double-submit token bound to the session (server/auth/csrf.ts, docs/SECURITY.md)
  await registerCsrf(app, services);

  app.addHook('preHandler', async (req) => {
    const token = req.cookies[config.cookies.session];
    if (!token || !req.url.startsWith('/api/')) return;
    req.user = await loadSession(services.db, token, config.sessionIdleMinutes);
    req.sessionToken = req.user ? token : null;
  });

  // the audit log: route-level declarations (route config `audit`) and the request's ip for the rows audit() writes
  registerAuditHooks(app, services);

  // A session that owes its second factor or its TOTP enrolment may only do that (routes/security.ts, docs/api/security.md);
  // an account on its initial password (评审专家: sent by SMS) may only change it, log out and ask who it is. Both are
  // checks of the session already loaded: one hook, in callback style (every request passes through it).
  const requirePasswordChanged = (req: FastifyRequest) => {
    if (!req.user?.mustChangePassword) return;
    const path = req.url.split('?')[0];
    if (PASSWORD_CHANGE_ALLOWED.has(`${req.method} ${path}`)) return;
    // 评审专家 get theirs by SMS; units and organizers made by someone else were told theirs by 自治区科协
    const initial = req.user.role === 'expert' ? '短信发送的初始密码' : '自治区科协设置的初始密码';
    throw new AppError('PASSWORD_CHANGE_REQUIRED', `您正在使用${initial}，请先修改初始密码，修改后方可使用评选平台的其他功能`);
  };
  app.addHook('preHandler', (req, _reply, done) => {
    try {
      stageGate(req);
      requirePasswordChanged(req);
    } catch (err) {
      return done(err as Error);
    }
    done();
  });

  await app.register(authRoutes, { prefix: '/api' });
  await app.register(accountRoutes, { prefix: '/api' });
  await app.register(oidcRoutes, { prefix: '/api' });
  await app.register(referenceRoutes, { prefix: '/api' });
  await app.register(applicationRoutes, { prefix: '/api' });
  await app.register(workflowRoutes, { prefix: '/api' });
  await app.register(reviewRoutes, { prefix: '/api' });
  await app.register(reviewRankingRoutes, { prefix: '/api' });
  await app.register(publicityRoutes, { prefix: '/api' });
  await app.register(meetingRoutes, { prefix: '/api' });
  await app.register(selectionRoutes, { prefix: '/api' });
  await app.register(jobRoutes, { prefix: '/api' });
  await app.register(exportRoutes, { prefix: '/api' });
  await app.register(publicationRoutes, { prefix: '/api' });
  await app.register(certificateRoutes);
  await app.register(statsRoutes, { prefix: '/api' });
  await app.register(securityRoutes, { prefix: '/api' });
  await app.register(auditRoutes, { prefix: '/api/admin' });
  await app.register(messageRoutes, { prefix: '/api/admin' });
  // public pages rendered on the server (no /api prefix: /results…, and /verify/… in certificateRoutes)
  await app.register(publicPageRoutes);
  await app.register(adminRoutes, { prefix: '/api/admin' });
  await app.register(expertRoutes, { prefix: '/api/admin' });
  const uploadsDir = path.join(config.dataDir, 'uploads');
  fs.mkdirSync(uploadsDir, { recursive: true });
  const tus = createTusServer(services, uploadsDir);
  await app.register(uploadRoutes, { tus });
  app.addHook('onClose', async () => tus.close());
  // a stored campaign setting read as its default (core readCampaignSettings) is reported in the platform's log
  const restoreSettingsReport = onSettingsProblem((message) => app.log.warn({ event: 'campaign.settings' }, message));
  app.addHook('onClose', async () => restoreSettingsReport());
  startMaintenance(app, services, tus.sweep);
  // background jobs (server/jobs/runner.ts): this process claims and runs queued jobs until it closes
  if (options.jobRunner !== false) {
    let runner: ReturnType<typeof startJobRunner> | null = null;
    app.addHook('onReady', async () => {
      runner = startJobRunner(services, app.log);
    });
    app.addHook('onClose', async () => runner?.stop());
    // the audit log's hash chain (server/audit.ts): this process links new rows every few seconds
    let chainer: ReturnType<typeof startAuditChainer> | null = null;
    app.addHook('onReady', async () => {
      chainer = startAuditChainer(services.db, app.log);
    });
    app.addHook('onClose', async () => chainer?.stop());
  }

  const indexHtml = path.join(config.webDist, 'index.html');
  if (fs.existsSync(indexHtml)) {
    // Vite's content-hashed files never change under their name: cached for a year without asking again.
    // index.html (and the SPA fallback below) is asked for every time, so a new build is seen at once.
    // Text files have .br/.gz copies made at build time (web/vite.config.ts), sent by Accept-Encoding.
    await app.register(fastifyStatic, {
      root: config.webDist,
      wildcard: false,
      index: false,
      preCompressed: true,
      cacheControl: false,
      setHeaders(res, filePath) {
        res.setHeader('vary', 'accept-encoding');
        const hashed = path.relative(config.webDist, filePath).startsWith(`assets${path.sep}`);
        res.setHeader('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
  }
  app.setNotFoundHandler((req, reply) => {
    if (req.url.startsWith('/api/') || req.method !== 'GET') {
      return reply.status(404).send({ error: { code: 'NOT_FOUND', message: '请求的接口不存在' } });
    }
    if (!fs.existsSync(indexHtml)) {
      return reply.status(503).type('text/plain; charset=utf-8').send('前端页面尚未构建，请运行 npm run build:web');
    }
    // Single-page app: every other path is a page of the web app.
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(fs.createReadStream(indexHtml));
  });

  return app;
}

/**
 * The headers helmet sets with `options`, as one object: none of them depends on the request (no CSP nonces), so they
 * are taken once from helmet's own middleware on a stand-in response and then set on every reply.
 */
export function helmetHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader: (name: string, value: string | number | readonly string[]) => void (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
  };
  let failed: unknown = null;
  helmet(options)({} as never, res as never, (err?: unknown) => void (failed = err ?? null));
  if (failed) throw failed instanceof Error ? failed : new Error(String(failed));
  return headers;
}
