import { and, eq, isNotNull, sql, type SQL } from 'drizzle-orm';
import { DELIVER_JOB, MESSAGE_DEFS, renderTemplate, type MessageKey, type TemplateChannel } from '../../core/messages';
import type { Db } from '../db/client';
import { prepared } from '../db/prepared';
import { messageTemplates, outbox, users } from '../db/schema';
import { enqueueJob } from '../jobs/runner';
import type { MessagingConfig } from './config';

/** What to send: a template and its placeholders' values (the text is made from the current template), or a ready text. */
export type Content =
  | { template: MessageKey; values: Record<string, string | number>; subject?: undefined; body?: undefined }
  | { subject: string; body: string; template?: undefined; values?: undefined };

export type Message = { channel: 'mobile' | 'email' | 'inapp'; recipient: string; userId?: string | null } & Content;

/** Whose mobiles a text goes to: one account, or every account of a unit. */
export type Recipients = { userId: string } | { unitId: string };

/**
 * Sends text messages (短信, e-mail). Every message is kept in the outbox table (消息发件箱), the record of what was
 * sent and whether delivery succeeded. With a real sender configured (SMS_PROVIDER, SMTP_HOST: server/notify/config.ts)
 * the row is 'queued' and a deliver-message job is enqueued in the same transaction (it exists only if the business
 * change commits; retried with backoff; the row ends 'sent' or 'failed'). Without one the row is only 'recorded' and
 * no job is made, so 【提交】 and the transfers pay one insert as before.
 */
export interface Sender {
  send(db: Db, message: Message): Promise<void>;
  /** A text to the mobile of every account of `to` that has one, in one statement. */
  textUsers(db: Db, to: Recipients, message: Content): Promise<void>;
  /** which provider a channel's messages go through (null: recorded only) */
  providerFor(channel: string): string | null;
}

const templateChannel = (channel: string): TemplateChannel => (channel === 'email' ? 'email' : 'sms');

const templateRow = prepared((db) =>
  db
    .select({ subject: messageTemplates.subject, body: messageTemplates.body })
    .from(messageTemplates)
    .where(and(eq(messageTemplates.key, sql.placeholder('key')), eq(messageTemplates.channel, sql.placeholder('channel'))))
    .prepare('message_template'),
);

/** A message's subject and body from the current template (the organizer's, else the default in core/messages.ts). */
export async function compose(db: Db, channel: string, content: Content): Promise<{ subject: string; body: string; template: string | null }> {
  if (content.template === undefined) return { subject: content.subject, body: content.body, template: null };
  const def = MESSAGE_DEFS[content.template];
  const [custom] = await templateRow(db).execute({ key: content.template, channel: templateChannel(channel) });
  const subject = custom?.subject || def.subject;
  const body = custom?.body ?? def.body;
  return {
    subject: renderTemplate(subject, def.placeholders, content.values),
    body: renderTemplate(body, def.placeholders, content.values),
    template: content.template,
  };
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
            template: sql<string | null>`${sql.placeholder('template')}::text`.as('template'),
            status: sql<string>`${sql.placeholder('status')}::text`.as('status'),
            provider: sql<string | null>`${sql.placeholder('provider')}::text`.as('provider'),
            providerMessageId: sql<string | null>`null`.as('provider_message_id'),
            attempts: sql<number>`0`.as('attempts'),
            error: sql<string | null>`null`.as('error'),
            sentAt: sql<Date | null>`null`.as('sent_at'),
            // insert … select names every column of the table, in order
            createdAt: sql<Date>`now()`.as('created_at'),
          })
          .from(users)
          .where(and(who, isNotNull(users.mobile), sql`${users.mobile} <> ''`)),
      )
      .returning({ id: outbox.id })
      .prepare(name),
  );
}
const textToUser = textStatement('text_to_user', eq(users.id, sql.placeholder('to')));
const textToUnit = textStatement('text_to_unit', eq(users.unitId, sql.placeholder('to')));

/** the provider name each channel's messages go through with this configuration */
export function providersOf(messaging: MessagingConfig | null | undefined): { sms: string | null; email: string | null } {
  return { sms: messaging?.sms ? `${messaging.sms.provider}-sms` : null, email: messaging?.smtp ? 'smtp' : null };
}

export function createOutboxSender(messaging?: MessagingConfig | null): Sender {
  const providers = providersOf(messaging);
  const providerFor = (channel: string) => (channel === 'mobile' ? providers.sms : channel === 'email' ? providers.email : null);
  const deliver = async (db: Db, outboxId: number, content: Content) =>
    enqueueJob(db, { kind: DELIVER_JOB, params: { outbox: outboxId, ...(content.values ? { values: content.values } : {}) } });
  return {
    providerFor,
    async send(db, message) {
      const { subject, body, template } = await compose(db, message.channel, message);
      const provider = providerFor(message.channel);
      const [row] = await db
        .insert(outbox)
        .values({
          channel: message.channel,
          recipient: message.recipient,
          userId: message.userId ?? null,
          subject,
          body,
          template,
          status: provider ? 'queued' : 'recorded',
          provider,
        })
        .returning({ id: outbox.id });
      if (provider) await deliver(db, row!.id, message);
    },
    async textUsers(db, to, message) {
      const { subject, body, template } = await compose(db, 'mobile', message);
      const provider = providers.sms;
      const statement = 'userId' in to ? textToUser(db) : textToUnit(db);
      const rows = await statement.execute({
        to: 'userId' in to ? to.userId : to.unitId,
        subject,
        body,
        template,
        status: provider ? 'queued' : 'recorded',
        provider,
      });
      if (provider) for (const row of rows) await deliver(db, row.id, message);
    },
  };
}
