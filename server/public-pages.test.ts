// The public winners pages (issue 15, 2.): /results, /results/:year, /results/:year/:slug and their media, through
// HTTP on the real platform (PGlite, and PostgreSQL with TEST_DATABASE_URL).
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applications, attachments, campaigns, publications, winnerProfiles } from './db/schema';
import { buildApplicant, buildApplication, buildOrganizer } from './testing/factories';
import { startTestPlatform } from './testing/harness';
import { fixtureBytes } from './testing/media-fixtures';
import { ARTICLE_OF, publishedCampaign } from './testing/publication';
import { currentCampaign } from './usecases/campaigns';

let t: Awaited<ReturnType<typeof startTestPlatform>>;
let base: string;
let published: Awaited<ReturnType<typeof publishedCampaign>>;

/**
 * Values of the 申请书 that must never reach a public page: the 出生日期 of every candidate (also inside the
 * 身份证号码), completeForm's 手机, 电子邮箱, 通讯地址 and 办公电话, present from the start, and values planted after
 * 发布 (a page that read the 申请书 would show them).
 */
const PRIVATE = {
  birthDate: '1979-08-23',
  birthDigits: '19790823',
  birthChinese: '1979年8月23日',
  formMobile: '13899990000',
  formEmail: 'gulnar@example.cn',
  formAddress: '乌鲁木齐市沙依巴克区南昌路403号',
  formOfficePhone: '0991-4502133',
  mobile: '13912345678',
  email: 'private-mail-7731@example.cn',
  address: '乌鲁木齐市天山区私密街道99号',
  marker: '私密标记XJ7731',
};

interface Winner {
  applicationId: string;
  name: string;
  slug: string;
  national: boolean;
  photoIds: string[];
  videoIds: string[];
}

let year: number;
let campaignId: string;
let winners: Winner[];
const VIDEO = fixtureBytes('landscape.mp4');

/** The organizer's 编辑宣传稿 (P1's route): a correction of a published page. */
async function editProfile(w: Winner, change: Partial<{ article: string; photoIds: string[]; videoIds: string[] }>) {
  const res = await published.oc.put(`/api/publication/profiles/${w.applicationId}`, {
    article: ARTICLE_OF(w.name),
    photoIds: w.photoIds,
    videoIds: w.videoIds,
    ...change,
  });
  if (res.statusCode !== 200) throw new Error(res.body);
}

const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers });

/**
 * After rows written directly (not through a route): on PGlite the pages reuse a version read for a second unless a
 * write request came (server/public/cache.ts), so the test sends one, as every change through the platform does.
 */
const afterDirectWrite = () => t.app.inject({ method: 'POST', url: '/api/auth/logout' });

beforeAll(async () => {
  t = await startTestPlatform();
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  // 发布 as the organizer does it (server/testing/publication.ts): three winners, the first 推荐全国
  published = await publishedCampaign(t, { spec: () => ({ birthDate: PRIVATE.birthDate }) });
  campaignId = published.campaignId;
  year = (await currentCampaign(t.s.db)).year;
  winners = published.winners.map((c) => ({
    applicationId: c.id,
    name: c.name,
    slug: c.slug!,
    national: c.outcome === 'national',
    photoIds: c.photoIds,
    videoIds: c.videoIds,
  }));
  // planted after the profiles were made: only a page reading the 申请书 could show them
  for (const c of published.candidates) {
    await t.s.db
      .update(applications)
      .set({
        mobile: PRIVATE.mobile,
        form: sql`${applications.form} || ${JSON.stringify({ mobile: PRIVATE.mobile, email: PRIVATE.email, address: PRIVATE.address, nativePlace: PRIVATE.marker, duties: PRIVATE.marker })}::jsonb`,
      })
      .where(eq(applications.id, c.id));
  }
}, 180_000);
afterAll(async () => t?.close());

const meta = (html: string, property: string) => new RegExp(`<meta (?:property|name)="${property}" content="([^"]*)">`).exec(html)?.[1];
const ORIGIN = 'http://localhost:80';

describe('the public pages', () => {
  it('/results lists the published year and links its gallery, with its og tags', async () => {
    const res = await get('/results');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toContain(`<a class="card" href="/results/${year}"><h2>${year}年</h2>`);
    expect(res.body).toContain('当选 3 人，其中推荐全国 1 人');
    expect(res.body).toContain(`<link rel="canonical" href="${ORIGIN}/results">`);
    expect(meta(res.body, 'og:title')).toBe('评选结果 — 新疆科技工作者之家');
    expect(meta(res.body, 'og:type')).toBe('website');
    expect(meta(res.body, 'description')).toContain(`${year}年`);
    expect(meta(res.body, 'og:image')).toBe(`${ORIGIN}/results/media/${winners[0]!.photoIds[0]}/preview`);
    expect(res.body).not.toContain('<script');
  });

  it('/results/:year shows every winner: photo, 姓名, 工作单位, 推荐领域 and the 推荐全国 mark', async () => {
    const res = await get(`/results/${year}`);
    expect(res.statusCode).toBe(200);
    const html = res.body;
    expect(html.match(/<li><a class="card"/g)).toHaveLength(3);
    for (const w of winners) {
      const card = html.slice(html.indexOf(`href="/results/${year}/${w.slug}"`)).split('</li>')[0]!;
      expect(card).toContain(`<img src="/results/media/${w.photoIds[0]}/preview" alt="${w.name}的照片"`);
      expect(card).toContain(`<h2>${w.name}</h2><p>新疆农业科学院</p><p>推荐领域：经济主战场与成果转化</p>`);
      expect(card.includes('<span class="mark">推荐全国</span>')).toBe(w.national);
    }
    // the candidates not elected are not there
    for (const c of published.candidates.filter((c) => c.outcome === 'not_won')) expect(html).not.toContain(c.name);
    expect(meta(html, 'og:title')).toContain('新疆最美科技工作者');
    expect(meta(html, 'og:description')).toContain(winners[0]!.name);
    expect(meta(html, 'og:image')).toBe(`${ORIGIN}/results/media/${winners[0]!.photoIds[0]}/preview`);
    expect(html).toContain(`<link rel="canonical" href="${ORIGIN}/results/${year}">`);
  });

  it('/results/:year/:slug shows the 宣传稿 as paragraphs, the photos and a video player for a phone', async () => {
    const w = winners[0]!;
    const res = await get(`/results/${year}/${w.slug}`);
    expect(res.statusCode).toBe(200);
    const html = res.body;
    expect(html).toContain(`<h1>${w.name}</h1>`);
    const [first, second] = ARTICLE_OF(w.name).split('\n\n');
    expect(html).toContain(`<article><p>${first}</p><p>${second}</p></article>`);
    expect(html).toContain(`<video controls preload="metadata" playsinline src="/results/media/${w.videoIds[0]}"`);
    expect(html).toContain(`<img src="/results/media/${w.photoIds[0]}/preview" alt="${w.name}的照片1"`);
    expect(html).toContain('<li><span class="mark">推荐全国</span></li>');
    expect(meta(html, 'og:type')).toBe('profile');
    expect(meta(html, 'og:title')).toMatch(new RegExp(`^${w.name} — .*新疆最美科技工作者`));
    expect(meta(html, 'og:description')).toBe(`${first} ${second}`);
    expect(meta(html, 'og:image')).toBe(`${ORIGIN}/results/media/${w.photoIds[0]}/preview`);
    expect(html).toContain(`<link rel="canonical" href="${ORIGIN}/results/${year}/${w.slug}">`);
    expect(html).not.toContain('<script');
    expect((await get(`/results/${year}/${winners[1]!.slug}`)).body).not.toContain('推荐全国');
  });

  it('escapes the 宣传稿: markup written into it is shown as text', async () => {
    const w = winners[1]!;
    await editProfile(w, { article: '第一段<script>alert(1)</script>\n第二行 <img src=x onerror=alert(2)> & "引号"\n\n第二段' });
    const html = (await get(`/results/${year}/${w.slug}`)).body;
    expect(html).toContain(
      '<article><p>第一段&lt;script&gt;alert(1)&lt;/script&gt;<br>第二行 &lt;img src=x onerror=alert(2)&gt; &amp; &quot;引号&quot;</p><p>第二段</p></article>',
    );
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img src=x');
    expect(meta(html, 'description')).toBe(
      '第一段&lt;script&gt;alert(1)&lt;/script&gt; 第二行 &lt;img src=x onerror=alert(2)&gt; &amp; &quot;引号&quot; 第二段',
    );
    await editProfile(w, {});
  });

  it('takes the absolute URLs from PUBLIC_URL when it is set', async () => {
    const other = await startTestPlatform({ PUBLIC_URL: 'https://awards.example.cn/' });
    try {
      const res = await other.app.inject({ method: 'GET', url: '/results', headers: { host: 'evil.example' } });
      expect(res.body).toContain('<link rel="canonical" href="https://awards.example.cn/results">');
      expect(res.body).not.toContain('evil.example');
    } finally {
      await other.close();
    }
  });

  it('never shows a private value of the 申请书', async () => {
    const pages = ['/results', `/results/${year}`, ...winners.map((w) => `/results/${year}/${w.slug}`), `/results/${year}/nobody`];
    for (const url of pages) {
      for (const encoding of ['identity', 'gzip', 'br']) {
        const res = await get(url, { 'accept-encoding': encoding });
        expect(res.statusCode === 200 || url.endsWith('/nobody')).toBe(true);
        const raw = res.rawPayload;
        const body = encoding === 'gzip' ? zlib.gunzipSync(raw).toString() : encoding === 'br' ? zlib.brotliDecompressSync(raw).toString() : raw.toString();
        expect(body).toContain('</html>');
        const text = body + JSON.stringify(res.headers);
        for (const value of Object.values(PRIVATE)) expect(text, `${url} (${encoding}) shows ${value}`).not.toContain(value);
      }
    }
  });
});

describe('not found', () => {
  it('answers an HTML 404 for unknown, unpublished and hostile addresses', async () => {
    const [program] = await t.s.db.select({ programId: campaigns.programId, settings: campaigns.settings }).from(campaigns).where(eq(campaigns.id, campaignId));
    const [later] = await t.s.db
      .insert(campaigns)
      .values({ programId: program!.programId, year: year + 1, title: `${year + 1}年“新疆最美科技工作者”`, settings: program!.settings })
      .returning();
    const org = await buildOrganizer(t.s);
    await t.s.db
      .insert(publications)
      .values({ campaignId: later!.id, status: 'scheduled', scheduledAt: new Date(Date.now() + 86_400_000), actorId: org.user.id });
    const hidden = await buildApplication(t.s, (await buildApplicant(t.s)).user, { pledged: true });
    await t.s.db
      .insert(winnerProfiles)
      .values({ applicationId: hidden.id, campaignId: later!.id, slug: 'hidden', position: 1, name: '未发布', workUnit: 'x', field: 'y' });
    const w = winners[0]!;
    const urls = [
      `/results/${year + 1}`,
      `/results/${year + 1}/hidden`,
      `/results/${year}/hidden`,
      `/results/${year - 1}`,
      `/results/${year}/nobody`,
      `/results/${year}/${w.slug}/extra`,
      `/results/abcd`,
      `/results/${year}x`,
      `/results/99999`,
      `/results/${year}/..%2F..%2Fetc%2Fpasswd`,
      `/results/${year}/..%2F%2E%2E%2F${w.slug}`,
      `/results/..%2F${year}`,
      `/results/${year}/${'长'.repeat(3000)}`,
      `/results/${year}/${'a'.repeat(5000)}`,
      `/results/${year}/%00`,
      `/results/${year}/'or'1'='1`,
    ];
    for (const url of urls) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type'], url).toBe('text/html; charset=utf-8');
      expect(res.body, url).toContain('<h1>页面不存在</h1>');
    }
    // a broken percent-encoding is refused before routing, like every other address of the platform
    expect((await get(`/results/${year}/%E0%A4%A`)).statusCode).toBe(400);
    expect((await get('/results')).body).not.toContain(`${year + 1}年`);
  });
});

describe('caching', () => {
  it('sends a strong ETag, answers If-None-Match with 304, and compresses', async () => {
    const url = `/results/${year}/${winners[0]!.slug}`;
    const first = await get(url, { 'accept-encoding': 'gzip, deflate, br' });
    expect(first.statusCode).toBe(200);
    expect(first.headers['cache-control']).toBe('public, max-age=300');
    expect(first.headers['content-encoding']).toBe('br');
    expect(first.headers.vary).toContain('accept-encoding');
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+-br"$/);
    const plain = await get(url);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.etag).toBe(etag.replace('-br"', '"'));
    expect(zlib.brotliDecompressSync(first.rawPayload).toString()).toBe(plain.body);
    const gz = await get(url, { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(zlib.gunzipSync(gz.rawPayload).toString()).toBe(plain.body);
    const again = await get(url, { 'accept-encoding': 'br', 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers.etag).toBe(etag);
    expect((await get(url, { 'if-none-match': '"something-else"' })).statusCode).toBe(200);
    const head = await t.app.inject({ method: 'HEAD', url });
    expect(head.statusCode).toBe(200);
    expect(head.headers.etag).toBe(plain.headers.etag);
    expect(head.rawPayload.length).toBe(0);
    // the address with a trailing slash is the index's
    const slash = await get('/results/');
    expect(slash.statusCode).toBe(301);
    expect(slash.headers.location).toBe('/results');
  });

  it('shows a correction of the 宣传稿 at once, under a new ETag', async () => {
    const w = winners[2]!;
    const url = `/results/${year}/${w.slug}`;
    const before = await get(url);
    const gallery = await get(`/results/${year}`);
    expect(before.body).toContain(ARTICLE_OF(w.name).split('\n\n')[0]);
    await editProfile(w, { article: '更正后的宣传稿：带领团队攻克了盐碱地改良难题。', photoIds: [] });
    const after = await get(url, { 'if-none-match': String(before.headers.etag) });
    expect(after.statusCode).toBe(200);
    expect(after.headers.etag).not.toBe(before.headers.etag);
    expect(after.body).toContain('<p>更正后的宣传稿：带领团队攻克了盐碱地改良难题。</p>');
    expect(after.body).not.toContain(ARTICLE_OF(w.name).split('\n\n')[0]);
    // the gallery's card lost its photo too
    const galleryAfter = await get(`/results/${year}`, { 'if-none-match': String(gallery.headers.etag) });
    expect(galleryAfter.statusCode).toBe(200);
    expect(galleryAfter.body).not.toContain(`/results/media/${w.photoIds[0]}/preview`);
    // and the photo it no longer lists is no longer public
    expect((await get(`/results/media/${w.photoIds[0]}/preview`)).statusCode).toBe(404);
    await editProfile(w, {});
    expect((await get(`/results/media/${w.photoIds[0]}/preview`)).statusCode).toBe(200);
  });
});

describe('media', () => {
  it('serves a published video with Range (206, the exact bytes) and long caching', async () => {
    const url = `/results/media/${winners[0]!.videoIds[0]}`;
    const whole = await get(url);
    expect(whole.statusCode).toBe(200);
    expect(whole.headers['content-type']).toBe('video/mp4');
    expect(whole.headers['accept-ranges']).toBe('bytes');
    expect(whole.headers['cache-control']).toBe('public, max-age=86400');
    expect(Buffer.compare(whole.rawPayload, VIDEO)).toBe(0);
    const part = await get(url, { range: 'bytes=100-1099' });
    expect(part.statusCode).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 100-1099/${VIDEO.length}`);
    expect(Number(part.headers['content-length'])).toBe(1000);
    expect(Buffer.compare(part.rawPayload, VIDEO.subarray(100, 1100))).toBe(0);
    const tail = await get(url, { range: 'bytes=-500' });
    expect(tail.statusCode).toBe(206);
    expect(Buffer.compare(tail.rawPayload, VIDEO.subarray(VIDEO.length - 500))).toBe(0);
    // over real HTTP as a browser's player asks, to the last byte
    const res = await fetch(base + url, { headers: { range: `bytes=${VIDEO.length - 10}-` } });
    expect(res.status).toBe(206);
    expect(Buffer.compare(Buffer.from(await res.arrayBuffer()), VIDEO.subarray(VIDEO.length - 10))).toBe(0);
    expect((await get(url, { 'if-none-match': String(whole.headers.etag) })).statusCode).toBe(304);
    // HEAD, as some players ask first: the size without the bytes
    const head = await t.app.inject({ method: 'HEAD', url });
    expect(head.statusCode).toBe(200);
    expect(Number(head.headers['content-length'])).toBe(VIDEO.length);
    expect(head.rawPayload.length).toBe(0);
  });

  it('serves a published photo only as its preview (no metadata), never the original', async () => {
    const id = winners[0]!.photoIds[0]!;
    const preview = await get(`/results/media/${id}/preview`);
    expect(preview.statusCode).toBe(200);
    expect(preview.headers['content-type']).toBe('image/jpeg');
    expect(preview.headers['cache-control']).toBe('public, max-age=86400');
    expect(preview.rawPayload.subarray(0, 2).toString('hex')).toBe('ffd8');
    expect((await get(`/results/media/${id}`)).statusCode).toBe(404);
  });

  it('refuses every attachment a published profile does not list', async () => {
    const w = winners[0]!;
    // another file of the same winner (here: a copy of the listed photo's row), never chosen for the page
    const [listed] = await t.s.db.select().from(attachments).where(eq(attachments.id, w.photoIds[0]!));
    const { id: _id, ...copy } = listed!;
    const [unlisted] = await t.s.db
      .insert(attachments)
      .values({ ...copy, kind: 'integrity_pledge', seq: null })
      .returning();
    const ids = [unlisted!.id, '00000000-0000-0000-0000-000000000000', 'not-a-uuid', '..%2F..%2Fetc'];
    for (const id of ids) {
      expect((await get(`/results/media/${id}`)).statusCode, id).toBe(404);
      expect((await get(`/results/media/${id}/preview`)).statusCode, id).toBe(404);
    }
    // a video is not a preview
    expect((await get(`/results/media/${w.videoIds[0]}/preview`)).statusCode).toBe(404);
    // a video taken off the page (a correction) is no longer served
    await editProfile(w, { videoIds: [] });
    expect((await get(`/results/media/${w.videoIds[0]}`)).statusCode).toBe(404);
    await editProfile(w, {});
    expect((await get(`/results/media/${w.videoIds[0]}`)).statusCode).toBe(200);
  });

  it('refuses the pages and media of a campaign that is not published', async () => {
    const w = winners[0]!;
    await t.s.db.update(publications).set({ status: 'scheduled', updatedAt: new Date() }).where(eq(publications.campaignId, campaignId));
    await afterDirectWrite();
    try {
      expect((await get(`/results/media/${w.videoIds[0]}`)).statusCode).toBe(404);
      expect((await get(`/results/media/${w.photoIds[0]}/preview`)).statusCode).toBe(404);
      expect((await get(`/results/${year}`)).statusCode).toBe(404);
      expect((await get(`/results/${year}/${w.slug}`)).statusCode).toBe(404);
      expect((await get('/results')).body).toContain('评选结果尚未发布');
    } finally {
      await t.s.db.update(publications).set({ status: 'published', updatedAt: new Date() }).where(eq(publications.campaignId, campaignId));
      await afterDirectWrite();
    }
    expect((await get(`/results/${year}/${w.slug}`)).statusCode).toBe(200);
  });
});
