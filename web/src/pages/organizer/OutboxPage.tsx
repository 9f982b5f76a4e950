import { useState } from 'react';
import { Alert, App, Button, Card, Table, Tag, Tooltip, Typography } from 'antd';
import { OUTBOX_STATUS_LABELS } from '../../../../core/messages';
import { listOutbox } from '../../client/admin';
import { resendMessage } from '../../client/messages';
import { formatTime, useLoader } from '../../hooks';
import type { OutboxMessage } from '../../types';

const CHANNELS: Record<string, { label: string; color: string }> = {
  mobile: { label: '短信', color: 'green' },
  email: { label: '邮件', color: 'blue' },
};

const STATUS_COLORS: Record<string, string> = { recorded: 'default', queued: 'processing', sent: 'success', failed: 'error' };
const PROVIDERS: Record<string, string> = { 'aliyun-sms': '阿里云短信', 'tencent-sms': '腾讯云短信', smtp: 'SMTP' };

/** 消息发件箱: what the platform sent by 短信 and 邮件, and whether delivery succeeded (issue 16: the real senders). */
export default function OutboxPage() {
  const { message } = App.useApp();
  const { data, loading, error, reload } = useLoader(listOutbox, []);
  const [busy, setBusy] = useState<number | null>(null);
  const resend = async (id: number) => {
    setBusy(id);
    try {
      void message.success((await resendMessage(id)).message);
    } catch (err) {
      void message.error((err as Error).message);
    } finally {
      setBusy(null);
      void reload();
    }
  };
  return (
    <Card
      title="消息发件箱"
      extra={
        <Button onClick={() => void reload()} loading={loading}>
          刷新
        </Button>
      }
    >
      {error && <Alert type="error" showIcon title={error} className="block-gap" />}
      <Table<OutboxMessage>
        rowKey="id"
        loading={loading}
        dataSource={data ?? []}
        scroll={{ x: 800 }}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        locale={{ emptyText: '暂无数据' }}
        columns={[
          { title: '时间', dataIndex: 'createdAt', width: 150, render: (v: string) => formatTime(v) },
          {
            title: '方式',
            dataIndex: 'channel',
            width: 80,
            render: (c: string) => {
              const ch = CHANNELS[c];
              return ch ? <Tag color={ch.color}>{ch.label}</Tag> : c;
            },
          },
          { title: '接收方', dataIndex: 'recipient', width: 200 },
          { title: '标题', dataIndex: 'subject', width: 200 },
          { title: '内容', dataIndex: 'body', render: (v: string) => <span className="pre-wrap">{v}</span> },
          {
            title: '发送状态',
            dataIndex: 'status',
            width: 170,
            render: (status: string, m) => (
              <>
                <Tooltip title={m.error ?? undefined}>
                  <Tag color={STATUS_COLORS[status]}>{OUTBOX_STATUS_LABELS[status] ?? status}</Tag>
                </Tooltip>
                {m.provider && (
                  <Typography.Text type="secondary" className="pre-wrap" style={{ display: 'block' }}>
                    {PROVIDERS[m.provider] ?? m.provider}
                    {m.attempts ? `，尝试 ${m.attempts} 次` : ''}
                  </Typography.Text>
                )}
                {m.sentAt && (
                  <Typography.Text type="secondary" className="pre-wrap" style={{ display: 'block' }}>
                    {formatTime(m.sentAt)} 送达平台
                  </Typography.Text>
                )}
                {m.error && (
                  <Typography.Text type="secondary" className="pre-wrap" style={{ display: 'block' }}>
                    {m.error}
                  </Typography.Text>
                )}
                {status === 'failed' && (
                  <Button size="small" loading={busy === m.id} onClick={() => void resend(m.id)}>
                    重新发送
                  </Button>
                )}
              </>
            ),
          },
        ]}
      />
    </Card>
  );
}
