import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { applications, attachments } from './db/schema';
import { buildApplicant, buildApplication, buildOrganizer, buildUnit, completeForm, makeIdNumber } from './testing/factories';
import { Client, json, startTestPlatform } from './testing/harness';
import { exeBytes, htmlBytes, jpegBytes, pdfBytes, pngBytes } from './testing/files';
import { PHOTO_BYTES } from './testing/journey';

let t: Awaited<ReturnType<typeof startTestPlatform>>;
beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(async () => t?.close());

type Detail = {
  id: string;
  number: string;
  status: string;
  statusLabel: string;
  form: Record<string, unknown>;
  pledgedAt: string | null;
  abilities: Record<string, boolean>;
  attachments: { id: string; kind: string; name: string; mime: string }[];
  eligibility: { refused: string[]; flags: string[] };
};
const errorOf = (res: { json(): unknown }) => (res.json() as { error: { code: string; message: string; fields?: { field: string; message: string }[] } }).error;

async function applicantClient() {
  const a = await buildApplicant(t.s);
  const c = new Client(t.app);
  await c.login(a.username, a.password);
  return { ...a, c };
}

const rowOf = async (id: string) => (await t.s.db.select().from(applications).where(eq(applications.id, id)))[0]!;

describe('我的申报表 → 我要申请 → 保存', () => {
  it('numbers applications ZMKJ2023 + sequence, never reusing a deleted number', async () => {
    const numbers: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { c } = await applicantClient();
      const res = await c.post('/api/applications');
      expect(res.statusCode).toBe(200);
      numbers.push(json<Detail>(res).number);
      if (i === 1) expect((await c.del(`/api/applications/${json<Detail>(res).id}`)).statusCode).toBe(200);
    }
    const seqs = numbers.map((n) => Number(/^ZMKJ2023(\d+)$/.exec(n)![1]));
    expect(seqs[1]).toBe(seqs[0]! + 1);
    expect(seqs[2]).toBe(seqs[1]! + 1);
  });

  it('saves a partly filled draft, lists it with 状态 申报人, and completes it later', async () => {
    const { c, user } = await applicantClient();
    const created = json<Detail>(await c.post('/api/applications'));
    expect(created.form.name).toBe(user.realName);
    const partial = await c.put(`/api/applications/${created.id}`, { form: { name: '古丽娜尔', workUnit: '新疆农业科学院', mobile: '' } });
    expect(partial.statusCode).toBe(200);
    expect(json<Detail>(partial).form).toMatchObject({ name: '古丽娜尔', workUnit: '新疆农业科学院' });

    const list = json<{ number: string; applicantName: string; statusLabel: string; abilities: Record<string, boolean> }[]>(
      await c.get('/api/applications/mine'),
    );
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ number: created.number, applicantName: '古丽娜尔', statusLabel: '申报人', abilities: { edit: true, delete: true } });

    const check = json<{ complete: boolean; missing: { label: string }[] }>(await c.get(`/api/applications/${created.id}/check`));
    expect(check.complete).toBe(false);
    const labels = check.missing.map((m) => m.label);
    for (const l of ['身份证号码', '性别', '民族', '出生日期', '推荐领域', '主要事迹', '感人故事', '承诺', '个人诚信承诺', '所在单位意见', '政审材料'])
      expect(labels).toContain(l);
    expect(labels).not.toContain('单位名称');
    expect(check.missing).toContainEqual({ field: 'media.photo', label: '照片', message: '照片 0 张，要求至少 1 张' });

    const full = completeForm();
    const saved = await c.put(`/api/applications/${created.id}`, { form: full });
    expect(saved.statusCode).toBe(200);
    expect(json<Detail>(saved).form.idNumber).toBe(full.idNumber);
    expect((await c.post(`/api/applications/${created.id}/pledge`)).statusCode).toBe(200);
    for (const kind of ['integrity_pledge', 'unit_opinion', 'political_review']) {
      expect((await c.upload(`/api/applications/${created.id}/attachments`, kind, `${kind}.pdf`, pdfBytes(kind))).statusCode).toBe(200);
    }
    expect((await c.upload(`/api/applications/${created.id}/attachments`, 'photo', 'IMG_0001.jpg', jpegBytes(PHOTO_BYTES))).statusCode).toBe(200);
    const done = json<{ complete: boolean; missing: unknown[] }>(await c.get(`/api/applications/${created.id}/check`));
    expect(done.missing).toEqual([]);
    expect(done.complete).toBe(true);
  });

  it('does not save malformed values, names each with its message, and saves the well-formed ones', async () => {
    const { c } = await applicantClient();
    const { id } = json<Detail>(await c.post('/api/applications'));
    await c.put(`/api/applications/${id}`, { form: { workUnit: '新疆大学', postcode: '830046', email: 'old@example.cn' } });
    const before = await rowOf(id);
    const bad = await c.put(`/api/applications/${id}`, {
      form: { workUnit: '改了', idNumber: '650102198005010000', mobile: '1234', postcode: '83', ethnicity: '火星族', email: 'a@' },
    });
    expect(bad.statusCode).toBe(200);
    const reply = json<Detail & { notSaved?: { field: string; label: string; message: string }[] }>(bad);
    expect(reply.notSaved!.map((f) => f.field).sort()).toEqual(['email', 'ethnicity', 'idNumber', 'mobile', 'postcode']);
    expect(reply.notSaved!.find((f) => f.field === 'idNumber')!.message).toContain('校验位');
    expect(reply.notSaved!.find((f) => f.field === 'postcode')!.label).toBe('邮政编码');
    // the well-formed 单位名称 is saved; the malformed ones keep their saved values
    const after = await rowOf(id);
    expect(after.workUnit).toBe('改了');
    expect(after.form).toEqual({ ...(before.form as object), workUnit: '改了' });
    expect(after.idHash).toBe(before.idHash);
    expect(after.mobile).toBe(before.mobile);
    expect(reply.form).toMatchObject({ workUnit: '改了', postcode: '830046', email: 'old@example.cn' });
  });

  it('reports a 身份证号码 that disagrees with 出生日期 and 性别 at submission', async () => {
    const { c } = await applicantClient();
    const { id } = json<Detail>(await c.post('/api/applications'));
    await c.put(`/api/applications/${id}`, { form: completeForm({ idNumber: makeIdNumber('1970-01-01', '男'), birthDate: '1985-03-12', gender: '女' }) });
    const check = json<{ missing: { field: string; message: string }[] }>(await c.get(`/api/applications/${id}/check`));
    expect(check.missing.find((m) => m.field === 'birthDate')!.message).toContain('1970-01-01');
    expect(check.missing.some((m) => m.field === 'gender')).toBe(true);
  });

  it('refuses ineligible candidates and flags national honours', async () => {
    const { c } = await applicantClient();
    const { id } = json<Detail>(await c.post('/api/applications'));
    const d = json<Detail>(await c.put(`/api/applications/${id}`, { form: completeForm({ civilServant: true, nationalHonour: true }) }));
    expect(d.eligibility.refused.join()).toContain('公务员');
    expect(d.eligibility.flags.join()).toContain('原则上不再推荐');
    const check = json<{ complete: boolean; missing: { label: string }[] }>(await c.get(`/api/applications/${id}/check`));
    expect(check.missing.some((m) => m.label === '资格条件')).toBe(true);
  });

  it('allows one live application per 身份证号码 per campaign, enforced by the database', async () => {
    const idNumber = makeIdNumber('1990-07-07', '男', '650103', 7);
    const first = await applicantClient();
    const a = json<Detail>(await first.c.post('/api/applications'));
    expect((await first.c.put(`/api/applications/${a.id}`, { form: { idNumber } })).statusCode).toBe(200);
    const second = await applicantClient();
    const b = json<Detail>(await second.c.post('/api/applications'));
    const dup = await second.c.put(`/api/applications/${b.id}`, { form: { idNumber, name: '重复' } });
    expect(dup.statusCode).toBe(409);
    expect(errorOf(dup).fields![0]!.field).toBe('idNumber');
    expect((await rowOf(b.id)).idHash).toBeNull();
    // the database itself refuses, not only the check
    const hash = (await rowOf(a.id)).idHash!;
    await expect(t.s.db.execute(sql`update applications set id_hash = ${hash} where id = ${b.id}`)).rejects.toThrow();
    // once the first is deleted the person may apply again
    await first.c.del(`/api/applications/${a.id}`);
    expect((await second.c.put(`/api/applications/${b.id}`, { form: { idNumber } })).statusCode).toBe(200);
  });

  it('one application per applicant per campaign', async () => {
    const { c } = await applicantClient();
    expect((await c.post('/api/applications')).statusCode).toBe(200);
    const again = await c.post('/api/applications');
    expect(again.statusCode).toBe(409);
    expect(errorOf(again).message).toContain('每人只能申请一份');
  });

  it('stores the 身份证号码 encrypted and shows it masked to others', async () => {
    const { c, user } = await applicantClient();
    const d = await buildApplication(t.s, user);
    const row = await rowOf(d.id);
    const id = d.form.idNumber!;
    expect(JSON.stringify(row)).not.toContain(id);
    expect(row.idEnc).toMatch(/^v1\./);
    const org = await buildOrganizer(t.s);
    const oc = new Client(t.app);
    await oc.login(org.username, org.password);
    const seen = json<Detail>(await oc.get(`/api/applications/${d.id}`));
    expect(seen.form.idNumber).toBe(`${id.slice(0, 4)}**********${id.slice(-4)}`);
    expect(json<Detail>(await c.get(`/api/applications/${d.id}`)).form.idNumber).toBe(id);
  });
});

describe('【附件】', () => {
  it('accepts PDF, JPEG and PNG by content and serves them as downloads with UTF-8 names', async () => {
    const { c } = await applicantClient();
    const { id } = json<Detail>(await c.post('/api/applications'));
    const up = await c.upload(`/api/applications/${id}/attachments`, 'political_review', '政审材料（扫描件）.png', pngBytes());
    expect(up.statusCode).toBe(200);
    expect(json(up)).toMatchObject({ kind: 'political_review', kindLabel: '政审材料', mime: 'image/png', name: '政审材料（扫描件）.png' });
    const jpg = await c.upload(`/api/applications/${id}/attachments`, 'unit_opinion', 'photo.pdf', jpegBytes());
    expect(json(jpg).mime).toBe('image/jpeg'); // recognised from the bytes, not the name
    const dl = await c.get(`/api/attachments/${json(up).id}`);
    expect(dl.statusCode).toBe(200);
    expect(dl.headers['content-disposition']).toContain(`filename*=UTF-8''${encodeURIComponent('政审材料（扫描件）.png')}`);
    expect(dl.headers['x-content-type-options']).toBe('nosniff');
    expect(dl.rawPayload.equals(pngBytes())).toBe(true);
    // nothing is ever shown inline by the browser: an image or a PDF asked inline still downloads (PDFs are drawn by pdf.js)
    expect((await c.get(`/api/attachments/${json(up).id}?inline=1`)).headers['content-disposition']).toMatch(/^attachment;/);
    const pdf = await c.upload(`/api/applications/${id}/attachments`, 'integrity_pledge', '承诺书.pdf', pdfBytes());
    const shown = await c.get(`/api/attachments/${json(pdf).id}?inline=1`);
    expect(shown.headers['content-disposition']).toMatch(/^attachment;/);
    expect(shown.headers['content-type']).toBe('application/pdf');
    await c.del(`/api/attachments/${json(pdf).id}`);
    expect((await c.del(`/api/attachments/${json(jpg).id}`)).statusCode).toBe(200);
    expect(json<Detail>(await c.get(`/api/applications/${id}`)).attachments.map((a) => a.kind)).toEqual(['political_review']);
  });

  it('refuses an executable or HTML disguised by its name, and stores nothing', async () => {
    const { c } = await applicantClient();
    const { id } = json<Detail>(await c.post('/api/applications'));
    const filesDir = path.join(t.s.config.dataDir, 'files');
    const count = () => (fs.existsSync(filesDir) ? fs.readdirSync(filesDir, { recursive: true }).length : 0);
    const before = count();
    for (const [name, bytes] of [
      ['scan.jpg', exeBytes()],
      ['scan.pdf', htmlBytes()],
    ] as const) {
      const res = await c.upload(`/api/applications/${id}/attachments`, 'integrity_pledge', name, bytes);
      expect(res.statusCode).toBe(415);
      expect(errorOf(res).message).toContain('要求为 PDF、JPEG 或 PNG 格式');
    }
    expect(count()).toBe(before);
    expect(await t.s.db.select().from(attachments).where(eq(attachments.applicationId, id))).toHaveLength(0);
    expect(fs.readdirSync(t.s.storage.tmpDir)).toHaveLength(0);
  });

  it('keeps hostile names away from the file system', async () => {
    const { c } = await applicantClient();
    const { id } = json<Detail>(await c.post('/api/applications'));
    const res = await c.upload(`/api/applications/${id}/attachments`, 'integrity_pledge', '../../etc/\u202Egpj.exe', pdfBytes());
    expect(res.statusCode).toBe(200);
    expect(json(res).name).toBe('gpj.exe');
    const [row] = await t.s.db.select().from(attachments).where(eq(attachments.applicationId, id));
    expect(row!.storageKey).toMatch(/^[0-9a-f]{2}\/[0-9a-f-]{36}$/);
  });

  it('refuses a file over the campaign scan limit', async () => {
    const small = await startTestPlatform();
    try {
      const a = await buildApplicant(small.s);
      const c = new Client(small.app);
      await c.login(a.username, a.password);
      const { id } = json<Detail>(await c.post('/api/applications'));
      const [camp] = await small.s.db
        .execute(sql`select id, settings from campaigns limit 1`)
        .then((r) => (r as unknown as { rows: unknown[] }).rows as { id: string; settings: { media: { scanMaxBytes: number } } }[]);
      camp!.settings.media.scanMaxBytes = 4096;
      await small.s.db.execute(sql`update campaigns set settings = ${JSON.stringify(camp!.settings)}::jsonb where id = ${camp!.id}`);
      const res = await c.upload(`/api/applications/${id}/attachments`, 'integrity_pledge', 'big.jpg', jpegBytes(10_000));
      expect(res.statusCode).toBe(413);
      expect(errorOf(res).message).toContain('要求不大于');
      expect(await small.s.db.select().from(attachments)).toHaveLength(0);
    } finally {
      await small.close();
    }
  });
});

describe('permissions: every refusal leaves the row unchanged', () => {
  it('another applicant, a unit and a stranger cannot see or change an application', async () => {
    const owner = await applicantClient();
    const d = await buildApplication(t.s, owner.user, { pledged: true });
    const file = await owner.c.upload(`/api/applications/${d.id}/attachments`, 'integrity_pledge', 'a.pdf', pdfBytes());
    const before = await rowOf(d.id);

    const other = await applicantClient();
    const unit = await buildUnit(t.s);
    const uc = new Client(t.app);
    await uc.login(unit.username, unit.password);
    const anon = new Client(t.app);

    const attempts = async (c: Client) => [
      await c.get(`/api/applications/${d.id}`),
      await c.put(`/api/applications/${d.id}`, { form: { name: '篡改' } }),
      await c.post(`/api/applications/${d.id}/pledge`),
      await c.del(`/api/applications/${d.id}`),
      await c.upload(`/api/applications/${d.id}/attachments`, 'unit_opinion', 'x.pdf', pdfBytes()),
      await c.get(`/api/attachments/${json(file).id}`),
      await c.del(`/api/attachments/${json(file).id}`),
    ];
    for (const res of await attempts(other.c)) expect(res.statusCode).toBe(404);
    for (const res of await attempts(uc)) expect([403, 404]).toContain(res.statusCode);
    for (const res of await attempts(anon)) expect(res.statusCode).toBe(401);
    const after = await rowOf(d.id);
    expect(after).toEqual(before);
    expect(await t.s.db.select().from(attachments).where(eq(attachments.applicationId, d.id))).toHaveLength(1);
  });

  it('the organizer can view but not edit an applicant’s 申请书', async () => {
    const owner = await applicantClient();
    const d = await buildApplication(t.s, owner.user);
    const org = await buildOrganizer(t.s);
    const oc = new Client(t.app);
    await oc.login(org.username, org.password);
    const before = await rowOf(d.id);
    expect((await oc.get(`/api/applications/${d.id}`)).statusCode).toBe(200);
    expect((await oc.put(`/api/applications/${d.id}`, { form: { name: '篡改' } })).statusCode).toBe(403);
    expect((await oc.del(`/api/applications/${d.id}`)).statusCode).toBe(403);
    expect(await rowOf(d.id)).toEqual(before);
  });

  it('the applicant can edit only while holding it (状态 申报人)', async () => {
    const owner = await applicantClient();
    const d = await buildApplication(t.s, owner.user);
    const unit = await buildUnit(t.s);
    await t.s.db.update(applications).set({ status: 'submitted_to_unit', unitId: unit.unit.id }).where(eq(applications.id, d.id));
    const before = await rowOf(d.id);
    const detail = json<Detail>(await owner.c.get(`/api/applications/${d.id}`));
    expect(detail.statusLabel).toBe(`[申报人]提交到[${unit.unit.name}]`);
    expect(detail.abilities).toMatchObject({ edit: false, pledge: false, upload: false, delete: false, submit: false, withdraw: true });
    const res = await owner.c.put(`/api/applications/${d.id}`, { form: { name: '改名' } });
    expect(res.statusCode).toBe(403);
    expect(errorOf(res).message).toContain('仅当【状态】是申报人时');
    expect((await owner.c.del(`/api/applications/${d.id}`)).statusCode).toBe(403);
    expect((await owner.c.upload(`/api/applications/${d.id}/attachments`, 'unit_opinion', 'x.pdf', pdfBytes())).statusCode).toBe(403);
    expect(await rowOf(d.id)).toEqual(before);
    // back with the applicant after a return: editable again
    await t.s.db.update(applications).set({ status: 'returned_to_applicant' }).where(eq(applications.id, d.id));
    expect((await owner.c.put(`/api/applications/${d.id}`, { form: completeForm({ name: '改名' }) })).statusCode).toBe(200);
  });

  it('applicant-only actions refuse other roles', async () => {
    const unit = await buildUnit(t.s);
    const uc = new Client(t.app);
    await uc.login(unit.username, unit.password);
    const res = await uc.post('/api/applications');
    expect(res.statusCode).toBe(403);
    expect(errorOf(res).message).toContain('申报人');
    expect((await uc.get('/api/applications/mine')).statusCode).toBe(403);
  });
});
