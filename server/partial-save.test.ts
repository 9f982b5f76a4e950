// Issue 11, item 2: 【保存】 keeps every well-formed field and names what was not saved and why.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { applications } from './db/schema';
import { buildApplicant, buildApplication, completeForm, makeIdNumber } from './testing/factories';
import { Client, json, startTestPlatform } from './testing/harness';

let t: Awaited<ReturnType<typeof startTestPlatform>>;
beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(async () => t?.close());

type NotSaved = { field: string; label: string; message: string };
type Reply = { form: Record<string, unknown>; notSaved?: NotSaved[] };
const rowOf = async (id: string) => (await t.s.db.select().from(applications).where(eq(applications.id, id)))[0]!;

async function applicantWithDraft() {
  const applicant = await buildApplicant(t.s);
  const c = new Client(t.app);
  await c.login(applicant.username, applicant.password);
  const d = await buildApplication(t.s, applicant.user, { form: completeForm({ nativePlace: '新疆喀什', postcode: '830046' }) });
  return { c, id: d.id };
}

describe('PUT /api/applications/:id saves what is valid', () => {
  it('saves a valid 籍贯 and 身份证号码 next to a malformed 邮政编码, which keeps its saved value and is named', async () => {
    const { c, id } = await applicantWithDraft();
    const idNumber = makeIdNumber('1988-08-08', '男', '650102', 88);
    const res = await c.put(`/api/applications/${id}`, { form: { nativePlace: '新疆伊犁', postcode: '12', idNumber } });
    expect(res.statusCode, res.body).toBe(200);
    const reply = json<Reply>(res);
    expect(reply.notSaved).toEqual([{ field: 'postcode', label: '邮政编码', message: expect.stringContaining('邮政编码') }]);
    expect(reply.form).toMatchObject({ nativePlace: '新疆伊犁', postcode: '830046', idNumber });
    const row = await rowOf(id);
    expect(row.idHash).toBeTruthy();
    expect((row.form as Record<string, unknown>).postcode).toBe('830046');
    // a later GET shows the same
    expect(json<Reply>(await c.get(`/api/applications/${id}`)).form).toMatchObject({ nativePlace: '新疆伊犁', postcode: '830046' });
  });

  it('with only malformed values changes nothing at all (not even the version), and a clean save has no notSaved', async () => {
    const { c, id } = await applicantWithDraft();
    const before = await rowOf(id);
    const res = await c.put(`/api/applications/${id}`, { form: { postcode: '12', mobile: '1234', ethnicity: '火星族', gender: 7 } });
    expect(res.statusCode).toBe(200);
    expect(json<Reply>(res).notSaved!.map((f) => f.field)).toEqual(['postcode', 'mobile', 'ethnicity', 'gender']);
    expect(await rowOf(id)).toEqual(before);
    const clean = json<Reply>(await c.put(`/api/applications/${id}`, { form: { nativePlace: '新疆阿勒泰' } }));
    expect(clean.notSaved).toBeUndefined();
    expect(clean.form.nativePlace).toBe('新疆阿勒泰');
  });

  it('still refuses an unknown key as a whole (400) and hides another person’s application (404)', async () => {
    const { c, id } = await applicantWithDraft();
    const before = await rowOf(id);
    expect((await c.put(`/api/applications/${id}`, { form: { nativePlace: '新疆伊犁', nonsense: 1 } })).statusCode).toBe(400);
    expect(await rowOf(id)).toEqual(before);
    const other = await applicantWithDraft();
    expect((await other.c.put(`/api/applications/${id}`, { form: { postcode: '12' } })).statusCode).toBe(404);
    expect((await other.c.put(`/api/applications/${id}`, { form: { nativePlace: '别人' } })).statusCode).toBe(404);
    expect(await rowOf(id)).toEqual(before);
  });
});
