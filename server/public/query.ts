// What the public winners pages read: published campaigns and their winner_profiles, nothing else. The 申请书
// (applications) is never read here — a profile holds the published fields, copied when it was made — so a page
// cannot show a field that was not meant to be published. Attachments are read only when a published profile
// lists them.
import { and, asc, desc, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { attachments, campaigns, publications, winnerProfiles } from '../db/schema';

export interface PublishedCampaign {
  id: string;
  year: number;
  title: string;
  winners: number;
  nationals: number;
  /** the first winner's first photo: the index's and the gallery's og:image */
  coverId: string | null;
}

export interface PublicProfile {
  slug: string;
  name: string;
  workUnit: string;
  field: string;
  national: boolean;
  article: string;
  photoIds: string[];
  videoIds: string[];
}

const ids = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/**
 * The data version of every public page, in one cheap statement: any 发布, 撤回 or profile correction changes a
 * max(updated_at) or a count, a campaign's renaming changes the titles' hash. Pages are cached under it.
 */
export async function contentVersion(db: Db): Promise<string> {
  const result = await db.execute(sql`
    select
      (select coalesce(max(updated_at)::text, '') || '/' || count(*) from publications) || '|' ||
      (select coalesce(max(updated_at)::text, '') || '/' || count(*) from winner_profiles) || '|' ||
      (select coalesce(md5(string_agg(c.id::text || c.year || c.title, ',' order by c.id)), '')
         from campaigns c join publications p on p.campaign_id = c.id and p.status = 'published') as v`);
  const rows = (result as unknown as { rows: { v: string }[] }).rows;
  return rows[0]?.v ?? '';
}

/** Every published campaign, newest year first, with its counts and cover photo. */
export async function publishedCampaigns(db: Db): Promise<PublishedCampaign[]> {
  const rows = await db
    .select({
      id: campaigns.id,
      year: campaigns.year,
      title: campaigns.title,
      winners: sql<number>`(select count(*)::int from winner_profiles w where w.campaign_id = ${campaigns.id})`,
      nationals: sql<number>`(select count(*)::int from winner_profiles w where w.campaign_id = ${campaigns.id} and w.national)`,
      cover: sql<unknown>`(select w.photo_ids from winner_profiles w where w.campaign_id = ${campaigns.id} and jsonb_array_length(w.photo_ids) > 0 order by w.position limit 1)`,
    })
    .from(campaigns)
    .innerJoin(publications, and(eq(publications.campaignId, campaigns.id), eq(publications.status, 'published')))
    .orderBy(desc(campaigns.year), asc(publications.publishedAt));
  return rows.map(({ cover, ...r }) => ({ ...r, winners: Number(r.winners), nationals: Number(r.nationals), coverId: ids(cover)[0] ?? null }));
}

const profileColumns = {
  slug: winnerProfiles.slug,
  name: winnerProfiles.name,
  workUnit: winnerProfiles.workUnit,
  field: winnerProfiles.field,
  national: winnerProfiles.national,
  article: winnerProfiles.article,
  photoIds: winnerProfiles.photoIds,
  videoIds: winnerProfiles.videoIds,
};

const presentProfile = (r: { [K in keyof typeof profileColumns]: unknown }): PublicProfile => ({
  slug: String(r.slug),
  name: String(r.name),
  workUnit: String(r.workUnit),
  field: String(r.field),
  national: r.national === true,
  article: String(r.article),
  photoIds: ids(r.photoIds),
  videoIds: ids(r.videoIds),
});

/** A published campaign's winners in the selection's order. */
export async function profilesOf(db: Db, campaignId: string): Promise<PublicProfile[]> {
  const rows = await db.select(profileColumns).from(winnerProfiles).where(eq(winnerProfiles.campaignId, campaignId)).orderBy(asc(winnerProfiles.position));
  return rows.map(presentProfile);
}

/** One winner of a published campaign of `year` by the page's slug; null when there is none. */
export async function profileBySlug(
  db: Db,
  year: number,
  slug: string,
): Promise<{ campaign: { id: string; year: number; title: string }; profile: PublicProfile } | null> {
  const [row] = await db
    .select({ ...profileColumns, campaignId: campaigns.id, year: campaigns.year, title: campaigns.title })
    .from(winnerProfiles)
    .innerJoin(campaigns, eq(campaigns.id, winnerProfiles.campaignId))
    .innerJoin(publications, and(eq(publications.campaignId, campaigns.id), eq(publications.status, 'published')))
    .where(and(eq(campaigns.year, year), eq(winnerProfiles.slug, slug)))
    .orderBy(asc(publications.publishedAt))
    .limit(1);
  if (!row) return null;
  return { campaign: { id: row.campaignId, year: row.year, title: row.title }, profile: presentProfile(row) };
}

export interface PublicMedia {
  kind: 'photo' | 'video';
  storageKey: string;
  previewKey: string | null;
  mime: string;
  size: number;
  sha256: string;
}

/**
 * An attachment that a published profile shows: a photo in its photoIds or a video in its videoIds, of that
 * winner's own application, not deleted. Anything else (an unpublished campaign's, a scan, another file of the same
 * candidate) is null: the public media route answers 404.
 */
export async function publishedMedia(db: Db, attachmentId: string): Promise<PublicMedia | null> {
  const listed = JSON.stringify([attachmentId]);
  const [row] = await db
    .select({
      storageKey: attachments.storageKey,
      previewKey: attachments.previewKey,
      mime: attachments.mime,
      size: attachments.size,
      sha256: attachments.sha256,
      asPhoto: sql<boolean>`${winnerProfiles.photoIds} @> ${listed}::jsonb`,
      asVideo: sql<boolean>`${winnerProfiles.videoIds} @> ${listed}::jsonb`,
    })
    .from(attachments)
    .innerJoin(winnerProfiles, eq(winnerProfiles.applicationId, attachments.applicationId))
    .innerJoin(publications, and(eq(publications.campaignId, winnerProfiles.campaignId), eq(publications.status, 'published')))
    .where(
      and(
        eq(attachments.id, attachmentId),
        isNull(attachments.deletedAt),
        sql`(${winnerProfiles.photoIds} @> ${listed}::jsonb or ${winnerProfiles.videoIds} @> ${listed}::jsonb)`,
      ),
    )
    .limit(1);
  if (!row) return null;
  const kind = row.asVideo ? 'video' : 'photo';
  return { kind, storageKey: row.storageKey, previewKey: row.previewKey, mime: row.mime, size: Number(row.size), sha256: row.sha256 };
}
