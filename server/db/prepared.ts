import { Column, DrizzleQueryError, fillPlaceholders, getTableName, is, noopDecoder, SQL, Subquery } from 'drizzle-orm';
import { NoopCache } from 'drizzle-orm/cache/core';
import { NodePgPreparedQuery } from 'drizzle-orm/node-postgres';
import { PgDialect, type PgSession } from 'drizzle-orm/pg-core';
import type { Db } from './client';

/**
 * Statements on the hot paths (every request's session, every transfer of an application), built once.
 *
 * Drizzle builds a query's SQL text and result mapping anew on every call: for a whole `applications` row
 * that is a tenth of a millisecond of CPU, and a transfer runs seven such statements (bench/README.md,
 * run 6). `.prepare(name)` builds once, and node-postgres then parses a named statement once per
 * connection. But Drizzle binds a prepared query to the session it was prepared on, so a query prepared
 * on `db` always runs on the pool, outside any transaction (drizzle-orm#613, #2826, open).
 *
 * `prepared(build)` builds the statement once per driver (PGlite, node-postgres) and hands out, for the
 * `db` or transaction it is given, the same statement bound to that one's connection: inside
 * `db.transaction(tx => …)`, `stmt(tx).execute(…)` runs in the transaction, row locks and all. It relies
 * on one thing Drizzle does not document: both drivers' sessions and prepared queries keep the driver's
 * client in a `client` property. server/db/prepared.test.ts proves, on PGlite and PostgreSQL, that a
 * prepared statement run on `tx` is rolled back with it and waits on its locks, so an upgrade that
 * changes this fails there.
 */
export function prepared<Q extends object>(build: (db: Db) => Q): (db: Db) => Q {
  const byDriver = new Map<unknown, Q>();
  // the statement bound to each connection it has run on (node-postgres: the pool's few clients, so made once each;
  // PGlite: a transaction's own client, collected with it)
  const byClient = new WeakMap<object, Q>();
  return (db) => {
    const session = db._.session as unknown as { client: unknown; constructor: unknown };
    let query = byDriver.get(session.constructor);
    if (!query) byDriver.set(session.constructor, (query = withDirectExecute(withCompiledMapper(build(db)))));
    if (!('client' in query)) throw new Error('drizzle-orm: a prepared query has no client property; see server/db/prepared.ts');
    if (query.client === session.client) return query;
    const client = session.client as object;
    let bound = byClient.get(client);
    if (!bound) byClient.set(client, (bound = Object.create(query, { client: { value: client } }) as Q));
    return bound;
  };
}

const dialect = new PgDialect();

/**
 * A statement Drizzle's builders cannot express (an insert from `jsonb_to_recordset`, a `pg_notify`), written as SQL
 * with `sql.placeholder(name)`s, prepared once like prepared(): `db.execute(sql…)` builds the text anew and wraps
 * each call in Drizzle's tracing spans (two such statements are a tenth of a 【提交选票】's own work, bench/README
 * "Session 25"). `execute(values)` gives the driver's result (its rows and rowCount). The names must be unique.
 */
export function preparedSql(name: string, statement: SQL) {
  const query = dialect.sqlToQuery(statement);
  return prepared((db) => (db._.session as unknown as PgSession).prepareQuery(query, undefined, name, false));
}

/** What a node-postgres prepared query of Drizzle's holds (drizzle-orm/node-postgres/session.js). */
interface NodePgQuery {
  client: { query(config: object, params: unknown[]): Promise<{ rows: unknown[] }> };
  queryString: string;
  params: unknown[];
  rawQueryConfig: object;
  queryConfig: object;
  fields?: unknown[];
  customResultMapper?: (rows: unknown[][]) => unknown;
  cache?: unknown;
  logger: { logQuery(query: string, params: unknown[]): void };
  execute(placeholders?: Record<string, unknown>): Promise<unknown>;
}

/**
 * On node-postgres, a prepared statement's `execute` straight to the driver: the placeholders filled, the query made
 * with the statement's own configs (named, with Drizzle's type parsers), a failure wrapped in DrizzleQueryError as
 * Drizzle does, the rows through the compiled mapper. Drizzle's own `execute` wraps each call in three tracing spans
 * (no-ops without OpenTelemetry), the query cache's check and as many async functions, for each of the 14 statements
 * of a 【提交选票】 (bench/README "Session 18" has the measurement). Only for a query whose rows are
 * mapped here (withCompiledMapper) or returned raw, with Drizzle's no-op cache; anything else keeps Drizzle's.
 * server/db/prepared.test.ts runs the same statements both ways on PostgreSQL and compares results and errors.
 */
function withDirectExecute<Q extends object>(query: Q): Q {
  if (!is(query, NodePgPreparedQuery)) return query;
  const q = query as unknown as NodePgQuery;
  if ((q.fields && !q.customResultMapper) || (q.cache !== undefined && !is(q.cache, NoopCache))) return query;
  q.execute = async function (this: NodePgQuery, placeholders: Record<string, unknown> = {}) {
    const params = fillPlaceholders(this.params, placeholders);
    this.logger.logQuery(this.queryString, params);
    const mapper = this.customResultMapper;
    let result: { rows: unknown[] };
    try {
      result = await this.client.query(mapper ? this.queryConfig : this.rawQueryConfig, params);
    } catch (err) {
      throw new DrizzleQueryError(this.queryString, params, err as Error);
    }
    return mapper ? mapper(result.rows as unknown[][]) : result;
  };
  return query;
}

/** What Drizzle's prepared query keeps of a statement's result columns (drizzle-orm/utils mapResultRow's input). */
interface SelectedField {
  path: string[];
  field: unknown;
}
interface Decoder {
  mapFromDriverValue(value: unknown): unknown;
}

/**
 * A prepared query's rows mapped by a function made once for its columns, instead of Drizzle's `mapResultRow`, which
 * works out each column's decoder (three `is()` walks of the class chain) and walks its path anew for every cell of
 * every row: for a 300-row list or a ballot of 40 candidates that was a tenth of the request's CPU (bench:review). The
 * result is the same object, built in the same order, with the same rule for a left-joined table whose row is
 * missing (its object becomes null when its first column is null). Set as the query's `customResultMapper`, which
 * both drivers' `execute` use when present (server/db/prepared.test.ts compares the two on both drivers).
 */
function withCompiledMapper<Q extends object>(query: Q): Q {
  const q = query as Q & { fields?: SelectedField[]; joinsNotNullableMap?: Record<string, boolean>; customResultMapper?: unknown };
  if (!Array.isArray(q.fields) || q.customResultMapper) return query;
  q.customResultMapper = compileRowMapper(q.fields, q.joinsNotNullableMap);
  return query;
}

export function compileRowMapper(fields: SelectedField[], joinsNotNullableMap?: Record<string, boolean>) {
  if (fields.every((f) => f.path.length === 1 && f.path[0] !== '__proto__')) return compileFlatMapper(fields);
  const columns = fields.map(({ path, field }) => ({
    path,
    last: path[path.length - 1]!,
    decoder: decoderOf(field),
    // a table's column selected as `{ table: … }`: the table a missing left-joined row is told by
    table: joinsNotNullableMap && is(field, Column) && path.length === 2 ? getTableName(field.table) : null,
  }));
  const mapRow = (row: unknown[]): Record<string, unknown> => {
    const result: Record<string, unknown> = {};
    let nullify: Record<string, string | false> | null = null;
    for (let i = 0; i < columns.length; i++) {
      const { path, last, decoder, table } = columns[i]!;
      let node = result;
      for (let k = 0; k < path.length - 1; k++) {
        const chunk = path[k]!;
        if (!(chunk in node)) node[chunk] = {};
        node = node[chunk] as Record<string, unknown>;
      }
      const raw = row[i];
      const value = (node[last] = raw === null ? null : decoder.mapFromDriverValue(raw));
      if (table !== null) {
        nullify ??= {};
        const object = path[0]!;
        if (!(object in nullify)) nullify[object] = value === null ? table : false;
        else if (typeof nullify[object] === 'string' && nullify[object] !== table) nullify[object] = false;
      }
    }
    if (nullify) for (const object in nullify) if (typeof nullify[object] === 'string' && !joinsNotNullableMap![nullify[object]]) result[object] = null;
    return result;
  };
  return (rows: unknown[][]) => rows.map(mapRow);
}

/**
 * A flat selection's mapper (no nested objects, so no left-joined table to null) as one generated function: each row
 * one object literal of the selection's keys, a column read as it is when its decoder is the identity (text, uuid,
 * SQL without mapWith), else through its decoder. A list of 300 rows made in a fifth of the time of the general
 * mapper above, whose keyed stores of changing shapes V8 cannot make fast (bench/README "Session 25").
 */
function compileFlatMapper(fields: SelectedField[]) {
  const decoders: Decoder[] = [];
  const values = fields.map(({ path, field }, i) => {
    const decoder = decoderOf(field);
    if (decoder.mapFromDriverValue === noopDecoder.mapFromDriverValue || decoder.mapFromDriverValue === Column.prototype.mapFromDriverValue) {
      return `${JSON.stringify(path[0])}: r[${i}]`;
    }
    const d = decoders.push(decoder) - 1;
    return `${JSON.stringify(path[0])}: r[${i}] === null ? null : d[${d}].mapFromDriverValue(r[${i}])`;
  });
  // code from the selection's keys, as JSON string literals, and column positions; decoders are arguments
  const mapRow = new Function('d', `return function mapRow(r) { return { ${values.join(', ')} }; };`)(decoders) as (row: unknown[]) => Record<string, unknown>;
  return (rows: unknown[][]) => {
    const out = new Array<Record<string, unknown>>(rows.length);
    for (let i = 0; i < rows.length; i++) out[i] = mapRow(rows[i]!);
    return out;
  };
}

function decoderOf(field: unknown): Decoder {
  // `decoder` is internal to Drizzle's SQL (typed @internal): the same lookup as mapResultRow's
  const decoderOfSql = (q: unknown) => (q as { decoder: Decoder }).decoder;
  if (is(field, Column)) return field;
  if (is(field, SQL)) return decoderOfSql(field);
  if (is(field, Subquery)) return decoderOfSql((field._ as unknown as { sql: SQL }).sql);
  return decoderOfSql((field as SQL.Aliased).sql);
}
