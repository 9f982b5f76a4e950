// Who may see an application and what they may do with it: the scope every query and every change starts from.
import { and, eq, isNull, sql, type Placeholder, type SQL } from 'drizzle-orm';
import { ACTION_META, decide, RULES, type Action, type ApplicationStatus, type Facts } from '../../core';
import { recusalReason } from '../../core/review';
import type { SessionUser } from '../auth/sessions';
import type { Db } from '../db/client';
import { prepared } from '../db/prepared';
import {
  applications,
  applicationUnits,
  expertProfiles,
  meetingRoundCandidates,
  meetingRounds,
  meetings,
  reviewAssignments,
  reviewConflicts,
  units,
  users,
} from '../db/schema';
import { AppError, notFound } from '../errors';

export type ApplicationRowDb = typeof applications.$inferSelect;

/**
 * What a user may see: their own applications, those sent to their unit, or (organizer) all.
 * Anything else is simply not found.
 */
export function visibleTo(user: SessionUser): SQL {
  return visibility(user.role, { userId: user.id, unitId: user.unit?.id ?? null });
}

/** The rule of visibleTo with the user's ids as values, or as placeholders for a prepared statement. */
function visibility(role: SessionUser['role'], who: { userId: string | Placeholder; unitId: string | Placeholder | null }): SQL {
  const live = isNull(applications.deletedAt);
  switch (role) {
    case 'applicant':
      return and(live, eq(applications.applicantId, who.userId))!;
    case 'unit':
      // Every application ever submitted to the unit, wherever it is now. `offset 0` keeps PostgreSQL from
      // flattening the subquery: it then starts from the unit's few hundred rows and sorts them, instead of
      // walking the whole year/seq index probing each row (measured 3 ms against 6–75 ms, bench/README.md).
      return who.unitId !== null
        ? and(live, sql`${applications.id} in (select au.application_id from ${applicationUnits} au where au.unit_id = ${who.unitId} offset 0)`)!
        : sql`false`;
    case 'organizer':
      return live;
    case 'expert':
      // 网上评选: the candidates assigned to the expert, minus every declared 回避 (review_conflicts). Automatic
      // 回避 (本人, 同单位) never becomes an assignment. Everything about an application starts here, so a recused or
      // unassigned expert gets 404 on the 申请书, its files, its previews and its score sheet alike.
      // 集中评选 (issue 14): also the candidates of every round of a meeting whose panel holds the expert, minus the
      // declared 回避; the automatic 回避 (本人, 同单位) of those is checked in loadVisible (`assigned` false).
      return and(
        live,
        sql`(${applications.id} in (select ra.application_id from ${reviewAssignments} ra where ra.expert_id = ${who.userId}
          and not exists (select 1 from ${reviewConflicts} rc where rc.expert_id = ra.expert_id and rc.application_id = ra.application_id))
          or ${applications.id} in (select mrc.application_id from ${meetingRoundCandidates} mrc
            join ${meetingRounds} mr on mr.id = mrc.round_id join ${meetings} m on m.id = mr.meeting_id
            where m.panel @> jsonb_build_array(${who.userId}::text)
            and not exists (select 1 from ${reviewConflicts} rc where rc.expert_id = ${who.userId}::uuid and rc.application_id = mrc.application_id)))`,
      )!;
    default:
      return sql`false`;
  }
}

export function actorFor(user: SessionUser, app: Pick<ApplicationRowDb, 'applicantId' | 'unitId'>) {
  const related = user.role === 'applicant' ? app.applicantId === user.id : user.role === 'unit' ? app.unitId === user.unit?.id : user.role === 'organizer';
  return { role: user.role, related };
}

export const stateOf = (app: Pick<ApplicationRowDb, 'status' | 'viewedAt'>) => ({ status: app.status as ApplicationStatus, viewed: app.viewedAt !== null });

// the statements of loadVisible (the whole row) and loadScope (the scope's columns), built once per role and lock
const visibleQueries = new Map<string, ReturnType<typeof visibleQuery>>();
function visibleQuery(role: SessionUser['role'], lock: boolean) {
  return prepared((db) => visibleSelect(db, role, lock, applications, `load_visible_${role}${lock ? '_lock' : ''}`));
}

/** What a scope check needs of an application (not its 申请书): the ids, and the 回避 facts of an expert's. */
const SCOPE_COLUMNS = {
  id: applications.id,
  campaignId: applications.campaignId,
  applicantId: applications.applicantId,
  unitId: applications.unitId,
  status: applications.status,
  workUnit: applications.workUnit,
  mobile: applications.mobile,
  idHash: applications.idHash,
};
export type ApplicationScope = Pick<ApplicationRowDb, keyof typeof SCOPE_COLUMNS>;
const scopeQueries = new Map<string, ReturnType<typeof scopeQuery>>();
function scopeQuery(role: SessionUser['role']) {
  return prepared((db) => visibleSelect(db, role, false, SCOPE_COLUMNS, `load_scope_${role}`));
}

function visibleSelect<A extends typeof applications | typeof SCOPE_COLUMNS>(db: Db, role: SessionUser['role'], lock: boolean, app: A, name: string) {
  const query = db
    .select({
      app,
      unitName: units.name,
      // an expert's candidate through 网上评选's assignment (automatic 回避 already excluded) or only through a meeting
      assigned:
        role === 'expert'
          ? sql<boolean>`exists (select 1 from ${reviewAssignments} ra where ra.expert_id = ${sql.placeholder('userId')} and ra.application_id = ${applications.id})`
          : sql<boolean>`true`,
    })
    .from(applications)
    .leftJoin(units, eq(units.id, applications.unitId))
    .where(and(eq(applications.id, sql.placeholder('id')), visibility(role, { userId: sql.placeholder('userId'), unitId: sql.placeholder('unitId') })));
  return (lock ? query.for('update', { of: applications }) : query).prepare(name);
}

/**
 * One application with its unit's name, if `user` may see it (else 404); `lock` takes the row lock for a
 * change. Prepared per role and lock: every request about an application starts here.
 */
export async function loadVisible(db: Db, user: SessionUser, id: string, lock = false) {
  const key = `${user.role}:${lock}`;
  let query = visibleQueries.get(key);
  if (!query) visibleQueries.set(key, (query = visibleQuery(user.role, lock)));
  return visibleRow(db, user, query(db).execute({ id, userId: user.id, unitId: user.unit?.id ?? null }));
}

/**
 * loadVisible's answer (404 or not) with only the scope's columns, never the 申请书 itself: for the requests that
 * need to know whether, not what (an expert's 【保存】 of a score sheet checks it twice).
 */
export async function loadScope(db: Db, user: SessionUser, id: string): Promise<{ app: ApplicationScope; unitName: string | null }> {
  let query = scopeQueries.get(user.role);
  if (!query) scopeQueries.set(user.role, (query = scopeQuery(user.role)));
  return visibleRow(db, user, query(db).execute({ id, userId: user.id, unitId: user.unit?.id ?? null }));
}

/** The row a visible/scope statement found (404 if none), unless the expert's automatic 回避 hides it (404 too). */
async function visibleRow<R extends { app: ApplicationScope; unitName: string | null; assigned: boolean }>(
  db: Db,
  user: SessionUser,
  found: Promise<R[]>,
): Promise<R> {
  const [row] = await found;
  if (!row) throw notFound();
  if (user.role === 'expert' && !row.assigned && (await automaticallyRecused(db, user.id, row.app, row.unitName))) throw notFound();
  return row;
}

/** 集中评选: an expert reaching a round candidate must not be its 本人 or of its unit (core/review recusal). */
async function automaticallyRecused(db: Db, expertId: string, app: ApplicationScope, unitName: string | null): Promise<boolean> {
  const [expert] = await db
    .select({ mobile: users.mobile, workUnit: expertProfiles.workUnit, idHash: expertProfiles.idHash })
    .from(users)
    .leftJoin(expertProfiles, eq(expertProfiles.userId, users.id))
    .where(eq(users.id, expertId));
  return (
    recusalReason(
      { id: expertId, workUnit: expert?.workUnit ?? null, mobile: expert?.mobile ?? null, idNumber: expert?.idHash ?? null },
      { id: app.id, workUnit: app.workUnit, unitName, mobile: app.mobile, idNumber: app.idHash },
    ) !== null
  );
}

/** Refuses unless the workflow table allows `action` (with the facts the caller has established). */
export function requireAbility(user: SessionUser, app: ApplicationRowDb, action: Action, facts: Facts = {}) {
  const decision = decide(action, stateOf(app), actorFor(user, app), facts);
  // the workflow table says how each action's refusal is answered (409 for a stale page, 403 otherwise); an action
  // no rule gives this role in any status (an applicant's 受理) is never a stale page: 403
  const stale = ACTION_META[action].refusedAs === 'conflict' && RULES.some((r) => r.action === action && r.role === user.role);
  if (!decision.ok) throw new AppError(stale ? 'CONFLICT' : 'FORBIDDEN', decision.reason);
  return decision.rule;
}
