// 最终评选结果 (issue 14, 4.–7.) through HTTP: the state with the candidates' attributes and merit (the meeting's
// result first, then the online rank), a bad pick's check lines, 按规则推荐 → 采用 → 确认, a confirmation refused naming
// every failing line with nothing changed, 重新打开, 结构分析, the settings' constraints validated, the final 公示 → an
// upheld 异议 → the replacement → ready to publish; only 自治区科协, everything else refused with the rows unchanged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asc, desc, eq } from 'drizzle-orm';
import type { BalanceReply, ProposalReply, SelectionState } from '../core/selection/api';
import { outbox, selectionEvents, selections } from './db/schema';
import { CAPTCHA, Client, json, startTestPlatform } from './testing/harness';
import { dayFromToday, parties } from './testing/journey';
import { expertWithProfile } from './testing/review';
import { fakeClosedRound, patchSettings, reviewedCandidates, type CandidateSpec, type MadeCandidate } from './testing/selection';

let t: Awaited<ReturnType<typeof startTestPlatform>>;
let p: Awaited<ReturnType<typeof parties>>;
let campaignId = '';
let c: MadeCandidate[] = [];
let unitClient: Client;
let expertClient: Client;
const url = (rest = '') => `/api/selection/campaigns/${campaignId}${rest}`;
const ids = (idx: number[]) => idx.map((i) => c[i]!.id);
const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

// 24 candidates ranked 1…24 online (total 95 down to 72). 院士: 0, 1, 2. 45岁以下 on 2026-05-30: 5, 10, 20 (born
// 1981-05-31: 44), 21 (born 1981-05-30: 45 on the reference day itself), 22, 23. Women: 3, 15.
const YOUTH = new Set([5, 10, 21, 22, 23]);
const specs: CandidateSpec[] = range(0, 23).map((i) => ({
  total: 95 - i,
  academician: i <= 2,
  birthDate: i === 21 ? '1981-05-30' : YOUTH.has(i) ? '1985-01-01' : i === 20 ? '1981-05-31' : '1970-06-01',
  gender: i === 3 || i === 15 ? '女' : '男',
  unit: i % 2,
}));

beforeAll(async () => {
  t = await startTestPlatform();
  p = await parties(t);
  await patchSettings(t, (s) => ({
    winners: 20,
    nationalRecommendees: 10,
    academicianMaxRatio: 0.1,
    youthMinRatio: 0.2,
    youthAgeLimit: 45,
    ageReferenceDate: '2026-05-30',
    selection: {
      ...s.selection,
      shortlistSize: 24,
      nationalsWithinWinners: true,
      constraints: [{ id: 'women', attribute: 'gender', value: '女', op: 'min', measure: 'count', bound: 2, of: 'winners' }],
    },
  }));
  const made = await reviewedCandidates(t, specs, { units: 2 });
  campaignId = made.campaignId;
  c = made.candidates;
  unitClient = new Client(t.app);
  await unitClient.login(made.units[0]!.username, made.units[0]!.password);
  expertClient = (await expertWithProfile(t)).client;
  const built = await p.oc.post(url('/shortlist/build'));
  if (built.statusCode !== 200) throw new Error(built.body);
  // the meeting: 23 elected with 9 赞成, 0 elected with 7, 1 not elected with 3 (of 10 present)
  await fakeClosedRound(t, campaignId, p.org.user.id, [
    { applicationId: c[23]!.id, winYes: 9, nationalYes: 8 },
    { applicationId: c[0]!.id, winYes: 7 },
    { applicationId: c[1]!.id, winYes: 3 },
  ]);
  // a later round on 全国推荐 only (win: null) leaves the 当选 votes as they were
  await fakeClosedRound(t, campaignId, p.org.user.id, [{ applicationId: c[1]!.id, winYes: null, nationalYes: 2 }]);
}, 180_000);

afterAll(async () => {
  await t?.close();
});

const state = async () => json<SelectionState>(await p.oc.get(url()));
const row = async () => (await t.s.db.select().from(selections).where(eq(selections.campaignId, campaignId)))[0];
const events = async () => t.s.db.select().from(selectionEvents).where(eq(selectionEvents.campaignId, campaignId)).orderBy(asc(selectionEvents.id));

describe('最终评选结果', () => {
  it('shows the pool with its attributes, merit from the meeting then the online rank, and the constraints', async () => {
    const s = await state();
    expect(s.status).toBe('draft');
    expect(s.version).toBe(0);
    expect(s.sizes).toEqual({ winners: 20, nationals: 10 });
    expect(s.candidates).toHaveLength(24);
    expect(s.candidates.slice(0, 4).map((x) => [x.name, x.merit, x.votes, x.electedWin])).toEqual([
      [c[23]!.name, 1, 9, true],
      [c[0]!.name, 2, 7, true],
      [c[1]!.name, 3, 3, false],
      [c[2]!.name, 4, null, false],
    ]);
    const of = (i: number) => s.candidates.find((x) => x.id === c[i]!.id)!;
    expect(of(23).electedNational).toBe(true);
    expect(of(0)).toMatchObject({ flags: { academician: true, youth: false, frontline: false }, onlineRankLabel: '第1' });
    expect(of(21)).toMatchObject({ age: 45, flags: { youth: true } });
    expect(of(20)).toMatchObject({ age: 44, flags: { youth: true } });
    expect(of(4)).toMatchObject({ age: 55, flags: { youth: false } });
    expect(of(3).values).toMatchObject({ gender: '女', ethnicity: '汉族', field: '经济主战场与成果转化', region: '喀什地区', unitType: '地州市科协' });
    expect(of(0).values.region).toBe('乌鲁木齐市');
    expect(s.constraints.map((x) => x.text)).toEqual(['院士 ≤ 10%', '45岁以下 ≥ 20%', expect.stringContaining('女')]);
    expect(s.readyToPublish).toEqual({ ready: false, reason: expect.stringContaining('最终评选结果尚未确认') });
  });

  it('checks a pick by hand: 院士 3/20 and 45岁以下 in red with the arithmetic; a stale version is refused', async () => {
    const pick = { winners: ids(range(0, 19)), nationals: ids(range(0, 9)), version: 0 };
    const res = await p.oc.put(url('/pick'), pick);
    expect(res.statusCode, res.body).toBe(200);
    const s = json<SelectionState>(res);
    expect(s.version).toBe(1);
    expect(s.check.ok).toBe(false);
    const line = (id: string) => s.check.lines.find((l) => l.constraintId === id)!;
    // 20 (born 1981-05-31) is 44, 21 is not picked: 5, 10, 20 under 45
    expect(line('academician')).toMatchObject({ ok: false, count: 3, text: '院士 3/20 = 15%，要求 ≤ 10%' });
    expect(line('youth')).toMatchObject({ ok: false, count: 2, text: '45岁以下 2/20 = 10%，要求 ≥ 20%' });
    expect(line('women')).toMatchObject({ ok: true, count: 2 });
    expect(s.check.sizeLines.every((l) => l.ok)).toBe(true);

    // two saves of the same version at once: one is taken, the other refused
    const both = await Promise.all([
      p.oc.put(url('/pick'), { ...pick, version: 1 }),
      p.oc.put(url('/pick'), { ...pick, version: 1, winners: ids(range(1, 20)) }),
    ]);
    expect(both.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    const racedVersion = 2;
    const restored = await p.oc.put(url('/pick'), { ...pick, version: racedVersion });
    expect(restored.statusCode, restored.body).toBe(200);
    expect(json<SelectionState>(restored).version).toBe(3);

    const before = await row();
    const stale = await p.oc.put(url('/pick'), { ...pick, winners: ids(range(1, 20)) });
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('请刷新页面后再操作');
    const outside = await p.oc.put(url('/pick'), { ...pick, version: 3, winners: [...ids(range(0, 18)), p.org.user.id] });
    expect(outside.statusCode).toBe(400);
    expect(outside.body).toContain('不在入围名单中');
    expect(await row()).toEqual(before);
  });

  it('refuses to confirm a failing pick, naming every failing line, with nothing changed', async () => {
    const before = await row();
    const eventsBefore = await events();
    const res = await p.oc.post(url('/confirm'), { version: 3 });
    expect(res.statusCode).toBe(409);
    const message = json<{ error: { message: string } }>(res).error?.message ?? res.body;
    expect(message).toContain('院士 3/20 = 15%，要求 ≤ 10%');
    expect(message).toContain('45岁以下 2/20 = 10%，要求 ≥ 20%');
    expect(message).not.toContain('女');
    expect(await row()).toEqual(before);
    expect(await events()).toEqual(eventsBefore);
  });

  it('proposes the best set that keeps every constraint, records it, accepts it and confirms it', async () => {
    const res = await p.oc.post(url('/propose'));
    expect(res.statusCode, res.body).toBe(200);
    const reply = json<ProposalReply>(res);
    expect(reply.proposal.feasible).toBe(true);
    if (!reply.proposal.feasible) return;
    // merit: 23, 0, 1, 2, 3, …; 2 is the third 院士; the fourth under 45 is 20, the best of 20, 21 and 22
    expect(new Set(reply.proposal.winners)).toEqual(new Set(ids([23, 0, 1, ...range(3, 18), 20])));
    expect(new Set(reply.proposal.nationals)).toEqual(new Set(ids([23, 0, 1, ...range(3, 9)])));
    expect(reply.proposal.explanations.join('\n')).toContain(c[2]!.name);
    expect(reply.proposal.explanations.join('\n')).toContain(c[20]!.name);
    const [recorded] = (await events()).filter((e) => e.action === 'propose');
    expect((recorded!.input as { setup: { candidates: unknown[] } }).setup.candidates).toHaveLength(24);
    expect(recorded!.output).toEqual(reply.proposal);
    expect((await state()).lastProposal?.eventId).toBe(reply.eventId);

    // a stale version cannot accept
    expect((await p.oc.post(url('/accept'), { version: 1 })).statusCode).toBe(409);
    const accepted = await p.oc.post(url('/accept'), { version: 3 });
    expect(accepted.statusCode, accepted.body).toBe(200);
    const s = json<SelectionState>(accepted);
    expect(s.pick.winners).toEqual(reply.proposal.winners);
    expect(s.check.ok).toBe(true);
    expect(s.check.lines.find((l) => l.constraintId === 'academician')!.text).toBe('院士 2/20 = 10%，要求 ≤ 10%');
    expect(s.check.lines.find((l) => l.constraintId === 'youth')!.text).toBe('45岁以下 4/20 = 20%，要求 ≥ 20%');

    const confirmed = await p.oc.post(url('/confirm'), { version: s.version });
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    const after = json<SelectionState>(confirmed);
    expect(after.status).toBe('confirmed');
    expect(after.confirmedAt).not.toBeNull();
    expect((await events()).map((e) => e.action)).toEqual(['pick', 'pick', 'pick', 'propose', 'accept', 'confirm']);
    // confirmed: no change by hand, no second confirmation
    expect((await p.oc.put(url('/pick'), { winners: [], nationals: [], version: after.version })).statusCode).toBe(409);
    expect((await p.oc.post(url('/confirm'), { version: after.version })).statusCode).toBe(409);
  });

  it('reopens with a reason and confirms again', async () => {
    const s = await state();
    const noReason = await p.oc.post(url('/reopen'), { version: s.version });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.body).toContain('请填写重新打开的理由');
    const reopened = await p.oc.post(url('/reopen'), { version: s.version, reason: '核对院士身份' });
    expect(reopened.statusCode, reopened.body).toBe(200);
    expect(json<SelectionState>(reopened).status).toBe('draft');
    const [last] = await t.s.db.select().from(selectionEvents).where(eq(selectionEvents.campaignId, campaignId)).orderBy(desc(selectionEvents.id)).limit(1);
    expect([last!.action, last!.reason]).toEqual(['reopen', '核对院士身份']);
    const again = await p.oc.post(url('/confirm'), { version: json<SelectionState>(reopened).version });
    expect(json<SelectionState>(again).status).toBe('confirmed');
  });

  it('gives the 结构分析 of the winners against the pool', async () => {
    const res = await p.oc.get(url('/balance'));
    expect(res.statusCode, res.body).toBe(200);
    const rows = json<BalanceReply>(res).rows;
    const find = (attribute: string, value: string) => rows.find((r) => r.attribute === attribute && r.value === value);
    expect(find('gender', '女')).toMatchObject({ shortlist: 2, chosen: 2, attributeLabel: '性别' });
    expect(rows.filter((r) => r.attribute === 'academician').map((r) => r.chosen)).toContain(2);
    expect(rows.some((r) => r.attribute === 'ageBand')).toBe(true);
  });

  it('refuses experts, units and applicants everything, with the rows unchanged', async () => {
    const before = [await row(), await events()];
    const s = await state();
    for (const client of [expertClient, unitClient, c[0]!.client]) {
      for (const [method, path, body] of [
        ['GET', '', undefined],
        ['GET', '/balance', undefined],
        ['PUT', '/pick', { winners: [], nationals: [], version: s.version }],
        ['POST', '/propose', undefined],
        ['POST', '/accept', { version: s.version }],
        ['POST', '/confirm', { version: s.version }],
        ['POST', '/reopen', { version: s.version, reason: '越权操作' }],
        ['POST', '/replacement', { applicationId: c[0]!.id }],
        ['POST', '/publicity', {}],
      ] as const) {
        const res = await client.request(method, url(path), body);
        expect([method, path, res.statusCode]).toEqual([method, path, 403]);
      }
    }
    expect((await new Client(t.app).get(url())).statusCode).toBe(401);
    expect([await row(), await events()]).toEqual(before);
  });

  it('validates the constraints in the campaign settings with a Chinese 400', async () => {
    const campaign = json<{ settings: Record<string, unknown> & { selection: Record<string, unknown> } }>(await p.oc.get(`/api/admin/campaigns/${campaignId}`));
    const bad = {
      settings: {
        ...campaign.settings,
        selection: {
          ...campaign.settings.selection,
          constraints: [{ id: 'x', attribute: 'gender', op: 'min', measure: 'share', bound: 1.5, of: 'winners', value: '女' }],
        },
      },
    };
    const res = await p.oc.put(`/api/admin/campaigns/${campaignId}`, bad);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('按比例的约束，界限应为0至1之间的小数');
    const noValue = await p.oc.put(`/api/admin/campaigns/${campaignId}`, {
      settings: {
        ...campaign.settings,
        selection: { ...campaign.settings.selection, constraints: [{ id: 'y', attribute: 'field', op: 'min', measure: 'count', bound: 1, of: 'winners' }] },
      },
    });
    expect(noValue.statusCode).toBe(400);
    expect(noValue.body).toContain('须指定一个取值，或选择“每一类”');
    expect(json<SelectionState>(await p.oc.get(url())).constraints).toHaveLength(3);
    // a good one is taken, and shows in the selection with its text; then the campaign's own again
    const good = await p.oc.put(`/api/admin/campaigns/${campaignId}`, {
      settings: {
        ...campaign.settings,
        selection: {
          ...campaign.settings.selection,
          constraints: [
            ...(campaign.settings.selection.constraints as unknown[]),
            { id: 'per-unit', attribute: 'unit', each: true, op: 'max', measure: 'count', bound: 12, of: 'winners' },
          ],
        },
      },
    });
    expect(good.statusCode, good.body).toBe(200);
    expect(json<SelectionState>(await p.oc.get(url())).constraints.map((x) => x.text)).toContain('每个推荐单位至多12人');
    expect((await p.oc.put(`/api/admin/campaigns/${campaignId}`, { settings: campaign.settings })).statusCode).toBe(200);
    expect(json<SelectionState>(await p.oc.get(url())).constraints).toHaveLength(3);
  });
});

describe('最终公示', () => {
  const notice = (winners: string[], period = { startsOn: dayFromToday(0), endsOn: dayFromToday(5) }) => ({
    title: '关于2026年度“新疆最美科技工作者”拟表彰人选的公示',
    ...period,
    contactName: '自治区科协人事处',
    contactPhone: '0991-6386020',
    objectionMethod: '请以实名书面形式反映，并提供联系方式。',
    entries: winners.map((applicationId) => ({ applicationId, summary: '长期扎根一线，成果突出。' })),
  });
  let publicityId = '';

  it('publishes the confirmed winners exactly, through the 公示 mechanism', async () => {
    const s = await state();
    const missing = await p.oc.post(url('/publicity'), notice(s.pick.winners.slice(1)));
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('最终公示的名单须与已确认的当选人员完全一致');
    expect(missing.body).toContain(`缺少：${s.candidates.find((x) => x.id === s.pick.winners[0])!.name}`);
    const res = await p.oc.post(url('/publicity'), notice(s.pick.winners));
    expect(res.statusCode, res.body).toBe(200);
    const after = json<SelectionState>(res);
    expect(after.finalPublicity).toMatchObject({ matchesPick: true, objectionsOpen: 0, phaseLabel: '公示中' });
    publicityId = after.finalPublicity!.id;
    expect(after.readyToPublish.ready).toBe(false);
    expect(after.readyToPublish.reason).toContain('公示期满且无异议后方可发布结果');
    // the public page lists them, as 自治区科协's
    const page = await new Client(t.app).get(`/api/public/publicities/${publicityId}`);
    expect(page.statusCode).toBe(200);
    expect(json<{ publisher: string; entries: unknown[] }>(page)).toMatchObject({ publisher: '自治区科协' });
    expect(json<{ entries: unknown[] }>(page).entries).toHaveLength(20);
    // a second one while it stands is refused
    expect((await p.oc.post(url('/publicity'), notice(s.pick.winners))).statusCode).toBe(409);
  });

  it('an upheld 异议 about a winner: the selection shows it, the replacement keeps every constraint, accepting it asks for confirmation again', async () => {
    const anon = new Client(t.app);
    await anon.get('/api/captcha');
    const mobile = '13912345678';
    expect((await anon.post('/api/public/phone-codes', { mobile, captcha: CAPTCHA })).statusCode).toBe(200);
    const [sms] = await t.s.db.select().from(outbox).where(eq(outbox.recipient, mobile)).orderBy(desc(outbox.id)).limit(1);
    const code = /验证码 (\d{6})/.exec(sms!.body)![1]!;
    const s0 = await state();
    // winner 5 is under 45: the replacement must keep 45岁以下 at 4/20
    const target = c[5]!;
    const page = json<{ entries: { position: number; name: string }[] }>(await anon.get(`/api/public/publicities/${publicityId}`));
    const entry = page.entries.find((e) => e.name === target.name)!.position;
    const sent = await anon.post(`/api/public/publicities/${publicityId}/objections`, {
      name: '张三',
      mobile,
      code,
      entry,
      content: '该候选人事迹材料与实际不符。',
    });
    expect(sent.statusCode, sent.body).toBe(200);
    let s = await state();
    expect(s.finalPublicity!.objectionsOpen).toBe(1);
    expect(s.readyToPublish.reason).toContain('尚未核实');
    const [objection] = json<{ id: string }[]>(await p.oc.get(`/api/objections?publicityId=${publicityId}`));
    const decided = await p.oc.put(`/api/objections/${objection!.id}/decision`, { conclusion: 'upheld', finding: '经核实，事迹材料有误。' });
    expect(decided.statusCode, decided.body).toBe(200);

    s = await state();
    expect(s.removals).toEqual([{ applicationId: target.id, name: target.name, finding: '经核实，事迹材料有误。', stillPicked: true }]);
    expect(s.candidates.find((x) => x.id === target.id)!.objectionUpheld).toBe(true);
    expect(s.readyToPublish.reason).toContain(`关于${target.name}的公示异议经核实成立`);

    // only a removed winner can be replaced
    expect((await p.oc.post(url('/replacement'), { applicationId: c[0]!.id })).statusCode).toBe(400);
    const res = await p.oc.post(url('/replacement'), { applicationId: target.id });
    expect(res.statusCode, res.body).toBe(200);
    const reply = json<ProposalReply>(res);
    expect(reply.action).toBe('replace');
    if (!reply.proposal.feasible) throw new Error(reply.proposal.reasons.join('；'));
    const others = s0.pick.winners.filter((id) => id !== target.id);
    expect(reply.proposal.winners).not.toContain(target.id);
    for (const id of others) expect(reply.proposal.winners).toContain(id);
    // the one who comes in keeps 45岁以下 at 4/20: 21, the next under 45 (19, next in merit, is not)
    expect(reply.proposal.winners.filter((id) => !others.includes(id))).toEqual([c[21]!.id]);
    const [recorded] = (await events()).filter((e) => e.action === 'replace');
    expect(recorded!.input).toMatchObject({ removed: target.id, fixed: { exclude: [target.id] } });

    const accepted = await p.oc.post(url('/accept'), { version: s.version });
    expect(accepted.statusCode, accepted.body).toBe(200);
    s = json<SelectionState>(accepted);
    expect(s.status).toBe('draft');
    expect(s.check.ok).toBe(true);
    expect(s.removals[0]!.stillPicked).toBe(false);
    expect(s.finalPublicity!.matchesPick).toBe(false);
    expect(s.readyToPublish.reason).toContain('尚未确认');
    // confirmed again, the old 公示 no longer matches it
    s = json<SelectionState>(await p.oc.post(url('/confirm'), { version: s.version }));
    expect(s.status).toBe('confirmed');
    expect(s.readyToPublish.reason).toContain('最终公示的名单与已确认的评选结果不一致');
  });

  it('is ready to publish once a 公示 of the confirmed list has ended with no open objection', async () => {
    expect((await p.oc.post(`/api/publicities/${publicityId}/withdraw`, { reason: '按递补后的名单重新公示' })).statusCode).toBe(200);
    const s = await state();
    const res = await p.oc.post(url('/publicity'), notice(s.pick.winners, { startsOn: dayFromToday(-7), endsOn: dayFromToday(-1) }));
    expect(res.statusCode, res.body).toBe(200);
    const after = json<SelectionState>(res);
    expect(after.finalPublicity).toMatchObject({ matchesPick: true, phaseLabel: '已结束' });
    expect(after.readyToPublish).toEqual({ ready: true, reason: null });
  });
});
