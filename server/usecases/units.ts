import { and, asc, desc, eq } from 'drizzle-orm';
import { isUnitStatus, UNIT_STATUS_LABELS, type AdminUnit, type UnitStatus } from '../../core';
import type { SessionUser } from '../auth/sessions';
import type { Services } from '../context';
import { units, users } from '../db/schema';
import { AppError, notFound } from '../errors';
import { audit } from '../audit';

function present(unit: typeof units.$inferSelect, username: string | null): AdminUnit {
  return {
    id: unit.id,
    name: unit.name,
    type: unit.type,
    region: unit.region,
    contactName: unit.contactName,
    contactPhone: unit.contactPhone,
    status: unit.status,
    statusLabel: UNIT_STATUS_LABELS[unit.status as UnitStatus] ?? unit.status,
    username,
    createdAt: unit.createdAt.toISOString(),
    refusedReason: unit.refusedReason,
  };
}

export async function listUnits(s: Services, status: string | undefined): Promise<AdminUnit[]> {
  const rows = await s.db
    .select({ unit: units, username: users.username })
    .from(units)
    .leftJoin(users, eq(users.unitId, units.id))
    .where(status && isUnitStatus(status) ? eq(units.status, status) : undefined)
    .orderBy(desc(units.createdAt));
  return rows.map((r) => present(r.unit, r.username));
}

/** Approved units, for the applicant's choice of 推荐单位. */
export async function activeUnits(s: Services) {
  return s.db
    .select({ id: units.id, name: units.name, type: units.type, region: units.region })
    .from(units)
    .where(eq(units.status, 'active'))
    .orderBy(asc(units.region), asc(units.name));
}

/** 通过 / 不通过 of a self-registered unit; only a pending unit is decided, once. */
export async function decideUnit(s: Services, organizer: SessionUser, id: string, decision: 'approve' | 'refuse', reason?: string): Promise<AdminUnit> {
  const next = decision === 'approve' ? 'active' : 'refused';
  const updated = await s.db
    .update(units)
    .set({ status: next, refusedReason: decision === 'refuse' ? (reason ?? null) : null, decidedAt: new Date(), decidedBy: organizer.id })
    .where(and(eq(units.id, id), eq(units.status, 'pending')))
    .returning();
  if (!updated.length) {
    const [unit] = await s.db.select().from(units).where(eq(units.id, id));
    if (!unit) throw notFound('推荐单位');
    throw new AppError('CONFLICT', `该推荐单位当前状态为“${UNIT_STATUS_LABELS[unit.status as UnitStatus] ?? unit.status}”，只有待审核的单位可以审核`);
  }
  await audit(s.db, organizer, `unit.${decision}`, 'unit', id, reason ? { reason } : undefined);
  const [row] = await s.db.select({ unit: units, username: users.username }).from(units).leftJoin(users, eq(users.unitId, units.id)).where(eq(units.id, id));
  const unit = row!.unit;
  const [account] = await s.db.select().from(users).where(eq(users.unitId, id));
  if (account?.mobile) {
    await s.sender.send(s.db, {
      channel: 'mobile',
      recipient: account.mobile,
      userId: account.id,
      ...(decision === 'approve'
        ? { template: 'unit.approved' as const, values: { unit: unit.name, username: account.username } }
        : { template: 'unit.rejected' as const, values: { unit: unit.name, reason: reason || '未说明' } }),
    });
  }
  return present(unit, row!.username);
}

export async function findUnitWithAccount(s: Services, id: string): Promise<AdminUnit> {
  const [row] = await s.db.select({ unit: units, username: users.username }).from(units).leftJoin(users, eq(users.unitId, units.id)).where(eq(units.id, id));
  if (!row) throw notFound('推荐单位');
  return present(row.unit, row.username);
}
