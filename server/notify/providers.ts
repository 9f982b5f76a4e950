// The real senders (issue 16 item 8), written by hand with node:crypto and fetch (no SDK): 阿里云短信 (Dysmsapi SendSms,
// RPC-style HMAC-SHA1 signature), 腾讯云短信 (SendSms of API 3.0, TC3-HMAC-SHA256) and e-mail over SMTP (nodemailer).
// Each returns the provider's id of the message or throws DeliveryError with a plain Chinese reason (kept in the outbox).
import crypto from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import type { AliyunSmsConfig, SmtpConfig, TencentSmsConfig } from './config';

export class DeliveryError extends Error {
  /** permanent: retrying cannot help (a missing template code); the message fails at once */
  constructor(
    message: string,
    readonly permanent = false,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

const TIMEOUT_MS = 15_000;

async function call(url: string, init: RequestInit, who: string): Promise<{ status: number; body: unknown }> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    throw new DeliveryError(`无法连接${who}（${cause}），将自动重试`);
  }
  const raw = await res.text();
  try {
    return { status: res.status, body: JSON.parse(raw) as unknown };
  } catch {
    throw new DeliveryError(`${who}的应答不是 JSON（HTTP ${res.status}）：${raw.slice(0, 200)}`);
  }
}

// ---- 阿里云短信 ----

/** RFC 3986 percent-encoding as 阿里云's RPC signature requires: A–Z a–z 0–9 - _ . ~ kept, space as %20. */
export function aliyunPercentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The RPC signature: base64(HMAC-SHA1(secret + "&", METHOD & %2F & encode(canonicalized sorted query))). */
export function aliyunSignature(method: 'GET' | 'POST', params: Record<string, string>, accessKeySecret: string): string {
  const canonical = Object.keys(params)
    .sort()
    .map((k) => `${aliyunPercentEncode(k)}=${aliyunPercentEncode(params[k]!)}`)
    .join('&');
  const stringToSign = `${method}&${aliyunPercentEncode('/')}&${aliyunPercentEncode(canonical)}`;
  return crypto.createHmac('sha1', `${accessKeySecret}&`).update(stringToSign, 'utf8').digest('base64');
}

export async function sendAliyunSms(
  c: AliyunSmsConfig,
  phone: string,
  templateCode: string,
  values: Record<string, string>,
  now = new Date(),
): Promise<string> {
  const params: Record<string, string> = {
    AccessKeyId: c.accessKeyId,
    Action: 'SendSms',
    Format: 'JSON',
    PhoneNumbers: phone,
    RegionId: c.regionId,
    SignName: c.signName,
    SignatureMethod: 'HMAC-SHA1',
    SignatureNonce: crypto.randomUUID(),
    SignatureVersion: '1.0',
    TemplateCode: templateCode,
    TemplateParam: JSON.stringify(values),
    Timestamp: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    Version: '2017-05-25',
  };
  const signed = { ...params, Signature: aliyunSignature('POST', params, c.accessKeySecret) };
  const body = Object.entries(signed)
    .map(([k, v]) => `${aliyunPercentEncode(k)}=${aliyunPercentEncode(v)}`)
    .join('&');
  const res = await call(c.endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }, '阿里云短信');
  const r = res.body as { Code?: string; Message?: string; BizId?: string };
  if (r.Code === 'OK' && r.BizId) return r.BizId;
  throw new DeliveryError(`阿里云短信拒绝发送：${r.Code ?? `HTTP ${res.status}`} ${r.Message ?? ''}`.trim());
}

// ---- 腾讯云短信 ----

const sha256hex = (s: string) => crypto.createHash('sha256').update(s, 'utf8').digest('hex');
const hmac = (key: crypto.BinaryLike, s: string) => crypto.createHmac('sha256', key).update(s, 'utf8').digest();

/** TC3-HMAC-SHA256 (API 3.0): the Authorization header of a POST with a JSON body to `host`. */
export function tencentAuthorization(input: {
  secretId: string;
  secretKey: string;
  service: string;
  host: string;
  action: string;
  payload: string;
  timestamp: number;
}): string {
  const contentType = 'application/json; charset=utf-8';
  const signedHeaders = 'content-type;host;x-tc-action';
  const canonicalHeaders = `content-type:${contentType}\nhost:${input.host}\nx-tc-action:${input.action.toLowerCase()}\n`;
  const canonicalRequest = ['POST', '/', '', canonicalHeaders, signedHeaders, sha256hex(input.payload)].join('\n');
  const date = new Date(input.timestamp * 1000).toISOString().slice(0, 10);
  const scope = `${date}/${input.service}/tc3_request`;
  const stringToSign = ['TC3-HMAC-SHA256', String(input.timestamp), scope, sha256hex(canonicalRequest)].join('\n');
  const signing = hmac(hmac(hmac(`TC3${input.secretKey}`, date), input.service), 'tc3_request');
  const signature = crypto.createHmac('sha256', signing).update(stringToSign, 'utf8').digest('hex');
  return `TC3-HMAC-SHA256 Credential=${input.secretId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
}

export async function sendTencentSms(c: TencentSmsConfig, phone: string, templateId: string, values: string[], now = new Date()): Promise<string> {
  const url = new URL(c.endpoint);
  const payload = JSON.stringify({
    PhoneNumberSet: [phone.startsWith('+') ? phone : `+86${phone}`],
    SmsSdkAppId: c.sdkAppId,
    SignName: c.signName,
    TemplateId: templateId,
    TemplateParamSet: values,
  });
  const timestamp = Math.floor(now.getTime() / 1000);
  const authorization = tencentAuthorization({
    secretId: c.secretId,
    secretKey: c.secretKey,
    service: 'sms',
    host: url.host,
    action: 'SendSms',
    payload,
    timestamp,
  });
  const res = await call(
    c.endpoint,
    {
      method: 'POST',
      headers: {
        authorization,
        'content-type': 'application/json; charset=utf-8',
        host: url.host,
        'x-tc-action': 'SendSms',
        'x-tc-timestamp': String(timestamp),
        'x-tc-version': '2021-01-11',
        'x-tc-region': c.region,
      },
      body: payload,
    },
    '腾讯云短信',
  );
  const r = (res.body as { Response?: { Error?: { Code: string; Message: string }; SendStatusSet?: { Code: string; Message: string; SerialNo: string }[] } })
    .Response;
  if (r?.Error) throw new DeliveryError(`腾讯云短信拒绝发送：${r.Error.Code} ${r.Error.Message}`);
  const status = r?.SendStatusSet?.[0];
  if (status?.Code === 'Ok') return status.SerialNo;
  throw new DeliveryError(`腾讯云短信未能发送：${status ? `${status.Code} ${status.Message}` : `HTTP ${res.status}`}`);
}

// ---- SMTP ----

const transports = new Map<SmtpConfig, Transporter>();

export async function sendMail(c: SmtpConfig, to: string, subject: string, text: string): Promise<string> {
  let transport = transports.get(c);
  if (!transport) {
    transport = nodemailer.createTransport({
      host: c.host,
      port: c.port,
      secure: c.secure,
      ...(c.user ? { auth: { user: c.user, pass: c.password ?? '' } } : {}),
      connectionTimeout: TIMEOUT_MS,
      greetingTimeout: TIMEOUT_MS,
      socketTimeout: TIMEOUT_MS,
    });
    transports.set(c, transport);
  }
  try {
    const info = (await transport.sendMail({ from: c.from, to, subject, text })) as { messageId: string; rejected?: unknown[] };
    if (info.rejected?.length) throw new DeliveryError(`邮件服务器拒收收件人 ${to}`);
    return info.messageId;
  } catch (err) {
    if (err instanceof DeliveryError) throw err;
    const e = err as { code?: string; responseCode?: number; response?: string; message?: string };
    throw new DeliveryError(`邮件发送失败：${e.responseCode ? `${e.responseCode} ${e.response ?? ''}` : (e.code ?? e.message ?? '未知错误')}`.trim());
  }
}
