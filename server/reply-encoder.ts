// The replies' encoder: each route's reply schema (core/replies.ts) made once into a function that keeps only the
// schema's fields and checks their types, then JSON.stringify — what zod's encode does, without walking zod's
// machinery for every field of every row. For a 300-row list, zod's encode was a third of a millisecond of the
// event loop per request (bench/README "Session 25").
//
// The compiled encoder only ever takes the fast path when it is sure: it accepts a subset of what zod accepts, and
// for what it accepts it builds the same value (same fields, in the schema's order). Anything it does not know — a
// refinement, a trim, a length limit, a pipe, a strict object, a union — is handed to zod for that part of the
// reply. When the fast path refuses a value, zod encodes the whole reply again and has the last word: its error
// (path and reason, no values) is the one logged, and if zod accepts what the fast path refused, zod's output is
// sent. So a reply can never differ from zod's because of this file. In tests (`checkReplies`) every reply is also
// encoded by zod and the two strings compared (server/reply-encoder.test.ts and the whole API suite).
import { safeEncode } from 'zod';
import type { z } from 'zod';
import { ResponseSerializationError } from 'fastify-type-provider-zod';

type Encode = (value: unknown) => unknown;

/** Thrown by the fast path when a value is not what it expects; never leaves this file. */
const REFUSED: unique symbol = Symbol('reply-encoder: refused');
const refuse = (): never => {
  throw REFUSED;
};

interface Internals {
  def: {
    type: string;
    checks?: { _zod: { def: { check: string; format?: string } } }[];
    shape?: Record<string, z.ZodType>;
    catchall?: z.ZodType;
    element?: z.ZodType;
    innerType?: z.ZodType;
    keyType?: z.ZodType;
    valueType?: z.ZodType;
    format?: string;
    check?: string;
    pattern?: RegExp;
  };
  values?: Set<unknown>;
  optout?: 'optional';
}
const internals = (schema: z.ZodType) => (schema as unknown as { _zod: Internals })._zod;

/**
 * A part of the reply compiled: `encode` takes a value and gives what zod would; a leaf (a string, number, enum…)
 * also has `test`, the JavaScript condition on a variable under which the value is sent as it is, so that an object's
 * fields are checked inline in its generated function (compileObject) rather than by a call each.
 */
interface Compiled {
  encode: Encode;
  test?: Test;
}
/** `x` is the variable's name; `dep(value)` names a value the condition needs (a pattern, a set of values). */
type Test = (x: string, dep: (value: unknown) => string) => string;

/** Where a part of the schema is: its path, and the list of the parts handed to zod (zodParts). */
interface At {
  path: string;
  zod: string[];
}
const into = (at: At, step: string): At => ({ path: at.path + step, zod: at.zod });

/** zod for one part of the reply: its exact semantics (trims, refinements, defaults) where the fast path has none. */
function byZod(schema: z.ZodType, at: At): Compiled {
  at.zod.push(at.path || '(the whole reply)');
  return {
    encode: (value) => {
      const result = safeEncode(schema, value as never);
      return result.success ? result.data : refuse();
    },
  };
}

/** A leaf: sent as it is when `check` holds (the same rule as `test`, for the leaf outside an object). */
function leaf(check: (v: unknown) => boolean, test: Test): Compiled {
  return { encode: (v) => (check(v) ? v : refuse()), test };
}

const isRecordLike = (v: unknown): v is Record<string, unknown> => {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
};

/** The fast encoder of `schema` (compiled once per route). */
export function compileEncoder(schema: z.ZodType): Encode {
  return compile(schema, { path: '', zod: [] }).encode;
}

/** The parts of `schema` its encoder hands to zod (paths like `.items[].name`): none for a reply of plain fields. */
export function zodParts(schema: z.ZodType): string[] {
  const at = { path: '', zod: [] };
  compile(schema, at);
  return at.zod;
}

function compile(schema: z.ZodType, at: At): Compiled {
  const zod = internals(schema);
  const { def } = zod;
  const checks = def.checks ?? [];
  switch (def.type) {
    case 'string': {
      if (checks.length) return byZod(schema, at);
      if (def.format === undefined)
        return leaf(
          (v) => typeof v === 'string',
          (x) => `typeof ${x} === "string"`,
        );
      // z.iso.datetime(): a format whose pattern is the whole rule (no offset, no local time)
      if (def.format === 'datetime' && def.check === 'string_format' && def.pattern instanceof RegExp && !def.pattern.global && !def.pattern.sticky) {
        const pattern = def.pattern;
        return leaf(
          (v) => typeof v === 'string' && pattern.test(v),
          (x, dep) => `typeof ${x} === "string" && ${dep(pattern)}.test(${x})`,
        );
      }
      return byZod(schema, at);
    }
    case 'number': {
      // z.number() takes finite numbers; .int() adds the safe-integer format; any other check is zod's
      if (!checks.length)
        return leaf(
          (v) => typeof v === 'number' && Number.isFinite(v),
          (x) => `typeof ${x} === "number" && Number.isFinite(${x})`,
        );
      if (checks.length === 1 && checks[0]!._zod.def.check === 'number_format' && checks[0]!._zod.def.format === 'safeint') {
        return leaf(
          (v) => Number.isSafeInteger(v),
          (x) => `Number.isSafeInteger(${x})`,
        );
      }
      return byZod(schema, at);
    }
    case 'boolean':
      return checks.length
        ? byZod(schema, at)
        : leaf(
            (v) => typeof v === 'boolean',
            (x) => `typeof ${x} === "boolean"`,
          );
    case 'enum':
    case 'literal': {
      const values = zod.values;
      if (!values || checks.length) return byZod(schema, at);
      return leaf(
        (v) => values.has(v),
        (x, dep) => `${dep(values)}.has(${x})`,
      );
    }
    case 'unknown':
    case 'any':
      return checks.length
        ? byZod(schema, at)
        : leaf(
            () => true,
            () => 'true',
          );
    case 'nullable':
    case 'optional': {
      if (checks.length) return byZod(schema, at);
      const inner = compile(def.innerType!, at);
      const empty = def.type === 'nullable' ? null : undefined;
      const test = inner.test;
      if (test) {
        const word = def.type === 'nullable' ? 'null' : 'undefined';
        return { encode: (v) => (v === empty ? empty : inner.encode(v)), test: (x, dep) => `(${x} === ${word} || (${test(x, dep)}))` };
      }
      return { encode: (v) => (v === empty ? empty : inner.encode(v)) };
    }
    case 'array': {
      if (checks.length) return byZod(schema, at);
      const element = compile(def.element!, into(at, '[]')).encode;
      return {
        encode: (v) => {
          if (!Array.isArray(v)) return refuse();
          const out = new Array<unknown>(v.length);
          for (let i = 0; i < v.length; i++) out[i] = element(v[i]);
          return out;
        },
      };
    }
    case 'object':
      // a key "__proto__" would set the literal's prototype: zod's, as any object it is unsure of
      return checks.length || def.catchall || Object.hasOwn(def.shape!, '__proto__') ? byZod(schema, at) : compileObject(def.shape!, at);
    case 'record': {
      // string keys only (a key schema with checks or values is zod's); '__proto__' is skipped, as zod does
      const key = internals(def.keyType!);
      if (checks.length || key.def.type !== 'string' || key.def.checks?.length || key.def.format !== undefined) return byZod(schema, at);
      const value = compile(def.valueType!, into(at, '{}')).encode;
      return {
        encode: (v) => {
          if (!isRecordLike(v)) return refuse();
          const out: Record<string, unknown> = {};
          for (const k of Reflect.ownKeys(v)) {
            if (typeof k !== 'string') return refuse();
            if (k === '__proto__') continue;
            out[k] = value(v[k]);
          }
          return out;
        },
      };
    }
    default:
      return byZod(schema, at);
  }
}

/**
 * An object's encoder as one generated function: its fields in the schema's order, a leaf checked inline, any other
 * field by its own encoder. The names in the generated code are the schema's keys written as JSON string literals;
 * every other value reaches it as an argument, never as text.
 */
function compileObject(shape: Record<string, z.ZodType>, at: At): Compiled {
  const deps: unknown[] = [];
  const dep = (value: unknown) => {
    let i = deps.indexOf(value);
    if (i < 0) i = deps.push(value) - 1;
    return `d[${i}]`;
  };
  const fields = Object.keys(shape).map((key) => ({
    key: JSON.stringify(key),
    compiled: compile(shape[key]!, into(at, `.${key}`)),
    // an optional field left out stays out (JSON.stringify would drop its undefined anyway)
    optional: internals(shape[key]!).optout === 'optional',
  }));
  const refused = dep(refuse);
  const checked = (f: (typeof fields)[number]) => {
    const { test, encode } = f.compiled;
    return test ? `(${test('x', dep)} ? x : ${refused}())` : `${dep(encode)}(x)`;
  };
  let i = 0;
  const literal: string[] = [];
  for (; i < fields.length && !fields[i]!.optional; i++) literal.push(`${fields[i]!.key}: (x = v[${fields[i]!.key}], ${checked(fields[i]!)})`);
  const rest: string[] = [];
  for (; i < fields.length; i++) {
    const f = fields[i]!;
    rest.push(f.optional ? `x = v[${f.key}]; if (x !== undefined) o[${f.key}] = ${checked(f)};` : `x = v[${f.key}]; o[${f.key}] = ${checked(f)};`);
  }
  const body = [
    `if (typeof v !== "object" || v === null || Array.isArray(v)) return ${refused}();`,
    'let x;',
    `const o = {${literal.join(', ')}};`,
    ...rest,
    'return o;',
  ].join('\n');
  // code from the schema's keys, as JSON string literals, and nothing else
  const encode = new Function('d', `return function encodeObject(v) {\n${body}\n};`)(deps) as Encode;
  return { encode };
}

export interface SerializerOptions {
  /** also encode every reply with zod and refuse (500) when the two differ: for tests */
  check?: boolean;
}

/**
 * A long reply as UTF-8 bytes: Fastify measures a string reply's byte length (a pass over all of it) and the socket
 * then encodes it (another); made into bytes here it is encoded once. For a 300-row list of Chinese names that pass
 * was a twentieth of the request (bench/README "Session 25"). Short replies stay strings (a Buffer costs more).
 */
const asPayload = (json: string): string => (json.length > 8192 ? (Buffer.from(json, 'utf8') as unknown as string) : json);

/** Fastify's serializer compiler for the routes' zod reply schemas (server/app.ts). */
export function replySerializerCompiler(options: SerializerOptions = {}) {
  return ({ schema, method, url }: { schema: unknown; method: string; url: string }) => {
    const zodSchema = resolveSchema(schema);
    const fast = compileEncoder(zodSchema);
    const viaZod = (data: unknown): string => {
      const result = safeEncode(zodSchema, data as never);
      if (!result.success) throw new ResponseSerializationError(method, url, { cause: result.error });
      return JSON.stringify(result.data);
    };
    return (data: unknown): string => {
      let out: string;
      try {
        out = JSON.stringify(fast(data));
      } catch (err) {
        if (err !== REFUSED) throw err;
        const encoded = viaZod(data);
        // zod took what the fast path refused: the reply is right, but the fast path is missing a case
        if (options.check) throw new Error(`reply encoder refused what zod accepts on ${method} ${url}: ${encoded.slice(0, 2000)}`);
        return asPayload(encoded);
      }
      if (options.check) {
        const expected = viaZod(data);
        if (expected !== out)
          throw new Error(`reply encoder differs from zod on ${method} ${url}:\n  fast: ${out.slice(0, 2000)}\n  zod:  ${expected.slice(0, 2000)}`);
      }
      return asPayload(out);
    };
  };
}

function resolveSchema(schema: unknown): z.ZodType {
  const s = schema as { _zod?: unknown; properties?: { _zod?: unknown } };
  if (s && s._zod) return s as unknown as z.ZodType;
  if (s?.properties?._zod) return s.properties as unknown as z.ZodType;
  throw new Error(`a route's reply schema is not a zod schema: ${JSON.stringify(schema)}`);
}
