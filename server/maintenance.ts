import type { FastifyInstance } from 'fastify';
import { sweepSessions } from './auth/sessions';
import type { Services } from './context';
import { sweepRateLimits } from './rate-limit-store';
import { sweepOrphans } from './usecases/sweep';
import { autoRemind } from './usecases/review-progress';

const HOUR = 60 * 60 * 1000;

/**
 * Housekeeping once at start and then hourly: expired sessions, old rate-limit counters, abandoned resumable uploads, stored files no
 * row refers to, stale temporary files; and 网上评选's automatic 催办 when a window is about to close. Failures are logged and retried next time; they never stop the server.
 */
export function startMaintenance(app: FastifyInstance, s: Services, sweepUploads: () => Promise<number>): void {
  const run = async () => {
    try {
      await sweepSessions(s.db, s.config.sessionIdleMinutes);
      await sweepRateLimits(s.db);
      const uploads = await sweepUploads();
      const orphans = await sweepOrphans(s);
      if (uploads || orphans.objects || orphans.tmpFiles) app.log.info({ uploads, ...orphans }, 'swept abandoned uploads and orphaned files');
      // 网上评选's automatic 催办, once per window across instances (review_reminders' dedupe_key)
      const reminded = await autoRemind(s);
      if (reminded) app.log.info({ campaigns: reminded }, 'sent the automatic 催办 of 网上评选');
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
