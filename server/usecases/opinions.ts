// The receiver's written word on an application: 修改意见, 推荐单位意见 and the organizer's opinion (【保存】), and the
// unit's 初评. Each is saved by the one who holds the application, and counts as having opened it.
import { eq } from 'drizzle-orm';
import { PRELIMINARY_LABELS, type Action, type ApplicationDetail, type PreliminaryInput } from '../../core';
import type { SessionUser } from '../auth/sessions';
import type { Services } from '../context';
import { applications } from '../db/schema';
import { loadVisible, requireAbility } from './access';
import { detail } from './presenters';
import { factsFor, insertEvent } from './workflow';

const OPINION_COLUMN = { return: 'returnOpinion', recommend: 'unitOpinion', org: 'orgOpinion' } as const;

/** 【修改意见】/【推荐单位意见】 → 【保存】 by the unit; the organizer's opinion for its 退回. */
export async function saveOpinion(s: Services, user: SessionUser, id: string, kind: keyof typeof OPINION_COLUMN, text: string): Promise<ApplicationDetail> {
  const action: Action = kind === 'org' ? 'orgOpinion' : 'unitOpinion';
  return s.db.transaction(async (tx) => {
    const { app, unitName } = await loadVisible(tx, user, id, true);
    requireAbility(user, app, action);
    // saving an opinion is handling it: the sender's 收回 ends too
    const [row] = await tx
      .update(applications)
      .set({ [OPINION_COLUMN[kind]]: text.trim() || null, viewedAt: app.viewedAt ?? new Date(), viewedBy: app.viewedBy ?? user.id, updatedAt: new Date() })
      .where(eq(applications.id, app.id))
      .returning();
    return detail({ ...s, db: tx }, user, row!, unitName);
  });
}

/**
 * 【保存初评】 by the unit that holds it: 通过 / 不通过 (with a reason), who and when; changeable while it holds it.
 * Recording it is handling it (the applicant's 收回 ends, as with an opinion), and a 流程情况 row keeps each version
 * (not shown to the applicant).
 */
export async function savePreliminary(s: Services, user: SessionUser, id: string, input: PreliminaryInput): Promise<ApplicationDetail> {
  return s.db.transaction(async (tx) => {
    const { app, unitName } = await loadVisible(tx, user, id, true);
    const guessed = requireAbility(user, app, 'preliminary');
    requireAbility(user, app, 'preliminary', await factsFor(s, tx, user, app, guessed, app.unitId));
    const now = new Date();
    const reason = input.reason?.trim() || null;
    const byName = user.unit ? `${user.unit.name}（${user.realName}）` : user.realName;
    const [row] = await tx
      .update(applications)
      .set({
        preliminaryResult: input.result,
        preliminaryReason: reason,
        preliminaryBy: user.id,
        preliminaryByName: byName,
        preliminaryAt: now,
        viewedAt: app.viewedAt ?? now,
        viewedBy: app.viewedBy ?? user.id,
        updatedAt: now,
      })
      .where(eq(applications.id, app.id))
      .returning();
    const name = unitName ?? '推荐单位';
    await insertEvent(tx).execute({
      applicationId: app.id,
      action: 'preliminary',
      fromStatus: app.status,
      toStatus: app.status,
      actorId: user.id,
      actorRole: user.role,
      actorName: user.unit?.name ?? user.realName,
      fromName: name,
      toName: name,
      opinion: `${PRELIMINARY_LABELS[input.result]}${reason ? `：${reason}` : ''}`,
      snapshotId: null,
    });
    return detail({ ...s, db: tx }, user, row!, unitName);
  });
}
