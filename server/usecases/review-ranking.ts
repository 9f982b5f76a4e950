// 网上评选结果 (issue 13, 11.): every figure of every candidate and the rank, computed by the database over the
// submitted sheets in one statement (the additive estimate by review_additive(), migration 0012). Node receives one
// row per candidate, never the sheets. core/review/ranking.ts defines the figures; server/review-ranking.test.ts
// holds this query to it. 集中评选 (issue 14) builds on rankingOf.
import { sql } from 'drizzle-orm';
import { RANK_FIGURE_LABELS, RANK_FIGURES, TRIM_MIN_SHEETS, type RankFigure } from '../../core/review';
import { RANK_FIGURE_NOTES, type RankingReply, type RankingRow } from '../../core/review/ranking-api';
import writeXlsxFile from 'write-excel-file/node';
import type { Services } from '../context';
import type { Db } from '../db/client';
import { getCampaign } from './campaigns';

/** The SQL of each figure over the per-candidate aggregates below (whitelisted: `by` never reaches SQL as text). */
const FIGURE_SQL: Record<RankFigure, string> = {
  mean: 'f.mean',
  trimmedMean: 'f.trimmed_mean',
  zMean: 'f.z_mean',
  additive: 'f.additive',
};

interface Row {
  application_id: string;
  number: string;
  name: string;
  work_unit: string;
  unit_name: string | null;
  field: string | null;
  sheets: number;
  required: number;
  mean: number | null;
  trimmed_mean: number | null;
  z_mean: number | null;
  additive: number | null;
  component: number | null;
  criterion_means: Record<string, number | string | null> | null;
  std: number | null;
  range: number | null;
  gate_failures: number;
  gate_failures_by_key: Record<string, number> | null;
  rank: number | null;
  ties: number;
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/**
 * The ranking of a campaign's 网上评选, by `by` (default: the campaign's settings.review.rankBy). Candidates are the
 * applications with an assignment or a submitted sheet; those without a sheet come last, unranked. Ties (equal
 * after rounding to 2 decimals) share a rank and keep the order of their 申请书编号.
 */
export async function rankingOf(s: Services, campaignId: string, by?: RankFigure): Promise<RankingReply> {
  const campaign = await getCampaign(s.db, campaignId);
  const rubric = campaign.settings.review.rubric;
  const defaultBy = campaign.settings.review.rankBy;
  const figure = by ?? defaultBy;
  const scoreKeys = rubric.criteria.filter((c) => c.kind === 'score').map((c) => c.key);
  const gateKeys = rubric.criteria.filter((c) => c.kind === 'gate').map((c) => c.key);
  const rows = await rankingRows(s.db, campaignId, figure, gateKeys);
  const components = new Set(rows.filter((r) => r.component !== null).map((r) => r.component)).size;
  const out: RankingRow[] = rows.map((r) => {
    const means = r.criterion_means ?? {};
    const byKey = r.gate_failures_by_key ?? {};
    const rank = num(r.rank);
    const tied = rank !== null && Number(r.ties) > 1;
    return {
      applicationId: r.application_id,
      number: r.number,
      name: r.name,
      workUnit: r.work_unit,
      unitName: r.unit_name,
      field: r.field ?? '',
      sheets: Number(r.sheets),
      required: Number(r.required),
      mean: num(r.mean),
      trimmedMean: num(r.trimmed_mean),
      zMean: num(r.z_mean),
      additive: num(r.additive),
      component: num(r.component),
      criterionMeans: Object.fromEntries(scoreKeys.map((k) => [k, num(means[k])])),
      std: num(r.std),
      range: num(r.range),
      gateFailures: Number(r.gate_failures),
      gateFailuresByKey: Object.fromEntries(gateKeys.map((k) => [k, Number(byKey[k] ?? 0)])),
      gateFailed: Number(r.gate_failures) > 0,
      rank,
      tied,
      rankLabel: rank === null ? '未评分' : tied ? `并列第${rank}` : `第${rank}`,
    };
  });
  return {
    campaignId: campaign.id,
    campaignTitle: campaign.title,
    by: figure,
    byLabel: RANK_FIGURE_LABELS[figure],
    defaultBy,
    figures: RANK_FIGURES.map((key) => ({ key, label: RANK_FIGURE_LABELS[key] })),
    criteria: rubric.criteria.map((c) => ({ key: c.key, name: c.name, kind: c.kind, maxScore: c.maxScore })),
    components,
    submittedSheets: out.reduce((n, r) => n + r.sheets, 0),
    rows: out,
  };
}

/** The one statement: candidates, their aggregates over the submitted sheets, the additive fit, and the rank. */
export async function rankingRows(db: Db, campaignId: string, by: RankFigure, gateKeys: readonly string[]): Promise<Row[]> {
  const figure = sql.raw(FIGURE_SQL[by]);
  const gates = sql`${`{${gateKeys.map((k) => `"${k}"`).join(',')}}`}::text[]`;
  const result = (await db.execute(sql`
    WITH s AS (
      SELECT application_id AS c, expert_id AS e, total AS t, scores, gates
      FROM score_sheets
      WHERE campaign_id = ${campaignId} AND status = 'submitted' AND total IS NOT NULL
    ),
    es AS (SELECT e, avg(t) AS mu, stddev_pop(t) AS sd FROM s GROUP BY e),
    agg AS (
      SELECT s.c,
        count(*)::int AS n,
        avg(s.t) AS mean,
        sum(s.t) AS total_sum,
        max(s.t) AS hi,
        min(s.t) AS lo,
        stddev_pop(s.t) AS sd,
        avg(coalesce((s.t - es.mu) / nullif(es.sd, 0), 0)) AS z_mean,
        (count(*) FILTER (WHERE EXISTS (
          SELECT 1 FROM jsonb_each(s.gates) g WHERE g.key = ANY(${gates}) AND g.value = 'false'::jsonb
        )))::int AS gate_failures
      FROM s JOIN es ON es.e = s.e
      GROUP BY s.c
    ),
    crit AS (
      SELECT x.c, jsonb_object_agg(x.key, x.m) AS means
      FROM (
        SELECT s.c, kv.key, avg((kv.value #>> '{}')::numeric) AS m
        FROM s CROSS JOIN LATERAL jsonb_each(s.scores) kv
        WHERE jsonb_typeof(kv.value) = 'number'
        GROUP BY s.c, kv.key
      ) x
      GROUP BY x.c
    ),
    gk AS (
      SELECT x.c, jsonb_object_agg(x.key, x.n) AS by_key
      FROM (
        SELECT s.c, g.key, count(*) FILTER (WHERE g.value = 'false'::jsonb) AS n
        FROM s CROSS JOIN LATERAL jsonb_each(s.gates) g
        WHERE g.key = ANY(${gates})
        GROUP BY s.c, g.key
      ) x
      GROUP BY x.c
    ),
    fit AS (SELECT application_id AS c, quality, component FROM review_additive(${campaignId}::uuid)),
    cand AS (
      SELECT a.id, a.seq, a.number, a.applicant_name, a.work_unit, a.form ->> 'field' AS field, u.name AS unit_name,
        (SELECT count(*) FROM review_assignments r
          WHERE r.application_id = a.id
            AND NOT EXISTS (SELECT 1 FROM review_conflicts x WHERE x.application_id = r.application_id AND x.expert_id = r.expert_id))::int AS required
      FROM applications a
      LEFT JOIN units u ON u.id = a.unit_id
      WHERE a.campaign_id = ${campaignId} AND a.deleted_at IS NULL
        AND (EXISTS (SELECT 1 FROM review_assignments r WHERE r.application_id = a.id)
          OR EXISTS (SELECT 1 FROM s WHERE s.c = a.id))
    ),
    f AS (
      SELECT cand.*,
        coalesce(agg.n, 0) AS sheets,
        agg.mean::float8 AS mean,
        (CASE WHEN agg.n >= ${TRIM_MIN_SHEETS} THEN (agg.total_sum - agg.hi - agg.lo) / (agg.n - 2) ELSE agg.mean END)::float8 AS trimmed_mean,
        agg.z_mean::float8 AS z_mean,
        CASE WHEN agg.n IS NULL THEN NULL ELSE fit.quality END AS additive,
        CASE WHEN agg.n IS NULL THEN NULL ELSE fit.component END AS component,
        crit.means AS criterion_means,
        agg.sd::float8 AS std,
        (agg.hi - agg.lo)::float8 AS range,
        coalesce(agg.gate_failures, 0) AS gate_failures,
        gk.by_key AS gate_failures_by_key
      FROM cand
      LEFT JOIN agg ON agg.c = cand.id
      LEFT JOIN crit ON crit.c = cand.id
      LEFT JOIN gk ON gk.c = cand.id
      LEFT JOIN fit ON fit.c = cand.id
    ),
    r AS (SELECT f.*, round((${figure})::numeric, 2) AS key FROM f)
    SELECT r.id AS application_id, r.number, r.applicant_name AS name, r.work_unit, r.unit_name, r.field, r.sheets, r.required,
      r.mean, r.trimmed_mean, r.z_mean, r.additive, r.component, r.criterion_means, r.std, r.range, r.gate_failures,
      r.gate_failures_by_key,
      CASE WHEN r.key IS NULL THEN NULL ELSE rank() OVER (ORDER BY r.key DESC NULLS LAST) END AS rank,
      count(*) OVER (PARTITION BY r.key) AS ties
    FROM r
    ORDER BY r.key DESC NULLS LAST, r.seq, r.id
  `)) as unknown as { rows: Row[] };
  return result.rows;
}

/** 网上评选结果 as an .xlsx: the ranking sheet (rounded as shown on the page) and a sheet explaining the figures. */
export async function rankingWorkbook(r: RankingReply): Promise<Buffer> {
  const round = (v: number | null, digits = 2) => (v === null ? null : Number(v.toFixed(digits)));
  const scoreCriteria = r.criteria.filter((c) => c.kind === 'score');
  const gateCriteria = r.criteria.filter((c) => c.kind === 'gate');
  const headers = [
    '排名',
    '申请书编号',
    '姓名',
    '工作单位',
    '推荐单位',
    '推荐领域',
    '已提交评分表',
    '应评份数',
    ...RANK_FIGURES.map((f) => RANK_FIGURE_LABELS[f]),
    ...scoreCriteria.map((c) => `${c.name}平均分（满分${c.maxScore}）`),
    '总分标准差',
    '最高分与最低分之差',
    ...gateCriteria.map((c) => `${c.name}“否”票数`),
    '标记',
  ];
  const bold = (value: string) => ({ value, fontWeight: 'bold' as const });
  const cell = (value: string | number | null) => (value === null ? null : { value });
  const rows = r.rows.map((row) => [
    cell(row.rankLabel),
    cell(row.number),
    cell(row.name),
    cell(row.workUnit),
    cell(row.unitName ?? ''),
    cell(row.field),
    cell(row.sheets),
    cell(row.required),
    ...RANK_FIGURES.map((f) => cell(round(row[f]))),
    ...scoreCriteria.map((c) => cell(round(row.criterionMeans[c.key] ?? null))),
    cell(round(row.std)),
    cell(round(row.range, 1)),
    ...gateCriteria.map((c) => cell(row.gateFailuresByKey[c.key] ?? 0)),
    cell(
      [row.gateFailed ? '有专家认为未达到政治过硬要求' : '', row.sheets < row.required ? `尚有${row.required - row.sheets}份评分表未提交` : '']
        .filter(Boolean)
        .join('；'),
    ),
  ]);
  const notes = [
    [bold(r.campaignTitle)],
    [cell(`排名依据：${r.byLabel}（并列者名次相同，按申请书编号排列）`)],
    [cell(`已提交评分表：${r.submittedSheets}份`)],
    ...(r.components > 1 ? [[cell(`评审分组互不重叠（共${r.components}组），“${RANK_FIGURE_LABELS.additive}”仅在组内可比`)]] : []),
    [],
    [bold('指标'), bold('说明')],
    ...RANK_FIGURES.map((f) => [cell(RANK_FIGURE_LABELS[f]), cell(RANK_FIGURE_NOTES[f])]),
  ];
  const buffer = await writeXlsxFile([
    {
      sheet: '网上评选结果',
      data: [headers.map(bold), ...rows],
      columns: headers.map((h) => ({ width: Math.max(10, Math.min(30, h.length * 2)) })),
      stickyRowsCount: 1,
    },
    { sheet: '说明', data: notes, columns: [{ width: 36 }, { width: 90 }] },
  ]).toBuffer();
  return buffer as Buffer;
}
