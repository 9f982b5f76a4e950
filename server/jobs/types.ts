// Background jobs (issue 15, "heavy work runs off the request path"): the contract every kind of job is written to.
// A route enqueues (server/jobs/runner.ts `enqueueJob`) and answers at once with the job; the browser follows it by id
// (GET /api/jobs/:id) and downloads the file it produced (GET /api/jobs/:id/download), checked like an attachment.
import type { Readable } from 'node:stream';
import type { Services } from '../context';

/** A job as its handler sees it: what to do, for whom, within which scope (fixed when the job was made). */
export interface JobRow {
  id: string;
  kind: string;
  campaignId: string | null;
  ownerId: string | null;
  /** set when a unit asked: the handler must read only this unit's data */
  unitId: string | null;
  params: Record<string, unknown>;
  attempts: number;
}

export interface JobContext {
  s: Services;
  job: JobRow;
  /**
   * Reports progress (`done` of `total`, total optional once known). Cheap to call often: it writes at most a few
   * times a second. Throws JobCancelledError once the owner cancelled the job: let it propagate.
   */
  progress(done: number, total?: number): Promise<void>;
  /**
   * Stores the produced file (a path to a finished temporary file under `s.storage.tmpDir`, moved into storage, or a
   * stream written to one first) as the job's result: `name` is the download's file name (Chinese allowed), `type` its
   * MIME type. Call it once, at the end.
   */
  store(name: string, type: string, file: { path: string } | { stream: Readable }): Promise<void>;
  /** a fresh temporary file path in `s.storage.tmpDir` (removed by the runner after the job, whatever happens) */
  tmpFile(ext: string): string;
}

export interface JobKind {
  /** what the user sees in the list of their jobs, e.g. 申报表汇总表 */
  label: string;
  run(ctx: JobContext): Promise<void>;
  /** attempts before a failure is final (default 3); a lease that ran out (killed process) counts as an attempt */
  maxAttempts?: number;
  /** the wait before the next attempt once attempt `attempt` (1, 2, …) failed; default 5 s × attempt */
  retryDelayMs?(attempt: number): number;
  /** a kind whose run needs no owner to see it (e.g. a scheduled 发布) */
  system?: boolean;
}

/** A refusal a handler throws with a message for the user (no retry): e.g. "没有符合条件的申报表". */
export class JobFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JobFailure';
  }
}

export class JobCancelledError extends Error {
  constructor() {
    super('任务已取消');
    this.name = 'JobCancelledError';
  }
}
