// 消息模板与后台任务 (issue 16, docs/api/messages.md): the organizer's templates (list, save, 恢复默认), the background
// jobs' counts, the failed ones (dead letters) with 【重新执行】, and 【重新发送】 of a failed message.
import { and, count, desc, eq, inArray, sql } from 'drizzle-orm';
import {
  DELIVER_JOB,
  MESSAGE_DEFS,
  OUTBOX_STATUS_LABELS,
  TEMPLATE_CHANNEL_LABELS,
  checkTemplate,
  isMessageKey,
  type BackgroundSummary,
  type FailedJob,
  type MessageKey,
  type MessageTemplateView,
  type TemplateChannel,
  type TemplateSave,
} from '../../core/messages';
import type { SessionUser } from '../auth/sessions';
import { audit } from '../audit';
import type { Services } from '../context';
import { jobs, messageTemplates, outbox } from '../db/schema';
import { AppError } from '../errors';
import { notifyInTx } from '../events';
import { JOBS_TOPIC } from '../jobs/runner';
import { JOB_KINDS } from '../jobs/kinds';
import { providersOf } from './sender';

type TemplateRow = typeof messageTemplates.$inferSelect;

function present(key: MessageKey, channel: TemplateChannel, row: TemplateRow | undefined): MessageTemplateView {
  const def = MESSAGE_DEFS[key];
  return {
    key,
    channel,
    label: def.label,
    when: def.when,
    placeholders: def.placeholders.map((p) => ({ ...p })),
    subject: row ? row.subject || def.subject : def.subject,
    body: row?.body ?? def.body,
    providerTemplate: row?.providerTemplate ?? null,
    defaultSubject: def.subject,
    defaultBody: def.body,
    customized: !!row && (row.body !== def.body || (row.subject || def.subject) !== def.subject),
    updatedAt: row?.updatedAt.toISOString() ?? null,
  };
}

export async function listTemplates(s: Services): Promise<MessageTemplateView[]> {
  const rows = await s.db.select().from(messageTemplates);
  const byId = new Map(rows.map((r) => [`${r.key}/${r.channel}`, r]));
  return (Object.keys(MESSAGE_DEFS) as MessageKey[]).flatMap((key) =>
    MESSAGE_DEFS[key].channels.map((channel) => present(key, channel, byId.get(`${key}/${channel}`))),
  );
}

/** the template of `key` and `channel`, or 404 with what exists */
function templateOf(key: string, channel: string): { key: MessageKey; channel: TemplateChannel } {
  if (!isMessageKey(key)) throw new AppError('NOT_FOUND', `没有名为“${key.slice(0, 40)}”的消息模板，请刷新页面后重试`);
  const channels = MESSAGE_DEFS[key].channels as readonly string[];
  if (!channels.includes(channel)) {
    throw new AppError(
      'NOT_FOUND',
      `消息模板“${MESSAGE_DEFS[key].label}”没有${channel === 'email' ? '邮件' : channel === 'sms' ? '短信' : `“${channel.slice(0, 20)}”`}版本，可用：${channels.map((c) => TEMPLATE_CHANNEL_LABELS[c as TemplateChannel]).join('、')}`,
    );
  }
  return { key, channel: channel as TemplateChannel };
}

export async function saveTemplate(s: Services, user: SessionUser, keyText: string, channelText: string, input: TemplateSave): Promise<MessageTemplateView> {
  const { key, channel } = templateOf(keyText, channelText);
  const def = MESSAGE_DEFS[key];
  const subject = input.subject.trim();
  const body = input.body.trim();
  const issues = checkTemplate(def, channel, { subject, body });
  if (issues.length) {
    const label = { subject: '标题', body: '内容', providerTemplate: '短信平台模板编号' } as const;
    throw new AppError(
      'VALIDATION',
      issues.map((i) => i.message).join('；'),
      issues.map((i) => ({ field: i.field, label: label[i.field], message: i.message })),
    );
  }
  const providerTemplate = input.providerTemplate?.trim() || null;
  if (providerTemplate && !/^[A-Za-z0-9_-]+$/.test(providerTemplate)) {
    const message = '短信平台模板编号只能包含字母、数字、下划线和连字符，如 SMS_123456789（阿里云）或 1234567（腾讯云）';
    throw new AppError('VALIDATION', message, [{ field: 'providerTemplate', label: '短信平台模板编号', message }]);
  }
  const values = { subject, body, providerTemplate: channel === 'sms' ? providerTemplate : null, updatedBy: user.id, updatedAt: new Date() };
  const row = await s.db.transaction(async (tx) => {
    const [saved] = await tx
      .insert(messageTemplates)
      .values({ key, channel, ...values })
      .onConflictDoUpdate({ target: [messageTemplates.key, messageTemplates.channel], set: values })
      .returning();
    await audit(tx, user, 'message_template.save', 'message_template', `${key}/${channel}`, { subject, body, providerTemplate: values.providerTemplate });
    return saved!;
  });
  return present(key, channel, row);
}

/** 恢复默认: the text returns to the built-in one; an SMS provider's template code, when set, is kept. */
export async function resetTemplate(s: Services, user: SessionUser, keyText: string, channelText: string): Promise<MessageTemplateView> {
  const { key, channel } = templateOf(keyText, channelText);
  const def = MESSAGE_DEFS[key];
  const row = await s.db.transaction(async (tx) => {
    const [old] = await tx
      .select()
      .from(messageTemplates)
      .where(and(eq(messageTemplates.key, key), eq(messageTemplates.channel, channel)))
      .for('update');
    let kept: TemplateRow | undefined;
    if (old?.providerTemplate) {
      [kept] = await tx
        .update(messageTemplates)
        .set({ subject: def.subject, body: def.body, updatedBy: user.id, updatedAt: new Date() })
        .where(and(eq(messageTemplates.key, key), eq(messageTemplates.channel, channel)))
        .returning();
    } else if (old) {
      await tx.delete(messageTemplates).where(and(eq(messageTemplates.key, key), eq(messageTemplates.channel, channel)));
    }
    await audit(tx, user, 'message_template.reset', 'message_template', `${key}/${channel}`);
    return kept;
  });
  return present(key, channel, row);
}

// ---- background jobs ----

const kindLabel = (kind: string) => JOB_KINDS[kind]?.label ?? kind;

export async function backgroundSummary(s: Services, limit = 200): Promise<BackgroundSummary> {
  const counts = await s.db
    .select({ status: jobs.status, n: count() })
    .from(jobs)
    .where(inArray(jobs.status, ['queued', 'running', 'failed']))
    .groupBy(jobs.status);
  const n = (status: string) => Number(counts.find((c) => c.status === status)?.n ?? 0);
  const [failedMessages] = await s.db.select({ n: count() }).from(outbox).where(eq(outbox.status, 'failed'));
  const failed = await s.db
    .select({ job: jobs, message: { id: outbox.id, recipient: outbox.recipient, subject: outbox.subject } })
    .from(jobs)
    .leftJoin(outbox, and(eq(jobs.kind, DELIVER_JOB), sql`${outbox.id} = (${jobs.params}->>'outbox')::bigint`))
    .where(eq(jobs.status, 'failed'))
    .orderBy(desc(jobs.finishedAt), desc(jobs.createdAt))
    .limit(limit);
  return {
    queued: n('queued'),
    running: n('running'),
    failed: n('failed'),
    failedMessages: Number(failedMessages?.n ?? 0),
    senders: providersOf(s.config.messaging),
    jobs: failed.map(({ job, message }): FailedJob => ({
      id: job.id,
      kind: job.kind,
      label: kindLabel(job.kind),
      attempts: job.attempts,
      error: job.error,
      createdAt: job.createdAt.toISOString(),
      finishedAt: job.finishedAt?.toISOString() ?? null,
      message: message?.id ? message : null,
    })),
  };
}

/**
 * 重新执行: a failed job back in the queue with its attempts counted afresh (a delivery's message back to 'queued').
 * 409 when it is not failed (already re-run, or never failed), or when a live job holds its dedupe key.
 */
export async function retryJob(s: Services, user: SessionUser, id: string): Promise<{ message: string }> {
  const label = await s.db.transaction(async (tx) => {
    const [row] = await tx.select().from(jobs).where(eq(jobs.id, id)).for('update');
    if (!row) throw new AppError('NOT_FOUND', '未找到该任务，可能已被清理，请刷新页面');
    if (row.status !== 'failed') throw new AppError('CONFLICT', `该任务当前不是“失败”状态（已重新执行或正在进行），无需重新执行，请刷新页面`);
    if (row.dedupeKey) {
      const [live] = await tx
        .select({ id: jobs.id })
        .from(jobs)
        .where(and(eq(jobs.dedupeKey, row.dedupeKey), inArray(jobs.status, ['queued', 'running'])));
      if (live) throw new AppError('CONFLICT', '同一项工作已有任务在排队或进行中，无需重新执行');
    }
    await tx
      .update(jobs)
      .set({ status: 'queued', attempts: 0, error: null, runAt: new Date(), finishedAt: null, lockedBy: null, lockedUntil: null, progressDone: 0 })
      .where(eq(jobs.id, id));
    if (row.kind === DELIVER_JOB) {
      await tx
        .update(outbox)
        .set({ status: 'queued', error: null })
        .where(sql`${outbox.id} = ${Number((row.params as { outbox?: unknown }).outbox)}`);
    }
    await audit(tx, user, 'job.retry', 'job', id, { kind: row.kind, attempts: row.attempts, error: row.error });
    await notifyInTx(tx, JOBS_TOPIC);
    return kindLabel(row.kind);
  });
  return { message: `已重新执行“${label}”，任务已排队` };
}

/** 重新发送: a failed message's delivery job run again (the message as recorded, with the current template code). */
export async function resendMessage(s: Services, user: SessionUser, outboxId: number): Promise<{ message: string }> {
  const [row] = await s.db.select().from(outbox).where(eq(outbox.id, outboxId));
  if (!row) throw new AppError('NOT_FOUND', '未找到该消息，请刷新页面');
  if (row.status !== 'failed')
    throw new AppError('CONFLICT', `只有“发送失败”的消息可以重新发送，该消息当前为“${OUTBOX_STATUS_LABELS[row.status] ?? row.status}”`);
  const [job] = await s.db
    .select({ id: jobs.id })
    .from(jobs)
    .where(and(eq(jobs.kind, DELIVER_JOB), sql`${jobs.params}->>'outbox' = ${String(outboxId)}`))
    .orderBy(desc(jobs.createdAt))
    .limit(1);
  if (!job) throw new AppError('CONFLICT', '该消息没有发送任务，无法重新发送');
  await retryJob(s, user, job.id);
  return { message: `已重新发送给 ${row.recipient}，发送任务已排队` };
}
