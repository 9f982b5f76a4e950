import type { FastifyInstance, FastifyRequest } from 'fastify';
import * as client from 'openid-client';
import { startSession } from '../auth/start-session';
import { AppError } from '../errors';
import { findOrCreateOidcUser } from '../usecases/oidc-accounts';

/** 使用合作网站登录: OpenID Connect authorization code flow with PKCE, state and nonce. */
export async function oidcRoutes(app: FastifyInstance) {
  const s = app.services;
  const settings = s.config.oidc;
  let discovered: Promise<client.Configuration> | null = null;

  function configuration(): Promise<client.Configuration> {
    if (!settings) throw new AppError('NOT_FOUND', '未配置合作网站登录');
    discovered ??= client
      .discovery(new URL(settings.issuer), settings.clientId, settings.clientSecret || undefined, undefined, {
        execute: settings.issuer.startsWith('http://') ? [client.allowInsecureRequests] : [],
      })
      .catch((err: unknown) => {
        discovered = null; // try again on the next request
        throw err;
      });
    return discovered;
  }

  const redirectUri = (req: FastifyRequest) => `${s.config.publicUrl ?? `${req.protocol}://${req.host}`}/api/auth/oidc/callback`;

  app.get('/auth/oidc/start', async (req, reply) => {
    let config: client.Configuration;
    try {
      config = await configuration();
    } catch (err) {
      if (err instanceof AppError) throw err;
      req.log.warn({ err }, 'oidc discovery failed');
      return reply.redirect(`/login?error=${encodeURIComponent('合作网站暂时无法访问，请稍后再试或使用用户名密码登录')}`);
    }
    const verifier = client.randomPKCECodeVerifier();
    const flow = { verifier, state: client.randomState(), nonce: client.randomNonce() };
    reply.setCookie(s.config.cookies.oidcFlow, Buffer.from(JSON.stringify(flow)).toString('base64url'), {
      path: '/api/auth/oidc',
      httpOnly: true,
      sameSite: 'lax',
      secure: s.config.secureCookies,
      maxAge: 600,
    });
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri(req),
      scope: 'openid profile email phone',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: flow.state,
      nonce: flow.nonce,
    });
    return reply.redirect(url.href);
  });

  app.get('/auth/oidc/callback', async (req, reply) => {
    const fail = (message: string) => reply.redirect(`/login?error=${encodeURIComponent(message)}`);
    const raw = req.cookies[s.config.cookies.oidcFlow];
    reply.clearCookie(s.config.cookies.oidcFlow, { path: '/api/auth/oidc', httpOnly: true, sameSite: 'lax', secure: s.config.secureCookies });
    if (!raw) return fail('合作网站登录已过期，请重新点击“使用合作网站登录”');
    let flow: { verifier: string; state: string; nonce: string };
    try {
      flow = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    } catch {
      return fail('合作网站登录已过期，请重新点击“使用合作网站登录”');
    }
    try {
      const config = await configuration();
      const current = new URL(`${redirectUri(req)}${req.url.slice(req.url.indexOf('?'))}`);
      const tokens = await client.authorizationCodeGrant(config, current, {
        pkceCodeVerifier: flow.verifier,
        expectedState: flow.state,
        expectedNonce: flow.nonce,
        idTokenExpected: true,
      });
      const idClaims = tokens.claims();
      if (!idClaims) return fail('合作网站未返回身份信息，请使用用户名密码登录');
      // Providers put name, e-mail and phone in the ID token or only behind the userinfo endpoint.
      const profile = config.serverMetadata().userinfo_endpoint ? await client.fetchUserInfo(config, tokens.access_token, idClaims.sub).catch(() => ({})) : {};
      const user = await findOrCreateOidcUser(s, config.serverMetadata().issuer, { ...profile, ...idClaims, sub: idClaims.sub });
      await startSession(s, req, reply, user, 'oidc');
      return reply.redirect('/');
    } catch (err) {
      if (err instanceof AppError) return fail(err.message);
      req.log.warn({ err }, 'oidc callback failed');
      return fail('合作网站登录未成功，请重试或使用用户名密码登录');
    }
  });
}
