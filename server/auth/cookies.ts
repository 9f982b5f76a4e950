// The platform's cookie names (ASVS 5.0 3.3.1/3.3.3). Over HTTPS (COOKIE_SECURE=1, the production default) every
// cookie carries a prefix that the browser enforces: `__Host-` (Secure, Path=/, no Domain: only this exact host can
// set it, so a sibling subdomain or a plain-HTTP page cannot plant a session or CSRF cookie), and `__Secure-` for the
// two cookies limited to a path under /api (the captcha's answer, the 合作网站 log-in's flow), which `__Host-` forbids.
// Over plain HTTP (development, the tests) browsers refuse both prefixes, so the names are plain.
//
// A request is read by the configured names only: with the prefixes on, a plain `sid` or `csrf` that someone
// managed to set is not a session and not a token.

export interface CookieNames {
  /** the session id (httpOnly, SameSite=Lax) */
  session: string;
  /** the CSRF token the web app reads and echoes in x-csrf-token */
  csrf: string;
  /** the CSRF secret (httpOnly) */
  csrfSecret: string;
  /** the captcha's id (httpOnly, Path=/api) */
  captcha: string;
  /** the 合作网站 (OIDC) log-in's state, nonce and verifier (httpOnly, Path=/api/auth/oidc, 10 minutes) */
  oidcFlow: string;
}

export function cookieNames(secure: boolean): CookieNames {
  const host = secure ? '__Host-' : '';
  const sec = secure ? '__Secure-' : '';
  return {
    session: `${host}sid`,
    csrf: `${host}csrf`,
    csrfSecret: `${host}csrf_secret`,
    captcha: `${sec}captcha`,
    oidcFlow: `${sec}oidc_flow`,
  };
}
