// 统计 (issue 15, 5.) through HTTP: every figure agrees with 查询申报表 under the same filters, for the organizer and
// for units (the total, each breakdown's sum, each 当前步骤's count against the list filtered by it, and every
// breakdown against the listed applications' own rows counted here in JS, ages by core/selection ageOn); each unit's
// progress; a unit sees only its own; applicants and experts are refused.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { eq, inArray } from 'drizzle-orm';
import { APPLICATION_STATUSES, QUOTA_STATUSES, readCampaignSettings, type ApplicationForm, type QueryResult } from '../core';
import { ageBand } from '../core/selection/balance';
import { ageOn } from '../core/selection/constraints';
import { NO_UNIT, NOT_FILLED, type BreakdownKey, type StatsReply } from '../core/stats';
import { applications, applicationUnits, campaigns } from './db/schema';
import { CACHE_FROM_MS, CACHE_TTL_MS, cachedCount } from './usecases/stats';
import { buildApplicant, buildApplication, buildExpert, buildUnit, completeForm } from './testing/factories';
import { Client, json, startTestPlatform } from './testing/harness';
import { forwarded, parties } from './testing/journey';

let t: Awaited<ReturnType<typeof startTestPlatform>>;
let p: Awaited<ReturnType<typeof parties>>;
let u2: Awaited<ReturnType<typeof buildUnit>>;
let u2c: Client;
let campaign2023 = '';
let campaign2024 = '';
const made: { id: string; unit: 1 | 2 | 0 }[] = [];

const qs = (q: Record<string, string | number | undefined>) =>
  Object.entries(q)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
    .join('&');

/** An application with `form`, placed at `unitId` in `status` as 【提交】 leaves it (the unit recorded in application_units). */
async function placed(
  form: Partial<ApplicationForm>,
  unitId: string | null,
  status: string,
  extra: { preliminaryResult?: 'pass' | 'fail'; workUnit?: string } = {},
) {
  const a = await buildApplicant(t.s);
  const app = await buildApplication(t.s, a.user, {
    form: completeForm({ name: a.user.realName, ...form, ...(extra.workUnit ? { workUnit: extra.workUnit } : {}) }),
  });
  await t.s.db
    .update(applications)
    .set({ status, unitId, transferredAt: unitId ? new Date() : null, preliminaryResult: extra.preliminaryResult ?? null })
    .where(eq(applications.id, app.id));
  if (unitId) await t.s.db.insert(applicationUnits).values({ applicationId: app.id, unitId });
  return app.id;
}

beforeAll(async () => {
  t = await startTestPlatform();
  p = await parties(t);
  u2 = await buildUnit(t.s, { region: '喀什地区' });
  u2c = new Client(t.app);
  await u2c.login(u2.username, u2.password);
  campaign2023 = json<{ id: string }>(await p.oc.get('/api/campaigns/current')).id;
  const u1 = p.unit.unit.id;

  // Two through the real flow (初评 通过, 初评公示, 推荐单位意见, scans, 【提交】 to 自治区科协), at unit 1.
  for (let i = 0; i < 2; i++) made.push({ id: (await forwarded(t, p.uc, u1)).id, unit: 1 });

  // The rest placed directly, with ages on both sides of each band's edge at the 2023 reference date (05-30).
  const specs: [Partial<ApplicationForm>, 1 | 2 | 0, string, ('pass' | 'fail')?][] = [
    [{ birthDate: '1988-05-30', gender: '男', ethnicity: '汉族', field: '人民生命健康', education: '大学本科' }, 1, 'submitted_to_unit'],
    [{ birthDate: '1988-05-31', gender: '女', ethnicity: '哈萨克族' }, 1, 'submitted_to_unit', 'pass'],
    [{ birthDate: '1977-05-30', isAcademician: true, education: '硕士研究生' }, 1, 'returned_to_applicant'],
    [{ birthDate: '1977-05-31', gender: '男', field: '前沿领域和基础研究' }, 1, 'accepted', 'pass'],
    [{ birthDate: '1967-05-31', ethnicity: '汉族' }, 2, 'submitted_to_unit', 'fail'],
    [{ birthDate: '1967-05-30', gender: '男', isAcademician: true }, 2, 'submitted_to_org', 'pass'],
    [{ birthDate: '1992-02-29', education: '' }, 2, 'returned_to_unit'],
    [{ birthDate: '1980-01-01', ethnicity: '' }, 2, 'final_review', 'pass'],
    [{}, 0, 'applicant'], // a draft: the organizer's list leaves it out
  ];
  for (const [form, unit, status, pre] of specs) {
    const unitId = unit === 1 ? u1 : unit === 2 ? u2.unit.id : null;
    made.push({ id: await placed(form, unitId, status, { preliminaryResult: pre, workUnit: unit === 2 ? '喀什地区第一人民医院' : undefined }), unit });
  }

  // a 2024 campaign with one application at unit 2 (year and campaign filters)
  const [c23] = await t.s.db.select().from(campaigns).where(eq(campaigns.id, campaign2023));
  const [c24] = await t.s.db
    .insert(campaigns)
    .values({
      programId: c23!.programId,
      year: 2024,
      title: '2024年“新疆最美科技工作者”学习宣传活动',
      settings: { ...(c23!.settings as object), ageReferenceDate: '2024-05-30' },
    })
    .returning();
  campaign2024 = c24!.id;
  const id24 = await placed({ birthDate: '1988-05-31', gender: '男' }, u2.unit.id, 'submitted_to_unit');
  await t.s.db.update(applications).set({ campaignId: campaign2024, year: 2024 }).where(eq(applications.id, id24));
  made.push({ id: id24, unit: 2 });
}, 180_000);

afterAll(async () => {
  await t?.close();
});

async function stats(c: Client, q: Record<string, string | number | undefined> = {}) {
  const res = await c.get(`/api/stats?${qs(q)}`);
  expect(res.statusCode, res.body).toBe(200);
  return json<StatsReply>(res);
}

/** Every row of 查询申报表 under the filters (all pages). */
async function list(c: Client, q: Record<string, string | number | undefined>) {
  const rows: QueryResult['rows'] = [];
  for (let page = 1; ; page++) {
    const res = await c.get(`/api/applications?${qs({ ...q, page, pageSize: 100 })}`);
    expect(res.statusCode, res.body).toBe(200);
    const r = json<QueryResult>(res);
    rows.push(...r.rows);
    if (rows.length >= r.total) return { rows, total: r.total };
  }
}

/** The breakdowns counted here, in JS, from the listed applications' own rows. */
async function expectedCounts(ids: string[]): Promise<Record<BreakdownKey, Map<string, number>>> {
  const out = Object.fromEntries(
    (['status', 'unit', 'region', 'field', 'gender', 'ethnicity', 'ageBand', 'academician', 'education'] as const).map((k) => [k, new Map<string, number>()]),
  ) as Record<BreakdownKey, Map<string, number>>;
  if (!ids.length) return out;
  const rows = await t.s.db.select().from(applications).where(inArray(applications.id, ids));
  const camps = await t.s.db.select().from(campaigns);
  const ref = new Map(camps.map((c) => [c.id, readCampaignSettings(c.settings, c.year).settings.ageReferenceDate]));
  const region = new Map([
    [p.unit.unit.id, p.unit.unit.region],
    [u2.unit.id, u2.unit.region],
  ]);
  const add = (k: BreakdownKey, v: string) => out[k].set(v, (out[k].get(v) ?? 0) + 1);
  const textOf = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : NOT_FILLED);
  for (const r of rows) {
    const f = r.form as ApplicationForm;
    add('status', r.status);
    add('unit', r.unitId ?? '');
    add('region', r.unitId ? region.get(r.unitId)! : NO_UNIT);
    add('field', textOf(f.field));
    add('gender', textOf(f.gender));
    add('ethnicity', textOf(f.ethnicity));
    add('ageBand', ageBand(ageOn(String(f.birthDate ?? ''), ref.get(r.campaignId)!)));
    add('academician', f.isAcademician === true ? '是' : '否');
    add('education', textOf(f.education));
  }
  return out;
}

/** The dashboard against 查询申报表 under the same filters, for one viewer. */
async function agree(c: Client, q: Record<string, string | number | undefined>, listQ: Record<string, string | number | undefined> = q) {
  const s = await stats(c, q);
  const l = await list(c, listQ);
  expect(s.total).toBe(l.total);
  const expected = await expectedCounts(l.rows.map((r) => r.id));
  for (const b of s.breakdowns) {
    expect(
      b.groups.reduce((n, g) => n + g.count, 0),
      b.key,
    ).toBe(s.total);
    const nonZero = new Map(b.groups.filter((g) => g.count > 0).map((g) => [g.value, g.count]));
    expect(nonZero, b.key).toEqual(expected[b.key]);
  }
  // 当前步骤 is a filter of 查询申报表: each status's count is the list's total under it (absent ones: 0)
  for (const status of APPLICATION_STATUSES) {
    if (q.status && q.status !== status) continue;
    const group = s.breakdowns.find((b) => b.key === 'status')!.groups.find((g) => g.value === status);
    const filtered = json<QueryResult>(await c.get(`/api/applications?${qs({ ...listQ, status, pageSize: 1 })}`));
    expect(group?.count ?? 0, status).toBe(filtered.total);
  }
  // the progress adds up to the same rows
  const sum = (k: 'received' | 'forwarded' | 'preliminaryPassed' | 'inPublicity') => s.progress.reduce((n, r) => n + r[k], 0);
  expect(sum('received')).toBe(s.total);
  const statusGroups = s.breakdowns.find((b) => b.key === 'status')!.groups;
  expect(sum('forwarded')).toBe(statusGroups.filter((g) => (QUOTA_STATUSES as readonly string[]).includes(g.value)).reduce((n, g) => n + g.count, 0));
  return s;
}

const FILTERS: Record<string, string | number | undefined>[] = [
  {},
  { year: 2023 },
  { year: 2024 },
  { status: 'submitted_to_unit' },
  { workUnit: '喀什地区第一人民医院' },
  { year: 2023, workUnit: '新疆农业科学院' },
];

describe('统计 agrees with 查询申报表', () => {
  it('as the organizer, under every filter combination', async () => {
    for (const q of FILTERS) await agree(p.oc, q);
    const all = await stats(p.oc);
    // drafts are not counted; the 2024 one is
    expect(all.total).toBe(made.filter((m) => m.unit !== 0).length);
    const keyword = json<QueryResult>(await p.oc.get('/api/applications?pageSize=1&year=2023')).rows[0]!.applicantName;
    await agree(p.oc, { keyword });
  });

  it('as each unit, under every filter combination', async () => {
    for (const q of FILTERS) {
      await agree(p.uc, q);
      await agree(u2c, q);
    }
  });

  it('by campaign: the same rows as the list of its year', async () => {
    const s23 = await agree(p.oc, { campaignId: campaign2023 }, { year: 2023 });
    const s24 = await agree(p.oc, { campaignId: campaign2024 }, { year: 2024 });
    expect(s23.total + s24.total).toBe((await stats(p.oc)).total);
    expect(s24.total).toBe(1);
    // the campaigns to filter by, newest first
    expect(s23.campaigns.map((c) => c.year)).toEqual([2024, 2023]);
  });

  it('counts ages in whole years at each campaign’s reference date, on both sides of every band’s edge', async () => {
    const s = await stats(p.oc, { campaignId: campaign2023 });
    const bands = Object.fromEntries(s.breakdowns.find((b) => b.key === 'ageBand')!.groups.map((g) => [g.value, g.count]));
    // 35 and 34, 46 and 45, 55 and 56; 1992-02-29 → 31, 1980-01-01 → 43; the flow's two (completeForm's 1985-03-12) → 38
    expect(bands).toEqual({ '35岁以下': 3, '36–45岁': 4, '46–55岁': 2, '56岁以上': 1 });
    // the 2024 one (born 1988-05-31) is 35 on 2024-05-30
    const s24 = await stats(p.oc, { campaignId: campaign2024 });
    expect(s24.breakdowns.find((b) => b.key === 'ageBand')!.groups.find((g) => g.value === '35岁以下')!.count).toBe(1);
  });

  it('shows each code value at 0 too, empties as 未填写, and the status texts of the 当前步骤 filter', async () => {
    const s = await stats(p.oc);
    const by = (k: BreakdownKey) => s.breakdowns.find((b) => b.key === k)!.groups;
    expect(by('academician').map((g) => [g.value, g.count])).toEqual([
      ['是', 2],
      ['否', 9],
    ]);
    expect(by('gender').map((g) => g.value)).toEqual(['男', '女']);
    expect(by('education').find((g) => g.value === '初中及以下')!.count).toBe(0);
    expect(by('education').find((g) => g.value === NOT_FILLED)!.count).toBe(1);
    expect(by('ethnicity').find((g) => g.value === NOT_FILLED)!.count).toBe(1);
    expect(by('status').find((g) => g.value === 'final_review')!.label).toBe('评审中');
    expect(by('status').find((g) => g.value === 'submitted_to_unit')!.label).toBe('[申报人]提交到[推荐单位]');
    expect(by('unit').find((g) => g.value === u2.unit.id)!.label).toBe(u2.unit.name);
    expect(by('region').map((g) => [g.value, g.count])).toEqual([
      ['乌鲁木齐市', 6],
      ['喀什地区', 5],
    ]);
  });
});

describe('each unit’s progress', () => {
  it('the organizer sees every unit: received, 初评通过, forwarded, in a 公示', async () => {
    const s = await stats(p.oc, { year: 2023 });
    const row = (id: string) => s.progress.find((r) => r.unitId === id)!;
    // unit 1: the flow's two (通过, 公示, forwarded), two submitted (one 通过), one returned to the applicant, one 受理 (通过)
    expect(row(p.unit.unit.id)).toMatchObject({
      unitName: p.unit.unit.name,
      region: '乌鲁木齐市',
      received: 6,
      preliminaryPassed: 4,
      forwarded: 3,
      inPublicity: 2,
    });
    // unit 2 (2023): submitted (不通过), forwarded (通过), returned to the unit, 评审中 (通过)
    expect(row(u2.unit.id)).toMatchObject({ region: '喀什地区', received: 4, preliminaryPassed: 2, forwarded: 2, inPublicity: 0 });
  });

  it('a unit sees only its own row and its own counts, never another unit’s', async () => {
    const s1 = await stats(p.uc);
    expect(s1.progress.map((r) => r.unitId)).toEqual([p.unit.unit.id]);
    expect(s1.progress[0]).toMatchObject({ received: 6, preliminaryPassed: 4, forwarded: 3, inPublicity: 2 });
    expect(s1.total).toBe(6);
    expect(s1.breakdowns.find((b) => b.key === 'unit')!.groups.map((g) => g.value)).toEqual([p.unit.unit.id]);
    expect(JSON.stringify(s1)).not.toContain(u2.unit.id);
    const s2 = await stats(u2c);
    expect(s2.total).toBe(5);
    expect(s2.progress.map((r) => r.unitId)).toEqual([u2.unit.id]);
    expect(JSON.stringify(s2)).not.toContain(p.unit.unit.id);
  });
});

describe('refusals', () => {
  it('applicants and experts get 403, anonymous 401, with no figures', async () => {
    const expert = await buildExpert(t.s);
    const ec = new Client(t.app);
    await ec.login(expert.username, expert.password);
    for (const [c, code] of [
      [p.ac, 403],
      [ec, 403],
      [new Client(t.app), 401],
    ] as const) {
      const res = await c.get('/api/stats');
      expect(res.statusCode).toBe(code);
      expect(res.body).not.toContain('breakdowns');
      expect(json<{ error: { message: string } }>(res).error.message).toMatch(/[\u4e00-\u9fa5]/);
    }
  });

  it('bad filters are refused in Chinese, an unknown key too; an unknown campaign is 404', async () => {
    const bad = await p.oc.get('/api/stats?year=abc');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('年度');
    const unknown = await p.oc.get('/api/stats?foo=1');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.body).toContain('不认识的字段');
    const badId = await p.oc.get('/api/stats?campaignId=x');
    expect(badId.statusCode).toBe(400);
    const missing = await p.oc.get('/api/stats?campaignId=00000000-0000-4000-8000-000000000000');
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toContain('评选活动');
  });
});

describe('hostile query strings', () => {
  it('never 5xx, every refusal in Chinese, for the organizer and a unit', async () => {
    const nasty = ['', ' ', '%00', '%EF%BF%BF', 'x'.repeat(300), '2023.5', '-1', '1e9', '全部', '%F0%9F%98%80'];
    const keys = ['year', 'status', 'keyword', 'workUnit', 'campaignId', 'page', 'year[]'];
    for (const c of [p.oc, p.uc]) {
      for (const k of keys) {
        for (const v of nasty) {
          const res = await c.get(`/api/stats?${k}=${v}&${k}=${v}`);
          expect(res.statusCode, `${k}=${v}`).toBeLessThan(500);
          if (res.statusCode >= 400) expect(json<{ error: { message: string } }>(res).error.message).toMatch(/[\u4e00-\u9fa5]/);
        }
      }
    }
  });
});

describe('the cache of large counts', () => {
  const reply = (total: number) => ({ campaigns: [], total, breakdowns: [], progress: [], computedAt: new Date().toISOString() });
  const slow = (total: number) => () => new Promise<ReturnType<typeof reply>>((r) => setTimeout(() => r(reply(total)), CACHE_FROM_MS + 20));

  it('keeps a count that took long and shares it with concurrent requests; a quick one is counted again', async () => {
    const owner = { ...t.s }; // a cache of its own
    let runs = 0;
    const counting = (total: number) => () => (runs++, slow(total)());
    const [a, b] = await Promise.all([cachedCount(owner, 'k', counting(1)), cachedCount(owner, 'k', counting(2))]);
    expect([a.total, b.total, runs]).toEqual([1, 1, 1]);
    expect((await cachedCount(owner, 'k', counting(3))).total).toBe(1); // kept
    expect(runs).toBe(1);
    // quick counts are never kept
    expect((await cachedCount(owner, 'q', async () => reply(5))).total).toBe(5);
    expect((await cachedCount(owner, 'q', async () => reply(6))).total).toBe(6);
    // a failed count is not kept either
    await expect(cachedCount(owner, 'f', () => new Promise((_, reject) => setTimeout(() => reject(new Error('x')), CACHE_FROM_MS + 20)))).rejects.toThrow('x');
    expect((await cachedCount(owner, 'f', async () => reply(7))).total).toBe(7);
  });
});

describe('the cache after a minute', () => {
  it('answers the kept count at once while one recount runs, then the new count', async () => {
    const owner = { ...t.s };
    const reply = (total: number) => ({ campaigns: [], total, breakdowns: [], progress: [], computedAt: new Date().toISOString() });
    const slow = (total: number) => () => new Promise<ReturnType<typeof reply>>((r) => setTimeout(() => r(reply(total)), CACHE_FROM_MS + 20));
    expect((await cachedCount(owner, 'k', slow(1))).total).toBe(1);
    const now = Date.now();
    const clock = vi.spyOn(Date, 'now').mockReturnValue(now + CACHE_TTL_MS + 1_000);
    try {
      let recounts = 0;
      const recount = () => (recounts++, slow(2)());
      expect((await cachedCount(owner, 'k', recount)).total).toBe(1); // the kept one, at once
      expect((await cachedCount(owner, 'k', recount)).total).toBe(1); // still, and no second recount
      expect(recounts).toBe(1);
      clock.mockRestore();
      await new Promise((r) => setTimeout(r, CACHE_FROM_MS + 100));
      expect((await cachedCount(owner, 'k', slow(3))).total).toBe(2); // the recount, now kept
    } finally {
      clock.mockRestore();
    }
  });
});
