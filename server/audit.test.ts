// The audit log's coverage (issue 16 item 7), through HTTP: each audited kind of action is done by a client with its own
// address, then its row is found with the actor, the action, the target and the ip. Two platforms: 网上评选 (openings,
// downloads, exports, settings, scoring, account changes) and 集中评选 (votes).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, gt, max, sql } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import type { ApplicationDetail } from '../core';
import type { JobView } from '../core/jobs';
import type { AuditList } from '../core/audit';
import { auditWriter } from './audit';
import { applications, auditLog } from './db/schema';
import { CAPTCHA, Client, startTestPlatform } from './testing/harness';
import { assignedReview } from './testing/review';
import { buildApplication, buildUnit } from './testing/factories';
import { runJobsUntilIdle } from './jobs/runner';
import { panelExpert, setMeetingSettings, shortlistCandidates } from './testing/meeting';
import { parties } from './testing/journey';

type T = Awaited<ReturnType<typeof startTestPlatform>>;

const ok = <R = unknown>(res: LightMyRequestResponse): R => {
  if (res.statusCode !== 200) throw new Error(`${res.statusCode} ${res.body}`);
  return (res.headers['content-type'] ?? '').toString().startsWith('application/json') ? (res.json() as R) : (undefined as R);
};

/** A second session of an account, from its own address. */
async function from(t: T, ip: string, username: string, password: string) {
  const c = new Client(t.app, ip);
  await c.login(username, password);
  return c;
}

async function lastId(t: T) {
  const [row] = await t.s.db.select({ id: max(auditLog.id) }).from(auditLog);
  return row?.id ?? 0;
}

/** the rows written since `mark` for this action */
async function rowsSince(t: T, mark: number, action: string) {
  return t.s.db
    .select()
    .from(auditLog)
    .where(and(gt(auditLog.id, mark), eq(auditLog.action, action)))
    .orderBy(auditLog.id);
}

interface Case {
  name: string;
  run: () => Promise<unknown>;
  expect: { action: string; actorId: string | null; ip: string; targetType: string; targetId: string; detail?: Record<string, unknown> };
}

async function check(t: T, c: Case) {
  const mark = await lastId(t);
  await c.run();
  const rows = await rowsSince(t, mark, c.expect.action);
  expect(rows, `${c.name}: one ${c.expect.action} row`).toHaveLength(1);
  const { detail, ...rest } = c.expect;
  expect(rows[0], c.name).toMatchObject(rest);
  if (detail) expect(rows[0]!.detail, c.name).toMatchObject(detail);
}

describe('audit coverage: 网上评选, openings, downloads, exports, settings, accounts', () => {
  let t: T;
  let w: Awaited<ReturnType<typeof assignedReview>>;
  let org: Client;
  let unit: Client;
  let applicant: Client;
  let expert: Client;
  let expertId: string;
  let mine: string;
  beforeAll(async () => {
    t = await startTestPlatform();
    w = await assignedReview(t);
    org = await from(t, '203.0.113.7', w.org.username, w.org.password);
    unit = await from(t, '198.51.100.21', w.unit.username, w.unit.password);
    applicant = await from(t, '198.51.100.99', w.applicant.username, w.applicant.password);
    expert = await from(t, '192.0.2.44', w.e1.username, w.e1.password);
    expertId = w.e1.id;
    const list = ok<{ items: { applicationId: string }[] }>(await expert.get('/api/review/mine'));
    mine = list.items[0]!.applicationId;
  });
  afterAll(async () => t?.close());

  it('each audited action leaves its row with actor, action, target and ip', async () => {
    const cand = w.cands[0]!.id;
    const detail = ok<ApplicationDetail>(await org.get(`/api/applications/${cand}`));
    const attachment = detail.attachments.find((a) => a.kind === 'integrity_pledge')!;
    const own = (await buildApplication(t.s, w.applicant.user)).id;
    let exportJob = '';
    const orgId = w.org.user.id;
    const cases: Case[] = [
      {
        name: 'a log-in',
        run: () => from(t, '198.51.100.5', w.unit.username, w.unit.password),
        expect: { action: 'account.login', actorId: w.unit.user.id, ip: '198.51.100.5', targetType: 'user', targetId: w.unit.user.id },
      },
      {
        name: 'a log-in refused (wrong password)',
        run: async () => {
          const res = await new Client(t.app, '198.51.100.6').post('/api/auth/login', {
            username: w.unit.username,
            password: 'Wrong-pass-1',
            captcha: CAPTCHA,
          });
          expect(res.statusCode).toBeGreaterThanOrEqual(400);
        },
        expect: {
          action: 'account.login_failed',
          actorId: null,
          ip: '198.51.100.6',
          targetType: 'user',
          targetId: w.unit.username.toLowerCase(),
          detail: { username: w.unit.username.toLowerCase() },
        },
      },
      {
        name: 'the organizer opens an application',
        run: () => org.get(`/api/applications/${cand}`).then(ok),
        expect: { action: 'application.view', actorId: orgId, ip: '203.0.113.7', targetType: 'application', targetId: cand },
      },
      {
        name: 'the unit opens an application',
        run: () => unit.get(`/api/applications/${cand}`).then(ok),
        expect: { action: 'application.view', actorId: w.unit.user.id, ip: '198.51.100.21', targetType: 'application', targetId: cand },
      },
      {
        name: 'an expert opens an application assigned to them',
        run: () => expert.get(`/api/applications/${mine}`).then(ok),
        expect: { action: 'application.view', actorId: expertId, ip: '192.0.2.44', targetType: 'application', targetId: mine },
      },
      {
        name: 'the applicant opens their own',
        run: () => applicant.get(`/api/applications/${own.toUpperCase()}`).then(ok),
        expect: { action: 'application.view', actorId: w.applicant.user.id, ip: '198.51.100.99', targetType: 'application', targetId: own },
      },
      {
        name: 'an attachment is downloaded',
        run: () => org.get(`/api/attachments/${attachment.id}`).then(ok),
        expect: { action: 'attachment.download', actorId: orgId, ip: '203.0.113.7', targetType: 'attachment', targetId: attachment.id },
      },
      {
        name: 'the 申请书 PDF is asked for',
        run: () => org.post('/api/exports/application-pdf', { applicationId: cand }).then(ok),
        expect: { action: 'application.pdf', actorId: orgId, ip: '203.0.113.7', targetType: 'application', targetId: cand },
      },
      {
        name: 'an export with the full 身份证号码',
        run: async () => {
          exportJob = ok<JobView>(await org.post('/api/exports/applications', { fullIdNumber: true })).id;
        },
        expect: {
          action: 'export.create',
          actorId: orgId,
          ip: '203.0.113.7',
          targetType: 'job',
          targetId: '',
          detail: { kind: 'applications', fullIdNumber: true },
        },
      },
      {
        name: 'an export without it',
        run: () => unit.post('/api/exports/applications', {}).then(ok),
        expect: { action: 'export.create', actorId: w.unit.user.id, ip: '198.51.100.21', targetType: 'job', targetId: '', detail: { fullIdNumber: false } },
      },
      {
        name: 'an export result is downloaded',
        run: async () => {
          const until = Date.now() + 30_000;
          for (;;) {
            await runJobsUntilIdle(t.s);
            const job = ok<JobView>(await org.get(`/api/jobs/${exportJob}`));
            if (job.status === 'done') break;
            if (Date.now() > until) throw new Error(`job ${job.status}`);
            await new Promise((r) => setTimeout(r, 50));
          }
          ok(await org.get(`/api/jobs/${exportJob}/download`));
        },
        expect: { action: 'job.download', actorId: orgId, ip: '203.0.113.7', targetType: 'job', targetId: '' },
      },
      {
        name: 'the 网上评选 ranking is downloaded',
        run: () => org.get(`/api/review/campaigns/${w.campaignId}/ranking.xlsx`).then(ok),
        expect: { action: 'review.ranking_download', actorId: orgId, ip: '203.0.113.7', targetType: 'campaign', targetId: w.campaignId },
      },
      {
        name: 'an expert saves a score sheet',
        run: () => expert.put(`/api/review/applications/${mine}/sheet`, { scores: { story: 20 } }).then(ok),
        expect: { action: 'review.sheet_save', actorId: expertId, ip: '192.0.2.44', targetType: 'application', targetId: mine },
      },
      {
        name: 'an expert submits it',
        run: () =>
          expert
            .post(`/api/review/applications/${mine}/sheet/submit`, {
              scores: { achievement: 45.5, story: 27.3, typical: 18.2 },
              gates: { political: true },
              comment: '事迹突出，材料翔实。',
            })
            .then(ok),
        expect: { action: 'review.sheet_submit', actorId: expertId, ip: '192.0.2.44', targetType: 'application', targetId: mine },
      },
      {
        name: '退回重评 of the sheet',
        run: async () => {
          const sheet = ok<{ sheetId: string }>(await expert.get(`/api/review/applications/${mine}/sheet`)).sheetId;
          ok(await org.post(`/api/review/sheets/${sheet}/reopen`, { reason: '分数与评语不符' }));
        },
        expect: {
          action: 'review.sheet_reopen',
          actorId: orgId,
          ip: '203.0.113.7',
          targetType: 'application',
          targetId: mine,
          detail: { reason: '分数与评语不符' },
        },
      },
      {
        name: '评选活动设置 changed',
        run: async () => {
          const campaign = ok<{ title: string; settings: Record<string, unknown> }>(await org.get(`/api/admin/campaigns/${w.campaignId}`));
          ok(await org.put(`/api/admin/campaigns/${w.campaignId}`, { title: campaign.title, settings: campaign.settings }));
        },
        expect: {
          action: 'campaign.settings',
          actorId: orgId,
          ip: '203.0.113.7',
          targetType: 'campaign',
          targetId: w.campaignId,
          detail: { fields: ['title', 'settings'] },
        },
      },
      {
        name: 'a 评审专家 account created',
        run: () => org.post('/api/admin/experts', { realName: '赵审计', workUnit: '新疆大学', field: '化学', mobile: '13912345678' }).then(ok),
        expect: { action: 'expert.create', actorId: orgId, ip: '203.0.113.7', targetType: 'user', targetId: '' },
      },
      {
        name: 'an expert disabled',
        run: () => org.post(`/api/admin/experts/${w.e3.id}/disable`, {}).then(ok),
        expect: { action: 'expert.disable', actorId: orgId, ip: '203.0.113.7', targetType: 'user', targetId: w.e3.id },
      },
      {
        name: 'an expert enabled',
        run: () => org.post(`/api/admin/experts/${w.e3.id}/enable`, {}).then(ok),
        expect: { action: 'expert.enable', actorId: orgId, ip: '203.0.113.7', targetType: 'user', targetId: w.e3.id },
      },
      {
        name: "an expert's password reset by the organizer",
        run: () => org.post(`/api/admin/experts/${w.e3.id}/resend-password`, {}).then(ok),
        expect: { action: 'expert.password_resend', actorId: orgId, ip: '203.0.113.7', targetType: 'user', targetId: w.e3.id },
      },
      {
        name: 'an applicant registers (the new account is the actor, from its own address)',
        run: () =>
          new Client(t.app, '198.51.100.71')
            .post('/api/auth/register/applicant', {
              username: 'audit_reg01',
              password: 'Abcdef12x',
              realName: '钱注册',
              mobile: '13912340071',
              email: 'audit_reg01@example.cn',
              captcha: CAPTCHA,
            })
            .then(ok),
        expect: { action: 'account.register', actorId: expect.any(String) as unknown as string, ip: '198.51.100.71', targetType: 'user', targetId: '' },
      },
      {
        name: 'a unit registers itself',
        run: () =>
          new Client(t.app, '198.51.100.72')
            .post('/api/auth/register/unit', {
              username: 'audit_unit01',
              password: 'Abcdef12x',
              unitName: '阿勒泰地区科学技术协会',
              unitType: '地州市科协',
              region: '阿勒泰地区',
              contactName: '孙联系',
              contactPhone: '0906-2123456',
              mobile: '13912340072',
              captcha: CAPTCHA,
            })
            .then(ok),
        expect: { action: 'unit.register', actorId: expect.any(String) as unknown as string, ip: '198.51.100.72', targetType: 'unit', targetId: '' },
      },
      {
        name: '自治区科协 creates a unit account (新建)',
        run: () =>
          org
            .post('/api/admin/units', {
              username: 'audit_unit02',
              password: 'Abcdef12x',
              unitName: '博尔塔拉蒙古自治州科学技术协会',
              unitType: '地州市科协',
              region: '博尔塔拉蒙古自治州',
              contactName: '周联系',
              contactPhone: '0909-2123456',
              mobile: '13912340073',
            })
            .then(ok),
        expect: { action: 'unit.create', actorId: orgId, ip: '203.0.113.7', targetType: 'unit', targetId: '' },
      },
      {
        name: 'a unit approved',
        run: async () => {
          const pending = await buildUnit(t.s, { status: 'pending' });
          ok(await org.post(`/api/admin/units/${pending.unit.id}/approve`, {}));
        },
        expect: { action: 'unit.approve', actorId: orgId, ip: '203.0.113.7', targetType: 'unit', targetId: '' },
      },
      {
        name: '网上评选 reset',
        run: () => org.post(`/api/review/campaigns/${w.campaignId}/reset`, { reason: '评审标准调整，重新评审' }).then(ok),
        expect: { action: 'review.reset', actorId: orgId, ip: '203.0.113.7', targetType: 'campaign', targetId: w.campaignId },
      },
      {
        name: 'a campaign created (the next year)',
        run: async () => {
          const campaign = ok<{ year: number }>(await org.get(`/api/admin/campaigns/${w.campaignId}`));
          ok(await org.post('/api/admin/campaigns', { year: campaign.year + 1, copyFrom: w.campaignId }));
        },
        expect: { action: 'campaign.create', actorId: orgId, ip: '203.0.113.7', targetType: 'campaign', targetId: '' },
      },
    ];
    for (const c of cases) {
      // an empty expected target: any (the id comes from the reply)
      if (c.expect.targetId === '') {
        const mark = await lastId(t);
        await c.run();
        const rows = await rowsSince(t, mark, c.expect.action);
        expect(rows, `${c.name}: one ${c.expect.action} row`).toHaveLength(1);
        const { detail, targetId: _any, ...rest } = c.expect;
        expect(rows[0], c.name).toMatchObject(rest);
        expect(rows[0]!.targetId, c.name).toMatch(/\S/);
        if (detail) expect(rows[0]!.detail, c.name).toMatchObject(detail);
      } else {
        await check(t, c);
      }
    }
  });

  it('a refused action leaves no row; a HEAD or a later Range request of a download is not an opening', async () => {
    const cand = w.cands[1]!.id;
    const mark = await lastId(t);
    expect((await applicant.get(`/api/applications/${cand}`)).statusCode).toBe(404);
    expect((await unit.put(`/api/admin/campaigns/${w.campaignId}`, { title: 'x' })).statusCode).toBe(403);
    const detail = ok<ApplicationDetail>(await org.get(`/api/applications/${cand}`));
    const file = detail.attachments[0]!;
    expect((await org.get(`/api/attachments/${file.id}`, { range: 'bytes=10-20' })).statusCode).toBe(206);
    const rows = await t.s.db.select().from(auditLog).where(gt(auditLog.id, mark));
    expect(rows.map((r) => [r.action, r.targetId])).toEqual([['application.view', cand]]);
  });
  it('审计日志 search: the organizer finds rows by actor, action, target (编号, 申请人), ip and time; others are refused and nothing is written', async () => {
    const cand = w.cands[2]!.id;
    ok(await org.get(`/api/applications/${cand}`));
    const app = ok<ApplicationDetail>(await org.get(`/api/applications/${cand}`));
    const search = async (q: Record<string, string>) => ok<AuditList>(await org.get(`/api/admin/audit?${new URLSearchParams(q).toString()}`));
    const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    const byNumber = await search({ target: app.number, action: 'application.view', actor: w.org.username, ip: '203.0.113', from: today, to: today });
    expect(byNumber.total).toBeGreaterThanOrEqual(2);
    expect(byNumber.rows[0]).toMatchObject({
      action: 'application.view',
      actionLabel: '查看申请书',
      actorId: w.org.user.id,
      actorRole: '自治区科协',
      targetType: 'application',
      targetTypeLabel: '申请书',
      targetId: cand,
      ip: '203.0.113.7',
    });
    expect(byNumber.rows[0]!.targetLabel).toContain(app.number);
    // newest first
    expect(byNumber.rows[0]!.id).toBeGreaterThan(byNumber.rows[1]!.id);
    const [{ applicantName }] = (await t.s.db.select({ applicantName: applications.applicantName }).from(applications).where(eq(applications.id, cand))) as [
      { applicantName: string },
    ];
    expect(applicantName).toMatch(/\S/);
    const byName = await search({ target: applicantName, action: 'application.view' });
    expect(byName.rows.every((r) => r.targetId === cand)).toBe(true);
    expect(byName.total).toBeGreaterThanOrEqual(byNumber.total);
    expect((await search({ target: app.number, from: '2001-01-01', to: '2001-12-31' })).total).toBe(0);
    expect((await search({ ip: '10.99.' })).total).toBe(0);
    const paged = await search({ pageSize: '1', page: '2' });
    expect(paged.rows).toHaveLength(1);
    expect(paged.total).toBeGreaterThan(10);
    // the search is recorded
    const last = ok<AuditList>(await org.get('/api/admin/audit?action=audit.search&pageSize=1'));
    expect(last.rows[0]).toMatchObject({ action: 'audit.search', actorId: w.org.user.id, ip: '203.0.113.7' });

    const bad = await org.get('/api/admin/audit?from=yesterday&pageSize=500&colour=red');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toMatch(/开始时间|每页|colour/);
    // ids and contents, not the chain's columns (the platform's chainer may link rows meanwhile)
    const snapshot = () =>
      t.s.db.select({ id: auditLog.id, action: auditLog.action, targetId: auditLog.targetId, detail: auditLog.detail }).from(auditLog).orderBy(auditLog.id);
    const before = await snapshot();
    for (const c of [unit, applicant, expert]) {
      const res = await c.get('/api/admin/audit');
      expect(res.statusCode).toBe(403);
      expect(res.body).toMatch(/仅限自治区科协/);
    }
    expect((await new Client(t.app).get('/api/admin/audit')).statusCode).toBe(401);
    expect(await snapshot()).toEqual(before);
  });
});

describe('audit coverage: 集中评选 votes', () => {
  let t: T;
  beforeAll(async () => {
    t = await startTestPlatform();
  });
  afterAll(async () => t?.close());

  it('a ballot submitted is recorded with the expert and their address', async () => {
    const p = await parties(t);
    const campaignId = await setMeetingSettings(t, { winners: 1, nationalRecommendees: 1, passShare: 0.5 });
    const cands = await shortlistCandidates(t, campaignId, p.org.user.id, 2, [1, 2]);
    const e = await panelExpert(t);
    ok(await p.oc.post(`/api/meeting/campaigns/${campaignId}/open`, { expertIds: [e.id] }));
    const meeting = ok<{ rounds: { id: string }[] }>(await p.oc.post(`/api/meeting/campaigns/${campaignId}/rounds`, {}));
    const round = meeting.rounds[0]!.id;
    const voter = await from(t, '192.0.2.77', e.username, e.password);
    ok(await voter.post(`/api/meeting/campaigns/${campaignId}/sign-in`));
    const votes = cands.flatMap((c, i) => [
      { applicationId: c.id, question: 'win' as const, choice: i === 0 ? ('yes' as const) : ('no' as const) },
      { applicationId: c.id, question: 'national' as const, choice: i === 1 ? ('yes' as const) : ('abstain' as const) },
    ]);
    const c: Case = {
      name: 'ballot submit',
      run: () => voter.post(`/api/meeting/rounds/${round}/ballot/submit`, { votes }).then(ok),
      expect: { action: 'meeting.ballot_submit', actorId: e.id, ip: '192.0.2.77', targetType: 'meeting_round', targetId: round },
    };
    await check(t, c);
    // the round closed, its 计票结果 downloaded
    const org = await from(t, '203.0.113.8', p.org.username, p.org.password);
    ok(await org.post(`/api/meeting/rounds/${round}/close`, {}));
    await check(t, {
      name: '计票结果 downloaded',
      run: () => org.get(`/api/meeting/rounds/${round}/result.xlsx`).then(ok),
      expect: { action: 'meeting.result_download', actorId: p.org.user.id, ip: '203.0.113.8', targetType: 'meeting_round', targetId: round },
    });
  });
});

describe('the group-commit writer', () => {
  let t: T;
  beforeAll(async () => {
    t = await startTestPlatform();
  });
  afterAll(async () => t?.close());

  it('stores a row alone (its statement prepared) and rows queued together alike: no detail is NULL, a detail its JSON', async () => {
    const write = auditWriter(t.s.db);
    const mark = await lastId(t);
    const base = { action: 'test.writer', targetType: 'test', ip: '192.0.2.1' };
    // alone: the single-row statement
    await write({ ...base, actorId: null, targetId: 'alone-none' });
    await write({ ...base, targetId: 'alone-detail', detail: { n: 1, 名称: '甲', list: [1, null] } });
    await write({ ...base, targetId: 'alone-json-null', detail: null });
    // at once: the first goes alone, the others wait for it and go together in one multi-row insert
    await Promise.all([
      write({ ...base, targetId: 'batch-1' }),
      write({ ...base, targetId: 'batch-2', detail: { n: 2 } }),
      write({ ...base, targetId: 'batch-3', detail: 'text' }),
    ]);
    const rows = await t.s.db
      .select({ targetId: auditLog.targetId, detail: auditLog.detail, actorId: auditLog.actorId, ip: auditLog.ip, isNull: sql<boolean>`detail is null` })
      .from(auditLog)
      .where(and(gt(auditLog.id, mark), eq(auditLog.action, 'test.writer')))
      .orderBy(auditLog.id);
    expect(rows.map((r) => [r.targetId, r.detail, r.isNull])).toEqual([
      ['alone-none', null, true],
      ['alone-detail', { n: 1, 名称: '甲', list: [1, null] }, false],
      ['alone-json-null', null, true],
      ['batch-1', null, true],
      ['batch-2', { n: 2 }, false],
      ['batch-3', 'text', false],
    ]);
    expect(new Set(rows.map((r) => r.ip))).toEqual(new Set(['192.0.2.1']));
    expect(rows.every((r) => r.actorId === null)).toBe(true);
  });
});
