// The browser journeys' 发布 set-up (issue 15), through the platform's own HTTP API as the users do it: candidates
// registered, each with a photo and a video, submitted, 初评 通过, forwarded and 受理; scored by two experts; the 入围名单
// built; the winners picked and confirmed; the final 公示 (its period already over); the 宣传稿 written; 发布.
import type { PublicationState } from '../core/publication';
import { fixtureBytes } from '../server/testing/media-fixtures';
import { ApiClient, applicantWithApplication, beijingDay, createUnit, expert, preliminaryPassed, UNIT_PASSWORD } from './api';

/** The applicants' password (as e2e/api.ts registers them). */
export const APPLICANT_PASSWORD = 'Apply2023x';

export interface PublishedSetup {
  /** prefix of the user names, unique per journey */
  tag: string;
  /** the candidates' names in the ranking's order (default five); the first `winners` win, the first is 推荐全国 */
  names?: readonly string[];
  /** default 3 */
  winners?: number;
  /** stop before 发布 (the journey publishes on the page); default: published */
  publish?: boolean;
  /** the 宣传稿 of each winner (default: a sentence naming them) */
  article?: (name: string) => string;
}

export interface PublishedE2E {
  campaignId: string;
  year: number;
  /** in the ranking's order */
  candidates: { id: string; name: string; username: string; outcome: 'won' | 'national' | 'not_won'; slug: string | null }[];
  /** the units' log-ins (password UNIT_PASSWORD); candidate i comes from unit i % 2 */
  units: { id: string; username: string }[];
}

export const DEFAULT_NAMES = ['古丽娜尔', '张海峰', '艾尔肯', '刘晓燕', '马伟'] as const;

export async function publishedCampaignE2E(url: string, admin: ApiClient, o: PublishedSetup): Promise<PublishedE2E> {
  const names = o.names ?? DEFAULT_NAMES;
  const w = o.winners ?? 3;
  const { id: campaignId } = await admin.call<{ id: string }>('GET', '/api/campaigns/current?program=ZMKJ');
  const campaign = await admin.call<{ year: number; settings: Record<string, unknown> & { windows: object; review: object; selection: object } }>(
    'GET',
    `/api/admin/campaigns/${campaignId}`,
  );
  const days = { start: beijingDay(-1), end: beijingDay(6) };
  await admin.call('PUT', `/api/admin/campaigns/${campaignId}`, {
    settings: {
      ...campaign.settings,
      preliminary: { requirePublicity: false },
      windows: { ...campaign.settings.windows, online: days, concentrated: days },
      review: { ...campaign.settings.review, k: 2, L: 10 },
      winners: w,
      nationalRecommendees: 1,
      academicianMaxRatio: 1,
      youthMinRatio: 0,
      selection: { ...campaign.settings.selection, shortlistSize: names.length, nationalsWithinWinners: true, constraints: [] },
    },
  });
  const units: { id: string; username: string; client: ApiClient }[] = [];
  for (const [i, [unitName, region]] of [
    ['阿克苏地区科学技术协会', '阿克苏地区'],
    ['哈密市科学技术协会', '哈密市'],
  ].entries()) {
    const username = `${o.tag}unit${i}`;
    const id = await createUnit(admin, { unitName: unitName!, region: region!, contactName: '努尔古丽', mobile: `1360880${String(6600 + i)}`, username });
    const client = new ApiClient(url);
    await client.login(username, UNIT_PASSWORD);
    units.push({ id, username, client });
  }
  const ids: string[] = [];
  const usernames: string[] = [];
  for (const [i, name] of names.entries()) {
    const unit = units[i % 2]!;
    const username = `${o.tag}0${i}`;
    const { c, id } = await applicantWithApplication(url, { name, username, mobile: `1387777${String(5500 + i)}` });
    await c.upload(id, 'video', '事迹视频.mp4', fixtureBytes('landscape.mp4'), 'video/mp4');
    await c.call('POST', `/api/applications/${id}/transitions/submit`, { unitId: unit.id });
    await preliminaryPassed(unit.client, id);
    await unit.client.call('POST', `/api/applications/${id}/transitions/forward`);
    await admin.call('POST', `/api/applications/${id}/transitions/accept`);
    ids.push(id);
    usernames.push(username);
  }
  const experts = [
    await expert(url, admin, '王立新', '新疆农业大学', `1399922${String(7700 + o.tag.length)}`),
    await expert(url, admin, '李红梅', '新疆大学', `1399922${String(7800 + o.tag.length)}`),
  ];
  await admin.call('POST', `/api/review/campaigns/${campaignId}/plan/confirm`, { mode: 'balanced', k: 2, L: 10 });
  const tenth = (x: number) => Math.round(x * 10) / 10;
  for (const [e, ex] of experts.entries()) {
    for (const [i, id] of ids.entries()) {
      const total = 90 - i * 5 - e;
      const body = { scores: { achievement: tenth(total / 2), story: tenth((total * 3) / 10), typical: tenth(total / 5) }, gates: { political: true } };
      await ex.call('POST', `/api/review/applications/${id}/sheet/submit`, body);
    }
  }
  const sel = `/api/selection/campaigns/${campaignId}`;
  await admin.call('POST', `${sel}/shortlist/build`, {});
  const winners = ids.slice(0, w);
  const state = await admin.call<{ version: number }>('GET', sel);
  const picked = await admin.call<{ version: number }>('PUT', `${sel}/pick`, { winners, nationals: winners.slice(0, 1), version: state.version });
  await admin.call('POST', `${sel}/confirm`, { version: picked.version });
  await admin.call('POST', `${sel}/publicity`, {
    title: `关于${campaign.year}年度“新疆最美科技工作者”拟表彰人选的公示`,
    startsOn: beijingDay(-8),
    endsOn: beijingDay(-1),
    contactName: '自治区科协人事处',
    contactPhone: '0991-6386020',
    objectionMethod: '请以实名书面形式反映，并提供联系方式。',
    entries: winners.map((applicationId) => ({ applicationId, summary: '长期扎根一线，成果突出。' })),
  });
  const pub = await admin.call<PublicationState>('GET', `/api/publication/campaigns/${campaignId}`);
  const article = o.article ?? ((name: string) => `${name}同志扎根新疆，潜心科研二十年。\n\n${name}带领团队攻克难题，事迹感人。`);
  for (const p of pub.profiles) {
    const detail = await admin.call<{ photos: { id: string }[]; videos: { id: string }[] }>('GET', `/api/publication/profiles/${p.applicationId}`);
    await admin.call('PUT', `/api/publication/profiles/${p.applicationId}`, {
      article: article(p.name),
      photoIds: detail.photos.map((x) => x.id),
      videoIds: detail.videos.map((x) => x.id),
    });
  }
  if (o.publish ?? true) await admin.call('POST', `/api/publication/campaigns/${campaignId}/publish`, {});
  const slugOf = new Map(pub.profiles.map((p) => [p.applicationId, p.slug]));
  return {
    campaignId,
    year: campaign.year,
    candidates: ids.map((id, i) => ({
      id,
      name: names[i]!,
      username: usernames[i]!,
      outcome: i === 0 ? 'national' : i < w ? 'won' : 'not_won',
      slug: slugOf.get(id) ?? null,
    })),
    units: units.map(({ id, username }) => ({ id, username })),
  };
}
