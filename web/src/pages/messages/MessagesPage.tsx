import { useRef, useState } from 'react';
import { Alert, App, Badge, Button, Card, Descriptions, Form, Input, Modal, Popconfirm, Space, Statistic, Table, Tabs, Tag, Typography } from 'antd';
import { checkTemplate, exampleValues, MESSAGE_DEFS, renderTemplate, smsParts, TEMPLATE_CHANNEL_LABELS, type MessageKey } from '../../../../core/messages';
import {
  getBackground,
  listTemplates,
  resendMessage,
  resetTemplate,
  retryJob,
  saveTemplate,
  type FailedJob,
  type MessageTemplateView,
} from '../../client/messages';
import { formatTime, useLoader } from '../../hooks';
import { confirmLeave, useUnsavedGuard } from '../../components/unsavedChanges';

const PROVIDERS: Record<string, string> = { 'aliyun-sms': '阿里云短信', 'tencent-sms': '腾讯云短信', smtp: 'SMTP 邮件服务器' };

/** 编辑消息模板: subject, body, the SMS provider's template code; a live preview with the example values. */
function TemplateModal({ template, onClose, onSaved }: { template: MessageTemplateView | null; onClose: () => void; onSaved: () => void }) {
  const { message } = App.useApp();
  const [subject, setSubject] = useState(template?.subject ?? '');
  const [body, setBody] = useState(template?.body ?? '');
  const [providerTemplate, setProviderTemplate] = useState(template?.providerTemplate ?? '');
  const [busy, setBusy] = useState(false);
  const [serverError, setServerError] = useState<string | null>(null);
  // unsaved edits: the menu, Back, 退出, closing the tab, and 取消 or ✕ of this dialog ask first
  const dirty = useRef(false);
  dirty.current =
    !!template &&
    (subject !== template.subject || body !== template.body || (template.channel === 'sms' && providerTemplate !== (template.providerTemplate ?? '')));
  const def = template ? MESSAGE_DEFS[template.key as MessageKey] : undefined;
  const issues = template && def ? checkTemplate(def, template.channel, { subject: subject.trim(), body: body.trim() }) : [];
  const persist = async (): Promise<boolean> => {
    if (!template) return true;
    if (issues.length) {
      setServerError(issues.map((i) => i.message).join('；'));
      return false;
    }
    setBusy(true);
    setServerError(null);
    try {
      await saveTemplate(template, { subject, body, ...(template.channel === 'sms' ? { providerTemplate: providerTemplate.trim() || null } : {}) });
      dirty.current = false;
      void message.success(`已保存“${template.label}”（${TEMPLATE_CHANNEL_LABELS[template.channel]}）`);
      return true;
    } catch (err) {
      setServerError((err as Error).message);
      return false;
    } finally {
      setBusy(false);
    }
  };
  useUnsavedGuard(dirty, { message: '消息模板有未保存的修改，离开后将丢失。是否离开？', save: persist });
  const close = () => {
    const wasDirty = dirty.current;
    void confirmLeave().then((leave) => {
      if (!leave) return;
      // 保存后离开 saved it (persist cleared dirty): the list shows the new text
      const saved = wasDirty && !dirty.current;
      dirty.current = false;
      if (saved) onSaved();
      else onClose();
    });
  };
  if (!template) return null;
  const preview = renderTemplate(body, template.placeholders, exampleValues({ ...def!, placeholders: template.placeholders }));
  const length = Array.from(preview).length;
  const act = async (what: () => Promise<unknown>, done: string) => {
    setBusy(true);
    setServerError(null);
    try {
      await what();
      void message.success(done);
      onSaved();
    } catch (err) {
      setServerError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const save = () => void persist().then((saved) => saved && onSaved());
  return (
    <Modal
      open
      width={720}
      title={`编辑消息模板：${template.label}（${TEMPLATE_CHANNEL_LABELS[template.channel]}）`}
      onCancel={close}
      destroyOnHidden
      footer={
        <Space>
          <Popconfirm
            title="恢复为系统默认的文字？"
            okText="恢复默认"
            cancelText="取消"
            onConfirm={() => void act(() => resetTemplate(template), `已恢复“${template.label}”的默认文字`)}
          >
            <Button disabled={busy || !template.customized}>恢复默认</Button>
          </Popconfirm>
          <Button onClick={close}>取消</Button>
          <Button type="primary" loading={busy} onClick={save}>
            保存
          </Button>
        </Space>
      }
    >
      <Typography.Paragraph type="secondary">{template.when}</Typography.Paragraph>
      <Form layout="vertical">
        <Form.Item label="可用的占位符" extra="发送时替换为实际内容；只能使用这些占位符">
          <Space wrap>
            {template.placeholders.map((p) => (
              <Tag key={p.name} color="blue" onClick={() => setBody((b) => `${b}{${p.name}}`)}>
                {`{${p.name}}`} 例：{p.example}
              </Tag>
            ))}
          </Space>
        </Form.Item>
        <Form.Item label="标题" validateStatus={issues.some((i) => i.field === 'subject') ? 'error' : undefined}>
          <Input aria-label="标题" value={subject} onChange={(e) => setSubject(e.target.value)} maxLength={100} />
        </Form.Item>
        <Form.Item
          label="内容"
          validateStatus={issues.some((i) => i.field === 'body') ? 'error' : undefined}
          help={issues.find((i) => i.field === 'body')?.message ?? issues.find((i) => i.field === 'subject')?.message}
        >
          <Input.TextArea aria-label="内容" value={body} onChange={(e) => setBody(e.target.value)} autoSize={{ minRows: 3, maxRows: 10 }} />
        </Form.Item>
        {template.channel === 'sms' && (
          <Form.Item
            label="短信平台模板编号"
            extra="阿里云短信的 TemplateCode（如 SMS_123456789）或腾讯云短信的 TemplateId；使用短信平台发送时必填，平台上审核通过的模板须与上面的内容一致"
          >
            <Input aria-label="短信平台模板编号" value={providerTemplate} onChange={(e) => setProviderTemplate(e.target.value)} maxLength={50} />
          </Form.Item>
        )}
      </Form>
      <Card size="small" title="预览（示例值）" className="block-gap">
        <span className="pre-wrap" data-testid="template-preview">
          {preview}
        </span>
        {template.channel === 'sms' && (
          <Typography.Paragraph type="secondary" className="block-gap">
            共 {length} 个字，按 {smsParts(length)} 条短信计费
          </Typography.Paragraph>
        )}
      </Card>
      <Descriptions
        size="small"
        column={1}
        className="block-gap"
        items={[{ key: 'd', label: '系统默认', children: <span className="pre-wrap">{template.defaultBody}</span> }]}
      />
      {serverError && <Alert type="error" showIcon title={serverError} className="block-gap" />}
    </Modal>
  );
}

function TemplatesTab() {
  const { data, loading, error, reload } = useLoader(listTemplates, []);
  const [editing, setEditing] = useState<MessageTemplateView | null>(null);
  return (
    <>
      {error && <Alert type="error" showIcon title={error} className="block-gap" />}
      <Table<MessageTemplateView>
        rowKey={(t) => `${t.key}/${t.channel}`}
        loading={loading}
        dataSource={data ?? []}
        pagination={false}
        scroll={{ x: 800 }}
        columns={[
          { title: '消息', dataIndex: 'label', width: 180 },
          {
            title: '方式',
            dataIndex: 'channel',
            width: 70,
            render: (c: 'sms' | 'email') => <Tag color={c === 'sms' ? 'green' : 'blue'}>{TEMPLATE_CHANNEL_LABELS[c]}</Tag>,
          },
          { title: '内容', dataIndex: 'body', render: (v: string) => <span className="pre-wrap">{v}</span> },
          {
            title: '状态',
            width: 110,
            render: (_: unknown, t) => (
              <Space orientation="vertical" size={0}>
                {t.customized ? <Tag color="orange">已修改</Tag> : <Tag>默认</Tag>}
                {t.channel === 'sms' && (t.providerTemplate ? <Typography.Text type="secondary">{t.providerTemplate}</Typography.Text> : null)}
              </Space>
            ),
          },
          {
            title: '操作',
            width: 80,
            render: (_: unknown, t) => (
              <Button size="small" onClick={() => setEditing(t)} aria-label={`编辑${t.label}${TEMPLATE_CHANNEL_LABELS[t.channel]}`}>
                编辑
              </Button>
            ),
          },
        ]}
      />
      {editing && (
        <TemplateModal
          key={`${editing.key}/${editing.channel}`}
          template={editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            void reload();
          }}
        />
      )}
    </>
  );
}

export default function MessagesPage() {
  const { message } = App.useApp();
  const { data, loading, error, reload } = useLoader(getBackground, []);
  const [busy, setBusy] = useState<string | null>(null);
  const rerun = async (job: FailedJob) => {
    setBusy(job.id);
    try {
      const res = job.message ? await resendMessage(job.message.id) : await retryJob(job.id);
      void message.success(res.message);
    } catch (err) {
      void message.error((err as Error).message);
    } finally {
      setBusy(null);
      void reload();
    }
  };
  const senders = data?.senders;
  return (
    <Card
      title="消息模板与后台任务"
      extra={
        <Button onClick={() => void reload()} loading={loading}>
          刷新
        </Button>
      }
    >
      {error && <Alert type="error" showIcon title={error} className="block-gap" />}
      <Space size="large" wrap className="block-gap">
        <Statistic title="排队中的任务" value={data?.queued ?? 0} />
        <Statistic title="进行中的任务" value={data?.running ?? 0} />
        <Statistic title="失败任务" value={data?.failed ?? 0} />
        <Statistic title="发送失败的消息" value={data?.failedMessages ?? 0} />
      </Space>
      {senders && (
        <Alert
          className="block-gap"
          type={senders.sms || senders.email ? 'info' : 'warning'}
          showIcon
          title={`短信：${senders.sms ? PROVIDERS[senders.sms] : '未配置短信平台，只记录到消息发件箱'}；邮件：${senders.email ? PROVIDERS[senders.email] : '未配置邮件服务器，只记录到消息发件箱'}`}
        />
      )}
      <Tabs
        items={[
          { key: 'templates', label: '消息模板', children: <TemplatesTab /> },
          {
            key: 'failed',
            label: (
              <Badge count={data?.failed ?? 0} size="small" offset={[8, 0]}>
                失败任务
              </Badge>
            ),
            children: (
              <Table<FailedJob>
                rowKey="id"
                loading={loading}
                dataSource={data?.jobs ?? []}
                scroll={{ x: 800 }}
                pagination={{ pageSize: 20, hideOnSinglePage: true }}
                locale={{ emptyText: '没有失败的任务' }}
                columns={[
                  { title: '任务', dataIndex: 'label', width: 150 },
                  {
                    title: '内容',
                    width: 220,
                    render: (_: unknown, j) => (j.message ? `${j.message.subject} → ${j.message.recipient}` : '—'),
                  },
                  { title: '失败时间', dataIndex: 'finishedAt', width: 150, render: (v: string | null) => formatTime(v) },
                  { title: '尝试次数', dataIndex: 'attempts', width: 90 },
                  { title: '错误', dataIndex: 'error', render: (v: string | null) => <span className="pre-wrap">{v ?? ''}</span> },
                  {
                    title: '操作',
                    width: 110,
                    render: (_: unknown, j) => (
                      <Button size="small" type="primary" loading={busy === j.id} onClick={() => void rerun(j)}>
                        {j.message ? '重新发送' : '重新执行'}
                      </Button>
                    ),
                  },
                ]}
              />
            ),
          },
        ]}
      />
    </Card>
  );
}
