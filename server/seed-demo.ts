import { eq } from 'drizzle-orm';
import type { Services } from './context';
import { units, users } from './db/schema';
import { createUnitAccount, registerApplicant } from './usecases/accounts';
import { createApplication, pledge, saveForm } from './usecases/applications';
import { completeForm, makeIdNumber } from './testing/factories';
import { hashPassword } from './auth/passwords';

export const DEMO_PASSWORD = 'Demo2023!';

const DEMO_UNITS = [
  { unitName: '乌鲁木齐市科学技术协会', unitType: '地州市科协', region: '乌鲁木齐市', username: 'demo_wlmq' },
  { unitName: '喀什地区科学技术协会', unitType: '地州市科协', region: '喀什地区', username: 'demo_kashi' },
  { unitName: '新疆维吾尔自治区农学会', unitType: '自治区学会（协会、研究会）', region: '自治区级', username: 'demo_nxh' },
  { unitName: '新疆大学科学技术协会', unitType: '高校科协', region: '乌鲁木齐市', username: 'demo_xjdx' },
] as const;

const DEMO_APPLICANTS = [
  { username: 'demo_gulnar', realName: '古丽娜尔', gender: '女', birthDate: '1985-03-12', complete: true },
  { username: 'demo_wangjian', realName: '王建', gender: '男', birthDate: '1978-11-02', complete: false },
  { username: 'demo_aili', realName: '艾力', gender: '男', birthDate: '1992-06-20', complete: false },
] as const;

/** Demo units, applicants and drafts so that a visitor can try every role at once. Safe to run twice. */
export async function seedDemo(s: Services): Promise<void> {
  const exists = async (username: string) => (await s.db.select({ id: users.id }).from(users).where(eq(users.username, username))).length > 0;
  if (!(await exists('demo_org'))) {
    await s.db.insert(users).values({ username: 'demo_org', passwordHash: await hashPassword(DEMO_PASSWORD), role: 'organizer', realName: '自治区科协（演示）' });
  }
  const unitExists = async (name: string) => (await s.db.select({ id: units.id }).from(units).where(eq(units.name, name))).length > 0;
  for (const u of DEMO_UNITS) {
    if ((await exists(u.username)) || (await unitExists(u.unitName))) continue;
    await createUnitAccount(s, { ...u, contactName: '演示联系人', contactPhone: '13800000001', password: DEMO_PASSWORD }, { organizerId: '00000000-0000-0000-0000-000000000000' });
  }
  if (!(await exists('demo_pending')) && !(await unitExists('哈密市科学技术协会'))) {
    await createUnitAccount(s, { unitName: '哈密市科学技术协会', unitType: '地州市科协', region: '哈密市', username: 'demo_pending', contactName: '待审核联系人', contactPhone: '13800000002', password: DEMO_PASSWORD }, null);
  }
  for (const [i, a] of DEMO_APPLICANTS.entries()) {
    if (await exists(a.username)) continue;
    const user = await registerApplicant(s, { username: a.username, password: DEMO_PASSWORD, realName: a.realName, mobile: `1390000000${i}`, email: `${a.username}@example.cn` });
    const app = await createApplication(s, user);
    const form = completeForm({ name: a.realName, gender: a.gender, birthDate: a.birthDate, idNumber: makeIdNumber(a.birthDate, a.gender, '650102', 100 + i), mobile: `1390000000${i}` });
    if (a.complete) {
      await saveForm(s, user, app.id, form);
      await pledge(s, user, app.id);
    } else {
      await saveForm(s, user, app.id, { name: form.name, gender: form.gender, workUnit: '新疆农业大学', mobile: form.mobile });
    }
  }
  console.log(`演示数据已就绪，密码均为 ${DEMO_PASSWORD}：
  自治区科协 demo_org
  推荐单位 ${DEMO_UNITS.map((u) => `${u.username}（${u.unitName}）`).join('、')}；待审核单位 demo_pending
  申报人 ${DEMO_APPLICANTS.map((a) => `${a.username}（${a.realName}）`).join('、')}`);
}
