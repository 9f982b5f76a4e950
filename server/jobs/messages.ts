// Jobs of this area (issue 16): the delivery of one outbox message through the configured sender (server/notify), and
// 网上评选's automatic 催办 (enqueued by the hourly maintenance with one dedupe key per campaign and window).
import { and, eq } from 'drizzle-orm';
import { DELIVER_JOB, MESSAGE_DEFS, REMIND_JOB, isMessageKey } from '../../core/messages';
import { jobs, messageTemplates, outbox } from '../db/schema';
import { DeliveryError, sendAliyunSms, sendMail, sendTencentSms } from '../notify/providers';
import { JobFailure, type JobKind } from './types';

/** attempts of a delivery before its message is 'failed' (backoff 5 s, 10 s, 15 s … between them: the runner's) */
export const DELIVER_MAX_ATTEMPTS = 4;

export const MESSAGE_JOBS: Record<string, JobKind> = {
  [DELIVER_JOB]: {
    label: '发送消息',
    system: true,
    maxAttempts: DELIVER_MAX_ATTEMPTS,
    async run(ctx) {
      const { s, job } = ctx;
      const id = Number(job.params.outbox);
      const [row] = await s.db.select().from(outbox).where(eq(outbox.id, id));
      if (!row) throw new JobFailure('要发送的消息已不存在');
      if (row.status === 'sent') return;
      const values = Object.fromEntries(Object.entries((job.params.values ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
      const messaging = s.config.messaging;
      try {
        let providerId: string;
        let provider: string;
        if (row.channel === 'email') {
          if (!messaging.smtp) throw new DeliveryError('未配置邮件服务器（SMTP_HOST），无法发送邮件', true);
          provider = 'smtp';
          providerId = await sendMail(messaging.smtp, row.recipient, row.subject, row.body);
        } else {
          const sms = messaging.sms;
          if (!sms) throw new DeliveryError('未配置短信平台（SMS_PROVIDER），无法发送短信', true);
          provider = `${sms.provider}-sms`;
          const key = row.template;
          if (!key || !isMessageKey(key)) throw new DeliveryError('该短信不是由消息模板生成的，短信平台需要模板编号，无法发送', true);
          const def = MESSAGE_DEFS[key];
          const [t] = await s.db
            .select({ code: messageTemplates.providerTemplate })
            .from(messageTemplates)
            .where(and(eq(messageTemplates.key, key), eq(messageTemplates.channel, 'sms')));
          const code = t?.code?.trim();
          const platform = sms.provider === 'aliyun' ? '阿里云 TemplateCode' : '腾讯云 TemplateId';
          if (!code) throw new DeliveryError(`消息模板“${def.label}”没有填写短信平台模板编号（${platform}），请在【消息模板】中填写后【重新发送】`, true);
          providerId =
            sms.provider === 'aliyun'
              ? await sendAliyunSms(sms, row.recipient, code, Object.fromEntries(def.placeholders.map((p) => [p.param, values[p.param] ?? ''])))
              : await sendTencentSms(
                  sms,
                  row.recipient,
                  code,
                  def.placeholders.map((p) => values[p.param] ?? ''),
                );
        }
        await s.db
          .update(outbox)
          .set({ status: 'sent', provider, providerMessageId: providerId, attempts: job.attempts, error: null, sentAt: new Date() })
          .where(eq(outbox.id, id));
        // the placeholders' values (a code, an initial password) are not kept once delivered: the outbox has the text
        await s.db
          .update(jobs)
          .set({ params: { outbox: id } })
          .where(eq(jobs.id, job.id));
      } catch (err) {
        const message = err instanceof DeliveryError ? err.message : `发送失败：${(err as Error).message}`;
        const final = (err instanceof DeliveryError && err.permanent) || job.attempts >= DELIVER_MAX_ATTEMPTS;
        await s.db
          .update(outbox)
          .set({ status: final ? 'failed' : 'queued', attempts: job.attempts, error: message })
          .where(eq(outbox.id, id));
        // the last attempt's reason is the job's too (失败任务 shows it); earlier ones go back to the queue
        if (final) throw new JobFailure(message);
        throw err;
      }
    },
  },
  [REMIND_JOB]: {
    label: '网上评选自动催办',
    system: true,
    async run(ctx) {
      const campaignId = ctx.job.campaignId;
      if (!campaignId) throw new JobFailure('自动催办缺少评选活动');
      // imported when run: review-progress enqueues through the runner, which joins this file's kinds (an import cycle)
      const { remindDue } = await import('../usecases/review-progress');
      await remindDue(ctx.s, campaignId, String(ctx.job.params.window ?? ''), new Date(String(ctx.job.params.at ?? new Date().toISOString())));
    },
  },
};
