// Background jobs as the API shows them (GET /api/jobs, GET /api/jobs/:id; docs/api/exports.md): a job the browser
// follows by id (status, progress) and downloads from once done. Exported from here, not from the core barrel.
import { z } from 'zod';
import { replyText } from './text';

export const JOB_STATUSES = ['queued', 'running', 'done', 'failed', 'cancelled'] as const;
export type JobStatusValue = (typeof JOB_STATUSES)[number];

export const JOB_STATUS_LABELS: Record<JobStatusValue, string> = {
  queued: '排队中',
  running: '进行中',
  done: '已完成',
  failed: '失败',
  cancelled: '已取消',
};

export const jobViewSchema = z.object({
  id: replyText(),
  kind: replyText(),
  /** what the user sees, e.g. 申报表汇总表 (server/jobs/kinds.ts) */
  label: replyText(),
  status: z.enum(JOB_STATUSES),
  progress: z.object({ done: z.number(), total: z.number().nullable() }),
  /** a failure's message in Chinese */
  error: replyText().nullable(),
  /** the produced file once done: its download name, size in bytes and MIME type */
  result: z.object({ name: replyText(), size: z.number(), type: replyText() }).nullable(),
  /** GET this once done (null before, and after a failure or cancel) */
  downloadUrl: replyText().nullable(),
  createdAt: z.iso.datetime(),
  startedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime().nullable(),
});
export type JobView = z.infer<typeof jobViewSchema>;

export const jobListSchema = z.array(jobViewSchema);
