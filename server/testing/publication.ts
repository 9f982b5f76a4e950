// Test helper of 发布 (issue 15): a campaign whose result is published, for the tests of 发布 itself, the public
// pages, the certificates, the exports and the statistics. Candidates in 网上评选 are made directly (testing/selection.ts
// reviewedCandidates); everything from the 入围名单 on goes through HTTP as the organizer does it: build, pick, confirm,
// the final 公示 (its period already over), the 宣传稿 of each winner, 发布.
import { eq } from 'drizzle-orm';
import type { PublicationState, ProfileDetail } from '../../core/publication';
import type { SelectionState } from '../../core/selection/api';
import { applications } from '../db/schema';
import { buildOrganizer } from './factories';
import { Client, json, type startTestPlatform } from './harness';
import { dayFromToday, PHOTO_BYTES } from './journey';
import { fixtureBytes, jpegOfSize } from './media-fixtures';
import { previewsMade } from './previews';
import { patchSettings, reviewedCandidates, type CandidateSpec, type MadeCandidate } from './selection';

type T = Awaited<ReturnType<typeof startTestPlatform>>;

export interface PublishedOptions {
  /** candidates on the 入围名单 (default 5: 3 winners, 2 not) */
  candidates?: number;
  /** winners (default 3); the first is also the national recommendee */
  winners?: number;
  /** upload a photo and a video for each winner before the 入围名单 (default true) */
  media?: boolean;
  /** stop before 发布 (default: publish at once) */
  publish?: boolean;
  /** extra spec for candidate i (its 出生日期, 性别, 推荐领域, unit …) */
  spec?: (i: number) => Partial<CandidateSpec>;
}

export interface PublishedCandidate extends MadeCandidate {
  /** 当选 (the first also 推荐全国) or not */
  outcome: 'won' | 'national' | 'not_won';
  photoIds: string[];
  videoIds: string[];
  /** the winner's public page address within the year (01, 02 …); null for one not elected */
  slug: string | null;
}

export const ARTICLE_OF = (name: string) => `${name}同志扎根新疆二十年，攻克关键技术难题。\n\n${name}的感人故事在天山南北广为传颂。`;

/**
 * A campaign (the current one) published with `winners` winners (default 3: one also 推荐全国) among `candidates`
 * shortlisted ones, each winner with a photo and a video (the real fixtures: a 2 MB JPEG, a 1080p MP4) and a 宣传稿
 * (ARTICLE_OF). Returns the organizer's client, the candidates (each with its logged-in applicant client) and the units.
 */
export async function publishedCampaign(t: T, opts: PublishedOptions = {}) {
  const n = opts.candidates ?? 5;
  const w = opts.winners ?? 3;
  const org = await buildOrganizer(t.s);
  const oc = new Client(t.app);
  await oc.login(org.username, org.password);
  await patchSettings(t, (s) => ({
    winners: w,
    nationalRecommendees: 1,
    academicianMaxRatio: 1,
    youthMinRatio: 0,
    selection: { ...s.selection, shortlistSize: n, nationalsWithinWinners: true, constraints: [] },
  }));
  const specs: CandidateSpec[] = Array.from({ length: n }, (_, i) => ({ total: 95 - i, unit: i % 2, ...opts.spec?.(i) }));
  const made = await reviewedCandidates(t, specs, { units: 2 });
  const { campaignId } = made;
  const media = new Map<string, { photoIds: string[]; videoIds: string[] }>();
  if (opts.media ?? true) {
    for (const c of made.candidates.slice(0, w)) {
      // uploaded as the applicant does while it holds the 申请书, then back to 网上评选中
      await t.s.db.update(applications).set({ status: 'applicant' }).where(eq(applications.id, c.id));
      const photo = await c.client.upload(`/api/applications/${c.id}/attachments`, 'photo', '照片.jpg', jpegOfSize(PHOTO_BYTES));
      if (photo.statusCode !== 200) throw new Error(`photo: ${photo.body}`);
      const video = await c.client.upload(`/api/applications/${c.id}/attachments`, 'video', '视频.mp4', fixtureBytes('landscape.mp4'));
      if (video.statusCode !== 200) throw new Error(`video: ${video.body}`);
      await t.s.db.update(applications).set({ status: 'online_review' }).where(eq(applications.id, c.id));
      media.set(c.id, { photoIds: [json<{ id: string }>(photo).id], videoIds: [json<{ id: string }>(video).id] });
    }
    // the photos' previews (the public pages show them) are made by a job
    await previewsMade(
      t.s,
      [...media.values()].flatMap((m) => m.photoIds),
    );
  }
  const sel = (rest = '') => `/api/selection/campaigns/${campaignId}${rest}`;
  const ok = async (res: Awaited<ReturnType<Client['get']>>, what: string) => {
    if (res.statusCode !== 200) throw new Error(`${what}: ${res.statusCode} ${res.body}`);
    return res;
  };
  await ok(await oc.post(sel('/shortlist/build')), 'shortlist');
  const winners = made.candidates.slice(0, w).map((c) => c.id);
  const nationals = winners.slice(0, 1);
  let state = json<SelectionState>(await ok(await oc.get(sel()), 'selection'));
  state = json<SelectionState>(await ok(await oc.put(sel('/pick'), { winners, nationals, version: state.version }), 'pick'));
  await ok(await oc.post(sel('/confirm'), { version: state.version }), 'confirm');
  await ok(
    await oc.post(sel('/publicity'), {
      title: '关于“新疆最美科技工作者”拟表彰人选的公示',
      startsOn: dayFromToday(-8),
      endsOn: dayFromToday(-1),
      contactName: '自治区科协人事处',
      contactPhone: '0991-6386020',
      objectionMethod: '请以实名书面形式反映，并提供联系方式。',
      entries: winners.map((applicationId) => ({ applicationId, summary: '长期扎根一线，成果突出。' })),
    }),
    'final publicity',
  );
  const pub = json<PublicationState>(await ok(await oc.get(`/api/publication/campaigns/${campaignId}`), 'publication state'));
  for (const profile of pub.profiles) {
    const detail = json<ProfileDetail>(await ok(await oc.get(`/api/publication/profiles/${profile.applicationId}`), 'profile'));
    await ok(
      await oc.put(`/api/publication/profiles/${profile.applicationId}`, {
        article: ARTICLE_OF(profile.name),
        photoIds: detail.photos.map((p) => p.id),
        videoIds: detail.videos.map((v) => v.id),
      }),
      'profile edit',
    );
  }
  if (opts.publish ?? true) await ok(await oc.post(`/api/publication/campaigns/${campaignId}/publish`, {}), 'publish');
  const slugOf = new Map(pub.profiles.map((p) => [p.applicationId, p.slug]));
  const candidates: PublishedCandidate[] = made.candidates.map((c) => ({
    ...c,
    outcome: nationals.includes(c.id) ? 'national' : winners.includes(c.id) ? 'won' : 'not_won',
    photoIds: media.get(c.id)?.photoIds ?? [],
    videoIds: media.get(c.id)?.videoIds ?? [],
    slug: slugOf.get(c.id) ?? null,
  }));
  return { campaignId, oc, org, candidates, winners: candidates.filter((c) => c.outcome !== 'not_won'), units: made.units };
}
