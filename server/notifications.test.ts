import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, inArray } from 'drizzle-orm';
import { notifications } from './db/schema';
import { buildApplicant, buildUnit } from './testing/factories';
import { Client, json, startTestPlatform } from './testing/harness';
import { parties, prepareForward, readyApplication } from './testing/journey';

let t: Awaited<ReturnType<typeof startTestPlatform>>;
beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(async () => t?.close());

type Item = { id: number; applicationId: string | null; body: string; createdAt: string; read: boolean };
type Inbox = { items: Item[]; unread: number };
const errorOf = (res: { json(): unknown }) => (res.json() as { error: { code: string; message: string } }).error;
const inbox = async (c: Client) => json<Inbox>(await c.get('/api/notifications'));
const about = (box: Inbox, applicationId: string) => box.items.filter((n) => n.applicationId === applicationId);
const rowsOf = (ids: number[]) => t.s.db.select().from(notifications).where(inArray(notifications.id, ids)).orderBy(notifications.id);

/**
 * One application through every kind of receiver: 提交 (unit), 退回 (applicant), 重新提交 (unit),
 * 提交到自治区科协 (organizers), 自治区科协退回 (unit). Returns the parties and the application.
 */
async function journey() {
  const p = await parties(t);
  const { ac, uc, oc, unit } = p;
  const id = await readyApplication(t, p.applicant, ac);
  const ok = async (res: Promise<{ statusCode: number; body: string }>) => {
    const r = await res;
    if (r.statusCode !== 200) throw new Error(r.body);
  };
  await ok(ac.post(`/api/applications/${id}/transitions/submit`, { unitId: unit.unit.id }));
  await ok(uc.post(`/api/applications/${id}/open`));
  await ok(uc.put(`/api/applications/${id}/opinions/return`, { text: '请补充数据来源。' }));
  await ok(uc.post(`/api/applications/${id}/transitions/return`));
  await ok(ac.post(`/api/applications/${id}/transitions/submit`, {}));
  await prepareForward(uc, id); // 办理, 初评 通过, 推荐单位意见, the three scans
  await ok(uc.post(`/api/applications/${id}/transitions/forward`));
  await ok(oc.post(`/api/applications/${id}/open`));
  await ok(oc.put(`/api/applications/${id}/opinions/org`, { text: '推荐报告缺少盖章。' }));
  await ok(oc.post(`/api/applications/${id}/transitions/org-return`));
  return { ...p, id };
}

describe('in-app messages: GET /api/notifications and POST /api/notifications/read', () => {
  it('reach the receiver of each transfer, and GET counts the unread', async () => {
    const { ac, uc, oc, unit, id } = await journey();

    const a = await inbox(ac);
    expect(about(a, id).map((n) => n.body)).toEqual([expect.stringContaining(`${unit.unit.name}对申请书`)]);
    expect(about(a, id)[0]!.body).toContain('【退回】');
    expect(about(a, id)[0]!.body).toContain(`[${unit.unit.name}]退回到[申报人]`);

    const u = await inbox(uc);
    const unitBodies = about(u, id).map((n) => n.body); // newest first
    expect(unitBodies).toHaveLength(3);
    expect(unitBodies[0]).toContain(`当前状态：[自治区科协]退回到[${unit.unit.name}]`);
    expect(unitBodies[1]).toContain(`当前状态：[申报人]提交到[${unit.unit.name}]`);
    expect(unitBodies[2]).toContain(`当前状态：[申报人]提交到[${unit.unit.name}]`);

    const o = await inbox(oc);
    expect(about(o, id).map((n) => n.body)).toEqual([expect.stringContaining(`当前状态：[${unit.unit.name}]提交到[自治区科协]`)]);

    for (const box of [a, u, o]) {
      expect(box.items.every((n) => n.read === false)).toBe(true);
      expect(box.unread).toBe(box.items.length);
      expect(box.items.map((n) => n.id)).toEqual([...box.items.map((n) => n.id)].sort((x, y) => y - x));
    }

    // a colleague account of the same unit sees the unit's messages; another applicant sees none of them
    const other = await buildApplicant(t.s);
    const oa = new Client(t.app);
    await oa.login(other.username, other.password);
    expect(await inbox(oa)).toEqual({ items: [], unread: 0 });
    const otherUnit = await buildUnit(t.s);
    const ou = new Client(t.app);
    await ou.login(otherUnit.username, otherUnit.password);
    expect(about(await inbox(ou), id)).toEqual([]);
  });

  it('POST marks the given ids read (numbers or strings), then all; read_at is set once', async () => {
    const { uc, id } = await journey();
    const before = await inbox(uc);
    const mine = about(before, id);
    expect(mine).toHaveLength(3);
    expect(before.unread).toBe(3);

    let res = await uc.post('/api/notifications/read', { ids: [mine[0]!.id] });
    expect(res.statusCode).toBe(200);
    expect(json(res)).toEqual({ updated: 1, unread: 2 });
    let after = await inbox(uc);
    expect(after.unread).toBe(2);
    expect(about(after, id).map((n) => n.read)).toEqual([true, false, false]);
    const [first] = await rowsOf([mine[0]!.id]);
    expect(first!.readAt).toBeInstanceOf(Date);

    res = await uc.post('/api/notifications/read', { ids: [String(mine[1]!.id)] });
    expect(json(res)).toEqual({ updated: 1, unread: 1 });

    // an empty list marks nothing
    expect(json(await uc.post('/api/notifications/read', { ids: [] }))).toEqual({ updated: 0, unread: 1 });

    // no ids: all of the user's; already read ones keep their first read_at
    res = await uc.post('/api/notifications/read');
    expect(json(res)).toEqual({ updated: 1, unread: 0 });
    after = await inbox(uc);
    expect(after.unread).toBe(0);
    expect(after.items.every((n) => n.read)).toBe(true);
    const [again] = await rowsOf([mine[0]!.id]);
    expect(again!.readAt).toEqual(first!.readAt);
    expect(json(await uc.post('/api/notifications/read', {}))).toEqual({ updated: 0, unread: 0 });
  });

  it('ignores the ids of messages the user may not see: those rows stay unread', async () => {
    const { ac, oc, uc, id } = await journey();
    const theirs = [...about(await inbox(ac), id), ...about(await inbox(uc), id), ...about(await inbox(oc), id)].map((n) => n.id);
    expect(theirs).toHaveLength(5);

    // another applicant and another unit, with the ids, and with "all"
    const other = await buildApplicant(t.s);
    const oa = new Client(t.app);
    await oa.login(other.username, other.password);
    const otherUnit = await buildUnit(t.s);
    const ou = new Client(t.app);
    await ou.login(otherUnit.username, otherUnit.password);
    for (const c of [oa, ou]) {
      expect(json(await c.post('/api/notifications/read', { ids: theirs }))).toMatchObject({ updated: 0 });
      expect(json(await c.post('/api/notifications/read', { ids: theirs.map(String) }))).toMatchObject({ updated: 0 });
      await c.post('/api/notifications/read');
    }
    // the applicant may not mark the unit's or the organizers' messages, nor the unit the applicant's
    const applicantIds = about(await inbox(ac), id).map((n) => n.id);
    const others = theirs.filter((n) => !applicantIds.includes(n));
    expect(json(await ac.post('/api/notifications/read', { ids: others }))).toMatchObject({ updated: 0 });
    expect(json(await uc.post('/api/notifications/read', { ids: applicantIds }))).toMatchObject({ updated: 0 });

    const rows = await rowsOf(theirs);
    expect(rows).toHaveLength(5);
    expect(rows.every((r) => r.readAt === null)).toBe(true);
    expect((await inbox(ac)).unread).toBeGreaterThan(0);

    // the applicant's own id, in the same request as the others', marks only its own
    expect(json(await ac.post('/api/notifications/read', { ids: theirs }))).toMatchObject({ updated: applicantIds.length, unread: 0 });
    const [own] = await rowsOf(applicantIds);
    expect(own!.readAt).not.toBeNull();
    expect((await rowsOf(others)).every((r) => r.readAt === null)).toBe(true);
  });

  it('refuses anonymous requests, a missing CSRF token and malformed ids, changing nothing', async () => {
    const { uc, id } = await journey();
    const ids = about(await inbox(uc), id).map((n) => n.id);

    const anon = new Client(t.app);
    const anonGet = await anon.get('/api/notifications');
    expect(anonGet.statusCode).toBe(401);
    expect(errorOf(anonGet).code).toBe('UNAUTHENTICATED');
    const anonPost = await anon.post('/api/notifications/read', { ids });
    expect(anonPost.statusCode).toBe(401);

    const noCsrf = await uc.request('POST', '/api/notifications/read', { ids }, { csrf: false });
    expect(noCsrf.statusCode).toBe(403);
    expect(errorOf(noCsrf).code).toBe('CSRF');
    const forged = await uc.request('POST', '/api/notifications/read', {}, { csrf: false, headers: { 'x-csrf-token': 'forged' } });
    expect(forged.statusCode).toBe(403);

    for (const body of [{ ids: 'all' }, { ids: ['abc'] }, { ids: [-1] }, { ids: [1.5] }, { ids: ['99999999999999999999'] }]) {
      const res = await uc.post('/api/notifications/read', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(errorOf(res).code).toBe('VALIDATION');
      expect(errorOf(res).message).toContain('消息编号');
    }

    expect((await rowsOf(ids)).every((r) => r.readAt === null)).toBe(true);
    expect((await t.s.db.select().from(notifications).where(eq(notifications.applicationId, id))).every((r) => r.readAt === null)).toBe(true);
  });
});
