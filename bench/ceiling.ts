/**
 * The ceiling: a bare Fastify instance (no plugins, no cookie parser, no CSRF, no validation library) whose
 * routes run the same SQL as the platform through one `pg.Pool` and reply with the rows as JSON: the
 * session lookup every request makes (by hand, from the sid cookie), the query or the transition's
 * statements, and for a transition the attachments read for the reply. Whatever the platform spends beyond
 * these figures is its own overhead (hooks, zod, Drizzle's building and mapping, presentation).
 */
import { createHash } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import type pg from 'pg';
import { ACTION_LABELS, STATUS_LABELS, type Action, type ApplicationStatus } from '../core';
import { totalWithRows } from '../server/usecases/queries';

export type Viewer = { role: 'unit'; unitId: string } | { role: 'organizer' };

export interface QueryParams {
  keyword?: string;
  workUnit?: string;
  status?: ApplicationStatus;
  year?: number;
  sort: 'number' | 'transferredAt' | 'workUnit' | 'unit';
  page: number;
  pageSize: number;
}

export interface QuerySql {
  rows: { text: string; values: unknown[] };
  /** null when the total comes with the rows, as `count(*) over ()` (`totalWithRows` in queries.ts) */
  count: { text: string; values: unknown[] } | null;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The column list Drizzle emits for `select({ app: ROW_COLUMNS, unitName: units.name })` (server/usecases/applications.ts). */
const COLUMNS = ['id', 'number', 'applicant_id', 'applicant_name', 'work_unit', 'status', 'unit_id', 'viewed_at', 'transferred_at', 'created_at', 'updated_at']
  .map((c) => `"applications"."${c}"`)
  .join(', ');

const ORDER: Record<QueryParams['sort'], string> = {
  number: '"applications"."year" desc, "applications"."seq" desc',
  transferredAt: '"applications"."transferred_at" desc nulls last, "applications"."seq" desc',
  workUnit: '"applications"."work_unit_sort" collate "C" asc, "applications"."seq" desc',
  unit: '"units"."name_sort" collate "C" asc nulls last, "applications"."seq" desc',
};

/**
 * 查询申报表 (no tab) as `queryApplications` in server/usecases/queries.ts builds it with Drizzle:
 * `visibleTo(user)` (not deleted, and for a unit the fenced `in (… offset 0)` on application_units), the organizer's
 * "no drafts", keyword on name or number, workUnit, status, year; units left-joined for the rows,
 * the same ORDER BY per sort, LIMIT/OFFSET (Drizzle omits OFFSET 0), and the total: `count(*) over ()` in the
 * rows where `totalWithRows` says so, else a count(*) over applications alone with the same WHERE. The text below is what Drizzle generates for these inputs (checked with
 * `.toSQL()` when this was written); keep it in step with queries.ts.
 */
export function querySql(viewer: Viewer, q: QueryParams): QuerySql {
  const values: unknown[] = [];
  const p = (v: unknown) => {
    values.push(v);
    return `$${values.length}`;
  };
  const visible =
    viewer.role === 'unit'
      ? `("applications"."deleted_at" is null and "applications"."id" in (select au.application_id from "application_units" au where au.unit_id = ${p(viewer.unitId)} offset 0))`
      : `"applications"."deleted_at" is null`;
  const conditions = [visible];
  if (viewer.role === 'organizer') conditions.push(`not "applications"."status" = ${p('applicant')}`);
  if (q.keyword && /^[A-Za-z]+\d{5,}$/.test(q.keyword)) {
    conditions.push(`"applications"."number" = ${p(q.keyword.toUpperCase())}`); // a whole 申请书编号 (queries.ts isFullNumber)
  } else if (q.keyword) {
    const like = `%${escapeLike(q.keyword)}%`;
    conditions.push(`("applications"."applicant_name" ilike ${p(like)} or "applications"."number" ilike ${p(like)})`);
  }
  if (q.workUnit) conditions.push(`"applications"."work_unit" ilike ${p(`%${escapeLike(q.workUnit)}%`)}`);
  if (q.status) conditions.push(`"applications"."status" = ${p(q.status)}`);
  if (q.year) conditions.push(`"applications"."year" = ${p(q.year)}`);
  const where = conditions.length === 1 ? conditions[0]! : `(${conditions.join(' and ')})`;
  const from = 'from "applications" left join "units" on "units"."id" = "applications"."unit_id"';
  const whereValues = [...values];
  const offset = (q.page - 1) * q.pageSize;
  const withTotal = totalWithRows(viewer, q);
  let rowsText = `select ${COLUMNS}, "units"."name"${withTotal ? ', count(*) over ()' : ''} ${from} where ${where} order by ${ORDER[q.sort]} limit ${p(q.pageSize)}`;
  if (offset > 0) rowsText += ` offset ${p(offset)}`;
  return {
    rows: { text: rowsText, values },
    count: withTotal ? null : { text: `select count(*) from "applications" where ${where}`, values: whereValues },
  };
}

const SORTS = new Set(['number', 'transferredAt', 'workUnit', 'unit']);

function parseQuery(raw: Record<string, string | undefined>): { viewer: Viewer; q: QueryParams } {
  const viewer: Viewer = raw.unitId ? { role: 'unit', unitId: raw.unitId } : { role: 'organizer' };
  const sort = raw.sort && SORTS.has(raw.sort) ? (raw.sort as QueryParams['sort']) : 'number';
  return {
    viewer,
    q: {
      keyword: raw.keyword?.trim() || undefined,
      workUnit: raw.workUnit?.trim() || undefined,
      status: (raw.status || undefined) as ApplicationStatus | undefined,
      year: raw.year ? Number(raw.year) : undefined,
      sort,
      page: Number(raw.page ?? 1) || 1,
      pageSize: Number(raw.pageSize ?? 20) || 20,
    },
  };
}

/** 退回 and its 收回, as the workflow table has them (core/workflow.ts). */
const TRANSITIONS: Record<string, { action: Action; from: ApplicationStatus[]; to: ApplicationStatus; needsOpinion: boolean }> = {
  return: { action: 'return', from: ['submitted_to_unit', 'returned_to_unit'], to: 'returned_to_applicant', needsOpinion: true },
  'withdraw-return': { action: 'withdrawReturn', from: ['returned_to_applicant'], to: 'submitted_to_unit', needsOpinion: false },
};

interface LockedRow {
  id: string;
  number: string;
  status: ApplicationStatus;
  unit_id: string | null;
  applicant_id: string;
  applicant_name: string;
  return_opinion: string | null;
  unit_name: string | null;
}

class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The same writes as `transition()` in server/usecases/workflow.ts for 退回 / 收回, by hand and with the
 * fewest round trips: BEGIN; SELECT … FOR UPDATE (visibility included); UPDATE applications; INSERT the
 * 流程情况 event; INSERT the in-app notification; INSERT the text messages into the outbox; COMMIT.
 * Like the platform, it looks the session up first (sessionByHand) and reads the attachments for the reply.
 */
/**
 * The session lookup every platform request makes (server/auth/sessions.ts loadSession): the same join and
 * columns, by the sha256 of the `sid` cookie. The unit and user then come from the session, as in the platform.
 */
async function sessionByHand(pool: pg.Pool, cookie: string | undefined): Promise<{ userId: string; unitId: string | null }> {
  const sid = /(?:^|;\s*)sid=([^;]+)/.exec(cookie ?? '')?.[1];
  if (!sid) throw new Refusal(401, 'no session');
  const { rows } = await pool.query<{ id: string; unit_id: string | null }>({
    name: 'bare_session',
    text: `select s.last_seen_at, u.id, u.username, u.role, u.real_name, u.mobile, u.email, u.disabled,
                  un.id as unit_id, un.name as unit_name, un.region, un.type, un.status
             from sessions s join users u on u.id = s.user_id left join units un on un.id = u.unit_id
            where s.id = $1`,
    values: [createHash('sha256').update(sid).digest('base64url')],
  });
  if (!rows[0]) throw new Refusal(401, 'no session');
  return { userId: rows[0].id, unitId: rows[0].unit_id };
}

async function transitionByHand(pool: pg.Pool, id: string, name: string, unitId: string, userId: string) {
  const t = TRANSITIONS[name];
  if (!t) throw new Refusal(404, 'unknown transition');
  const client = await pool.connect();
  try {
    await client.query('begin');
    const { rows } = await client.query<LockedRow>({
      name: 'bare_lock',
      text: `select a.id, a.number, a.status, a.unit_id, a.applicant_id, a.applicant_name, a.return_opinion, u.name as unit_name
         from applications a left join units u on u.id = a.unit_id
        where a.id = $1 and a.deleted_at is null
          and exists (select 1 from application_units au where au.application_id = a.id and au.unit_id = $2)
          for update of a`,
      values: [id, unitId],
    });
    const app = rows[0];
    if (!app) throw new Refusal(404, 'not found');
    if (!t.from.includes(app.status) || app.unit_id !== unitId || (t.needsOpinion && !app.return_opinion?.trim())) {
      throw new Refusal(409, `status ${app.status}`);
    }
    const backToSender = t.action === 'withdrawReturn';
    const { rows: updated } = await client.query({
      name: 'bare_update',
      text: `update applications set status = $2, transferred_at = now(), viewed_at = $3, viewed_by = $4, updated_at = now()
        where id = $1 returning *`,
      values: [id, t.to, backToSender ? new Date() : null, backToSender ? userId : null],
    });
    const unitName = app.unit_name ?? '推荐单位';
    const applicantName = app.applicant_name || '申报人';
    const [fromName, toName] = t.action === 'return' ? [unitName, applicantName] : [applicantName, unitName];
    await client.query({
      name: 'bare_event',
      text: `insert into application_events (application_id, action, from_status, to_status, actor_id, actor_role, actor_name, from_name, to_name, opinion)
       values ($1, $2, $3, $4, $5, 'unit', $6, $7, $8, $9)`,
      values: [id, t.action, app.status, t.to, userId, unitName, fromName, toName, t.action === 'return' ? app.return_opinion : null],
    });
    const body = `【新疆科技工作者之家】${unitName}对申请书 ${app.number}（${app.applicant_name}）进行了【${ACTION_LABELS[t.action]}】，当前状态：${STATUS_LABELS[t.to].replace('[推荐单位]', `[${unitName}]`)}。`;
    const toApplicant = t.to === 'returned_to_applicant';
    await client.query({
      name: 'bare_notification',
      text: `insert into notifications (user_id, unit_id, application_id, body) values ($1, $2, $3, $4)`,
      values: [toApplicant ? app.applicant_id : null, toApplicant ? null : unitId, id, body],
    });
    const [recipients, recipient] = toApplicant ? ['id = $1', app.applicant_id] : ['unit_id = $1', unitId];
    await client.query({
      name: toApplicant ? 'bare_text_user' : 'bare_text_unit',
      text: `insert into outbox (channel, recipient, user_id, subject, body)
       select 'mobile', mobile, id, $2, $3 from users where ${recipients} and mobile is not null`,
      values: [recipient, toApplicant ? '申请书状态变更' : '申请书待办理', body],
    });
    await client.query('commit');
    // the platform replies with the application and its attachments: the same read
    const { rows: files } = await client.query({
      name: 'bare_attachments',
      text: 'select * from attachments where application_id = $1 and deleted_at is null order by created_at',
      values: [id],
    });
    return { ...(updated[0] as Record<string, unknown>), attachments: files };
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

export async function startCeiling(pool: pg.Pool): Promise<{ app: FastifyInstance; url: string }> {
  const app = Fastify({ logger: false });

  app.get('/bare/applications', async (req) => {
    await sessionByHand(pool, req.headers.cookie);
    const { viewer, q } = parseQuery(req.query as Record<string, string | undefined>);
    const sql = querySql(viewer, q);
    if (!sql.count) {
      const rows = await pool.query<{ count: string }>(sql.rows);
      return { rows: rows.rows, total: Number(rows.rows[0]?.count ?? 0), page: q.page, pageSize: q.pageSize };
    }
    const [rows, count] = await Promise.all([pool.query(sql.rows), pool.query<{ count: string }>(sql.count)]);
    return { rows: rows.rows, total: Number(count.rows[0]!.count), page: q.page, pageSize: q.pageSize };
  });

  app.post('/bare/applications/:id/transitions/:action', async (req, reply) => {
    const { id, action } = req.params as { id: string; action: string };
    try {
      const { userId, unitId } = await sessionByHand(pool, req.headers.cookie);
      if (!unitId) throw new Refusal(403, 'not a unit');
      return await transitionByHand(pool, id, action, unitId, userId);
    } catch (err) {
      if (err instanceof Refusal) return reply.status(err.status).send({ error: err.message });
      throw err;
    }
  });

  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, url };
}
