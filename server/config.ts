import path from 'node:path';

/** Everything the server reads from the environment, read in this one place. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | null;
  dataKey: string | null;
  adminPassword: string | null;
  captchaTestAnswer: string | null;
  production: boolean;
  secureCookies: boolean;
  sessionIdleMinutes: number;
  lockoutThreshold: number;
  lockoutMinutes: number;
  rateLimits: { login: number; register: number; recover: number; windowMs: number };
  oidc: { issuer: string; clientId: string; clientSecret: string; name: string } | null;
  /** the address users reach the platform at, e.g. https://zmkj.xjkx.org.cn; derived from the request when unset */
  publicUrl: string | null;
  webDist: string;
  logLevel: string;
}

function int(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new Error(`环境变量应为整数，实际为 "${value}"`);
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const production = env.NODE_ENV === 'production';
  const captchaTestAnswer = env.CAPTCHA_TEST_ANSWER || null;
  if (production && captchaTestAnswer) {
    throw new Error('NODE_ENV=production 时不允许设置 CAPTCHA_TEST_ANSWER（它只用于自动化测试），请删除该变量后再启动');
  }
  const oidc =
    env.OIDC_ISSUER && env.OIDC_CLIENT_ID
      ? {
          issuer: env.OIDC_ISSUER,
          clientId: env.OIDC_CLIENT_ID,
          clientSecret: env.OIDC_CLIENT_SECRET ?? '',
          name: env.OIDC_NAME ?? '合作网站',
        }
      : null;
  return {
    port: int(env.PORT, 3000),
    host: env.HOST ?? '0.0.0.0',
    dataDir: path.resolve(env.DATA_DIR ?? './data'),
    databaseUrl: env.DATABASE_URL || null,
    dataKey: env.DATA_KEY || null,
    adminPassword: env.ADMIN_PASSWORD || null,
    captchaTestAnswer,
    production,
    secureCookies: env.COOKIE_SECURE ? env.COOKIE_SECURE === '1' : production,
    sessionIdleMinutes: int(env.SESSION_IDLE_MINUTES, 30),
    lockoutThreshold: 5,
    lockoutMinutes: 15,
    rateLimits: {
      login: int(env.RATE_LIMIT_LOGIN, 30),
      register: int(env.RATE_LIMIT_REGISTER, 10),
      recover: int(env.RATE_LIMIT_RECOVER, 10),
      windowMs: 60_000,
    },
    oidc,
    publicUrl: env.PUBLIC_URL ? env.PUBLIC_URL.replace(/\/$/, '') : null,
    webDist: path.resolve(env.WEB_DIST ?? path.join(import.meta.dirname, '..', 'web', 'dist')),
    logLevel: env.LOG_LEVEL ?? (production ? 'info' : 'warn'),
  };
}
