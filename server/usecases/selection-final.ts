// 最终公示 (issue 14, 7.): from a confirmed selection, 自治区科协 publishes the winners through the one 公示 mechanism
// (scope 'final'); objections and 核实 are the units' 初评公示's own. A new final 公示 needs the previous one withdrawn.
import { and, eq, inArray } from 'drizzle-orm';
import type { PublicityInput } from '../../core';
import type { SelectionState } from '../../core/selection/api';
import type { SessionUser } from '../auth/sessions';
import type { Services } from '../context';
import { applications, publicities, selectionEvents } from '../db/schema';
import { AppError } from '../errors';
import { getCampaign } from './campaigns';
import { insertFinalPublicity } from './publicity';
import { confirmedWinners, selectionState } from './selection';
import { lockSelection } from './shortlist';

export async function publishFinal(s: Services, user: SessionUser, campaignId: string, input: PublicityInput): Promise<SelectionState> {
  await s.db.transaction(async (tx) => {
    await lockSelection(tx, campaignId);
    await getCampaign(tx, campaignId);
    const winners = await confirmedWinners(tx, campaignId);
    const [live] = await tx
      .select({ title: publicities.title })
      .from(publicities)
      .where(and(eq(publicities.campaignId, campaignId), eq(publicities.scope, 'final'), eq(publicities.status, 'published')));
    if (live) throw new AppError('CONFLICT', `已发布最终公示《${live.title}》：如需按新的名单公示，请先撤回该公示`);
    const given = input.entries.map((e) => e.applicationId);
    const missing = winners.filter((id) => !given.includes(id));
    const extra = given.filter((id) => !winners.includes(id));
    if (missing.length || extra.length) {
      const names = new Map(
        (
          await tx
            .select({ id: applications.id, name: applications.applicantName })
            .from(applications)
            .where(inArray(applications.id, [...missing, ...extra]))
        ).map((r) => [r.id, r.name]),
      );
      const list = (ids: string[]) => ids.map((id) => names.get(id) ?? '未知候选人').join('、');
      const message = [
        '最终公示的名单须与已确认的当选人员完全一致',
        missing.length ? `缺少：${list(missing)}` : '',
        extra.length ? `不在当选名单中：${list(extra)}` : '',
      ]
        .filter(Boolean)
        .join('；');
      throw new AppError('VALIDATION', message, [{ field: 'entries', label: '候选人', message }]);
    }
    const publicityId = await insertFinalPublicity(tx, user, campaignId, input);
    await tx.insert(selectionEvents).values({ campaignId, action: 'publicity', input: { publicityId, winners }, actorId: user.id });
  });
  return selectionState(s, campaignId);
}
