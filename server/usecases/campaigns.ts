import { and, desc, eq } from 'drizzle-orm';
import { campaignSettingsSchema, defaultCampaignSettings, WINDOW_LABELS, isWindowOpen, type CampaignSettings, type CampaignView, type WindowKey } from '../../core';
import type { Db } from '../db/client';
import { campaigns, programs } from '../db/schema';
import { AppError, notFound } from '../errors';


const select = (db: Db) =>
  db
    .select({ campaign: campaigns, program: programs })
    .from(campaigns)
    .innerJoin(programs, eq(programs.id, campaigns.programId));

function present(row: { campaign: typeof campaigns.$inferSelect; program: typeof programs.$inferSelect }): CampaignView {
  return {
    id: row.campaign.id,
    programCode: row.program.code,
    programName: row.program.name,
    year: row.campaign.year,
    title: row.campaign.title,
    settings: row.campaign.settings as CampaignSettings,
  };
}

/** The newest campaign of a program. */
export async function currentCampaign(db: Db, programCode = 'ZMKJ'): Promise<CampaignView> {
  const [row] = await select(db).where(eq(programs.code, programCode)).orderBy(desc(campaigns.year)).limit(1);
  if (!row) throw notFound('评选活动');
  return present(row);
}

export async function getCampaign(db: Db, id: string): Promise<CampaignView> {
  const [row] = await select(db).where(eq(campaigns.id, id));
  if (!row) throw notFound('评选活动');
  return present(row);
}

export async function updateCampaign(db: Db, id: string, input: { title?: string; settings: CampaignSettings }): Promise<CampaignView> {
  const settings = campaignSettingsSchema.parse(input.settings);
  const set: Partial<typeof campaigns.$inferInsert> = { settings };
  if (input.title?.trim()) set.title = input.title.trim();
  const updated = await db.update(campaigns).set(set).where(eq(campaigns.id, id)).returning({ id: campaigns.id });
  if (!updated.length) throw notFound('评选活动');
  return getCampaign(db, id);
}

export function requireWindowOpen(campaign: CampaignView, key: WindowKey, today = new Date()): void {
  const window = campaign.settings.windows[key];
  const day = today.toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });
  if (!isWindowOpen(window, day)) {
    throw new AppError('FORBIDDEN', `${campaign.title}的${WINDOW_LABELS[key]}时间为 ${window.start} 至 ${window.end}，当前不在${WINDOW_LABELS[key]}时间内`);
  }
}

/**
 * First start: the program 最美科技工作者 (ZMKJ) and its 2023 campaign. The notice's calendar is kept
 * in shape (申报 and 初评 first, then 网上评选, 集中评选, 发布, 宣传学习) but starts on the day of the
 * first start, so that a new platform is usable at once; the organizer adjusts the dates in 评选活动设置.
 */
export async function ensureDefaultCampaign(db: Db, today = new Date()): Promise<void> {
  await db.insert(programs).values({ code: 'ZMKJ', name: '最美科技工作者' }).onConflictDoNothing();
  const [program] = await db.select().from(programs).where(eq(programs.code, 'ZMKJ'));
  const [existing] = await db.select({ id: campaigns.id }).from(campaigns).where(and(eq(campaigns.programId, program!.id), eq(campaigns.year, 2023)));
  if (existing) return;
  await db
    .insert(campaigns)
    .values({ programId: program!.id, year: 2023, title: '2023年“新疆最美科技工作者”学习宣传活动', settings: openCalendarFrom(today) })
    .onConflictDoNothing();
}

export function openCalendarFrom(today: Date): CampaignSettings {
  const settings = defaultCampaignSettings(2023);
  const day = (offset: number) => new Date(today.getTime() + offset * 86_400_000).toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });
  settings.windows = {
    apply: { start: day(0), end: day(60) },
    preliminary: { start: day(0), end: day(60) },
    online: { start: day(61), end: day(80) },
    concentrated: { start: day(81), end: day(89) },
    publicity: { start: day(91), end: day(365) },
  };
  settings.publishDate = day(90);
  return settings;
}
