// Test helper: a job's row once no attempt of it is running (the test's own runJobsUntilIdle, or the app's runner,
// which may take a due job first).
import { eq } from 'drizzle-orm';
import type { Services } from '../context';
import { jobs } from '../db/schema';
import type { Job } from '../jobs/runner';

export async function attemptOver(s: Services, jobId: string, timeoutMs = 20_000): Promise<Job> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await s.db.select().from(jobs).where(eq(jobs.id, jobId));
    if (!row) throw new Error(`no job ${jobId}`);
    if (row.status !== 'running' || Date.now() > until) return row;
    await new Promise((r) => setTimeout(r, 20));
  }
}
