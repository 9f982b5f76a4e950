import { describe, expect, it } from 'vitest';
import type { Server } from 'node:http';
import Provider from 'oidc-provider';
import { e2eSuite, freePort, newPage, look, startServer } from './harness';

// A real OpenID Connect provider (oidc-provider, with its development login pages) on loopback.
let provider: Server;

const e2e = e2eSuite({
  async start() {
    const [appPort, idpPort] = [await freePort(), await freePort()];
    const issuer = `http://127.0.0.1:${idpPort}`;
    const oidc = new Provider(issuer, {
      clients: [{ client_id: 'xjkx-platform', client_secret: 'test-secret-123', redirect_uris: [`http://127.0.0.1:${appPort}/api/auth/oidc/callback`] }],
      findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub, name: '合作网站用户甲', email: `${sub}@partner.example.cn` }) }),
      claims: { openid: ['sub'], profile: ['name'], email: ['email'] },
      features: { devInteractions: { enabled: true } },
    });
    provider = oidc.listen(idpPort);
    return startServer({ OIDC_ISSUER: issuer, OIDC_CLIENT_ID: 'xjkx-platform', OIDC_CLIENT_SECRET: 'test-secret-123', OIDC_NAME: '新疆科协统一认证' }, appPort);
  },
  async teardown() {
    await new Promise((r) => provider?.close(r));
  },
});

describe('使用合作网站登录', () => {
  it('is shown when a provider is configured and logs a new person in as an applicant', async () => {
    const { page } = await newPage(e2e.browser, e2e.platform.url);
    await page.goto('/login');
    const link = page.getByText('使用合作网站登录');
    await link.waitFor();
    await look(page, 'oidc-01-login');
    await link.click();
    // the provider's own login and consent pages
    await page.locator('input[name="login"]').fill('partner-user-7');
    await page.locator('input[name="password"]').fill('anything');
    await page.locator('button[type="submit"]').click();
    await page.locator('button[type="submit"]').click(); // consent
    await page.getByRole('menuitem', { name: '我的申报表' }).waitFor();
    await look(page, 'oidc-02-home');
    await page.getByText('合作网站用户甲').first().waitFor();
    const me = await page.evaluate(async () => (await fetch('/api/auth/me')).json());
    expect(me.user).toMatchObject({ role: 'applicant', realName: '合作网站用户甲', email: 'partner-user-7@partner.example.cn' });
  });
});
