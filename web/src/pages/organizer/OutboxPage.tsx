import { Alert, Button, Card, Table, Tag } from 'antd';
import { listOutbox } from '../../client/admin';
import { formatTime, useLoader } from '../../hooks';
import type { OutboxMessage } from '../../types';

const CHANNELS: Record<string, { label: string; color: string }> = {
  mobile: { label: '短信', color: 'green' },
  email: { label: '邮件', color: 'blue' },
};

/** 消息发件箱: what the platform sent by 短信 and 邮件 (the default sender keeps them here). */
export default function OutboxPage() {
  const { data, loading, error, reload } = useLoader(listOutbox, []);
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
        ]}
      />
    </Card>
  );
}
