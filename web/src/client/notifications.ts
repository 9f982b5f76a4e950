// 消息通知 (docs/API.md "Notifications").
import { api } from '../api';
import type { AppNotification, NotificationsReply } from '../types';

/** GET /api/notifications: the 50 newest and the count of all unread. */
export function listNotifications(): Promise<NotificationsReply> {
  return api<NotificationsReply>('GET', '/api/notifications');
}

/** POST /api/notifications/read: those `ids` (none: all of the user's messages). */
export function markNotificationsRead(ids?: AppNotification['id'][]): Promise<{ updated: number; unread: number }> {
  return api<{ updated: number; unread: number }>('POST', '/api/notifications/read', ids ? { ids } : {});
}
