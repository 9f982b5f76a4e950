import { and, eq, isNotNull, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import { prepared } from '../db/prepared';
import { outbox, users } from '../db/schema';

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
/** Whose mobiles a text goes to: one account, or every account of a unit. */
export type Recipients = { userId: string } | { unitId: string };

export interface Sender {
  send(db: Db, message: Message): Promise<void>;
  /** A text to the mobile of every account of `to` that has one, in one statement. */
  textUsers(db: Db, to: Recipients, message: Pick<Message, 'subject' | 'body'>): Promise<void>;
}

/** insert … select of one outbox row per account with a mobile; prepared, as every transfer sends one. */
function textStatement(name: string, who: SQL) {
  return prepared((db) =>
    db
      .insert(outbox)
      .select(
        db
          .select({
            id: sql<number>`nextval(pg_get_serial_sequence('outbox', 'id'))`.as('id'),
            channel: sql<string>`'mobile'`.as('channel'),
            recipient: sql<string>`${users.mobile}`.as('recipient'),
            userId: users.id,
            subject: sql<string>`${sql.placeholder('subject')}`.as('subject'),
            body: sql<string>`${sql.placeholder('body')}`.as('body'),
            // insert … select names every column of the table, in order
            createdAt: sql<Date>`now()`.as('created_at'),
          })
          .from(users)
          .where(and(who, isNotNull(users.mobile), sql`${users.mobile} <> ''`)),
      )
      .returning()
      .prepare(name),
  );
}
const textToUser = textStatement('text_to_user', eq(users.id, sql.placeholder('to')));
const textToUnit = textStatement('text_to_unit', eq(users.unitId, sql.placeholder('to')));

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
    async textUsers(db, to, message) {
      const statement = 'userId' in to ? textToUser(db) : textToUnit(db);
      const sent = await statement.execute({ to: 'userId' in to ? to.userId : to.unitId, subject: message.subject, body: message.body });
      if (deliver)
        for (const row of sent) await deliver({ channel: 'mobile', recipient: row.recipient, userId: row.userId, subject: row.subject, body: row.body });
    },
  };
}
