// /results, /results/:year, /results/:year/:slug — the public winners pages, rendered on the server (issue 15, 2.),
// and /results/media/:id(/preview) — the photos and videos a published profile shows. No log-in, GET (and HEAD)
// only; nothing here reads the 申请书 (server/public/query.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseRange } from '../http';
import { StorageNotFoundError } from '../storage/storage';
import { PageCache, etagOf, notModified, pickEncoding, renderedPage, type RenderedPage } from '../public/cache';
import { profileBySlug, profilesOf, publishedCampaigns, publishedMedia } from '../public/query';
import { SITE as SITE_TITLE, galleryBody, galleryPath, indexBody, notFoundBody, page, previewPath, summary, winnerBody, winnerPath } from '../public/render';

const PAGE_CACHE = 'public, max-age=300';
/** media never change under their id (an attachment is replaced by a new one, never rewritten) */
const MEDIA_CACHE = 'public, max-age=86400';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const YEAR = /^(19|20|21)\d\d$/;
/** longer slugs are not looked up (a hostile URL is a 404, not a query) */
const SLUG_MAX = 200;

const notJson = { notJson: 'a public page rendered on the server (HTML), or a published photo or video' };
/** PGlite: how long a version read is reused (server/public/cache.ts); a write request forgets it at once */
const PGLITE_VERSION_REUSE_MS = 1000;

export async function publicPageRoutes(app: FastifyInstance) {
  const { db, config, storage } = app.services;
  const cache = new PageCache(db, config.databaseUrl ? 0 : PGLITE_VERSION_REUSE_MS);
  // every write request of this process, whatever its route (this plugin's hooks reach the whole app: see the end)
  app.addHook('onResponse', (req, _reply, done) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') cache.invalidate();
    done();
  });

  /** The origin of absolute URLs (canonical, og:image): PUBLIC_URL when set, else the request's own. */
  const originOf = (req: FastifyRequest) => config.publicUrl ?? `${req.protocol}://${req.host}`;

  const notFoundPage = (origin: string, path: string) =>
    renderedPage(
      404,
      page(
        {
          title: `页面不存在 — ${SITE_TITLE}`,
          description: '您访问的评选结果页面不存在或尚未发布。',
          url: origin + path,
          image: null,
          type: 'website',
          noindex: true,
        },
        notFoundBody(),
      ),
    );

  function send(req: FastifyRequest, reply: FastifyReply, p: RenderedPage) {
    const encoding = pickEncoding(req.headers['accept-encoding']);
    reply.header('vary', 'accept-encoding');
    reply.header('content-type', 'text/html; charset=utf-8');
    if (p.status === 404) {
      reply.header('cache-control', 'no-cache');
    } else {
      reply.header('cache-control', PAGE_CACHE);
      reply.header('etag', etagOf(p, encoding));
      if (notModified(req.headers['if-none-match'], p)) return reply.code(304).send();
    }
    const body = encoding === 'identity' ? p.identity : p[encoding];
    if (encoding !== 'identity') reply.header('content-encoding', encoding);
    reply.header('content-length', body.length);
    return reply.code(p.status).send(body);
  }

  app.get('/results', { config: notJson }, async (req, reply) => {
    const origin = originOf(req);
    const p = await cache.get(`${origin} /results`, async () => {
      const list = await publishedCampaigns(db);
      const latest = list[0];
      return renderedPage(
        200,
        page(
          {
            title: `评选结果 — ${SITE_TITLE}`,
            description: latest
              ? `“新疆最美科技工作者”历年评选结果：${[...new Set(list.map((c) => `${c.year}年`))].join('、')}当选名单与先进事迹。`
              : '“新疆最美科技工作者”评选结果发布页。',
            url: `${origin}/results`,
            image: latest?.coverId ? origin + previewPath(latest.coverId) : null,
            type: 'website',
          },
          indexBody(list),
        ),
      );
    });
    return send(req, reply, p);
  });

  // one wildcard for the year and winner pages: the segments are checked here, so that any odd path (too long,
  // ../, not a year) is the same HTML 404 rather than a framework error
  app.get('/results/*', { config: notJson }, async (req, reply) => {
    const origin = originOf(req);
    const rest = (req.params as { '*': string })['*'];
    const path = `/results/${rest}`;
    const segments = rest.split('/');
    if (segments.length === 1 && segments[0] === '') return reply.redirect('/results', 301);
    if (segments.length > 2 || !YEAR.test(segments[0]!)) return send(req, reply, notFoundPage(origin, path));
    const year = Number(segments[0]);
    const slug = segments[1];

    if (slug === undefined || slug === '') {
      const p = await cache.get(`${origin} ${galleryPath(year)}`, async () => {
        const ofYear = (await publishedCampaigns(db)).filter((c) => c.year === year);
        if (ofYear.length === 0) return notFoundPage(origin, path);
        const campaigns = await Promise.all(ofYear.map(async (campaign) => ({ campaign, profiles: await profilesOf(db, campaign.id) })));
        const names = campaigns.flatMap((c) => c.profiles.map((p) => p.name));
        const title = ofYear.length === 1 ? ofYear[0]!.title : `${year}年评选结果`;
        const cover = ofYear.find((c) => c.coverId)?.coverId;
        return renderedPage(
          200,
          page(
            {
              title: `${title} — ${SITE_TITLE}`,
              description: summary(`${title}当选名单（${names.length}人）：${names.join('、')}。`),
              url: origin + galleryPath(year),
              image: cover ? origin + previewPath(cover) : null,
              type: 'website',
            },
            galleryBody(year, campaigns),
          ),
        );
      });
      return send(req, reply, p);
    }

    // eslint-disable-next-line no-control-regex -- a NUL or other control character is never in a slug (and PostgreSQL refuses NUL)
    if (slug.length > SLUG_MAX || /[\u0000-\u001f\u007f]/.test(slug)) return send(req, reply, notFoundPage(origin, path));
    const p = await cache.get(`${origin} ${year} ${slug}`, async () => {
      const found = await profileBySlug(db, year, slug);
      if (!found) return notFoundPage(origin, path);
      const { campaign, profile } = found;
      const cover = profile.photoIds[0];
      return renderedPage(
        200,
        page(
          {
            title: `${profile.name} — ${campaign.title} — ${SITE_TITLE}`,
            description: summary(profile.article || `${profile.name}，${profile.workUnit}，${campaign.title}。`),
            url: origin + winnerPath(year, profile.slug),
            image: cover ? origin + previewPath(cover) : null,
            type: 'profile',
          },
          winnerBody(campaign, profile),
        ),
      );
    });
    return send(req, reply, p);
  });

  // A published video, whole or a byte range (a phone's player seeks with Range). Only videos: a photo's original
  // may carry EXIF (the GPS position of where it was taken), so photos are only ever served as their preview.
  app.get('/results/media/:id', { config: notJson }, async (req, reply) => {
    const { id } = req.params as { id: string };
    const media = UUID.test(id) ? await publishedMedia(db, id.toLowerCase()) : null;
    if (!media || media.kind !== 'video') return send(req, reply, notFoundPage(originOf(req), req.url.split('?')[0]!));
    const etag = `"${media.sha256}"`;
    reply.header('cache-control', MEDIA_CACHE);
    reply.header('etag', etag);
    reply.header('accept-ranges', 'bytes');
    if (notModified(req.headers['if-none-match'], { hash: media.sha256 })) return reply.code(304).send();
    // If-Range naming another version: the whole file (it never differs under this id, but a client may ask)
    const ifRange = req.headers['if-range'];
    const range = ifRange && ifRange !== etag ? null : parseRange(req.headers.range, media.size);
    let stream;
    try {
      stream = await storage.open(media.storageKey, range ?? undefined);
    } catch (err) {
      if (err instanceof StorageNotFoundError) return send(req, reply, notFoundPage(originOf(req), req.url.split('?')[0]!));
      throw err;
    }
    if (range) {
      reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${media.size}`);
      reply.header('content-length', range.end - range.start + 1);
    } else {
      reply.header('content-length', media.size);
    }
    return reply.type(media.mime).send(stream);
  });

  // A published photo as its re-encoded preview (at most 480×480, no metadata): the gallery's and the page's picture.
  app.get('/results/media/:id/preview', { config: notJson }, async (req, reply) => {
    const { id } = req.params as { id: string };
    const media = UUID.test(id) ? await publishedMedia(db, id.toLowerCase()) : null;
    if (!media || media.kind !== 'photo' || !media.previewKey) return send(req, reply, notFoundPage(originOf(req), req.url.split('?')[0]!));
    const etag = `"${media.sha256}-p"`;
    reply.header('cache-control', MEDIA_CACHE);
    reply.header('etag', etag);
    if (notModified(req.headers['if-none-match'], { hash: `${media.sha256}-p` })) return reply.code(304).send();
    let stream;
    try {
      stream = await storage.open(media.previewKey);
    } catch (err) {
      if (err instanceof StorageNotFoundError) return send(req, reply, notFoundPage(originOf(req), req.url.split('?')[0]!));
      throw err;
    }
    return reply.type('image/jpeg').send(stream);
  });
}

// Not encapsulated (as fastify-plugin does it): the onResponse hook above sees the write requests of every route.
// The plugin registers only its own routes and that hook.
(publicPageRoutes as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;
