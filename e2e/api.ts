import { CAPTCHA } from './harness';
import type { ApplicationForm } from '../core';
import { completeForm } from '../server/testing/factories';
import { jpegBytes, pdfBytes, pngBytes } from '../server/testing/files';

/** A minimal cookie-keeping client for setting up e2e data through the platform's own HTTP API. */
export class ApiClient {
  private cookies = new Map<string, string>();
  constructor(readonly base: string) {}

  private remember(res: Response) {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [k, v] = pair!.split('=');
      this.cookies.set(k!.trim(), v ?? '');
    }
  }

  /** the CSRF token: `__Host-csrf` when the server runs with COOKIE_SECURE=1, `csrf` otherwise */
  private csrf(): string | undefined {
    return this.cookies.get('__Host-csrf') ?? this.cookies.get('csrf');
  }

  async call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T> {
    if (!this.csrf()) this.remember(await fetch(`${this.base}/api/auth/me`));
    const headers: Record<string, string> = { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'x-csrf-token': this.csrf()! };
    let payload: BodyInit | undefined;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const res = await fetch(`${this.base}${path}`, { method, headers, body: payload });
    this.remember(res);
    const data = (await res.json()) as T;
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(data)}`);
    return data;
  }

  /** The session as request headers, for talking to the server without this client (tus, benches). */
  sessionHeaders(): { cookie: string; 'x-csrf-token': string } {
    return { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'x-csrf-token': this.csrf() ?? '' };
  }

  login(username: string, password: string) {
    return this.call('POST', '/api/auth/login', { username, password, captcha: CAPTCHA });
  }

  upload(applicationId: string, kind: string, name: string, bytes: Buffer, type: string) {
    const form = new FormData();
    form.append('kind', kind);
    form.append('file', new Blob([new Uint8Array(bytes)], { type }), name);
    return this.call('POST', `/api/applications/${applicationId}/attachments`, form);
  }
}

/**
 * The first log-in of an account created by 自治区科协 (a unit made with 新建推荐单位): its owner must change the password
 * (docs/SECURITY.md). Set-ups that want the account to keep `password` change it away and back, as its owner could.
 */
export async function firstLogin(base: string, username: string, password: string): Promise<void> {
  const owner = new ApiClient(base);
  await owner.login(username, password);
  await owner.call('POST', '/api/auth/password', { oldPassword: password, newPassword: `${password}#1` });
  await owner.call('POST', '/api/auth/password', { oldPassword: `${password}#1`, newPassword: password });
}

/** YYYY-MM-DD `days` from today in Beijing time. */
export const beijingDay = (days = 0) => new Date(Date.now() + 8 * 3600_000 + days * 86_400_000).toISOString().slice(0, 10);

/**
 * The unit's 初评公示 of `ids` (初评 通过), by default already over (the day before yesterday to yesterday): what
 * 【提交】 to 自治区科协 waits for while 初评须公示 is on (the default). Returns the 公示's id.
 */
export async function publishPublicity(unit: ApiClient, ids: string[], period = { startsOn: beijingDay(-2), endsOn: beijingDay(-1) }): Promise<string> {
  const p = await unit.call<{ id: string }>('POST', '/api/publicities', {
    title: '关于“新疆最美科技工作者”候选人初评结果的公示',
    ...period,
    contactName: '单位联系人',
    contactPhone: '0991-6386020',
    objectionMethod: '请以实名书面或电话形式反映。',
    entries: ids.map((applicationId) => ({ applicationId, summary: '长期扎根科研一线，成果突出。' })),
  });
  return p.id;
}

/** What an applicant of the journeys is: 姓名, account and 手机; `email` and the 申请书's fields override the defaults. */
export interface Applicant {
  name: string;
  username: string;
  mobile: string;
  /** by default `<username>@example.cn` */
  email?: string;
  /** fields of the 申请书 beyond 姓名 and 手机 (completeForm fills the rest) */
  form?: Partial<ApplicationForm>;
}

/** The notice's smallest photo (2 MB), as server/testing/journey.ts uploads it. */
const PHOTO_BYTES = 2 * 1024 * 1024;

/**
 * A registered applicant with a complete, pledged application and its scans (诚信承诺, 单位意见, 政审材料, a photo),
 * not yet submitted. Returns the applicant's session and the application's id.
 */
export async function applicantWithApplication(url: string, a: Applicant): Promise<{ c: ApiClient; id: string }> {
  const c = new ApiClient(url);
  await c.call('POST', '/api/auth/register/applicant', {
    username: a.username,
    password: 'Apply2023x',
    realName: a.name,
    mobile: a.mobile,
    email: a.email ?? `${a.username}@example.cn`,
    captcha: CAPTCHA,
  });
  const { id } = await c.call<{ id: string }>('POST', '/api/applications');
  await c.call('PUT', `/api/applications/${id}`, { form: completeForm({ ...a.form, name: a.name, mobile: a.mobile }) });
  await c.call('POST', `/api/applications/${id}/pledge`);
  await c.upload(id, 'integrity_pledge', '诚信承诺.pdf', pdfBytes('p'), 'application/pdf');
  await c.upload(id, 'unit_opinion', '单位意见.png', pngBytes(), 'image/png');
  await c.upload(id, 'political_review', '政审材料.pdf', pdfBytes('r'), 'application/pdf');
  await c.upload(id, 'photo', '工作照.jpg', jpegBytes(PHOTO_BYTES), 'image/jpeg'); // 提交 needs at least one photo
  return { c, id };
}

/** An applicant's complete application, submitted to the unit `unitId`. Returns its id. */
export async function submitted(url: string, a: Applicant, unitId: string): Promise<string> {
  const { c, id } = await applicantWithApplication(url, a);
  await c.call('POST', `/api/applications/${id}/transitions/submit`, { unitId });
  return id;
}

/**
 * The unit's part, through the API: 办理, 初评 通过, 推荐单位意见 and its three scans (推荐报告, 干部人事管理部门意见,
 * 纪检监察部门意见). What 【提交】 to 自治区科协 needs besides the 公示.
 */
export async function preliminaryPassed(unit: ApiClient, id: string): Promise<void> {
  await unit.call('POST', `/api/applications/${id}/open`);
  await unit.call('PUT', `/api/applications/${id}/preliminary`, { result: 'pass' });
  await unit.call('PUT', `/api/applications/${id}/opinions/recommend`, { text: '该同志长期扎根基层，事迹突出，同意推荐。' });
  for (const [kind, file] of [
    ['recommend_report', '推荐报告.pdf'],
    ['cadre_opinion', '干部人事管理部门意见.pdf'],
    ['discipline_opinion', '纪检监察部门意见.pdf'],
  ] as const)
    await unit.upload(id, kind, file, pdfBytes(kind), 'application/pdf');
}

/**
 * A candidate in 网上评选: submitted to the unit, 初评 通过, forwarded to 自治区科协 and 受理 there (the campaign's
 * 初评须公示 must be off, or the unit's 公示 published first). Returns the application's id.
 */
export async function forwardedAndAccepted(url: string, admin: ApiClient, unit: ApiClient, unitId: string, a: Applicant): Promise<string> {
  const id = await submitted(url, a, unitId);
  await preliminaryPassed(unit, id);
  await unit.call('POST', `/api/applications/${id}/transitions/forward`);
  await admin.call('POST', `/api/applications/${id}/transitions/accept`);
  return id;
}

/** The password the journeys' experts choose at their first log-in. */
export const EXPERT_PASSWORD = 'Expert2023x';

/**
 * An expert created by 自治区科协 (logs in with the 手机), logged in with the SMS's initial password (read from the
 * outbox) changed to EXPERT_PASSWORD. Returns the expert's session.
 */
export async function expert(url: string, admin: ApiClient, realName: string, workUnit: string, mobile: string): Promise<ApiClient> {
  await admin.call('POST', '/api/admin/experts', { realName, workUnit, field: '农业科学', mobile });
  const outbox = await admin.call<{ recipient: string; body: string }[]>('GET', '/api/admin/outbox');
  const initial = /初始密码 ([A-Za-z0-9]+)/.exec(outbox.find((m) => m.recipient === mobile)!.body)![1]!;
  const e = new ApiClient(url);
  await e.login(mobile, initial);
  await e.call('POST', '/api/auth/password', { oldPassword: initial, newPassword: EXPERT_PASSWORD });
  return e;
}

/** The password of the journeys' 推荐单位 accounts. */
export const UNIT_PASSWORD = 'Unit2023x';

/** What a 推荐单位 of the journeys is: a 地州市科协 whose contact's 手机 is also its phone. */
export interface UnitAccount {
  unitName: string;
  region: string;
  contactName: string;
  mobile: string;
  username: string;
}

/** A 推荐单位 and its account (password UNIT_PASSWORD), created by 自治区科协. Returns the unit's id. */
export async function createUnit(admin: ApiClient, u: UnitAccount): Promise<string> {
  const unit = await admin.call<{ id: string }>('POST', '/api/admin/units', {
    ...u,
    unitType: '地州市科协',
    contactPhone: u.mobile,
    password: UNIT_PASSWORD,
  });
  await firstLogin(admin.base, u.username, UNIT_PASSWORD);
  return unit.id;
}

/**
 * The 网上评选 journeys' campaign: 初评须公示 off (the 公示 has its own journey), the 网上评选 window open today, k
 * reviews per candidate and at most L per expert. Returns the campaign's id.
 */
export async function openOnlineReview(admin: ApiClient, review: { k: number; L: number }): Promise<string> {
  const current = await admin.call<{ id: string }>('GET', '/api/campaigns/current?program=ZMKJ');
  const campaign = await admin.call<{ settings: Record<string, unknown> & { windows: Record<string, unknown> } }>('GET', `/api/admin/campaigns/${current.id}`);
  const settings = {
    ...campaign.settings,
    preliminary: { requirePublicity: false },
    windows: { ...campaign.settings.windows, online: { start: beijingDay(-1), end: beijingDay(6) } },
    review: { ...(campaign.settings.review as Record<string, unknown>), ...review },
  };
  await admin.call('PUT', `/api/admin/campaigns/${current.id}`, { settings });
  return current.id;
}

/** Who the 入围名单 journeys (meeting, selection) put on it, and who scores them. */
export interface ShortlistSetup {
  /** the campaign's settings changed beyond what the set-up needs (winners, ratios, …) */
  settings: Record<string, unknown>;
  /** the two recommending units: [unitName, region]; candidate i comes from unit i % 2 */
  units: readonly (readonly [string, string])[];
  /**
   * in the order the experts rank them, the first best; `form` adds to the 申请书; `score` is every expert's total for
   * the candidate (default 90 − 5 × its index; equal scores tie in the online ranking)
   */
  candidates: readonly { name: string; form?: Partial<ApplicationForm>; score?: number }[];
  experts: readonly { name: string; workUnit: string; mobile: string }[];
  /** prefix of the journey's user names */
  tag: string;
}

/**
 * A campaign at its 入围名单: the 网上评选 and 集中评选 windows open today, 初评须公示 off, every candidate forwarded,
 * 受理 and scored by every expert (the first candidate best, each expert in the same order), the 入围名单 built (so
 * every candidate is 评审中). Returns the campaign, the candidates' ids in order and the experts' sessions.
 */
export async function shortlistedCampaign(
  url: string,
  admin: ApiClient,
  o: ShortlistSetup,
): Promise<{ campaignId: string; ids: string[]; experts: ApiClient[] }> {
  const campaignId = (await admin.call<{ id: string }>('GET', '/api/campaigns/current?program=ZMKJ')).id;
  const campaign = await admin.call<{ settings: Record<string, unknown> & { windows: Record<string, unknown>; review: Record<string, unknown> } }>(
    'GET',
    `/api/admin/campaigns/${campaignId}`,
  );
  const days = { start: beijingDay(-1), end: beijingDay(6) };
  const k = o.experts.length;
  await admin.call('PUT', `/api/admin/campaigns/${campaignId}`, {
    settings: {
      ...campaign.settings,
      preliminary: { requirePublicity: false },
      windows: { ...campaign.settings.windows, online: days, concentrated: days },
      review: { ...campaign.settings.review, k, L: 10 },
      ...o.settings,
    },
  });
  const units: { id: string; client: ApiClient }[] = [];
  for (const [i, [unitName, region]] of o.units.entries()) {
    const username = `${o.tag}unit${i}`;
    const id = await createUnit(admin, { unitName, region, contactName: '热依拉', mobile: `1360990${String(7700 + i)}`, username });
    const client = new ApiClient(url);
    await client.login(username, UNIT_PASSWORD);
    units.push({ id, client });
  }
  const ids: string[] = [];
  for (const [i, c] of o.candidates.entries()) {
    const unit = units[i % units.length]!;
    const a = { name: c.name, username: `${o.tag}0${i}`, mobile: `1389999${String(8800 + i)}`, ...(c.form ? { form: c.form } : {}) };
    ids.push(await forwardedAndAccepted(url, admin, unit.client, unit.id, a));
  }
  const experts: ApiClient[] = [];
  for (const x of o.experts) experts.push(await expert(url, admin, x.name, x.workUnit, x.mobile));
  await admin.call('POST', `/api/review/campaigns/${campaignId}/plan/confirm`, { mode: 'balanced', k, L: 10 });
  const tenth = (x: number) => Math.round(x * 10) / 10;
  for (const [e, ex] of experts.entries()) {
    for (const [i, id] of ids.entries()) {
      const total = (o.candidates[i]!.score ?? 90 - i * 5) - e;
      const body = { scores: { achievement: tenth(total / 2), story: tenth((total * 3) / 10), typical: tenth(total / 5) }, gates: { political: true } };
      await ex.call('POST', `/api/review/applications/${id}/sheet/submit`, body);
    }
  }
  await admin.call('POST', `/api/selection/campaigns/${campaignId}/shortlist/build`, {});
  return { campaignId, ids, experts };
}
