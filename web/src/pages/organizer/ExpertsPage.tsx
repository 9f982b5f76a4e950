import { useState } from 'react';
import { Alert, App, Button, Card, Empty, Form, Grid, Input, Modal, Pagination, Popconfirm, Select, Space, Table, Tag, Typography, Upload } from 'antd';
import { DownloadOutlined, PlusOutlined, UploadOutlined } from '@ant-design/icons';
import { EXPERT_IMPORT_MAX_MB, EXPERT_IMPORT_MAX_ROWS, EXPERT_TEMPLATE_HEADER, expertCreateSchema, importRowOf, rangeText } from '../../../../core';
import type { AdminExpert, ExpertImportReply } from '../../../../core';
import { ApiError, errorMessage } from '../../api';
import {
  createExpert,
  EXPERT_TEMPLATE_URL,
  importExperts,
  listExperts,
  listGroups,
  resendPassword,
  setExpertDisabled,
  updateExpert,
  type ExpertListQuery,
} from '../../client/experts';
import { pageItemRender } from '../../components/ResponsiveList';
import { showFieldErrors, useErrorReporter, useFormSubmit, validateWith } from '../../formUtils';
import { formatTime, useLoader } from '../../hooks';

/** Made once (antd's Form hands them to every item through a context: a new object would redraw every field). */
const LABEL_COL = { flex: '96px' };
const WRAPPER_COL = { flex: '1 1 0' };

/** 新建评审专家 and 修改 (the same fields; the user name, the 手机 at creation, does not change). */
function ExpertModal({ open, expert, onClose, onSaved }: { open: boolean; expert: AdminExpert | null; onClose: () => void; onSaved: () => void }) {
  const [form] = Form.useForm();
  const { message } = App.useApp();
  const { submitting, run } = useFormSubmit(form);
  const editing = expert !== null;

  const submit = async () => {
    const values = form.getFieldsValue(true) as Record<string, string | undefined>;
    const body = {
      realName: values.realName ?? '',
      workUnit: values.workUnit ?? '',
      field: values.field ?? '',
      mobile: values.mobile ?? '',
      email: values.email || null,
      // 修改: an empty box keeps the recorded 身份证号码 (it is never shown again); 新建: optional
      ...(values.idNumber ? { idNumber: values.idNumber } : editing ? {} : { idNumber: null }),
    };
    const checked = validateWith(expertCreateSchema, body);
    if (!checked.ok) {
      showFieldErrors(form, checked.fields);
      return;
    }
    await run(async () => {
      if (expert) {
        await updateExpert(expert.id, body);
        void message.success(`已保存评审专家“${body.realName}”的信息`);
      } else {
        await createExpert(body);
        void message.success(`评审专家“${body.realName}”已创建，初始密码已通过短信发送至 ${checked.data.mobile}`);
      }
      onSaved();
    });
  };

  return (
    <Modal
      title={editing ? `修改评审专家：${expert.realName}` : '新建评审专家'}
      open={open}
      onCancel={onClose}
      onOk={() => void submit()}
      okText={editing ? '保存' : '创建'}
      cancelText="取消"
      confirmLoading={submitting}
      destroyOnHidden
      width={600}
    >
      <Form
        form={form}
        name="expertForm"
        layout="horizontal"
        labelCol={LABEL_COL}
        wrapperCol={WRAPPER_COL}
        initialValues={
          expert ? { realName: expert.realName, workUnit: expert.workUnit, field: expert.field, mobile: expert.mobile, email: expert.email } : undefined
        }
      >
        <Form.Item label="姓名" name="realName" required>
          <Input maxLength={30} autoComplete="off" />
        </Form.Item>
        <Form.Item label="工作单位" name="workUnit" required extra="请填写单位全称：用于回避同单位的候选人">
          <Input maxLength={100} autoComplete="off" />
        </Form.Item>
        <Form.Item label="专业领域" name="field" required>
          <Input maxLength={50} autoComplete="off" />
        </Form.Item>
        <Form.Item
          label="手机"
          name="mobile"
          required
          extra={editing ? `登录用户名：${expert.username}（不随手机修改）` : '手机号码即登录用户名，初始密码以短信发送至该手机'}
        >
          <Input inputMode="numeric" maxLength={20} autoComplete="off" />
        </Form.Item>
        <Form.Item label="电子邮箱" name="email">
          <Input inputMode="email" maxLength={100} autoComplete="off" />
        </Form.Item>
        <Form.Item
          label="身份证号码"
          name="idNumber"
          extra={editing && expert.hasIdNumber ? '已登记（不再显示）；留空保持不变，填写则替换' : '选填：仅用于本人回避，加密保存'}
        >
          <Input maxLength={18} autoComplete="off" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

interface RowProblem {
  row: number | null;
  label: string;
  message: string;
}

/** 导入评审专家: the template, the file, 检查 (a dry run) and 导入; every bad row shown in a table, nothing imported. */
function ImportModal({ open, onClose, onImported }: { open: boolean; onClose: () => void; onImported: () => void }) {
  const { message } = App.useApp();
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState<'check' | 'import' | null>(null);
  const [preview, setPreview] = useState<ExpertImportReply | null>(null);
  const [problem, setProblem] = useState<{ message: string; rows: RowProblem[] } | null>(null);

  const reset = () => {
    setFile(null);
    setPreview(null);
    setProblem(null);
  };

  const send = async (dryRun: boolean) => {
    if (!file) {
      setProblem({ message: '请先选择要导入的 Excel（.xlsx）文件', rows: [] });
      return;
    }
    setBusy(dryRun ? 'check' : 'import');
    setProblem(null);
    try {
      const reply = await importExperts(file, dryRun);
      if (dryRun) setPreview(reply);
      else {
        void message.success(`已导入${reply.count}位评审专家，初始密码已通过短信发送`);
        reset();
        onImported();
      }
    } catch (err) {
      setPreview(null);
      const rows = err instanceof ApiError ? (err.fields ?? []).filter((f) => importRowOf(f.field) !== null) : [];
      setProblem({
        message: errorMessage(err),
        rows: rows.map((f) => ({ row: importRowOf(f.field), label: f.label ?? '', message: f.message })),
      });
    } finally {
      setBusy(null);
    }
  };

  return (
    <Modal
      title="导入评审专家"
      open={open}
      onCancel={() => {
        reset();
        onClose();
      }}
      width={860}
      destroyOnHidden
      footer={
        <Space wrap>
          <Button
            onClick={() => {
              reset();
              onClose();
            }}
          >
            取消
          </Button>
          <Button onClick={() => void send(true)} loading={busy === 'check'} disabled={busy !== null}>
            检查文件
          </Button>
          <Button type="primary" onClick={() => void send(false)} loading={busy === 'import'} disabled={busy !== null}>
            导入
          </Button>
        </Space>
      }
    >
      <Typography.Paragraph>
        请下载模板，按表头“{EXPERT_TEMPLATE_HEADER.join('、')}”每行填写一位评审专家（电子邮箱选填），保存为 Excel 工作簿（.xlsx）后上传。文件不超过
        {EXPERT_IMPORT_MAX_MB}MB，一次最多{EXPERT_IMPORT_MAX_ROWS}
        位。文件中有任何一行不符合要求时，不导入任何评审专家；手机号码即登录用户名，初始密码以短信发送。
      </Typography.Paragraph>
      <Space wrap className="block-gap">
        <Button icon={<DownloadOutlined />} href={EXPERT_TEMPLATE_URL} download="评审专家导入模板.xlsx">
          下载模板
        </Button>
        <Upload
          accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          maxCount={1}
          fileList={file ? [{ uid: 'xlsx', name: file.name, status: 'done' }] : []}
          beforeUpload={(f) => {
            setFile(f);
            setPreview(null);
            setProblem(null);
            return false;
          }}
          onRemove={() => reset()}
        >
          <Button icon={<UploadOutlined />}>选择文件</Button>
        </Upload>
      </Space>
      {problem && (
        <>
          <Alert type="error" showIcon title={problem.message} className="block-gap" />
          {problem.rows.length > 0 && (
            <Table<RowProblem>
              size="small"
              rowKey={(r) => String(r.row)}
              dataSource={problem.rows}
              pagination={{ pageSize: 10, hideOnSinglePage: true }}
              aria-label="不符合要求的行"
              columns={[
                { title: '行号', dataIndex: 'label', width: 90 },
                { title: '问题', dataIndex: 'message' },
              ]}
            />
          )}
        </>
      )}
      {preview && (
        <>
          <Alert type="success" showIcon title={`文件检查通过，共${preview.count}位评审专家。确认无误后请点击【导入】`} className="block-gap" />
          <Table
            size="small"
            rowKey="row"
            dataSource={preview.experts}
            pagination={{ pageSize: 10, hideOnSinglePage: true }}
            scroll={{ x: 700 }}
            columns={[
              { title: '行号', dataIndex: 'row', width: 70 },
              { title: '姓名', dataIndex: 'realName' },
              { title: '工作单位', dataIndex: 'workUnit' },
              { title: '专业领域', dataIndex: 'field' },
              { title: '手机', dataIndex: 'mobile' },
              { title: '电子邮箱', dataIndex: 'email', render: (v: string | null) => v ?? '' },
            ]}
          />
        </>
      )}
    </Modal>
  );
}

/** 评审专家: the organizer's list (查询, 评审组, 状态), 新建, 导入, 修改, 停用/启用, 重发初始密码. */
export default function ExpertsPage() {
  const { message } = App.useApp();
  const report = useErrorReporter();
  const [query, setQuery] = useState<ExpertListQuery>({ page: 1, pageSize: 20 });
  const [keyword, setKeyword] = useState('');
  const [editing, setEditing] = useState<AdminExpert | null | 'new'>(null);
  const [importing, setImporting] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const { data, loading, error, reload } = useLoader(() => listExperts(query), [query]);
  const { data: groups } = useLoader(listGroups, []);
  const wide = Grid.useBreakpoint().md ?? true;

  const act = async (expert: AdminExpert, action: () => Promise<AdminExpert>, done: string) => {
    setBusy(expert.id);
    try {
      await action();
      void message.success(done);
      void reload();
    } catch (err) {
      report(err);
    } finally {
      setBusy(null);
    }
  };

  const total = data?.total ?? 0;
  return (
    <Card title="评审专家">
      <div className="block-gap">
        <Space wrap>
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
            新建评审专家
          </Button>
          <Button icon={<UploadOutlined />} onClick={() => setImporting(true)}>
            导入评审专家
          </Button>
        </Space>
      </div>
      <Space wrap className="block-gap">
        <Input.Search
          aria-label="查询评审专家"
          placeholder="姓名、工作单位、专业领域或手机"
          allowClear
          enterButton="查询"
          value={keyword}
          maxLength={50}
          onChange={(e) => setKeyword(e.target.value)}
          onSearch={(v) => setQuery((q) => ({ ...q, keyword: v.trim() || undefined, page: 1 }))}
          className="expert-search"
        />
        <Select
          aria-label="评审组"
          placeholder="全部评审组"
          allowClear
          value={query.groupId}
          onChange={(v: string | undefined) => setQuery((q) => ({ ...q, groupId: v, page: 1 }))}
          options={(groups ?? []).map((g) => ({ value: g.id, label: g.name }))}
          className="expert-filter"
        />
        <Select
          aria-label="状态"
          value={query.status ?? 'all'}
          onChange={(v: string) => setQuery((q) => ({ ...q, status: v === 'all' ? undefined : (v as 'active' | 'disabled'), page: 1 }))}
          options={[
            { value: 'all', label: '全部状态' },
            { value: 'active', label: '正常' },
            { value: 'disabled', label: '已停用' },
          ]}
          className="expert-filter"
        />
      </Space>
      {error && <Alert type="error" showIcon title={error} className="block-gap" />}
      <Table<AdminExpert>
        rowKey="id"
        loading={loading}
        dataSource={data?.rows ?? []}
        // an empty table does not scroll sideways (a scrollable region with nothing to focus in it)
        scroll={data?.rows.length ? { x: 1240 } : undefined}
        pagination={false}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="暂无评审专家" /> }}
        columns={[
          { title: '姓名', dataIndex: 'realName', width: 100 },
          { title: '工作单位', dataIndex: 'workUnit', width: 220 },
          { title: '专业领域', dataIndex: 'field', width: 120 },
          { title: '手机', dataIndex: 'mobile', width: 120 },
          { title: '评审组', dataIndex: 'groups', render: (gs: AdminExpert['groups']) => gs.map((g) => <Tag key={g.id}>{g.name}</Tag>) },
          {
            title: '状态',
            key: 'status',
            width: 150,
            render: (_: unknown, e: AdminExpert) => (
              <Space size={4} wrap>
                <Tag color={e.disabled ? 'default' : 'green'}>{e.statusLabel}</Tag>
                {e.mustChangePassword && <Tag color="orange">未修改初始密码</Tag>}
              </Space>
            ),
          },
          { title: '添加时间', dataIndex: 'createdAt', width: 170, render: (v: string) => formatTime(v) },
          {
            title: '操作',
            key: 'actions',
            fixed: wide ? 'right' : undefined,
            width: 220,
            render: (_: unknown, e: AdminExpert) => (
              <Space size={0} wrap>
                <Button type="link" size="small" onClick={() => setEditing(e)}>
                  修改
                </Button>
                {e.disabled ? (
                  <Button
                    type="link"
                    size="small"
                    loading={busy === e.id}
                    onClick={() => void act(e, () => setExpertDisabled(e.id, false), `已启用“${e.realName}”`)}
                  >
                    启用
                  </Button>
                ) : (
                  <Popconfirm
                    title={`停用“${e.realName}”？`}
                    description="停用后该专家不能登录，已登录的会话立即失效"
                    okText="停用"
                    cancelText="取消"
                    onConfirm={() => act(e, () => setExpertDisabled(e.id, true), `已停用“${e.realName}”`)}
                  >
                    <Button type="link" size="small" danger loading={busy === e.id}>
                      停用
                    </Button>
                  </Popconfirm>
                )}
                <Popconfirm
                  title={`重发初始密码给“${e.realName}”？`}
                  description="将生成新的初始密码并以短信发送，原密码失效，专家登录后须修改密码"
                  okText="重发"
                  cancelText="取消"
                  onConfirm={() => act(e, () => resendPassword(e.id), `新的初始密码已通过短信发送至 ${e.mobile ?? ''}`)}
                >
                  <Button type="link" size="small">
                    重发初始密码
                  </Button>
                </Popconfirm>
              </Space>
            ),
          },
        ]}
      />
      <div className="query-footer">
        <Typography.Text type="secondary">{rangeText(query.page, query.pageSize, total)}</Typography.Text>
        <Pagination
          size="small"
          current={query.page}
          pageSize={query.pageSize}
          total={total}
          showSizeChanger={false}
          itemRender={pageItemRender}
          onChange={(page) => setQuery((q) => ({ ...q, page }))}
        />
      </div>
      <ExpertModal
        open={editing !== null}
        expert={editing === 'new' ? null : editing}
        onClose={() => setEditing(null)}
        onSaved={() => {
          setEditing(null);
          void reload();
        }}
      />
      <ImportModal
        open={importing}
        onClose={() => setImporting(false)}
        onImported={() => {
          setImporting(false);
          setQuery((q) => ({ ...q, page: 1 }));
          void reload();
        }}
      />
    </Card>
  );
}
