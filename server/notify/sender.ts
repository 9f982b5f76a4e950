import type { Db } from '../db/client';
import { outbox } from '../db/schema';

export interface Message {
  channel: 'mobile' | 'email' | 'inapp';
  recipient: string;
  userId?: string | null;
  subject: string;
  body: string;
}

/**
 * Sends text messages (短信, e-mail). Every message is kept in the outbox table, which the organizer
 * reads in the UI and tests read directly. A real SMS or mail gateway is another implementation of
 * `deliver` configured at start; the default delivers nothing beyond the outbox.
 */
export interface Sender {
  send(db: Db, message: Message): Promise<void>;
}

export function createOutboxSender(deliver?: (m: Message) => Promise<void>): Sender {
  return {
    async send(db, message) {
      await db.insert(outbox).values({
        channel: message.channel,
        recipient: message.recipient,
        userId: message.userId ?? null,
        subject: message.subject,
        body: message.body,
      });
      if (deliver) await deliver(message);
    },
  };
}
