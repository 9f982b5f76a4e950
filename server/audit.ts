// The audit log (issue 16 item 7): who did and who saw what. Rows are written unchained — a plain insert, no lock —
// by audit() (use cases) and by the route-level declarations (route config `audit`, one onSend hook: the row is in the
// database before the reply leaves). A chainer links them into a hash chain a few seconds later, one instance at a time
// (pg_try_advisory_xact_lock), in the order it finds them committed: seq 1, 2, … and hash = sha256(prev_hash ‖ the
// row's canonical content). `npm run cli -- audit verify` (verifyAuditLog) walks the chain.
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import type { Db } from './db/client';
import type { Services } from './context';
import { prepared } from './db/prepared';
import { auditLog } from './db/schema';

/** the prev_hash of the chain's first row */
export const GENESIS_HASH = '0'.repeat(64);
/** how often each instance's chainer looks for unchained rows */
export const AUDIT_CHAIN_INTERVAL_MS = 2_000;
/**
 * A row older than this is never chained (except the rows written before the chain began, chained by the first
 * pass), and `audit verify` reports it: a row slipped into the table with a back-dated time is found, not legitimised.
 */
export const AUDIT_CHAIN_MAX_AGE_MS = 10 * 60_000;
/** `audit verify` reports a row left unchained for longer than this (the chaining delay, with a wide margin) */
export const AUDIT_VERIFY_DELAY_MS = 2 * 60_000;
/** advisory lock key of the chainer ('audit' in ASCII) */
const CHAIN_LOCK = 0x61756469;

/**
 * The request an audit() call is made in (set by the audit hooks around each route's handler): its row records the
 * request's address whoever the actor is (a session user, an id, a new account's own), and whichever use case writes it.
 */
const requestAddress = new AsyncLocalStorage<{ ip: string }>();

export type AuditActor = string | { id: string } | null;

/**
 * One row of the audit log: who (null: the system) did what to which record, with optional details. Made while a
 * request is handled, the row records the request's ip (unless `ip` gives another); a job's or the CLI's has none.
 */
export async function audit(db: Db, actor: AuditActor, action: string, targetType: string, targetId: string, detail?: unknown, ip?: string) {
  const actorId = actor === null ? null : typeof actor === 'string' ? actor : actor.id;
  // the address: given, or the request's, or (the log-in's older call) the detail's `ip`
  const detailIp =
    detail !== null && typeof detail === 'object' && typeof (detail as { ip?: unknown }).ip === 'string' ? (detail as { ip: string }).ip : undefined;
  const from = ip ?? requestAddress.getStore()?.ip ?? detailIp ?? null;
  await db.insert(auditLog).values({ actorId, action, targetType, targetId, ip: from, detail: detail ?? null });
}

// ---- the route-level declaration ----

/** A route's audit declaration (route config `audit`): a row for each 2xx answer, with the session user and the ip. */
export interface AuditRoute {
  action: string;
  targetType: string;
  /** the target's id: by default the route's :id parameter; `reply` is the JSON reply's value (absent for files) */
  target?: (req: FastifyRequest, reply: unknown) => string | null | undefined;
  detail?: (req: FastifyRequest, reply: unknown) => unknown;
  /** false: this answer is not recorded (e.g. a video's later Range requests: the opening is the first) */
  when?: (req: FastifyRequest) => boolean;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    audit?: AuditRoute;
  }
}

/** A route's options part declaring its audit row: `app.get(url, { ...replyWith(schema), ...audited({ … }) }, handler)`. */
export const audited = (declaration: AuditRoute) => ({ config: { audit: declaration } });

/** a string field of the request's JSON body (the handler has checked it by the time a 2xx is recorded) */
export function bodyField(req: FastifyRequest, name: string): string | undefined {
  const value = (req.body as Record<string, unknown> | null | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}

const replies = new WeakMap<FastifyRequest, unknown>();

/**
 * Refused log-ins, recorded by route (these routes' files are the log-in's own; a success is recorded where the session
 * starts): a 4xx answer but 429 (the rate limiter's, before any check) is `account.login_failed`, with the user name
 * tried as the target and the refusal's code.
 */
const FAILED_LOGINS: Record<string, string> = { 'POST /api/auth/login': 'account.login_failed' };

function refusalCode(payload: unknown): string | undefined {
  if (typeof payload !== 'string' || payload.length > 4096) return undefined;
  try {
    return (JSON.parse(payload) as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}

type AuditRow = typeof auditLog.$inferInsert;

/**
 * The requests' rows, written by group commit: a row waits for the insert in flight (if any) and then goes with every
 * row queued meanwhile in one multi-row INSERT. Alone, a row is inserted at once; under load (a surge of openings) one
 * statement carries many, on PGlite's single connection above all. Each caller is answered when its row is stored.
 */
const insertOne = prepared((db) =>
  db
    .insert(auditLog)
    .values({
      actorId: sql.placeholder('actorId'),
      action: sql.placeholder('action'),
      targetType: sql.placeholder('targetType'),
      targetId: sql.placeholder('targetId'),
      ip: sql.placeholder('ip'),
      // as text cast to jsonb: a placeholder bound to the column would store a JSON null for no detail, not NULL
      detail: sql`${sql.placeholder('detail')}::jsonb`,
    })
    .prepare('audit_insert_one'),
);

export function auditWriter(db: Db) {
  let queue: { row: AuditRow; done: (err?: unknown) => void }[] = [];
  let flushing = false;
  const flush = async () => {
    flushing = true;
    while (queue.length) {
      const batch = queue;
      queue = [];
      try {
        // one row (most of the time): the statement built once (server/db/prepared.ts); several: one multi-row insert
        const only = batch.length === 1 ? batch[0]!.row : null;
        if (only) {
          await insertOne(db).execute({
            actorId: only.actorId ?? null,
            action: only.action,
            targetType: only.targetType ?? null,
            targetId: only.targetId ?? null,
            ip: only.ip ?? null,
            detail: only.detail === undefined || only.detail === null ? null : JSON.stringify(only.detail),
          });
        } else await db.insert(auditLog).values(batch.map((b) => b.row));
        for (const b of batch) b.done();
      } catch (err) {
        for (const b of batch) b.done(err);
      }
    }
    flushing = false;
  };
  return (row: AuditRow) =>
    new Promise<void>((resolve, reject) => {
      queue.push({ row, done: (err) => (err === undefined ? resolve() : reject(err as Error)) });
      if (!flushing) void flush();
    });
}

/** Registered by app.ts after the session hook: the routes' declarations and the ip of the rows audit() writes in a request. */
export function registerAuditHooks(app: FastifyInstance, s: Services) {
  const write = auditWriter(s.db);
  // the rest of the request (the later hooks, the handler and everything it awaits) runs inside the store; a
  // preHandler, not onRequest: nothing after it (body parsing comes before) leaves the async context
  app.addHook('preHandler', (req, _reply, done) => {
    requestAddress.run({ ip: req.ip }, done);
  });
  app.addHook('preSerialization', (req, _reply, payload, done) => {
    if (req.routeOptions.config.audit) replies.set(req, payload);
    done(null, payload);
  });
  // callback style: most replies write no row and go on at once; a row is written before the reply leaves
  app.addHook('onSend', (req, reply, payload, done) => {
    let row: AuditRow | null;
    try {
      row = auditRowOf(req, reply.statusCode, payload);
    } catch (err) {
      return done(err as Error);
    }
    if (!row) return done(null, payload);
    write(row).then(
      () => done(null, payload),
      (err: unknown) => done(err as Error),
    );
  });
}

/** The row a reply is recorded with: a failed log-in, or a route's declaration (config `audit`) on success; else none. */
function auditRowOf(req: FastifyRequest, status: number, payload: unknown): AuditRow | null {
  const failed = FAILED_LOGINS[`${req.method} ${req.routeOptions.url ?? ''}`];
  if (failed && status >= 400 && status < 500 && status !== 429) {
    const username = bodyField(req, 'username')?.trim().toLowerCase().slice(0, 100) ?? '';
    return {
      actorId: null,
      action: failed,
      targetType: 'user',
      targetId: username,
      ip: req.ip,
      detail: { username, code: refusalCode(payload) ?? String(status) },
    };
  }
  const declared = req.routeOptions.config.audit;
  if (!declared || req.method === 'HEAD' || status < 200 || status >= 300) return null;
  if (declared.when && !declared.when(req)) return null;
  const value = replies.get(req);
  const targetId = declared.target ? declared.target(req, value) : (req.params as { id?: string } | undefined)?.id?.toLowerCase();
  const detail = declared.detail ? declared.detail(req, value) : undefined;
  return {
    actorId: req.user?.id ?? null,
    action: declared.action,
    targetType: declared.targetType,
    targetId: targetId ?? '',
    ip: req.ip,
    detail: detail ?? null,
  };
}

// ---- the chain ----

/** a row as the chain sees it: every column the hash covers, read as text where the driver would round */
export interface ChainRow {
  id: number;
  seq: number | null;
  at: string;
  actorId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  detail: unknown;
  prevHash: string | null;
  hash: string | null;
}

const CHAIN_COLUMNS = sql`id::text as id, seq::text as seq,
  to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at,
  actor_id::text as actor_id, action, target_type, target_id, ip, detail, prev_hash, hash`;

interface RawRow {
  id: string;
  seq: string | null;
  at: string;
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  detail: unknown;
  prev_hash: string | null;
  hash: string | null;
}

const chainRowOf = (r: RawRow): ChainRow => ({
  id: Number(r.id),
  seq: r.seq === null ? null : Number(r.seq),
  at: r.at,
  actorId: r.actor_id,
  action: r.action,
  targetType: r.target_type,
  targetId: r.target_id,
  ip: r.ip,
  detail: typeof r.detail === 'string' ? (JSON.parse(r.detail) as unknown) : r.detail,
  prevHash: r.prev_hash,
  hash: r.hash,
});

async function rowsOf(db: Db, query: ReturnType<typeof sql>): Promise<ChainRow[]> {
  const result = (await db.execute(query)) as unknown as { rows: RawRow[] };
  return result.rows.map(chainRowOf);
}

/** JSON with every object's keys in one order, so that the same jsonb always gives the same text */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** hash = sha256(prev_hash ‖ "\n" ‖ canonical JSON of [seq, id, at, actor, action, target type, target id, ip, detail]) */
export function chainHash(prevHash: string, row: Omit<ChainRow, 'prevHash' | 'hash'> & { seq: number }): string {
  const content = JSON.stringify([row.seq, row.id, row.at, row.actorId, row.action, row.targetType, row.targetId, row.ip, canonical(row.detail)]);
  return createHash('sha256').update(`${prevHash}\n${content}`).digest('hex');
}

/**
 * Links the rows not yet chained, oldest id first, after the chain's head: one transaction per batch under the
 * chainer's advisory lock (another instance chaining meanwhile: this one returns). Returns how many it linked.
 * Batches of 250 (about 80 ms on PGlite, whose one connection the requests wait for meanwhile; less on PostgreSQL).
 */
export async function chainAuditLog(db: Db, batch = 250): Promise<number> {
  let total = 0;
  for (;;) {
    const linked = await db.transaction(async (tx) => {
      const lock = (await tx.execute(sql`select pg_try_advisory_xact_lock(${CHAIN_LOCK}) as ok`)) as unknown as { rows: { ok: boolean }[] };
      if (!lock.rows[0]?.ok) return -1;
      const head = (await tx.execute(
        sql`select seq::text as seq, hash from audit_log where seq is not null order by audit_log.seq desc limit 1`,
      )) as unknown as {
        rows: { seq: string; hash: string }[];
      };
      const last = head.rows[0];
      // the first pass takes every row (those written before the chain began); later ones only recent rows
      const recent = last ? sql`and created_at >= now() - ${`${AUDIT_CHAIN_MAX_AGE_MS} milliseconds`}::interval` : sql``;
      const pending = await rowsOf(tx, sql`select ${CHAIN_COLUMNS} from audit_log where seq is null ${recent} order by audit_log.id limit ${batch}`);
      if (!pending.length) return 0;
      let seq = last ? Number(last.seq) : 0;
      let prev = last ? last.hash : GENESIS_HASH;
      const values = pending.map((row) => {
        seq += 1;
        const hash = chainHash(prev, { ...row, seq });
        const value = sql`(${row.id}::bigint, ${seq}::bigint, ${prev}::text, ${hash}::text)`;
        prev = hash;
        return value;
      });
      await tx.execute(
        sql`update audit_log set seq = v.seq, prev_hash = v.prev, hash = v.hash from (values ${sql.join(values, sql`, `)}) as v(id, seq, prev, hash) where audit_log.id = v.id`,
      );
      return pending.length;
    });
    if (linked < 0) return total;
    total += linked;
    if (linked < batch) return total;
  }
}

/** Each instance's chainer: every AUDIT_CHAIN_INTERVAL_MS, until stop(). */
export function startAuditChainer(db: Db, log?: FastifyBaseLogger, intervalMs = AUDIT_CHAIN_INTERVAL_MS) {
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running) return;
    running = chainAuditLog(db)
      .then((n) => {
        if (n) log?.debug({ event: 'audit.chain', linked: n }, 'audit rows chained');
      })
      .catch((err: unknown) => log?.warn({ err, event: 'audit.chain' }, 'audit chaining failed; retried at the next tick'))
      .finally(() => {
        running = null;
      });
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

// ---- verification ----

export interface AuditProblem {
  kind: 'edited' | 'deleted' | 'broken' | 'unchained';
  /** the row concerned (for 'deleted': the row after the gap) */
  id: number;
  message: string;
}

export interface AuditVerification {
  /** chained rows walked */
  rows: number;
  /** rows not chained yet, younger than the delay (not problems) */
  pending: number;
  head: { seq: number; id: number; hash: string } | null;
  problems: AuditProblem[];
}

/**
 * Walks the chain in seq order: a row whose content no longer gives its hash was edited; a gap in seq, or a row
 * whose prev_hash is not its predecessor's hash, means rows were deleted (or a hash rewritten); a row left unchained
 * beyond the delay was slipped in (or written while no chainer ran for longer than AUDIT_CHAIN_MAX_AGE_MS).
 */
export async function verifyAuditLog(db: Db, delayMs = AUDIT_VERIFY_DELAY_MS): Promise<AuditVerification> {
  const problems: AuditProblem[] = [];
  let expected = 1;
  let prev: ChainRow | null = null;
  let rows = 0;
  for (;;) {
    const page = await rowsOf(db, sql`select ${CHAIN_COLUMNS} from audit_log where seq >= ${expected} order by audit_log.seq limit 5000`);
    for (const row of page) {
      const seq = row.seq!;
      rows += 1;
      const after = prev ? `记录 #${prev.id}（第 ${prev.seq} 条）` : '链首';
      if (seq !== expected) {
        const count = seq - expected;
        problems.push({
          kind: 'deleted',
          id: row.id,
          message: `记录 #${row.id}（第 ${seq} 条）之前缺少 ${count} 条记录（第 ${expected}${count > 1 ? `–${seq - 1}` : ''} 条）：位于${after}之后，已被删除`,
        });
      } else if (row.prevHash !== (prev ? prev.hash : GENESIS_HASH)) {
        problems.push({
          kind: 'broken',
          id: row.id,
          message: `记录 #${row.id}（第 ${seq} 条）与${after}的链接不符：前一条记录被替换或其哈希被改写`,
        });
      }
      if (chainHash(row.prevHash ?? '', { ...row, seq }) !== row.hash) {
        problems.push({ kind: 'edited', id: row.id, message: `记录 #${row.id}（第 ${seq} 条，${row.at}，${row.action}）的内容与其哈希不符：该记录被修改过` });
      }
      prev = row;
      expected = seq + 1;
    }
    if (page.length < 5000) break;
  }
  const unchained = await rowsOf(db, sql`select ${CHAIN_COLUMNS} from audit_log where seq is null order by audit_log.id`);
  const cutoff = Date.now() - delayMs;
  let pending = 0;
  for (const row of unchained) {
    if (Date.parse(row.at) >= cutoff) {
      pending += 1;
      continue;
    }
    problems.push({
      kind: 'unchained',
      id: row.id,
      message: `记录 #${row.id}（${row.at}，${row.action}）不在哈希链中：写入已超过 ${Math.round(delayMs / 60_000)} 分钟仍未链接，可能是绕过平台直接写入数据库的记录`,
    });
  }
  problems.sort((a, b) => a.id - b.id);
  return { rows, pending, head: prev ? { seq: prev.seq!, id: prev.id, hash: prev.hash! } : null, problems };
}

/** The CLI's report of a verification (Chinese; the head's seq and hash, to be noted elsewhere as an anchor). */
export function formatAuditVerification(v: AuditVerification): string {
  const head = v.head ? `链尾：第 ${v.head.seq} 条（记录 #${v.head.id}），哈希 ${v.head.hash}` : '哈希链为空';
  const pending = v.pending ? `；另有 ${v.pending} 条新记录等待链接` : '';
  if (!v.problems.length) return `审计日志校验通过：${v.rows} 条记录的哈希链完整${pending}。\n${head}`;
  return [`审计日志校验发现 ${v.problems.length} 处问题（共校验 ${v.rows} 条记录${pending}）：`, ...v.problems.map((p) => `  - ${p.message}`), head].join('\n');
}
