// The public winners pages (issue 15, 2.): /results, /results/:year, /results/:year/:slug and their media, through
// HTTP on the real platform (PGlite, and PostgreSQL with TEST_DATABASE_URL).
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import zlib from 'node:zlib';
import { campaigns, publications, winnerProfiles } from './db/schema';
import { buildApplicant, buildApplication, buildOrganizer, completeForm } from './testing/factories';
import { Client, startTestPlatform } from './testing/harness';
import { PHOTO_BYTES } from './testing/journey';
import { fixtureBytes } from './testing/media-fixtures';
import { jpegBytes, pdfBytes } from './testing/files';
import { Tus } from './testing/tus';
import { currentCampaign } from './usecases/campaigns';

let t: Awaited<ReturnType<typeof startTestPlatform>>;
let base: string;

/** Values of the 申请书 that must never reach a public page. */
const PRIVATE = {
  idBirth: '1979-08-23',
  mobile: '13912345678',
  email: 'private-mail-7731@example.cn',
  address: '乌鲁木齐市天山区私密街道99号',
  marker: '私密标记XJ7731',
};

interface Winner {
  applicationId: string;
  name: string;
  slug: string;
  idNumber: string;
  photoIds: string[];
  videoIds: string[];
  /** a photo of the same candidate that the profile does not list */
  unlistedPhotoId: string;
  scanId: string;
}

let year: number;
let campaignId: string;
let winners: Winner[];
const VIDEO = fixtureBytes('landscape.mp4');

/**
 * A published campaign with three winners (the second a national recommendee), written as the 发布 step leaves it:
 * a publications row 'published' and one winner_profiles row each. Every 申请书 carries the PRIVATE values.
 */
async function publishWinners(): Promise<void> {
  const campaign = await currentCampaign(t.s.db);
  const org = await buildOrganizer(t.s);
  year = campaign.year;
  campaignId = campaign.id;
  const names = ['阿依努尔·买买提', '张<b>伟</b>', '李&quot;华'];
  winners = [];
  for (const [i, name] of names.entries()) {
    const applicant = await buildApplicant(t.s, { realName: name, mobile: PRIVATE.mobile, email: PRIVATE.email });
    const form = completeForm({
      name,
      birthDate: PRIVATE.idBirth,
      mobile: PRIVATE.mobile,
      email: PRIVATE.email,
      address: PRIVATE.address,
      nativePlace: PRIVATE.marker,
    });
    const app = await buildApplication(t.s, applicant.user, { form, pledged: true });
    const c = new Client(t.app);
    await c.login(applicant.username, applicant.password);
    const upload = async (kind: string, file: string, bytes: Buffer) => {
      const res = await c.upload(`/api/applications/${app.id}/attachments`, kind, file, bytes);
      if (res.statusCode !== 200) throw new Error(res.body);
      return (res.json() as { id: string }).id;
    };
    const photo = await upload('photo', 'a.jpg', jpegBytes(PHOTO_BYTES));
    const unlisted = await upload('photo', 'b.jpg', jpegBytes(PHOTO_BYTES));
    const scan = await upload('integrity_pledge', 'p.pdf', pdfBytes('pledge'));
    const tus = await new Tus(c, base).upload(app.id, 'video', '事迹.mp4', VIDEO);
    if (tus.status !== 204 && tus.status !== 200) throw new Error(`${tus.status} ${tus.body}`);
    const video = (JSON.parse(tus.body || '{}') as { id?: string }).id;
    const videoId =
      video ?? (await t.s.db.query.attachments.findFirst({ where: (a, { and, eq }) => and(eq(a.applicationId, app.id), eq(a.kind, 'video')) }))!.id;
    winners.push({
      applicationId: app.id,
      name,
      slug: `w${i + 1}`,
      idNumber: form.idNumber!,
      photoIds: [photo],
      videoIds: [videoId],
      unlistedPhotoId: unlisted,
      scanId: scan,
    });
  }
  await t.s.db.insert(publications).values({ campaignId, status: 'published', publishedAt: new Date(), actorId: org.user.id });
  await t.s.db.insert(winnerProfiles).values(
    winners.map((w, i) => ({
      applicationId: w.applicationId,
      campaignId,
      slug: w.slug,
      position: i + 1,
      name: w.name,
      workUnit: '新疆农业科学院',
      field: '经济主战场与成果转化',
      national: i === 1,
      article: `${w.name}扎根南疆二十年，培育抗旱棉花新品种。\n\n第二段<script>alert(1)</script>事迹。`,
      photoIds: w.photoIds,
      videoIds: w.videoIds,
    })),
  );
}

const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers });

beforeAll(async () => {
  t = await startTestPlatform();
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  await publishWinners();
}, 120_000);
afterAll(async () => t?.close());

const meta = (html: string, property: string) => new RegExp(`<meta (?:property|name)="${property}" content="([^"]*)">`).exec(html)?.[1];

describe('the public pages', () => {
  it('/results lists the published year and links its gallery, with its og tags', async () => {
    const res = await get('/results');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toContain(`<a class="card" href="/results/${year}"><h2>${year}年</h2>`);
    expect(res.body).toContain('当选 3 人，其中推荐全国 1 人');
    expect(res.body).toContain('<link rel="canonical" href="http://localhost:80/results">');
    expect(meta(res.body, 'og:title')).toBe('评选结果 — 新疆科技工作者之家');
    expect(meta(res.body, 'og:type')).toBe('website');
    expect(meta(res.body, 'description')).toContain(`${year}年`);
    expect(meta(res.body, 'og:image')).toBe(`http://localhost:80/results/media/${winners[0]!.photoIds[0]}/preview`);
    expect(res.body).not.toContain('<script');
  });

  it('/results/:year shows every winner: photo, 姓名, 工作单位, 推荐领域 and the 推荐全国 mark, all escaped', async () => {
    const res = await get(`/results/${year}`);
    expect(res.statusCode).toBe(200);
    const html = res.body;
    expect(html.match(/<li><a class="card"/g)).toHaveLength(3);
    expect(html).toContain('<h2>阿依努尔·买买提</h2>');
    expect(html).toContain('<h2>张&lt;b&gt;伟&lt;/b&gt;</h2>');
    expect(html).toContain('<h2>李&amp;quot;华</h2>');
    expect(html).not.toContain('<b>伟');
    expect(html).toContain(`<img src="/results/media/${winners[0]!.photoIds[0]}/preview" alt="阿依努尔·买买提的照片"`);
    expect(html).toContain('<p>新疆农业科学院</p><p>推荐领域：经济主战场与成果转化</p>');
    expect(html.match(/<span class="mark">推荐全国<\/span>/g)).toHaveLength(1);
    // the mark is on the second winner's card only
    const second = html.slice(html.indexOf('href="/results/' + year + '/w2"'), html.indexOf('href="/results/' + year + '/w3"'));
    expect(second).toContain('推荐全国');
    expect(meta(html, 'og:title')).toContain('新疆最美科技工作者');
    expect(meta(html, 'og:description')).toContain('阿依努尔·买买提');
    expect(meta(html, 'og:image')).toMatch(/^http:\/\/localhost:80\/results\/media\/[0-9a-f-]{36}\/preview$/);
    expect(html).toContain(`<link rel="canonical" href="http://localhost:80/results/${year}">`);
  });

  it('/results/:year/:slug shows the 宣传稿 as paragraphs, the photos and a video player for a phone', async () => {
    const w = winners[1]!;
    const res = await get(`/results/${year}/${w.slug}`);
    expect(res.statusCode).toBe(200);
    const html = res.body;
    expect(html).toContain('<h1>张&lt;b&gt;伟&lt;/b&gt;</h1>');
    expect(html).toContain(
      '<article><p>张&lt;b&gt;伟&lt;/b&gt;扎根南疆二十年，培育抗旱棉花新品种。</p><p>第二段&lt;script&gt;alert(1)&lt;/script&gt;事迹。</p></article>',
    );
    expect(html).not.toContain('<script');
    expect(html).toContain(`<video controls preload="metadata" playsinline src="/results/media/${w.videoIds[0]}"`);
    expect(html).toContain(`<img src="/results/media/${w.photoIds[0]}/preview" alt="张&lt;b&gt;伟&lt;/b&gt;的照片1"`);
    expect(html).toContain('<li><span class="mark">推荐全国</span></li>');
    expect(meta(html, 'og:type')).toBe('profile');
    expect(meta(html, 'og:title')).toMatch(/^张&lt;b&gt;伟&lt;\/b&gt; — .*新疆最美科技工作者/);
    expect(meta(html, 'og:description')).toContain('扎根南疆二十年');
    expect(meta(html, 'og:image')).toBe(`http://localhost:80/results/media/${w.photoIds[0]}/preview`);
    expect(html).toContain(`<link rel="canonical" href="http://localhost:80/results/${year}/${w.slug}">`);
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
        const raw = res.rawPayload;
        const body = encoding === 'gzip' ? zlib.gunzipSync(raw).toString() : encoding === 'br' ? zlib.brotliDecompressSync(raw).toString() : raw.toString();
        const text = body + JSON.stringify(res.headers);
        for (const value of [...Object.values(PRIVATE), '1979年8月23日', '19790823', ...winners.map((w) => w.idNumber)]) {
          expect(text, `${url} (${encoding}) shows ${value}`).not.toContain(value);
        }
        expect(body).toContain('</html>');
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
    const w = winners[0]!;
    const hidden = await buildApplication(t.s, (await buildApplicant(t.s)).user, { pledged: true });
    await t.s.db
      .insert(winnerProfiles)
      .values({ applicationId: hidden.id, campaignId: later!.id, slug: 'hidden', position: 1, name: '未发布', workUnit: 'x', field: 'y' });
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
      `/results/${year}/..%2F%2E%2E%2Fw1`,
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
    const again = await get(url, { 'accept-encoding': 'br', 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers.etag).toBe(etag);
    expect((await get(url, { 'if-none-match': '"something-else"' })).statusCode).toBe(200);
  });

  it('shows a correction of the 宣传稿 at once, under a new ETag', async () => {
    const w = winners[2]!;
    const url = `/results/${year}/${w.slug}`;
    const before = await get(url);
    const gallery = await get(`/results/${year}`);
    await t.s.db
      .update(winnerProfiles)
      .set({ article: '更正后的宣传稿：她带领团队攻克了盐碱地改良难题。', workUnit: '新疆大学', updatedAt: new Date() })
      .where(eq(winnerProfiles.applicationId, w.applicationId));
    const after = await get(url, { 'if-none-match': String(before.headers.etag) });
    expect(after.statusCode).toBe(200);
    expect(after.headers.etag).not.toBe(before.headers.etag);
    expect(after.body).toContain('<p>更正后的宣传稿：她带领团队攻克了盐碱地改良难题。</p>');
    expect(after.body).not.toContain('扎根南疆二十年');
    const galleryAfter = await get(`/results/${year}`, { 'if-none-match': String(gallery.headers.etag) });
    expect(galleryAfter.statusCode).toBe(200);
    expect(galleryAfter.body).toContain('<p>新疆大学</p>');
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
    const ids = [w.unlistedPhotoId, w.scanId, '00000000-0000-0000-0000-000000000000', 'not-a-uuid', '..%2F..%2Fetc'];
    for (const id of ids) {
      expect((await get(`/results/media/${id}`)).statusCode, id).toBe(404);
      expect((await get(`/results/media/${id}/preview`)).statusCode, id).toBe(404);
    }
    // a video listed as a photo is not a preview, and a photo listed as a video is not a download
    expect((await get(`/results/media/${w.videoIds[0]}/preview`)).statusCode).toBe(404);
  });

  it('refuses the media of an unpublished campaign, and of a profile once its campaign is withdrawn', async () => {
    const w = winners[0]!;
    await t.s.db.update(publications).set({ status: 'scheduled', updatedAt: new Date() }).where(eq(publications.campaignId, campaignId));
    try {
      expect((await get(`/results/media/${w.videoIds[0]}`)).statusCode).toBe(404);
      expect((await get(`/results/media/${w.photoIds[0]}/preview`)).statusCode).toBe(404);
      expect((await get(`/results/${year}`)).statusCode).toBe(404);
      expect((await get(`/results/${year}/${w.slug}`)).statusCode).toBe(404);
    } finally {
      await t.s.db.update(publications).set({ status: 'published', updatedAt: new Date() }).where(eq(publications.campaignId, campaignId));
    }
    expect((await get(`/results/${year}/${w.slug}`)).statusCode).toBe(200);
  });
});
