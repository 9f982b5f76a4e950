import { and, asc, type AnyColumn, count, desc, eq, ilike, inArray, not, or, sql, type SQL } from 'drizzle-orm';
import { sortOrder, type ApplicationQuery, type ApplicationStatus, type QueryResult } from '../../core';
import type { SessionUser } from '../auth/sessions';
import type { Services } from '../context';
import { applicationEvents, applications, units } from '../db/schema';
import { visibleTo } from './access';
import { presentRow, ROW_COLUMNS } from './presenters';

const UNIT_HOLDS: ApplicationStatus[] = ['submitted_to_unit', 'returned_to_unit'];

/** Waiting for this user to 办理: what 待审核的 lists. */
function pendingFor(user: SessionUser): SQL {
  if (user.role === 'unit' && user.unit) return and(eq(applications.unitId, user.unit.id), inArray(applications.status, UNIT_HOLDS))!;
  if (user.role === 'organizer') return eq(applications.status, 'submitted_to_org');
  return sql`false`;
}

/** 已办理的: what once reached this user. A unit's scope is that already; the organizer's is what was ever forwarded to it. */
function everReceived(user: SessionUser): SQL | undefined {
  if (user.role !== 'organizer') return undefined;
  return sql`exists (select 1 from ${applicationEvents} e where e.application_id = ${applications.id} and e.to_status = 'submitted_to_org')`;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * A whole 申请书编号 as createApplication builds it: program code letters, the 4-digit year, the sequence
 * (ZMKJ20231). Such a keyword finds that one application, not every number that contains it (ZMKJ202310…).
 */
const FULL_NUMBER = /^[A-Za-z]+\d{5,}$/;
export const isFullNumber = (keyword: string) => FULL_NUMBER.test(keyword);

/** Pinyin sort keys (core/pinyin.ts) compare byte-wise: the same order on PGlite and on any PostgreSQL locale. */
const bytewise = (column: AnyColumn) => sql`${column} collate "C"`;

/**
 * The WHERE of 查询申报表 and 待审核申报表: what the user may see, under the query's filters (not its sort or page).
 * Shared with the exports (汇总表) and the statistics, so that they agree with the list under the same filters.
 */
export function applicationWhere(user: SessionUser, q: Omit<ApplicationQuery, 'sort' | 'page' | 'pageSize'>): SQL | undefined {
  const conditions: (SQL | undefined)[] = [visibleTo(user)];
  if (user.role === 'organizer' && !q.tab) conditions.push(not(eq(applications.status, 'applicant'))); // drafts stay the applicant's
  if (q.tab === 'pending') conditions.push(pendingFor(user));
  if (q.tab === 'handled') conditions.push(not(pendingFor(user)), not(eq(applications.status, 'applicant')), everReceived(user));
  if (q.keyword && isFullNumber(q.keyword)) {
    conditions.push(eq(applications.number, q.keyword.toUpperCase()));
  } else if (q.keyword) {
    const like = `%${escapeLike(q.keyword)}%`;
    conditions.push(or(ilike(applications.applicantName, like), ilike(applications.number, like)));
  }
  if (q.workUnit) conditions.push(ilike(applications.workUnit, `%${escapeLike(q.workUnit)}%`));
  if (q.status) conditions.push(eq(applications.status, q.status));
  if (q.year) conditions.push(eq(applications.year, q.year));
  return and(...conditions);
}

/** 查询申报表 and 待审核申报表: scoped to what the user may see, filtered, sorted, one page and the total. */
export async function queryApplications(s: Services, user: SessionUser, q: ApplicationQuery): Promise<QueryResult> {
  const where = applicationWhere(user, q);

  // Each sort in the direction asked (clicking it again reverses it); ties by 申请书编号 from high to low, and
  // what has no 转交时间 or 推荐单位 last either way.
  const dir = sortOrder(q);
  const by = dir === 'asc' ? asc : desc;
  const order = {
    number: [by(applications.year), by(applications.seq)],
    transferredAt: [sql`${applications.transferredAt} ${sql.raw(dir)} nulls last`, desc(applications.seq)],
    workUnit: [by(bytewise(applications.workUnitSort)), desc(applications.seq)],
    unit: [sql`${bytewise(units.nameSort)} ${sql.raw(dir)} nulls last`, desc(applications.seq)],
  }[q.sort];

  const page = (withTotal: boolean) =>
    s.db
      .select({ app: ROW_COLUMNS, unitName: units.name, ...(withTotal ? { total: sql<number>`count(*) over ()`.mapWith(Number) } : {}) })
      .from(applications)
      .leftJoin(units, eq(units.id, applications.unitId))
      .where(where)
      .orderBy(...order)
      .limit(q.pageSize)
      .offset((q.page - 1) * q.pageSize);
  // the total needs no join: every condition is on applications (a join would also stop an index-only scan)
  const countAll = async () => Number((await s.db.select({ n: count() }).from(applications).where(where))[0]!.n);

  let rows: Awaited<ReturnType<typeof page>>;
  let total: number;
  if (totalWithRows(user, q)) {
    rows = await page(true);
    // a page past the end has no row to carry the total
    total = rows.length ? (rows[0] as { total: number }).total : q.page > 1 ? await countAll() : 0;
  } else {
    [rows, total] = await Promise.all([page(false), countAll()]);
  }
  return { rows: rows.map((r) => presentRow(user, r.app, r.unitName)), total, page: q.page, pageSize: q.pageSize };
}

/**
 * Where PostgreSQL collects every matching row anyway to sort them (a unit's own applications, or the
 * matches of a 工作单位/keyword filter), the total comes with the page as `count(*) over ()`: one scan instead
 * of two (bench/README.md, run 6). The organizer's unfiltered list is read in index order and stops at the
 * page, so its total is a separate index-only count.
 */
export function totalWithRows(user: Pick<SessionUser, 'role'>, q: Pick<ApplicationQuery, 'keyword' | 'workUnit'>): boolean {
  return user.role !== 'organizer' || !!q.keyword || !!q.workUnit;
}
