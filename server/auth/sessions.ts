import { eq, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { prepared } from '../db/prepared';
import { sessions, units, users } from '../db/schema';
import { randomToken, sha256 } from '../crypto';
import type { Role, SessionUser } from '../../core';

export type { SessionUser };

/** Creates a session and returns the cookie token; only its hash is stored. */
export type SessionStage = 'full' | 'mfa' | 'enroll';

/**
 * The absolute lifetime of a session, however active (ASVS 5.0 V7.3.2): a working day and then some. After it the
 * user logs in again (with the second factor where there is one). The idle timeout is SESSION_IDLE_MINUTES.
 */
export const SESSION_MAX_HOURS = 12;
/** A session still owing its second factor or its enrolment lasts 10 minutes at most. */
export const HALF_SESSION_MINUTES = 10;

/** Creates a session and returns the cookie token; only its hash is stored. `stage`: what is still owed (docs/api/security.md). */
export async function createSession(db: Db, userId: string, meta: { ip?: string; userAgent?: string }, stage: SessionStage = 'full'): Promise<string> {
  const token = randomToken();
  await db.insert(sessions).values({ id: sha256(token), userId, ip: meta.ip, userAgent: meta.userAgent?.slice(0, 300), stage });
  return token;
}

/**
 * The user of a live session, or null. A session idle for longer than `idleMinutes` is gone.
 * last_seen_at is refreshed at most once a minute to keep reads cheap.
 */
/** Built once and prepared by PostgreSQL once per connection (server/db/prepared.ts): it runs on every request. */
const sessionQuery = prepared((db) =>
  db
    .select({
      lastSeenAt: sessions.lastSeenAt,
      createdAt: sessions.createdAt,
      stage: sessions.stage,
      disabled: users.disabled,
      user: {
        id: users.id,
        username: users.username,
        role: users.role,
        realName: users.realName,
        mobile: users.mobile,
        email: users.email,
        mustChangePassword: users.mustChangePassword,
      },
      unit: { id: units.id, name: units.name, region: units.region, type: units.type, status: units.status },
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .leftJoin(units, eq(units.id, users.unitId))
    .where(eq(sessions.id, sql.placeholder('id')))
    .prepare('load_session'),
);

export async function loadSession(db: Db, token: string, idleMinutes: number): Promise<SessionUser | null> {
  const id = sha256(token);
  const [row] = await sessionQuery(db).execute({ id });
  if (!row) return null;
  const idleMs = Date.now() - row.lastSeenAt.getTime();
  const ageMs = Date.now() - row.createdAt.getTime();
  const maxAgeMs = row.stage === 'full' ? SESSION_MAX_HOURS * 3600_000 : HALF_SESSION_MINUTES * 60_000;
  if (idleMs > idleMinutes * 60_000 || ageMs > maxAgeMs || row.disabled || (row.unit && row.unit.status !== 'active')) {
    await db.delete(sessions).where(eq(sessions.id, id));
    return null;
  }
  if (idleMs > 60_000) await db.update(sessions).set({ lastSeenAt: new Date() }).where(eq(sessions.id, id));
  return presentSessionUser(row.user, row.unit, row.stage as SessionStage);
}

type UserRow = typeof users.$inferSelect;
type UnitRow = typeof units.$inferSelect;

export function presentSessionUser(
  user: Pick<UserRow, 'id' | 'username' | 'role' | 'realName' | 'mobile' | 'email' | 'mustChangePassword'>,
  unit: Pick<UnitRow, 'id' | 'name' | 'region' | 'type'> | null,
  stage: SessionStage = 'full',
): SessionUser {
  return {
    id: user.id,
    username: user.username,
    role: user.role as Role,
    realName: user.realName,
    mobile: user.mobile,
    email: user.email,
    unit: unit ? { id: unit.id, name: unit.name, region: unit.region, type: unit.type } : null,
    mustChangePassword: user.mustChangePassword,
    stage,
  };
}

export async function destroySession(db: Db, token: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, sha256(token)));
}

export async function destroyUserSessions(db: Db, userId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.userId, userId));
}

export async function sweepSessions(db: Db, idleMinutes: number): Promise<void> {
  await db
    .delete(sessions)
    .where(
      or(lt(sessions.lastSeenAt, new Date(Date.now() - idleMinutes * 60_000)), lt(sessions.createdAt, new Date(Date.now() - SESSION_MAX_HOURS * 3600_000))),
    );
}
