// Defects found by hostile testing (issue 10): malformed saves, untypeable characters, logs, cancelled uploads.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { eq, sql } from 'drizzle-orm';
import { applications, uploadParts, uploads } from './db/schema';
import { buildApp } from './app';
import { serializeError } from './logging';
import { buildApplicant, buildApplication, buildUnit, completeForm, makeIdNumber } from './testing/factories';
import { Client, json, startTestPlatform } from './testing/harness';
import { Tus } from './testing/tus';
import { jpegBytes } from './testing/files';

let t: Awaited<ReturnType<typeof startTestPlatform>>;
let base: string;
beforeAll(async () => {
  t = await startTestPlatform();
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
});
afterAll(async () => t?.close());

const errorOf = (res: { json(): unknown }) =>
  (res.json() as { error: { code: string; message: string; fields?: { field: string; label: string; message: string }[] } }).error;
const rowOf = async (id: string) => (await t.s.db.select().from(applications).where(eq(applications.id, id)))[0]!;
const CHINESE = /[\u4e00-\u9fff]/;

async function applicantWithDraft() {
  const applicant = await buildApplicant(t.s);
  const c = new Client(t.app);
  await c.login(applicant.username, applicant.password);
  const idNumber = makeIdNumber('1985-03-07', '女');
  const d = await buildApplication(t.s, applicant.user, { form: completeForm({ idNumber, birthDate: '1985-03-07', gender: '女' }) });
  return { applicant, c, id: d.id, idNumber };
}

describe('a save changes only the fields it names; a malformed request loses nothing', () => {
  it('refuses a PUT without `form` (400), a text/plain body and a body without a content type (415); the saved 申请书 is untouched', async () => {
    const { c, id, idNumber } = await applicantWithDraft();
    const before = await rowOf(id);
    const attempts = [
      await c.put(`/api/applications/${id}`, {}),
      await c.put(`/api/applications/${id}`, { form: null }),
      await c.put(`/api/applications/${id}`, { form: [] }),
      await c.put(`/api/applications/${id}`, { form: '{}' }),
      await c.put(`/api/applications/${id}`, { form: { name: '张三' }, extra: 1 }),
      await c.put(`/api/applications/${id}`, { form: { name: '张三', nonsense: 'x' } }),
      await c.request('PUT', `/api/applications/${id}`, undefined, { payload: '{"form":{}}', headers: { 'content-type': 'text/plain' } }),
      await c.request('PUT', `/api/applications/${id}`, undefined, { payload: 'form=1' }),
      await c.request('PUT', `/api/applications/${id}`, undefined, { payload: 'form=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
      await c.request('PUT', `/api/applications/${id}`, undefined, { payload: '{"form": {', headers: { 'content-type': 'application/json' } }),
    ];
    expect(attempts.map((r) => r.statusCode)).toEqual([400, 400, 400, 400, 400, 400, 415, 415, 415, 400]);
    for (const res of attempts) expect(errorOf(res).message).toMatch(CHINESE);
    expect(errorOf(attempts[6]!).message).toContain('JSON');
    expect(await rowOf(id)).toEqual(before);
    const detail = json<{ form: Record<string, unknown> }>(await c.get(`/api/applications/${id}`));
    expect(detail.form.idNumber).toBe(idNumber);
    expect(detail.form.name).toBe(before.applicantName);
  });

  it('changes only the named fields: an absent field keeps its value, a named blank or null clears it, 身份证号码 included', async () => {
    const { c, id, idNumber } = await applicantWithDraft();
    const before = await rowOf(id);
    const res = await c.put(`/api/applications/${id}`, { form: { nativePlace: '新疆伊犁', school: null, major: '' } });
    expect(res.statusCode, res.body).toBe(200);
    const form = json<{ form: Record<string, unknown> }>(res).form;
    expect(form).toMatchObject({ nativePlace: '新疆伊犁', idNumber, name: before.applicantName, workUnit: before.workUnit });
    expect(form.school).toBeUndefined();
    expect(form.major).toBeUndefined();
    const after = await rowOf(id);
    expect(after.idHash).toBe(before.idHash);
    expect(after.mobile).toBe(before.mobile);

    // {} names nothing and changes nothing
    expect((await c.put(`/api/applications/${id}`, { form: {} })).statusCode).toBe(200);
    expect((await rowOf(id)).form).toEqual(after.form);

    const cleared = await c.put(`/api/applications/${id}`, { form: { idNumber: null } });
    expect(cleared.statusCode).toBe(200);
    expect((await rowOf(id)).idHash).toBeNull();
  });
});

describe('untypeable characters: refused with a Chinese message naming the field, never a 500', () => {
  const hostile = ['a\u0000b', '\ud800', 'x\udc00', 'a\u0007b', '\u001b[31m'];
  // a lone surrogate has no UTF-8 form: in a URL it arrives as its raw (invalid) UTF-8 bytes
  const inUrl = (v: string) =>
    v.replace(/[\ud800-\udfff]/g, (ch) => (ch === '\ud800' ? '%ED%A0%80' : '%ED%B0%80')).replace(/[^%\ud800-\udfff]+/g, (part) => encodeURIComponent(part));

  it('in every field of the 申请书: that field is not saved and is named in notSaved, the row is unchanged', async () => {
    const { c, id } = await applicantWithDraft();
    const before = await rowOf(id);
    for (const value of hostile) {
      for (const [key, label] of [
        ['nativePlace', '籍贯'],
        ['name', '申请人姓名'],
        ['mainDeeds', '主要事迹'],
        ['email', '电子邮箱'],
      ] as const) {
        const res = await c.put(`/api/applications/${id}`, { form: { [key]: value } });
        expect(res.statusCode, `${key}=${JSON.stringify(value)}: ${res.body}`).toBe(200);
        const notSaved = json<{ notSaved?: { field: string; label: string; message: string }[] }>(res).notSaved ?? [];
        expect(notSaved).toHaveLength(1);
        expect(notSaved[0]!.message).toContain(label);
        expect(notSaved[0]!.message).toContain('无法识别的字符');
        expect(notSaved[0]!.field).toBe(key);
        expect(notSaved[0]!.label).toBe(label);
      }
    }
    expect(await rowOf(id)).toEqual(before);
    // next to a well-formed field: that one is saved, the untypeable one is not
    const mixed = await c.put(`/api/applications/${id}`, { form: { nativePlace: 'a\u0000b', school: '新疆师范大学' } });
    expect(mixed.statusCode).toBe(200);
    const reply = json<{ form: Record<string, unknown>; notSaved?: { field: string }[] }>(mixed);
    expect(reply.notSaved?.map((f) => f.field)).toEqual(['nativePlace']);
    expect(reply.form.school).toBe('新疆师范大学');
    expect(reply.form.nativePlace).toBe((before.form as Record<string, unknown>).nativePlace);
  });

  it('in queries, opinions and account forms', async () => {
    const unit = await buildUnit(t.s);
    const uc = new Client(t.app);
    await uc.login(unit.username, unit.password);
    for (const value of hostile) {
      // invalid UTF-8 in a URL is decoded to U+FFFD by the query parser (harmless); controls must be refused
      const decodedAsReplacement = /[\ud800-\udfff]/.test(value);
      const q = await uc.get(`/api/applications?keyword=${inUrl(value)}`);
      expect(q.statusCode, q.body).toBe(decodedAsReplacement ? 200 : 400);
      if (!decodedAsReplacement) expect(errorOf(q).message).toContain('查询条件');
      const w = await uc.get(`/api/applications?workUnit=${inUrl(`新疆大学${value}`)}`);
      expect(w.statusCode).toBe(decodedAsReplacement ? 200 : 400);
      if (!decodedAsReplacement) expect(errorOf(w).message).toContain('工作单位');
      const opinion = await uc.put(`/api/applications/00000000-0000-4000-8000-000000000000/opinions/recommend`, { text: `同意推荐${value}` });
      expect(opinion.statusCode).toBe(400);
      expect(errorOf(opinion).message).toContain('意见');
      const reg = await new Client(t.app).post('/api/auth/register/applicant', {
        username: 'hostile01',
        password: 'Passw0rd!x',
        realName: `王${value}`,
        mobile: '13899001122',
        email: 'a@b.cn',
        captcha: '24680',
      });
      expect(reg.statusCode).toBe(400);
      expect(errorOf(reg).message).toContain('真实姓名');
    }
    // %00 raw in the URL, as the attacker sent it
    const raw = await uc.get('/api/applications?keyword=%00');
    expect(raw.statusCode).toBe(400);
  });
});

describe('the log never holds a request body or personal data', () => {
  it('a database failure in the middle of a save logs the route, the code and the SQL, but none of the form', async () => {
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
      const { applicant, id } = await applicantWithDraft();
      const c = new Client(app);
      await c.login(applicant.username, applicant.password);
      const planted = {
        name: '阿依古丽·买买提',
        mobile: '13912345678',
        email: 'planted.person@example.cn',
        address: '乌鲁木齐市天山区解放北路123号',
        idNumber: makeIdNumber('1979-11-23', '男'),
        nativePlace: '喀什地区疏附县',
      };
      // a failure the database raises while the form is being written (as a full disk or a broken constraint would)
      await t.s.db.execute(sql.raw(`alter table applications add constraint hostile_test_fail check (mobile <> '13912345678') not valid`));
      try {
        const res = await c.put(`/api/applications/${id}`, { form: { ...planted, birthDate: '1979-11-23', gender: '男' } });
        expect(res.statusCode).toBe(500);
        expect(errorOf(res).message).toMatch(CHINESE);
      } finally {
        await t.s.db.execute(sql.raw('alter table applications drop constraint hostile_test_fail'));
      }
      const log = lines.join('');
      expect(log).toContain('unhandled error');
      expect(log).toContain('23514'); // check_violation: the operator still learns what failed
      expect(log).toContain('update \\"applications\\"');
      const ciphertextPrefix = (await rowOf(id)).idEnc?.slice(0, 12);
      for (const value of [...Object.values(planted), ciphertextPrefix, applicant.password, 'Passw0rd']) {
        if (value) expect(log).not.toContain(value);
      }
      expect(log).not.toMatch(/"cookie"|sid=|csrf=/);
    } finally {
      await app.close();
    }
  });

  it('each logged line of a request names it (reqId); a silent log writes nothing and the requests are answered alike', async () => {
    const run = async (logLevel: string) => {
      const lines: string[] = [];
      const logStream = new Writable({
        write(chunk, _enc, done) {
          lines.push(String(chunk));
          done();
        },
      });
      const app = await buildApp({ ...t.s, config: { ...t.s.config, logLevel } }, { logStream });
      await app.ready();
      try {
        const { applicant, id } = await applicantWithDraft();
        const c = new Client(app);
        await c.login(applicant.username, applicant.password);
        const statuses = [
          (await c.get(`/api/applications/${id}`)).statusCode,
          (await c.get('/api/applications/00000000-0000-4000-8000-000000000000')).statusCode,
        ];
        return { lines, statuses };
      } finally {
        await app.close();
      }
    };
    const info = await run('info');
    const silent = await run('silent');
    expect(info.statuses).toEqual([200, 404]);
    expect(silent.statuses).toEqual([200, 404]);
    const requestLines = info.lines.map((l) => JSON.parse(l) as { reqId?: string; req?: unknown; res?: unknown }).filter((l) => l.req || l.res);
    expect(requestLines.length).toBeGreaterThan(0);
    // the per-request child logger's binding: at any level but silent, a request's lines can be told apart
    for (const l of requestLines) expect(l.reqId).toEqual(expect.any(String));
    expect(silent.lines).toEqual([]);
  });

  it('serializeError drops a failed query’s parameters and quoted literals, keeps type, code and stack frames', () => {
    const cause = Object.assign(new Error('duplicate key value violates unique constraint "x"\nDETAIL: Key (mobile)=(13912345678) already exists.'), {
      code: '23505',
      severity: 'ERROR',
      constraint: 'x',
      detail: 'Key (mobile)=(13912345678)',
    });
    const err = Object.assign(new Error('Failed query: select 1\nparams: 13912345678,张三'), { query: 'select $1', params: ['13912345678', '张三'], cause });
    const out = JSON.stringify(serializeError(err));
    expect(out).not.toContain('13912345678');
    expect(out).not.toContain('张三');
    expect(out).toContain('23505');
    expect(out).toContain('select $1');
    expect(out).toMatch(/at /);
  });
});

describe('tus termination (取消)', () => {
  it('removes the upload’s row and bytes at once; another user’s DELETE is 404 and removes nothing', async () => {
    const applicant = await buildApplicant(t.s);
    const c = new Client(t.app);
    await c.login(applicant.username, applicant.password);
    const d = await buildApplication(t.s, applicant.user, { pledged: true });
    const tus = new Tus(c, base);
    const photo = jpegBytes(2 * 1024 * 1024 + 100);
    const created = await tus.create(d.id, 'photo', '取消.jpg', photo.length);
    expect(created.res.status).toBe(201);
    const uploadId = created.url!.split('/').pop()!;
    expect((await tus.patch(created.url!, 0, photo.subarray(0, 1024 * 1024))).res.status).toBe(204);
    // the bytes so far: one piece in storage
    const [part] = await t.s.db.select().from(uploadParts).where(eq(uploadParts.uploadId, uploadId));
    expect(await t.s.storage.stat(part!.storageKey)).toEqual({ size: 1024 * 1024 });

    // someone else cannot cancel it
    const other = await buildApplicant(t.s);
    const oc = new Client(t.app);
    await oc.login(other.username, other.password);
    const foreign = await fetch(created.url!, { method: 'DELETE', headers: { ...(await new Tus(oc, base).sessionHeaders()), 'tus-resumable': '1.0.0' } });
    expect(foreign.status).toBe(404);
    expect(await t.s.db.select().from(uploads).where(eq(uploads.id, uploadId))).toHaveLength(1);

    const res = await fetch(created.url!, { method: 'DELETE', headers: { ...(await tus.sessionHeaders()), 'tus-resumable': '1.0.0' } });
    expect(res.status).toBe(204);
    expect(await t.s.db.select().from(uploads).where(eq(uploads.id, uploadId))).toHaveLength(0);
    expect(await t.s.db.select().from(uploadParts).where(eq(uploadParts.uploadId, uploadId))).toHaveLength(0);
    expect(await t.s.storage.stat(part!.storageKey)).toBeNull();
    expect((await tus.offset(created.url!)).status).toBe(404);
  });
});
