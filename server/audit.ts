import type { Db } from './db/client';
import { auditLog } from './db/schema';

/** One row of the audit log: who (null: the system) did what to which record, with optional details. */
export async function audit(db: Db, actorId: string | null, action: string, targetType: string, targetId: string, detail?: unknown) {
  await db.insert(auditLog).values({ actorId, action, targetType, targetId, detail: detail ?? null });
}
