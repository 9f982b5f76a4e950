// Issue 13, slice 1: the unit's 初评, its two departments' opinions, 【提交】 only after 初评 通过, and 自治区科协's 受理.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { applicationEvents, applications, notifications } from './db/schema';
import { buildApplicant, buildExpert, buildUnit } from './testing/factories';
import { Client, json, startTestPlatform } from './testing/harness';
import { forwardable, forwarded, parties, prepareForward, publishPublicity, readyApplication } from './testing/journey';

let t: Awaited<ReturnType<typeof startTestPlatform>>;
beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(async () => t?.close());

type Preliminary = { result: string; resultLabel: string; reason: string | null; by: string; at: string };
type Detail = {
  id: string;
  status: string;
  statusLabel: string;
  viewedAt: string | null;
  abilities: Record<string, boolean>;
  preliminary?: Preliminary | null;
};
type Failure = { error: { code: string; message: string; fields?: { field: string; label: string; message: string }[] } };
const errorOf = (res: { json(): unknown }) => (res.json() as Failure).error;
const rowOf = async (id: string) => (await t.s.db.select().from(applications).where(eq(applications.id, id)))[0]!;
const eventsOf = async (id: string) => t.s.db.select().from(applicationEvents).where(eq(applicationEvents.applicationId, id));

/** An application submitted to the unit of `p`, and opened there. */
async function atUnit(p: Awaited<ReturnType<typeof parties>>) {
  const id = await readyApplication(t, p.applicant, p.ac);
  expect((await p.ac.post(`/api/applications/${id}/transitions/submit`, { unitId: p.unit.unit.id })).statusCode).toBe(200);
  expect((await p.uc.post(`/api/applications/${id}/open`)).statusCode).toBe(200);
  return id;
}

describe('初评 at the unit', () => {
  it('records 通过 or 不通过 (a reason required), changeable while the unit holds it; never shown to the applicant', async () => {
    const p = await parties(t);
    const id = await atUnit(p);
    const url = `/api/applications/${id}/preliminary`;
    expect(json<Detail>(await p.uc.get(`/api/applications/${id}`)).preliminary).toBeNull();

    // 不通过 without a reason: 400 naming 初评理由; nothing stored
    const before = await rowOf(id);
    for (const body of [{ result: 'fail' }, { result: 'fail', reason: '   ' }, { result: 'fail', reason: null }]) {
      const res = await p.uc.put(url, body);
      expect(res.statusCode).toBe(400);
      expect(errorOf(res).message).toContain('初评理由');
      expect(errorOf(res).fields?.[0]).toMatchObject({ field: 'reason', label: '初评理由' });
    }
    const bad = await p.uc.put(url, { result: 'maybe' });
    expect(bad.statusCode).toBe(400);
    expect(errorOf(bad).message).toContain('初评结果');
    const long = await p.uc.put(url, { result: 'fail', reason: '理'.repeat(501) });
    expect(long.statusCode).toBe(400);
    expect(errorOf(long).message).toContain('初评理由不能超过500字');
    expect((await p.uc.put(url, { result: 'pass', extra: 1 })).statusCode).toBe(400);
    expect((await p.uc.put(url, {})).statusCode).toBe(400);
    expect(await rowOf(id)).toEqual(before);

    // 不通过 with a reason, then changed to 通过
    const REASON = '事迹材料与推荐领域不符XQ7（测试用独特理由）';
    let d = json<Detail>(await p.uc.put(url, { result: 'fail', reason: REASON }));
    expect(d.preliminary).toMatchObject({ result: 'fail', resultLabel: '不通过', reason: REASON });
    expect(d.preliminary!.by).toContain(p.unit.unit.name);
    expect(Date.parse(d.preliminary!.at)).not.toBeNaN();
    const row = await rowOf(id);
    expect(row).toMatchObject({ preliminaryResult: 'fail', preliminaryReason: REASON, preliminaryBy: p.unit.user.id });

    // the applicant: no 初评 anywhere — not in its detail (no key), its list, its 流程情况, its messages
    const mine = await p.ac.get(`/api/applications/${id}`);
    expect(Object.keys(json(mine))).not.toContain('preliminary');
    expect(mine.body).not.toContain('XQ7');
    expect((await p.ac.get('/api/applications/mine')).body).not.toContain('XQ7');
    const flow = await p.ac.get(`/api/applications/${id}/history`);
    expect(flow.body).not.toContain('XQ7');
    expect(json<{ actionLabel: string }[]>(flow).map((f) => f.actionLabel)).not.toContain('初评');
    expect((await p.ac.get('/api/notifications')).body).not.toContain('XQ7');
    // the unit's 流程情况 keeps the version
    const unitFlow = json<{ actionLabel: string; opinion: string | null }[]>(await p.uc.get(`/api/applications/${id}/history`));
    expect(unitFlow.at(-1)).toMatchObject({ actionLabel: '初评', opinion: `不通过：${REASON}` });

    d = json<Detail>(await p.uc.put(url, { result: 'pass' }));
    expect(d.preliminary).toMatchObject({ result: 'pass', resultLabel: '通过', reason: null });

    // 自治区科协 sees it once forwarded
    await prepareForward(p.uc, id, { preliminary: false });
    await publishPublicity(p.uc, [id]);
    expect((await p.uc.post(`/api/applications/${id}/transitions/forward`)).statusCode).toBe(200);
    expect(json<Detail>(await p.oc.get(`/api/applications/${id}`)).preliminary).toMatchObject({ result: 'pass' });
    // no longer the unit's: it cannot change it, and the row stays as it was
    const held = await rowOf(id);
    const late = await p.uc.put(url, { result: 'fail', reason: '改变主意' });
    expect(late.statusCode).toBe(403);
    expect(await rowOf(id)).toEqual(held);
  });
});

describe('【提交】 to 自治区科协 needs the two departments’ opinions and 初评 通过', () => {
  it('names each missing scan, then asks for 初评 通过; allowed once everything is there', async () => {
    const p = await parties(t);
    const forward = (id: string) => p.uc.post(`/api/applications/${id}/transitions/forward`);

    // each of the new scans missing: the refusal names it, and only it
    for (const [missingKind, label, other] of [
      ['cadre_opinion', '干部人事管理部门意见', '纪检监察部门意见'],
      ['discipline_opinion', '纪检监察部门意见', '干部人事管理部门意见'],
    ] as const) {
      const a = await buildApplicant(t.s);
      await p.ac.login(a.username, a.password);
      const id = await readyApplication(t, a, p.ac);
      await p.ac.post(`/api/applications/${id}/transitions/submit`, { unitId: p.unit.unit.id });
      await prepareForward(p.uc, id, { scans: ['recommend_report', 'cadre_opinion', 'discipline_opinion'].filter((k) => k !== missingKind) });
      const before = await rowOf(id);
      const res = await forward(id);
      expect(res.statusCode).toBe(409);
      expect(errorOf(res).message).toBe(`尚未上传【${label}】：请在【附件】中上传【${label}】，然后点击【提交】`);
      expect(errorOf(res).message).not.toContain(other);
      expect(await rowOf(id)).toEqual(before);
    }

    // everything but 初评: refused until 初评 is 通过 (不通过 is no better)
    const a = await buildApplicant(t.s);
    await p.ac.login(a.username, a.password);
    const id = await readyApplication(t, a, p.ac);
    await p.ac.post(`/api/applications/${id}/transitions/submit`, { unitId: p.unit.unit.id });
    await prepareForward(p.uc, id, { preliminary: false });
    const noResult = await forward(id);
    expect(noResult.statusCode).toBe(409);
    expect(errorOf(noResult).message).toContain('初评结果为通过后方可提交');
    await p.uc.put(`/api/applications/${id}/preliminary`, { result: 'fail', reason: '群众评议意见较多' });
    const before = await rowOf(id);
    const failed = await forward(id);
    expect(failed.statusCode).toBe(409);
    expect(errorOf(failed).message).toContain('初评结果为通过后方可提交');
    expect(await rowOf(id)).toEqual(before);
    await p.uc.put(`/api/applications/${id}/preliminary`, { result: 'pass' });
    await publishPublicity(p.uc, [id]);
    expect(json<Detail>(await forward(id)).status).toBe('submitted_to_org');
  });

  it('初评须公示 is a campaign setting, on by default: 【提交】 waits for the 公示; off, it does not', async () => {
    const p = await parties(t);
    const c = json<{ id: string; settings: { preliminary: { requirePublicity: boolean } } & Record<string, unknown> }>(
      await p.oc.get('/api/campaigns/current'),
    );
    expect(c.settings.preliminary).toEqual({ requirePublicity: true });
    const id = await readyApplication(t, p.applicant, p.ac);
    await p.ac.post(`/api/applications/${id}/transitions/submit`, { unitId: p.unit.unit.id });
    await prepareForward(p.uc, id, { publicity: false });
    const before = await rowOf(id);
    const res = await p.uc.post(`/api/applications/${id}/transitions/forward`);
    expect(res.statusCode).toBe(409);
    expect(errorOf(res).message).toContain('尚未进行初评公示');
    expect(await rowOf(id)).toEqual(before);
    const put = await p.oc.put(`/api/admin/campaigns/${c.id}`, { settings: { ...c.settings, preliminary: { requirePublicity: false } } });
    expect(put.statusCode, put.body).toBe(200);
    try {
      expect((await p.uc.post(`/api/applications/${id}/transitions/forward`)).statusCode).toBe(200);
    } finally {
      await p.oc.put(`/api/admin/campaigns/${c.id}`, { settings: c.settings });
    }
  });
});

describe('受理 by 自治区科协', () => {
  it('accepts a forwarded application: 已阅, [自治区科协]已受理 for all, the unit told, its 收回 gone', async () => {
    const p = await parties(t);
    const { id } = await forwarded(t, p.uc, p.unit.unit.id);
    const pendingIds = async () => json<{ rows: { id: string }[] }>(await p.oc.get('/api/applications?tab=pending')).rows.map((r) => r.id);
    expect(await pendingIds()).toContain(id);
    expect(json<Detail>(await p.oc.get(`/api/applications/${id}`)).abilities.accept).toBe(true);
    expect(json<Detail>(await p.uc.get(`/api/applications/${id}`)).abilities.withdrawForward).toBe(true);

    const d = json<Detail>(await p.oc.post(`/api/applications/${id}/transitions/accept`));
    expect(d).toMatchObject({ status: 'accepted', statusLabel: '[自治区科协]已受理', abilities: { accept: false, orgReturn: false } });
    expect(d.viewedAt).not.toBeNull(); // 受理 implies viewed
    expect(await pendingIds()).not.toContain(id);
    expect(json<{ rows: { id: string }[] }>(await p.oc.get('/api/applications?tab=handled')).rows.map((r) => r.id)).toContain(id);
    expect(json<{ rows: { id: string }[] }>(await p.oc.get('/api/applications?status=accepted')).rows.map((r) => r.id)).toContain(id);

    // the unit: the status, no 收回 (409, nothing changed)
    const unitView = json<Detail>(await p.uc.get(`/api/applications/${id}`));
    expect(unitView).toMatchObject({ statusLabel: '[自治区科协]已受理', abilities: { withdrawForward: false } });
    const before = await rowOf(id);
    const eventsBefore = (await eventsOf(id)).length;
    const late = await p.uc.post(`/api/applications/${id}/transitions/withdraw-forward`);
    expect(late.statusCode).toBe(409);
    expect(errorOf(late).message).toBe('申请书当前状态为“[自治区科协]已受理”，不能收回');
    expect(await rowOf(id)).toEqual(before);
    expect((await eventsOf(id)).length).toBe(eventsBefore);
    // a second 受理 (another tab): 409, nothing changed
    const again = await p.oc.post(`/api/applications/${id}/transitions/accept`);
    expect(again.statusCode).toBe(409);
    expect(await rowOf(id)).toEqual(before);

    // the unit's message, 流程情况
    const unitMessages = await t.s.db.select().from(notifications).where(eq(notifications.unitId, p.unit.unit.id));
    expect(unitMessages.some((n) => n.body.includes('【受理】') && n.body.includes('[自治区科协]已受理'))).toBe(true);
    const flow = json<{ actionLabel: string; fromName: string; toName: string }[]>(await p.uc.get(`/api/applications/${id}/history`));
    expect(flow.at(-1)).toMatchObject({ actionLabel: '受理', fromName: '自治区科协', toName: '自治区科协' });
  });

  it('the applicant sees the status text, and nothing of 初评', async () => {
    const p = await parties(t);
    const id = await atUnit(p);
    await prepareForward(p.uc, id);
    await p.uc.post(`/api/applications/${id}/transitions/forward`);
    await p.oc.post(`/api/applications/${id}/transitions/accept`);
    const list = json<{ id: string; statusLabel: string; abilities: Record<string, boolean> }[]>(await p.ac.get('/api/applications/mine'));
    expect(list.find((r) => r.id === id)).toMatchObject({ statusLabel: '[自治区科协]已受理', abilities: { edit: false, withdraw: false } });
    const detail = await p.ac.get(`/api/applications/${id}`);
    expect(Object.keys(json(detail))).not.toContain('preliminary');
    // the departments' opinions on the candidate are the unit's and 自治区科协's: not listed, not found for the applicant
    const kinds = json<{ attachments: { kind: string }[] }>(detail).attachments.map((f) => f.kind);
    expect(kinds).toContain('recommend_report');
    expect(kinds).not.toContain('cadre_opinion');
    expect(kinds).not.toContain('discipline_opinion');
    const orgFiles = json<{ attachments: { id: string; kind: string }[] }>(await p.oc.get(`/api/applications/${id}`)).attachments;
    for (const kind of ['cadre_opinion', 'discipline_opinion']) {
      const file = orgFiles.find((f) => f.kind === kind)!;
      expect((await p.oc.get(`/api/attachments/${file.id}`)).statusCode).toBe(200);
      expect((await p.ac.get(`/api/attachments/${file.id}`)).statusCode).toBe(404);
    }
    expect(json<{ actionLabel: string }[]>(await p.ac.get(`/api/applications/${id}/history`)).map((f) => f.actionLabel)).toEqual([
      '我要申请',
      '提交',
      '提交',
      '受理',
    ]);
  });

  it('an accepted application keeps its place in the unit’s quota', async () => {
    const unit = await buildUnit(t.s);
    const uc = new Client(t.app);
    await uc.login(unit.username, unit.password);
    const p = await parties(t);
    const ready = [];
    for (let i = 0; i < 4; i++) ready.push(await forwardable(t, uc, unit.unit.id));
    for (const r of ready.slice(0, 3)) expect((await uc.post(`/api/applications/${r.id}/transitions/forward`)).statusCode).toBe(200);
    for (const r of ready.slice(0, 2)) expect((await p.oc.post(`/api/applications/${r.id}/transitions/accept`)).statusCode).toBe(200);
    const fourth = await uc.post(`/api/applications/${ready[3]!.id}/transitions/forward`);
    expect(fourth.statusCode).toBe(409);
    for (const r of ready.slice(0, 3)) expect(errorOf(fourth).message).toContain(r.number);
  });
});

describe('permissions on 初评 and 受理: refused, and the row unchanged', () => {
  it('the applicant, another unit, an expert, anonymous; the unit cannot 受理, 自治区科协 cannot 初评', async () => {
    const p = await parties(t);
    const atUnitId = await atUnit(p);
    const { id: atOrgId } = await forwarded(t, p.uc, p.unit.unit.id);
    const otherUnit = await buildUnit(t.s);
    const ou = new Client(t.app);
    await ou.login(otherUnit.username, otherUnit.password);
    const expert = await buildExpert(t.s);
    const ex = new Client(t.app);
    await ex.login(expert.username, expert.password);
    const anon = new Client(t.app);

    const rows = async () => [await rowOf(atUnitId), await rowOf(atOrgId)];
    const events = async () => [(await eventsOf(atUnitId)).length, (await eventsOf(atOrgId)).length];
    const before = await rows();
    const eventsBefore = await events();
    const preliminary = (c: Client, id: string) => c.put(`/api/applications/${id}/preliminary`, { result: 'pass' });
    const accept = (c: Client, id: string) => c.post(`/api/applications/${id}/transitions/accept`);

    const expectRefused = async (res: Promise<{ statusCode: number; body: string }>, codes: number[]) => {
      const r = await res;
      expect(codes, r.body).toContain(r.statusCode);
      expect(await rows()).toEqual(before);
      expect(await events()).toEqual(eventsBefore);
    };
    for (const id of [atUnitId, atOrgId]) {
      await expectRefused(preliminary(p.ac, id), [403]); // the applicant: 此功能仅限推荐单位使用
      await expectRefused(accept(p.ac, id), id === atUnitId ? [403] : [404]); // its own: not its action; another's: not found
      await expectRefused(preliminary(ou, id), [404]); // another unit does not see it
      await expectRefused(accept(ou, id), [403, 404]);
      await expectRefused(preliminary(ex, id), [403]);
      await expectRefused(accept(ex, id), [404]); // an expert sees no application yet
      await expectRefused(preliminary(anon, id), [401, 403]);
      await expectRefused(accept(anon, id), [401, 403]);
      await expectRefused(preliminary(p.oc, id), [403]);
    }
    await expectRefused(accept(p.uc, atOrgId), [403]); // the unit's own forwarded application: not the unit's action
    await expectRefused(accept(p.uc, atUnitId), [403]);
    await expectRefused(accept(p.oc, atUnitId), [409]); // not yet forwarded
    await expectRefused(preliminary(p.uc, atOrgId), [403]); // forwarded: no longer the unit's to change
    // without the CSRF token
    await expectRefused(p.oc.request('POST', `/api/applications/${atOrgId}/transitions/accept`, {}, { csrf: false }), [403]);
    expect(json<Detail>(await p.uc.get(`/api/applications/${atOrgId}`)).abilities.withdrawForward).toBe(true);
  });
});
