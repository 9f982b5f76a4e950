import type { ReactNode } from 'react';
import { Button, Form, Input, Space, Typography } from 'antd';
import { OPINION_MAX_LENGTH } from '../../../../core';

interface Props {
  /** Form name, for unique ids. */
  name: string;
  /** The text box's label: 修改意见, 推荐单位意见, 退回意见. */
  label: string;
  help: ReactNode;
  saved: string | null;
  draft: string;
  onDraft: (text: string) => void;
  canEdit: boolean;
  saving: boolean;
  onSave: () => void;
  children?: ReactNode;
}

/** One opinion tab: a text box and 【保存】 (manual 二.5, 二.6); read-only once it is not one's to handle. */
export function OpinionPanel({ name, label, help, saved, draft, onDraft, canEdit, saving, onSave, children }: Props) {
  const dirty = draft.trim() !== (saved ?? '').trim();
  if (!canEdit) {
    return (
      <div className="opinion-panel">
        <Typography.Paragraph strong>{label}：</Typography.Paragraph>
        <Typography.Paragraph className="pre-wrap opinion-readonly">
          {saved?.trim() ? saved : <Typography.Text type="secondary">未填写</Typography.Text>}
        </Typography.Paragraph>
        {children}
      </div>
    );
  }
  return (
    <div className="opinion-panel">
      <Typography.Paragraph type="secondary">{help}</Typography.Paragraph>
      <Form layout="vertical" name={name} onFinish={onSave}>
        {/* named by aria-label, not a visible label: the tab above already reads the same words */}
        <Form.Item>
          <Input.TextArea
            id={`${name}_text`}
            aria-label={label}
            value={draft}
            onChange={(e) => onDraft(e.target.value)}
            autoSize={{ minRows: 6, maxRows: 20 }}
            maxLength={OPINION_MAX_LENGTH}
            showCount
            placeholder={`请填写${label}`}
          />
        </Form.Item>
        <Space wrap>
          <Button type="primary" htmlType="submit" loading={saving} disabled={!draft.trim() && !saved}>
            保存
          </Button>
          {dirty ? (
            <Typography.Text type="warning">尚未保存</Typography.Text>
          ) : saved?.trim() ? (
            <Typography.Text type="success" role="status">
              已保存
            </Typography.Text>
          ) : null}
        </Space>
      </Form>
      {children}
    </div>
  );
}
