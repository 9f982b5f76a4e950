import { CAPTCHA } from './harness';

/** A minimal cookie-keeping client for setting up e2e data through the platform's own HTTP API. */
export class ApiClient {
  private cookies = new Map<string, string>();
  constructor(private base: string) {}

  private remember(res: Response) {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [k, v] = pair!.split('=');
      this.cookies.set(k!.trim(), v ?? '');
    }
  }

  async call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T> {
    if (!this.cookies.has('csrf')) this.remember(await fetch(`${this.base}/api/auth/me`));
    const headers: Record<string, string> = { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'x-csrf-token': this.cookies.get('csrf')! };
    let payload: BodyInit | undefined;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const res = await fetch(`${this.base}${path}`, { method, headers, body: payload });
    this.remember(res);
    const data = (await res.json()) as T;
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(data)}`);
    return data;
  }

  /** The session as request headers, for talking to the server without this client (tus, benches). */
  sessionHeaders(): { cookie: string; 'x-csrf-token': string } {
    return { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'x-csrf-token': this.cookies.get('csrf') ?? '' };
  }

  login(username: string, password: string) {
    return this.call('POST', '/api/auth/login', { username, password, captcha: CAPTCHA });
  }

  upload(applicationId: string, kind: string, name: string, bytes: Buffer, type: string) {
    const form = new FormData();
    form.append('kind', kind);
    form.append('file', new Blob([new Uint8Array(bytes)], { type }), name);
    return this.call('POST', `/api/applications/${applicationId}/attachments`, form);
  }
}

/** YYYY-MM-DD `days` from today in Beijing time. */
export const beijingDay = (days = 0) => new Date(Date.now() + 8 * 3600_000 + days * 86_400_000).toISOString().slice(0, 10);

/**
 * The unit's 初评公示 of `ids` (初评 通过), by default already over (the day before yesterday to yesterday): what
 * 【提交】 to 自治区科协 waits for while 初评须公示 is on (the default). Returns the 公示's id.
 */
export async function publishPublicity(unit: ApiClient, ids: string[], period = { startsOn: beijingDay(-2), endsOn: beijingDay(-1) }): Promise<string> {
  const p = await unit.call<{ id: string }>('POST', '/api/publicities', {
    title: '关于“新疆最美科技工作者”候选人初评结果的公示',
    ...period,
    contactName: '单位联系人',
    contactPhone: '0991-6386020',
    objectionMethod: '请以实名书面或电话形式反映。',
    entries: ids.map((applicationId) => ({ applicationId, summary: '长期扎根科研一线，成果突出。' })),
  });
  return p.id;
}
