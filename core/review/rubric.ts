// 评分标准 (the rubric of the online review, issue 13, 8.) and the expert's score sheet against it.
//
// A rubric is a list of criteria. A 'gate' is answered 是/否 and scores nothing (政治过硬: a 否 marks the
// candidate in the ranking); a 'score' criterion takes 0..maxScore in steps of 0.1. The maxima of the score
// criteria sum to RUBRIC_TOTAL (100), so that every total reads "out of 100" whatever the campaign chose.
//
// The default follows 新科协发〔2023〕47号 四、评选标准:
//   政治过硬       gate. The notice lists it first, as a condition (热爱祖国，拥护中国共产党的领导…), not as a degree.
//   业绩突出       50.   The substance of the award and the longest criterion of the notice (five directions, the same
//                        five as 推荐领域); 五、2 names 工作实绩 as the yardstick; what the 申请书 documents best.
//   事迹感人       30.   The campaign is a 学习宣传活动: the winners are published and toured (三、4–5), so being
//                        适合公开宣传 with 先进性、代表性和影响力 weighs heavily, but below the achievements it rests on.
//   典型性与代表性 20.   From 四's opening principle (富有先进性、典型性和故事性, 兼顾不同类别、不同年龄, 向基层一线倾斜,
//                        聚焦青年). Part of it is enforced again as quotas in the final selection (院士 ≤ 10%,
//                        45岁以下 ≥ 20%), so a smaller weight avoids counting it twice.
import { z } from 'zod';
import { text } from '../text';

/** The sum of the score criteria's maxima. */
export const RUBRIC_TOTAL = 100;
export const CRITERION_KINDS = ['gate', 'score'] as const;
export type CriterionKind = (typeof CRITERION_KINDS)[number];
export const CRITERION_KIND_LABELS: Record<CriterionKind, string> = { gate: '是否项', score: '打分项' };
/** The longest comment (评语) on a sheet, in characters. */
export const COMMENT_MAX_LENGTH = 500;
export const MAX_CRITERIA = 12;

const KEY_RE = /^[a-z][a-z0-9_]{0,31}$/;

export const criterionSchema = z
  .object({
    key: text('评分项代码').regex(KEY_RE, '评分项代码应为小写字母开头的字母、数字或下划线，不超过32个字符'),
    name: text('评分项名称').trim().min(1, '请填写评分项名称').max(20, '评分项名称不能超过20字'),
    description: text('评分项说明').trim().max(1000, '评分项说明不能超过1000字'),
    kind: z.enum(CRITERION_KINDS, { error: '评分项类型应为是否项（gate）或打分项（score）' }),
    /** 0 for a gate; an integer 1..100 for a score criterion */
    maxScore: z.number({ error: '请填写评分项的满分' }),
  })
  .superRefine((c, ctx) => {
    if (c.kind === 'gate' && c.maxScore !== 0) {
      ctx.addIssue({ code: 'custom', path: ['maxScore'], message: `「${c.name}」是是否项，不计分，满分应为0` });
    }
    if (c.kind === 'score' && !(Number.isInteger(c.maxScore) && c.maxScore >= 1 && c.maxScore <= RUBRIC_TOTAL)) {
      ctx.addIssue({ code: 'custom', path: ['maxScore'], message: `「${c.name}」的满分应为1至${RUBRIC_TOTAL}之间的整数` });
    }
  });

export type Criterion = z.infer<typeof criterionSchema>;

export const rubricSchema = z
  .object({
    criteria: z.array(criterionSchema, { error: '请设置评分标准的评分项' }).max(MAX_CRITERIA, `评分标准最多${MAX_CRITERIA}个评分项`),
  })
  .superRefine((r, ctx) => {
    const keys = new Set<string>();
    const names = new Set<string>();
    r.criteria.forEach((c, i) => {
      if (keys.has(c.key)) ctx.addIssue({ code: 'custom', path: ['criteria', i, 'key'], message: `评分项代码「${c.key}」重复` });
      if (names.has(c.name)) ctx.addIssue({ code: 'custom', path: ['criteria', i, 'name'], message: `评分项「${c.name}」重复` });
      keys.add(c.key);
      names.add(c.name);
    });
    const scored = r.criteria.filter((c) => c.kind === 'score');
    if (scored.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['criteria'], message: '评分标准至少要有一个打分项' });
      return;
    }
    const sum = scored.reduce((s, c) => s + c.maxScore, 0);
    if (sum !== RUBRIC_TOTAL) {
      ctx.addIssue({
        code: 'custom',
        path: ['criteria'],
        message: `各打分项的满分之和应为${RUBRIC_TOTAL}分（现为${scored.map((c) => `${c.name}${c.maxScore}`).join('+')}=${sum}分）`,
      });
    }
  });

export type Rubric = z.infer<typeof rubricSchema>;

/** The default 评分标准, from 四、评选标准 (the weights are explained at the top of this file). */
export function defaultRubric(): Rubric {
  return {
    criteria: [
      {
        key: 'political',
        name: '政治过硬',
        kind: 'gate',
        maxScore: 0,
        description:
          '热爱祖国，拥护中国共产党的领导，政治坚定，自觉践行社会主义核心价值观；作风廉洁，遵纪守法；恪守科学道德、树立良好学风；淡泊名利、艰苦奋斗、无私奉献。',
      },
      {
        key: 'achievement',
        name: '业绩突出',
        kind: 'score',
        maxScore: 50,
        description:
          '长期奋战在科研一线，在前沿领域和基础研究、国家重大需求与关键核心技术、经济主战场与成果转化、人民生命健康、服务社会（乡村振兴、共同富裕、公众科学素质提升）等方面作出重要贡献。',
      },
      {
        key: 'story',
        name: '事迹感人',
        kind: 'score',
        maxScore: 30,
        description: '适合公开宣传，有突出的先进性、代表性和影响力。',
      },
      {
        key: 'typical',
        name: '典型性与代表性',
        kind: 'score',
        maxScore: 20,
        description: '富有先进性、典型性和故事性；兼顾不同类别、不同年龄的科技工作者，注重向基层一线科技工作者倾斜，聚焦青年科技工作者典型。',
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Score sheets

/** An expert's sheet on one candidate: a score per score criterion, 是/否 per gate, and an optional 评语. */
export interface ScoreSheet {
  scores: Record<string, number | null>;
  gates: Record<string, boolean | null>;
  comment?: string;
}

/** 'draft' (保存): anything may still be blank. 'submit' (提交): every criterion answered. */
export type SheetMode = 'draft' | 'submit';

/** True when `value` has at most one decimal (45, 45.5; not 45.25), allowing for binary floating point. */
export function hasOneDecimal(value: number): boolean {
  return Math.abs(value * 10 - Math.round(value * 10)) < 1e-6;
}

/**
 * The schema of a score sheet against `rubric`. Every message names the criterion ("业绩突出的分数须在0到50之间"),
 * at the path ['scores', key] or ['gates', key]. Scores come out rounded to one decimal (no floating-point tails);
 * blanks (absent or null) come out as null; unknown criteria and unknown fields are refused.
 */
export function scoreSheetSchema(rubric: Rubric, mode: SheetMode) {
  const byKey = new Map(rubric.criteria.map((c) => [c.key, c]));
  const section = (label: string) => z.record(text(label), z.unknown(), { error: `${label}格式不正确` }).default({});
  return z
    .strictObject(
      {
        scores: section('评分'),
        gates: section('是否项'),
        comment: text('评语').max(COMMENT_MAX_LENGTH, `评语不能超过${COMMENT_MAX_LENGTH}字`).optional(),
      },
      { error: (issue) => (issue.code === 'unrecognized_keys' ? `评分表中有无法识别的内容：${issue.keys.join('、')}` : '评分表格式不正确') },
    )
    .superRefine((sheet, ctx) => {
      for (const [section, kind] of [
        ['scores', 'score'],
        ['gates', 'gate'],
      ] as const) {
        for (const key of Object.keys(sheet[section])) {
          const c = byKey.get(key);
          if (!c) ctx.addIssue({ code: 'custom', path: [section, key], message: `评分标准中没有评分项「${key}」` });
          else if (c.kind !== kind) {
            const message = c.kind === 'gate' ? `「${c.name}」是是否项，请选择是或否，不打分` : `「${c.name}」是打分项，请填写分数`;
            ctx.addIssue({ code: 'custom', path: [section, key], message });
          }
        }
      }
      for (const c of rubric.criteria) {
        if (c.kind === 'score') {
          const v = sheet.scores[c.key];
          const path = ['scores', c.key];
          if (v === undefined || v === null) {
            if (mode === 'submit') ctx.addIssue({ code: 'custom', path, message: `请填写${c.name}的分数` });
          } else if (typeof v !== 'number' || !Number.isFinite(v)) {
            ctx.addIssue({ code: 'custom', path, message: `${c.name}的分数须为数字` });
          } else if (v < 0 || v > c.maxScore) {
            ctx.addIssue({ code: 'custom', path, message: `${c.name}的分数须在0到${c.maxScore}之间` });
          } else if (!hasOneDecimal(v)) {
            ctx.addIssue({ code: 'custom', path, message: `${c.name}的分数最多保留一位小数` });
          }
        } else {
          const v = sheet.gates[c.key];
          const path = ['gates', c.key];
          if (v === undefined || v === null) {
            if (mode === 'submit') ctx.addIssue({ code: 'custom', path, message: `请选择${c.name}：是或否` });
          } else if (typeof v !== 'boolean') {
            ctx.addIssue({ code: 'custom', path, message: `${c.name}只能选择是或否` });
          }
        }
      }
    })
    .transform((sheet): ScoreSheet => {
      const scores: Record<string, number | null> = {};
      const gates: Record<string, boolean | null> = {};
      for (const c of rubric.criteria) {
        if (c.kind === 'score') {
          const v = sheet.scores[c.key];
          scores[c.key] = typeof v === 'number' ? Math.round(v * 10) / 10 : null;
        } else {
          const v = sheet.gates[c.key];
          gates[c.key] = typeof v === 'boolean' ? v : null;
        }
      }
      return sheet.comment === undefined ? { scores, gates } : { scores, gates, comment: sheet.comment };
    });
}

/**
 * The sheet's total: the sum of its score criteria (gates score nothing; blanks count 0), added in tenths so that
 * 45.1 + 27.3 + 18.2 is exactly 90.6.
 */
export function sheetTotal(rubric: Rubric, sheet: { scores: Readonly<Record<string, number | null | undefined>> }): number {
  let tenths = 0;
  for (const c of rubric.criteria) {
    const v = c.kind === 'score' ? sheet.scores[c.key] : null;
    if (typeof v === 'number') tenths += Math.round(v * 10);
  }
  return tenths / 10;
}

/** The gates the sheet answers 否 (an empty list when it passes them all or leaves them blank). */
export function failedGates(rubric: Rubric, sheet: { gates: Readonly<Record<string, boolean | null | undefined>> }): Criterion[] {
  return rubric.criteria.filter((c) => c.kind === 'gate' && sheet.gates[c.key] === false);
}
