// Test helper: an image's preview is made by a job (server/jobs/media.ts) a moment after its upload. Tests that look at
// a preview wait for it here, as the page waits while it shows 预览生成中.
import { and, inArray, isNull } from 'drizzle-orm';
import type { Services } from '../context';
import { attachments } from '../db/schema';
import { runJobsUntilIdle } from '../jobs/runner';

/** Until each of these attachments (default: every image not deleted) has its preview; runs the queue meanwhile. */
export async function previewsMade(s: Services, ids?: readonly string[], timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    await runJobsUntilIdle(s);
    const missing = await s.db
      .select({ id: attachments.id })
      .from(attachments)
      .where(
        and(
          isNull(attachments.previewKey),
          isNull(attachments.deletedAt),
          inArray(attachments.mime, ['image/jpeg', 'image/png']),
          ids ? inArray(attachments.id, [...ids]) : undefined,
        ),
      );
    if (!missing.length) return;
    if (Date.now() > until) throw new Error(`no preview after ${timeoutMs} ms: ${missing.map((m) => m.id).join(', ')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
