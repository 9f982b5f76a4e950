import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ADMIN_PASSWORD, answerDialog, e2eSuite, login, look, open, settled, shot } from './harness';
import { ApiClient, EXPERT_PASSWORD, shortlistedCampaign } from './api';

// Issue 14 item 3 in Chromium: the further rounds. Two places for 当选 and one for 全国推荐; four candidates, 乙 and 丙
// tied in the online ranking (the same scores). Round 1: 甲 passes with 3 赞成, 乙 and 丙 with 2 each — a tie at the
// boundary of the second place (same votes, same online rank), so the page offers a 同票决选 between the two. In
// it neither reaches the threshold (more than half of three: 2): the place stays open, and the page offers a 补选
// among the rest of the 入围名单, where 丁 is elected.
const NAMES = ['甲阿依江', '乙古丽娜', '丙德力夏提', '丁美丽'] as const;
const [A, B, C, D] = NAMES;
const SCORES = [90, 85, 85, 70];
const EXPERTS = [
  { name: '马晓东', workUnit: '新疆大学', mobile: '13999227701' },
  { name: '古力巴哈', workUnit: '石河子大学', mobile: '13999227702' },
  { name: '王立新', workUnit: '新疆农业大学', mobile: '13999227703' },
] as const;
const WIN = '当选“新疆最美科技工作者”';
const NATIONAL = '推荐为全国“最美科技工作者”人选';
type Choice = '赞成' | '反对' | '弃权';

let campaignId = '';
let admin: ApiClient;
const ids = new Map<string, string>();
const e2e = e2eSuite({
  async setup(platform) {
    admin = new ApiClient(platform.url);
    await admin.login('admin', ADMIN_PASSWORD);
    const set = await shortlistedCampaign(platform.url, admin, {
      settings: { winners: 2, nationalRecommendees: 1 },
      units: [
        ['阿克苏地区科学技术协会', '阿克苏地区'],
        ['和田地区科学技术协会', '和田地区'],
      ],
      candidates: NAMES.map((name, i) => ({ name, score: SCORES[i] })),
      experts: EXPERTS,
      tag: 'rnd',
    });
    campaignId = set.campaignId;
    NAMES.forEach((n, i) => ids.set(n, set.ids[i]!));
  },
});

/** Logged in, past the login page, on `path`. */
async function signedIn(page: Page, username: string, password: string, path: string): Promise<void> {
  await login(page, username, password);
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  await page.goto(`${e2e.platform.url}${path}`);
}

/** One expert's ballot: the choice per candidate and question given, then 【提交选票】. */
async function vote(page: Page, choices: Partial<Record<string, { win?: Choice; national?: Choice }>>): Promise<void> {
  for (const [name, c] of Object.entries(choices)) {
    if (c?.win)
      await page
        .getByRole('radiogroup', { name: `${name}：${WIN}` })
        .getByText(c.win, { exact: true })
        .click();
    if (c?.national)
      await page
        .getByRole('radiogroup', { name: `${name}：${NATIONAL}` })
        .getByText(c.national, { exact: true })
        .click();
  }
  await page.getByRole('button', { name: '提交选票', exact: true }).click();
  await answerDialog(page, '提交选票');
  await page.getByText('已提交').first().waitFor();
}

/** Every expert votes as given (one entry per expert), the organizer's 计票 counting each ballot. */
async function everyoneVotes(org: Page, experts: Page[], ballots: Partial<Record<string, { win?: Choice; national?: Choice }>>[]) {
  for (const [i, p] of experts.entries()) {
    await vote(p, ballots[i]!);
    await org.getByText(`已提交选票 ${i + 1} 份`).waitFor();
  }
}

/** 结束第n轮投票, confirmed in the dialog; the round's 计票结果 shown. */
async function closeRound(org: Page, n: number, purpose: string): Promise<void> {
  await org.getByRole('button', { name: `结束第${n}轮投票` }).click();
  await answerDialog(org, '结束本轮投票');
  await org.getByText(`第${n}轮（${purpose}）计票结果`).first().waitFor();
}

/** The next round's start, as the page offers it after a close; the experts' pages then show its ballot. */
async function startNext(org: Page, n: number, offer: string, experts: Page[], first: string): Promise<void> {
  const alert = org.getByRole('alert').filter({ hasText: offer });
  await alert.waitFor();
  await alert.getByRole('button', { name: `开始第${n}轮投票` }).click();
  await org.getByText(`计票：第${n}轮`).first().waitFor();
  for (const p of experts) {
    await p.reload();
    await p.getByRole('radiogroup', { name: `${first}：${WIN}` }).waitFor();
  }
}

interface RoundsReply {
  meeting: {
    rounds: {
      number: number;
      purpose: string;
      status: string;
      result: { elected: { win: string[]; national: string[] }; tied: { win: string[] }; next: { purpose: string; candidates: string[] } | null } | null;
    }[];
  };
}

describe('集中评选: a 同票决选 round among the tied, then a 补选 round when too few pass', () => {
  it('the page offers each further round after the close that calls for it, and the last one elects', async () => {
    const org = await open(e2e);
    await signedIn(org, 'admin', ADMIN_PASSWORD, '/admin/meeting');
    await org.getByRole('button', { name: /召开集中评选会议/ }).click();
    await org.getByRole('button', { name: '开始第1轮投票' }).click();
    await org.getByText('计票：第1轮').first().waitFor();

    const experts: Page[] = [];
    for (const x of EXPERTS) {
      const p = await open(e2e);
      await signedIn(p, x.mobile, EXPERT_PASSWORD, '/zmkj/meeting');
      await p.getByRole('button', { name: '签到', exact: true }).click();
      await p.getByRole('radiogroup', { name: `${A}：${WIN}` }).waitFor();
      experts.push(p);
    }
    await settled(experts[1]!);
    await look(experts[1]!, 'meeting-rounds-ballot-desktop');

    // round 1: 甲 3 赞成 on both; 乙 and 丙 2 赞成 each on 当选 (the third expert against each, in turn); 丁 反对
    const round1 = (against: string) =>
      Object.fromEntries(
        NAMES.map((n) => [
          n,
          { win: n === A ? '赞成' : n === D || n === against ? '反对' : '赞成', national: n === A ? '赞成' : '反对' } as { win: Choice; national: Choice },
        ]),
      );
    await everyoneVotes(org, experts, [round1(B), round1(C), round1(D)]);
    await closeRound(org, 1, '第一轮投票');
    await org.getByText('尚需同票决选（候选人2人）').first().waitFor();
    const result1 = org.locator('.ant-card', { hasText: '第1轮（第一轮投票）计票结果' });
    for (const n of [B, C]) await result1.locator('tr', { hasText: n }).getByText('同票待决选').waitFor();
    await result1.locator('tr', { hasText: A }).getByText('当选').first().waitFor();
    let state = await admin.call<RoundsReply>('GET', `/api/meeting/campaigns/${campaignId}`);
    expect(state.meeting.rounds[0]!.result!.elected.win).toEqual([ids.get(A)]);
    expect(state.meeting.rounds[0]!.result!.elected.national).toEqual([ids.get(A)]);
    expect([...state.meeting.rounds[0]!.result!.tied.win].sort()).toEqual([ids.get(B)!, ids.get(C)!].sort());
    await settled(org);
    await shot(org, 'meeting-rounds-tie');

    // round 2, 同票决选 between 乙 and 丙 on 当选 alone: one 赞成 each — neither passes
    await startNext(org, 2, '下一轮：同票决选，候选人2人', experts, B);
    for (const p of experts) {
      expect(await p.getByRole('radiogroup', { name: `${A}：${WIN}` }).count()).toBe(0);
      expect(await p.getByRole('radiogroup', { name: `${B}：${NATIONAL}` }).count()).toBe(0);
    }
    await everyoneVotes(org, experts, [
      { [B]: { win: '赞成' }, [C]: { win: '反对' } },
      { [B]: { win: '反对' }, [C]: { win: '赞成' } },
      { [B]: { win: '弃权' }, [C]: { win: '弃权' } },
    ]);
    await closeRound(org, 2, '同票决选');
    await org.getByText('尚需补选（候选人3人）').first().waitFor();

    // round 3, 补选 among the rest of the 入围名单 (not 甲, elected): 丁 3 赞成, elected
    await startNext(org, 3, '下一轮：补选，候选人3人', experts, B);
    const round3 = Object.fromEntries([B, C, D].map((n) => [n, { win: (n === D ? '赞成' : '反对') as Choice }]));
    await everyoneVotes(org, experts, [round3, round3, round3]);
    await closeRound(org, 3, '补选');
    await org.getByText('本轮后各项名额均已产生').first().waitFor();
    state = await admin.call<RoundsReply>('GET', `/api/meeting/campaigns/${campaignId}`);
    expect(state.meeting.rounds.map((r) => [r.number, r.purpose, r.status])).toEqual([
      [1, 'main', 'closed'],
      [2, 'tiebreak', 'closed'],
      [3, 'fill', 'closed'],
    ]);
    expect(state.meeting.rounds[1]!.result!.elected.win).toEqual([]);
    expect(state.meeting.rounds[2]!.result!.elected.win).toEqual([ids.get(D)]);
    expect(state.meeting.rounds[2]!.result!.next).toBeNull();
    // nothing further is offered
    expect(await org.getByRole('button', { name: '开始第4轮投票' }).count()).toBe(0);
    await settled(org);
    await look(org, 'meeting-rounds-done');
  });
});
