// Issue 16 items 3 and 8: message templates (organizer only), delivery through the real senders (阿里云短信, 腾讯云短信 —
// local fakes that verify the documented signatures — and SMTP against smtp-server), retries, the dead letters and
// their re-run from 失败任务, and nothing enqueued when no sender is configured.
import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DELIVER_JOB, MESSAGE_DEFS } from '../core/messages';
import { DELIVER_MAX_ATTEMPTS } from './jobs/messages';
import { runJobsUntilIdle } from './jobs/runner';
import { auditLog, jobs, messageTemplates, outbox } from './db/schema';
import { buildApplicant, buildExpert, buildOrganizer, buildUnit } from './testing/factories';
import { fakeAliyunSms, fakeSmtp, fakeTencentSms, type FakeSms } from './testing/fake-providers';
import { CAPTCHA, Client, json, startTestPlatform } from './testing/harness';
import type { Services } from './context';

/** a PUT body: the default text with an SMS provider's template code */
const tpl = (key: keyof typeof MESSAGE_DEFS, providerTemplate: string) => ({
  subject: MESSAGE_DEFS[key].subject,
  body: MESSAGE_DEFS[key].body,
  providerTemplate,
});
type Platform = Awaited<ReturnType<typeof startTestPlatform>>;
const errorOf = (res: { json(): unknown }) => (res.json() as { error: { code: string; message: string; fields?: { field: string; message: string }[] } }).error;

/** Runs the queue until no job is queued or running, not waiting for the retries' backoff. */
async function settle(s: Services) {
  for (let i = 0; i < 100; i++) {
    await s.db.update(jobs).set({ runAt: new Date() }).where(eq(jobs.status, 'queued'));
    await runJobsUntilIdle(s);
    const live = await s.db
      .select({ id: jobs.id })
      .from(jobs)
      .where(inArray(jobs.status, ['queued', 'running']));
    if (!live.length) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('jobs did not settle');
}

async function recover(t: Platform, username: string, channel: 'mobile' | 'email') {
  const res = await new Client(t.app).post('/api/auth/recover/send', { username, channel, captcha: CAPTCHA });
  expect(res.statusCode, res.body).toBe(200);
}

async function organizerOf(t: Platform) {
  const org = await buildOrganizer(t.s);
  const c = new Client(t.app);
  await c.login(org.username, org.password);
  return c;
}

describe('消息模板 (no sender configured: messages are only recorded)', () => {
  let t: Platform;
  let oc: Client;
  beforeAll(async () => {
    t = await startTestPlatform();
    oc = await organizerOf(t);
  });
  afterAll(async () => t.close());

  it('lists every message with its default, placeholders and channels', async () => {
    const res = await oc.get('/api/admin/message-templates');
    expect(res.statusCode).toBe(200);
    const list = json<{ key: string; channel: string; body: string; defaultBody: string; customized: boolean; placeholders: { name: string }[] }[]>(res);
    expect(list.map((x) => `${x.key}/${x.channel}`)).toContain('account.recover-code/email');
    expect(list.find((x) => x.key === 'expert.account')).toMatchObject({ channel: 'sms', customized: false, body: MESSAGE_DEFS['expert.account'].body });
    expect(list.find((x) => x.key === 'expert.account')!.placeholders.map((p) => p.name)).toEqual(['姓名', '用户名', '初始密码']);
  });

  it('others are refused and nothing changes', async () => {
    const { username, password } = await buildApplicant(t.s, { mobile: '13800000001' });
    const unit = await buildUnit(t.s);
    const expert = await buildExpert(t.s);
    const clients: Client[] = [new Client(t.app)];
    for (const who of [{ username, password }, unit, expert]) {
      const c = new Client(t.app);
      await c.login(who.username, who.password);
      clients.push(c);
    }
    const body = { subject: '找回密码验证码', body: '改过的{验证码}' };
    for (const c of clients) {
      const expected = c === clients[0] ? 401 : 403;
      expect((await c.get('/api/admin/message-templates')).statusCode).toBe(expected);
      const put = await c.put('/api/admin/message-templates/account.recover-code/sms', body);
      expect(put.statusCode).toBe(expected);
      if (expected === 403) expect(errorOf(put).message).toContain('自治区科协');
      expect((await c.del('/api/admin/message-templates/account.recover-code/sms')).statusCode).toBe(expected);
      expect((await c.get('/api/admin/background')).statusCode).toBe(expected);
    }
    expect(await t.s.db.select().from(messageTemplates)).toHaveLength(0);
    expect((await t.s.db.select().from(auditLog)).filter((r) => r.action.startsWith('message_template'))).toHaveLength(0);
  });

  it('refuses unknown placeholders, unpaired braces and an SMS too long, naming them', async () => {
    const url = '/api/admin/message-templates/account.recover-code/sms';
    const unknown = await oc.put(url, { subject: '找回密码验证码', body: '【新疆科技工作者之家】{姓名}您好，验证码 {验证码}' });
    expect(unknown.statusCode).toBe(400);
    expect(errorOf(unknown).message).toContain('{姓名} 不能用于“找回密码验证码”');
    expect(errorOf(unknown).message).toContain('{用户名}、{验证码}');
    const braces = await oc.put(url, { subject: '找回密码验证码', body: '验证码 {验证码' });
    expect(errorOf(braces).message).toContain('不成对的花括号');
    const long = await oc.put(url, { subject: '找回密码验证码', body: `验证码 {验证码}${'很长'.repeat(260)}` });
    expect(long.statusCode).toBe(400);
    expect(errorOf(long).fields![0]!.field).toBe('body');
    expect(errorOf(long).message).toMatch(/短信内容.*最多 500 个字/);
    const extra = await oc.put(url, { subject: 'x', body: '{验证码}', sender: 'x' });
    expect(extra.statusCode).toBe(400);
    expect((await oc.put('/api/admin/message-templates/no.such/sms', { subject: 'x', body: 'y' })).statusCode).toBe(404);
    expect((await oc.put('/api/admin/message-templates/expert.account/email', { subject: 'x', body: 'y' })).statusCode).toBe(404);
    expect(await t.s.db.select().from(messageTemplates)).toHaveLength(0);
  });

  it('a saved template makes the next message; 恢复默认 brings the default back; no delivery job without a sender', async () => {
    const url = '/api/admin/message-templates/account.recover-code/sms';
    const saved = await oc.put(url, { subject: '找回密码', body: '【新疆科技工作者之家】{用户名}：您的找回验证码是 {验证码}，请勿告诉他人。' });
    expect(saved.statusCode).toBe(200);
    expect(json(saved)).toMatchObject({ customized: true, body: '【新疆科技工作者之家】{用户名}：您的找回验证码是 {验证码}，请勿告诉他人。' });
    const { username, user } = await buildApplicant(t.s, { mobile: '13800000002' });
    await recover(t, username, 'mobile');
    const [msg] = await t.s.db.select().from(outbox).where(eq(outbox.userId, user.id));
    expect(msg!.body).toMatch(new RegExp(`^【新疆科技工作者之家】${username}：您的找回验证码是 \\d{6}，请勿告诉他人。$`));
    expect(msg).toMatchObject({ subject: '找回密码', template: 'account.recover-code', status: 'recorded', provider: null });
    expect(await t.s.db.select().from(jobs).where(eq(jobs.kind, DELIVER_JOB))).toHaveLength(0);
    const box = json<{ id: number; status: string; template: string }[]>(await oc.get('/api/admin/outbox'));
    expect(box.find((m) => m.id === msg!.id)).toMatchObject({ status: 'recorded', template: 'account.recover-code' });

    const reset = await oc.del(url);
    expect(json(reset)).toMatchObject({ customized: false, body: MESSAGE_DEFS['account.recover-code'].body });
    const second = await buildApplicant(t.s, { mobile: '13800000003' });
    await recover(t, second.username, 'mobile');
    const [again] = await t.s.db.select().from(outbox).where(eq(outbox.userId, second.user.id));
    expect(again!.body).toContain(`您正在找回账号 ${second.username} 的密码`);
    const audits = (await t.s.db.select().from(auditLog)).filter((r) => r.action.startsWith('message_template'));
    expect(audits.map((a) => a.action).sort()).toEqual(['message_template.reset', 'message_template.save']);
  });
});

describe('腾讯云短信 and SMTP', () => {
  let t: Platform;
  let oc: Client;
  let sms: FakeSms;
  let smtp: Awaited<ReturnType<typeof fakeSmtp>>;
  beforeAll(async () => {
    sms = await fakeTencentSms('AKIDtest', 'tencent-secret-key', '1400000001');
    smtp = await fakeSmtp('mailer', 'mail-pass');
    t = await startTestPlatform({
      SMS_PROVIDER: 'tencent',
      TENCENT_SMS_SECRET_ID: 'AKIDtest',
      TENCENT_SMS_SECRET_KEY: 'tencent-secret-key',
      TENCENT_SMS_SDK_APP_ID: '1400000001',
      TENCENT_SMS_ENDPOINT: sms.url,
      SMS_SIGN_NAME: '新疆科技工作者之家',
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtp.port),
      SMTP_USER: 'mailer',
      SMTP_PASSWORD: 'mail-pass',
      SMTP_FROM: '新疆科技工作者之家 <noreply@xjkx.example.cn>',
    });
    oc = await organizerOf(t);
  });
  afterAll(async () => {
    await t.close();
    await sms.close();
    await smtp.close();
  });

  it('an SMS is delivered with its template code and values; a tampered request is refused by the signature check', async () => {
    expect((await oc.put('/api/admin/message-templates/account.recover-code/sms', tpl('account.recover-code', '1234567'))).statusCode).toBe(200);
    const { username, user } = await buildApplicant(t.s, { mobile: '13900000011' });
    await recover(t, username, 'mobile');
    const [queued] = await t.s.db.select().from(outbox).where(eq(outbox.userId, user.id));
    expect(queued).toMatchObject({ status: 'queued', provider: 'tencent-sms' });
    await settle(t.s);
    const [sent] = await t.s.db.select().from(outbox).where(eq(outbox.id, queued!.id));
    const code = /验证码 (\d{6})/.exec(sent!.body)![1]!;
    expect(sms.sent.at(-1)).toMatchObject({ phone: '+8613900000011', template: '1234567', params: [username, code] });
    expect(sent).toMatchObject({ status: 'sent', provider: 'tencent-sms', providerMessageId: sms.sent.at(-1)!.id, attempts: 1, error: null });
    expect(sent!.sentAt).not.toBeNull();
    expect(sms.refused).toEqual([]);
    const [done] = await t.s.db
      .select()
      .from(jobs)
      .where(and(eq(jobs.kind, DELIVER_JOB), eq(jobs.status, 'done')));
    expect(done!.params).toEqual({ outbox: queued!.id }); // the code is not kept in the job once delivered

    // the genuine request replayed with another phone number: the signature no longer matches
    const genuine = sms.raw.at(-1)!;
    const tampered = genuine.body.replace('+8613900000011', '+8613900000099');
    const headers = Object.fromEntries(Object.entries(genuine.headers).filter(([k]) => !['content-length', 'connection'].includes(k))) as Record<
      string,
      string
    >;
    const res = await fetch(sms.url, { method: 'POST', headers, body: tampered });
    expect(((await res.json()) as { Response: { Error: { Code: string } } }).Response.Error.Code).toBe('AuthFailure.SignatureFailure');
    // and the genuine one, sent again unchanged, still passes the check (the fake verifies, it does not just refuse replays)
    const again = await fetch(sms.url, { method: 'POST', headers, body: genuine.body });
    expect(((await again.json()) as { Response: { SendStatusSet: { Code: string }[] } }).Response.SendStatusSet[0]!.Code).toBe('Ok');
  });

  it('an e-mail reaches the SMTP server: logged in, to the recipient, subject and Chinese body in UTF-8', async () => {
    const { username, user } = await buildApplicant(t.s, { email: 'zhang.san@example.cn' });
    await recover(t, username, 'email');
    await settle(t.s);
    const [row] = await t.s.db.select().from(outbox).where(eq(outbox.userId, user.id));
    expect(row).toMatchObject({ channel: 'email', status: 'sent', provider: 'smtp', attempts: 1 });
    const mail = smtp.received.at(-1)!;
    expect(mail.user).toBe('mailer');
    expect(mail.to).toEqual(['zhang.san@example.cn']);
    expect(mail.from).toBe('noreply@xjkx.example.cn');
    expect(mail.subject).toBe('找回密码验证码');
    expect(mail.text).toBe(row!.body);
    expect(mail.text).toContain(`您正在找回账号 ${username} 的密码`);
    expect(row!.providerMessageId).toMatch(/^<.+@.+>$/);
  });

  it('a failing provider: retried, then failed with its reason; 失败任务 lists it; 【重新发送】 delivers it', async () => {
    sms.failWith = 'LimitExceeded.PhoneNumberDailyLimit';
    const { username, user } = await buildApplicant(t.s, { mobile: '13900000022' });
    await recover(t, username, 'mobile');
    await settle(t.s);
    const [failed] = await t.s.db.select().from(outbox).where(eq(outbox.userId, user.id));
    expect(failed).toMatchObject({ status: 'failed', attempts: DELIVER_MAX_ATTEMPTS });
    expect(failed!.error).toContain('腾讯云短信拒绝发送：LimitExceeded.PhoneNumberDailyLimit');
    const [job] = await t.s.db
      .select()
      .from(jobs)
      .where(and(eq(jobs.kind, DELIVER_JOB), eq(jobs.status, 'failed')));
    expect(job!.attempts).toBe(DELIVER_MAX_ATTEMPTS);

    const view = json<{
      failed: number;
      failedMessages: number;
      senders: unknown;
      jobs: { id: string; label: string; error: string; attempts: number; message: { id: number } | null }[];
    }>(await oc.get('/api/admin/background'));
    expect(view).toMatchObject({ failed: 1, failedMessages: 1, senders: { sms: 'tencent-sms', email: 'smtp' } });
    expect(view.jobs[0]).toMatchObject({ id: job!.id, label: '发送消息', attempts: DELIVER_MAX_ATTEMPTS, message: { id: failed!.id } });
    expect(view.jobs[0]!.error).toContain('LimitExceeded');

    // a unit may not re-send; nothing changes
    const unit = await buildUnit(t.s);
    const uc = new Client(t.app);
    await uc.login(unit.username, unit.password);
    expect((await uc.post(`/api/admin/outbox/${failed!.id}/resend`)).statusCode).toBe(403);
    expect((await uc.post(`/api/admin/background/jobs/${job!.id}/retry`)).statusCode).toBe(403);
    const [still] = await t.s.db.select().from(jobs).where(eq(jobs.id, job!.id));
    expect(still!.status).toBe('failed');

    sms.failWith = null;
    const resend = await oc.post(`/api/admin/outbox/${failed!.id}/resend`);
    expect(resend.statusCode).toBe(200);
    expect(json(resend).message).toContain('13900000022');
    expect((await oc.post(`/api/admin/outbox/${failed!.id}/resend`)).statusCode).toBe(409); // queued again, not failed
    await settle(t.s);
    const [sent] = await t.s.db.select().from(outbox).where(eq(outbox.id, failed!.id));
    expect(sent).toMatchObject({ status: 'sent', error: null, attempts: 1 });
    expect(json<{ failed: number }>(await oc.get('/api/admin/background')).failed).toBe(0);
    const retries = (await t.s.db.select().from(auditLog)).filter((r) => r.action === 'job.retry');
    expect(retries).toHaveLength(1);
    expect(retries[0]!.targetId).toBe(job!.id);
  });

  it('competing runners deliver each message once', async () => {
    const before = sms.sent.length;
    const phones = ['13900000051', '13900000052', '13900000053', '13900000054', '13900000055', '13900000056'];
    await t.s.db.transaction(async (tx) => {
      for (const phone of phones)
        await t.s.sender.send(tx, { channel: 'mobile', recipient: phone, template: 'account.recover-code', values: { username: phone, code: '654321' } });
    });
    // three runners of this process (separate connections on PostgreSQL) and the app's own, all claiming at once
    await Promise.all([runJobsUntilIdle(t.s), runJobsUntilIdle(t.s), runJobsUntilIdle(t.s)]);
    await settle(t.s);
    expect(
      sms.sent
        .slice(before)
        .map((x) => x.phone.slice(3))
        .sort(),
    ).toEqual(phones);
    const rows = await t.s.db.select().from(outbox).where(inArray(outbox.recipient, phones));
    expect(rows.every((r) => r.status === 'sent' && r.attempts === 1)).toBe(true);
  });

  it('an SMS without a template code fails at once, saying to fill it in; 【重新执行】 after filling it in sends it', async () => {
    const expert = await buildExpert(t.s, { mobile: '13900000033' });
    await t.s.sender.send(t.s.db, {
      channel: 'mobile',
      recipient: '13900000033',
      userId: expert.user.id,
      template: 'expert.password',
      values: { name: '王五', username: '13900000033', password: 'Xy12345678' },
    });
    await settle(t.s);
    const [row] = await t.s.db.select().from(outbox).where(eq(outbox.userId, expert.user.id));
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    expect(row!.error).toContain('没有填写短信平台模板编号（腾讯云 TemplateId）');
    const [job] = await t.s.db
      .select()
      .from(jobs)
      .where(and(eq(jobs.kind, DELIVER_JOB), eq(jobs.status, 'failed')));
    await oc.put('/api/admin/message-templates/expert.password/sms', tpl('expert.password', '7654321'));
    expect((await oc.post(`/api/admin/background/jobs/${job!.id}/retry`)).statusCode).toBe(200);
    expect((await oc.post(`/api/admin/background/jobs/${job!.id}/retry`)).statusCode).toBe(409);
    await settle(t.s);
    expect((await t.s.db.select().from(outbox).where(eq(outbox.id, row!.id)))[0]!.status).toBe('sent');
    expect(sms.sent.at(-1)).toMatchObject({ template: '7654321', params: ['王五', '13900000033', 'Xy12345678'] });
  });
});

describe('阿里云短信', () => {
  let t: Platform;
  let sms: FakeSms;
  beforeAll(async () => {
    sms = await fakeAliyunSms('LTAItest', 'aliyun-secret');
    t = await startTestPlatform({
      SMS_PROVIDER: 'aliyun',
      ALIYUN_SMS_ACCESS_KEY_ID: 'LTAItest',
      ALIYUN_SMS_ACCESS_KEY_SECRET: 'aliyun-secret',
      ALIYUN_SMS_ENDPOINT: sms.url,
      SMS_SIGN_NAME: '新疆科技工作者之家',
    });
  });
  afterAll(async () => {
    await t.close();
    await sms.close();
  });

  it('delivers with TemplateCode and named TemplateParam; a tampered request fails the signature; a wrong secret is refused', async () => {
    const oc = await organizerOf(t);
    await oc.put('/api/admin/message-templates/account.recover-code/sms', tpl('account.recover-code', 'SMS_123456789'));
    const { username, user } = await buildApplicant(t.s, { mobile: '13700000044' });
    await recover(t, username, 'mobile');
    await settle(t.s);
    const [row] = await t.s.db.select().from(outbox).where(eq(outbox.userId, user.id));
    const code = /验证码 (\d{6})/.exec(row!.body)![1]!;
    expect(sms.sent.at(-1)).toMatchObject({ phone: '13700000044', template: 'SMS_123456789', params: { username, code } });
    expect(row).toMatchObject({ status: 'sent', provider: 'aliyun-sms', providerMessageId: sms.sent.at(-1)!.id });
    expect(sms.refused).toEqual([]);

    const genuine = sms.raw.at(-1)!.body;
    const post = (body: string) =>
      fetch(sms.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }).then(
        (r) => r.json() as Promise<{ Code: string }>,
      );
    expect((await post(genuine.replace('13700000044', '13700000045'))).Code).toBe('SignatureDoesNotMatch');
    expect((await post(genuine)).Code).toBe('SignatureNonceUsed'); // the signature holds; the nonce was used

    // the same platform with a wrong secret: every attempt refused, the message ends failed with the provider's code
    const wrong = await startTestPlatform({
      SMS_PROVIDER: 'aliyun',
      ALIYUN_SMS_ACCESS_KEY_ID: 'LTAItest',
      ALIYUN_SMS_ACCESS_KEY_SECRET: 'not-the-secret',
      ALIYUN_SMS_ENDPOINT: sms.url,
      SMS_SIGN_NAME: '新疆科技工作者之家',
    });
    try {
      await wrong.s.db
        .insert(messageTemplates)
        .values({ key: 'publicity.code', channel: 'sms', body: MESSAGE_DEFS['publicity.code'].body, providerTemplate: 'SMS_1' });
      await wrong.s.sender.send(wrong.s.db, { channel: 'mobile', recipient: '13700000046', template: 'publicity.code', values: { code: '123456' } });
      await settle(wrong.s);
      const [failed] = await wrong.s.db.select().from(outbox);
      expect(failed).toMatchObject({ status: 'failed', attempts: DELIVER_MAX_ATTEMPTS });
      expect(failed!.error).toContain('SignatureDoesNotMatch');
    } finally {
      await wrong.close();
    }
  });
});
