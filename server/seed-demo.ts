import { eq } from 'drizzle-orm';
import type { Services } from './context';
import { units, users } from './db/schema';
import { createUnitAccount, registerApplicant } from './usecases/accounts';
import { createApplication, pledge, saveForm } from './usecases/applications';
import { completeForm, makeIdNumber } from './demo/forms';
import { hashPassword, verifyPassword } from './auth/passwords';
import { seedDemoReview } from './demo/review';

export const DEMO_PASSWORD = 'Demo2023!';

const DEMO_UNITS = [
  { unitName: '乌鲁木齐市科学技术协会', unitType: '地州市科协', region: '乌鲁木齐市', username: 'demo_wlmq', mobile: '13800000001' },
  { unitName: '喀什地区科学技术协会', unitType: '地州市科协', region: '喀什地区', username: 'demo_kashi', mobile: '13800000003' },
  { unitName: '新疆维吾尔自治区农学会', unitType: '自治区学会（协会、研究会）', region: '自治区级', username: 'demo_nxh', mobile: '13800000004' },
  { unitName: '新疆大学科学技术协会', unitType: '高校科协', region: '乌鲁木齐市', username: 'demo_xjdx', mobile: '13800000005' },
] as const;

const DEMO_PENDING = { unitName: '哈密市科学技术协会', unitType: '地州市科协', region: '哈密市', username: 'demo_pending', mobile: '13800000002' } as const;

const DEMO_APPLICANTS = [
  { username: 'demo_gulnar', realName: '古丽娜尔', gender: '女', birthDate: '1985-03-12', complete: true },
  { username: 'demo_wangjian', realName: '王建', gender: '男', birthDate: '1978-11-02', complete: false },
  { username: 'demo_aili', realName: '艾力', gender: '男', birthDate: '1992-06-20', complete: false },
] as const;

/**
 * What happened to one demo account:
 * - created: made now, with the demo password;
 * - existing: already there and the demo password logs in;
 * - unusable: the name is taken by an account the demo password does not open (changed password, another role,
 *   a unit not approved): do not use it;
 * - skipped: the unit already exists under another account, which is named in `note`.
 */
export interface DemoAccount {
  username: string;
  who: string;
  outcome: 'created' | 'existing' | 'unusable' | 'skipped';
  note?: string;
}

/** The accounts, and what else the seed did (said after them). */
export type DemoReport = DemoAccount[] & { notes?: string[] };

const ROLE_NAMES: Record<string, string> = { unit: '推荐单位', organizer: '自治区科协', applicant: '申报人', expert: '评审专家' };

/** Whether `username` logs in with the demo password (and, for a unit, whether its unit lets it in). */
async function demoLoginWorks(s: Services, username: string, expected: { role: string; unitStatus?: string }): Promise<string | null> {
  const [row] = await s.db.select({ user: users, unit: units }).from(users).leftJoin(units, eq(units.id, users.unitId)).where(eq(users.username, username));
  if (!row) return '账号不存在';
  if (!(await verifyPassword(row.user.passwordHash, DEMO_PASSWORD))) return `账号已存在，但密码不是 ${DEMO_PASSWORD}（已被修改或由他人创建）`;
  if (row.user.disabled) return '账号已存在，但已被停用';
  if (row.user.role !== expected.role) return `账号已存在，但不是${ROLE_NAMES[expected.role] ?? expected.role}账号`;
  if (row.user.mustChangePassword) return '账号已存在，但须先修改初始密码';
  if (expected.unitStatus && row.unit?.status !== expected.unitStatus) return `账号已存在，但所属单位状态为“${row.unit?.status ?? '无'}”`;
  return null;
}

/**
 * Demo units, applicants and drafts so that a visitor can try every role at once, and a 网上评选 to walk
 * (server/demo/review.ts: 初评公示, 受理, 评审专家 and their 评审组, assignments, sheets). Safe to run twice: what
 * exists is left alone, and the report says, for every demo account, whether the demo password opens it.
 */
export async function seedDemo(s: Services): Promise<DemoReport> {
  const report: DemoReport = [];
  const accountExists = async (username: string) => (await s.db.select({ id: users.id }).from(users).where(eq(users.username, username))).length > 0;
  const existing = async (username: string, who: string, expected: { role: string; unitStatus?: string }) => {
    const problem = await demoLoginWorks(s, username, expected);
    report.push(problem ? { username, who, outcome: 'unusable', note: problem } : { username, who, outcome: 'existing' });
  };
  /** the unit of that name and the user name of its account, when it exists */
  const unitOwner = async (name: string) => {
    const [row] = await s.db
      .select({ id: units.id, username: users.username })
      .from(units)
      .leftJoin(users, eq(users.unitId, units.id))
      .where(eq(units.name, name));
    return row ? { username: row.username } : null;
  };

  if (await accountExists('demo_org')) await existing('demo_org', '自治区科协', { role: 'organizer' });
  else {
    await s.db
      .insert(users)
      .values({ username: 'demo_org', passwordHash: await hashPassword(DEMO_PASSWORD), role: 'organizer', realName: '自治区科协（演示）' });
    report.push({ username: 'demo_org', who: '自治区科协', outcome: 'created' });
  }

  const units_ = [...DEMO_UNITS.map((u) => ({ ...u, pending: false })), { ...DEMO_PENDING, pending: true }];
  for (const u of units_) {
    const who = u.pending ? `待审核单位（${u.unitName}）` : `推荐单位（${u.unitName}）`;
    if (await accountExists(u.username)) {
      await existing(u.username, who, { role: 'unit', unitStatus: u.pending ? 'pending' : 'active' });
      continue;
    }
    const owner = await unitOwner(u.unitName);
    if (owner) {
      report.push({
        username: u.username,
        who,
        outcome: 'skipped',
        note: owner.username ? `未创建：该单位已存在，账号为 ${owner.username}，请用该账号及其密码登录` : '未创建：该单位已存在（没有账号）',
      });
      continue;
    }
    const { pending, ...fields } = u;
    await createUnitAccount(
      s,
      { ...fields, contactName: pending ? '待审核联系人' : '演示联系人', contactPhone: '0991-6386020', email: null, password: DEMO_PASSWORD },
      pending ? null : { organizerId: '00000000-0000-0000-0000-000000000000' },
    );
    report.push({ username: u.username, who, outcome: 'created' });
  }

  for (const [i, a] of DEMO_APPLICANTS.entries()) {
    const who = `申报人（${a.realName}）`;
    if (await accountExists(a.username)) {
      await existing(a.username, who, { role: 'applicant' });
      continue;
    }
    const user = await registerApplicant(s, {
      username: a.username,
      password: DEMO_PASSWORD,
      realName: a.realName,
      mobile: `1390000000${i}`,
      email: `${a.username}@example.cn`,
    });
    const app = await createApplication(s, user);
    const form = completeForm({
      name: a.realName,
      gender: a.gender,
      birthDate: a.birthDate,
      idNumber: makeIdNumber(a.birthDate, a.gender, '650102', 100 + i),
      mobile: `1390000000${i}`,
    });
    if (a.complete) {
      await saveForm(s, user, app.id, form);
      await pledge(s, user, app.id);
    } else {
      await saveForm(s, user, app.id, { name: form.name, gender: form.gender, workUnit: '新疆农业大学', mobile: form.mobile });
    }
    report.push({ username: a.username, who, outcome: 'created' });
  }

  const review = await seedDemoReview(s, DEMO_PASSWORD);
  for (const a of review.accounts) {
    if (a.outcome === 'existing') await existing(a.username, a.who, { role: a.who.startsWith('评审专家') ? 'expert' : 'applicant' });
    else report.push(a);
  }
  report.notes = review.notes;
  return report;
}

const OUTCOME_TEXT: Record<DemoAccount['outcome'], string> = {
  created: '已创建',
  existing: '已存在',
  unusable: '不可用',
  skipped: '已跳过',
};

/** The report as printed by `npm run seed:demo`: "可用" only for a login the demo password opens. */
export function formatDemoReport(report: DemoReport): string {
  const ok = (r: DemoAccount) => r.outcome === 'created' || r.outcome === 'existing';
  const usable = report.filter((r) => ok(r) && r.username !== DEMO_PENDING.username);
  const lines = [`演示数据：可用演示密码 ${DEMO_PASSWORD} 登录的账号 ${usable.length} 个，其他 ${report.length - usable.length} 个见说明`];
  for (const r of report) {
    const status = !ok(r)
      ? `${OUTCOME_TEXT[r.outcome]}，${r.note ?? ''}`
      : r.username === DEMO_PENDING.username
        ? `${OUTCOME_TEXT[r.outcome]}，等待审核：登录会被拒绝（演示“等待审核”；自治区科协审核通过后可用演示密码登录）`
        : `${OUTCOME_TEXT[r.outcome]}，可用演示密码登录`;
    lines.push(`  ${r.username.padEnd(18)} ${r.who}：${status}`);
  }
  for (const note of report.notes ?? []) lines.push(note);
  return lines.join('\n');
}
