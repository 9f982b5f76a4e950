// Background jobs (docs/api/exports.md "Jobs"): follow a job by id (status, progress) and download what it produced.
// Other areas' pages (证书 ZIP, 发布) import getJob/downloadUrl from here. The types are core/jobs's (type-only here).
import { api } from '../api';
import type { JobStatusValue, JobView } from '../../../core/jobs';

export type { JobStatusValue, JobView };

const base = (id: string) => `/api/jobs/${encodeURIComponent(id)}`;

/** The caller's own jobs, newest first. */
export const listJobs = () => api<JobView[]>('GET', '/api/jobs');
export const getJob = (id: string) => api<JobView>('GET', base(id));
export const cancelJob = (id: string) => api<JobView>('POST', `${base(id)}/cancel`, {});
/** A plain link to the produced file (the browser sends the session cookie and saves it under its Chinese name). */
export const downloadUrl = (id: string) => `${base(id)}/download`;
/** ended: nothing more will change (done, failed or cancelled) */
export const jobEnded = (job: Pick<JobView, 'status'>) => job.status === 'done' || job.status === 'failed' || job.status === 'cancelled';
/** 0–100 for antd Progress (unknown total: 0 while queued, 99 cap until done) */
export function jobPercent(job: Pick<JobView, 'status' | 'progress'>): number {
  if (job.status === 'done') return 100;
  const { done, total } = job.progress;
  if (!total) return 0;
  return Math.min(99, Math.floor((done / total) * 100));
}
