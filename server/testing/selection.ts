// Test helpers of 入围名单 and the final selection (issue 14): candidates already in 网上评选 with their attributes
// and a submitted score sheet each (so the ranking orders them by `total`), and closed meeting rounds with a result
// in helper D's format (/work/briefs/D-meeting.md item 2) for the selection's merit order.
import { eq } from 'drizzle-orm';
import { applications, applicationUnits, campaigns, meetingRounds, meetings, reviewAssignments, scoreSheets } from '../db/schema';
import { currentCampaign } from '../usecases/campaigns';
import { buildApplicant, buildApplication, buildExpert, buildUnit, completeForm } from './factories';
import { Client, type startTestPlatform } from './harness';

type T = Awaited<ReturnType<typeof startTestPlatform>>;

export interface CandidateSpec {
  /** the score sheet's total (0–100): the ranking's order */
  total: number;
  birthDate?: string;
  gender?: '男' | '女';
  academician?: boolean;
  ethnicity?: string;
  field?: string;
  /** 政治过硬 answered 否 */
  politicalNo?: boolean;
  /** index into the units made for the call (default 0) */
  unit?: number;
}

export interface MadeCandidate {
  id: string;
  number: string;
  name: string;
  /** the applicant, logged in */
  client: Client;
  spec: CandidateSpec;
}

/**
 * Candidates in 网上评选中 (status online_review), one 申请书 each with the spec's 出生日期, 性别, 院士, 民族 and
 * 推荐领域, assigned to one expert who submitted a sheet with `total` (split over the default rubric's three criteria).
 * Rows are written directly: the 申报/推荐/受理/分配 journey is tested elsewhere and would take minutes for 40.
 */
export async function reviewedCandidates(t: T, specs: CandidateSpec[], opts: { units?: number } = {}) {
  const campaign = await currentCampaign(t.s.db);
  const units = [];
  for (let i = 0; i < (opts.units ?? 1); i++) {
    units.push(await buildUnit(t.s, { region: i % 2 ? '喀什地区' : '乌鲁木齐市' }));
  }
  const expert = await buildExpert(t.s, { workUnit: `评审专家单位${Date.now()}` });
  const out: MadeCandidate[] = [];
  for (const [i, spec] of specs.entries()) {
    const name = `候选人${String(i + 1).padStart(2, '0')}`;
    const applicant = await buildApplicant(t.s, { realName: name });
    const app = await buildApplication(t.s, applicant.user, {
      pledged: true,
      form: completeForm({
        name,
        birthDate: spec.birthDate ?? '1970-01-01',
        gender: spec.gender ?? '男',
        isAcademician: spec.academician ?? false,
        ethnicity: spec.ethnicity ?? '汉族',
        field: spec.field ?? '经济主战场与成果转化',
      }),
    });
    const unit = units[spec.unit ?? 0]!;
    await t.s.db.update(applications).set({ status: 'online_review', unitId: unit.unit.id, applicantName: name }).where(eq(applications.id, app.id));
    await t.s.db.insert(applicationUnits).values({ applicationId: app.id, unitId: unit.unit.id });
    await t.s.db.insert(reviewAssignments).values({ campaignId: campaign.id, applicationId: app.id, expertId: expert.user.id, assignedBy: expert.user.id });
    const achievement = Math.min(50, spec.total * 0.5);
    const story = Math.min(30, spec.total * 0.3);
    const typical = Math.round((spec.total - achievement - story) * 10) / 10;
    await t.s.db.insert(scoreSheets).values({
      campaignId: campaign.id,
      applicationId: app.id,
      expertId: expert.user.id,
      status: 'submitted',
      scores: { achievement, story, typical },
      gates: { political: !spec.politicalNo },
      total: spec.total.toFixed(1),
      submittedAt: new Date(),
    });
    const client = new Client(t.app);
    await client.login(applicant.username, applicant.password);
    out.push({ id: app.id, number: app.number, name, client, spec });
  }
  return { campaignId: campaign.id, candidates: out, units };
}

/** Changes the current campaign's settings in place (deep enough for the selection's: give whole sections). */
export async function patchSettings(t: T, patch: (s: Awaited<ReturnType<typeof currentCampaign>>['settings']) => object) {
  const c = await currentCampaign(t.s.db);
  await t.s.db
    .update(campaigns)
    .set({ settings: { ...c.settings, ...patch(c.settings) } })
    .where(eq(campaigns.id, c.id));
}

export interface FakeVote {
  applicationId: string;
  /** null: the round did not ask 当选 */
  winYes: number | null;
  nationalYes?: number;
}

/**
 * A closed meeting round with a result in helper D's format: `present` experts, the threshold, per candidate the
 * 赞成 counts (反对 the rest), passed when 赞成 > threshold, and who is elected (given, or those passed).
 */
export async function fakeClosedRound(
  t: T,
  campaignId: string,
  organizerId: string,
  votes: FakeVote[],
  opts: { present?: number; elected?: { win: string[]; national: string[] } } = {},
) {
  const present = opts.present ?? 10;
  const threshold = Math.floor(present / 2);
  let [meeting] = await t.s.db.select().from(meetings).where(eq(meetings.campaignId, campaignId));
  if (!meeting) [meeting] = await t.s.db.insert(meetings).values({ campaignId, openedBy: organizerId, panel: [] }).returning();
  const existing = await t.s.db.select().from(meetingRounds).where(eq(meetingRounds.meetingId, meeting!.id));
  const count = (yes: number) => ({ yes, no: present - yes, abstain: 0, passed: yes > threshold });
  const candidates = votes.map((v) => ({
    applicationId: v.applicationId,
    win: v.winYes === null ? null : count(v.winYes),
    national: count(v.nationalYes ?? 0),
  }));
  const elected = opts.elected ?? {
    win: candidates.filter((c) => c.win?.passed).map((c) => c.applicationId),
    national: candidates.filter((c) => c.national.passed).map((c) => c.applicationId),
  };
  const result = { present, threshold, candidates, elected, tied: { win: [], national: [] }, next: null };
  const [round] = await t.s.db
    .insert(meetingRounds)
    .values({
      meetingId: meeting!.id,
      campaignId,
      number: existing.length + 1,
      questions: ['win', 'national'],
      placesWin: 20,
      placesNational: 10,
      status: 'closed',
      present,
      threshold,
      result,
      openedBy: organizerId,
      closedBy: organizerId,
      closedAt: new Date(),
    })
    .returning();
  return round!;
}
