import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ADMIN_PASSWORD, answerDialog, CAPTCHA, choose, e2eSuite, login, look, open, openPending, settled, shot } from './harness';
import { ApiClient, createUnit, beijingDay, submitted } from './api';
import { makeIdNumber } from '../server/testing/factories';
import { pdfBytes } from '../server/testing/files';

// Issue 13, items 2–4 in Chromium: the unit's 初评 → its 初评公示 → the public page (no login) → a real-name 异议 with the
// SMS code from the outbox → the unit's 核实 → the 公示 corrected to a period that is over → 【提交】 to 自治区科协.
const UNIT = '阿克苏地区科学技术协会';
const PHONE = { width: 390, height: 844 };
const NAME = '阿依古丽';
const OBJECTOR = '13677776666';
// private values of the candidate that no public page may show
const BIRTH = '1979-08-17';
const PRIVATE = {
  idNumber: makeIdNumber(BIRTH, '女'),
  mobile: '13512348765',
  email: 'ayguli.private@example.cn',
  address: '阿克苏市隐私路8765号',
};
let applicationId = '';
/** the unit's 初评公示, once the journey has published it */
let publicityId = '';

const e2e = e2eSuite({
  async setup(platform) {
    const admin = new ApiClient(platform.url);
    await admin.login('admin', ADMIN_PASSWORD);
    const unitId = await createUnit(admin, { unitName: UNIT, region: '阿克苏地区', contactName: '买买提', mobile: '13609905566', username: 'akskx' });
    const id = await submitted(
      platform.url,
      {
        name: NAME,
        username: 'ayguli01',
        mobile: PRIVATE.mobile,
        email: PRIVATE.email,
        form: { birthDate: BIRTH, gender: '女', ...PRIVATE, workUnit: '塔里木大学', title: '教授' },
      },
      unitId,
    );
    applicationId = id;
    // the unit's 推荐单位意见 and scans, through the API (their pages have their own journeys)
    const u = new ApiClient(platform.url);
    await u.login('akskx', 'Unit2023x');
    await u.call('POST', `/api/applications/${id}/open`);
    await u.call('PUT', `/api/applications/${id}/opinions/recommend`, { text: '经初评并公示无异议，同意推荐。' });
    await u.upload(id, 'recommend_report', '推荐报告.pdf', pdfBytes('rr'), 'application/pdf');
    await u.upload(id, 'cadre_opinion', '干部人事管理部门意见.pdf', pdfBytes('c'), 'application/pdf');
    await u.upload(id, 'discipline_opinion', '纪检监察部门意见.pdf', pdfBytes('d'), 'application/pdf');
  },
});

const row = (page: Page, text: string) => page.locator('tr', { hasText: text }).first();

describe('初评 → 公示 → 异议 → 核实 → 提交', () => {
  it('the unit publishes its 初评公示, the public objects with an SMS code, the unit decides, and after the period forwards', async () => {
    const u = await open(e2e);
    await login(u, 'akskx', 'Unit2023x');

    // 初评 通过 in 办理
    await openPending(u, NAME);
    await u.getByRole('tab', { name: '推荐单位意见' }).click();
    await u.getByRole('radio', { name: '通过', exact: true }).check();
    await u.getByRole('button', { name: '保存初评' }).click();
    await u.getByText('初评已保存：通过').first().waitFor();
    // 【提交】 now: refused, the 公示 is missing
    await u.getByRole('button', { name: '提交', exact: true }).click();
    await u.getByText('该候选人尚未进行初评公示').first().waitFor();

    // 初评公示 → 发布公示: today only, the candidate with a 事迹简介
    await u.getByRole('menuitem', { name: '初评公示' }).click();
    await u.getByRole('button', { name: '发布公示' }).click();
    await u.getByLabel('公示开始日期').fill(beijingDay(0));
    await u.getByLabel('公示结束日期').fill(beijingDay(0));
    await u.getByLabel('联系人', { exact: true }).fill('买买提');
    await u.getByLabel('联系电话').fill('0997-2123456');
    await u.getByRole('checkbox', { name: new RegExp(NAME) }).check();
    await u.getByLabel(new RegExp(`事迹简介：.*${NAME}`)).fill('扎根南疆二十年，培育抗旱棉花新品种，累计推广800万亩。');
    await settled(u);
    await look(u, 'publicity-01-form');
    await u.getByRole('button', { name: '发布公示' }).click();
    await u.getByText('公示已发布').first().waitFor();
    await settled(u);
    await look(u, 'publicity-02-published');
    publicityId = u.url().split('/').pop()!;

    // the public index and page, without logging in
    const pub = await open(e2e);
    await pub.goto('/gongshi');
    await pub
      .getByRole('link', { name: /候选人初评结果的公示/ })
      .first()
      .click();
    await pub.getByRole('cell', { name: NAME }).waitFor();
    await pub.getByRole('cell', { name: '塔里木大学' }).waitFor();
    const html = await pub.content();
    for (const value of [PRIVATE.idNumber, PRIVATE.mobile, PRIVATE.email, PRIVATE.address, BIRTH, applicationId]) expect(html).not.toContain(value);
    await settled(pub);
    await look(pub, 'publicity-03-public-page');

    // 异议: 姓名, 手机, 图片验证码 → 获取短信验证码 (read from the outbox) → the candidate, the content, evidence
    await pub.getByLabel('姓名').fill('张明');
    await pub.getByLabel('手机').fill(OBJECTOR);
    await pub.getByLabel('验证码', { exact: true }).fill(CAPTCHA);
    await pub.getByRole('button', { name: '获取短信验证码' }).click();
    await pub.getByRole('button', { name: /秒后重新获取/ }).waitFor();
    const admin = new ApiClient(e2e.platform.url);
    await admin.login('admin', ADMIN_PASSWORD);
    const outbox = await admin.call<{ recipient: string; body: string }[]>('GET', '/api/admin/outbox');
    const code = /验证码 (\d{6})/.exec(outbox.find((m) => m.recipient === OBJECTOR)!.body)![1]!;
    await pub.getByLabel('短信验证码').fill(code);
    await choose(pub, '异议涉及的候选人', `1. ${NAME}（塔里木大学）`);
    await pub.getByLabel('异议内容').fill('该候选人推广面积的数据与县农业局统计不一致，请核实。');
    await pub.locator('input[type=file]').setInputFiles({ name: '统计数据.pdf', mimeType: 'application/pdf', buffer: pdfBytes('evidence') });
    await pub.getByText('统计数据.pdf').waitFor();
    await settled(pub);
    await look(pub, 'publicity-04-objection-form');
    await pub.getByRole('button', { name: '提交异议' }).click();
    await pub.getByText('异议已提交', { exact: true }).waitFor();
    await look(pub, 'publicity-05-objection-sent');

    // the same page on a phone
    const phone = await open(e2e, PHONE);
    await phone.goto(`/gongshi/${publicityId}`);
    await phone.getByText(NAME).first().waitFor();
    await settled(phone);
    await look(phone, 'publicity-06-public-page-phone');

    // the unit: 异议 → 核实: 异议不成立 with 核实情况; the objector is told by SMS
    await u.reload();
    await u.getByRole('tab', { name: /异议（1/ }).click();
    await u.getByText('该候选人推广面积的数据').waitFor();
    await u.getByRole('button', { name: '核实', exact: true }).click();
    await u.getByLabel('核实情况').fill('经与县农业局核对，推广面积数据为多年累计，来源可靠，异议反映的情况不属实。');
    await u.getByRole('radio', { name: '异议不成立' }).check();
    await settled(u);
    await look(u, 'publicity-07-decision');
    await u.getByRole('button', { name: '保存核实结论' }).click();
    await answerDialog(u, '确定');
    await u.getByText('核实结论已保存').first().waitFor();
    await u.getByText('核实结论').first().waitFor();
    const told = await admin.call<{ recipient: string; body: string }[]>('GET', '/api/admin/outbox');
    expect(told.some((m) => m.recipient === OBJECTOR && m.body.includes('结论：异议不成立'))).toBe(true);

    // 【提交】 while the period runs: refused with its end
    await openPending(u, NAME);
    await u.getByRole('button', { name: '提交', exact: true }).click();
    const [y, m, d] = beijingDay(0).split('-').map(Number);
    await u.getByText(`初评公示期至${y}年${m}月${d}日，公示期满后方可提交`).first().waitFor();
    await settled(u);
    await look(u, 'publicity-08-refused-period');

    // 更正: the 公示 was in fact held earlier (a period that is over); the versions keep both
    await u.goto(`/zmkj/publicity/${publicityId}`);
    await u.getByRole('button', { name: '更正' }).click();
    await u.getByLabel('公示开始日期').fill(beijingDay(-7));
    await u.getByLabel('公示结束日期').fill(beijingDay(-1));
    await u.getByRole('button', { name: '保存更正' }).click();
    await u.getByText('公示已更正').first().waitFor();
    await u.getByRole('tab', { name: '版本记录（2）' }).click();
    await u.getByText(/第1版 · 发布/).waitFor();
    await settled(u);
    await look(u, 'publicity-09-versions');

    // after the period, no open objection: 【提交】 to 自治区科协
    await openPending(u, NAME);
    await u.getByRole('button', { name: '提交', exact: true }).click();
    await u.getByRole('tab', { name: '已办理的' }).click();
    await row(u, NAME)
      .getByRole('link', { name: `[${UNIT}]提交到[自治区科协]` })
      .waitFor();
    await look(u, 'publicity-10-forwarded');

    // 自治区科协 sees every objection
    const o = await open(e2e);
    await login(o, 'admin', ADMIN_PASSWORD);
    await o.getByRole('menuitem', { name: '公示异议' }).click();
    await o.getByText('全部（1）').click();
    await o.getByText('该候选人推广面积的数据').waitFor();
    await settled(o);
    await look(o, 'publicity-11-organizer-objections');
    await o.getByRole('menuitem', { name: '初评公示' }).click();
    await row(o, UNIT).waitFor();
    await settled(o);
    await look(o, 'publicity-12-organizer-list');

    // the unit's 初评公示 on a phone
    const up = await open(e2e, PHONE);
    await login(up, 'akskx', 'Unit2023x');
    await up.getByRole('button', { name: '打开菜单' }).waitFor();
    await up.goto(`/zmkj/publicity/${publicityId}`);
    await up.getByText('受理异议的方式').first().waitFor();
    await settled(up);
    await shot(up, 'publicity-13-unit-detail-phone');
  }, 300_000);
});

/**
 * What scrolls sideways on the page as it is now: the document itself (scrollWidth beyond clientWidth) and every
 * element that scrolls horizontally inside its box (a table wider than the screen), by tag and class.
 */
async function sideways(page: Page) {
  return page.evaluate(() => {
    const root = document.documentElement;
    const boxes = [...document.querySelectorAll<HTMLElement>('body *')]
      .filter((el) => el.scrollWidth > el.clientWidth + 1 && el.getClientRects().length > 0 && /auto|scroll/.test(getComputedStyle(el).overflowX))
      .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')} (${el.scrollWidth} > ${el.clientWidth})`);
    return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, boxes };
  });
}

/** Opens `path`, waits for `ready`, and expects nothing on it to scroll sideways; then axe and a screenshot. */
async function fits(page: Page, path: string, ready: string | RegExp, name: string) {
  if (path) await page.goto(path);
  await page.getByText(ready).first().waitFor();
  await settled(page);
  const seen = await sideways(page);
  expect(seen.scrollWidth, `${name}: the document is ${seen.scrollWidth}px wide on a ${seen.clientWidth}px screen`).toBeLessThanOrEqual(seen.clientWidth);
  expect(seen.boxes, `${name}: scrolls sideways inside`).toEqual([]);
  await look(page, name);
}

describe('公示 on a phone (390×844)', () => {
  it('no 公示 page of the unit, of 自治区科协 or of the public scrolls sideways: lists show cards', async () => {
    expect(publicityId).not.toBe('');
    // the public index and page, no login
    const pub = await open(e2e, PHONE);
    await fits(pub, '/gongshi', /候选人初评结果的公示/, 'publicity-phone-01-public-index');
    await fits(pub, `/gongshi/${publicityId}`, '塔里木大学', 'publicity-phone-02-public-page');
    await expect.poll(() => pub.locator('ul.row-cards[aria-label="公示的候选人"] li').count()).toBe(1);

    // the unit: its list, the 公示 with its three tabs, 更正 and 发布公示
    const u = await open(e2e, PHONE);
    await login(u, 'akskx', 'Unit2023x');
    await u.getByRole('button', { name: '打开菜单' }).waitFor();
    await fits(u, '/zmkj/publicity', /候选人初评结果的公示/, 'publicity-phone-03-unit-list');
    expect(await u.locator('ul.row-cards[aria-label="初评公示"] li').count()).toBe(1);
    await fits(u, `/zmkj/publicity/${publicityId}`, '扎根南疆二十年', 'publicity-phone-04-unit-entries');
    await u.getByRole('tab', { name: /异议（1/ }).click();
    await fits(u, '', '该候选人推广面积的数据', 'publicity-phone-05-unit-objections');
    await u.getByRole('tab', { name: /版本记录/ }).click();
    await u.getByText(/第1版 · 发布/).click();
    await u.locator('ul.row-cards[aria-label="第1版的候选人"]').waitFor();
    await fits(u, '', /第1版 · 发布/, 'publicity-phone-06-unit-versions');
    await fits(u, `/zmkj/publicity/${publicityId}/edit`, '保存更正', 'publicity-phone-07-unit-correct');
    await fits(u, '/zmkj/publicity/new', '公示的候选人', 'publicity-phone-08-unit-new');

    // 自治区科协: every unit's 公示, one of them, and the objections
    const o = await open(e2e, PHONE);
    await login(o, 'admin', ADMIN_PASSWORD);
    await o.getByRole('button', { name: '打开菜单' }).waitFor();
    await fits(o, '/zmkj/publicity', UNIT, 'publicity-phone-09-organizer-list');
    await fits(o, `/zmkj/publicity/${publicityId}`, '扎根南疆二十年', 'publicity-phone-10-organizer-detail');
    await fits(o, '/admin/objections', /全部（1）/, 'publicity-phone-11-organizer-objections');
    await o.getByText('全部（1）').click();
    await fits(o, '', '该候选人推广面积的数据', 'publicity-phone-12-organizer-objections-all');
  }, 300_000);
});
