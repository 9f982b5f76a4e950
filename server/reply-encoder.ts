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

/** zod for one part of the reply: its exact semantics (trims, refinements, defaults) where the fast path has none. */
function byZod(schema: z.ZodType): Encode {
  return (value) => {
    const result = safeEncode(schema, value as never);
    return result.success ? result.data : refuse();
  };
}

const isRecordLike = (v: unknown): v is Record<string, unknown> => {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
};

/** The fast encoder of `schema` (compiled once per route). */
export function compileEncoder(schema: z.ZodType): Encode {
  const zod = internals(schema);
  const { def } = zod;
  const checks = def.checks ?? [];
  switch (def.type) {
    case 'string': {
      if (checks.length) return byZod(schema);
      if (def.format === undefined) return (v) => (typeof v === 'string' ? v : refuse());
      // z.iso.datetime(): a format whose pattern is the whole rule (no offset, no local time)
      if (def.format === 'datetime' && def.check === 'string_format' && def.pattern instanceof RegExp) {
        const pattern = def.pattern;
        return (v) => (typeof v === 'string' && pattern.test(v) ? v : refuse());
      }
      return byZod(schema);
    }
    case 'number': {
      // z.number() takes finite numbers; .int() adds the safe-integer format; any other check is zod's
      if (!checks.length) return (v) => (typeof v === 'number' && Number.isFinite(v) ? v : refuse());
      if (checks.length === 1 && checks[0]!._zod.def.check === 'number_format' && checks[0]!._zod.def.format === 'safeint') {
        return (v) => (Number.isSafeInteger(v) ? v : refuse());
      }
      return byZod(schema);
    }
    case 'boolean':
      return checks.length ? byZod(schema) : (v) => (typeof v === 'boolean' ? v : refuse());
    case 'enum':
    case 'literal': {
      const values = zod.values;
      if (!values || checks.length) return byZod(schema);
      return (v) => (values.has(v) ? v : refuse());
    }
    case 'unknown':
    case 'any':
      return checks.length ? byZod(schema) : (v) => v;
    case 'nullable': {
      if (checks.length) return byZod(schema);
      const inner = compileEncoder(def.innerType!);
      return (v) => (v === null ? null : inner(v));
    }
    case 'optional': {
      if (checks.length) return byZod(schema);
      const inner = compileEncoder(def.innerType!);
      return (v) => (v === undefined ? undefined : inner(v));
    }
    case 'array': {
      if (checks.length) return byZod(schema);
      const element = compileEncoder(def.element!);
      return (v) => {
        if (!Array.isArray(v)) return refuse();
        const out = new Array<unknown>(v.length);
        for (let i = 0; i < v.length; i++) out[i] = element(v[i]);
        return out;
      };
    }
    case 'object':
      return checks.length || def.catchall ? byZod(schema) : compileObject(def.shape!);
    case 'record': {
      // string keys only (a key schema with checks or values is zod's); '__proto__' is skipped, as zod does
      const key = internals(def.keyType!);
      if (checks.length || key.def.type !== 'string' || key.def.checks?.length || key.def.format !== undefined) return byZod(schema);
      const value = compileEncoder(def.valueType!);
      return (v) => {
        if (!isRecordLike(v)) return refuse();
        const out: Record<string, unknown> = {};
        for (const k of Reflect.ownKeys(v)) {
          if (typeof k !== 'string') return refuse();
          if (k === '__proto__') continue;
          out[k] = value(v[k]);
        }
        return out;
      };
    }
    default:
      return byZod(schema);
  }
}

function compileObject(shape: Record<string, z.ZodType>): Encode {
  const keys = Object.keys(shape);
  const encoders = keys.map((k) => compileEncoder(shape[k]!));
  const optional = keys.map((k) => internals(shape[k]!).optout === 'optional');
  const n = keys.length;
  return (v) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return refuse();
    const input = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) {
      const key = keys[i]!;
      const x = input[key];
      // an optional field left out stays out (JSON.stringify would drop its undefined anyway)
      if (x === undefined && optional[i]) continue;
      out[key] = encoders[i]!(x);
    }
    return out;
  };
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
