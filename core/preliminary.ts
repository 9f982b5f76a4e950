// 初评 (the notice's 三、3 ①): the recommending unit's preliminary evaluation of a candidate it holds, recorded in
// 办理 beside 推荐单位意见. 通过 is required before 【提交】 to 自治区科协; 不通过 needs a reason. One rule for the
// server's check and the browser's form. The applicant never sees it.
import { z } from 'zod';
import { text } from './text';

export const PRELIMINARY_RESULTS = ['pass', 'fail'] as const;
export type PreliminaryResult = (typeof PRELIMINARY_RESULTS)[number];

export const PRELIMINARY_LABELS: Record<PreliminaryResult, string> = { pass: '通过', fail: '不通过' };

/** The longest 初评 reason, in characters. */
export const PRELIMINARY_REASON_MAX_LENGTH = 500;

/** The body of 【保存初评】: `{ result, reason? }`; a reason is required for 不通过 (optional, kept, for 通过). */
export const preliminarySchema = z
  .object({
    result: z.enum(PRELIMINARY_RESULTS, { error: '请选择初评结果：通过（pass）或不通过（fail）' }),
    reason: text('初评理由').max(PRELIMINARY_REASON_MAX_LENGTH, `初评理由不能超过${PRELIMINARY_REASON_MAX_LENGTH}字`).nullable().optional(),
  })
  .superRefine((v, ctx) => {
    if (v.result === 'fail' && !v.reason?.trim()) {
      ctx.addIssue({ code: 'custom', path: ['reason'], message: '初评结果为不通过时，请填写不通过的理由' });
    }
  });
export type PreliminaryInput = z.infer<typeof preliminarySchema>;
