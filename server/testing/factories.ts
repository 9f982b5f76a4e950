import { eq } from 'drizzle-orm';
import type { ApplicationForm } from '../../core';
import type { SessionUser } from '../auth/sessions';
import { presentSessionUser } from '../auth/sessions';
import type { Services } from '../context';
import { expertProfiles, units, users } from '../db/schema';
import { normaliseOrgName } from '../../core/review';
import { hashPassword } from '../auth/passwords';
import { createUnitAccount, registerApplicant } from '../usecases/accounts';
import { createApplication, pledge, saveForm } from '../usecases/applications';
import { completeForm } from '../demo/forms';

// the demo seed's generated 申请书 and 身份证号码 (production code: server/seed-demo.ts uses them too)
export { completeForm, makeIdNumber } from '../demo/forms';

/**
 * Builders for tests. Each call makes its own people and units (unique names), so
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
  over: Partial<{
    name: string;
    status: 'pending' | 'active' | 'refused' | 'disabled';
    username: string;
    region: string;
    contactPhone: string;
    mobile: string;
    email: string | null;
  }> = {},
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

/**
 * An account of the 评审专家 role, on TEST_PASSWORD (no forced change unless `mustChangePassword`). With `workUnit`
 * it also gets its expert_profiles row (工作单位 normalised for 回避, `field` 专业领域, `idNumber` as the keyed hash),
 * as 新建评审专家 makes it.
 */
export async function buildExpert(
  s: Services,
  over: Partial<{ realName: string; mobile: string; email: string; workUnit: string; field: string; idNumber: string; mustChangePassword: boolean }> = {},
) {
  const username = `exp${uniq()}`;
  const [user] = await s.db
    .insert(users)
    .values({
      username,
      passwordHash: await hashPassword(TEST_PASSWORD),
      role: 'expert',
      realName: over.realName ?? '评审专家',
      mobile: over.mobile ?? null,
      email: over.email ?? null,
      mustChangePassword: over.mustChangePassword ?? false,
    })
    .returning();
  if (over.workUnit !== undefined) {
    await s.db.insert(expertProfiles).values({
      userId: user!.id,
      workUnit: over.workUnit,
      workUnitNorm: normaliseOrgName(over.workUnit),
      field: over.field ?? '化学',
      idHash: over.idNumber ? s.cipher.keyedHash(over.idNumber.toUpperCase()) : null,
    });
  }
  return { user: presentSessionUser(user!, null), username, password: TEST_PASSWORD };
}

/** An application with a saved form (complete unless `form` says otherwise), optionally pledged. */
export async function buildApplication(s: Services, applicant: SessionUser, opts: { form?: ApplicationForm; pledged?: boolean } = {}) {
  const created = await createApplication(s, applicant);
  const saved = await saveForm(s, applicant, created.id, opts.form ?? completeForm({ name: applicant.realName }));
  return opts.pledged ? pledge(s, applicant, saved.id) : saved;
}
