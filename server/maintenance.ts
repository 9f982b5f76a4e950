import type { FastifyInstance } from 'fastify';
import { sweepSessions } from './auth/sessions';
import type { Services } from './context';
import { sweepRateLimits } from './rate-limit-store';
import { sweepOrphans, sweepRecords } from './usecases/sweep';
import { autoRemind } from './usecases/review-progress';

const HOUR = 60 * 60 * 1000;

/**
 * Housekeeping once at start and then hourly: expired sessions, old rate-limit counters, abandoned resumable uploads, stored files no
 * row refers to, stale temporary files, jobs' files after 7 days and ended jobs and messages after 180 (usecases/sweep.ts); and 网上评选's automatic 催办 when a window is about to close (enqueued as a review-auto-remind job: server/jobs/messages.ts). Failures are logged and retried next time; they never stop the server.
 * Never the audit log: it is kept forever (issue 16 asks for 180 days at least; a deleted row would also break the hash chain
 * that `npm run cli -- audit verify` walks — server/audit.ts).
 */
export function startMaintenance(app: FastifyInstance, s: Services, sweepUploads: () => Promise<number>): void {
  const run = async () => {
    try {
      await sweepSessions(s.db, s.config.sessionIdleMinutes);
      await sweepRateLimits(s.db);
      const uploads = await sweepUploads();
      const orphans = await sweepOrphans(s);
      if (uploads || orphans.objects || orphans.tmpFiles) app.log.info({ uploads, ...orphans }, 'swept abandoned uploads and orphaned files');
      const records = await sweepRecords(s);
      if (records.results || records.jobs || records.messages) app.log.info(records, 'swept expired job files, old jobs and old messages');
      // 网上评选's automatic 催办: one review-auto-remind job per campaign and window however many instances sweep (its dedupe
      // key), sent once (review_reminders' dedupe_key), retried like any job
      const reminded = await autoRemind(s);
      if (reminded) app.log.info({ campaigns: reminded }, 'queued the automatic 催办 of 网上评选');
    } catch (err) {
      app.log.error(err, 'housekeeping failed');
    }
  };
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const next = () => {
    running = running.then(run);
  };
  app.addHook('onReady', async () => {
    next();
    timer = setInterval(next, HOUR);
    timer.unref();
  });
  app.addHook('onClose', async () => {
    clearInterval(timer);
    await running; // the database closes after the app: let a sweep in progress finish first
  });
}
