// 网上评选结果 (issue 13, 11.): the database's ranking against the reference (core/review/ranking.ts) on designs a
// real review produces — complete, sparse, split into groups, ties, an expert with one sheet, a candidate without
// any, 政治过硬 否 — and through HTTP: who may see it, the `by` choice, the .xlsx download.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { readSheet } from 'read-excel-file/node';
import { defaultRubric, rankBy, rankingFigures, RANK_FIGURES, type RankFigure, type RankingReply, type RankingSheet } from '../core/review';
import { campaigns, reviewAssignments, scoreSheets } from './db/schema';
import { buildApplicant } from './testing/factories';
import { Client, json, startTestPlatform } from './testing/harness';
import { parties } from './testing/journey';
import { acceptedCandidates, expertWithProfile } from './testing/review';
import { currentCampaign } from './usecases/campaigns';
import { rankingOf } from './usecases/review-ranking';

let t: Awaited<ReturnType<typeof startTestPlatform>>;
let p: Awaited<ReturnType<typeof parties>>;
let campaignId = '';
let candidates: { id: string; number: string; name: string }[] = [];
const experts: Awaited<ReturnType<typeof expertWithProfile>>[] = [];
const rubric = defaultRubric();

/** A deterministic pseudo-random sequence (mulberry32): a failing design can be run again. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

interface Pair {
  e: number;
  c: number;
  scores?: { achievement: number; story: number; typical: number };
  political?: boolean;
  status?: 'submitted' | 'saved';
}

/** Replaces the campaign's assignments and sheets by `pairs` (indices into experts and candidates). */
async function design(pairs: Pair[], rand = random(1)) {
  await t.s.db.delete(scoreSheets).where(eq(scoreSheets.campaignId, campaignId));
  await t.s.db.delete(reviewAssignments).where(eq(reviewAssignments.campaignId, campaignId));
  const sheets: RankingSheet[] = [];
  for (const pair of pairs) {
    const expert = experts[pair.e]!;
    const candidate = candidates[pair.c]!;
    await t.s.db.insert(reviewAssignments).values({ campaignId, applicationId: candidate.id, expertId: expert.id, assignedBy: p.org.user.id });
    if (pair.status === undefined && !pair.scores) continue; // assigned, not scored
    const tenth = (max: number) => Math.round(rand() * max * 10) / 10;
    const scores = pair.scores ?? { achievement: tenth(50), story: tenth(30), typical: tenth(20) };
    const gates = { political: pair.political ?? true };
    const total = (Math.round(scores.achievement * 10) + Math.round(scores.story * 10) + Math.round(scores.typical * 10)) / 10;
    const status = pair.status ?? 'submitted';
    await t.s.db.insert(scoreSheets).values({
      campaignId,
      applicationId: candidate.id,
      expertId: expert.id,
      status,
      scores,
      gates,
      total: total.toFixed(1),
      submittedAt: status === 'submitted' ? new Date() : null,
    });
    if (status === 'submitted') sheets.push({ expertId: expert.id, candidateId: candidate.id, scores, gates });
  }
  return sheets;
}

/** The reference's figures and ranks for the candidates that have an assignment, in the query's tie order. */
function expected(sheets: RankingSheet[], pairs: Pair[], by: RankFigure) {
  const ids = candidates.filter((_, i) => pairs.some((q) => q.c === i)).map((c) => c.id);
  const figures = rankingFigures(rubric, sheets, ids);
  return rankBy(figures, by);
}

function close(actual: number | null, wanted: number | null) {
  if (wanted === null) expect(actual).toBeNull();
  else expect(actual).toBeCloseTo(wanted, 6);
}

async function check(sheets: RankingSheet[], pairs: Pair[]) {
  for (const by of RANK_FIGURES) {
    const got = await rankingOf(t.s, campaignId, by);
    const want = expected(sheets, pairs, by);
    expect(got.rows.map((r) => r.applicationId)).toEqual(want.map((w) => w.candidateId));
    got.rows.forEach((row, i) => {
      const w = want[i]!;
      expect(row.sheets).toBe(w.sheets);
      close(row.mean, w.mean);
      close(row.trimmedMean, w.trimmedMean);
      close(row.zMean, w.zMean);
      close(row.additive, w.additive);
      close(row.std, w.std);
      close(row.range, w.range);
      for (const key of ['achievement', 'story', 'typical']) close(row.criterionMeans[key] ?? null, w.criterionMeans[key] ?? null);
      expect(row.gateFailures).toBe(w.gateFailures);
      expect(row.gateFailuresByKey).toEqual(w.gateFailuresByKey);
      expect(row.gateFailed).toBe(w.gateFailed);
      expect([row.rank, row.tied, row.rankLabel]).toEqual([w.rank, w.tied, w.rankLabel]);
    });
    // the components: the same grouping as the reference's (their numbers may differ)
    const groupOf = new Map(want.map((w) => [w.candidateId, w.component]));
    for (const a of got.rows) {
      for (const b of got.rows) {
        if (a.component === null || b.component === null) continue;
        expect(a.component === b.component).toBe(groupOf.get(a.applicationId) === groupOf.get(b.applicationId));
      }
    }
  }
}

beforeAll(async () => {
  t = await startTestPlatform();
  p = await parties(t);
  const campaign = await currentCampaign(t.s.db);
  campaignId = campaign.id;
  // nine candidates from one unit: its quota raised for the test
  await t.s.db
    .update(campaigns)
    .set({ settings: { ...campaign.settings, unitQuota: 20 } })
    .where(eq(campaigns.id, campaignId));
  candidates = await acceptedCandidates(t, { uc: p.uc, oc: p.oc, unitId: p.unit.unit.id }, 9);
  for (let i = 0; i < 7; i++) experts.push(await expertWithProfile(t, { name: `专家${i + 1}` }));
}, 240_000);

afterAll(async () => {
  await t?.close();
});

describe('the ranking computed by the database equals the reference', () => {
  it('a complete design: every expert scores every candidate (trimmed mean from 5 sheets)', async () => {
    const pairs: Pair[] = [];
    for (let e = 0; e < 7; e++) for (let c = 0; c < 9; c++) pairs.push({ e, c, status: 'submitted' });
    await check(await design(pairs, random(7)), pairs);
  });

  it('sparse random designs (3 or 4 experts a candidate), experts lenient and harsh', async () => {
    for (const seed of [11, 12, 13]) {
      const rand = random(seed);
      const pairs: Pair[] = [];
      for (let c = 0; c < 9; c++) {
        const chosen = [...experts.keys()].sort(() => rand() - 0.5).slice(0, 3 + (c % 2));
        for (const e of chosen) {
          // expert e adds a bias of (e − 3) × 2 points to every criterion it can
          const bias = (e - 3) * 2;
          const clamp = (v: number, max: number) => Math.min(max, Math.max(0, Math.round(v * 10) / 10));
          const scores = { achievement: clamp(25 + c * 2 + bias + rand() * 4, 50), story: clamp(15 + c + rand() * 3, 30), typical: clamp(10 + rand() * 5, 20) };
          pairs.push({ e, c, scores });
        }
      }
      await check(await design(pairs, rand), pairs);
    }
  });

  it('two groups with no expert in common: the additive estimate is centred within each', async () => {
    const pairs: Pair[] = [];
    for (let c = 0; c < 9; c++) {
      const group = c < 5 ? [0, 1, 2] : [3, 4, 5];
      for (const e of group) pairs.push({ e, c, status: 'submitted' });
    }
    const sheets = await design(pairs, random(21));
    await check(sheets, pairs);
    const got = await rankingOf(t.s, campaignId, 'additive');
    expect(got.components).toBe(2);
  });

  it('ties share a rank ("并列第N"); an expert with one sheet counts z = 0; a candidate without sheets is last, 未评分', async () => {
    const same = { achievement: 40, story: 20, typical: 10 };
    const pairs: Pair[] = [
      { e: 0, c: 0, scores: same },
      { e: 1, c: 0, scores: same },
      { e: 0, c: 1, scores: same },
      { e: 1, c: 1, scores: same },
      { e: 0, c: 2, scores: { achievement: 45.5, story: 25, typical: 15.3 } },
      { e: 1, c: 2, scores: { achievement: 30, story: 10, typical: 5 } },
      { e: 6, c: 3, scores: { achievement: 12.3, story: 4.5, typical: 6.7 } }, // expert 6: this one sheet only
      { e: 2, c: 4 }, // assigned, never scored
      { e: 3, c: 5, status: 'saved' }, // saved, not submitted: does not count
    ];
    const sheets = await design(pairs, random(31));
    await check(sheets, pairs);
    const got = await rankingOf(t.s, campaignId, 'mean');
    const label = (c: number) => got.rows.find((r) => r.applicationId === candidates[c]!.id)!.rankLabel;
    expect(label(0)).toBe(label(1));
    expect(label(0)).toMatch(/^并列第\d+$/);
    expect(label(4)).toBe('未评分');
    expect(label(5)).toBe('未评分');
    const four = got.rows.find((r) => r.applicationId === candidates[4]!.id)!;
    expect([four.sheets, four.required, four.mean]).toEqual([0, 1, null]);
    expect(got.rows.at(-1)!.rank).toBeNull();
    const lone = got.rows.find((r) => r.applicationId === candidates[3]!.id)!;
    expect(lone.zMean).toBe(0);
  });

  it('政治过硬 否 marks the candidate, whatever its scores; the rank is not changed by it', async () => {
    const pairs: Pair[] = [
      { e: 0, c: 0, scores: { achievement: 50, story: 30, typical: 20 }, political: false },
      { e: 1, c: 0, scores: { achievement: 49, story: 30, typical: 20 } },
      { e: 0, c: 1, scores: { achievement: 10, story: 10, typical: 10 } },
      { e: 1, c: 1, scores: { achievement: 12, story: 10, typical: 10 }, political: false },
      { e: 2, c: 1, scores: { achievement: 11, story: 10, typical: 10 }, political: false },
    ];
    const sheets = await design(pairs);
    await check(sheets, pairs);
    const got = await rankingOf(t.s, campaignId, 'mean');
    expect(got.rows[0]!.applicationId).toBe(candidates[0]!.id);
    expect([got.rows[0]!.gateFailed, got.rows[0]!.gateFailures]).toEqual([true, 1]);
    expect(got.rows[1]!.gateFailuresByKey).toEqual({ political: 2 });
  });
});

describe('网上评选结果 through HTTP', () => {
  it('the organizer gets the ranking by the campaign’s figure or another; a wrong figure is named', async () => {
    const pairs: Pair[] = [];
    for (let e = 0; e < 5; e++) for (let c = 0; c < 6; c++) pairs.push({ e, c, status: 'submitted' });
    await design(pairs, random(41));
    const res = await p.oc.get(`/api/review/campaigns/${campaignId}/ranking`);
    expect(res.statusCode).toBe(200);
    const r = json<RankingReply>(res);
    expect(r.by).toBe(r.defaultBy);
    expect(r.rows).toHaveLength(6);
    expect(r.rows[0]!.rankLabel).toMatch(/^(并列)?第1$/);
    expect(r.submittedSheets).toBe(30);
    const trimmed = json<RankingReply>(await p.oc.get(`/api/review/campaigns/${campaignId}/ranking?by=trimmedMean`));
    expect(trimmed.by).toBe('trimmedMean');
    expect(trimmed.byLabel).toBe('去掉最高分和最低分后的平均分');
    const bad = await p.oc.get(`/api/review/campaigns/${campaignId}/ranking?by=sum;drop table score_sheets`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain('排名依据');
    const other = await p.oc.get(`/api/review/campaigns/${campaignId}/ranking?by=mean&x=1`);
    expect(other.statusCode).toBe(400);
    expect((await p.oc.get('/api/review/campaigns/00000000-0000-4000-8000-000000000000/ranking')).statusCode).toBe(404);
    expect((await p.oc.get('/api/review/campaigns/not-an-id/ranking')).statusCode).toBe(404);
  });

  it('nobody else sees it: experts (even those who scored), units, applicants, visitors', async () => {
    const applicant = await buildApplicant(t.s);
    const ac = new Client(t.app);
    await ac.login(applicant.username, applicant.password);
    const refusals: [string, Client, number][] = [
      ['expert', experts[0]!.client, 403],
      ['unit', p.uc, 403],
      ['applicant', ac, 403],
      ['visitor', new Client(t.app), 401],
    ];
    for (const [who, client, status] of refusals) {
      for (const path of ['ranking', 'ranking.xlsx', 'ranking?by=additive']) {
        const res = await client.get(`/api/review/campaigns/${campaignId}/${path}`);
        expect([who, path, res.statusCode]).toEqual([who, path, status]);
        expect(res.body).not.toContain(candidates[0]!.name);
      }
    }
  });

  it('the .xlsx holds the ranking as shown: one row a candidate in rank order, and the figures explained', async () => {
    const res = await p.oc.get(`/api/review/campaigns/${campaignId}/ranking.xlsx?by=zMean`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    expect(String(res.headers['content-disposition'])).toContain(encodeURIComponent('网上评选结果'));
    const ranking = json<RankingReply>(await p.oc.get(`/api/review/campaigns/${campaignId}/ranking?by=zMean`));
    const rows = await readSheet(res.rawPayload);
    expect(rows[0]!.slice(0, 3)).toEqual(['排名', '申请书编号', '姓名']);
    expect(rows).toHaveLength(ranking.rows.length + 1);
    ranking.rows.forEach((r, i) => {
      expect(rows[i + 1]!.slice(0, 3)).toEqual([r.rankLabel, r.number, r.name]);
      const zColumn = (rows[0] as unknown[]).indexOf('标准分（z分数）平均');
      expect(rows[i + 1]![zColumn]).toBeCloseTo(r.zMean!, 2);
    });
    const notes = await readSheet(res.rawPayload, '说明');
    expect(notes.flat().join('')).toContain('排名依据：标准分（z分数）平均');
  });
});
