// The public winners pages as HTML strings: phone-first, no JavaScript, the CSS inline (the app's CSP allows inline
// styles: helmet's style-src 'self' 'unsafe-inline'; no script is on the page, so script-src 'self' refuses nothing
// of ours). Every value goes through the markup tag (escaped); the 宣传稿 is plain text made into paragraphs here.
import { Html, markup, trusted } from './html';
import type { PublicProfile, PublishedCampaign } from './query';

export const SITE = '新疆科技工作者之家';
const HOSTS = '自治区党委宣传部、自治区科协、自治区科技厅';

/** The pages' whole stylesheet (about 2 KB): one column on a phone, a grid from 600 px. Colours at AA contrast. */
const CSS = trusted(
  [
    '*{box-sizing:border-box}',
    'body{margin:0;font:16px/1.7 -apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;color:#1f1f1f;background:#f5f6f8}',
    'a{color:#0b57a4}',
    'header,main,footer{max-width:960px;margin:0 auto;padding:12px 16px}',
    'header{display:flex;justify-content:space-between;align-items:center;gap:8px;border-bottom:3px solid #b3261e;background:#fff;max-width:none}',
    'header a{color:#1f1f1f;font-weight:600;text-decoration:none}',
    'h1{font-size:1.5rem;line-height:1.4;margin:16px 0 8px}h2{font-size:1.2rem;margin:24px 0 8px}',
    '.lead{color:#4a4a4a;margin:0 0 16px}',
    '.years,.grid{list-style:none;margin:0;padding:0;display:grid;gap:12px}',
    '.grid{grid-template-columns:repeat(2,minmax(0,1fr))}',
    '@media(min-width:600px){.grid{grid-template-columns:repeat(4,minmax(0,1fr))}}',
    '.card{display:block;background:#fff;border-radius:8px;overflow:hidden;text-decoration:none;color:inherit;height:100%;box-shadow:0 1px 3px rgba(0,0,0,.12)}',
    '.card img,.card .ph{display:block;width:100%;aspect-ratio:3/4;object-fit:cover;background:#e4e6ea}',
    '.card div{padding:8px 10px}',
    '.card h2,.card h3{font-size:1.05rem;margin:0;color:#0b57a4}',
    '.card p{margin:2px 0;font-size:.875rem;color:#4a4a4a;overflow-wrap:anywhere}',
    '.years .card{padding:12px 16px}',
    '.mark{display:inline-block;margin:2px 0;padding:0 6px;border-radius:4px;background:#b3261e;color:#fff;font-size:.8rem;line-height:1.6}',
    '.facts{margin:0 0 8px;padding:0;list-style:none;color:#4a4a4a}',
    'article p{margin:0 0 1em;text-indent:2em;overflow-wrap:anywhere}',
    'figure{margin:0 0 12px}figure img{display:block;width:100%;max-width:480px;height:auto;border-radius:6px}',
    'video{display:block;width:100%;max-height:80vh;background:#000;border-radius:6px;margin:0 0 12px}',
    'footer{color:#4a4a4a;font-size:.8rem;padding-bottom:24px}',
  ].join(''),
);

export interface PageMeta {
  title: string;
  description: string;
  /** absolute URL of the page (canonical, og:url) */
  url: string;
  /** absolute URL of a picture, or null when there is none yet */
  image: string | null;
  type: 'website' | 'article' | 'profile';
  /** the 404 page: not to be indexed */
  noindex?: boolean;
}

/** The whole document: head with title, description, canonical link and Open Graph tags (a WeChat card), then body. */
export function page(meta: PageMeta, body: Html): string {
  return markup`<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${meta.title}</title>
<meta name="description" content="${meta.description}">
${meta.noindex ? markup`<meta name="robots" content="noindex">\n` : ''}<link rel="canonical" href="${meta.url}">
<meta property="og:type" content="${meta.type}">
<meta property="og:site_name" content="${SITE}">
<meta property="og:title" content="${meta.title}">
<meta property="og:description" content="${meta.description}">
<meta property="og:url" content="${meta.url}">
${meta.image ? markup`<meta property="og:image" content="${meta.image}">\n` : ''}<style>${CSS}</style>
</head>
<body>
<header><a href="/results">${SITE} · 评选结果</a><a href="/">登录申报平台</a></header>
<main>
${body}
</main>
<footer>主办单位：${HOSTS}</footer>
</body>
</html>
`.value;
}

/** A one-line summary for meta description: the text's start, whitespace folded, at most `max` characters. */
export function summary(text: string, max = 110): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The 宣传稿 as paragraphs: a blank line starts a paragraph, a single line break stays a line break. */
export function paragraphs(article: string): Html[] {
  return article
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => markup`<p>${p.split('\n').map((line, i) => (i === 0 ? markup`${line.trim()}` : markup`<br>${line.trim()}`))}</p>`);
}

export const mediaPath = (id: string) => `/results/media/${id}`;
export const previewPath = (id: string) => `/results/media/${id}/preview`;
export const galleryPath = (year: number) => `/results/${year}`;
export const winnerPath = (year: number, slug: string) => `/results/${year}/${encodeURIComponent(slug)}`;

const nationalMark = (p: { national: boolean }) => (p.national ? markup`<span class="mark">推荐全国</span>` : '');

export function indexBody(list: PublishedCampaign[]): Html {
  const years = [...new Set(list.map((c) => c.year))];
  const yearCard = (year: number) => {
    const lines = list
      .filter((c) => c.year === year)
      .map((c) => markup`<p>${c.title}：当选 ${c.winners} 人${c.nationals > 0 ? markup`，其中推荐全国 ${c.nationals} 人` : ''}</p>`);
    return markup`<li><a class="card" href="${galleryPath(year)}"><h2>${year}年</h2>${lines}</a></li>`;
  };
  return markup`<h1>评选结果</h1>
<p class="lead">“新疆最美科技工作者”学习宣传活动历年发布的当选名单与先进事迹。</p>
${years.length === 0 ? markup`<p>评选结果尚未发布，请在发布后再来查看。</p>` : markup`<ul class="years">${years.map(yearCard)}</ul>`}`;
}

function card(year: number, p: PublicProfile, heading: 'h2' | 'h3'): Html {
  const cover = p.photoIds[0];
  const name = heading === 'h2' ? markup`<h2>${p.name}</h2>` : markup`<h3>${p.name}</h3>`;
  const picture = cover ? markup`<img src="${previewPath(cover)}" alt="${p.name}的照片" loading="lazy">` : markup`<span class="ph"></span>`;
  return markup`<li><a class="card" href="${winnerPath(year, p.slug)}">${picture}<div>${name}<p>${p.workUnit}</p><p>推荐领域：${p.field}</p>${nationalMark(p)}</div></a></li>`;
}

export function galleryBody(year: number, campaigns: { campaign: PublishedCampaign; profiles: PublicProfile[] }[]): Html {
  const single = campaigns.length === 1;
  const sections = campaigns.map(({ campaign, profiles }) => {
    const nationals = campaign.nationals > 0 ? markup`，其中 ${campaign.nationals} 人推荐参加全国“最美科技工作者”评选（标注“推荐全国”）` : '';
    return markup`${single ? '' : markup`<h2>${campaign.title}</h2>\n`}<p class="lead">当选 ${profiles.length} 人${nationals}。</p>
<ul class="grid">${profiles.map((p) => card(year, p, single ? 'h2' : 'h3'))}</ul>`;
  });
  return markup`<h1>${single ? campaigns[0]!.campaign.title : `${year}年评选结果`}</h1>
${sections}
<p><a href="/results">查看其他年度</a></p>`;
}

export function winnerBody(campaign: { year: number; title: string }, p: PublicProfile): Html {
  const text = paragraphs(p.article);
  const many = p.videoIds.length > 1;
  const videos = p.videoIds.map(
    (id, i) =>
      markup`<video controls preload="metadata" playsinline src="${mediaPath(id)}" aria-label="${p.name}的视频${many ? i + 1 : ''}"><a href="${mediaPath(id)}">下载视频</a></video>`,
  );
  const photos = p.photoIds.map(
    (id, i) => markup`<figure><img src="${previewPath(id)}" alt="${p.name}的照片${i + 1}" loading="${i === 0 ? 'eager' : 'lazy'}"></figure>`,
  );
  return markup`<p><a href="${galleryPath(campaign.year)}">${campaign.title}</a></p>
<h1>${p.name}</h1>
<ul class="facts"><li>${p.workUnit}</li><li>推荐领域：${p.field}</li>${p.national ? markup`<li>${nationalMark(p)}</li>` : ''}</ul>
${text.length > 0 ? markup`<h2>先进事迹</h2><article>${text}</article>\n` : ''}${videos.length > 0 ? markup`<h2>视频</h2>${videos}\n` : ''}${
    photos.length > 0 ? markup`<h2>照片</h2>${photos}\n` : ''
  }<p><a href="${galleryPath(campaign.year)}">返回${campaign.year}年当选名单</a></p>`;
}

export function notFoundBody(): Html {
  return markup`<h1>页面不存在</h1>
<p>您访问的评选结果页面不存在，或尚未发布。请检查链接是否完整，或从<a href="/results">评选结果</a>查看已发布的名单。</p>`;
}
