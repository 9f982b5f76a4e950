// 发布 (issue 15, 1. and 2.'s 宣传稿, 6.): the request bodies and replies of server/routes/publication.ts, shared with
// the web's 发布结果 page. Not in the core barrel: only that page (and the server) needs them.
import { z } from 'zod';
import { attachmentViewSchema } from './replies';
import { replyText, text } from './text';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The 宣传稿's longest text: a feature article of a few thousand characters, with room to spare. */
export const ARTICLE_MAX_LENGTH = 20_000;
/** The most photos and videos one winner's page shows (the candidate uploads at most this many anyway). */
export const PROFILE_MAX_PHOTOS = 20;
export const PROFILE_MAX_VIDEOS = 10;

/** The kind of the scheduled 发布's job (server/jobs/publication.ts). */
export const PUBLISH_JOB = 'publish';

/** The hour (Beijing time) a scheduled 发布 runs on the campaign's 发布日期 unless the organizer picks another time. */
export const DEFAULT_PUBLISH_HOUR = 9;

/** 发布日期 (YYYY-MM-DD) at 09:00 Beijing time, as an instant (ISO, UTC). */
export function defaultPublishAt(publishDate: string): string {
  return new Date(`${publishDate}T${String(DEFAULT_PUBLISH_HOUR).padStart(2, '0')}:00:00+08:00`).toISOString();
}

/** An instant as Beijing time, e.g. "2023年5月30日 09:00". */
export function beijingDateTime(iso: string): string {
  const d = new Date(new Date(iso).getTime() + 8 * 3_600_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日 ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

// ───────────────────────── bodies ─────────────────────────

/** 立即发布 (`at` absent or null) or 定时发布 at an instant (ISO 8601 with its offset, e.g. 2023-05-30T09:00:00+08:00). */
export const publishInputSchema = z.object({
  at: text('发布时间')
    .trim()
    .refine((v) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(v) && !Number.isNaN(Date.parse(v)), {
      message: '发布时间格式不正确，应为日期和时间，如 2023-05-30T09:00:00+08:00',
    })
    .nullable()
    .optional(),
});
export type PublishInput = z.infer<typeof publishInputSchema>;

const attachmentIds = (label: string, max: number) =>
  z
    .array(
      text(label)
        .trim()
        .regex(UUID, `${label}不正确，请重新选择`)
        .transform((v) => v.toLowerCase()),
      { error: `请选择${label}` },
    )
    .max(max, `${label}最多选择${max}个`)
    .refine((ids) => new Set(ids).size === ids.length, { message: `${label}中有重复的文件` });

/** 编辑宣传稿: the article and the chosen photos (in order: the first is the gallery's picture) and videos. */
export const profileInputSchema = z.object({
  article: text('宣传稿').max(ARTICLE_MAX_LENGTH, `宣传稿不能超过${ARTICLE_MAX_LENGTH}字`),
  photoIds: attachmentIds('照片', PROFILE_MAX_PHOTOS),
  videoIds: attachmentIds('视频', PROFILE_MAX_VIDEOS),
});
export type ProfileInput = z.infer<typeof profileInputSchema>;

/** 创建下一年度评选活动: the new year, with the settings of `copyFrom` moved by the difference in years. */
export const nextCampaignInputSchema = z.object({
  year: z.number({ error: '请填写年度' }).int('年度应为整数').min(2000, '年度不正确').max(2100, '年度不正确'),
  copyFrom: text('复制设置的评选活动')
    .trim()
    .regex(UUID, '复制设置的评选活动不正确，请重新选择')
    .transform((v) => v.toLowerCase()),
});
export type NextCampaignInput = z.infer<typeof nextCampaignInputSchema>;

// ───────────────────────── replies ─────────────────────────

export const PUBLICATION_STATUSES = ['none', 'scheduled', 'published'] as const;
export type PublicationStatus = (typeof PUBLICATION_STATUSES)[number];
export const PUBLICATION_STATUS_LABELS: Record<PublicationStatus, string> = { none: '未发布', scheduled: '已定时发布', published: '已发布' };

export const profileSummarySchema = z.object({
  applicationId: replyText(),
  slug: replyText(),
  /** the selection's order, 1… */
  position: z.number().int(),
  name: replyText(),
  workUnit: replyText(),
  field: replyText(),
  /** 推荐全国 (a national recommendee, also a winner) */
  national: z.boolean(),
  /** characters of the 宣传稿 (the list shows whether it is written) */
  articleLength: z.number().int(),
  photoCount: z.number().int(),
  videoCount: z.number().int(),
  /** the gallery's picture (the first chosen photo), for the thumbnail at /api/attachments/:id/preview */
  coverId: replyText().nullable(),
  updatedAt: replyText(),
  updatedByName: replyText().nullable(),
});
export type ProfileSummary = z.infer<typeof profileSummarySchema>;

export const publicationStateSchema = z.object({
  campaignId: replyText(),
  year: z.number().int(),
  title: replyText(),
  status: z.enum(PUBLICATION_STATUSES),
  statusLabel: replyText(),
  /** 定时发布: when the platform runs it */
  scheduledAt: replyText().nullable(),
  publishedAt: replyText().nullable(),
  /** the default time of a 定时发布: the campaign's 发布日期 at 09:00 Beijing time */
  defaultAt: replyText(),
  /** the final 公示 over, no open objection, the confirmed selection equal to its list */
  readiness: z.object({ ready: z.boolean(), reason: replyText().nullable() }),
  /** the last scheduled run that failed (not ready when it ran): its reason, for the organizer */
  lastFailure: z.object({ at: replyText(), error: replyText() }).nullable(),
  profiles: z.array(profileSummarySchema),
});
export type PublicationState = z.infer<typeof publicationStateSchema>;

export const profileDetailSchema = profileSummarySchema.extend({
  campaignId: replyText(),
  article: replyText(),
  photoIds: z.array(replyText()),
  videoIds: z.array(replyText()),
  /** the candidate's own live photos and videos, to choose from */
  photos: z.array(attachmentViewSchema),
  videos: z.array(attachmentViewSchema),
  /** 发布 done: a change now is a correction of the public page (recorded: who and when) */
  published: z.boolean(),
});
export type ProfileDetail = z.infer<typeof profileDetailSchema>;

export const nextCampaignReplySchema = z.object({ id: replyText(), year: z.number().int(), title: replyText() });
export type NextCampaignReply = z.infer<typeof nextCampaignReplySchema>;

/** The campaigns of every year, newest first, with their 发布 status: the 发布结果 page's year picker. */
export const publicationCampaignSchema = z.object({
  id: replyText(),
  year: z.number().int(),
  title: replyText(),
  status: z.enum(PUBLICATION_STATUSES),
  statusLabel: replyText(),
});
export type PublicationCampaign = z.infer<typeof publicationCampaignSchema>;
