import { Readable } from 'node:stream';
import { and, eq, inArray } from 'drizzle-orm';
import type { Services } from '../context';
import type { SessionUser } from '../../core';
import { chinaToday, isWindowOpen } from '../../core';
import { presentSessionUser } from '../auth/sessions';
import { hashPassword } from '../auth/passwords';
import { reviewAssignments, units, users } from '../db/schema';
import { registerApplicant } from '../usecases/accounts';
import { createApplication, pledge, saveForm } from '../usecases/applications';
import { addAttachment } from '../usecases/attachments';
import { currentCampaign, updateCampaign } from '../usecases/campaigns';
import { addMembers, createExpert, createGroup } from '../usecases/experts';
import { saveOpinion, savePreliminary } from '../usecases/opinions';
import { createPublicity } from '../usecases/publicity';
import { confirmPlan } from '../usecases/review-assign';
import { writeSheet } from '../usecases/review-sheets';
import { openApplication, transition } from '../usecases/workflow';
import { completeForm, makeIdNumber } from './forms';
import { demoJpeg, demoPdf } from './files';

/**
 * The demo's 网上评选 (issue 13): candidates of 喀什地区科学技术协会 (demo_kashi) who passed its 初评, in a 初评公示 that
 * is over, forwarded and 受理 by 自治区科协 (demo_org), assigned to four 评审专家 of one 评审组, with some sheets
 * submitted, one saved and one not begun; a fourth candidate in a 公示 still running (its public page takes 异议).
 * Everything goes through the use cases, so the demo obeys the platform's rules.
 */

/** An account the demo review made or found (the seed's report line). */
export interface DemoReviewAccount {
  username: string;
  who: string;
  outcome: 'created' | 'existing' | 'unusable' | 'skipped';
  note?: string;
}

export const DEMO_CANDIDATES = [
  { username: 'demo_ayinur', realName: '阿依努尔', gender: '女', birthDate: '1982-05-16', workUnit: '喀什地区农业技术推广中心', title: '推广研究员' },
  { username: 'demo_lijh', realName: '李建华', gender: '男', birthDate: '1976-09-03', workUnit: '喀什大学', title: '教授' },
  { username: 'demo_maimaitijiang', realName: '买买提江', gender: '男', birthDate: '1988-01-21', workUnit: '喀什地区第一人民医院', title: '主任医师' },
  // in the 公示 still running: not forwarded yet
  { username: 'demo_zhangxy', realName: '张晓燕', gender: '女', birthDate: '1990-12-08', workUnit: '喀什地区林业和草原局', title: '高级工程师' },
] as const;

/** 评审专家 log in with their 手机. */
export const DEMO_EXPERTS = [
  { realName: '陈志远', workUnit: '新疆大学', field: '农业科学', mobile: '13700000001' },
  { realName: '刘慧敏', workUnit: '石河子大学', field: '农业科学', mobile: '13700000002' },
  { realName: '哈斯木', workUnit: '中国科学院新疆生态与地理研究所', field: '生态环境', mobile: '13700000003' },
  { realName: '周文静', workUnit: '新疆医科大学', field: '医药卫生', mobile: '13700000004' },
] as const;

export const DEMO_GROUP = '演示评审组';

/** Totals by candidate (of the three forwarded), moved by each expert's leniency: 网上评选结果 has figures to rank. */
const BASE = [88, 80, 72];
const LENIENCY = [2, -4, 0, 3];

/** A total split over 业绩突出 (50), 事迹感人 (30) and 典型性与代表性 (20), in tenths. */
function scores(total: number) {
  const story = Math.round(total * 3) / 10;
  const typical = Math.round(total * 2) / 10;
  return { achievement: Math.round((total - story - typical) * 10) / 10, story, typical };
}

const day = (offset: number) => chinaToday(new Date(Date.now() + offset * 86_400_000));

async function sessionOf(s: Services, username: string): Promise<SessionUser | null> {
  const [row] = await s.db.select({ user: users, unit: units }).from(users).leftJoin(units, eq(units.id, users.unitId)).where(eq(users.username, username));
  return row ? presentSessionUser(row.user, row.unit) : null;
}

async function upload(s: Services, user: SessionUser, applicationId: string, kind: string, fileName: string, bytes: Buffer) {
  await addAttachment(s, user, applicationId, { kind, fileName, stream: Readable.from([bytes]), truncated: () => false });
}

/**
 * Makes the demo review once: when none of its accounts exists yet and demo_org and demo_kashi are there. Returns
 * a line for every account it concerns; `notes` says what else it did (the 网上评选 window moved to today).
 */
export async function seedDemoReview(s: Services, password: string): Promise<{ accounts: DemoReviewAccount[]; notes: string[] }> {
  const candidateWho = (c: (typeof DEMO_CANDIDATES)[number]) => `申报人（${c.realName}，喀什地区科学技术协会推荐）`;
  const expertWho = (e: (typeof DEMO_EXPERTS)[number]) => `评审专家（${e.realName}，${e.workUnit}）`;
  const names = [...DEMO_CANDIDATES.map((c) => c.username), ...DEMO_EXPERTS.map((e) => e.mobile)];
  const taken = new Set((await s.db.select({ username: users.username }).from(users).where(inArray(users.username, names))).map((r) => r.username));
  const all = (outcome: DemoReviewAccount['outcome'], note?: string): DemoReviewAccount[] => [
    ...DEMO_CANDIDATES.map((c) => ({ username: c.username, who: candidateWho(c), outcome: taken.has(c.username) ? outcome : 'skipped', note })),
    ...DEMO_EXPERTS.map((e) => ({ username: e.mobile, who: expertWho(e), outcome: taken.has(e.mobile) ? outcome : 'skipped', note })),
  ];
  if (taken.size) {
    // made by an earlier run (or someone's own accounts): left alone
    return { accounts: all('existing', '网上评选演示数据此前已创建，本次未改动'), notes: [] };
  }
  const org = await sessionOf(s, 'demo_org');
  const unit = await sessionOf(s, 'demo_kashi');
  if (org?.role !== 'organizer' || unit?.role !== 'unit' || !unit.unit) {
    return { accounts: all('skipped', '未创建：需要演示账号 demo_org（自治区科协）和 demo_kashi（推荐单位）'), notes: [] };
  }

  const notes: string[] = [];
  const campaign = await currentCampaign(s.db);
  const today = day(0);
  if (!isWindowOpen(campaign.settings.windows.online, today)) {
    // experts score only inside the 网上评选 window: the demo opens it today (评选活动设置 changes it back)
    const online = { start: today, end: campaign.settings.windows.online.end >= day(20) ? campaign.settings.windows.online.end : day(20) };
    await updateCampaign(s.db, campaign.id, { settings: { ...campaign.settings, windows: { ...campaign.settings.windows, online } } });
    notes.push(`网上评选时间已调整为 ${online.start} 至 ${online.end}，以便演示专家评分（可在“评选活动设置”中修改）`);
  }
  const photoBytes = campaign.settings.media.photoMinBytes;

  const accounts: DemoReviewAccount[] = [];
  const ids: string[] = [];
  for (const [i, c] of DEMO_CANDIDATES.entries()) {
    const mobile = `1390000001${i}`;
    const applicant = await registerApplicant(s, { username: c.username, password, realName: c.realName, mobile, email: `${c.username}@example.cn` });
    const app = await createApplication(s, applicant);
    const form = completeForm({
      name: c.realName,
      gender: c.gender,
      birthDate: c.birthDate,
      idNumber: makeIdNumber(c.birthDate, c.gender, '653101', 200 + i),
      mobile,
      email: `${c.username}@example.cn`,
      workUnit: c.workUnit,
      title: c.title,
      nativePlace: '新疆喀什',
    });
    await saveForm(s, applicant, app.id, form);
    await pledge(s, applicant, app.id);
    await upload(s, applicant, app.id, 'integrity_pledge', '个人诚信承诺.pdf', demoPdf(`integrity ${c.username}`));
    await upload(s, applicant, app.id, 'unit_opinion', '所在单位意见.pdf', demoPdf(`unit opinion ${c.username}`));
    await upload(s, applicant, app.id, 'political_review', '政审材料.pdf', demoPdf(`political review ${c.username}`));
    await upload(s, applicant, app.id, 'photo', `${c.realName}工作照.jpg`, demoJpeg(photoBytes));
    await transition(s, applicant, app.id, 'submit', { unitId: unit.unit.id });
    // the unit: 办理, 初评 通过, 推荐单位意见 and its three scans
    await openApplication(s, unit, app.id);
    await savePreliminary(s, unit, app.id, { result: 'pass' });
    await saveOpinion(s, unit, app.id, 'recommend', `${c.realName}同志长期扎根基层，事迹突出，经初评并公示无异议，同意推荐。`);
    await upload(s, unit, app.id, 'recommend_report', '推荐报告.pdf', demoPdf(`report ${c.username}`));
    await upload(s, unit, app.id, 'cadre_opinion', '干部人事管理部门意见.pdf', demoPdf(`cadre ${c.username}`));
    await upload(s, unit, app.id, 'discipline_opinion', '纪检监察部门意见.pdf', demoPdf(`discipline ${c.username}`));
    ids.push(app.id);
    accounts.push({ username: c.username, who: candidateWho(c), outcome: 'created' });
  }
  const notice = (entries: string[], startsOn: string, endsOn: string) => ({
    title: '关于2023年“新疆最美科技工作者”候选人初评结果的公示',
    startsOn,
    endsOn,
    contactName: '演示联系人',
    contactPhone: '0998-2821234',
    objectionMethod: '公示期间，如对上述候选人有异议，请以实名方式通过本页面在线提出，或以书面、电话形式向联系人反映。',
    entries: entries.map((applicationId) => ({ applicationId, summary: '扎根南疆，长期服务基层一线，成果突出，群众认可。' })),
  });
  const forwarded = ids.slice(0, 3);
  // a 公示 that is over (so 【提交】 goes through) and one still running (its public page takes 异议)
  await createPublicity(s, unit, notice(forwarded, day(-8), day(-2)));
  await createPublicity(s, unit, notice(ids.slice(3), today, day(5)));
  for (const id of forwarded) {
    await transition(s, unit, id, 'forward');
    await transition(s, org, id, 'accept');
  }

  // 评审专家: created as 自治区科协 does (the initial password goes to the outbox), then given the demo password
  // and spared the first-login change, so that a visitor can log in with the printed password
  const experts: SessionUser[] = [];
  for (const e of DEMO_EXPERTS) {
    const created = await createExpert(s, org, { realName: e.realName, workUnit: e.workUnit, field: e.field, mobile: e.mobile, email: null, idNumber: null });
    await s.db
      .update(users)
      .set({ passwordHash: await hashPassword(password), mustChangePassword: false })
      .where(eq(users.id, created.id));
    experts.push((await sessionOf(s, e.mobile))!);
    accounts.push({ username: e.mobile, who: expertWho(e), outcome: 'created' });
  }
  const group = await createGroup(s, org, { name: DEMO_GROUP, field: null });
  await addMembers(
    s,
    org,
    group.id,
    experts.map((e) => e.id),
  );
  // each candidate by three experts, at most three each
  await confirmPlan(s, org, campaign.id, { mode: 'balanced', k: 3, L: 3, candidateIds: forwarded, expertIds: experts.map((e) => e.id) });

  // sheets: the fourth expert only saved (草稿), the third left one candidate untouched (未评), the rest submitted
  const assigned = await s.db
    .select({ applicationId: reviewAssignments.applicationId, expertId: reviewAssignments.expertId })
    .from(reviewAssignments)
    .where(and(eq(reviewAssignments.campaignId, campaign.id), inArray(reviewAssignments.applicationId, forwarded)));
  let untouched = false;
  for (const [e, expert] of experts.entries()) {
    for (const [c, applicationId] of forwarded.entries()) {
      if (!assigned.some((a) => a.expertId === expert.id && a.applicationId === applicationId)) continue;
      if (e === 2 && !untouched) {
        untouched = true;
        continue;
      }
      const body = { scores: scores(BASE[c]! + LENIENCY[e]!), gates: { political: true }, comment: '材料翔实，事迹感人。' };
      await writeSheet(s, expert, applicationId, body, 'save');
      if (e !== 3) await writeSheet(s, expert, applicationId, body, 'submit');
    }
  }
  notes.push(
    `网上评选演示：${DEMO_CANDIDATES.slice(0, 3)
      .map((c) => c.realName)
      .join(
        '、',
      )} 已受理并分配给“${DEMO_GROUP}”的4位评审专家（评审专家用手机号登录），部分评分已提交，可在“网上评选结果”查看排名；${DEMO_CANDIDATES[3].realName} 在公示中，公开页面 /gongshi 可提出异议`,
  );
  return { accounts, notes };
}
