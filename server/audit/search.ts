// 审计日志's search (GET /api/admin/audit, docs/api/audit.md): newest first, paged, by time range, actor (username or
// name), action, target (an id, a 申请书's 编号 or 申请人, an account's or unit's name) and ip.
import { sql, type SQL } from 'drizzle-orm';
import { AUDIT_ACTION_LABELS, auditActionLabel, auditTargetLabel, type AuditList, type AuditQuery } from '../../core/audit';
import { ROLE_LABELS, type Role } from '../../core';
import type { Db } from '../db/client';

/** a day alone is Beijing time: `from` at its start, `to` through its end */
const startOf = (v: string) => (v.length === 10 ? new Date(`${v}T00:00:00+08:00`) : new Date(v));
const endOf = (v: string) => (v.length === 10 ? new Date(Date.parse(`${v}T00:00:00+08:00`) + 86_400_000) : new Date(Date.parse(v) + 1));
const like = (v: string) => `%${v.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

interface Row {
  id: string;
  at: Date | string;
  actor_id: string | null;
  actor_name: string | null;
  actor_username: string | null;
  actor_role: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  target_label: string | null;
  ip: string | null;
  detail: unknown;
  seq: string | null;
}

export async function searchAuditLog(db: Db, q: AuditQuery): Promise<AuditList> {
  const where: SQL[] = [];
  if (q.from) where.push(sql`a.created_at >= ${startOf(q.from).toISOString()}::timestamptz`);
  if (q.to) where.push(sql`a.created_at < ${endOf(q.to).toISOString()}::timestamptz`);
  if (q.action) where.push(sql`a.action = ${q.action}`);
  if (q.ip) where.push(sql`a.ip like ${`${q.ip.replace(/[\\%_]/g, (c) => `\\${c}`)}%`}`);
  if (q.actor) {
    const pattern = like(q.actor);
    where.push(sql`a.actor_id in (select id from users where username ilike ${pattern} or real_name ilike ${pattern})`);
  }
  if (q.target) {
    const exact = q.target.toLowerCase();
    const pattern = like(q.target);
    where.push(sql`(a.target_id = ${exact} or a.target_id = ${q.target}
      or (a.target_type = 'application' and a.target_id in (select id::text from applications where number = ${q.target} or applicant_name ilike ${pattern}))
      or (a.target_type = 'user' and a.target_id in (select id::text from users where username ilike ${pattern} or real_name ilike ${pattern}))
      or (a.target_type = 'unit' and a.target_id in (select id::text from units where name ilike ${pattern}))
      or (a.target_type = 'campaign' and a.target_id in (select id::text from campaigns where title ilike ${pattern})))`);
  }
  const condition = where.length ? sql`where ${sql.join(where, sql` and `)}` : sql``;
  const offset = (q.page - 1) * q.pageSize;
  const [rows, total] = await Promise.all([
    db.execute(sql`
      select a.id::text as id, a.created_at as at, a.actor_id::text as actor_id, u.real_name as actor_name, u.username as actor_username, u.role as actor_role,
        a.action, a.target_type, a.target_id, a.ip, a.detail, a.seq::text as seq,
        case a.target_type
          when 'application' then (select ap.number || ' ' || ap.applicant_name from applications ap where ap.id::text = a.target_id)
          when 'user' then (select tu.real_name || '（' || tu.username || '）' from users tu where tu.id::text = a.target_id)
          when 'unit' then (select un.name from units un where un.id::text = a.target_id)
          when 'campaign' then (select c.title from campaigns c where c.id::text = a.target_id)
        end as target_label
      from audit_log a left join users u on u.id = a.actor_id
      ${condition}
      order by a.created_at desc, a.id desc
      limit ${q.pageSize} offset ${offset}`) as unknown as Promise<{ rows: Row[] }>,
    db.execute(sql`select count(*)::int as n from audit_log a ${condition}`) as unknown as Promise<{ rows: { n: number }[] }>,
  ]);
  return {
    rows: rows.rows.map((r) => ({
      id: Number(r.id),
      at: new Date(r.at).toISOString(),
      actorId: r.actor_id,
      actorName: r.actor_id ? (r.actor_name ?? '（已删除的账号）') : '系统',
      actorUsername: r.actor_username ?? '',
      actorRole: r.actor_role ? (ROLE_LABELS[r.actor_role as Role] ?? r.actor_role) : '',
      action: r.action,
      actionLabel: auditActionLabel(r.action),
      targetType: r.target_type ?? '',
      targetTypeLabel: auditTargetLabel(r.target_type),
      targetId: r.target_id ?? '',
      targetLabel: r.target_label ?? '',
      ip: r.ip ?? '',
      detail: r.detail === null || r.detail === undefined ? '' : typeof r.detail === 'string' ? r.detail : JSON.stringify(r.detail),
      chained: r.seq !== null,
    })),
    total: Number(total.rows[0]?.n ?? 0),
    page: q.page,
    pageSize: q.pageSize,
    actions: Object.entries(AUDIT_ACTION_LABELS).map(([value, label]) => ({ value, label })),
  };
}
