// 发布 (issue 15, 1., 2.'s 宣传稿 and 6.) through HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { PublicationState } from '../core/publication';
import { applications } from './db/schema';
import { json, startTestPlatform } from './testing/harness';
import { publishedCampaign } from './testing/publication';

let t: Awaited<ReturnType<typeof startTestPlatform>>;

beforeAll(async () => {
  t = await startTestPlatform();
}, 60_000);

afterAll(async () => {
  await t?.close();
});

describe('publishedCampaign', () => {
  it('publishes a campaign with three winners, one national', async () => {
    const p = await publishedCampaign(t);
    const state = json<PublicationState>(await p.oc.get(`/api/publication/campaigns/${p.campaignId}`));
    expect(state.status).toBe('published');
    expect(state.profiles).toHaveLength(3);
    const rows = await t.s.db.select({ id: applications.id, status: applications.status }).from(applications).where(eq(applications.campaignId, p.campaignId));
    const statusOf = new Map(rows.map((r) => [r.id, r.status]));
    expect(p.candidates.map((c) => statusOf.get(c.id))).toEqual(['national', 'won', 'won', 'not_won', 'not_won']);
  }, 120_000);
});
