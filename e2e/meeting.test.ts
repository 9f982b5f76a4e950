import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ADMIN_PASSWORD, answerDialog, e2eSuite, login, look, open, settled, shot, SHOTS } from './harness';
import { ApiClient, EXPERT_PASSWORD, shortlistedCampaign } from './api';

// Issue 14 items 2–3 in Chromium: the 集中评选 meeting. 自治区科协 opens it and starts round 1 on the 入围名单; three
// experts, each in a browser of their own (one on a phone), 签到 and vote; the organizer's 计票 changes as each
// ballot is submitted, without a reload (Server-Sent Events); closing the round applies the threshold (more than
// half of the three present) and elects the four with three 赞成.
const PHONE = { width: 390, height: 844 };
const NAMES = ['阿丽米拉', '孙德胜', '郑晓燕', '艾尔肯', '刘海波', '热娜古丽'] as const;
const EXPERTS = [
  { name: '周文博', workUnit: '新疆师范大学', mobile: '13999229901' },
  { name: '韩雪', workUnit: '新疆医科大学', mobile: '13999229902' },
  { name: '吐尔逊', workUnit: '塔里木大学', mobile: '13999229903' },
] as const;
const WIN = '当选“新疆最美科技工作者”';
const NATIONAL = '推荐为全国“最美科技工作者”人选';

let campaignId = '';
let admin: ApiClient;
const e2e = e2eSuite({
  async setup(platform) {
    admin = new ApiClient(platform.url);
    await admin.login('admin', ADMIN_PASSWORD);
    ({ campaignId } = await shortlistedCampaign(platform.url, admin, {
      settings: { winners: 4, nationalRecommendees: 2 },
      units: [
        ['博尔塔拉蒙古自治州科学技术协会', '博尔塔拉蒙古自治州'],
        ['巴音郭楞蒙古自治州科学技术协会', '巴音郭楞蒙古自治州'],
      ],
      candidates: NAMES.map((name) => ({ name })),
      experts: EXPERTS,
      tag: 'meet',
    }));
  },
});

/** Logged in, past the login page, on `path`. */
async function signedIn(page: Page, username: string, password: string, path: string): Promise<void> {
  await login(page, username, password);
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  await page.goto(`${e2e.platform.url}${path}`);
}

/** The expert's ballot: 赞成 on 当选 for the first four, on 全国推荐 for the first two, 反对 on the rest; then 【提交选票】. */
async function vote(page: Page): Promise<void> {
  for (const [i, name] of NAMES.entries()) {
    await page
      .getByRole('radiogroup', { name: `${name}：${WIN}` })
      .getByText(i < 4 ? '赞成' : '反对', { exact: true })
      .click();
    await page
      .getByRole('radiogroup', { name: `${name}：${NATIONAL}` })
      .getByText(i < 2 ? '赞成' : '反对', { exact: true })
      .click();
  }
  await page.getByRole('button', { name: '提交选票', exact: true }).click();
  await answerDialog(page, '提交选票');
  await page.getByText('已提交').first().waitFor();
}

describe('集中评选: 签到, voting in three browsers, the live 计票, closing the round', () => {
  it('the tally follows each submitted ballot without a reload, and the close elects by the threshold', async () => {
    const org = await open(e2e);
    await signedIn(org, 'admin', ADMIN_PASSWORD, '/admin/meeting');
    await org.getByRole('button', { name: /召开集中评选会议/ }).click();
    await org.getByRole('button', { name: '开始第1轮投票' }).click();
    await org.getByText('计票：第1轮').first().waitFor();
    for (const x of EXPERTS) await org.getByText(`${x.name}：未签到`).waitFor();

    // three experts, three browsers; the first on a phone
    const pages: Page[] = [];
    for (const [i, x] of EXPERTS.entries()) {
      const p = await open(e2e, i === 0 ? PHONE : undefined);
      await signedIn(p, x.mobile, EXPERT_PASSWORD, '/zmkj/meeting');
      await p.getByRole('button', { name: '签到', exact: true }).click();
      await p.getByRole('radiogroup', { name: `${NAMES[0]}：${WIN}` }).waitFor();
      pages.push(p);
      // the organizer's screen shows the 签到 as it happens
      await org.getByText(`${x.name}：未投票`).waitFor();
    }
    await settled(pages[0]!);
    await look(pages[0]!, 'meeting-ballot-phone');

    const url = org.url();
    // the first expert's first vote is answered late (a slow connection): the replies of the votes after it come
    // first, and the late one, the whole ballot as it was then, must not undo them — nor, after 【提交选票】, show
    // 未提交 again
    let late = false;
    let lateAnswered!: () => void;
    const answered = new Promise<void>((resolve) => (lateAnswered = resolve));
    await pages[0]!.route('**/api/meeting/rounds/*/ballot', async (route) => {
      if (late || route.request().method() !== 'PUT') return route.continue();
      late = true;
      // answered in the background: Playwright hands the page's next requests to this handler only once it returns
      void route
        .fetch()
        .then(async (response) => {
          await new Promise((r) => setTimeout(r, 6_000));
          await route.fulfill({ response });
        })
        .finally(lateAnswered);
    });
    for (const [i, p] of pages.entries()) {
      await vote(p);
      if (i === 0) {
        expect(late).toBe(true);
        // still 已提交 once the late reply is in (and the page has had a moment with it), and every vote as given
        await answered;
        await p.waitForTimeout(500);
        await p.getByText('已提交', { exact: true }).first().waitFor({ timeout: 5_000 });
        for (const [k, name] of NAMES.entries()) {
          const chosen = p.getByRole('radiogroup', { name: `${name}：${WIN}` }).locator('.ant-radio-button-wrapper-checked');
          expect(await chosen.textContent()).toBe(k < 4 ? '赞成' : '反对');
        }
      }
      // no reload: the same document, its 计票 pushed by the server
      await org.getByText(`已提交选票 ${i + 1} 份`).waitFor();
      await org.getByText(`${EXPERTS[i]!.name}：已提交`).waitFor();
      expect(org.url()).toBe(url);
    }
    const firstRow = org.locator('tr', { hasText: NAMES[0] });
    await firstRow.getByText('赞成 3，反对 0，弃权 0').first().waitFor();
    await settled(org);
    await look(org, 'meeting-tally');

    // an expert cannot read the 计票
    const expertClient = new ApiClient(e2e.platform.url);
    await expertClient.login(EXPERTS[1].mobile, EXPERT_PASSWORD);
    await expect(expertClient.call('GET', `/api/meeting/campaigns/${campaignId}/tally`)).rejects.toThrow(/: 403 /);

    // 结束本轮投票: 3 present, more than half is 2; the first four pass 当选 with 3 赞成, the first two 全国推荐
    await org.getByRole('button', { name: '结束第1轮投票' }).click();
    await answerDialog(org, '结束本轮投票');
    await org.getByText('第1轮（第一轮投票）计票结果').first().waitFor();
    await org.getByText('到会专家 3 人，通过须赞成票至少 2 票').first().waitFor();
    const meeting = await admin.call<{ meeting: { rounds: { status: string; result: { elected: { win: string[]; national: string[] } } | null }[] } }>(
      'GET',
      `/api/meeting/campaigns/${campaignId}`,
    );
    const round = meeting.meeting.rounds[0]!;
    expect(round.status).toBe('closed');
    expect(round.result!.elected.win).toHaveLength(4);
    expect(round.result!.elected.national).toHaveLength(2);
    await settled(org);
    await shot(org, 'meeting-closed');

    // 打印计票结果: the round on a sheet with the lines to sign; on paper, nothing of the page's frame
    await org.getByRole('link', { name: '打印计票结果' }).click();
    await org.getByText('“新疆最美科技工作者”集中评选 第1轮（第一轮投票）计票结果').waitFor();
    await org.locator('.print-table tr', { hasText: NAMES[0] }).getByText('赞成 3，反对 0，弃权 0：当选').first().waitFor();
    await org.getByText('监票人：').waitFor();
    await look(org, 'meeting-print');
    await org.emulateMedia({ media: 'print' });
    expect(await org.locator('.app-sider').isVisible()).toBe(false);
    expect(await org.getByRole('button', { name: '打印' }).isVisible()).toBe(false);
    await shot(org, 'meeting-print-paper');

    // on real paper: Chromium's own print to A4, one page, every candidate and the lines to sign on it
    const pdf = path.join(SHOTS, 'meeting-print-a4.pdf');
    await org.pdf({ path: pdf, format: 'A4', preferCSSPageSize: true });
    const info = execFileSync('pdfinfo', [pdf], { encoding: 'utf8' });
    expect(info).toMatch(/Pages:\s+1\n/);
    expect(info).toMatch(/Page size:.*\(A4\)/);
    const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
    for (const n of NAMES) expect(text).toContain(n);
    for (const line of ['计票人', '监票人', '主持人']) expect(text).toContain(line);
    // nothing of the page's frame, its buttons or a leftover toast
    for (const frame of ['返回集中评选', '新疆科技工作者之家', '消息发件箱', '本轮投票已结束']) expect(text).not.toContain(frame);
    execFileSync('pdftoppm', ['-r', '60', '-png', '-singlefile', pdf, path.join(SHOTS, 'meeting-print-a4')]);
  });
});
