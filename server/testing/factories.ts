import { eq } from 'drizzle-orm';
import type { ApplicationForm } from '../../core';
import type { SessionUser } from '../auth/sessions';
import { presentSessionUser } from '../auth/sessions';
import type { Services } from '../context';
import { units, users } from '../db/schema';
import { hashPassword } from '../auth/passwords';
import { createUnitAccount, registerApplicant } from '../usecases/accounts';
import { createApplication, pledge, saveForm } from '../usecases/applications';

/**
 * Builders for tests and the demo seed. Each call makes its own people and units (unique names), so
 * tests never depend on each other.
 */
let counter = 0;
const uniq = () => `${Date.now().toString(36)}${(counter++).toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;

export const TEST_PASSWORD = 'Passw0rd!2023';

export async function buildApplicant(s: Services, over: Partial<{ username: string; realName: string; mobile: string; email: string; password: string }> = {}) {
  const username = over.username ?? `u${uniq()}`;
  const password = over.password ?? TEST_PASSWORD;
  const user = await registerApplicant(s, {
    username,
    password,
    realName: over.realName ?? '测试人员',
    mobile: over.mobile ?? '13899990000',
    email: over.email ?? `${username}@example.cn`,
  });
  return { user, username, password };
}

export async function buildUnit(
  s: Services,
  over: Partial<{ name: string; status: 'pending' | 'active' | 'refused' | 'disabled'; username: string; region: string; contactPhone: string; mobile: string; email: string | null }> = {},
) {
  const username = over.username ?? `unit${uniq()}`;
  const unit = await createUnitAccount(
    s,
    {
      unitName: over.name ?? `测试推荐单位${uniq()}`,
      unitType: '地州市科协',
      region: over.region ?? '乌鲁木齐市',
      contactName: '单位联系人',
      contactPhone: over.contactPhone ?? '0991-6386020',
      mobile: over.mobile ?? '13988887777',
      email: over.email === undefined ? `${username}@example.cn` : over.email,
      username,
      password: TEST_PASSWORD,
    },
    over.status === 'pending' ? null : { organizerId: '00000000-0000-0000-0000-000000000000' },
  );
  if (over.status && over.status !== 'active' && over.status !== 'pending') {
    await s.db.update(units).set({ status: over.status }).where(eq(units.id, unit.id));
  }
  const [account] = await s.db.select().from(users).where(eq(users.unitId, unit.id));
  const [fresh] = await s.db.select().from(units).where(eq(units.id, unit.id));
  return { unit: fresh!, username, password: TEST_PASSWORD, user: presentSessionUser(account!, fresh!) };
}

export async function buildOrganizer(s: Services) {
  const username = `org${uniq()}`;
  const [user] = await s.db
    .insert(users)
    .values({ username, passwordHash: await hashPassword(TEST_PASSWORD), role: 'organizer', realName: '自治区科协' })
    .returning();
  return { user: presentSessionUser(user!, null), username, password: TEST_PASSWORD };
}

/** A valid 18-digit 身份证号码 for a birth date and sex, with a correct check character. */
let idSerial = Math.floor(Math.random() * 400);
/** Distinct by construction within a process: a running serial and a random district of Urumqi. */
export function makeIdNumber(
  birthDate = '1980-05-01',
  gender: '男' | '女' = '男',
  region = `6501${String(2 + Math.floor(Math.random() * 90)).padStart(2, '0')}`,
  serial = idSerial++ % 500,
): string {
  const seq = String(serial * 2 + (gender === '男' ? 1 : 0)).padStart(3, '0');
  const body = region + birthDate.replaceAll('-', '') + seq;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = body.split('').reduce((acc, d, i) => acc + Number(d) * weights[i]!, 0);
  return body + '10X98765432'[sum % 11]!;
}

export function completeForm(over: Partial<ApplicationForm> = {}): ApplicationForm {
  const birthDate = over.birthDate ?? '1985-03-12';
  const gender = (over.gender as '男' | '女' | undefined) ?? '女';
  return {
    idNumber: makeIdNumber(birthDate, gender),
    name: '古丽娜尔',
    gender,
    ethnicity: '维吾尔族',
    birthDate,
    nativePlace: '新疆喀什',
    politicalStatus: '中共党员',
    education: '博士研究生',
    degree: '博士',
    school: '新疆大学',
    major: '作物遗传育种',
    workUnit: '新疆农业科学院',
    duties: '棉花育种研究',
    title: '研究员',
    officePhone: '0991-4502133',
    mobile: '13899990000',
    email: 'gulnar@example.cn',
    address: '乌鲁木齐市沙依巴克区南昌路403号',
    postcode: '830091',
    field: '经济主战场与成果转化',
    mainDeeds: '扎根南疆二十年，培育抗旱棉花新品种6个，累计推广800万亩。',
    story: '她常年住在试验田旁的土坯房里，和农民一起摘棉花、算收成。',
    worksInXinjiang: true,
    isAcademician: false,
    previousWinner: false,
    activeMilitary: false,
    civilServant: false,
    seniorOfficial: false,
    nationalHonour: false,
    zuimeiTitle: false,
    ...over,
  };
}

/** An application with a saved form (complete unless `form` says otherwise), optionally pledged. */
export async function buildApplication(s: Services, applicant: SessionUser, opts: { form?: ApplicationForm; pledged?: boolean } = {}) {
  const created = await createApplication(s, applicant);
  const saved = await saveForm(s, applicant, created.id, opts.form ?? completeForm({ name: applicant.realName }));
  return opts.pledged ? pledge(s, applicant, saved.id) : saved;
}
