// The compiled reply encoder against zod's encode (server/reply-encoder.ts): the same JSON for every value zod
// accepts, a refusal wherever zod refuses, with zod's own error; long replies as UTF-8 bytes. (The whole API suite
// also runs with `checkReplies`, which compares the two on every real reply.)
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ResponseSerializationError } from 'fastify-type-provider-zod';
import { sessionUserSchema } from '../core';
import { reviewListReplySchema } from '../core/review';
import { compileEncoder, replySerializerCompiler, zodParts } from './reply-encoder';

const serializerOf = (schema: z.ZodType) => replySerializerCompiler()({ schema, method: 'GET', url: '/api/test' });

/** What zod sends for `value`, or 'refused'. */
function viaZod(schema: z.ZodType, value: unknown): string {
  const r = z.safeEncode(schema, value as never);
  return r.success ? JSON.stringify(r.data) : 'refused';
}
/** What the serializer sends, or 'refused' (its error must then be zod's, naming the route). */
function viaSerializer(schema: z.ZodType, value: unknown): string {
  try {
    const out = serializerOf(schema)(value) as unknown;
    return Buffer.isBuffer(out) ? out.toString('utf8') : (out as string);
  } catch (err) {
    expect(err).toBeInstanceOf(ResponseSerializationError);
    expect((err as ResponseSerializationError).url).toBe('/api/test');
    expect((err as ResponseSerializationError).cause).toBeInstanceOf(z.ZodError);
    return 'refused';
  }
}

const timestamp = z.iso.datetime();
const item = z.object({
  id: z.string(),
  count: z.number().int(),
  score: z.number().nullable(),
  state: z.enum(['todo', 'saved', 'submitted']),
  ok: z.literal(true),
  at: timestamp.nullable(),
  note: z.string().optional(),
  flags: z.record(z.string(), z.boolean().nullable()),
  extra: z.unknown(),
});
const schemas: Record<string, z.ZodType> = {
  item,
  list: z.object({ items: z.array(item), total: z.number().int(), nested: z.object({ a: z.string().nullable().optional() }).nullable() }),
  // parts the fast path hands to zod: a trim, a refinement, length limits, a strict object, a union, a default
  trimmed: z.object({ name: z.string().trim(), size: z.number().int().positive() }),
  refined: z.object({ a: z.number(), b: z.number() }).refine((v) => v.a < v.b),
  limited: z.object({ tags: z.array(z.string().max(3)).max(2) }),
  strict: z.strictObject({ a: z.string() }),
  union: z.object({ v: z.union([z.object({ ok: z.literal(true), n: z.number() }), z.object({ ok: z.literal(false), why: z.string() })]) }),
  withDefault: z.object({ page: z.number().default(1) }),
  // keys that are not identifiers: the generated code holds them as string literals
  oddKeys: z.object({ 'a"b': z.string(), 'line\u2028sep': z.number().optional(), '0': z.boolean(), 'c\\d': z.string().nullable() }),
  // a computed key makes an own field named __proto__
  protoKey: z.object({ ['__proto__']: z.string(), ok: z.boolean() }),
};

const good = {
  id: 'a',
  count: 3,
  score: 81.5,
  state: 'saved',
  ok: true,
  at: '2026-12-03T11:23:45.123Z',
  note: '备注',
  flags: { x: true, y: null },
  extra: { anything: [1, 'two'] },
};
const values: unknown[] = [
  good,
  { ...good, secret: '650102197911230011', note: undefined },
  { ...good, score: null, at: null },
  { ...good, count: 2.5 },
  { ...good, count: Number.MAX_SAFE_INTEGER + 1 },
  { ...good, score: NaN },
  { ...good, score: Infinity },
  { ...good, score: '81.5' },
  { ...good, state: 'other' },
  { ...good, ok: false },
  { ...good, at: '2026-12-03 11:23:45' },
  { ...good, at: new Date('2026-12-03T11:23:45.123Z') },
  { ...good, id: undefined },
  { ...good, flags: { x: 'yes' } },
  { ...good, flags: JSON.parse('{"__proto__": true, "z": false}') },
  { ...good, flags: [true] },
  { ...good, extra: undefined },
  { items: [good, { ...good, id: 'b', hidden: 1 }], total: 2, nested: { a: null, b: 2 } },
  { items: [good], total: 1, nested: null },
  { items: [good], total: 1, nested: {} },
  { items: 'no', total: 1, nested: null },
  { items: [{ ...good, state: 'x' }], total: 1, nested: null },
  { name: '  张三  ', size: 2 },
  { name: '张三', size: 0 },
  { a: 1, b: 2 },
  { a: 2, b: 1 },
  { tags: ['ab', 'cd'] },
  { tags: ['abcd'] },
  { tags: ['a', 'b', 'c'] },
  { a: 'x' },
  { a: 'x', b: 'y' },
  { v: { ok: true, n: 1, extra: 2 } },
  { v: { ok: false, why: '原因' } },
  { v: { ok: false } },
  { page: undefined },
  { page: 3 },
  { 'a"b': 'x', 'line\u2028sep': 1, '0': true, 'c\\d': null, other: 2 },
  { 'a"b': 'x', '0': false, 'c\\d': '值' },
  { 'a"b': 1, '0': true, 'c\\d': null },
  JSON.parse('{"__proto__": "p", "ok": true}'),
  null,
  [],
  'text',
  42,
];

describe('the compiled reply encoder', () => {
  it('sends what zod sends, and refuses what zod refuses, for every schema and value here', () => {
    let compared = 0;
    let refused = 0;
    for (const [name, schema] of Object.entries(schemas)) {
      for (const value of values) {
        const expected = viaZod(schema, value);
        expect(viaSerializer(schema, value), `${name}: ${JSON.stringify(value)}`).toBe(expected);
        compared++;
        if (expected === 'refused') refused++;
      }
    }
    // both kinds of case were met
    expect(refused).toBeGreaterThan(200);
    expect(compared - refused).toBeGreaterThanOrEqual(12);
  });

  it('compiles plain fields itself and hands zod only what it cannot (the list below: its path each)', () => {
    expect(zodParts(schemas.item!)).toEqual([]);
    expect(zodParts(schemas.list!)).toEqual([]);
    expect(zodParts(schemas.oddKeys!)).toEqual([]);
    expect(zodParts(reviewListReplySchema)).toEqual([]);
    expect(zodParts(schemas.trimmed!)).toEqual(['.name', '.size']);
    expect(zodParts(schemas.limited!)).toEqual(['.tags']);
    expect(zodParts(schemas.refined!)).toEqual(['(the whole reply)']);
    expect(zodParts(schemas.protoKey!)).toEqual(['(the whole reply)']);
    expect(zodParts(schemas.union!)).toEqual(['.v']);
  });

  it('keeps only the fields of the schema, in its order', () => {
    const out = compileEncoder(item)({ secret: 'x', ...good, id: 'z', more: 1 });
    expect(Object.keys(out as object)).toEqual(['id', 'count', 'score', 'state', 'ok', 'at', 'note', 'flags', 'extra']);
    expect(JSON.stringify(out)).not.toContain('secret');
  });

  it('is the fast path for a real reply: it does not hand the expert’s list to zod', () => {
    const list = {
      window: null,
      items: [
        {
          applicationId: 'x',
          number: 'XJ-1',
          applicantName: '张三',
          workUnit: '某所',
          unitName: null,
          state: 'todo',
          stateLabel: '未评',
          total: null,
          updatedAt: null,
          reopenReason: null,
          campaignId: 'dropped',
        },
      ],
      counts: { todo: 1, saved: 0, submitted: 0 },
    };
    // a checking serializer throws when the fast path refuses what zod accepts
    const checked = replySerializerCompiler({ check: true })({ schema: reviewListReplySchema, method: 'GET', url: '/api/review/mine' });
    expect(JSON.parse(checked(list) as string).items[0]).not.toHaveProperty('campaignId');
    const session = { id: 'u', username: 'a', role: 'expert', realName: '专家', unit: null, mustChangePassword: false, passwordHash: 'x' };
    const r = z.safeEncode(sessionUserSchema, session as never);
    if (r.success) expect(JSON.parse(serializerOf(sessionUserSchema)(session) as string)).not.toHaveProperty('passwordHash');
  });

  it('sends a long reply as its UTF-8 bytes, a short one as text', () => {
    const schema = z.object({ names: z.array(z.string()) });
    const long = { names: Array.from({ length: 2000 }, (_, i) => `姓名${i}`) };
    const out = serializerOf(schema)(long) as unknown;
    expect(Buffer.isBuffer(out)).toBe(true);
    expect(JSON.parse((out as Buffer).toString('utf8'))).toEqual(long);
    expect(typeof serializerOf(schema)({ names: ['短'] })).toBe('string');
  });
});
