// 统计 (issue 15, 5.): counts by 当前步骤, 推荐单位, 地区, 推荐领域, 性别, 民族, 年龄段, 院士 and 学历, and each unit's
// progress, over exactly the rows of 查询申报表 under the same filters (applicationWhere: the same scope and WHERE).
// Two SQL aggregates: one scan with GROUPING SETS for every breakdown, one grouped by unit for the progress.
import { and, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { APPLICATION_STATUSES, EDUCATION_LEVELS, GENDERS, QUOTA_STATUSES, readCampaignSettings, RECOMMEND_FIELDS, STATUS_LABELS } from '../../core';
import {
  AGE_BAND_LIMITS,
  AGE_BANDS,
  AGE_UNKNOWN,
  BREAKDOWNS,
  NO_UNIT,
  NOT_FILLED,
  type BreakdownKey,
  type StatsBreakdown,
  type StatsGroup,
  type StatsQuery,
  type StatsReply,
  type UnitProgress,
} from '../../core/stats';
import type { SessionUser } from '../auth/sessions';
import type { Services } from '../context';
import { applications, campaigns, publicities, publicityEntries, units } from '../db/schema';
import { AppError, notFound } from '../errors';
import { applicationWhere } from './queries';

const rowsOf = <T>(res: unknown) => (res as { rows: T[] }).rows;

/** A text of the 申请书's form, or 未填写 when absent or blank. */
const formText = (key: string) => sql`coalesce(nullif(btrim(${applications.form}->>${sql.raw(`'${key}'`)}), ''), ${NOT_FILLED})`;

/**
 * The age band at the campaign's 年龄计算基准日期, as core/selection ageOn counts whole years (a birthday on the day
 * counts; 29 February's is 1 March in a common year, which the MM-DD comparison gives), banded by AGE_BAND_LIMITS.
 */
function ageBandSql(): SQL {
  const birth = sql`(${applications.form}->>'birthDate')`;
  const ref = sql`ref.ref_date`;
  const isDate = (d: SQL) => sql`coalesce(${d} ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', false)`;
  const age = sql`(substr(${ref}, 1, 4)::int - substr(${birth}, 1, 4)::int
    - case when substr(${ref}, 6, 5) collate "C" < substr(${birth}, 6, 5) collate "C" then 1 else 0 end)`;
  const bands = AGE_BAND_LIMITS.map((limit, i) => sql`when ${age} <= ${sql.raw(String(limit))} then ${AGE_BANDS[i]!}`);
  return sql`case when not (${isDate(birth)} and ${isDate(ref)}) then ${AGE_UNKNOWN} ${sql.join(bands, sql` `)} else ${AGE_BANDS[AGE_BANDS.length - 1]!} end`;
}

/** Each breakdown's value per application (all texts; the unit's by id, named in the reply). */
const DIMENSIONS: Record<BreakdownKey, SQL> = {
  status: sql`${applications.status}`,
  unit: sql`coalesce(${applications.unitId}::text, '')`,
  region: sql`coalesce(${units.region}, ${NO_UNIT})`,
  field: formText('field'),
  gender: formText('gender'),
  ethnicity: formText('ethnicity'),
  ageBand: ageBandSql(),
  academician: sql`case when ${applications.form}->'isAcademician' = 'true'::jsonb then '是' else '否' end`,
  education: formText('education'),
};

/** Values shown even at 0, in this order (others found follow, most frequent first). */
const FIXED_VALUES: Partial<Record<BreakdownKey, readonly string[]>> = {
  field: RECOMMEND_FIELDS,
  gender: GENDERS,
  ageBand: AGE_BANDS,
  academician: ['是', '否'],
  education: EDUCATION_LEVELS,
};

interface FilterOptions {
  where: SQL | undefined;
  /** each campaign's 年龄计算基准日期, read through its settings' schema (the defaults of its year where missing) */
  refDates: { id: string; refDate: string }[];
}

/** 查询申报表's WHERE for this user and filters, and the campaign. */
function filtered(user: SessionUser, q: StatsQuery): SQL | undefined {
  return and(applicationWhere(user, q), q.campaignId ? eq(applications.campaignId, q.campaignId) : undefined);
}

type Figures = Omit<UnitProgress, 'unitId' | 'unitName' | 'region'>;

interface Counted {
  total: Figures;
  counts: Map<BreakdownKey, Map<string, number>>;
  /** per unit id ('' for none): its name and its progress figures */
  units: Map<string, { name: string; figures: Figures }>;
}

/**
 * One scan of the filtered rows, grouped by every breakdown at once (GROUPING SETS); each group also sums what the
 * progress counts (初评通过, 已提交, 已公示), so the unit set is each unit's progress and the grand total a unit's own.
 */
async function countAll(s: Services, { where, refDates }: FilterOptions): Promise<Counted> {
  const keys = BREAKDOWNS.map((b) => b.key);
  // a hashed subplan: the 公示's entries are read once, not probed per row
  const inPublicity = sql`${applications.id} in (select pe.application_id from ${publicityEntries} pe join ${publicities} p on p.id = pe.publicity_id
    where p.scope = 'preliminary' and p.status = 'published')`;
  const inner = sql`select ${sql.join(
    keys.map((k) => sql`(${DIMENSIONS[k]}) collate "C" as ${sql.identifier(k)}`),
    sql`, `,
  )}, ${units.name} as unit_name,
    (${applications.preliminaryResult} is not distinct from 'pass')::int as passed,
    (${inArray(applications.status, [...QUOTA_STATUSES])})::int as forwarded,
    (${inPublicity})::int as in_publicity
    from ${applications}
    join (values ${sql.join(
      refDates.map((c) => sql`(${c.id}::uuid, ${c.refDate}::text)`),
      sql`, `,
    )}) as ref (campaign_id, ref_date) on ref.campaign_id = ${applications.campaignId}
    left join ${units} on ${units.id} = ${applications.unitId}
    where ${where ?? sql`true`}`;
  const flags = keys.map((k) => sql`grouping(${sql.identifier(k)}) as ${sql.identifier(`g_${k}`)}`);
  const sets = keys.map((k) => (k === 'unit' ? sql`(unit, unit_name)` : sql`(${sql.identifier(k)})`));
  const res = await s.db.execute(
    sql`select ${sql.join(
      keys.map((k) => sql.identifier(k)),
      sql`, `,
    )}, unit_name, ${sql.join(flags, sql`, `)}, count(*)::int as n,
      sum(passed)::int as passed, sum(forwarded)::int as forwarded, sum(in_publicity)::int as in_publicity
      from (${inner}) x group by grouping sets (${sql.join(sets, sql`, `)}, ())`,
  );
  const counts = new Map<BreakdownKey, Map<string, number>>(keys.map((k) => [k, new Map()]));
  const unitMap = new Map<string, { name: string; figures: Figures }>();
  let total: Figures = { received: 0, preliminaryPassed: 0, forwarded: 0, inPublicity: 0 };
  for (const row of rowsOf<Record<string, string | number | null>>(res)) {
    const key = keys.find((k) => Number(row[`g_${k}`]) === 0);
    const figures: Figures = {
      received: Number(row.n),
      preliminaryPassed: Number(row.passed ?? 0),
      forwarded: Number(row.forwarded ?? 0),
      inPublicity: Number(row.in_publicity ?? 0),
    };
    if (!key) {
      total = figures;
      continue;
    }
    const value = String(row[key] ?? '');
    counts.get(key)!.set(value, figures.received);
    if (key === 'unit') unitMap.set(value, { name: row.unit_name === null ? NO_UNIT : String(row.unit_name), figures });
  }
  return { total, counts, units: unitMap };
}

function groupsOf(key: BreakdownKey, found: Map<string, number>, unitMap: Counted['units']): StatsGroup[] {
  const label = (value: string) =>
    key === 'status' ? (STATUS_LABELS[value as keyof typeof STATUS_LABELS] ?? value) : key === 'unit' ? (unitMap.get(value)?.name ?? NO_UNIT) : value;
  if (key === 'status') {
    return APPLICATION_STATUSES.filter((st) => found.has(st)).map((st) => ({ value: st, label: label(st), count: found.get(st)! }));
  }
  const fixed = FIXED_VALUES[key] ?? [];
  const rest = [...found.entries()]
    .filter(([v]) => !fixed.includes(v))
    .sort((a, b) => b[1] - a[1] || label(a[0]).localeCompare(label(b[0]), 'zh-CN'))
    .map(([v]) => v);
  return [...fixed, ...rest].map((value) => ({ value, label: label(value), count: found.get(value) ?? 0 }));
}

/** Each unit's progress: the organizer's every unit (active, or with applications here), a unit its own row. */
async function progress(s: Services, user: SessionUser, counted: Counted): Promise<UnitProgress[]> {
  if (user.role === 'unit') {
    // the unit's whole scope is its own: one row, whatever unit an application names now
    const unitId = user.unit?.id;
    if (!unitId) return [];
    const [unit] = await s.db.select({ name: units.name, region: units.region }).from(units).where(eq(units.id, unitId));
    return [{ unitId, unitName: unit?.name ?? '', region: unit?.region ?? '', ...counted.total }];
  }
  const zero: Figures = { received: 0, preliminaryPassed: 0, forwarded: 0, inPublicity: 0 };
  const unitRows = await s.db.select({ id: units.id, name: units.name, region: units.region, status: units.status }).from(units);
  const out: UnitProgress[] = unitRows
    .filter((u) => u.status === 'active' || counted.units.has(u.id))
    .map((u) => ({ unitId: u.id, unitName: u.name, region: u.region, ...(counted.units.get(u.id)?.figures ?? zero) }));
  const none = counted.units.get('');
  if (none) out.push({ unitId: '', unitName: NO_UNIT, region: '', ...none.figures });
  return out.sort((a, b) => b.received - a.received || a.unitName.localeCompare(b.unitName, 'zh-CN'));
}

/** GET /api/stats: the organizer's whole platform, a unit's own scope; the same rows as 查询申报表 under `q`. */
export async function campaignStats(s: Services, user: SessionUser, q: StatsQuery): Promise<StatsReply> {
  if (user.role !== 'organizer' && user.role !== 'unit') throw new AppError('FORBIDDEN', '此功能仅限推荐单位、自治区科协使用');
  const key = JSON.stringify([user.role, user.unit?.id ?? null, q.campaignId, q.year, q.keyword, q.workUnit, q.status]);
  return cachedCount(s, key, () => computeStats(s, user, q));
}

async function computeStats(s: Services, user: SessionUser, q: StatsQuery): Promise<StatsReply> {
  const computedAt = new Date().toISOString();
  const campaignRows = await s.db.select().from(campaigns).orderBy(desc(campaigns.year), desc(campaigns.createdAt));
  if (q.campaignId && !campaignRows.some((c) => c.id === q.campaignId)) throw notFound('评选活动');
  const campaignList = campaignRows.map((c) => ({ id: c.id, year: c.year, title: c.title }));
  const refDates = campaignRows.map((c) => ({ id: c.id, refDate: readCampaignSettings(c.settings, c.year).settings.ageReferenceDate }));
  if (!refDates.length) refDates.push({ id: '00000000-0000-0000-0000-000000000000', refDate: '' }); // no campaign: nothing to count
  const counted = await countAll(s, { where: filtered(user, q), refDates });
  const breakdownList: StatsBreakdown[] = BREAKDOWNS.map(({ key, title }) => ({ key, title, groups: groupsOf(key, counted.counts.get(key)!, counted.units) }));
  return { campaigns: campaignList, total: counted.total.received, breakdowns: breakdownList, progress: await progress(s, user, counted), computedAt };
}

// ---- the cache of large counts -------------------------------------------------------------------------------------
// A count over the organizer's whole platform reads every row (100,000 applications: about 0.3 s on a quiet machine,
// seconds on a loaded one; bench/stats.ts). Such a result (one that took CACHE_FROM_MS or more) is kept for CACHE_TTL_MS
// per viewer scope and filters, in this instance's memory; after that it is still answered at once for up to
// STALE_MS while one recount runs in the background. Small counts (a unit's own, a narrow filter) are never kept: they
// are always exact. Concurrent requests for the same count share one query.

export const CACHE_FROM_MS = 150;
export const CACHE_TTL_MS = 60_000;
const STALE_MS = 10 * 60_000;
const CACHE_MAX = 200;

interface Entry {
  at: number;
  value: Promise<StatsReply>;
  refreshing: boolean;
}
const caches = new WeakMap<Services, Map<string, Entry>>();

/** The count under `key` from `s`'s cache while fresh (see above), else `compute`'s. */
export function cachedCount(s: Services, key: string, compute: () => Promise<StatsReply>): Promise<StatsReply> {
  let cache = caches.get(s);
  if (!cache) caches.set(s, (cache = new Map()));
  const now = Date.now();
  const entry = cache.get(key);
  if (entry && now - entry.at < CACHE_TTL_MS) return entry.value;
  if (entry && now - entry.at < STALE_MS) {
    if (!entry.refreshing) {
      entry.refreshing = true;
      void run(cache, key, compute).catch(() => cache.delete(key));
    }
    return entry.value;
  }
  return run(cache, key, compute);
}

function run(cache: Map<string, Entry>, key: string, compute: () => Promise<StatsReply>): Promise<StatsReply> {
  const started = Date.now();
  const clock = performance.now(); // the count's duration: monotonic, whatever the wall clock does
  const value = compute();
  const entry: Entry = { at: started, value, refreshing: false };
  const previous = cache.get(key);
  // a first count is shared while it runs; a background recount replaces the stale one only once it is done
  if (!previous) cache.set(key, entry);
  value.then(
    () => {
      if (performance.now() - clock >= CACHE_FROM_MS) {
        cache.delete(key);
        cache.set(key, entry);
        while (cache.size > CACHE_MAX) cache.delete(cache.keys().next().value!);
      } else if (cache.get(key) === entry || cache.get(key) === previous) cache.delete(key);
    },
    () => {
      if (cache.get(key) === entry) cache.delete(key);
    },
  );
  return value;
}
