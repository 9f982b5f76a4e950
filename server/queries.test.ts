// 查询申报表: pinyin order of the 工作单位 and 推荐单位 sorts in both directions, and the exact 申请书编号 search
// (issue 11, items 7 and 8b). Runs on PGlite and, with TEST_DATABASE_URL, on PostgreSQL: the order must be the same.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { applications, applicationUnits, campaigns } from './db/schema';
import { buildApplicant, buildApplication, buildOrganizer, buildUnit, completeForm } from './testing/factories';
import { Client, json, startTestPlatform } from './testing/harness';

let t: Awaited<ReturnType<typeof startTestPlatform>>;
let oc: Client;
beforeAll(async () => {
  t = await startTestPlatform();
  const org = await buildOrganizer(t.s);
  oc = new Client(t.app);
  await oc.login(org.username, org.password);
});
afterAll(async () => t?.close());

type Page = { rows: { id: string; number: string; workUnit: string; unitName: string | null }[]; total: number };
const get = async (c: Client, query: Record<string, string>) => {
  const res = await c.get(`/api/applications?${new URLSearchParams(query)}`);
  expect(res.statusCode, res.body).toBe(200);
  return json<Page>(res);
};

/** A saved application (through 保存, which writes the sort key) put at a unit as if 提交 had run. */
async function atUnit(unitId: string, workUnit: string) {
  const a = await buildApplicant(t.s);
  const d = await buildApplication(t.s, a.user, { form: completeForm({ name: a.user.realName, workUnit }) });
  await t.s.db.update(applications).set({ status: 'submitted_to_unit', unitId, transferredAt: new Date() }).where(eq(applications.id, d.id));
  await t.s.db.insert(applicationUnits).values({ applicationId: d.id, unitId });
  return { id: d.id, number: d.number };
}

describe('查询申报表 sorts by pinyin', () => {
  it('工作单位: A→Z by pinyin (not by character code), reversed by order=desc, as the unit and as the organizer', async () => {
    const unit = await buildUnit(t.s);
    const uc = new Client(t.app);
    await uc.login(unit.username, unit.password);
    // pinyin order; by character code 中 (U+4E2D) < 伊 (U+4F0A) < 喀 < 新 < 石 < 阿 (U+963F)
    const expected = [
      '阿克苏地区拼音测试医院',
      '喀什地区拼音测试医院',
      '石河子拼音测试大学',
      '新疆农业科学院拼音测试所',
      '伊犁哈萨克自治州拼音测试医院',
      '中国科学院新疆分院拼音测试所',
    ];
    for (const w of [expected[4]!, expected[1]!, expected[5]!, expected[0]!, expected[3]!, expected[2]!]) await atUnit(unit.unit.id, w);

    const asc = await get(uc, { sort: 'workUnit' });
    expect(asc.rows.map((r) => r.workUnit)).toEqual(expected);
    expect((await get(uc, { sort: 'workUnit', order: 'asc' })).rows.map((r) => r.workUnit)).toEqual(expected);
    expect((await get(uc, { sort: 'workUnit', order: 'desc' })).rows.map((r) => r.workUnit)).toEqual([...expected].reverse());
    // pages follow the same order
    const p2 = await get(uc, { sort: 'workUnit', pageSize: '4', page: '2' });
    expect(p2.rows.map((r) => r.workUnit)).toEqual(expected.slice(4));

    const filter = { workUnit: '拼音测试', sort: 'workUnit' };
    expect((await get(oc, filter)).rows.map((r) => r.workUnit)).toEqual(expected);
    expect((await get(oc, { ...filter, order: 'desc' })).rows.map((r) => r.workUnit)).toEqual([...expected].reverse());
  });

  it('推荐单位: A→Z by pinyin with polyphones read in context, reversed by order=desc; no 推荐单位 last either way', async () => {
    // 重庆 chóng, 银行 háng, 长江 cháng; by character code 中 < 长 < 重 < 银 < 阿
    const names = ['阿勒泰拼排科协', '长江拼排研究所', '中国银行拼排分行', '银河拼排研究所', '重庆拼排科协'];
    const expected = ['阿勒泰拼排科协', '长江拼排研究所', '重庆拼排科协', '银河拼排研究所', '中国银行拼排分行'];
    for (const name of names) {
      const u = await buildUnit(t.s, { name });
      await atUnit(u.unit.id, `拼排工作单位${name}`);
    }
    // an application with no 推荐单位 (as after a data fix): sorts last in both directions
    const orphan = await atUnit((await buildUnit(t.s, { name: '拼排孤儿单位' })).unit.id, '拼排工作单位无单位');
    await t.s.db.update(applications).set({ unitId: null }).where(eq(applications.id, orphan.id));

    const filter = { workUnit: '拼排工作单位', sort: 'unit' };
    const asc = await get(oc, filter);
    expect(asc.rows.map((r) => r.unitName)).toEqual([...expected, null]);
    expect((await get(oc, { ...filter, order: 'asc' })).rows.map((r) => r.unitName)).toEqual([...expected, null]);
    expect((await get(oc, { ...filter, order: 'desc' })).rows.map((r) => r.unitName)).toEqual([...[...expected].reverse(), null]);
  });

  it('申请书编号 and 转交时间 keep their default direction and reverse on request; a bad order is refused in Chinese', async () => {
    const unit = await buildUnit(t.s);
    const uc = new Client(t.app);
    await uc.login(unit.username, unit.password);
    for (const w of ['第一个', '第二个', '第三个']) await atUnit(unit.unit.id, `方向测试${w}`);
    const seqs = (p: Page) => p.rows.map((r) => Number(r.number.replace(/^[A-Z]+\d{4}/, '')));
    const byNumber = seqs(await get(uc, {}));
    expect(byNumber).toEqual([...byNumber].sort((a, b) => b - a)); // 申请书编号从高到低
    expect(seqs(await get(uc, { order: 'asc' }))).toEqual([...byNumber].reverse());
    expect(seqs(await get(uc, { sort: 'number', order: 'desc' }))).toEqual(byNumber);
    const byTime = (await get(uc, { sort: 'transferredAt' })).rows.map((r) => r.id);
    expect((await get(uc, { sort: 'transferredAt', order: 'asc' })).rows.map((r) => r.id)).toEqual([...byTime].reverse());

    const bad = await uc.get('/api/applications?order=up');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/^排序方向：/);
  });
});

describe('查询申报表 finds a whole 申请书编号 exactly', () => {
  it('ZMKJ2023<n> finds that one, not ZMKJ2023<n>0…; a partial number or a name still matches by substring', async () => {
    const unit = await buildUnit(t.s);
    const uc = new Client(t.app);
    await uc.login(unit.username, unit.password);
    const first = await atUnit(unit.unit.id, '编号测试单位');
    const seq = Number(first.number.replace(/^[A-Z]+\d{4}/, ''));
    // the next number is first's with a 0 appended: ZMKJ20231 → ZMKJ202310
    await t.s.db
      .update(campaigns)
      .set({ nextSeq: seq * 10 })
      .where(sql`true`);
    const longer = await atUnit(unit.unit.id, '编号测试单位');
    expect(longer.number).toBe(`${first.number}0`);

    for (const c of [uc, oc]) {
      expect((await get(c, { keyword: first.number })).rows.map((r) => r.id)).toEqual([first.id]);
      expect((await get(c, { keyword: first.number.toLowerCase() })).rows.map((r) => r.id)).toEqual([first.id]);
      expect((await get(c, { keyword: longer.number })).rows.map((r) => r.id)).toEqual([longer.id]);
    }
    // a partial keyword (the program and year only, or digits alone) keeps the substring search
    const partial = await get(uc, { keyword: first.number.slice(0, 8) });
    expect(partial.rows.map((r) => r.id).sort()).toEqual([first.id, longer.id].sort());
    const digits = await get(uc, { keyword: first.number.slice(4) });
    expect(digits.rows.map((r) => r.id).sort()).toEqual([first.id, longer.id].sort());
  });
});
