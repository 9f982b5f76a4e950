import { Button, Input, Radio, Space, Typography } from 'antd';
import { PRELIMINARY_LABELS, PRELIMINARY_REASON_MAX_LENGTH, type PreliminaryResult } from '../../../../core/preliminary';
import { formatTime } from '../../hooks';
import type { PreliminaryView } from '../../types';

export interface PreliminaryDraft {
  result: PreliminaryResult | null;
  reason: string;
}

export const preliminaryDraftOf = (saved: PreliminaryView | null | undefined): PreliminaryDraft => ({
  result: saved?.result ?? null,
  reason: saved?.reason ?? '',
});

/** Whether the draft differs from what is saved. */
export const preliminaryUnsaved = (draft: PreliminaryDraft, saved: PreliminaryView | null | undefined) =>
  draft.result !== (saved?.result ?? null) || draft.reason.trim() !== (saved?.reason ?? '').trim();

/** What the draft still needs before 【保存初评】, in the server's words; null when it may be saved. */
export function preliminaryProblem(draft: PreliminaryDraft): string | null {
  if (!draft.result) return '请选择初评结果：通过或不通过';
  if (draft.result === 'fail' && !draft.reason.trim()) return '初评结果为不通过时，请填写不通过的理由';
  return null;
}

interface Props {
  saved: PreliminaryView | null | undefined;
  draft: PreliminaryDraft;
  onDraft: (draft: PreliminaryDraft) => void;
  /** abilities.preliminary: the unit holds it */
  canEdit: boolean;
  saving: boolean;
  /** shown under the reason after a refused 【保存初评】 */
  problem: string | null;
  onSave: () => void;
}

/**
 * 初评 (the notice's 三、3 ①) in 办理, beside 推荐单位意见: 通过 / 不通过 and a reason (required for 不通过), saved with
 * 【保存初评】; read-only for 自治区科协 and once the unit no longer holds it. The applicant never sees it.
 */
export function PreliminaryPanel({ saved, draft, onDraft, canEdit, saving, problem, onSave }: Props) {
  const recorded = saved ? (
    <Typography.Text type="secondary" className="preliminary-by">
      {saved.by} 于 {formatTime(saved.at)} 记录
    </Typography.Text>
  ) : null;
  if (!canEdit) {
    return (
      <section className="preliminary-panel" aria-label="初评">
        <Typography.Paragraph strong className="no-margin">
          初评结果：
          {saved ? (
            <span className={saved.result === 'pass' ? 'preliminary-pass' : 'preliminary-fail'}>{saved.resultLabel}</span>
          ) : (
            <Typography.Text type="secondary">未填写</Typography.Text>
          )}
        </Typography.Paragraph>
        {saved?.reason && <Typography.Paragraph className="pre-wrap no-margin">理由：{saved.reason}</Typography.Paragraph>}
        {recorded}
      </section>
    );
  }
  const dirty = preliminaryUnsaved(draft, saved);
  return (
    <section className="preliminary-panel" aria-label="初评">
      <Typography.Paragraph type="secondary">
        请对候选人材料进行把关审核，选择初评结果；不通过的须填写理由。初评结果为“通过”后方可【提交】至自治区科协。初评结果仅推荐单位和自治区科协可见。
      </Typography.Paragraph>
      <div className="preliminary-row">
        <span id="preliminary-result-label" className="preliminary-label">
          <span className="required-mark" aria-hidden="true">
            *
          </span>
          初评结果：
        </span>
        <Radio.Group
          aria-labelledby="preliminary-result-label"
          value={draft.result}
          onChange={(e) => onDraft({ ...draft, result: e.target.value as PreliminaryResult })}
          options={(['pass', 'fail'] as const).map((r) => ({ value: r, label: PRELIMINARY_LABELS[r] }))}
        />
      </div>
      <Input.TextArea
        id="preliminary_reason"
        aria-label="初评理由"
        aria-invalid={problem ? true : undefined}
        aria-describedby={problem ? 'preliminary-problem' : undefined}
        value={draft.reason}
        onChange={(e) => onDraft({ ...draft, reason: e.target.value })}
        autoSize={{ minRows: 2, maxRows: 8 }}
        maxLength={PRELIMINARY_REASON_MAX_LENGTH}
        showCount
        placeholder={draft.result === 'fail' ? '请填写不通过的理由（必填）' : '初评理由（不通过时必填）'}
        status={problem ? 'error' : undefined}
      />
      {problem && (
        <Typography.Text type="danger" id="preliminary-problem" role="alert">
          {problem}
        </Typography.Text>
      )}
      <Space wrap className="preliminary-actions">
        <Button type="primary" onClick={onSave} loading={saving} disabled={!dirty}>
          保存初评
        </Button>
        {dirty ? (
          <Typography.Text type="warning">尚未保存</Typography.Text>
        ) : saved ? (
          <Typography.Text type="success" role="status">
            初评已保存：{saved.resultLabel}
          </Typography.Text>
        ) : null}
        {!dirty && recorded}
      </Space>
    </section>
  );
}
