import { desc } from 'drizzle-orm';
import type { OutboxMessage } from '../../core';
import type { Db } from '../db/client';
import { outbox } from '../db/schema';

/** 消息发件箱: every SMS and e-mail the sender wrote (server/notify), newest first, at most `limit`. */
export async function listOutbox(db: Db, limit = 500): Promise<OutboxMessage[]> {
  const rows = await db.select().from(outbox).orderBy(desc(outbox.id)).limit(limit);
  return rows.map((r) => ({
    id: r.id,
    channel: r.channel,
    recipient: r.recipient,
    subject: r.subject,
    body: r.body,
    template: r.template,
    status: r.status,
    provider: r.provider,
    providerMessageId: r.providerMessageId,
    attempts: r.attempts,
    error: r.error,
    sentAt: r.sentAt?.toISOString() ?? null,
    createdAt: r.createdAt.toISOString(),
  }));
}
