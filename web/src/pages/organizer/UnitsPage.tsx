import { useState } from 'react';
import { Alert, App, Button, Card, Form, Input, Modal, Space, Table, Tabs } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { PASSWORD_RULE, UNIT_STATUS_LABELS, UNIT_STATUSES, unitCreateSchema } from '../../../../core';
import type { UnitStatus } from '../../../../core';
import { approveUnit, createUnit, listAdminUnits, refuseUnit } from '../../client/admin';
import { UnitInfoItems } from '../../components/UnitInfoItems';
import { ContactItems } from '../../components/ContactItems';
import { showFieldErrors, useErrorReporter, useFormSubmit, validateWith } from '../../formUtils';
import { formatTime, useLoader } from '../../hooks';
import type { AdminUnit } from '../../types';

/**
 * The form's columns, made once: Ant Design's Form gives them to every Form.Item through a context, so a new
 * object at each render would draw every field again (each keystroke, each step of the page).
 */
const LABEL_COL = { flex: '96px' };
const WRAPPER_COL = { flex: '1 1 0' };

/** Server names (API body) → form names (shared schema). */

function CreateUnitModal({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: () => void }) {
  const [form] = Form.useForm();
  const { message } = App.useApp();
  const { submitting: saving, run } = useFormSubmit(form);

  const submit = async () => {
    const values = form.getFieldsValue(true) as Record<string, unknown>;
    const checked = validateWith(unitCreateSchema, values);
    const fields = checked.ok ? [] : [...checked.fields];
    if (!values.confirmPassword) fields.push({ name: ['confirmPassword'], errors: ['请再次输入密码'] });
    else if (values.confirmPassword !== values.password) fields.push({ name: ['confirmPassword'], errors: ['两次输入的密码不一致'] });
    if (!checked.ok || fields.length) {
      showFieldErrors(form, fields);
      return;
    }
    const d = checked.data;
    await run(async () => {
      await createUnit(d);
      void message.success(`推荐单位“${d.unitName}”已创建`);
      form.resetFields();
      onCreated();
    });
  };

  return (
    <Modal
      title="新建推荐单位"
      open={open}
      onCancel={onClose}
      onOk={() => void submit()}
      okText="创建"
      cancelText="取消"
      confirmLoading={saving}
      destroyOnHidden
      width={600}
    >
      <Form form={form} name="unitCreate" layout="horizontal" labelCol={LABEL_COL} wrapperCol={WRAPPER_COL}>
        <UnitInfoItems />
        <ContactItems />
        <Form.Item label="用户名" name="username" required>
          <Input maxLength={32} autoComplete="off" />
        </Form.Item>
        <Form.Item label="密码" name="password" required extra={PASSWORD_RULE}>
          <Input.Password maxLength={64} autoComplete="new-password" />
        </Form.Item>
        <Form.Item label="确认密码" name="confirmPassword" required>
          <Input.Password maxLength={64} autoComplete="new-password" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function RefuseModal({ unit, onClose, onDone }: { unit: AdminUnit | null; onClose: () => void; onDone: () => void }) {
  const [form] = Form.useForm();
  const { message } = App.useApp();
  const { submitting: saving, run } = useFormSubmit(form);

  const submit = async () => {
    if (!unit) return;
    const reason = String(form.getFieldValue('reason') ?? '').trim();
    if (!reason) {
      showFieldErrors(form, [{ name: ['reason'], errors: ['请填写不通过的原因，该原因将告知推荐单位'] }]);
      return;
    }
    await run(async () => {
      await refuseUnit(unit.id, reason);
      void message.success(`已将“${unit.name}”设为未通过`);
      form.resetFields();
      onDone();
    });
  };

  return (
    <Modal
      title={unit ? `不通过：${unit.name}` : '不通过'}
      open={unit !== null}
      onCancel={onClose}
      onOk={() => void submit()}
      okText="确定"
      cancelText="取消"
      confirmLoading={saving}
      destroyOnHidden
    >
      <Form form={form} name="unitRefuse" layout="vertical">
        <Form.Item label="不通过原因" name="reason" required>
          <Input.TextArea rows={4} maxLength={500} showCount />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** 推荐单位管理: review registrations (通过 / 不通过) and create unit accounts. */
export default function UnitsPage() {
  const { message } = App.useApp();
  const report = useErrorReporter();
  const [status, setStatus] = useState<UnitStatus>('pending');
  const [creating, setCreating] = useState(false);
  const [refusing, setRefusing] = useState<AdminUnit | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const { data, loading, error, reload } = useLoader(() => listAdminUnits(status), [status]);

  const approve = async (unit: AdminUnit) => {
    setBusy(unit.id);
    try {
      await approveUnit(unit.id);
      void message.success(`“${unit.name}”已审核通过`);
      void reload();
    } catch (err) {
      report(err);
    } finally {
      setBusy(null);
    }
  };

  const reviewable = status === 'pending';

  return (
    <Card
      title="推荐单位管理"
      extra={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
          新建推荐单位
        </Button>
      }
    >
      <Tabs activeKey={status} onChange={(k) => setStatus(k as UnitStatus)} items={UNIT_STATUSES.map((s) => ({ key: s, label: UNIT_STATUS_LABELS[s] }))} />
      {error && <Alert type="error" showIcon title={error} className="block-gap" />}
      <Table<AdminUnit>
        rowKey="id"
        loading={loading}
        dataSource={data ?? []}
        scroll={{ x: 960 }}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        locale={{ emptyText: '暂无数据' }}
        columns={[
          { title: '单位名称', dataIndex: 'name' },
          { title: '类型', dataIndex: 'type' },
          { title: '地区', dataIndex: 'region' },
          { title: '联系人', dataIndex: 'contactName' },
          { title: '联系电话', dataIndex: 'contactPhone' },
          { title: '用户名', dataIndex: 'username' },
          { title: '注册时间', dataIndex: 'createdAt', render: (v: string) => formatTime(v) },
          ...(status === 'refused' ? [{ title: '未通过原因', dataIndex: 'refusedReason', render: (v: string | null) => v ?? '' }] : []),
          ...(reviewable
            ? [
                {
                  title: '操作',
                  key: 'actions',
                  fixed: 'right' as const,
                  render: (_: unknown, unit: AdminUnit) => (
                    <Space size={4}>
                      <Button type="link" size="small" loading={busy === unit.id} onClick={() => void approve(unit)}>
                        通过
                      </Button>
                      <Button type="link" size="small" danger onClick={() => setRefusing(unit)}>
                        不通过
                      </Button>
                    </Space>
                  ),
                },
              ]
            : []),
        ]}
      />
      <CreateUnitModal
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={() => {
          setCreating(false);
          if (status === 'active') void reload();
          else setStatus('active');
        }}
      />
      <RefuseModal
        unit={refusing}
        onClose={() => setRefusing(null)}
        onDone={() => {
          setRefusing(null);
          void reload();
        }}
      />
    </Card>
  );
}
