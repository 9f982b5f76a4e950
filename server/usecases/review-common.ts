// 网上评选's shared pieces: the window, the campaign read under the lock that guards its 评分标准, sheet presentation.
import { and, eq, inArray, sql } from 'drizzle-orm';
import { chinaToday, isWindowOpen, windowRefusal, type CampaignView } from '../../core';
import { SHEET_STATE_LABELS, type ReviewWindow, type SheetState } from '../../core/review';
import type { Db } from '../db/client';
import { scoreSheets } from '../db/schema';
import { AppError } from '../errors';
import { getCampaign } from './campaigns';

/** Sheet statuses that lock the rubric and count as 已保存 / 已提交 ('reset': emptied by 重置评审, counts as 未评). */
export const LIVE_SHEET_STATUSES = ['saved', 'submitted'] as const;

/** The day after `date` (YYYY-MM-DD). */
function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** The 网上评选 window of a campaign: windows.online, whole days of Beijing time, both ends included. */
export function reviewWindow(c: CampaignView, now = new Date()): ReviewWindow {
  const w = c.settings.windows.online;
  return {
    campaignId: c.id,
    campaignTitle: c.title,
    start: w.start,
    end: w.end,
    opensAt: new Date(`${w.start}T00:00:00+08:00`).toISOString(),
    closesAt: new Date(`${nextDay(w.end)}T00:00:00+08:00`).toISOString(),
    open: isWindowOpen(w, chinaToday(now)),
  };
}

/** Refuses a score change outside the 网上评选 window, naming the window. */
export function requireReviewWindow(c: CampaignView, action: string): void {
  if (!isWindowOpen(c.settings.windows.online, chinaToday())) {
    throw new AppError('FORBIDDEN', windowRefusal(c.title, 'online', c.settings.windows.online, action));
  }
}

/**
 * The campaign, read after taking a KEY SHARE lock on its row: a score change holds it until commit, and a change
 * of the 评分标准 (FOR UPDATE, campaigns.ts) waits for it and then sees the sheet, so no sheet is ever saved against
 * a rubric being replaced. KEY SHARE does not wait for the numbering of new applications (next_seq).
 */
export async function campaignForScoring(tx: Db, campaignId: string): Promise<CampaignView> {
  return getCampaign(tx, campaignId, 'key share');
}

/** Whether any sheet of the campaign holds a score (已保存 or 已提交): the 评分标准 is then locked. */
export async function rubricLocked(db: Db, campaignId: string): Promise<boolean> {
  const [row] = await db
    .select({ n: sql<number>`1` })
    .from(scoreSheets)
    .where(and(eq(scoreSheets.campaignId, campaignId), inArray(scoreSheets.status, [...LIVE_SHEET_STATUSES])))
    .limit(1);
  return !!row;
}

export const sheetState = (status: string | null | undefined): SheetState => (status === 'saved' || status === 'submitted' ? status : 'todo');
export const sheetStateLabel = (status: string | null | undefined) => SHEET_STATE_LABELS[sheetState(status)];
export const totalOf = (total: string | null): number | null => (total === null ? null : Number(total));
