import { and, count, desc, eq, inArray, isNull, or, type SQL } from 'drizzle-orm';
import type { NotificationsReply } from '../../core';
import type { SessionUser } from '../auth/sessions';
import type { Services } from '../context';
import { notifications } from '../db/schema';

/** How many messages the bell lists (newest first); the unread count covers all of them. */
const LIST_LIMIT = 50;

/**
 * The messages a user may see: their own, their unit's, or (for organizers) the organizers'. A unit's and
 * the organizers' messages are shared rows, so one account's "read" is read for its colleagues too.
 */
function visibleTo(user: SessionUser): SQL {
  return or(
    eq(notifications.userId, user.id),
    user.unit ? eq(notifications.unitId, user.unit.id) : undefined,
    user.role === 'organizer' ? eq(notifications.role, 'organizer') : undefined,
  )!;
}

async function unreadCount(s: Services, user: SessionUser): Promise<number> {
  const [row] = await s.db
    .select({ n: count() })
    .from(notifications)
    .where(and(visibleTo(user), isNull(notifications.readAt)));
  return Number(row!.n);
}

/** In-app messages for the user, newest first, and how many are unread. */
export async function listNotifications(s: Services, user: SessionUser): Promise<NotificationsReply> {
  const [rows, unread] = await Promise.all([
    s.db.select().from(notifications).where(visibleTo(user)).orderBy(desc(notifications.id)).limit(LIST_LIMIT),
    unreadCount(s, user),
  ]);
  const items = rows.map((n) => ({ id: n.id, applicationId: n.applicationId, body: n.body, createdAt: n.createdAt.toISOString(), read: !!n.readAt }));
  return { items, unread };
}

/**
 * Marks the given messages (or, without ids, all the user's messages) as read. Ids of messages the user
 * may not see are ignored: the visibility condition is part of the update, like every other lookup.
 */
export async function markRead(s: Services, user: SessionUser, ids?: number[]): Promise<{ updated: number; unread: number }> {
  let updated = 0;
  if (!ids || ids.length > 0) {
    const rows = await s.db
      .update(notifications)
      .set({ readAt: new Date() })
      .where(and(visibleTo(user), isNull(notifications.readAt), ids ? inArray(notifications.id, ids) : undefined))
      .returning({ id: notifications.id });
    updated = rows.length;
  }
  return { updated, unread: await unreadCount(s, user) };
}
