// The real senders' settings (issue 16 item 8), read from the environment by server/config.ts. All optional: without
// them every message is only recorded in the outbox (status 'recorded') and no delivery job is made.

export interface AliyunSmsConfig {
  provider: 'aliyun';
  accessKeyId: string;
  accessKeySecret: string;
  signName: string;
  /** Dysmsapi's address (default https://dysmsapi.aliyuncs.com/); tests point it at a local server */
  endpoint: string;
  regionId: string;
}

export interface TencentSmsConfig {
  provider: 'tencent';
  secretId: string;
  secretKey: string;
  sdkAppId: string;
  signName: string;
  /** the SMS API 3.0 address (default https://sms.tencentcloudapi.com/) */
  endpoint: string;
  region: string;
}

export type SmsConfig = AliyunSmsConfig | TencentSmsConfig;

export interface SmtpConfig {
  host: string;
  port: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it */
  secure: boolean;
  user: string | null;
  password: string | null;
  /** the From address, e.g. "新疆科技工作者之家 <noreply@xjkx.org.cn>" */
  from: string;
}

export interface MessagingConfig {
  sms: SmsConfig | null;
  smtp: SmtpConfig | null;
}

function need(env: NodeJS.ProcessEnv, names: string[], what: string): Record<string, string> {
  const missing = names.filter((n) => !env[n]);
  if (missing.length) throw new Error(`${what}配置不完整：缺少环境变量 ${missing.join('、')}。请补全，或删除 ${what} 的全部变量以只记录到消息发件箱`);
  return Object.fromEntries(names.map((n) => [n, env[n]!]));
}

function url(name: string, value: string): string {
  if (!/^https?:\/\/[^/]/.test(value) || !URL.canParse(value)) throw new Error(`环境变量 ${name} 应为 http:// 或 https:// 开头的地址，实际为 "${value}"`);
  return value;
}

export function loadMessaging(env: NodeJS.ProcessEnv): MessagingConfig {
  let sms: SmsConfig | null = null;
  const provider = (env.SMS_PROVIDER ?? '').trim().toLowerCase();
  if (provider === 'aliyun') {
    const v = need(env, ['ALIYUN_SMS_ACCESS_KEY_ID', 'ALIYUN_SMS_ACCESS_KEY_SECRET', 'SMS_SIGN_NAME'], '阿里云短信');
    sms = {
      provider: 'aliyun',
      accessKeyId: v.ALIYUN_SMS_ACCESS_KEY_ID!,
      accessKeySecret: v.ALIYUN_SMS_ACCESS_KEY_SECRET!,
      signName: v.SMS_SIGN_NAME!,
      endpoint: url('ALIYUN_SMS_ENDPOINT', env.ALIYUN_SMS_ENDPOINT || 'https://dysmsapi.aliyuncs.com/'),
      regionId: env.ALIYUN_SMS_REGION || 'cn-hangzhou',
    };
  } else if (provider === 'tencent') {
    const v = need(env, ['TENCENT_SMS_SECRET_ID', 'TENCENT_SMS_SECRET_KEY', 'TENCENT_SMS_SDK_APP_ID', 'SMS_SIGN_NAME'], '腾讯云短信');
    sms = {
      provider: 'tencent',
      secretId: v.TENCENT_SMS_SECRET_ID!,
      secretKey: v.TENCENT_SMS_SECRET_KEY!,
      sdkAppId: v.TENCENT_SMS_SDK_APP_ID!,
      signName: v.SMS_SIGN_NAME!,
      endpoint: url('TENCENT_SMS_ENDPOINT', env.TENCENT_SMS_ENDPOINT || 'https://sms.tencentcloudapi.com/'),
      region: env.TENCENT_SMS_REGION || 'ap-guangzhou',
    };
  } else if (provider !== '' && provider !== 'none') {
    throw new Error(`环境变量 SMS_PROVIDER 应为 aliyun（阿里云短信）或 tencent（腾讯云短信），不发短信时请不要设置，实际为 "${env.SMS_PROVIDER}"`);
  }
  let smtp: SmtpConfig | null = null;
  if (env.SMTP_HOST) {
    const v = need(env, ['SMTP_HOST', 'SMTP_FROM'], '邮件（SMTP）');
    const portText = env.SMTP_PORT || '';
    const secureText = (env.SMTP_SECURE || '').toLowerCase();
    if (secureText && !['true', 'false', '1', '0'].includes(secureText))
      throw new Error(`环境变量 SMTP_SECURE 应为 true 或 false，实际为 "${env.SMTP_SECURE}"`);
    const secure = secureText ? secureText === 'true' || secureText === '1' : portText === '465';
    const port = portText ? Number(portText) : secure ? 465 : 587;
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`环境变量 SMTP_PORT 应为 1–65535 的端口号，实际为 "${portText}"`);
    if (!!env.SMTP_USER !== !!env.SMTP_PASSWORD) throw new Error('环境变量 SMTP_USER 与 SMTP_PASSWORD 应同时设置（服务器需要登录时）或同时不设置');
    smtp = { host: v.SMTP_HOST!, port, secure, user: env.SMTP_USER || null, password: env.SMTP_PASSWORD || null, from: v.SMTP_FROM! };
  } else if (env.SMTP_USER || env.SMTP_PASSWORD || env.SMTP_FROM) {
    throw new Error('已设置 SMTP_USER、SMTP_PASSWORD 或 SMTP_FROM，但缺少 SMTP_HOST（邮件服务器地址）。请补全，或全部删除以只记录到消息发件箱');
  }
  return { sms, smtp };
}
