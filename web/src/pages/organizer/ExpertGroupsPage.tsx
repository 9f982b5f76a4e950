import { useState } from 'react';
import { Alert, App, Button, Card, Empty, Form, Input, Modal, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { expertGroupInputSchema, RECOMMEND_FIELDS } from '../../../../core';
import type { AdminExpert, ExpertGroupView } from '../../../../core';
import { addGroupMembers, createGroup, deleteGroup, listExperts, listGroups, removeGroupMember, updateGroup } from '../../client/experts';
import { optionsOf, showFieldErrors, useErrorReporter, useFormSubmit, validateWith } from '../../formUtils';
import { useLoader } from '../../hooks';

const NO_FIELD = '__none__';

/** 新建评审组 and 修改 (名称, 推荐领域). */
function GroupModal({ open, group, onClose, onSaved }: { open: boolean; group: ExpertGroupView | null; onClose: () => void; onSaved: () => void }) {
  const [form] = Form.useForm();
  const { message } = App.useApp();
  const { submitting, run } = useFormSubmit(form);

  const submit = async () => {
    const values = form.getFieldsValue(true) as { name?: string; field?: string };
    const body = { name: values.name ?? '', field: !values.field || values.field === NO_FIELD ? null : values.field };
    const checked = validateWith(expertGroupInputSchema, body);
    if (!checked.ok) {
      showFieldErrors(form, checked.fields);
      return;
    }
    await run(async () => {
      if (group) await updateGroup(group.id, body);
      else await createGroup(body);
      void message.success(group ? `已保存评审组“${body.name.trim()}”` : `评审组“${body.name.trim()}”已创建`);
      onSaved();
    });
  };

  return (
    <Modal
      title={group ? `修改评审组：${group.name}` : '新建评审组'}
      open={open}
      onCancel={onClose}
      onOk={() => void submit()}
      okText={group ? '保存' : '创建'}
      cancelText="取消"
      confirmLoading={submitting}
      destroyOnHidden
    >
      <Form form={form} name="groupForm" layout="vertical" initialValues={group ? { name: group.name, field: group.field ?? NO_FIELD } : { field: NO_FIELD }}>
        <Form.Item label="评审组名称" name="name" required>
          <Input maxLength={50} autoComplete="off" />
        </Form.Item>
        <Form.Item label="推荐领域" name="field" extra="选填：按推荐领域分组时，网上评选可将该领域的候选人分配给本组">
          <Select options={[{ value: NO_FIELD, label: '不限领域' }, ...optionsOf(RECOMMEND_FIELDS)]} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** 添加成员: experts found by 姓名 / 单位 / 领域 / 手机, several at once. */
function AddMembersModal({ group, onClose, onSaved }: { group: ExpertGroupView | null; onClose: () => void; onSaved: () => void }) {
  const { message } = App.useApp();
  const report = useErrorReporter();
  const [keyword, setKeyword] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const [saving, setSaving] = useState(false);
  const { data, loading } = useLoader(() => listExperts({ keyword: keyword || undefined, status: 'active', page: 1, pageSize: 50 }), [keyword, group?.id], {
    enabled: group !== null,
  });
  const inGroup = new Set(group?.members.map((m) => m.id) ?? []);
  const candidates = (data?.rows ?? []).filter((e: AdminExpert) => !inGroup.has(e.id));

  const save = async () => {
    if (!group) return;
    if (!chosen.length) {
      void message.warning('请选择要加入本组的评审专家');
      return;
    }
    setSaving(true);
    try {
      await addGroupMembers(group.id, chosen);
      void message.success(`已将${chosen.length}位评审专家加入“${group.name}”`);
      setChosen([]);
      onSaved();
    } catch (err) {
      report(err);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      title={group ? `添加成员：${group.name}` : '添加成员'}
      open={group !== null}
      onCancel={() => {
        setChosen([]);
        onClose();
      }}
      onOk={() => void save()}
      okText="加入"
      cancelText="取消"
      confirmLoading={saving}
      destroyOnHidden
      width={760}
    >
      <Input.Search
        aria-label="查询评审专家"
        placeholder="姓名、工作单位、专业领域或手机"
        allowClear
        enterButton="查询"
        maxLength={50}
        onSearch={(v) => setKeyword(v.trim())}
        className="block-gap"
      />
      <Table<AdminExpert>
        size="small"
        rowKey="id"
        loading={loading}
        dataSource={candidates}
        pagination={{ pageSize: 10, hideOnSinglePage: true }}
        scroll={{ x: 600 }}
        rowSelection={{ selectedRowKeys: chosen, onChange: (keys) => setChosen(keys.map(String)) }}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="没有可加入的评审专家" /> }}
        columns={[
          { title: '姓名', dataIndex: 'realName' },
          { title: '工作单位', dataIndex: 'workUnit' },
          { title: '专业领域', dataIndex: 'field' },
          { title: '手机', dataIndex: 'mobile' },
        ]}
      />
    </Modal>
  );
}

/** 评审组: the current campaign's groups, their 推荐领域 and members. */
export default function ExpertGroupsPage() {
  const { message } = App.useApp();
  const report = useErrorReporter();
  const { data, loading, error, reload } = useLoader(listGroups, []);
  const [editing, setEditing] = useState<ExpertGroupView | null | 'new'>(null);
  const [adding, setAdding] = useState<ExpertGroupView | null>(null);

  const run = async (action: () => Promise<unknown>, done: string) => {
    try {
      await action();
      void message.success(done);
      void reload();
    } catch (err) {
      report(err);
    }
  };

  return (
    <Card
      title="评审组"
      extra={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
          新建评审组
        </Button>
      }
    >
      {error && <Alert type="error" showIcon title={error} className="block-gap" />}
      <Table<ExpertGroupView>
        rowKey="id"
        loading={loading}
        dataSource={data ?? []}
        pagination={false}
        scroll={{ x: 760 }}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="本届评选尚未建立评审组" /> }}
        expandable={{
          columnTitle: '成员',
          columnWidth: 72,
          expandedRowRender: (g) =>
            g.members.length ? (
              <Table
                size="small"
                rowKey="id"
                dataSource={g.members}
                pagination={false}
                aria-label={`${g.name}的成员`}
                columns={[
                  { title: '姓名', dataIndex: 'realName' },
                  { title: '工作单位', dataIndex: 'workUnit' },
                  { title: '专业领域', dataIndex: 'field' },
                  { title: '手机', dataIndex: 'mobile' },
                  { title: '状态', dataIndex: 'disabled', render: (d: boolean) => (d ? <Tag>已停用</Tag> : <Tag color="green">正常</Tag>) },
                  {
                    title: '操作',
                    key: 'remove',
                    render: (_: unknown, m: ExpertGroupView['members'][number]) => (
                      <Popconfirm
                        title={`将“${m.realName}”移出“${g.name}”？`}
                        okText="移出"
                        cancelText="取消"
                        onConfirm={() => run(() => removeGroupMember(g.id, m.id), `已将“${m.realName}”移出“${g.name}”`)}
                      >
                        <Button type="link" size="small" danger>
                          移出
                        </Button>
                      </Popconfirm>
                    ),
                  },
                ]}
              />
            ) : (
              <Typography.Text type="secondary">本组还没有成员，请点击【添加成员】</Typography.Text>
            ),
        }}
        columns={[
          { title: '评审组名称', dataIndex: 'name' },
          { title: '推荐领域', dataIndex: 'field', render: (f: string | null) => f ?? '不限领域' },
          { title: '成员人数', key: 'count', width: 100, render: (_: unknown, g: ExpertGroupView) => `${g.members.length}人` },
          {
            title: '操作',
            key: 'actions',
            width: 240,
            render: (_: unknown, g: ExpertGroupView) => (
              <Space size={0} wrap>
                <Button type="link" size="small" onClick={() => setAdding(g)}>
                  添加成员
                </Button>
                <Button type="link" size="small" onClick={() => setEditing(g)}>
                  修改
                </Button>
                <Popconfirm
                  title={`删除评审组“${g.name}”？`}
                  description="组内专家的账号保留，只是不再属于本组"
                  okText="删除"
                  cancelText="取消"
                  onConfirm={() => run(() => deleteGroup(g.id), `已删除评审组“${g.name}”`)}
                >
                  <Button type="link" size="small" danger>
                    删除
                  </Button>
                </Popconfirm>
              </Space>
            ),
          },
        ]}
      />
      <GroupModal
        open={editing !== null}
        group={editing === 'new' ? null : editing}
        onClose={() => setEditing(null)}
        onSaved={() => {
          setEditing(null);
          void reload();
        }}
      />
      <AddMembersModal
        group={adding}
        onClose={() => setAdding(null)}
        onSaved={() => {
          setAdding(null);
          void reload();
        }}
      />
    </Card>
  );
}
