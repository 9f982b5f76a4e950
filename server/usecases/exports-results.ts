// 网上评选结果, 集中评选计票结果 and 最终评选结果 as .xlsx jobs (issue 15, 4.): 自治区科协 only. The ranking and the
// tallies reuse their pages' own workbooks (review-ranking.ts rankingWorkbook, meeting-rounds.ts roundWorkbook: the
// same columns as the downloads beside them); the final list is the confirmed (or draft) pick with the constraints'
// attributes and the check of every constraint.
import fsp from 'node:fs/promises';
import { and, asc, eq } from 'drizzle-orm';
import { readSheet } from 'read-excel-file/node';
import { attributeLabel, SELECTION_ATTRIBUTES } from '../../core/selection/types';
import { meetingRounds } from '../db/schema';
import { JobFailure, type JobContext } from '../jobs/types';
import { writeSheets, type CellValue } from '../xlsx/writer';
import { getCampaign } from './campaigns';
import { roundWorkbook } from './meeting-rounds';
import { rankingOf, rankingWorkbook } from './review-ranking';
import { selectionState } from './selection';
import { beijingStamp } from './exports-summary';

export const RANKING_KIND = 'export.ranking';
export const TALLIES_KIND = 'export.tallies';
export const FINAL_KIND = 'export.final';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

function campaignOf(ctx: JobContext): string {
  if (!ctx.job.campaignId) throw new JobFailure('未指定评选活动');
  return ctx.job.campaignId;
}

export async function runRankingExport(ctx: JobContext): Promise<void> {
  const campaignId = campaignOf(ctx);
  await ctx.progress(0, 1);
  const by = typeof ctx.job.params.by === 'string' ? ctx.job.params.by : undefined;
  const ranking = await rankingOf(ctx.s, campaignId, by as Parameters<typeof rankingOf>[2]);
  if (!ranking.rows.length) throw new JobFailure('网上评选尚无候选人，没有可导出的排名');
  const file = ctx.tmpFile('.xlsx');
  await fsp.writeFile(file, await rankingWorkbook(ranking));
  await ctx.progress(1, 1);
  await ctx.store(`网上评选结果（${ranking.byLabel}）-${beijingStamp()}.xlsx`, XLSX, { path: file });
}

/** Every closed round's 计票结果 and 说明, in round order, as sheets of one workbook. */
export async function runTalliesExport(ctx: JobContext): Promise<void> {
  const campaignId = campaignOf(ctx);
  const rounds = await ctx.s.db
    .select({ id: meetingRounds.id, number: meetingRounds.number })
    .from(meetingRounds)
    .where(and(eq(meetingRounds.campaignId, campaignId), eq(meetingRounds.status, 'closed')))
    .orderBy(asc(meetingRounds.number));
  if (!rounds.length) throw new JobFailure('集中评选尚无已结束的投票轮次，没有可导出的计票结果');
  const sheets: Parameters<typeof writeSheets>[1] = [];
  let done = 0;
  await ctx.progress(0, rounds.length);
  for (const round of rounds) {
    const { buffer } = await roundWorkbook(ctx.s, round.id);
    const [header = [], ...rows] = (await readSheet(buffer)) as CellValue[][];
    const notes = (await readSheet(buffer, '说明')) as CellValue[][];
    sheets.push({ name: `第${round.number}轮计票结果`, header: header.map((h) => String(h ?? '')), rows });
    sheets.push({ name: `第${round.number}轮说明`, header: [String(notes[0]?.[0] ?? '')], rows: notes.slice(1), widths: [120] });
    await ctx.progress(++done, rounds.length);
  }
  const file = ctx.tmpFile('.xlsx');
  await writeSheets(file, sheets);
  await ctx.store(`集中评选计票结果-${beijingStamp()}.xlsx`, XLSX, { path: file });
}

export const FINAL_HEADERS = [
  '序号',
  '申请书编号',
  '姓名',
  '工作单位',
  '推荐单位',
  '单位类型',
  '地区',
  '推荐领域',
  '性别',
  '民族',
  '出生日期',
  '年龄',
  '院士',
  '青年',
  '基层一线',
  '网上评选名次',
  '集中评选赞成票',
  '当选',
  '推荐全国',
];

/** 最终评选结果: the winners (and national recommendees) with every attribute a constraint can name. */
export async function runFinalExport(ctx: JobContext): Promise<void> {
  const campaignId = campaignOf(ctx);
  await ctx.progress(0, 1);
  const [campaign, state] = await Promise.all([getCampaign(ctx.s.db, campaignId), selectionState(ctx.s, campaignId)]);
  const winners = new Set(state.pick.winners);
  const nationals = new Set(state.pick.nationals);
  const listed = state.candidates.filter((c) => winners.has(c.id) || nationals.has(c.id));
  if (!listed.length) throw new JobFailure('尚未选定当选人员，没有可导出的最终评选结果');
  const order = [...state.pick.winners, ...state.pick.nationals.filter((id) => !winners.has(id))];
  const byId = new Map(listed.map((c) => [c.id, c]));
  const yes = (v: boolean) => (v ? '是' : '否');
  const rows: CellValue[][] = order.flatMap((id, i) => {
    const c = byId.get(id);
    if (!c) return [];
    return [
      [
        i + 1,
        c.number,
        c.name,
        c.workUnit,
        c.values.unit,
        c.values.unitType,
        c.values.region,
        c.values.field,
        c.values.gender,
        c.values.ethnicity,
        c.birthDate,
        c.age,
        yes(c.flags.academician),
        yes(c.flags.youth),
        yes(c.flags.frontline),
        c.onlineRankLabel,
        c.votes,
        yes(winners.has(c.id)),
        yes(nationals.has(c.id)),
      ],
    ];
  });
  const header = FINAL_HEADERS.map((h) => (h === '青年' ? attributeLabel('youth', state.youthAgeLimit) : h));
  const status = state.status === 'confirmed' ? `已确认（${state.confirmedAt ?? ''}）` : '草稿（尚未确认）';
  const notes: CellValue[][] = [
    [`名单状态：${status}`],
    [`当选人数：${state.pick.winners.length}（设定${state.sizes.winners}人）；推荐全国：${state.pick.nationals.length}（设定${state.sizes.nationals}人）`],
    [`年龄计算基准日：${state.ageReferenceDate}`],
    [`约束条件：${state.check.ok ? '全部满足' : '有未满足的条件'}`],
    ...[...state.check.sizeLines, ...state.check.lines].map((l) => [`${l.ok ? '✔' : '✘'} ${l.text}`]),
    [`可作为约束的属性：${SELECTION_ATTRIBUTES.map((a) => attributeLabel(a, state.youthAgeLimit)).join('、')}`],
  ];
  const file = ctx.tmpFile('.xlsx');
  await writeSheets(file, [
    { name: '最终评选结果', header, rows },
    { name: '说明', header: [`${campaign.title} 最终评选结果`], rows: notes, widths: [110] },
  ]);
  await ctx.progress(1, 1);
  await ctx.store(`最终评选结果${state.status === 'confirmed' ? '' : '（草稿）'}-${beijingStamp()}.xlsx`, XLSX, { path: file });
}
