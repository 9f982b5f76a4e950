// Reply shapes of docs/API.md: those the server presents are defined once in core/replies.ts.
import type { SessionUser as User } from '../../core';

export type {
  Abilities,
  AdminUnit,
  AppNotification,
  ApplicationDetail,
  ApplicationRow,
  ChangesReply,
  CheckReply,
  FieldChange,
  HistoryEntry,
  NotificationsReply,
  UnitRef,
  CampaignView as Campaign,
  QueryResult as QueryReply,
  SessionUser as User,
  AttachmentView as Attachment,
} from '../../core';

export interface MeReply {
  user: User | null;
  oidc: { enabled: boolean; name: string };
}

export interface OutboxMessage {
  id: string;
  channel: 'mobile' | 'email' | string;
  recipient: string;
  subject: string;
  body: string;
  createdAt: string;
}
