// 往年获评人员不再推荐 (issue 15, 6.), backed by the results: the years in which a person was published 当选 or 推荐全国
// in an earlier campaign of the same program. Read by 我要申请, 【提交】's check and the 申请书's 评选标准 section.
import { and, asc, eq, inArray, ne, sql } from 'drizzle-orm';
import { WINNER_STATUSES } from '../../core';
import type { Db } from '../db/client';
import { applications, campaigns } from '../db/schema';

/**
 * The years in which this person was published 当选 (or 推荐全国) in an earlier campaign of the same program: matched
 * by 身份证号码 (its keyed hash; the number itself is never compared in clear) or by the same applicant account.
 */
export async function previousWinYears(db: Db, app: { id: string; campaignId: string; applicantId: string; idHash: string | null }): Promise<number[]> {
  const [current] = await db.select({ programId: campaigns.programId, year: campaigns.year }).from(campaigns).where(eq(campaigns.id, app.campaignId));
  if (!current) return [];
  const who = app.idHash
    ? sql`(${applications.idHash} = ${app.idHash} or ${applications.applicantId} = ${app.applicantId})`
    : eq(applications.applicantId, app.applicantId);
  const rows = await db
    .selectDistinct({ year: campaigns.year })
    .from(applications)
    .innerJoin(campaigns, eq(campaigns.id, applications.campaignId))
    .where(
      and(
        who,
        ne(applications.id, app.id),
        eq(campaigns.programId, current.programId),
        sql`${campaigns.year} < ${current.year}`,
        inArray(applications.status, [...WINNER_STATUSES]),
      ),
    )
    .orderBy(asc(campaigns.year));
  return rows.map((r) => r.year);
}

/** For 我要申请: the years an applicant account won earlier in the program of `campaignId` (before any 身份证号码 exists). */
export async function previousWinYearsOfAccount(db: Db, applicantId: string, campaignId: string): Promise<number[]> {
  return previousWinYears(db, { id: '00000000-0000-0000-0000-000000000000', campaignId, applicantId, idHash: null });
}
