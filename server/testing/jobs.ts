// Test helper: a job's row once its attempt number `attempts` is over, whoever made it (the test's own
// runJobsUntilIdle, or the app's runner, which may take a due job first).
import { eq } from 'drizzle-orm';
import type { Services } from '../context';
import { jobs } from '../db/schema';
import { runJobsUntilIdle, type Job } from '../jobs/runner';

/**
 * Until the job has made `attempts` attempts and none is running. A claim the app's runner has in flight is not yet
 * visible (PostgreSQL: its row lock makes the test's own claim skip the job, and the row still reads queued with the
 * attempts before), so the count is waited for, not only the end of a `running` status; a due job nobody has taken
 * is run here.
 */
export async function attemptOver(s: Services, jobId: string, attempts: number, timeoutMs = 20_000): Promise<Job> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await s.db.select().from(jobs).where(eq(jobs.id, jobId));
    if (!row) throw new Error(`no job ${jobId}`);
    const counted = row.attempts >= attempts;
    if ((counted && row.status !== 'running') || Date.now() > until) return row;
    if (!counted && row.status === 'queued' && row.runAt.getTime() <= Date.now()) await runJobsUntilIdle(s);
    else await new Promise((r) => setTimeout(r, 20));
  }
}
