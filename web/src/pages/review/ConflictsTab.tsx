import { useState } from 'react';
import { Alert, App, Button, Form, Input, Modal, Select, Space, Table, Tag, Typography } from 'antd';
import { Link } from 'react-router';
import { errorMessage } from '../../api';
import { addConflict, listAssignments, listConflicts, type AssignmentsReply, type ConflictsReply } from '../../client/review';
import { formatTime, useLoader } from '../../hooks';

type Row = ConflictsReply['conflicts'][number];
interface Values {
  expertId?: string;
  applicationId?: string;
  reason?: string;
}

/**
 * 回避登记 (自治区科协): every declared 回避 of the campaign — the experts' 申报回避 and 自治区科协's own — and
 * 【登记回避】: an expert, a candidate (已受理 or 网上评选中) and the reason. The candidate then leaves the expert's
 * list; an assignment stays and no longer counts, so 分配情况 shows the candidate short of k.
 */
export function ConflictsTab({ campaignId, onChange }: { campaignId: string; onChange: () => void }) {
  const { message } = App.useApp();
  const { data, setData, loading, error } = useLoader(() => listConflicts(campaignId), [campaignId]);
  const [open, setOpen] = useState(false);
  const [people, setPeople] = useState<AssignmentsReply | null>(null);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<Values>();

  const start = async () => {
    form.resetFields();
    setOpen(true);
    try {
      setPeople(await listAssignments(campaignId));
    } catch (err) {
      void message.error(errorMessage(err));
    }
  };
  const submit = async (values: Values) => {
    setBusy(true);
    try {
      const reply = await addConflict(campaignId, { expertId: values.expertId!, applicationId: values.applicationId!, reason: values.reason ?? '' });
      setData(reply);
      setOpen(false);
      void message.success(reply.message ?? '已登记回避');
      onChange();
    } catch (err) {
      void message.error(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      {error && <Alert type="error" showIcon title={error} className="block-gap" />}
      <Space wrap className="block-gap">
        <Button type="primary" onClick={() => void start()}>
          登记回避
        </Button>
        <Typography.Text type="secondary">
          登记后该专家看不到该候选人；已有的分配保留但不计入有效评审，请在【分配情况】中补充分配。专家已提交评分的，须先退回重评。
        </Typography.Text>
      </Space>
      <Table<Row>
        size="small"
        rowKey={(r) => `${r.expertId}:${r.applicationId}`}
        loading={loading}
        dataSource={data?.conflicts ?? []}
        pagination={false}
        scroll={{ x: 860 }}
        locale={{ emptyText: '暂无回避登记' }}
        columns={[
          { title: '评审专家', key: 'e', width: 180, render: (_: unknown, r: Row) => `${r.expertName}${r.expertWorkUnit ? `（${r.expertWorkUnit}）` : ''}` },
          {
            title: '候选人',
            key: 'c',
            width: 190,
            render: (_: unknown, r: Row) => (
              <Link to={`/zmkj/view/${r.applicationId}`}>
                {r.number} {r.applicantName}
              </Link>
            ),
          },
          { title: '回避理由', dataIndex: 'reason' },
          {
            title: '登记方',
            key: 'by',
            width: 130,
            render: (_: unknown, r: Row) => <Tag color={r.declaredBy === 'organizer' ? 'blue' : 'orange'}>{r.declaredByLabel}</Tag>,
          },
          { title: '登记时间', dataIndex: 'createdAt', width: 150, render: (v: string) => formatTime(v) },
          { title: '原有分配', dataIndex: 'assigned', width: 90, render: (v: boolean) => (v ? '已分配' : '—') },
        ]}
      />
      <Modal
        open={open}
        title="登记回避"
        okText="登记回避"
        cancelText="取消"
        confirmLoading={busy}
        onCancel={() => setOpen(false)}
        onOk={() => form.submit()}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" onFinish={(v) => void submit(v)} requiredMark>
          <Form.Item name="expertId" label="评审专家" rules={[{ required: true, message: '请选择评审专家' }]}>
            <Select
              aria-label="评审专家"
              showSearch
              optionFilterProp="label"
              placeholder="输入姓名或工作单位搜索"
              loading={!people}
              options={(people?.experts ?? []).map((e) => ({
                value: e.id,
                label: `${e.name}（${e.workUnit ?? '未填工作单位'}）${e.disabled ? '［已停用］' : ''}`,
              }))}
            />
          </Form.Item>
          <Form.Item name="applicationId" label="候选人" rules={[{ required: true, message: '请选择候选人' }]}>
            <Select
              aria-label="候选人"
              showSearch
              optionFilterProp="label"
              placeholder="输入姓名或申请书编号搜索"
              loading={!people}
              options={(people?.candidates ?? []).map((c) => ({ value: c.applicationId, label: `${c.number} ${c.applicantName}（${c.workUnit}）` }))}
            />
          </Form.Item>
          <Form.Item
            name="reason"
            label="回避理由"
            rules={[
              { required: true, whitespace: true, message: '请填写回避理由' },
              { min: 2, message: '回避理由至少2个字' },
            ]}
          >
            <Input.TextArea aria-label="回避理由" rows={3} maxLength={200} showCount placeholder="如：与候选人为同一课题组成员" />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
