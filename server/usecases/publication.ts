// 发布 (issue 15, 1.): the organizer publishes the campaign's result at once or at a scheduled time (a system job,
// server/jobs/publication.ts, run by the platform itself); 宣传稿 (2.): one winner_profiles row per confirmed winner,
// edited before 发布 and correctable after it; the year after (6.): the next campaign from this one's settings.
//
// 发布 is one transaction under the selection's lock (shortlist.ts lockSelection, the lock every change of the
// selection and the final 公示 takes): readiness re-checked (selection.ts readyToPublish), every candidate in 评审中
// moved to 当选 / 推荐全国 / 未当选 through the workflow table (application_events, the applicant told), the certificates
// numbered (certificates.ts issueCertificates), the profiles frozen from the 申请书's public fields, the publications
// row and a selection_events row.
import { and, asc, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { chinaToday, PUBLISH_ACTION, type ApplicationForm, type CampaignSettings } from '../../core';
import {
  beijingDateTime,
  defaultPublishAt,
  PUBLICATION_STATUS_LABELS,
  PUBLISH_JOB,
  type NextCampaignInput,
  type NextCampaignReply,
  type ProfileDetail,
  type ProfileInput,
  type ProfileSummary,
  type PublicationCampaign,
  type PublicationState,
  type PublicationStatus,
} from '../../core/publication';
import { presentSessionUser, type SessionUser } from '../auth/sessions';
import type { Services } from '../context';
import type { Db } from '../db/client';
import { applications, attachments, campaigns, jobs, publications, selectionEvents, selections, users, winnerProfiles } from '../db/schema';
import { AppError, notFound } from '../errors';
import { enqueueJob } from '../jobs/runner';
import { getCampaign } from './campaigns';
import { issueCertificates } from './certificates';
import { presentAttachment } from './presenters';
import { selectionState } from './selection';
import { lockSelection } from './shortlist';
import { transitionInTx } from './workflow';

type Tx = Db;
type ProfileRow = typeof winnerProfiles.$inferSelect;

export const publishKey = (campaignId: string) => `publish:${campaignId}`;

const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
/** The services with the caller's transaction as their database: use cases written for Services run inside it. */
const within = (s: Services, tx: Tx): Services => ({ ...s, db: tx });

async function publicationRow(db: Db, campaignId: string) {
  const [row] = await db.select().from(publications).where(eq(publications.campaignId, campaignId));
  return row;
}

async function confirmedPick(db: Db, campaignId: string) {
  const [row] = await db.select().from(selections).where(eq(selections.campaignId, campaignId));
  if (row?.status !== 'confirmed') return null;
  return { winners: (row.winners ?? []) as string[], nationals: (row.nationals ?? []) as string[] };
}

/** The 宣传稿's starting text: 主要事迹, a blank line, 感人故事. */
export function draftArticle(form: ApplicationForm): string {
  return [str(form.mainDeeds), str(form.story)].filter(Boolean).join('\n\n');
}

/**
 * The profiles made from the confirmed selection: one per winner (and per national recommendee not among them), in
 * the selection's order (position 1…, slug 01…), with the 申请书's PUBLIC fields only — 姓名, 工作单位, 推荐领域 and
 * the national mark; never 身份证号码, phone, e-mail, address or birth date. A new profile starts with the 宣传稿 from
 * 主要事迹 and 感人故事 and every live photo and video of the candidate. An existing one keeps its article and media;
 * a profile of someone no longer picked goes. After 发布 nothing here changes them: they are frozen.
 */
async function syncProfiles(tx: Tx, campaignId: string): Promise<void> {
  const pick = await confirmedPick(tx, campaignId);
  if (!pick) return;
  const nationals = new Set(pick.nationals);
  const order = [...pick.winners, ...pick.nationals.filter((id) => !pick.winners.includes(id))];
  const existing = await tx.select().from(winnerProfiles).where(eq(winnerProfiles.campaignId, campaignId));
  const stale = existing.filter((p) => !order.includes(p.applicationId)).map((p) => p.applicationId);
  if (stale.length) await tx.delete(winnerProfiles).where(inArray(winnerProfiles.applicationId, stale));
  if (!order.length) return;
  const apps = await tx
    .select({ id: applications.id, name: applications.applicantName, workUnit: applications.workUnit, form: applications.form })
    .from(applications)
    .where(inArray(applications.id, order));
  const appOf = new Map(apps.map((a) => [a.id, a]));
  const files = await tx
    .select({ id: attachments.id, applicationId: attachments.applicationId, kind: attachments.kind })
    .from(attachments)
    .where(and(inArray(attachments.applicationId, order), inArray(attachments.kind, ['photo', 'video']), isNull(attachments.deletedAt)))
    .orderBy(asc(attachments.seq), asc(attachments.createdAt));
  const had = new Map(existing.map((p) => [p.applicationId, p]));
  // slugs follow positions; moved out of the way first, since (campaign, slug) is unique at every statement
  await tx
    .update(winnerProfiles)
    .set({ slug: sql`'~' || ${winnerProfiles.applicationId}::text` })
    .where(eq(winnerProfiles.campaignId, campaignId));
  for (const [i, id] of order.entries()) {
    const app = appOf.get(id);
    if (!app) continue;
    const form = (app.form ?? {}) as ApplicationForm;
    const common = {
      slug: String(i + 1).padStart(2, '0'),
      position: i + 1,
      name: str(app.name) || str(form.name),
      workUnit: str(app.workUnit) || str(form.workUnit),
      field: str(form.field),
      national: nationals.has(id),
    };
    if (had.has(id)) {
      await tx.update(winnerProfiles).set(common).where(eq(winnerProfiles.applicationId, id));
    } else {
      const mine = files.filter((f) => f.applicationId === id);
      await tx.insert(winnerProfiles).values({
        applicationId: id,
        campaignId,
        ...common,
        article: draftArticle(form),
        photoIds: mine.filter((f) => f.kind === 'photo').map((f) => f.id),
        videoIds: mine.filter((f) => f.kind === 'video').map((f) => f.id),
      });
    }
  }
}

function summaryOf(p: ProfileRow, updatedByName: string | null): ProfileSummary {
  const photoIds = (p.photoIds ?? []) as string[];
  return {
    applicationId: p.applicationId,
    slug: p.slug,
    position: p.position,
    name: p.name,
    workUnit: p.workUnit,
    field: p.field,
    national: p.national,
    articleLength: Array.from(p.article).length,
    photoCount: photoIds.length,
    videoCount: ((p.videoIds ?? []) as string[]).length,
    coverId: photoIds[0] ?? null,
    updatedAt: p.updatedAt.toISOString(),
    updatedByName,
  };
}

async function profileRows(db: Db, campaignId: string) {
  return db
    .select({ p: winnerProfiles, by: users.realName })
    .from(winnerProfiles)
    .leftJoin(users, eq(users.id, winnerProfiles.updatedBy))
    .where(eq(winnerProfiles.campaignId, campaignId))
    .orderBy(asc(winnerProfiles.position));
}

/**
 * Whether 发布 may happen now (selection.ts readyToPublish), or, for a 定时发布 at `at`, whether it will be once the
 * final 公示 has ended: every other condition holds now and the 公示 ends before that day. Re-checked when it runs.
 */
async function readiness(s: Services, campaignId: string, at?: Date): Promise<{ ready: boolean; reason: string | null }> {
  const state = await selectionState(s, campaignId);
  if (state.readyToPublish.ready || !at) return state.readyToPublish;
  const f = state.finalPublicity;
  const onlyPeriod =
    state.status === 'confirmed' && !!f && f.matchesPick && f.objectionsOpen === 0 && !state.removals.some((r) => r.stillPicked) && f.phaseLabel !== '已结束';
  if (onlyPeriod && f.endsOn < chinaToday(at)) return { ready: true, reason: null };
  if (onlyPeriod) return { ready: false, reason: `最终公示期至${f.endsOn}，定时发布的时间须在公示期满之后` };
  return state.readyToPublish;
}

async function lastFailure(db: Db, campaignId: string) {
  const [job] = await db
    .select({ error: jobs.error, at: jobs.finishedAt })
    .from(jobs)
    .where(and(eq(jobs.kind, PUBLISH_JOB), eq(jobs.campaignId, campaignId), eq(jobs.status, 'failed')))
    .orderBy(desc(jobs.finishedAt))
    .limit(1);
  return job?.at ? { at: job.at.toISOString(), error: job.error ?? '定时发布未能执行' } : null;
}

/** GET the campaigns, newest first, each with its 发布 status. */
export async function listCampaigns(s: Services): Promise<PublicationCampaign[]> {
  const rows = await s.db
    .select({ id: campaigns.id, year: campaigns.year, title: campaigns.title, status: publications.status })
    .from(campaigns)
    .leftJoin(publications, eq(publications.campaignId, campaigns.id))
    .orderBy(desc(campaigns.year));
  return rows.map((r) => {
    const status = (r.status as PublicationStatus | null) ?? 'none';
    return { id: r.id, year: r.year, title: r.title, status, statusLabel: PUBLICATION_STATUS_LABELS[status] };
  });
}

/** GET the campaign's 发布: its status, the time, readiness with its reason, and the winners' profiles. */
export async function publicationState(s: Services, campaignId: string): Promise<PublicationState> {
  const campaign = await getCampaign(s.db, campaignId);
  // the profiles follow the confirmed selection until 发布 (made here, under the selection's lock)
  await s.db.transaction(async (tx) => {
    await lockSelection(tx, campaignId);
    if ((await publicationRow(tx, campaignId))?.status !== 'published') await syncProfiles(tx, campaignId);
  });
  const row = await publicationRow(s.db, campaignId);
  const status: PublicationStatus = (row?.status as PublicationStatus | undefined) ?? 'none';
  const failure = status === 'none' ? await lastFailure(s.db, campaignId) : null;
  const ready =
    status === 'published' ? { ready: false, reason: `评选结果已于${beijingDateTime(row!.publishedAt!.toISOString())}发布` } : await readiness(s, campaignId);
  return {
    campaignId,
    year: campaign.year,
    title: campaign.title,
    status,
    statusLabel: PUBLICATION_STATUS_LABELS[status],
    scheduledAt: status === 'scheduled' ? (row?.scheduledAt?.toISOString() ?? null) : null,
    publishedAt: row?.publishedAt?.toISOString() ?? null,
    defaultAt: defaultPublishAt(campaign.settings.publishDate),
    readiness: ready,
    lastFailure: failure,
    profiles: (await profileRows(s.db, campaignId)).map(({ p, by }) => summaryOf(p, by)),
  };
}

function requireNotPublished(row: typeof publications.$inferSelect | undefined) {
  if (row?.status === 'published') {
    throw new AppError('CONFLICT', `本年度评选结果已于${beijingDateTime(row.publishedAt!.toISOString())}发布，不能重复发布`);
  }
}

async function selectionEvent(tx: Tx, actorId: string, campaignId: string, action: string, data: { input?: unknown; output?: unknown; reason?: string }) {
  await tx.insert(selectionEvents).values({
    campaignId,
    action,
    input: data.input ?? null,
    output: data.output ?? null,
    reason: data.reason ?? null,
    actorId,
  });
}

/** The live scheduled run, cancelled (in the caller's transaction); refused while it is running. */
async function cancelScheduledJob(tx: Tx, campaignId: string) {
  const [running] = await tx
    .select({ id: jobs.id })
    .from(jobs)
    .where(and(eq(jobs.dedupeKey, publishKey(campaignId)), eq(jobs.status, 'running')));
  if (running) throw new AppError('CONFLICT', '定时发布正在执行，请稍后刷新页面查看结果');
  await tx
    .update(jobs)
    .set({ status: 'cancelled', finishedAt: new Date() })
    .where(and(eq(jobs.dedupeKey, publishKey(campaignId)), eq(jobs.status, 'queued')));
}

/**
 * 发布 in the caller's transaction, acting as `user` (the organizer who pressed 立即发布, or who scheduled it).
 * Refused (409) when already published or not ready; otherwise every candidate in 评审中 gets its outcome.
 */
export async function publishInTx(s: Services, tx: Tx, user: SessionUser, campaignId: string, opts: { scheduled: boolean }) {
  await lockSelection(tx, campaignId);
  const campaign = await getCampaign(tx, campaignId);
  const row = await publicationRow(tx, campaignId);
  requireNotPublished(row);
  const inTx = within(s, tx);
  const ready = await readiness(inTx, campaignId);
  if (!ready.ready) throw new AppError('CONFLICT', `尚不能发布评选结果：${ready.reason ?? ''}`);
  const pick = (await confirmedPick(tx, campaignId))!;
  const winners = new Set(pick.winners);
  const nationals = new Set(pick.nationals);
  const candidates = await tx
    .select({ id: applications.id })
    .from(applications)
    .where(and(eq(applications.campaignId, campaignId), eq(applications.status, 'final_review'), isNull(applications.deletedAt)))
    .orderBy(asc(applications.seq));
  const inReview = new Set(candidates.map((c) => c.id));
  const missing = [...winners, ...nationals].filter((id) => !inReview.has(id));
  if (missing.length) throw new AppError('CONFLICT', '确认的名单中有候选人不在“评审中”状态，不能发布：请刷新页面核对名单');
  const outcome = (id: string) => (nationals.has(id) ? 'national' : winners.has(id) ? 'won' : 'not_won');
  for (const { id } of candidates) await transitionInTx(inTx, tx, user, id, PUBLISH_ACTION[outcome(id)]);
  await syncProfiles(tx, campaignId);
  await issueCertificates(tx, campaignId, chinaToday());
  const now = new Date();
  await tx
    .insert(publications)
    .values({ campaignId, status: 'published', publishedAt: now, scheduledAt: row?.scheduledAt ?? null, actorId: user.id, updatedAt: now })
    .onConflictDoUpdate({ target: publications.campaignId, set: { status: 'published', publishedAt: now, actorId: user.id, updatedAt: now } });
  if (!opts.scheduled) await cancelScheduledJob(tx, campaignId);
  const counts = { won: 0, national: 0, not_won: 0 };
  for (const { id } of candidates) counts[outcome(id)]++;
  await selectionEvent(tx, user.id, campaignId, 'publish', {
    input: { scheduled: opts.scheduled, scheduledAt: row?.scheduledAt?.toISOString() ?? null },
    output: { winners: pick.winners, nationals: pick.nationals, counts, year: campaign.year },
  });
}

/** POST …/publish: at once (`at` absent or null), or scheduled at `at` (a system job, dedupe key publish:<id>). */
export async function publish(s: Services, user: SessionUser, campaignId: string, input: { at?: string | null }): Promise<PublicationState> {
  await getCampaign(s.db, campaignId);
  if (input.at === undefined || input.at === null) {
    await s.db.transaction((tx) => publishInTx(s, tx, user, campaignId, { scheduled: false }));
    return publicationState(s, campaignId);
  }
  const at = new Date(input.at);
  if (at.getTime() <= Date.now() + 60_000) {
    const message = '定时发布的时间须晚于当前时间；如需现在发布，请点击【立即发布】';
    throw new AppError('VALIDATION', message, [{ field: 'at', label: '发布时间', message }]);
  }
  await s.db.transaction(async (tx) => {
    await lockSelection(tx, campaignId);
    requireNotPublished(await publicationRow(tx, campaignId));
    const ready = await readiness(within(s, tx), campaignId, at);
    if (!ready.ready) throw new AppError('CONFLICT', `尚不能定时发布：${ready.reason ?? ''}`);
    // a new time replaces the old one: the queued run is cancelled, a new one made
    await cancelScheduledJob(tx, campaignId);
    const now = new Date();
    await tx
      .insert(publications)
      .values({ campaignId, status: 'scheduled', scheduledAt: at, actorId: user.id, updatedAt: now })
      .onConflictDoUpdate({ target: publications.campaignId, set: { status: 'scheduled', scheduledAt: at, actorId: user.id, updatedAt: now } });
    await enqueueJob(tx, { kind: PUBLISH_JOB, campaignId, params: { actorId: user.id }, runAt: at, dedupeKey: publishKey(campaignId) });
    await selectionEvent(tx, user.id, campaignId, 'schedulePublish', { input: { at: at.toISOString() } });
  });
  return publicationState(s, campaignId);
}

/** POST …/cancel: the 定时发布 withdrawn, until it has run. */
export async function cancelPublish(s: Services, user: SessionUser, campaignId: string): Promise<PublicationState> {
  await getCampaign(s.db, campaignId);
  await s.db.transaction(async (tx) => {
    await lockSelection(tx, campaignId);
    const row = await publicationRow(tx, campaignId);
    requireNotPublished(row);
    if (row?.status !== 'scheduled') throw new AppError('CONFLICT', '没有待执行的定时发布');
    await cancelScheduledJob(tx, campaignId);
    await tx.delete(publications).where(eq(publications.campaignId, campaignId));
    await selectionEvent(tx, user.id, campaignId, 'cancelPublish', { input: { at: row.scheduledAt?.toISOString() ?? null } });
  });
  return publicationState(s, campaignId);
}

/**
 * The scheduled run (server/jobs/publication.ts): 发布 in the name of the organizer who scheduled it. When it is no
 * longer scheduled (cancelled meanwhile, or already published) it does nothing. Not ready: the schedule is withdrawn
 * and the refusal is thrown for the job to fail with it (the organizer sees it on the 发布结果 page).
 */
export async function runScheduledPublish(s: Services, campaignId: string): Promise<'published' | 'skipped'> {
  const row = await publicationRow(s.db, campaignId);
  if (row?.status !== 'scheduled') return 'skipped';
  const [actor] = await s.db.select().from(users).where(eq(users.id, row.actorId));
  if (!actor || actor.role !== 'organizer') throw new AppError('CONFLICT', '安排定时发布的账号已不是自治区科协账号，请重新安排发布');
  const user = presentSessionUser(actor, null);
  try {
    await s.db.transaction((tx) => publishInTx(s, tx, user, campaignId, { scheduled: true }));
    return 'published';
  } catch (err) {
    if (err instanceof AppError && err.code === 'CONFLICT') {
      await s.db.transaction(async (tx) => {
        await lockSelection(tx, campaignId);
        await tx.delete(publications).where(and(eq(publications.campaignId, campaignId), eq(publications.status, 'scheduled')));
        await selectionEvent(tx, row.actorId, campaignId, 'publishFailed', { reason: err.message });
      });
    }
    throw err;
  }
}

// ───────────────────────── 宣传稿 ─────────────────────────

async function loadProfile(db: Db, applicationId: string) {
  if (!/^[0-9a-f-]{36}$/i.test(applicationId)) throw notFound('当选人员');
  const [row] = await db
    .select({ p: winnerProfiles, by: users.realName })
    .from(winnerProfiles)
    .leftJoin(users, eq(users.id, winnerProfiles.updatedBy))
    .where(eq(winnerProfiles.applicationId, applicationId));
  if (!row) throw notFound('当选人员');
  return row;
}

/** GET a profile with the candidate's own live photos and videos to choose from. */
export async function getProfile(s: Services, applicationId: string): Promise<ProfileDetail> {
  const { p, by } = await loadProfile(s.db, applicationId);
  const files = await s.db
    .select()
    .from(attachments)
    .where(and(eq(attachments.applicationId, applicationId), inArray(attachments.kind, ['photo', 'video']), isNull(attachments.deletedAt)))
    .orderBy(asc(attachments.seq), asc(attachments.createdAt));
  const pub = await publicationRow(s.db, p.campaignId);
  return {
    ...summaryOf(p, by),
    campaignId: p.campaignId,
    article: p.article,
    photoIds: (p.photoIds ?? []) as string[],
    videoIds: (p.videoIds ?? []) as string[],
    photos: files.filter((f) => f.kind === 'photo').map((f) => presentAttachment(f, p.name)),
    videos: files.filter((f) => f.kind === 'video').map((f) => presentAttachment(f, p.name)),
    published: pub?.status === 'published',
  };
}

/**
 * PUT a profile: the 宣传稿 and the chosen photos and videos, each the candidate's own live attachment of that kind
 * (anything else: 400 naming it). After 发布 it is a correction: recorded (updated_by/at and a selection_events row).
 */
export async function updateProfile(s: Services, user: SessionUser, applicationId: string, input: ProfileInput): Promise<ProfileDetail> {
  await s.db.transaction(async (tx) => {
    const { p } = await loadProfile(tx, applicationId);
    await lockSelection(tx, p.campaignId);
    const ids = [...input.photoIds, ...input.videoIds];
    const own = ids.length
      ? await tx
          .select({ id: attachments.id, kind: attachments.kind })
          .from(attachments)
          .where(and(inArray(attachments.id, ids), eq(attachments.applicationId, applicationId), isNull(attachments.deletedAt)))
      : [];
    const kindOf = new Map(own.map((a) => [a.id, a.kind]));
    for (const [field, label, kind] of [
      ['photoIds', '照片', 'photo'],
      ['videoIds', '视频', 'video'],
    ] as const) {
      const foreign = input[field].filter((id) => kindOf.get(id) !== kind);
      if (foreign.length) {
        const message = `${label}中有不是${p.name}本人${label}的文件或已删除的文件（${foreign.join('、')}）：只能选择该当选人员自己上传的${label}`;
        throw new AppError('VALIDATION', message, [{ field, label, message }]);
      }
    }
    const now = new Date();
    await tx
      .update(winnerProfiles)
      .set({ article: input.article, photoIds: input.photoIds, videoIds: input.videoIds, updatedBy: user.id, updatedAt: now })
      .where(eq(winnerProfiles.applicationId, applicationId));
    if ((await publicationRow(tx, p.campaignId))?.status === 'published') {
      await selectionEvent(tx, user.id, p.campaignId, 'correctProfile', {
        input: { applicationId, before: { article: p.article, photoIds: p.photoIds, videoIds: p.videoIds }, after: input },
      });
    }
  });
  return getProfile(s, applicationId);
}

// ───────────────────────── the year after ─────────────────────────

/** Every date (YYYY-MM-DD) anywhere in the settings moved by `years`; 29 February becomes 28 February. */
export function shiftSettingsYears<T>(value: T, years: number): T {
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const y = Number(value.slice(0, 4)) + years;
    let md = value.slice(4);
    if (md === '-02-29' && !(y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0))) md = '-02-28';
    return `${String(y).padStart(4, '0')}${md}` as T;
  }
  if (Array.isArray(value)) return value.map((v) => shiftSettingsYears(v, years)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shiftSettingsYears(v, years)])) as T;
  }
  return value;
}

/**
 * 创建下一年度评选活动: a campaign of the same program for `year`, with `copyFrom`'s settings, every date moved by the
 * years between them, and its title with the year replaced. The earlier campaign, its applications, profiles and
 * public pages are not touched. One campaign per program and year (409 otherwise).
 */
export async function createNextCampaign(s: Services, user: SessionUser, input: NextCampaignInput): Promise<NextCampaignReply> {
  const source = await getCampaign(s.db, input.copyFrom);
  if (input.year <= source.year) {
    const message = `新的评选活动年度须晚于${source.year}年`;
    throw new AppError('VALIDATION', message, [{ field: 'year', label: '年度', message }]);
  }
  const settings: CampaignSettings = shiftSettingsYears(source.settings, input.year - source.year);
  const title = source.title.includes(String(source.year))
    ? source.title.replaceAll(String(source.year), String(input.year))
    : `${input.year}年${source.title}`;
  const [src] = await s.db.select({ programId: campaigns.programId }).from(campaigns).where(eq(campaigns.id, source.id));
  const created = await s.db.transaction(async (tx) => {
    const [clash] = await tx
      .select({ id: campaigns.id })
      .from(campaigns)
      .where(and(eq(campaigns.programId, src!.programId), eq(campaigns.year, input.year)));
    if (clash) throw new AppError('CONFLICT', `${input.year}年度的评选活动已存在，不能重复创建`);
    const [row] = await tx.insert(campaigns).values({ programId: src!.programId, year: input.year, title, settings }).onConflictDoNothing().returning();
    if (!row) throw new AppError('CONFLICT', `${input.year}年度的评选活动已存在，不能重复创建`);
    await tx
      .insert(selectionEvents)
      .values({ campaignId: row.id, action: 'createCampaign', input: { copyFrom: source.id, year: input.year }, actorId: user.id });
    return row;
  });
  return { id: created.id, year: created.year, title: created.title };
}
