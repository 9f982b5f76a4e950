import type { FastifyReply, FastifyRequest } from 'fastify';
import { ZodObject, z } from 'zod';
import { APPLICATION_FIELDS, ROLE_LABELS, type Role } from '../core';
import { AppError, type FieldIssue } from './errors';
import type { SessionUser } from './auth/sessions';

const LABELS: Record<string, string> = {
  username: '用户名',
  password: '密码',
  newPassword: '新密码',
  captcha: '验证码',
  realName: '真实姓名',
  mobile: '手机',
  email: '电子邮箱',
  unitName: '单位名称',
  name: '单位名称',
  unitType: '单位类型',
  type: '单位类型',
  region: '所在地区',
  contactName: '联系人',
  contactPhone: '联系电话',
  channel: '找回方式',
  code: '验证码',
  reason: '理由',
  title: '活动名称',
  settings: '活动设置',
  ...Object.fromEntries(APPLICATION_FIELDS.map((f) => [f.key, f.label])),
};

export const labelOf = (field: string) => LABELS[field] ?? field;

/** Each object schema's strict copy, made once: `.strict()` builds a new schema, and parse runs on every request. */
const strictCopies = new WeakMap<z.ZodType, z.ZodType>();
function strictOf<S extends z.ZodType>(schema: S): S {
  if (!(schema instanceof ZodObject)) return schema;
  let strict = strictCopies.get(schema);
  if (!strict) strictCopies.set(schema, (strict = schema.strict()));
  return strict as unknown as S;
}

/**
 * Validates input with a shared core schema; every problem comes back named, in Chinese. A request body is
 * strict: keys the schema does not know are refused (the web's forms may carry more, so the shared schemas
 * themselves stay open and the strictness is the server's).
 */
export function parse<S extends z.ZodType>(schema: S, data: unknown, labels: Record<string, string> = {}): z.infer<S> {
  const strict = strictOf(schema);
  const result = strict.safeParse(data ?? {});
  if (result.success) return result.data;
  const seen = new Set<string>();
  const fields: FieldIssue[] = result.error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.map((k) => k.slice(0, 40)).join('、');
      return [{ field: 'body', label: '请求', message: `含有不认识的字段：${keys}；请刷新页面后重试` }];
    }
    const field = issue.path.map(String).join('.') || 'body';
    const top = String(issue.path[0] ?? '');
    const label = labels[top] ?? labelOf(top);
    const message = issue.code === 'invalid_type' && issue.input === undefined ? `请填写${label}` : issue.message;
    if (seen.has(field)) return []; // one message per field: the first says what to fix
    seen.add(field);
    return [{ field, label, message }];
  });
  throw new AppError('VALIDATION', fields.map((f) => `${f.label}：${f.message}`).join('；'), fields);
}

/**
 * A route's options for a JSON reply: its schema from core/replies.ts, through which the reply is encoded (app.ts:
 * only the schema's fields leave the server, and the OpenAPI document shows it). With the route plugin's
 * `withTypeProvider<ZodTypeProvider>()`, the handler's return value is typechecked against it too.
 */
export function replyWith<S extends z.ZodType>(schema: S) {
  return { schema: { response: { 200: schema } } };
}

const emptyBody = z.object({});

/** An action that takes no body: a body with fields in it is refused rather than silently ignored. */
export function noBody(req: FastifyRequest): void {
  parse(emptyBody, req.body);
}

export function requireUser(req: FastifyRequest, ...roles: Role[]): SessionUser {
  const user = req.user;
  if (!user) throw new AppError('UNAUTHENTICATED', '登录已过期或尚未登录，请重新登录');
  if (roles.length && !roles.includes(user.role)) {
    throw new AppError('FORBIDDEN', `此功能仅限${roles.map((r) => ROLE_LABELS[r]).join('、')}使用`);
  }
  return user;
}

export function idParam(req: FastifyRequest, what = '申请书'): string {
  const id = (req.params as { id?: string }).id ?? '';
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) {
    throw new AppError('NOT_FOUND', `未找到该${what}，可能已被删除或您无权查看`);
  }
  return id.toLowerCase();
}

/** RFC 6266/5987 Content-Disposition that Chinese browsers show correctly. */
export function attachmentDisposition(reply: FastifyReply, name: string, inline = false): void {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  reply.header('Content-Disposition', `${inline ? 'inline' : 'attachment'}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`);
  reply.header('X-Content-Type-Options', 'nosniff');
}

/**
 * One byte range of a `Range: bytes=…` header (what media elements send), clamped to the file; null for
 * none, several, or one that cannot be satisfied (the whole file is sent instead, which is always valid).
 */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | null {
  const m = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!m || size === 0 || (m[1] === '' && m[2] === '')) return null;
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  return Number.isSafeInteger(start) && start <= end && start < size ? { start, end } : null;
}
