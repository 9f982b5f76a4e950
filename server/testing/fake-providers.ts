// Local stand-ins for 阿里云短信 and 腾讯云短信 that VERIFY each request's signature the way the providers document it,
// written from the documentation independently of server/notify/providers.ts (no call into it), and a local SMTP
// server (smtp-server) that requires a log-in and decodes what it receives. Tests only.
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface FakeSms {
  url: string;
  /** accepted sends: phone, template code, the template's values */
  sent: { phone: string; template: string; params: unknown; id: string }[];
  /** refused requests with the reason code the fake answered */
  refused: string[];
  /** the raw requests as received (method, headers, body), to replay tampered */
  raw: { headers: http.IncomingHttpHeaders; body: string }[];
  /** answer every request with this provider error (a failing provider) until set back to null */
  failWith: string | null;
  close(): Promise<void>;
}

function listen(handler: (req: http.IncomingMessage, body: string) => { status: number; json: unknown }): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const { status, json } = handler(req, Buffer.concat(chunks).toString('utf8'));
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` })));
}

const closeServer = (server: http.Server) => new Promise<void>((resolve) => server.close(() => resolve()));

/**
 * 阿里云 RPC signature (签名机制): sort every parameter but Signature by name; encode names and values byte by byte —
 * A–Z a–z 0–9 - _ . ~ as they are, every other byte of the UTF-8 as %XY (upper-case hex); join name=value with &;
 * StringToSign = HTTPMethod + "&" + encode("/") + "&" + encode(that string); Signature = Base64(HMAC-SHA1(key: secret + "&")).
 */
function rfc3986(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export async function fakeAliyunSms(accessKeyId: string, secret: string): Promise<FakeSms> {
  const nonces = new Set<string>();
  const fake: FakeSms = {
    url: '',
    sent: [],
    refused: [],
    raw: [],
    failWith: null,
    close: async () => undefined,
  };
  const refuse = (code: string, message: string) => {
    fake.refused.push(code);
    return { status: 400, json: { Code: code, Message: message, RequestId: crypto.randomUUID() } };
  };
  const { server, url } = await listen((req, body) => {
    fake.raw.push({ headers: req.headers, body });
    const params = new Map<string, string>();
    for (const pair of body.split('&')) {
      const [k = '', v = ''] = pair.split('=');
      params.set(decodeURIComponent(k), decodeURIComponent(v));
    }
    const given = params.get('Signature') ?? '';
    const canonical = [...params.keys()]
      .filter((k) => k !== 'Signature')
      .sort()
      .map((k) => `${rfc3986(k)}=${rfc3986(params.get(k)!)}`)
      .join('&');
    const stringToSign = `${req.method}&${rfc3986('/')}&${rfc3986(canonical)}`;
    const expected = crypto.createHmac('sha1', `${secret}&`).update(stringToSign).digest('base64');
    if (params.get('AccessKeyId') !== accessKeyId) return refuse('InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
    if (given !== expected) return refuse('SignatureDoesNotMatch', 'Specified signature is not matched with our calculation.');
    if (params.get('SignatureMethod') !== 'HMAC-SHA1' || params.get('SignatureVersion') !== '1.0') return refuse('InvalidSignatureMethod', 'bad method');
    if (params.get('Action') !== 'SendSms' || params.get('Version') !== '2017-05-25') return refuse('InvalidAction', 'bad action');
    const ts = Date.parse(params.get('Timestamp') ?? '');
    if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(params.get('Timestamp') ?? '') || Math.abs(Date.now() - ts) > 15 * 60_000)
      return refuse('InvalidTimeStamp.Expired', 'expired');
    const nonce = params.get('SignatureNonce') ?? '';
    if (!nonce || nonces.has(nonce)) return refuse('SignatureNonceUsed', 'Specified signature nonce was used already.');
    nonces.add(nonce);
    if (fake.failWith) return refuse(fake.failWith, '触发号码天级流控');
    const id = `${Date.now()}^${crypto.randomInt(1e9)}`;
    fake.sent.push({
      phone: params.get('PhoneNumbers')!,
      template: params.get('TemplateCode')!,
      params: JSON.parse(params.get('TemplateParam') ?? 'null'),
      id,
    });
    return { status: 200, json: { Code: 'OK', Message: 'OK', BizId: id, RequestId: crypto.randomUUID() } };
  });
  fake.url = url;
  fake.close = () => closeServer(server);
  return fake;
}

/**
 * 腾讯云 TC3-HMAC-SHA256 (API 3.0 签名方法 v3): CanonicalRequest = method \n URI(/) \n query('') \n the SignedHeaders'
 * "name:value\n" (names and values lower-cased, trimmed) \n SignedHeaders \n hex(SHA256(body)); StringToSign =
 * "TC3-HMAC-SHA256" \n X-TC-Timestamp \n date/service/tc3_request \n hex(SHA256(CanonicalRequest)); the key is
 * HMAC(HMAC(HMAC("TC3" + SecretKey, date), service), "tc3_request"); Signature = hex(HMAC-SHA256(key, StringToSign)).
 */
export async function fakeTencentSms(secretId: string, secretKey: string, sdkAppId: string): Promise<FakeSms> {
  const fake: FakeSms = { url: '', sent: [], refused: [], raw: [], failWith: null, close: async () => undefined };
  const refuse = (code: string, message: string) => {
    fake.refused.push(code);
    return { status: 200, json: { Response: { Error: { Code: code, Message: message }, RequestId: crypto.randomUUID() } } };
  };
  const sha = (s: string) => crypto.createHash('sha256').update(s).digest('hex');
  const mac = (key: Buffer | string, s: string) => crypto.createHmac('sha256', key).update(s).digest();
  const { server, url } = await listen((req, body) => {
    fake.raw.push({ headers: req.headers, body });
    const auth = /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d\d-\d\d)\/([a-z]+)\/tc3_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(
      String(req.headers.authorization ?? ''),
    );
    if (!auth) return refuse('AuthFailure.SignatureFailure', 'The provided credentials could not be validated.');
    const [, id, date, service, signedHeaders, signature] = auth;
    if (id !== secretId) return refuse('AuthFailure.SecretIdNotFound', 'The SecretId is not found.');
    const timestamp = String(req.headers['x-tc-timestamp'] ?? '');
    if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return refuse('AuthFailure.SignatureExpire', 'Signature expired.');
    if (new Date(Number(timestamp) * 1000).toISOString().slice(0, 10) !== date) return refuse('AuthFailure.SignatureFailure', 'date');
    const names = signedHeaders!.split(';');
    if (!names.includes('content-type') || !names.includes('host')) return refuse('AuthFailure.SignatureFailure', 'headers');
    const canonicalHeaders = names
      .map(
        (n) =>
          `${n}:${String(req.headers[n] ?? '')
            .trim()
            .toLowerCase()}\n`,
      )
      .join('');
    const canonicalRequest = `${req.method}\n/\n\n${canonicalHeaders}\n${signedHeaders}\n${sha(body)}`;
    const stringToSign = `TC3-HMAC-SHA256\n${timestamp}\n${date}/${service}/tc3_request\n${sha(canonicalRequest)}`;
    const key = mac(mac(mac(`TC3${secretKey}`, date!), service!), 'tc3_request');
    if (crypto.createHmac('sha256', key).update(stringToSign).digest('hex') !== signature) {
      return refuse('AuthFailure.SignatureFailure', 'The provided credentials could not be validated. Please check your signature is correct.');
    }
    if (req.headers['x-tc-action'] !== 'SendSms' || req.headers['x-tc-version'] !== '2021-01-11') return refuse('InvalidAction', 'action');
    const p = JSON.parse(body) as { PhoneNumberSet: string[]; SmsSdkAppId: string; TemplateId: string; TemplateParamSet: string[] };
    if (p.SmsSdkAppId !== sdkAppId) return refuse('FailedOperation.SmsSdkAppIdVerifyFail', 'SdkAppId');
    if (fake.failWith) return refuse(fake.failWith, '短信发送频率超出限制');
    const serial = `2640:${crypto.randomInt(1e9)}`;
    fake.sent.push({ phone: p.PhoneNumberSet[0]!, template: p.TemplateId, params: p.TemplateParamSet, id: serial });
    return {
      status: 200,
      json: {
        Response: {
          SendStatusSet: [
            { SerialNo: serial, PhoneNumber: p.PhoneNumberSet[0], Fee: 1, SessionContext: '', Code: 'Ok', Message: 'send success', IsoCode: 'CN' },
          ],
          RequestId: crypto.randomUUID(),
        },
      },
    };
  });
  fake.url = url;
  fake.close = () => closeServer(server);
  return fake;
}

export interface ReceivedMail {
  from: string;
  to: string[];
  user: string;
  subject: string;
  text: string;
  raw: string;
}

/** RFC 2047 words (=?UTF-8?B?…?= / ?Q?) in a header */
function decodeWords(value: string): string {
  return value.replace(/\?=\s+=\?/g, '?==?').replace(/=\?utf-8\?([bq])\?([^?]*)\?=/gi, (_, enc: string, data: string) =>
    enc.toLowerCase() === 'b'
      ? Buffer.from(data, 'base64').toString('utf8')
      : Buffer.from(
          data.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
          'latin1',
        ).toString('utf8'),
  );
}

function decodeMail(raw: string): { subject: string; text: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const body = raw.slice(split + 4);
  const header = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1] ?? '';
  const encoding = header('Content-Transfer-Encoding').toLowerCase();
  let text = body;
  if (encoding === 'base64') text = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  else if (encoding === 'quoted-printable')
    text = Buffer.from(
      body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
      'latin1',
    ).toString('utf8');
  return { subject: decodeWords(header('Subject')), text: text.replace(/\r\n$/, '') };
}

/** An SMTP server on a free port that requires `user`/`password` (AUTH PLAIN/LOGIN, no TLS) and keeps what it receives. */
export async function fakeSmtp(
  user: string,
  password: string,
): Promise<{ port: number; received: ReceivedMail[]; authFailures: number; close(): Promise<void> }> {
  const state = { received: [] as ReceivedMail[], authFailures: 0 };
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === user && auth.password === password) return callback(null, { user: auth.username });
      state.authFailures++;
      return callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('latin1');
        state.received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          user: String(session.user ?? ''),
          raw,
          ...decodeMail(raw),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    received: state.received,
    get authFailures() {
      return state.authFailures;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
