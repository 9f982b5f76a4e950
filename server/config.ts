import net from 'node:net';
import path from 'node:path';
import { cookieNames, type CookieNames } from './auth/cookies';
import { parseClamdAddress, type ClamdAddress } from './media/antivirus';
import { loadMessaging, type MessagingConfig } from './notify/config';
import { ROLES, type Role } from '../core/codes';

/** An S3-compatible object store (AWS S3, MinIO, 阿里云 OSS, 华为云 OBS …) for uploaded files. */
export interface S3Config {
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  forcePathStyle: boolean;
}

/** Everything the server reads from the environment, read in this one place. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | null;
  /** the most connections the PostgreSQL pool opens (PG_POOL_MAX); unused on PGlite */
  pgPoolMax: number;
  dataKey: string | null;
  adminPassword: string | null;
  captchaTestAnswer: string | null;
  production: boolean;
  secureCookies: boolean;
  /** the cookies' names: `__Host-`/`__Secure-` prefixed when secureCookies (auth/cookies.ts) */
  cookies: CookieNames;
  sessionIdleMinutes: number;
  /**
   * Whose X-Forwarded-For to believe (Fastify's trustProxy): false (the default: nobody, the client is the
   * socket's peer) or the addresses/CIDRs of the reverse proxies (TRUST_PROXY).
   */
  trustProxy: false | string[];
  /** failed log-ins for one user name from one address before that pair is locked */
  lockoutThreshold: number;
  lockoutMinutes: number;
  /**
   * failed log-ins for one user name from all addresses within lockoutMinutes after which the right
   * password is not enough: a code sent to the registered mobile (or e-mail) is asked as well
   */
  stepUpThreshold: number;
  rateLimits: { login: number; register: number; recover: number; windowMs: number };
  /** the roles that must use TOTP two-factor log-in (MFA_REQUIRED_ROLES, default organizer,expert; empty: none) */
  mfaRequiredRoles: Role[];
  oidc: { issuer: string; clientId: string; clientSecret: string; name: string } | null;
  /** ClamAV's daemon (CLAMD: a socket path or host:port) that scans every upload before it is stored; null: no scan (media/antivirus.ts) */
  antivirus: ClamdAddress | null;
  /** uploaded files go to this object store when set, else to DATA_DIR/files */
  s3: S3Config | null;
  /** the address users reach the platform at, e.g. https://zmkj.xjkx.org.cn; derived from the request when unset */
  publicUrl: string | null;
  webDist: string;
  logLevel: string;
  /** real senders (SMS_PROVIDER …, SMTP_HOST …: server/notify/config.ts); none: messages are only recorded in the outbox */
  messaging: MessagingConfig;
}

function int(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new Error(`环境变量应为整数，实际为 "${value}"`);
  return n;
}

function positiveInt(name: string, value: string | undefined, fallback: number, meaning: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new Error(`环境变量 ${name}（${meaning}）应为正整数，实际为 "${value}"`);
  return n;
}

function bool(name: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  if (['1', 'true', 'yes'].includes(value.toLowerCase())) return true;
  if (['0', 'false', 'no'].includes(value.toLowerCase())) return false;
  throw new Error(`环境变量 ${name} 应为 true 或 false，实际为 "${value}"`);
}

/** proxy-addr's names for address ranges, accepted in TRUST_PROXY as well as addresses and CIDRs */
const PROXY_RANGES = ['loopback', 'linklocal', 'uniquelocal'];

function isAddressOrCidr(item: string): boolean {
  if (PROXY_RANGES.includes(item)) return true;
  const [address, prefix, ...rest] = item.split('/');
  const family = net.isIP(address ?? '');
  if (!family || rest.length) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * TRUST_PROXY: unset or empty — X-Forwarded-For is ignored (the client is the socket's peer); otherwise a
 * comma-separated list of the reverse proxies' addresses or CIDRs. Anything else stops the start: trusting
 * every sender of X-Forwarded-For hands each request a fresh rate-limit budget. A hop count is refused too:
 * it cannot tell a proxy from a client that reaches the server directly (Fastify 5 ignores one as well).
 */
function loadTrustProxy(value: string | undefined): Config['trustProxy'] {
  const text = (value ?? '').trim();
  if (text === '' || text === '0' || text.toLowerCase() === 'false') return false;
  const usage = '应填写反向代理服务器的地址或网段，多个用逗号分隔，如 127.0.0.1 或 10.0.0.0/8,::1；不经反向代理时请不要设置';
  if (/^\d+$/.test(text)) {
    throw new Error(
      `环境变量 TRUST_PROXY 不接受代理层数 "${text}"：只按层数信任无法确认请求确实来自代理，直接访问服务器的客户端可以伪造地址。TRUST_PROXY ${usage}`,
    );
  }
  if (['true', 'yes', '*', 'all'].includes(text.toLowerCase())) {
    throw new Error(`环境变量 TRUST_PROXY 不能为 "${text}"：信任任何来源的 X-Forwarded-For 会让任何人伪造自己的地址、绕过频率限制。TRUST_PROXY ${usage}`);
  }
  const items = text.split(',').map((item) => item.trim());
  const bad = items.find((item) => !isAddressOrCidr(item));
  if (bad !== undefined) {
    throw new Error(`环境变量 TRUST_PROXY 格式不正确："${bad === '' ? '（空项）' : bad}" 不是有效的地址或网段。TRUST_PROXY ${usage}，实际为 "${text}"`);
  }
  return items;
}

/** MFA_REQUIRED_ROLES: a comma-separated list of roles (applicant, unit, organizer, expert); unset: organizer,expert. */
function loadMfaRoles(value: string | undefined): Role[] {
  if (value === undefined) return ['organizer', 'expert'];
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  const bad = items.find((item) => !(ROLES as readonly string[]).includes(item));
  if (bad !== undefined) {
    throw new Error(`环境变量 MFA_REQUIRED_ROLES 中的 "${bad}" 不是角色名：应为 ${ROLES.join('、')} 中的若干个，用逗号分隔，如 organizer,expert`);
  }
  return items as Role[];
}

/** All four connection variables or none: a half-configured store must not silently fall back to local files. */
function loadS3(env: NodeJS.ProcessEnv): S3Config | null {
  const endpoint = env.S3_ENDPOINT || '';
  const bucket = env.S3_BUCKET || '';
  const accessKeyId = env.S3_ACCESS_KEY_ID || '';
  const secretAccessKey = env.S3_SECRET_ACCESS_KEY || '';
  const required = Object.entries({ S3_ENDPOINT: endpoint, S3_BUCKET: bucket, S3_ACCESS_KEY_ID: accessKeyId, S3_SECRET_ACCESS_KEY: secretAccessKey });
  const missing = required.filter(([, value]) => !value).map(([name]) => name);
  if (missing.length === required.length) return null;
  if (missing.length > 0) {
    const present = required.filter(([, value]) => value).map(([name]) => name);
    throw new Error(`对象存储配置不完整：已设置 ${present.join('、')}，但缺少 ${missing.join('、')}。请补全这些环境变量，或全部删除以改用本地存储`);
  }
  if (!/^https?:\/\/[^/]/.test(endpoint) || !URL.canParse(endpoint)) {
    throw new Error(`环境变量 S3_ENDPOINT 应为 http:// 或 https:// 开头的地址，实际为 "${endpoint}"`);
  }
  return {
    endpoint,
    bucket,
    accessKeyId,
    secretAccessKey,
    region: env.S3_REGION || 'us-east-1',
    forcePathStyle: bool('S3_FORCE_PATH_STYLE', env.S3_FORCE_PATH_STYLE, true),
  };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const production = env.NODE_ENV === 'production';
  const secureCookies = env.COOKIE_SECURE ? env.COOKIE_SECURE === '1' : production;
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
    pgPoolMax: positiveInt('PG_POOL_MAX', env.PG_POOL_MAX, 10, '数据库连接池的最大连接数'),
    dataKey: env.DATA_KEY || null,
    adminPassword: env.ADMIN_PASSWORD || null,
    captchaTestAnswer,
    production,
    secureCookies,
    cookies: cookieNames(secureCookies),
    sessionIdleMinutes: int(env.SESSION_IDLE_MINUTES, 30),
    trustProxy: loadTrustProxy(env.TRUST_PROXY),
    lockoutThreshold: 5,
    lockoutMinutes: 15,
    stepUpThreshold: 20,
    rateLimits: {
      login: int(env.RATE_LIMIT_LOGIN, 30),
      register: int(env.RATE_LIMIT_REGISTER, 10),
      recover: int(env.RATE_LIMIT_RECOVER, 10),
      windowMs: 60_000,
    },
    mfaRequiredRoles: loadMfaRoles(env.MFA_REQUIRED_ROLES),
    oidc,
    antivirus: env.CLAMD ? parseClamdAddress(env.CLAMD) : null,
    s3: loadS3(env),
    publicUrl: env.PUBLIC_URL ? env.PUBLIC_URL.replace(/\/$/, '') : null,
    webDist: path.resolve(env.WEB_DIST ?? path.join(import.meta.dirname, '..', 'web', 'dist')),
    logLevel: env.LOG_LEVEL ?? (production ? 'info' : 'warn'),
    messaging: loadMessaging(env),
  };
}
