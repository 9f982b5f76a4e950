import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { users } from './db/schema';
import { Client, json, startTestPlatform } from './testing/harness';
import { findOrCreateOidcUser } from './usecases/oidc-accounts';

let t: Awaited<ReturnType<typeof startTestPlatform>>;
beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(async () => t?.close());

describe('使用合作网站登录 (the browser flow against a real provider is in e2e/oidc.test.ts)', () => {
  it('is off and hidden when no provider is configured', async () => {
    const c = new Client(t.app);
    expect(json<{ oidc: { enabled: boolean } }>(await c.get('/api/auth/me')).oidc.enabled).toBe(false);
    expect((await c.get('/api/auth/oidc/start')).statusCode).toBe(404);
  });

  it('binds one applicant account to each (issuer, subject), reused at the next log-in', async () => {
    const first = await findOrCreateOidcUser(t.s, 'https://idp.example.cn', {
      sub: 'abc-1',
      name: '李明',
      email: 'li@example.cn',
      phone_number: '+8613812345678',
    });
    const again = await findOrCreateOidcUser(t.s, 'https://idp.example.cn', { sub: 'abc-1', name: '改了名' });
    const other = await findOrCreateOidcUser(t.s, 'https://other.example.cn', { sub: 'abc-1' });
    expect(again.id).toBe(first.id);
    expect(other.id).not.toBe(first.id);
    expect(first).toMatchObject({ role: 'applicant', realName: '李明', mobile: '13812345678', email: 'li@example.cn' });
    const [row] = await t.s.db.select().from(users).where(eq(users.id, first.id));
    expect(row!.oidcSubject).toBe('abc-1');
  });
});
