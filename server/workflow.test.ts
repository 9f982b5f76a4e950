import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, count, eq, ilike, isNull, ne, type SQL } from 'drizzle-orm';
import { applicationEvents, applications, notifications, outbox } from './db/schema';
import { buildApplicant, buildUnit, completeForm } from './testing/factories';
import { Client, json, startTestPlatform } from './testing/harness';
import { pdfBytes } from './testing/files';
import { forwardable, parties, publishPublicity, readyApplication } from './testing/journey';

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
  viewedAt: string | null;
  viewedBy: string | null;
  abilities: Record<string, boolean>;
  opinions: Record<string, string | null>;
  form: Record<string, unknown>;
};
const errorOf = (res: { json(): unknown }) => (res.json() as { error: { code: string; message: string } }).error;
const rowOf = async (id: string) => (await t.s.db.select().from(applications).where(eq(applications.id, id)))[0]!;

describe('the manual’s routing, end to end through HTTP', () => {
  it('提交 → 收回 → 提交 → 办理 → 修改意见/退回 → 收回退回 → 退回 → 重新提交 → 推荐单位意见/扫描件/提交 → 收回 → 提交 → 自治区科协退回', async () => {
    const { applicant, unit, ac, uc, oc } = await parties(t);
    const id = await readyApplication(t, applicant, ac);

    // 提交 needs a chosen unit
    const noUnit = await ac.post(`/api/applications/${id}/transitions/submit`, {});
    expect(noUnit.statusCode).toBe(400);
    let d = json<Detail>(await ac.post(`/api/applications/${id}/transitions/submit`, { unitId: unit.unit.id }));
    expect(d.statusLabel).toBe(`[申报人]提交到[${unit.unit.name}]`);
    expect(d.abilities.withdraw).toBe(true);
    expect(d.abilities.edit).toBe(false);

    // 收回 before the unit has opened it: back to 申报人, editable again
    d = json<Detail>(await ac.post(`/api/applications/${id}/transitions/withdraw`));
    expect(d).toMatchObject({ status: 'applicant', statusLabel: '申报人', abilities: { edit: true } });
    d = json<Detail>(await ac.post(`/api/applications/${id}/transitions/submit`, { unitId: unit.unit.id }));

    // the unit's 待审核的 lists it; 办理 records 已阅 and ends the applicant's 收回
    const pending = json<{ rows: { id: string }[] }>(await uc.get('/api/applications?tab=pending'));
    expect(pending.rows.map((r) => r.id)).toContain(id);
    // the organizer has not received it: neither 待审核的 nor 已办理的 lists it (查询 does)
    for (const tab of ['pending', 'handled']) {
      expect(json<{ rows: { id: string }[] }>(await oc.get(`/api/applications?tab=${tab}`)).rows.map((r) => r.id)).not.toContain(id);
    }
    expect(json<{ rows: { id: string }[] }>(await oc.get('/api/applications')).rows.map((r) => r.id)).toContain(id);
    const opened = json<Detail>(await uc.post(`/api/applications/${id}/open`));
    expect(opened.viewedAt).not.toBeNull();
    const seen = json<Detail>(await ac.get(`/api/applications/${id}`));
    expect(seen.abilities.withdraw).toBe(false);
    expect(seen.viewedBy).toBe(unit.unit.name);
    const listed = json<{ id: string; viewedBy: string | null; abilities: { withdraw: boolean } }[]>(await ac.get('/api/applications/mine'));
    expect(listed.find((r) => r.id === id)).toMatchObject({ viewedBy: unit.unit.name, abilities: { withdraw: false } });
    const before = await rowOf(id);
    const late = await ac.post(`/api/applications/${id}/transitions/withdraw`);
    expect(late.statusCode).toBe(409);
    expect(errorOf(late).message).toContain('推荐单位已经查看或办理此申请书');
    expect(await rowOf(id)).toEqual(before);

    // 退回 needs a saved 修改意见
    expect((await uc.post(`/api/applications/${id}/transitions/return`)).statusCode).toBe(403);
    await uc.put(`/api/applications/${id}/opinions/return`, { text: '请补充主要事迹中的推广数据来源。' });
    d = json<Detail>(await uc.post(`/api/applications/${id}/transitions/return`));
    expect(d.statusLabel).toBe(`[${unit.unit.name}]退回到[申报人]`);
    expect(d.abilities.withdrawReturn).toBe(true);
    const mine = json<Detail>(await ac.get(`/api/applications/${id}`));
    expect(mine.opinions.return).toBe('请补充主要事迹中的推广数据来源。');
    expect(mine.abilities.edit).toBe(true);

    // the unit takes its return back, then returns again
    d = json<Detail>(await uc.post(`/api/applications/${id}/transitions/withdraw-return`));
    expect(d.status).toBe('submitted_to_unit');
    expect(json<{ rows: { id: string }[] }>(await uc.get('/api/applications?tab=pending')).rows.map((r) => r.id)).toContain(id);
    expect(json<Detail>(await ac.get(`/api/applications/${id}`)).abilities.withdraw).toBe(false); // the unit has handled it
    await uc.post(`/api/applications/${id}/transitions/return`);

    // the applicant edits and resubmits (no unit to choose: it goes back to the same unit); the unit sees what changed
    const form = completeForm({ ...(mine.form as object), mainDeeds: '扎根南疆二十年，数据来自自治区农业农村厅2022年统计公报。' });
    expect((await ac.put(`/api/applications/${id}`, { form })).statusCode).toBe(200);
    d = json<Detail>(await ac.post(`/api/applications/${id}/transitions/submit`, {}));
    expect(d.statusLabel).toBe(`[申报人]提交到[${unit.unit.name}]`);
    expect((await uc.post(`/api/applications/${id}/transitions/withdraw-return`)).statusCode).toBe(409);
    const changes = json<{ changes: { label: string; after: string }[] }>(await uc.get(`/api/applications/${id}/changes`));
    const labels = changes.changes.map((c) => c.label);
    expect(labels).toContain('主要事迹');
    expect(labels).not.toContain('身份证号码'); // unchanged fields are not reported
    expect(changes.changes.find((c) => c.label === '主要事迹')!.after).toContain('统计公报');

    // 提交 to 自治区科协 needs 推荐单位意见, 推荐报告扫描件, the two departments' opinions and 初评 通过
    await uc.post(`/api/applications/${id}/open`);
    const bare = await uc.post(`/api/applications/${id}/transitions/forward`);
    expect(bare.statusCode).toBe(409);
    expect(errorOf(bare).message).toContain('推荐报告扫描件');
    await uc.put(`/api/applications/${id}/opinions/recommend`, { text: '经初评并公示无异议，同意推荐。' });
    expect((await uc.upload(`/api/applications/${id}/attachments`, 'recommend_report', '推荐报告（盖章）.pdf', pdfBytes('r'))).statusCode).toBe(200);
    expect((await uc.upload(`/api/applications/${id}/attachments`, 'cadre_opinion', '组织部意见.pdf', pdfBytes('c'))).statusCode).toBe(200);
    expect((await uc.upload(`/api/applications/${id}/attachments`, 'discipline_opinion', '纪委意见.pdf', pdfBytes('d'))).statusCode).toBe(200);
    expect((await uc.put(`/api/applications/${id}/preliminary`, { result: 'pass' })).statusCode).toBe(200);
    await publishPublicity(uc, [id]); // 初评须公示: a 初评公示 already over
    d = json<Detail>(await uc.post(`/api/applications/${id}/transitions/forward`));
    expect(d.statusLabel).toBe(`[${unit.unit.name}]提交到[自治区科协]`);
    d = json<Detail>(await uc.post(`/api/applications/${id}/transitions/withdraw-forward`));
    expect(d.status).toBe('submitted_to_unit');
    d = json<Detail>(await uc.post(`/api/applications/${id}/transitions/forward`));

    // the organizer opens it: the unit's 收回 is gone; 退回 with an opinion goes back to the unit
    const orgList = json<{ rows: { id: string }[] }>(await oc.get('/api/applications?tab=pending'));
    expect(orgList.rows.map((r) => r.id)).toContain(id);
    await oc.post(`/api/applications/${id}/open`);
    expect((await uc.post(`/api/applications/${id}/transitions/withdraw-forward`)).statusCode).toBe(409);
    expect((await oc.post(`/api/applications/${id}/transitions/org-return`)).statusCode).toBe(403);
    await oc.put(`/api/applications/${id}/opinions/org`, { text: '推荐报告缺少纪检监察部门意见。' });
    d = json<Detail>(await oc.post(`/api/applications/${id}/transitions/org-return`));
    expect(d.statusLabel).toBe(`[自治区科协]退回到[${unit.unit.name}]`);
    expect(json<{ rows: { id: string }[] }>(await uc.get('/api/applications?tab=pending')).rows.map((r) => r.id)).toContain(id);
    expect(json<{ rows: { id: string }[] }>(await oc.get('/api/applications?tab=handled')).rows.map((r) => r.id)).toContain(id);

    // 流程情况: every transfer with from, to, who, when and opinion
    const flow = json<{ actionLabel: string; fromName: string; toName: string; opinion: string | null; at: string }[]>(
      await uc.get(`/api/applications/${id}/history`),
    );
    expect(flow.map((f) => f.actionLabel)).toEqual([
      '我要申请',
      '提交',
      '收回',
      '提交',
      '退回',
      '收回',
      '退回',
      '提交',
      '初评',
      '提交',
      '收回',
      '提交',
      '退回',
    ]);
    expect(flow[4]).toMatchObject({ fromName: unit.unit.name, toName: applicant.user.realName, opinion: '请补充主要事迹中的推广数据来源。' });
    expect(flow[8]).toMatchObject({ actorName: unit.unit.name, opinion: '通过' });
    expect(flow[12]).toMatchObject({ fromName: '自治区科协', toName: unit.unit.name, opinion: '推荐报告缺少纪检监察部门意见。' });
    // the applicant's view of 流程情况 hides the unit's and the organizer's opinions, and has no 初评 row at all
    const applicantFlow = json<{ opinion: string | null; actionLabel: string }[]>(await ac.get(`/api/applications/${id}/history`));
    expect(applicantFlow.map((f) => f.actionLabel)).not.toContain('初评');
    expect(applicantFlow[11]!.opinion).toBeNull();

    // nobody had to poll: messages reached the receivers
    const inbox = json<{ items: { body: string }[] }>(await ac.get('/api/notifications')).items;
    expect(inbox.some((n) => n.body.includes('退回'))).toBe(true);
    const sms = await t.s.db.select().from(outbox).where(eq(outbox.userId, applicant.user.id));
    expect(sms.length).toBeGreaterThanOrEqual(3);
    expect((await t.s.db.select().from(notifications).where(eq(notifications.unitId, unit.unit.id))).length).toBeGreaterThanOrEqual(4);
  });

  it('refuses a 4th forward with the quota and the three already forwarded, changing nothing', async () => {
    const unit = await buildUnit(t.s);
    const uc = new Client(t.app);
    await uc.login(unit.username, unit.password);
    const ready = [];
    for (let i = 0; i < 4; i++) ready.push(await forwardable(t, uc, unit.unit.id));
    for (const r of ready.slice(0, 3)) expect((await uc.post(`/api/applications/${r.id}/transitions/forward`)).statusCode).toBe(200);
    const before = await rowOf(ready[3]!.id);
    const fourth = await uc.post(`/api/applications/${ready[3]!.id}/transitions/forward`);
    expect(fourth.statusCode).toBe(409);
    const msg = errorOf(fourth).message;
    expect(msg).toContain('最多向自治区科协推荐3名');
    for (const r of ready.slice(0, 3)) expect(msg).toContain(r.number);
    expect(await rowOf(ready[3]!.id)).toEqual(before);
    // taking one back frees its place
    await uc.post(`/api/applications/${ready[0]!.id}/transitions/withdraw-forward`);
    expect((await uc.post(`/api/applications/${ready[3]!.id}/transitions/forward`)).statusCode).toBe(200);
  });

  it('refuses 提交 after the 申报 window with the dates, and nothing changes', async () => {
    const { applicant, unit, ac, oc } = await parties(t);
    const id = await readyApplication(t, applicant, ac);
    const c = json<{ id: string; settings: { windows: Record<string, unknown> } }>(await oc.get('/api/campaigns/current'));
    await oc.put(`/api/admin/campaigns/${c.id}`, {
      settings: { ...c.settings, windows: { ...c.settings.windows, apply: { start: '2023-04-01', end: '2023-04-30' } } },
    });
    try {
      const before = await rowOf(id);
      const res = await ac.post(`/api/applications/${id}/transitions/submit`, { unitId: unit.unit.id });
      expect(res.statusCode).toBe(409);
      expect(errorOf(res).message).toContain('2023-04-01 至 2023-04-30');
      expect(await rowOf(id)).toEqual(before);
    } finally {
      await oc.put(`/api/admin/campaigns/${c.id}`, { settings: c.settings });
    }
  });

  it('names what is missing when an incomplete application is submitted', async () => {
    const { ac, unit } = await parties(t);
    const { id } = json<{ id: string }>(await ac.post('/api/applications'));
    const res = await ac.post(`/api/applications/${id}/transitions/submit`, { unitId: unit.unit.id });
    expect(res.statusCode).toBe(409);
    expect(errorOf(res).message).toContain('申请书尚未填写完整');
    expect((await rowOf(id)).status).toBe('applicant');
  });
});

describe('permissions on routing: refused, and the row unchanged', () => {
  it('another unit, another applicant and the wrong roles cannot act', async () => {
    const { applicant, unit, ac, uc, oc } = await parties(t);
    const id = await readyApplication(t, applicant, ac);
    await ac.post(`/api/applications/${id}/transitions/submit`, { unitId: unit.unit.id });
    const otherUnit = await buildUnit(t.s);
    const ou = new Client(t.app);
    await ou.login(otherUnit.username, otherUnit.password);
    const otherApplicant = await buildApplicant(t.s);
    const oa = new Client(t.app);
    await oa.login(otherApplicant.username, otherApplicant.password);
    const before = await rowOf(id);
    const eventsBefore = (await t.s.db.select().from(applicationEvents).where(eq(applicationEvents.applicationId, id))).length;

    for (const c of [ou, oa]) {
      for (const res of [
        await c.post(`/api/applications/${id}/open`),
        await c.get(`/api/applications/${id}/history`),
        await c.post(`/api/applications/${id}/transitions/withdraw`),
        await c.post(`/api/applications/${id}/transitions/return`),
        await c.post(`/api/applications/${id}/transitions/forward`),
        await c.put(`/api/applications/${id}/opinions/return`, { text: 'x' }),
      ])
        expect([403, 404]).toContain(res.statusCode);
      expect((await c.post(`/api/applications/${id}/open`)).statusCode).toBe(404);
    }
    // the applicant cannot do the unit's work, the unit not the applicant's, the organizer neither before it is forwarded
    for (const res of [
      await ac.post(`/api/applications/${id}/transitions/return`),
      await ac.post(`/api/applications/${id}/transitions/forward`),
      await ac.put(`/api/applications/${id}/opinions/recommend`, { text: 'x' }),
      await ac.upload(`/api/applications/${id}/attachments`, 'recommend_report', 'r.pdf', pdfBytes()),
      await uc.post(`/api/applications/${id}/transitions/withdraw`),
      await uc.upload(`/api/applications/${id}/attachments`, 'political_review', 'p.pdf', pdfBytes()),
      await oc.post(`/api/applications/${id}/transitions/org-return`),
      await oc.put(`/api/applications/${id}/opinions/org`, { text: 'x' }),
      await uc.request('POST', `/api/applications/${id}/transitions/forward`, {}, { csrf: false }),
    ])
      expect([403, 409]).toContain(res.statusCode);
    // opening by the organizer before it is forwarded is reading, not 办理
    await oc.post(`/api/applications/${id}/open`);
    expect(await rowOf(id)).toEqual(before);
    expect((await t.s.db.select().from(applicationEvents).where(eq(applicationEvents.applicationId, id))).length).toBe(eventsBefore);
    expect(json<Detail>(await ac.get(`/api/applications/${id}`)).abilities.withdraw).toBe(true);
  });
});

describe('查询申报表', () => {
  it('filters, sorts, pages and counts within the unit’s own applications', async () => {
    const unit = await buildUnit(t.s);
    const uc = new Client(t.app);
    await uc.login(unit.username, unit.password);
    const names = ['阿依古丽', '王建国', '李明', '张伟'];
    const workUnits = ['新疆农业科学院', '新疆大学', '石河子大学', '新疆农业科学院植物保护研究所'];
    const ids: string[] = [];
    for (let i = 0; i < names.length; i++) {
      const a = await buildApplicant(t.s, { realName: names[i]! });
      const ac = new Client(t.app);
      await ac.login(a.username, a.password);
      const id = await readyApplication(t, a, ac, { form: completeForm({ name: names[i]!, workUnit: workUnits[i]! }) });
      await ac.post(`/api/applications/${id}/transitions/submit`, { unitId: unit.unit.id });
      ids.push(id);
    }
    // another unit's application never shows
    const other = await parties(t);
    const otherId = await readyApplication(t, other.applicant, other.ac);
    await other.ac.post(`/api/applications/${otherId}/transitions/submit`, { unitId: other.unit.unit.id });

    type Page = { rows: { id: string; number: string; applicantName: string; workUnit: string; statusLabel: string }[]; total: number };
    const all = json<Page>(await uc.get('/api/applications'));
    expect(all.total).toBe(4);
    expect(all.rows.map((r) => r.id)).not.toContain(otherId);
    const seqs = all.rows.map((r) => Number(r.number.replace('ZMKJ2023', '')));
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a)); // 申请书编号从高到低

    expect(json<Page>(await uc.get(`/api/applications?keyword=${encodeURIComponent('王建')}`)).rows.map((r) => r.applicantName)).toEqual(['王建国']);
    expect(json<Page>(await uc.get(`/api/applications?keyword=${all.rows[0]!.number}`)).total).toBe(1);
    expect(json<Page>(await uc.get(`/api/applications?workUnit=${encodeURIComponent('新疆农业科学院')}`)).total).toBe(2);
    const short = await uc.get(`/api/applications?workUnit=${encodeURIComponent('新疆')}`);
    expect(short.statusCode).toBe(400);
    expect(errorOf(short).message).toBe('工作单位：输入必须大于或等于4个字符');
    expect(json<Page>(await uc.get('/api/applications?year=2023')).total).toBe(4);
    expect(json<Page>(await uc.get('/api/applications?year=2022')).total).toBe(0);
    expect(json<Page>(await uc.get('/api/applications?year=全部')).total).toBe(4);
    await uc.post(`/api/applications/${ids[1]}/open`);
    await uc.put(`/api/applications/${ids[1]}/opinions/return`, { text: '补充材料' });
    await uc.post(`/api/applications/${ids[1]}/transitions/return`);
    expect(json<Page>(await uc.get('/api/applications?status=returned_to_applicant')).rows.map((r) => r.id)).toEqual([ids[1]]);
    expect(json<Page>(await uc.get('/api/applications?tab=pending')).total).toBe(3);
    expect(json<Page>(await uc.get('/api/applications?tab=handled')).rows.map((r) => r.id)).toEqual([ids[1]]);
    const byUnit = json<Page>(await uc.get('/api/applications?sort=workUnit'));
    expect(byUnit.rows.map((r) => r.workUnit)).toEqual(['石河子大学', '新疆大学', '新疆农业科学院', '新疆农业科学院植物保护研究所']); // pinyin order
    const byTime = json<Page>(await uc.get('/api/applications?sort=transferredAt'));
    expect(byTime.rows[0]!.id).toBe(ids[1]); // the latest transfer first
    const page2 = json<Page & { page: number }>(await uc.get('/api/applications?pageSize=3&page=2'));
    expect(page2.rows).toHaveLength(1);
    expect(page2.total).toBe(4);
    // a page past the end still says how many there are (the total then comes from a count of its own)
    const past = json<Page>(await uc.get('/api/applications?pageSize=3&page=3'));
    expect(past.rows).toHaveLength(0);
    expect(past.total).toBe(4);
    const pastFiltered = json<Page>(await uc.get(`/api/applications?workUnit=${encodeURIComponent('新疆农业科学院')}&pageSize=1&page=5`));
    expect([pastFiltered.rows.length, pastFiltered.total]).toEqual([0, 2]);
    // the organizer: a 工作单位 filter (total with the rows) and the whole list (total counted apart) agree with the unit's view
    const { oc } = other;
    const orgFiltered = json<Page>(await oc.get(`/api/applications?workUnit=${encodeURIComponent('新疆农业科学院')}&pageSize=1`));
    const submitted = and(isNull(applications.deletedAt), ne(applications.status, 'applicant'));
    const countWhere = async (where: SQL | undefined) => (await t.s.db.select({ n: count() }).from(applications).where(where))[0]!.n;
    expect(orgFiltered.rows).toHaveLength(1);
    expect(orgFiltered.total).toBe(await countWhere(and(submitted, ilike(applications.workUnit, '%新疆农业科学院%'))));
    expect(orgFiltered.total).toBeGreaterThanOrEqual(2);
    const orgAll = json<Page>(await oc.get('/api/applications?pageSize=1'));
    expect(orgAll.total).toBe(await countWhere(submitted));
    expect((await uc.get('/api/applications?sort=bogus')).statusCode).toBe(400);
    // an applicant has no 查询申报表
    expect((await other.ac.get('/api/applications')).statusCode).toBe(403);
  });
});
