// The API contract, once (issue 12 item 7): every route that replies JSON carries a reply schema from
// core/replies.ts, the routes and docs/API.md agree, real replies have exactly their schema's fields, and the
// OpenAPI document at /api/docs/json is generated from the same schemas.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { z } from 'zod';
import {
  accountContactReplySchema,
  adminUnitSchema,
  applicationDetailSchema,
  applicationFormSchema,
  applicationRowSchema,
  APPLICATION_FIELDS,
  campaignViewSchema,
  changesReplySchema,
  checkReplySchema,
  historyEntrySchema,
  meReplySchema,
  notificationsReplySchema,
  outboxMessageSchema,
  queryResultSchema,
  sessionUserSchema,
  unitRefSchema,
} from '../core';
import { buildApp, OPENAPI_PATH } from './app';
import { zodParts } from './reply-encoder';
import { documentedRoutes } from './testing/api-doc';
import { buildApplicant, buildApplication, buildOrganizer, buildUnit } from './testing/factories';
import { Client, json, startTestPlatform } from './testing/harness';
import { parties, readyApplication } from './testing/journey';

/**
 * The routes that reply with something other than a JSON body, and why: they need no reply schema. Every other
 * route must register one (server/http.ts replyWith); a new route without either fails here.
 */
const NOT_JSON: Record<string, string> = {
  'GET /api/captcha': 'an SVG image',
  'GET /api/attachments/:id': "the original file's bytes (with Range replies)",
  'GET /api/attachments/:id/preview': 'a JPEG',
  'GET /api/objection-files/:id': "an objection's evidence file as uploaded (PDF, JPEG or PNG), a download",
  'GET /api/admin/experts/template': 'the 评审专家 import template, an .xlsx download',
  'GET /api/review/campaigns/:id/ranking.xlsx': '网上评选结果, an .xlsx download',
  'GET /api/meeting/rounds/:id/result.xlsx': '集中评选 计票结果 of a closed round, an .xlsx download',
  'GET /api/meeting/campaigns/:id/tally/events': '计票, Server-Sent Events (text/event-stream)',
  'GET /api/auth/oidc/start': "a redirect to the provider's log-in",
  'GET /api/auth/oidc/callback': 'a redirect back into the web app',
  'POST /api/uploads': 'tus creation: @tus/server writes the reply (201 with Location)',
  'OPTIONS /api/uploads': 'tus: @tus/server writes the reply',
  'DELETE /api/uploads/:uploadId': 'tus termination: 204 without a body',
  [`GET ${OPENAPI_PATH}`]: "the OpenAPI document itself (@fastify/swagger's output)",
};

/**
 * A route may also say it itself, with its reason: `config: { notJson: 'a PDF download' }` (the areas of issue 15
 * declare their downloads and public pages there rather than in this list).
 */
const isNotJson = (r: { key: string; route: RouteOptions }) =>
  r.key in NOT_JSON || typeof (r.route.config as { notJson?: unknown } | undefined)?.notJson === 'string';

let t: Awaited<ReturnType<typeof startTestPlatform>>;
/** A second app on the same platform, built with a listener that records every route as it is registered. */
let app: FastifyInstance;
const registered: RouteOptions[] = [];

beforeAll(async () => {
  t = await startTestPlatform();
  app = await buildApp(t.s, { onRoute: (route) => void registered.push(route) });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await t?.close();
});

/** Every method of every route as `METHOD /path`, with its options; HEAD (Fastify's automatic twin of a GET, or tus's) has no body. */
function routeList(): { key: string; route: RouteOptions }[] {
  return registered
    .flatMap((route) => [route.method].flat().map((method) => ({ key: `${method} ${route.url}`, route })))
    .filter((r) => !r.key.startsWith('HEAD '));
}

const replySchemaOf = (route: RouteOptions): unknown => (route.schema?.response as Record<string, unknown> | undefined)?.[200];

/** A documented path (`/api/applications/:id/transitions/submit`) against a route's pattern (`…/transitions/:action`). */
const matches = (pattern: string, path: string) => new RegExp(`^${pattern.replace(/:\w+/g, '[^/]+')}$`).test(path);

/**
 * What is wrong with `value` as a reply of `schema`: keys the schema does not name (a field that leaked), keys it
 * requires that are missing, and the same below, through objects, arrays, optional and nullable values.
 */
function shapeMismatches(schema: z.ZodType, value: unknown, at = '$'): string[] {
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable) {
    return value === undefined || value === null ? [] : shapeMismatches(schema.unwrap() as z.ZodType, value, at);
  }
  if (schema instanceof z.ZodArray) {
    if (!Array.isArray(value)) return [`${at}: not an array`];
    return value.flatMap((v, i) => shapeMismatches(schema.element as z.ZodType, v, `${at}[${i}]`));
  }
  if (schema instanceof z.ZodObject) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${at}: not an object`];
    const shape = schema.shape as Record<string, z.ZodType>;
    const record = value as Record<string, unknown>;
    return [
      ...Object.keys(record)
        .filter((k) => !(k in shape))
        .map((k) => `${at}.${k}: not in the schema`),
      ...Object.entries(shape)
        .filter(([k, s]) => !(k in record) && !(s instanceof z.ZodOptional))
        .map(([k]) => `${at}.${k}: missing`),
      ...Object.entries(record).flatMap(([k, v]) => (shape[k] ? shapeMismatches(shape[k], v, `${at}.${k}`) : [])),
    ];
  }
  return [];
}

describe('every route and its reply schema', () => {
  it('every route that replies JSON registers a reply schema; the rest are listed above with the reason', () => {
    const routes = routeList();
    expect(routes.length).toBeGreaterThan(35);
    const missing = routes.filter((r) => !isNotJson(r) && !(replySchemaOf(r.route) instanceof z.ZodType)).map((r) => r.key);
    expect(missing, 'routes replying JSON without schema.response[200] (server/http.ts replyWith)').toEqual([]);
    const keys = new Set(routes.map((r) => r.key));
    expect(
      Object.keys(NOT_JSON).filter((k) => !keys.has(k)),
      'NOT_JSON names routes that no longer exist',
    ).toEqual([]);
    const notJsonWithSchema = routes.filter((r) => isNotJson(r) && replySchemaOf(r.route) !== undefined).map((r) => r.key);
    expect(notJsonWithSchema).toEqual([]);
  });

  it('every route of the docs/API.md tables exists, and every API route is in those tables', () => {
    const documented = documentedRoutes();
    expect(documented.length).toBeGreaterThan(35);
    // the API's routes but the document itself and tus's OPTIONS (a protocol detail of POST /api/uploads)
    const routes = routeList().filter((r) => r.route.url.startsWith('/api/') && r.key !== `GET ${OPENAPI_PATH}` && !r.key.startsWith('OPTIONS '));
    const undocumentedRoutes = routes.filter((r) => !documented.some((d) => r.key === `${d.method} ${d.path}` || matches(r.key, `${d.method} ${d.path}`)));
    expect(
      undocumentedRoutes.map((r) => r.key),
      'routes missing from docs/API.md',
    ).toEqual([]);
    const unregistered = documented.filter((d) => !app.findRoute({ method: d.method, url: d.path }));
    expect(unregistered, 'docs/API.md rows without a route').toEqual([]);
  });

  it('the routes reply with the shared schemas of core/replies.ts', () => {
    const schemaOf = (key: string) => replySchemaOf(routeList().find((r) => r.key === key)!.route);
    expect(schemaOf('GET /api/auth/me')).toBe(meReplySchema);
    expect(schemaOf('GET /api/applications/:id')).toBe(applicationDetailSchema);
    expect(schemaOf('POST /api/applications/:id/transitions/:action')).toBe(applicationDetailSchema);
    expect(schemaOf('GET /api/applications')).toBe(queryResultSchema);
    expect(schemaOf('GET /api/admin/campaigns/:id')).toBe(campaignViewSchema);
  });

  it('replies are encoded by the compiled encoder, zod only for the parts it cannot compile (server/reply-encoder.ts)', () => {
    // the parts handed to zod, and why: each costs zod's walk on every reply that carries it
    const ZOD_PARTS: Record<string, string> = {
      '.settings': "a campaign's settings: refinements across fields and trimmed texts (core/campaign.ts), one per reply",
      '.proposal': "the solver's proposal: a union of feasible and infeasible (core/selection), one per reply",
      '.lastProposal.proposal': 'the same proposal inside the selection state',
    };
    const compiledAway = routeList().flatMap(({ key, route }) => {
      const schema = replySchemaOf(route);
      return schema
        ? zodParts(schema as z.ZodType)
            .filter((part) => !(part in ZOD_PARTS))
            .map((part) => `${key} ${part}`)
        : [];
    });
    expect(compiledAway).toEqual([]);
    // and the expert's 300-row list is compiled whole
    expect(zodParts(replySchemaOf(routeList().find((r) => r.key === 'GET /api/review/mine')!.route) as z.ZodType)).toEqual([]);
  });

  it('the form schema of the replies names exactly the fields of the 申请书', () => {
    expect(Object.keys(applicationFormSchema.shape).sort()).toEqual(APPLICATION_FIELDS.map((f) => f.key).sort());
    for (const f of APPLICATION_FIELDS) {
      const field = applicationFormSchema.shape[f.key];
      expect(field.safeParse(f.kind === 'bool' ? true : '文字').success, f.key).toBe(true);
    }
  });
});

describe('real replies have exactly the fields of their schema', () => {
  it('as the applicant, the unit and 自治区科协 see them, over many routes', async () => {
    const { applicant, ac, uc, oc, unit } = await parties(t);
    const id = await readyApplication(t, applicant, ac);
    const check = await ac.get(`/api/applications/${id}/check`);
    expect(check.statusCode).toBe(200);
    expect(shapeMismatches(checkReplySchema, check.json())).toEqual([]);
    expect((await ac.post(`/api/applications/${id}/transitions/submit`, { unitId: unit.unit.id })).statusCode).toBe(200);
    await uc.post(`/api/applications/${id}/open`);
    await uc.put(`/api/applications/${id}/opinions/return`, { text: '请补充主要事迹。' });
    expect((await uc.post(`/api/applications/${id}/transitions/return`)).statusCode).toBe(200);
    // a save naming a malformed field answers notSaved too
    const saved = await ac.put(`/api/applications/${id}`, { form: { story: '补充了感人故事。', postcode: '12' } });
    expect(saved.statusCode).toBe(200);
    expect(json<{ notSaved?: unknown[] }>(saved).notSaved).toHaveLength(1);
    expect((await ac.post(`/api/applications/${id}/transitions/submit`, { unitId: unit.unit.id })).statusCode).toBe(200);
    const campaign = json<{ id: string }>(await ac.get('/api/campaigns/current'));

    const cases: [string, Client, string, z.ZodType][] = [
      ['applicant', ac, '/api/auth/me', meReplySchema],
      ['unit', uc, '/api/auth/me', meReplySchema],
      ['applicant', ac, '/api/applications/mine', z.array(applicationRowSchema)],
      ['applicant', ac, `/api/applications/${id}`, applicationDetailSchema],
      ['unit', uc, `/api/applications/${id}`, applicationDetailSchema],
      ['unit', uc, '/api/applications?tab=pending', queryResultSchema],
      ['unit', uc, '/api/applications', queryResultSchema],
      ['organizer', oc, '/api/applications', queryResultSchema],
      ['applicant', ac, `/api/applications/${id}/history`, z.array(historyEntrySchema)],
      ['unit', uc, `/api/applications/${id}/changes`, changesReplySchema],
      ['unit', uc, '/api/notifications', notificationsReplySchema],
      ['applicant', ac, '/api/campaigns/current', campaignViewSchema],
      ['applicant', ac, `/api/campaigns/${campaign.id}`, campaignViewSchema],
      ['applicant', ac, '/api/units', z.array(unitRefSchema)],
      ['unit', uc, '/api/account/contact', accountContactReplySchema],
      ['organizer', oc, '/api/admin/units', z.array(adminUnitSchema)],
      ['organizer', oc, '/api/admin/outbox', z.array(outboxMessageSchema)],
      ['organizer', oc, `/api/admin/campaigns/${campaign.id}`, campaignViewSchema],
    ];
    for (const [who, client, url, schema] of cases) {
      const res = await client.get(url);
      expect(res.statusCode, `${who} GET ${url}: ${res.body.slice(0, 200)}`).toBe(200);
      const body = res.json();
      expect(shapeMismatches(schema, body), `${who} GET ${url}`).toEqual([]);
      // and the reply is its schema's own encoding: nothing more, nothing else
      expect(body, `${who} GET ${url}`).toEqual(JSON.parse(JSON.stringify(z.encode(schema, body))));
    }
    // not vacuous: the lists and the detail carry what they should
    const detail = json<z.infer<typeof applicationDetailSchema>>(await uc.get(`/api/applications/${id}`));
    expect(detail.attachments.length).toBeGreaterThan(3);
    expect(Object.keys(detail.form).length).toBeGreaterThan(20);
    const pending = json<z.infer<typeof queryResultSchema>>(await uc.get('/api/applications?tab=pending'));
    expect(pending.rows.map((r) => r.id)).toContain(id);
    expect(Object.keys(pending.rows[0]!).sort()).toEqual(Object.keys(applicationRowSchema.shape).sort());
    const me = json<z.infer<typeof meReplySchema>>(await uc.get('/api/auth/me'));
    expect(Object.keys(me.user!).sort()).toEqual(Object.keys(sessionUserSchema.shape).sort());
  });

  it("a list row carries no 身份证号码; the unit's detail shows it masked, the applicant's in full", async () => {
    const applicant = await buildApplicant(t.s);
    const unit = await buildUnit(t.s);
    await buildOrganizer(t.s);
    const ac = new Client(t.app);
    await ac.login(applicant.username, applicant.password);
    const id = await readyApplication(t, applicant, ac);
    const full = json<z.infer<typeof applicationDetailSchema>>(await ac.get(`/api/applications/${id}`)).form.idNumber!;
    expect(full).toMatch(/^\d{17}[\dX]$/);
    await ac.post(`/api/applications/${id}/transitions/submit`, { unitId: unit.unit.id });
    const uc = new Client(t.app);
    await uc.login(unit.username, unit.password);
    const mine = await ac.get('/api/applications/mine');
    const query = await uc.get('/api/applications');
    for (const res of [mine, query]) {
      expect(res.body).not.toContain(full);
      expect(res.body).not.toContain('idNumber');
    }
    const seen = json<z.infer<typeof applicationDetailSchema>>(await uc.get(`/api/applications/${id}`));
    expect(seen.form.idNumber).not.toBe(full);
    expect((await uc.get(`/api/applications/${id}`)).body).not.toContain(full);
  });

  it('a half-filled draft shows the fields it has, and only those (no empty keys for the rest)', async () => {
    const { user, username, password } = await buildApplicant(t.s);
    const draft = await buildApplication(t.s, user, { form: { name: '阿依努尔' } });
    const c = new Client(t.app);
    await c.login(username, password);
    const res = await c.get(`/api/applications/${draft.id}`);
    expect(res.statusCode).toBe(200);
    expect(shapeMismatches(applicationDetailSchema, res.json())).toEqual([]);
    // 我要申请 fills in the account's 手机 and 电子邮箱
    expect(Object.keys(json<z.infer<typeof applicationDetailSchema>>(res).form).sort()).toEqual(['email', 'mobile', 'name']);
  });
});

describe('GET /api/docs/json', () => {
  it('is an OpenAPI 3 document of every JSON route, with its reply schema, public, under the usual headers', async () => {
    const res = await new Client(t.app).get(OPENAPI_PATH);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    const doc = res.json() as {
      openapi: string;
      paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: { properties?: Record<string, unknown> } }> }> }>>;
    };
    expect(doc.openapi).toMatch(/^3\./);
    const jsonRoutes = routeList().filter((r) => r.key.includes(' /api/') && !isNotJson(r));
    expect(jsonRoutes.length).toBeGreaterThan(30);
    for (const { key } of jsonRoutes) {
      const [method, url] = key.split(' ') as [string, string];
      const operation = doc.paths[url.replace(/:(\w+)/g, '{$1}')]?.[method.toLowerCase()];
      expect(operation, key).toBeDefined();
      expect(operation!.responses['200']?.content?.['application/json']?.schema, key).toBeDefined();
    }
    // the generated schemas are the replies': a list row names exactly the row's fields, under docs/API.md's names
    const components = (doc as unknown as { components: { schemas: Record<string, { properties: Record<string, unknown> }> } }).components.schemas;
    expect(Object.keys(components)).toEqual(expect.arrayContaining(['User', 'ApplicationRow', 'ApplicationDetail', 'Attachment', 'Campaign', 'AdminUnit']));
    expect(Object.keys(components).filter((id) => id.endsWith('Input'))).toEqual([]);
    const mine = doc.paths['/api/applications/mine']!.get!.responses['200']!.content!['application/json']!.schema as unknown as { items: { $ref: string } };
    expect(mine.items.$ref).toBe('#/components/schemas/ApplicationRow');
    expect(Object.keys(components.ApplicationRow!.properties).sort()).toEqual(Object.keys(applicationRowSchema.shape).sort());
    expect(Object.keys(components.User!.properties).sort()).toEqual(Object.keys(sessionUserSchema.shape).sort());
    expect(Object.keys(components.ApplicationRow!.properties)).not.toContain('idNumber');
    // every reference resolves
    for (const [, ref] of JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) expect(components, ref).toHaveProperty([ref!]);
    expect(doc.paths[OPENAPI_PATH.replace(/:(\w+)/g, '{$1}')]).toBeUndefined();
  });
});
