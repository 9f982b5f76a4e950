import { useState } from 'react';
import { App, Button, Card, Descriptions, Empty, Form, Input, Radio, Space, Tag, Typography } from 'antd';
import { objectionDecisionSchema, PUBLICITY_LIMITS, type ObjectionView } from '../../../../core';
import { decideObjection, objectionFileUrl } from '../../client/publicity';
import { formatSize, formatTime } from '../../hooks';
import { showFieldErrors, useFormSubmit, validateWith } from '../../formUtils';

const STATUS_COLORS: Record<string, string> = { open: 'orange', upheld: 'red', rejected: 'green' };

/** 异议 as cards: who, about whom, what, the evidence, and the 核实 (a form for the owner while it is open). */
export function ObjectionList({ items, showPublicity, onChanged }: { items: ObjectionView[]; showPublicity?: boolean; onChanged: () => void }) {
  if (!items.length) return <Empty description="暂无异议" />;
  return (
    <Space direction="vertical" className="full-width" size="middle">
      {items.map((o) => (
        <Card
          key={o.id}
          size="small"
          title={
            <span>
              关于候选人 {o.candidateName} 的异议 <Tag color={STATUS_COLORS[o.status]}>{o.statusLabel}</Tag>
            </span>
          }
          extra={formatTime(o.createdAt)}
        >
          <Descriptions column={1} size="small">
            {showPublicity && (
              <Descriptions.Item label="公示">
                {o.publicityTitle}（{o.publisher}）
              </Descriptions.Item>
            )}
            <Descriptions.Item label="异议人">
              {o.name}，手机 {o.mobile}
            </Descriptions.Item>
            <Descriptions.Item label="异议内容">
              <span className="pre-wrap">{o.content}</span>
            </Descriptions.Item>
            <Descriptions.Item label="证明材料">
              {o.files.length
                ? o.files.map((f) => (
                    <a key={f.id} href={objectionFileUrl(f.id)} className="objection-file" download>
                      {f.name}（{formatSize(f.size)}）
                    </a>
                  ))
                : '无'}
            </Descriptions.Item>
            {o.status !== 'open' && (
              <>
                <Descriptions.Item label="核实情况">
                  <span className="pre-wrap">{o.finding}</span>
                </Descriptions.Item>
                <Descriptions.Item label="核实结论">
                  {o.statusLabel}（{o.decidedByName}，{formatTime(o.decidedAt)}）
                </Descriptions.Item>
              </>
            )}
          </Descriptions>
          {o.status === 'open' && o.mine && <DecisionForm objection={o} onDone={onChanged} />}
          {o.status === 'open' && !o.mine && <Typography.Text type="secondary">待发布公示的单位核实</Typography.Text>}
        </Card>
      ))}
    </Space>
  );
}

function DecisionForm({ objection, onDone }: { objection: ObjectionView; onDone: () => void }) {
  const [form] = Form.useForm();
  const { modal, message } = App.useApp();
  const { submitting, run } = useFormSubmit(form);
  const [open, setOpen] = useState(false);
  if (!open) {
    return (
      <Button type="primary" onClick={() => setOpen(true)}>
        核实
      </Button>
    );
  }
  const onFinish = (values: Record<string, unknown>) => {
    const checked = validateWith(objectionDecisionSchema, { conclusion: values.conclusion, finding: values.finding ?? '' });
    if (!checked.ok) {
      showFieldErrors(form, checked.fields);
      return;
    }
    const label = checked.data.conclusion === 'upheld' ? '异议成立' : '异议不成立';
    modal.confirm({
      title: `确认核实结论为“${label}”？`,
      content: `保存后不能修改，系统将以短信告知异议人（${objection.name}）核实结论。${checked.data.conclusion === 'upheld' ? '异议成立的候选人不能提交到自治区科协。' : ''}`,
      okText: '确定',
      cancelText: '取消',
      onOk: () =>
        run(async () => {
          await decideObjection(objection.id, checked.data);
          void message.success('核实结论已保存，已短信告知异议人');
          onDone();
        }),
    });
  };
  return (
    <Form form={form} name={`decision-${objection.id}`} layout="vertical" onFinish={onFinish} className="decision-form">
      <Form.Item label="核实情况" name="finding" required>
        <Input.TextArea rows={4} maxLength={PUBLICITY_LIMITS.finding} showCount />
      </Form.Item>
      <Form.Item label="核实结论" name="conclusion" required>
        <Radio.Group aria-label="核实结论">
          <Radio value="rejected">异议不成立</Radio>
          <Radio value="upheld">异议成立</Radio>
        </Radio.Group>
      </Form.Item>
      <Space>
        <Button type="primary" htmlType="submit" loading={submitting}>
          保存核实结论
        </Button>
        <Button onClick={() => setOpen(false)}>取消</Button>
      </Space>
    </Form>
  );
}
