// Property-based: every route of docs/API.md, as every actor and anonymously, with generated bodies
// (wrong types, missing and extra keys, huge and empty strings, control characters, lone surrogates,
// wrong content types), query strings and ids. It must never answer 5xx; every 4xx carries a Chinese
// message; a refused request leaves every business table as it was. Seeded (FUZZ_SEED) and bounded
// (FUZZ_RUNS); a failure prints the seed and the path that reproduces it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { APPLICATION_FIELDS } from '../core';
import { buildApplicant, buildApplication, buildExpert, buildOrganizer, buildUnit } from './testing/factories';
import { CAPTCHA, Client, json, startTestPlatform } from './testing/harness';
import { forwardable, readyApplication } from './testing/journey';
import { pdfBytes } from './testing/files';
import { documentedRoutes, type Route } from './testing/api-doc';

let t: Awaited<ReturnType<typeof startTestPlatform>>;
afterAll(async () => t?.close());

// Tables whose rows a refusal may legitimately touch: security bookkeeping (failed log-ins, lockouts and
// their audit entries and texts, rate-limit counters, consumed captchas and recovery-code attempts) and
// sessions (every request refreshes last_seen). Everything else must be exactly as before a refusal.
const BOOKKEEPING = new Set([
  'sessions',
  'rate_limits',
  'login_failures',
  'captchas',
  'recovery_codes',
  'phone_codes',
  'audit_log',
  'outbox',
  '__drizzle_migrations',
]);
/**
 * Columns that change on their own, after the request that caused them: the log-in lockout's counters, and what the
 * background job runner writes as it runs a job that an earlier (accepted) request queued — its state and progress, and
 * a certificate's stored PDF. A refused request must still add or change no job and no certificate.
 */
const VOLATILE_COLUMNS: Record<string, string[]> = {
  users: ['failed_logins', 'locked_until'],
  jobs: [
    'status',
    'attempts',
    'locked_by',
    'locked_until',
    'progress_done',
    'progress_total',
    'result_key',
    'result_name',
    'result_type',
    'result_size',
    'error',
    'started_at',
    'finished_at',
    'run_at',
  ],
  certificates: ['storage_key'],
};

async function tableNames(): Promise<string[]> {
  const res = await t.s.db.execute(
    sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`,
  );
  return (res as unknown as { rows: { table_name: string }[] }).rows.map((r) => r.table_name).filter((n) => !BOOKKEEPING.has(n));
}

let tables: string[] = [];
async function snapshot(): Promise<string> {
  const parts = tables.map((name) => {
    const volatile = VOLATILE_COLUMNS[name] ?? [];
    const row = sql.raw(`(to_jsonb(x) ${volatile.map((c) => `- '${c}'`).join(' ')})`);
    return sql`select ${name}::text as t, count(*)::int as n, coalesce(md5(string_agg(${row}::text, '|' order by ${row}::text)), '') as h from ${sql.identifier(name)} x`;
  });
  const res = await t.s.db.execute(sql.join(parts, sql` union all `));
  return (res as unknown as { rows: { t: string; n: number; h: string }[] }).rows.map((r) => `${r.t}:${r.n}:${r.h}`).join('\n');
}

interface Actor {
  name: string;
  client: Client | null;
  login?: { username: string; password: string };
}
const pools = {
  applicationIds: [] as string[],
  unitIds: [] as string[],
  attachmentIds: [] as string[],
  campaignIds: [] as string[],
  notificationIds: [] as number[],
};
let actors: Actor[] = [];
let routes: Route[] = [];

beforeAll(async () => {
  t = await startTestPlatform();
  routes = documentedRoutes();
  tables = await tableNames();
  // A small world: two applicants (one with a draft, one whose application is at a unit), two units,
  // the organizer; ids of every kind for the generator to aim at.
  const a1 = await buildApplicant(t.s);
  const a2 = await buildApplicant(t.s);
  const u1 = await buildUnit(t.s);
  const u2 = await buildUnit(t.s);
  const org = await buildOrganizer(t.s);
  const clients = await Promise.all(
    [a1, a2, u1, u2, org].map(async (who) => {
      const c = new Client(t.app);
      await c.login(who.username, who.password);
      return c;
    }),
  );
  const [c1, c2, cu1, cu2, corg] = clients as [Client, Client, Client, Client, Client];
  const exp = await buildExpert(t.s);
  const cexp = new Client(t.app);
  await cexp.login(exp.username, exp.password);
  const draft = await buildApplication(t.s, a1.user);
  const ready = await readyApplication(t, a2, c2);
  const submitted = await c2.post(`/api/applications/${ready}/transitions/submit`, { unitId: u1.unit.id });
  if (submitted.statusCode !== 200) throw new Error(submitted.body);
  const atOrganizer = await forwardable(t, cu1, u1.unit.id);
  const scan = await c1.upload(`/api/applications/${draft.id}/attachments`, 'integrity_pledge', '承诺.pdf', pdfBytes());
  pools.applicationIds.push(draft.id, ready, atOrganizer.id);
  pools.unitIds.push(u1.unit.id, u2.unit.id);
  pools.attachmentIds.push(
    json<{ id: string }>(scan).id,
    ...json<{ attachments: { id: string }[] }>(await c2.get(`/api/applications/${ready}`)).attachments.map((a) => a.id),
  );
  pools.campaignIds.push(json<{ id: string }>(await corg.get('/api/campaigns/current')).id);
  pools.notificationIds.push(...json<{ items: { id: number }[] }>(await cu1.get('/api/notifications')).items.map((n) => n.id));
  actors = [
    { name: 'anonymous', client: null },
    { name: 'applicant (owner of a draft)', client: c1, login: a1 },
    { name: 'applicant (at a unit)', client: c2, login: a2 },
    { name: 'unit (receiver)', client: cu1, login: u1 },
    { name: 'unit (other)', client: cu2, login: u2 },
    { name: 'organizer', client: corg, login: org },
    { name: 'expert (no assignment)', client: cexp, login: exp },
  ];
}, 120_000);

// ---- generators ----------------------------------------------------------------------------------------
const nasty = fc.constantFrom(
  '',
  ' ',
  'a\u0000b',
  '\u0000',
  '\ud800',
  'x\udc00y',
  '\u0007',
  '\u001b[2J',
  '\u202e反转',
  '<script>alert(1)</script>',
  "' or 1=1 --",
  '../../etc/passwd',
  '%00',
  '新疆维吾尔自治区',
  '0',
  '-1',
  '1e309',
  'null',
  'true',
  '{}',
  '[]',
  CAPTCHA,
  'ZMKJ20231',
  '全部',
  'x'.repeat(5000),
);
const str = fc.oneof(
  { weight: 3, arbitrary: nasty },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
);
const scalar = fc.oneof(str, fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
const value = fc.oneof(
  { weight: 4, arbitrary: scalar },
  { weight: 1, arbitrary: fc.array(scalar, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(str, scalar, { maxKeys: 3 }) },
);
const FORM_KEYS = APPLICATION_FIELDS.map((f) => f.key);
const BODY_KEYS = [
  'form',
  'unitId',
  'text',
  'ids',
  'reason',
  'title',
  'settings',
  'campaignId',
  'username',
  'password',
  'captcha',
  'realName',
  'mobile',
  'email',
  'unitName',
  'unitType',
  'region',
  'contactName',
  'contactPhone',
  'channel',
  'code',
  'newPassword',
  'kind',
  'extra',
];
const key = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...BODY_KEYS) }, { weight: 1, arbitrary: str });
const form = fc.dictionary(fc.oneof(fc.constantFrom(...FORM_KEYS), str), value, { maxKeys: 6 });
const body = fc.oneof(
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: value },
  { weight: 5, arbitrary: fc.dictionary(key, fc.oneof(value, form), { maxKeys: 5 }) },
  { weight: 2, arbitrary: fc.record({ form }, { requiredKeys: [] }) },
);
const contentType = fc.constantFrom(
  'application/json',
  'application/json',
  'application/json',
  'text/plain',
  '',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xx',
  'application/json; charset=gbk',
  'application/offset+octet-stream',
);
const uuidLike = fc.oneof(fc.uuid(), fc.constantFrom('00000000-0000-0000-0000-000000000000', 'not-a-uuid', '..%2F..%2Fetc', '%00', 'x'.repeat(300), '1'));
const idFor = (param: string, route: string) => {
  if (param === 'action')
    return fc.oneof(fc.constantFrom('submit', 'withdraw', 'return', 'withdraw-return', 'forward', 'withdraw-forward', 'org-return', 'accept'), str);
  if (param === 'kind') return fc.oneof(fc.constantFrom('return', 'recommend', 'org'), str);
  if (param === 'uploadId') return fc.oneof(fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 32, maxLength: 32 }), str);
  const pool = route.includes('/attachments/')
    ? pools.attachmentIds
    : route.includes('/units/')
      ? pools.unitIds
      : route.includes('/campaigns/')
        ? pools.campaignIds
        : pools.applicationIds;
  return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...pool) }, { weight: 1, arbitrary: uuidLike }, { weight: 1, arbitrary: str });
};
const QUERY_KEYS = ['keyword', 'year', 'workUnit', 'status', 'sort', 'order', 'tab', 'page', 'pageSize', 'program', 'inline', 't'];
const query = fc.dictionary(fc.oneof(fc.constantFrom(...QUERY_KEYS), str), str, { maxKeys: 4 });

/** A string as it travels in a URL: percent-encoded, lone surrogates as the raw bytes an attacker would send. */
function inUrl(v: string): string {
  return Array.from(v)
    .map((ch) => {
      const code = ch.codePointAt(0)!;
      if (code >= 0xd800 && code <= 0xdfff)
        return `%${(0xe0 | (code >> 12)).toString(16)}%${(0x80 | ((code >> 6) & 0x3f)).toString(16)}%${(0x80 | (code & 0x3f)).toString(16)}`.toUpperCase();
      return encodeURIComponent(ch);
    })
    .join('');
}

function requestFor(route: Route) {
  const params = [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
  return fc
    .record({
      actor: fc.integer({ min: 0, max: actors.length - 1 }),
      params: fc.tuple(...params.map((p) => idFor(p, route.path))),
      query: query,
      body,
      contentType,
      rawBody: fc.option(fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.constantFrom('{"form": {', '[', '\u0000', '{"form":{"name":"\\ud800"}}')), {
        freq: 6,
      }),
      csrf: fc.oneof({ weight: 9, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    })
    .map((r) => ({ ...r, params: r.params as string[] }));
}

describe('every documented route against generated input', () => {
  it('docs/API.md lists routes that exist', async () => {
    expect(routes.length).toBeGreaterThan(30);
    for (const r of routes) {
      const url = r.path.replace(/:uploadId/g, '0'.repeat(32)).replace(/:\w+/g, '00000000-0000-4000-8000-000000000000');
      const res = await t.app.inject({ method: r.method, url, headers: { 'tus-resumable': '1.0.0' } });
      const body = r.method === 'HEAD' ? '' : res.body;
      expect(body, `${r.method} ${r.path}`).not.toContain('请求的接口不存在');
    }
  });

  it('never 5xx; every 4xx in Chinese; a refused request changes no business row', async () => {
    const seed = Number(process.env.FUZZ_SEED ?? 20261130);
    const numRuns = Number(process.env.FUZZ_RUNS ?? 2500);
    const arbitrary = fc.constantFrom(...routes).chain((route) => requestFor(route).map((req) => ({ route, ...req })));
    let before = await snapshot();
    await fc.assert(
      fc.asyncProperty(arbitrary, async (r) => {
        const actor = actors[r.actor]!;
        const client = actor.client ?? new Client(t.app);
        let url = r.route.path;
        r.route.path.match(/:(\w+)/g)?.forEach((_p, i) => {
          url = url.replace(/:\w+/, inUrl(r.params[i] ?? ''));
        });
        const qs = Object.entries(r.query)
          .map(([k, v]) => `${inUrl(k)}=${inUrl(v)}`)
          .join('&');
        if (qs) url += `?${qs}`;
        const headers: Record<string, string> = {};
        if (r.contentType) headers['content-type'] = r.contentType;
        if (r.route.path.startsWith('/api/uploads')) headers['tus-resumable'] = '1.0.0';
        let payload: string | undefined;
        if (r.route.method !== 'GET' && r.route.method !== 'HEAD') {
          payload = r.rawBody ?? (r.body === undefined ? undefined : JSON.stringify(r.body));
        }
        const res = await client.request(r.route.method as 'GET', url, undefined, { csrf: r.csrf, headers, ...(payload !== undefined ? { payload } : {}) });
        const what = `${actor.name}: ${r.route.method} ${url} ${r.contentType} ${payload?.slice(0, 300) ?? ''} → ${res.statusCode} ${res.body.slice(0, 300)}`;
        expect(res.statusCode, what).toBeLessThan(500);
        if (res.statusCode >= 400) {
          if (r.route.method !== 'HEAD') {
            let message = '';
            try {
              message = (JSON.parse(res.body) as { error?: { message?: string } }).error?.message ?? '';
            } catch {
              message = '';
            }
            expect(message, what).toMatch(/[\u4e00-\u9fff]/);
          }
          const after = await snapshot();
          expect(after, `a refused request changed rows: ${what}`).toBe(before);
        } else {
          before = await snapshot();
          // an accepted 退出 ends the actor's session: log it in again so the next requests are theirs
          if (r.route.path === '/api/auth/logout' && actor.login) await client.login(actor.login.username, actor.login.password);
        }
      }),
      { seed, numRuns, endOnFailure: true, interruptAfterTimeLimit: 240_000 },
    );
  }, 300_000);
});

// A valid body for each state-changing route that takes one; every other takes none ({}).
const VALID_BODIES: Record<string, { body: Record<string, unknown>; required: string[] }> = {
  'POST /api/auth/login': { body: { username: 'nobody_here', password: 'Passw0rd!x', captcha: CAPTCHA }, required: ['username', 'password', 'captcha'] },
  'POST /api/auth/register/applicant': {
    body: { username: 'strict_test', password: 'Passw0rd!x', realName: '测试人员', mobile: '13800000000', email: 'a@b.cn', captcha: CAPTCHA },
    required: ['username', 'password', 'realName', 'mobile', 'email', 'captcha'],
  },
  'POST /api/auth/register/unit': {
    body: {
      username: 'strict_unit',
      password: 'Passw0rd!x',
      unitName: '严格测试单位',
      unitType: '地州市科协',
      region: '乌鲁木齐市',
      contactName: '联系人',
      contactPhone: '0991-6386020',
      mobile: '13609906020',
      captcha: CAPTCHA,
    },
    required: ['username', 'password', 'unitName', 'unitType', 'region', 'contactName', 'contactPhone', 'mobile', 'captcha'],
  },
  'POST /api/auth/recover/send': { body: { username: 'nobody_here', channel: 'mobile', captcha: CAPTCHA }, required: ['username', 'channel', 'captcha'] },
  'POST /api/auth/recover/reset': {
    body: { username: 'nobody_here', code: '123456', newPassword: 'Passw0rd!y' },
    required: ['username', 'code', 'newPassword'],
  },
  'PUT /api/applications/:id': { body: { form: { nativePlace: '新疆' } }, required: ['form'] },
  'PUT /api/applications/:id/opinions/return': { body: { text: '请补充' }, required: ['text'] },
  'PUT /api/applications/:id/opinions/recommend': { body: { text: '同意推荐' }, required: ['text'] },
  'PUT /api/applications/:id/opinions/org': { body: { text: '请补充' }, required: ['text'] },
  'PUT /api/applications/:id/preliminary': { body: { result: 'pass' }, required: ['result'] },
  'POST /api/admin/units': {
    body: {
      username: 'strict_unit2',
      password: 'Passw0rd!x',
      unitName: '严格测试单位二',
      unitType: '地州市科协',
      region: '乌鲁木齐市',
      contactName: '联系人',
      contactPhone: '0991-6386020',
      mobile: '13609906021',
    },
    required: ['username', 'password', 'unitName', 'unitType', 'region', 'contactName', 'contactPhone', 'mobile'],
  },
  'PUT /api/account/contact': {
    body: { mobile: '13609906022', email: 'strict@example.cn', currentPassword: 'Fuzz#Pass2023' },
    required: ['mobile', 'currentPassword'],
  },
  'POST /api/admin/units/:id/refuse': { body: { reason: '材料不全' }, required: ['reason'] },
  'PUT /api/admin/campaigns/:id': { body: { settings: {} }, required: ['settings'] },
  'POST /api/auth/password': { body: { oldPassword: 'Passw0rd!x', newPassword: 'Passw0rd!y' }, required: ['oldPassword', 'newPassword'] },
  ...Object.fromEntries(
    ['POST /api/admin/experts', 'PUT /api/admin/experts/:id'].map((key) => [
      key,
      { body: { realName: '严格专家', workUnit: '新疆大学', field: '化学', mobile: '13609906024' }, required: ['realName', 'workUnit', 'field', 'mobile'] },
    ]),
  ),
  'POST /api/admin/expert-groups': { body: { name: '严格评审组' }, required: ['name'] },
  'PUT /api/admin/expert-groups/:id': { body: { name: '严格评审组' }, required: ['name'] },
  'POST /api/admin/expert-groups/:id/members': { body: { expertIds: ['00000000-0000-4000-8000-000000000000'] }, required: ['expertIds'] },
  ...Object.fromEntries(
    ['POST /api/publicities', 'PUT /api/publicities/:id'].map((key) => [
      key,
      {
        body: {
          title: '初评结果公示',
          startsOn: '2023-04-20',
          endsOn: '2023-04-25',
          contactName: '联系人',
          contactPhone: '0991-6386020',
          objectionMethod: '实名书面反映',
          entries: [{ applicationId: '00000000-0000-4000-8000-000000000000', summary: '简介' }],
        },
        required: ['title', 'startsOn', 'endsOn', 'contactName', 'contactPhone', 'objectionMethod', 'entries'],
      },
    ]),
  ),
  'POST /api/publicities/:id/withdraw': { body: { reason: '有误' }, required: ['reason'] },
  'POST /api/review/campaigns/:id/plan/preview': { body: { mode: 'balanced' }, required: ['mode'] },
  'POST /api/review/campaigns/:id/plan/confirm': { body: { mode: 'balanced' }, required: ['mode'] },
  ...Object.fromEntries(
    ['POST /api/review/campaigns/:id/assignments', 'POST /api/review/campaigns/:id/assignments/remove'].map((key) => [
      key,
      {
        body: { applicationId: '00000000-0000-4000-8000-000000000000', expertId: '00000000-0000-4000-8000-000000000000' },
        required: ['applicationId', 'expertId'],
      },
    ]),
  ),
  'POST /api/review/campaigns/:id/reset': { body: { reason: '调整评分标准' }, required: ['reason'] },
  'POST /api/review/sheets/:id/reopen': { body: { reason: '请复核' }, required: ['reason'] },
  'POST /api/review/applications/:id/recusal': { body: { reason: '同一课题组成员' }, required: ['reason'] },
  ...Object.fromEntries(
    ['POST /api/selection/campaigns/:id/shortlist/add', 'POST /api/selection/campaigns/:id/shortlist/remove'].map((key) => [
      key,
      { body: { applicationId: '00000000-0000-4000-8000-000000000000', reason: '增补或移出的理由' }, required: ['applicationId', 'reason'] },
    ]),
  ),
  'PUT /api/selection/campaigns/:id/shortlist/frontline': {
    body: { applicationId: '00000000-0000-4000-8000-000000000000', frontline: true },
    required: ['applicationId', 'frontline'],
  },
  'PUT /api/selection/campaigns/:id/pick': { body: { winners: [], nationals: [], version: 1 }, required: ['winners', 'nationals', 'version'] },
  'POST /api/selection/campaigns/:id/accept': { body: { version: 1 }, required: ['version'] },
  'POST /api/selection/campaigns/:id/confirm': { body: { version: 1 }, required: ['version'] },
  'POST /api/selection/campaigns/:id/reopen': { body: { version: 1, reason: '需要调整' }, required: ['version', 'reason'] },
  'POST /api/selection/campaigns/:id/replacement': { body: { applicationId: '00000000-0000-4000-8000-000000000000' }, required: ['applicationId'] },
  'POST /api/selection/campaigns/:id/publicity': {
    body: {
      title: '最终评选结果公示',
      startsOn: '2023-06-01',
      endsOn: '2023-06-07',
      contactName: '联系人',
      contactPhone: '0991-6386020',
      objectionMethod: '实名书面反映',
      entries: [{ applicationId: '00000000-0000-4000-8000-000000000000', summary: '简介' }],
    },
    required: ['title', 'startsOn', 'endsOn', 'contactName', 'contactPhone', 'objectionMethod', 'entries'],
  },
  'PUT /api/meeting/rounds/:id/ballot': {
    body: { votes: [{ applicationId: '00000000-0000-4000-8000-000000000000', question: 'win', choice: 'yes' }] },
    required: ['votes'],
  },
  'PUT /api/objections/:id/decision': { body: { conclusion: 'rejected', finding: '经核实' }, required: ['conclusion', 'finding'] },
  'POST /api/public/phone-codes': { body: { mobile: '13609906023', captcha: CAPTCHA }, required: ['mobile', 'captcha'] },
  'POST /api/public/publicities/:id/objections': {
    body: { name: '张三', mobile: '13609906023', code: '123456', entry: 1, content: '异议' },
    required: ['name', 'mobile', 'code', 'entry', 'content'],
  },
};
// tus speaks in headers and raw bytes, a scan comes as multipart: no JSON body to be strict about
const NOT_JSON = new Set([
  'POST /api/uploads',
  'PATCH /api/uploads/:id',
  'HEAD /api/uploads/:id',
  'POST /api/applications/:id/attachments',
  'POST /api/admin/experts/import',
  // a seal image, multipart
  'PUT /api/certificates/campaigns/:id/seals/:position',
  'POST /api/certificates/campaigns/:id/seals/:position',
]);

describe('every state-changing route’s body is strict', () => {
  /** The actor who may call the route, so that the body is what is refused, and an id of theirs. */
  function callerOf(route: Route): { actor: Actor; id: string } {
    const [, a1, a2, u1, , org] = actors as [Actor, Actor, Actor, Actor, Actor, Actor];
    const p = route.path;
    if (p.startsWith('/api/auth/')) return { actor: p.endsWith('/logout') ? a1 : actors[0]!, id: '' };
    if (p.startsWith('/api/admin/')) return { actor: org, id: p.includes('/units/') ? pools.unitIds[1]! : pools.campaignIds[0]! };
    // 集中评选: the expert's 签到 and ballot, the organizer's meeting and rounds (on the campaign, or a round of nothing)
    if (p.endsWith('/sign-in')) return { actor: actors[6]!, id: pools.campaignIds[0]! };
    if (p.startsWith('/api/meeting/rounds/') && p.includes('/ballot')) return { actor: actors[6]!, id: '00000000-0000-4000-8000-000000000000' };
    if (p.startsWith('/api/meeting/rounds/')) return { actor: org, id: '00000000-0000-4000-8000-000000000000' };
    if (p.startsWith('/api/meeting/campaigns/')) return { actor: org, id: pools.campaignIds[0]! };
    if (p.includes('/opinions/org')) return { actor: org, id: pools.applicationIds[2]! };
    if (p.includes('/opinions/') || p.endsWith('/open') || p.endsWith('/preliminary')) return { actor: u1, id: pools.applicationIds[1]! };
    if (p.startsWith('/api/publicities') || p.startsWith('/api/objections')) return { actor: u1, id: '00000000-0000-4000-8000-000000000000' };
    if (p.startsWith('/api/public/')) return { actor: actors[0]!, id: '00000000-0000-4000-8000-000000000000' };
    if (p.startsWith('/api/attachments/')) return { actor: a1, id: pools.attachmentIds[0]! };
    // 网上评选: the expert's own routes, and the organizer's (on the campaign, or a sheet of nothing)
    if (p.startsWith('/api/review/applications/')) return { actor: actors[6]!, id: pools.applicationIds[0]! };
    if (p.startsWith('/api/review/campaigns/')) return { actor: org, id: pools.campaignIds[0]! };
    if (p.startsWith('/api/review/')) return { actor: org, id: '00000000-0000-4000-8000-000000000000' };
    // 入围名单 and 最终评选结果: the organizer's, on the campaign
    if (p.startsWith('/api/selection/campaigns/')) return { actor: org, id: pools.campaignIds[0]! };
    // issue 15: 发布 and 宣传稿, 证书, exports and 统计 are the organizer's, on the campaign (or a profile, job or
    // certificate of nothing); a unit's own exports are the same routes
    if (p.startsWith('/api/publication/campaigns/') || p.startsWith('/api/certificates/campaigns/')) return { actor: org, id: pools.campaignIds[0]! };
    if (p.startsWith('/api/exports/') || p.startsWith('/api/stats/')) return { actor: org, id: pools.campaignIds[0]! };
    if (p.startsWith('/api/publication/') || p.startsWith('/api/certificates/') || p.startsWith('/api/jobs/')) {
      return { actor: org, id: '00000000-0000-4000-8000-000000000000' };
    }
    if (p.startsWith('/api/uploads/')) return { actor: a1, id: '0'.repeat(32) };
    if (p.includes('/transitions/')) return { actor: a2, id: pools.applicationIds[1]! };
    return { actor: p.startsWith('/api/notifications') ? u1 : a1, id: pools.applicationIds[0]! };
  }

  it('refuses unknown keys and missing required keys with 400 naming them, and changes nothing', async () => {
    const stateChanging = routes.filter((r) => !['GET', 'HEAD'].includes(r.method) && !NOT_JSON.has(`${r.method} ${r.path.replace(':uploadId', ':id')}`));
    expect(stateChanging.length).toBeGreaterThan(20);
    const failures: string[] = [];
    for (const route of stateChanging) {
      const { actor, id } = callerOf(route);
      let client = actor.client ?? new Client(t.app);
      if (route.path === '/api/auth/logout') {
        // a session of its own, so that a wrongly accepted 退出 does not end the actor's
        client = new Client(t.app);
        await client.login(actor.login!.username, actor.login!.password);
      }
      const url = route.path.replace(/:\w+/, id);
      const valid = VALID_BODIES[`${route.method} ${route.path}`] ?? { body: {}, required: [] };
      const before = await snapshot();
      const extra = await client.request(route.method as 'POST', url, { ...valid.body, zzUnknownKey: 1 });
      const message = extra.body.includes('zzUnknownKey') && extra.statusCode === 400;
      if (!message) failures.push(`${route.method} ${route.path} with an unknown key → ${extra.statusCode} ${extra.body.slice(0, 200)}`);
      for (const key of valid.required) {
        const { [key]: _dropped, ...rest } = valid.body;
        const missing = await client.request(route.method as 'POST', url, rest);
        if (missing.statusCode !== 400) failures.push(`${route.method} ${route.path} without ${key} → ${missing.statusCode} ${missing.body.slice(0, 200)}`);
      }
      if ((await snapshot()) !== before) failures.push(`${route.method} ${route.path}: a refused body changed rows`);
    }
    expect(failures).toEqual([]);
  });
});
