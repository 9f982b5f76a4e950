import { and, eq } from 'drizzle-orm';
import type { Services } from '../context';
import { units, users } from '../db/schema';
import { AppError } from '../errors';
import { hashPassword } from '../auth/passwords';
import { presentSessionUser, type SessionUser } from '../auth/sessions';
import { randomToken, sha256 } from '../crypto';
import { checkEmail, checkMobile } from '../../core';
import { audit } from '../audit';

export interface OidcClaims {
  sub: string;
  name?: unknown;
  email?: unknown;
  phone_number?: unknown;
}

/**
 * 使用合作网站登录: the partner site vouches for the person. The first log-in creates an applicant account
 * bound to (issuer, subject); it has an unusable random password and signs in only through the partner.
 */
export async function findOrCreateOidcUser(s: Services, issuer: string, claims: OidcClaims): Promise<SessionUser> {
  const [existing] = await s.db
    .select({ user: users, unit: units })
    .from(users)
    .leftJoin(units, eq(units.id, users.unitId))
    .where(and(eq(users.oidcIssuer, issuer), eq(users.oidcSubject, claims.sub)));
  if (existing) {
    if (existing.user.disabled) throw new AppError('FORBIDDEN', '该账号已被停用，请联系自治区科协');
    if (existing.unit && existing.unit.status !== 'active') throw new AppError('PENDING_APPROVAL', '该推荐单位账号尚未通过自治区科协审核');
    return presentSessionUser(existing.user, existing.unit);
  }
  const name = typeof claims.name === 'string' && claims.name.trim() ? claims.name.trim().slice(0, 30) : '合作网站用户';
  const email = typeof claims.email === 'string' && !checkEmail(claims.email) ? claims.email : null;
  const phone = typeof claims.phone_number === 'string' ? claims.phone_number.replace(/^\+86/, '') : '';
  const [user] = await s.db
    .insert(users)
    .values({
      username: `oidc_${sha256(`${issuer}|${claims.sub}`)
        .replace(/[^a-z0-9]/gi, '')
        .slice(0, 12)
        .toLowerCase()}`,
      passwordHash: await hashPassword(randomToken(32)),
      role: 'applicant',
      realName: name,
      mobile: checkMobile(phone) ? null : phone,
      email,
      oidcIssuer: issuer,
      oidcSubject: claims.sub,
    })
    .returning();
  await audit(s.db, user!.id, 'account.register', 'user', user!.id, { via: 'oidc', issuer });
  return presentSessionUser(user!, null);
}
