import http from 'node:http';
import type { Client } from './harness';

/** A browser's side of the tus protocol over real HTTP, with the session cookie and CSRF header of a Client. */
export class Tus {
  constructor(
    private readonly c: Client,
    private readonly base: string,
  ) {}

  /** The Client's session as headers: its cookies and the CSRF token the web app would send. */
  async sessionHeaders() {
    if (!this.c.csrfToken()) await this.c.get('/api/auth/me');
    return { cookie: [...this.c.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'x-csrf-token': this.c.csrfToken() ?? '' };
  }

  private async headers(extra: Record<string, string> = {}) {
    return { ...(await this.sessionHeaders()), 'tus-resumable': '1.0.0', ...extra };
  }

  async create(applicationId: string, kind: string, filename: string, size: number) {
    const meta = Object.entries({ applicationId, kind, filename })
      .map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`)
      .join(',');
    const res = await fetch(`${this.base}/api/uploads`, {
      method: 'POST',
      headers: await this.headers({ 'upload-length': String(size), 'upload-metadata': meta }),
    });
    const location = res.headers.get('location');
    return { res, url: location ? new URL(location, `${this.base}/api/uploads/`).toString() : null, body: await res.text() };
  }

  async patch(url: string, offset: number, chunk: Buffer) {
    const res = await fetch(url, {
      method: 'PATCH',
      headers: await this.headers({ 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' }),
      body: new Uint8Array(chunk),
    });
    return { res, body: await res.text() };
  }

  async offset(url: string) {
    const res = await fetch(url, { method: 'HEAD', headers: await this.headers() });
    return { status: res.status, offset: Number(res.headers.get('upload-offset')) };
  }

  /** A whole upload in one PATCH; resolves to the server's answer after the last byte. */
  async upload(applicationId: string, kind: string, filename: string, bytes: Buffer) {
    const created = await this.create(applicationId, kind, filename, bytes.length);
    if (created.res.status !== 201) return { status: created.res.status, body: created.body, stage: 'create' as const };
    const done = await this.patch(created.url!, 0, bytes);
    return { status: done.res.status, body: done.body, stage: 'patch' as const };
  }

  /**
   * Sends the first `sent` bytes of a PATCH and then drops the connection, like a phone losing its network
   * mid-upload. `bytes` are the PATCH's body from `offset`.
   */
  async cutOff(url: string, bytes: Buffer, sent: number, offset = 0) {
    const headers = await this.headers({
      'upload-offset': String(offset),
      'content-type': 'application/offset+octet-stream',
      'content-length': String(bytes.length),
    });
    await new Promise<void>((resolve) => {
      const req = http.request(url, { method: 'PATCH', headers });
      req.on('error', () => resolve());
      req.write(bytes.subarray(0, sent), () =>
        setTimeout(() => {
          req.destroy();
          resolve();
        }, 300),
      );
    });
  }
}
