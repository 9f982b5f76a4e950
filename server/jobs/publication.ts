// Jobs of this area: the scheduled 发布 (server/usecases/publication.ts schedules it with dedupe key publish:<campaign>).
import { AppError } from '../errors';
import { PUBLISH_JOB } from '../../core/publication';
import { runScheduledPublish } from '../usecases/publication';
import { JobFailure, type JobKind } from './types';

export const PUBLICATION_JOBS: Record<string, JobKind> = {
  [PUBLISH_JOB]: {
    label: '定时发布评选结果',
    // the platform's own: nobody owns it; the organizer follows it on the 发布结果 page
    system: true,
    async run(ctx) {
      const campaignId = ctx.job.campaignId;
      if (!campaignId) throw new JobFailure('定时发布缺少评选活动');
      await ctx.progress(0, 1);
      try {
        await runScheduledPublish(ctx.s, campaignId);
      } catch (err) {
        // a refusal (not ready when it ran: an objection arrived, the selection was reopened …) fails the job with its reason
        if (err instanceof AppError && err.code !== 'INTERNAL') throw new JobFailure(err.message);
        throw err;
      }
      await ctx.progress(1, 1);
    },
  },
};
