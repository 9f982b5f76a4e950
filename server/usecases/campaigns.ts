import { and, desc, eq, getTableColumns, inArray, sql } from 'drizzle-orm';
import {
  campaignSettingsSchema,
  chinaToday,
  defaultCampaignSettings,
  isWindowOpen,
  readCampaignSettings,
  windowRefusal,
  type CampaignSettings,
  type CampaignView,
  type WindowKey,
} from '../../core';
import type { Db } from '../db/client';
import { prepared } from '../db/prepared';
import { campaigns, programs, scoreSheets } from '../db/schema';
import { AppError, notFound } from '../errors';

// the settings as their stored text: read through the schema once per text (settingsOf), not parsed on every read (the
// regulations alone may be 20,000 characters)
const { settings: _settings, ...campaignColumns } = getTableColumns(campaigns);
const select = (db: Db) =>
  db
    .select({ campaign: { ...campaignColumns, settingsText: sql<string>`${campaigns.settings}::text` }, program: programs })
    .from(campaigns)
    .innerJoin(programs, eq(programs.id, campaigns.programId));
type CampaignRead = Omit<typeof campaigns.$inferSelect, 'settings'> & { settingsText: string };

// read on nearly every request (a sheet's 【保存】, every page of an application): built once (server/db/prepared.ts)
const campaignById = prepared((db) =>
  select(db)
    .where(eq(campaigns.id, sql.placeholder('id')))
    .prepare('campaign_by_id'),
);
const campaignKeyShare = prepared((db) =>
  select(db)
    .where(eq(campaigns.id, sql.placeholder('id')))
    .for('key share', { of: campaigns })
    .prepare('campaign_key_share'),
);

/** Problems already reported, so that a campaign read on every request warns once per process, not every time. */
const warned = new Set<string>();

/**
 * A stored setting that no longer passes the schema is read as its default (core readCampaignSettings) and reported
 * here, once: refusing instead would stop every upload, transfer and page of the campaign's applications, and the
 * organizer's 评选活动设置 too, where it is to be corrected.
 */
let reportSettingsProblem = (message: string): void => console.warn(message);

/** For tests: capture the warnings. Returns the function to restore the previous reporter. */
export function onSettingsProblem(report: (message: string) => void): () => void {
  const previous = reportSettingsProblem;
  reportSettingsProblem = report;
  warned.clear();
  readSettings.clear();
  return () => {
    reportSettingsProblem = previous;
  };
}

/**
 * Settings already read, by their stored text: a campaign is read on nearly every request (each transfer, upload and
 * score sheet), and running the whole schema over it each time (the regulations alone are up to 20,000 characters)
 * cost a score save more than its SQL (bench:review). Deep-frozen, so no caller can change what another one reads.
 */
const readSettings = new Map<string, CampaignSettings>();
const READ_SETTINGS_KEPT = 32;

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** The one way a campaign's settings are read: through the schema, with the defaults of its year for what is missing. */
function settingsOf(campaign: CampaignRead): CampaignSettings {
  const key = `${campaign.id}|${campaign.year}|${campaign.settingsText}`;
  const known = readSettings.get(key);
  if (known) return known;
  const settings = deepFreeze(checkedSettings(campaign, JSON.parse(campaign.settingsText) as unknown));
  if (readSettings.size >= READ_SETTINGS_KEPT) readSettings.delete(readSettings.keys().next().value!);
  readSettings.set(key, settings);
  return settings;
}

function checkedSettings(campaign: Pick<CampaignRead, 'id' | 'title' | 'year'>, stored: unknown): CampaignSettings {
  const { settings, problems } = readCampaignSettings(stored, campaign.year);
  for (const p of problems) {
    const key = `${campaign.id} ${p.path} ${p.message}`;
    if (warned.has(key)) continue;
    warned.add(key);
    reportSettingsProblem(
      `评选活动“${campaign.title}”（${campaign.id}）的设置${p.path ? ` ${p.path} ` : ''}不符合规则：${p.message}；已暂用默认值，请在评选活动设置中核对后保存`,
    );
  }
  return settings;
}

function present(row: { campaign: CampaignRead; program: typeof programs.$inferSelect }): CampaignView {
  return {
    id: row.campaign.id,
    programCode: row.program.code,
    programName: row.program.name,
    year: row.campaign.year,
    title: row.campaign.title,
    settings: settingsOf(row.campaign),
  };
}

/** The newest campaign of a program. */
export async function currentCampaign(db: Db, programCode = 'ZMKJ'): Promise<CampaignView> {
  const [row] = await select(db).where(eq(programs.code, programCode)).orderBy(desc(campaigns.year)).limit(1);
  if (!row) throw notFound('评选活动');
  return present(row);
}

/** A campaign by id; `lock` also takes that row lock on the campaign's row (in the caller's transaction), in the same statement. */
export async function getCampaign(db: Db, id: string, lock?: 'key share'): Promise<CampaignView> {
  const [row] = await (lock ? campaignKeyShare : campaignById)(db).execute({ id });
  if (!row) throw notFound('评选活动');
  return present(row);
}

/**
 * 评选活动设置 saved. The 评分标准 (settings.review.rubric) is locked once an expert has saved a sheet: a change to it
 * is refused (409) until the organizer resets the review (POST /api/review/campaigns/:id/reset). The campaign's row
 * lock orders this against the sheets' saves (review-common.ts campaignForScoring).
 */
export async function updateCampaign(db: Db, id: string, input: { title?: string; settings: CampaignSettings }): Promise<CampaignView> {
  const settings = campaignSettingsSchema.parse(input.settings);
  const set: Partial<typeof campaigns.$inferInsert> = { settings };
  if (input.title?.trim()) set.title = input.title.trim();
  await db.transaction(async (tx) => {
    const [row] = await tx.select().from(campaigns).where(eq(campaigns.id, id)).for('update');
    if (!row) throw notFound('评选活动');
    const before = checkedSettings(row, row.settings).review.rubric;
    if (JSON.stringify(before) !== JSON.stringify(settings.review.rubric)) {
      const [scored] = await tx
        .select({ id: scoreSheets.id })
        .from(scoreSheets)
        .where(and(eq(scoreSheets.campaignId, id), inArray(scoreSheets.status, ['saved', 'submitted'])))
        .limit(1);
      if (scored) {
        throw new AppError(
          'CONFLICT',
          '评审专家已开始评分，评分标准已锁定，不能修改；如确需修改，请先在【网上评选管理】的【评审进度】中【重置评审】（已保存和已提交的评分将被清空，并留有记录），再修改评分标准',
        );
      }
    }
    await tx.update(campaigns).set(set).where(eq(campaigns.id, id));
  });
  return getCampaign(db, id);
}

export function requireWindowOpen(campaign: CampaignView, key: WindowKey, today = new Date()): void {
  const window = campaign.settings.windows[key];
  if (!isWindowOpen(window, chinaToday(today))) throw new AppError('FORBIDDEN', windowRefusal(campaign.title, key, window));
}

/**
 * First start: the program 最美科技工作者 (ZMKJ) and its 2023 campaign. The notice's calendar is kept
 * in shape (申报 and 初评 first, then 网上评选, 集中评选, 发布, 宣传学习) but starts on the day of the
 * first start, so that a new platform is usable at once; the organizer adjusts the dates in 评选活动设置.
 */
export async function ensureDefaultCampaign(db: Db, today = new Date()): Promise<void> {
  await db.insert(programs).values({ code: 'ZMKJ', name: '最美科技工作者' }).onConflictDoNothing();
  const [program] = await db.select().from(programs).where(eq(programs.code, 'ZMKJ'));
  const [existing] = await db
    .select({ id: campaigns.id })
    .from(campaigns)
    .where(and(eq(campaigns.programId, program!.id), eq(campaigns.year, 2023)));
  if (existing) return;
  await db
    .insert(campaigns)
    .values({ programId: program!.id, year: 2023, title: '2023年“新疆最美科技工作者”学习宣传活动', settings: openCalendarFrom(today) })
    .onConflictDoNothing();
}

export function openCalendarFrom(today: Date): CampaignSettings {
  const settings = defaultCampaignSettings(2023);
  const day = (offset: number) => chinaToday(new Date(today.getTime() + offset * 86_400_000));
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
