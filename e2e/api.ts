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
