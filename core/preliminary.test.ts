import { describe, expect, it } from 'vitest';
import { PRELIMINARY_REASON_MAX_LENGTH, preliminarySchema } from './preliminary';

describe('初评: the body of 【保存初评】', () => {
  it('takes 通过 with or without a reason, 不通过 only with one, and at most 500 characters', () => {
    expect(preliminarySchema.parse({ result: 'pass' })).toEqual({ result: 'pass' });
    expect(preliminarySchema.parse({ result: 'pass', reason: null })).toEqual({ result: 'pass', reason: null });
    expect(preliminarySchema.parse({ result: 'fail', reason: '事迹与推荐领域不符' }).reason).toBe('事迹与推荐领域不符');
    const messages = (v: unknown) => preliminarySchema.safeParse(v).error?.issues.map((i) => `${i.path.join('.')}:${i.message}`) ?? [];
    expect(messages({ result: 'fail' })).toEqual(['reason:初评结果为不通过时，请填写不通过的理由']);
    expect(messages({ result: 'fail', reason: ' \n ' })).toEqual(['reason:初评结果为不通过时，请填写不通过的理由']);
    expect(messages({ result: 'maybe' })[0]).toContain('请选择初评结果');
    expect(messages({ result: 'pass', reason: '理'.repeat(PRELIMINARY_REASON_MAX_LENGTH + 1) })[0]).toContain('初评理由不能超过500字');
    expect(messages({ result: 'fail', reason: 'a\u0000b' })[0]).toContain('初评理由含有无法识别的字符');
    expect(preliminarySchema.safeParse({ result: 'pass', reason: '理'.repeat(PRELIMINARY_REASON_MAX_LENGTH) }).success).toBe(true);
  });
});
