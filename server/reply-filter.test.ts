// What the reply schemas are for: a presenter that returns more than it should (a spread row, a new column, a
// debugging field) leaks nothing, because the route's reply is encoded through its schema (core/replies.ts);
// and a reply that does not match its schema is a 500 in the usual error shape, logged, never a stack trace.
// The presenters are wrapped here to return too much, as a careless change would.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { abilitiesSchema, applicationDetailSchema, applicationFormSchema, applicationRowSchema, attachmentViewSchema, sessionUserSchema } from '../core';
import { buildApp } from './app';
import { buildApplicant, buildUnit } from './testing/factories';
import { Client, json, startTestPlatform } from './testing/harness';
import { readyApplication } from './testing/journey';

const leaks = vi.hoisted(() => ({
  /** the next list rows carry a 添加时间 that is not a time: the reply no longer matches its schema */
  malformed: false,
}));

vi.mock('./usecases/presenters', async (importOriginal) => {
  const real = await importOriginal<typeof import('./usecases/presenters')>();
  return {
    ...real,
    // every column of the list's query, the 身份证号码 among them
    presentRow: (...args: Parameters<typeof real.presentRow>) => ({
      ...args[1],
      ...real.presentRow(...args),
      idNumber: '650102197911230011',
      ...(leaks.malformed ? { createdAt: '昨天' } : {}),
    }),
    // the whole database row, and extra keys at every level of the detail
    detail: async (...args: Parameters<typeof real.detail>) => {
      const [, , app] = args;
      const d = await real.detail(...args);
      return {
        ...app,
        ...d,
        form: { ...d.form, internalNote: '内部备注' },
        attachments: d.attachments.map((a) => ({ ...a, storageKey: 'files/ab/secret', sha256: 'f'.repeat(64) })),
        abilities: { ...d.abilities, impersonate: true },
        opinions: { ...d.opinions, draft: '未发出的意见' },
      };
    },
  };
});

vi.mock('./auth/sessions', async (importOriginal) => {
  const real = await importOriginal<typeof import('./auth/sessions')>();
  return {
    ...real,
    // the log-in's user row as it is (password hash, lock counters) and the whole unit row
    presentSessionUser: (...args: Parameters<typeof real.presentSessionUser>) => {
      const [user, unit] = args;
      const presented = real.presentSessionUser(...args);
      return { ...user, ...presented, unit: unit && presented.unit ? { ...unit, ...presented.unit } : null };
    },
  };
});

let t: Awaited<ReturnType<typeof startTestPlatform>>;
beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(async () => t?.close());

const keysOf = (value: unknown) => Object.keys(value as object).sort();
const shapeKeys = (schema: { shape: object }) => Object.keys(schema.shape).sort();

describe('a presenter that returns too much', () => {
  it('log-in: the user goes out with exactly SessionUser’s fields, no password hash', async () => {
    const unit = await buildUnit(t.s);
    const c = new Client(t.app);
    const res = await c.login(unit.username, unit.password);
    const { user } = json<{ user: Record<string, unknown> & { unit: Record<string, unknown> } }>(res);
    expect(keysOf(user)).toEqual(shapeKeys(sessionUserSchema));
    expect(keysOf(user.unit)).toEqual(['id', 'name', 'region', 'type']);
    expect(res.body).not.toMatch(/passwordHash|argon2|failedLogins|contactPhone/);
  });

  it('lists, the detail and its attachments: exactly the schema’s fields at every level', async () => {
    const applicant = await buildApplicant(t.s);
    const unit = await buildUnit(t.s);
    const ac = new Client(t.app);
    await ac.login(applicant.username, applicant.password);
    const id = await readyApplication(t, applicant, ac);
    const submitted = await ac.post(`/api/applications/${id}/transitions/submit`, { unitId: unit.unit.id });
    expect(submitted.statusCode).toBe(200);
    const uc = new Client(t.app);
    await uc.login(unit.username, unit.password);

    for (const res of [await ac.get('/api/applications/mine'), await uc.get('/api/applications')]) {
      expect(res.statusCode).toBe(200);
      const body = res.json() as Record<string, unknown>[] | { rows: Record<string, unknown>[] };
      const rows = Array.isArray(body) ? body : body.rows;
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expect(keysOf(row)).toEqual(shapeKeys(applicationRowSchema));
      // the 身份证号码 a row must never carry, and the columns the presenter spread into it
      expect(res.body).not.toContain('650102197911230011');
      expect(res.body).not.toMatch(/idNumber|idEnc|idHash|applicantId|workUnitSort|"form"/);
    }

    for (const [who, client] of [
      ['applicant', ac],
      ['unit', uc],
    ] as const) {
      const res = await client.get(`/api/applications/${id}`);
      expect(res.statusCode, who).toBe(200);
      const detail = json<Record<string, unknown> & { form: object; attachments: object[]; abilities: object; opinions: object }>(res);
      // `preliminary` (初评) is the unit's and 自治区科协's: the applicant's reply has no such key
      const absent = who === 'applicant' ? ['notSaved', 'preliminary'] : ['notSaved'];
      expect(keysOf(detail), who).toEqual(shapeKeys(applicationDetailSchema).filter((k) => !absent.includes(k)));
      expect(keysOf(detail.abilities), who).toEqual(shapeKeys(abilitiesSchema));
      expect(keysOf(detail.opinions), who).toEqual(['org', 'recommend', 'return']);
      expect(
        keysOf(detail.form).every((k) => k in applicationFormSchema.shape),
        who,
      ).toBe(true);
      expect(detail.attachments.length, who).toBeGreaterThan(3);
      for (const a of detail.attachments) expect(keysOf(a), who).toEqual(shapeKeys(attachmentViewSchema));
      expect(res.body, who).not.toMatch(/idEnc|idHash|internalNote|内部备注|storageKey|secret|sha256|impersonate|未发出的意见|workUnitSort|deletedAt/);
    }
    // the same through a transfer's reply (another route with the same schema)
    const opened = await uc.post(`/api/applications/${id}/open`);
    expect(opened.statusCode).toBe(200);
    expect(opened.body).not.toMatch(/idEnc|internalNote|storageKey|impersonate/);
  });
});

describe('a reply that does not match its schema', () => {
  it('is 500 INTERNAL in the usual shape, in Chinese, without a stack trace; the log names the route and the field', async () => {
    const lines: string[] = [];
    const logStream = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const app = await buildApp({ ...t.s, config: { ...t.s.config, logLevel: 'info' } }, { logStream });
    await app.ready();
    try {
      const applicant = await buildApplicant(t.s);
      const c = new Client(app);
      await c.login(applicant.username, applicant.password);
      expect((await c.post('/api/applications')).statusCode).toBe(200);
      leaks.malformed = true;
      const res = await c.get('/api/applications/mine');
      leaks.malformed = false;
      expect(res.statusCode).toBe(500);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      const body = res.json() as { error: { code: string; message: string } };
      expect(Object.keys(body)).toEqual(['error']);
      expect(body.error.code).toBe('INTERNAL');
      expect(body.error.message).toMatch(/[\u4e00-\u9fff]/);
      expect(res.body).not.toMatch(/昨天|createdAt|serializ|schema|\bat \w|node_modules|650102197911230011/i);
      // the next reply is whole again
      expect((await c.get('/api/applications/mine')).statusCode).toBe(200);

      const log = lines.join('');
      expect(log).toContain('reply does not match its schema');
      expect(log).toContain('FST_ERR_RESPONSE_SERIALIZATION');
      expect(log).toContain('/api/applications/mine');
      expect(log).toContain('createdAt');
      // what the fields held stays out of the log
      expect(log).not.toContain('昨天');
      expect(log).not.toContain('650102197911230011');
    } finally {
      leaks.malformed = false;
      await app.close();
    }
  });
});
