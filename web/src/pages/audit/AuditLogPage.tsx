import { useState } from 'react';
import { Alert, Button, Card, Empty, Form, Input, Pagination, Select, Space, Table, Tag, Typography } from 'antd';
import type { AuditEntry } from '../../../../core/audit';
import { rangeText } from '../../../../core';
import { searchAudit, type AuditSearch } from '../../client/audit';
import { pageItemRender } from '../../components/ResponsiveList';
import { useLoader } from '../../hooks';

const pad = (n: number) => String(n).padStart(2, '0');
/** the time to the second, in the browser's zone (the platform's users are in Beijing time) */
function formatSecond(iso: string) {
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** a row's details, readably: key：value pairs of the JSON, or the text as it is */
function detailText(detail: string) {
  if (!detail) return '';
  try {
    const value = JSON.parse(detail) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      return Object.entries(value as Record<string, unknown>)
        .map(([k, v]) => `${k}：${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join('；');
    }
  } catch {
    // not JSON: shown as it is
  }
  return detail;
}

interface Filters {
  from?: string;
  to?: string;
  actor?: string;
  action?: string;
  target?: string;
  ip?: string;
}

/**
 * 审计日志 (自治区科协): who did and who saw what — logins, every opening of an application, downloads, exports,
 * settings, scoring, votes and account changes — searched by time, 操作人, 操作类型, 操作对象 and IP, newest first.
 */
export default function AuditLogPage() {
  const [form] = Form.useForm<Filters>();
  const [query, setQuery] = useState<AuditSearch>({ page: 1, pageSize: 20 });
  const { data, loading, error } = useLoader(() => searchAudit(query), [query]);

  const search = () => {
    const v = form.getFieldsValue();
    const clean = (s: string | undefined) => (s && s.trim() ? s.trim() : undefined);
    setQuery({
      from: clean(v.from),
      to: clean(v.to),
      actor: clean(v.actor),
      action: v.action || undefined,
      target: clean(v.target),
      ip: clean(v.ip),
      page: 1,
      pageSize: query.pageSize,
    });
  };
  const reset = () => {
    form.resetFields();
    setQuery({ page: 1, pageSize: query.pageSize });
  };

  const total = data?.total ?? 0;
  return (
    <Card title="审计日志">
      <Typography.Paragraph type="secondary">
        记录登录、查看申请书、下载、导出、设置修改、评分、投票和账号变更等操作。日志以哈希链防篡改，保存不少于180天（目前永久保存）。
      </Typography.Paragraph>
      <Form form={form} layout="inline" name="auditSearch" onFinish={search} className="block-gap">
        <Form.Item label="开始日期" name="from">
          <Input type="date" aria-label="开始日期" />
        </Form.Item>
        <Form.Item label="结束日期" name="to">
          <Input type="date" aria-label="结束日期" />
        </Form.Item>
        <Form.Item label="操作人" name="actor">
          <Input placeholder="用户名或姓名" allowClear maxLength={50} />
        </Form.Item>
        <Form.Item label="操作类型" name="action">
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            placeholder="全部操作"
            style={{ width: 200 }}
            options={(data?.actions ?? []).map((a) => ({ value: a.value, label: a.label }))}
          />
        </Form.Item>
        <Form.Item label="操作对象" name="target">
          <Input placeholder="申请书编号、申请人姓名、账号或单位名称" allowClear maxLength={100} style={{ width: 280 }} />
        </Form.Item>
        <Form.Item label="IP地址" name="ip">
          <Input placeholder="如 10.1.2 或完整地址" allowClear maxLength={45} />
        </Form.Item>
        <Form.Item>
          <Space>
            <Button type="primary" htmlType="submit">
              查询
            </Button>
            <Button onClick={reset}>重置</Button>
          </Space>
        </Form.Item>
      </Form>
      {error && <Alert type="error" showIcon title={error} className="block-gap" />}
      <Table<AuditEntry>
        rowKey="id"
        size="small"
        loading={loading}
        dataSource={data?.rows ?? []}
        scroll={data?.rows.length ? { x: 1200 } : undefined}
        pagination={false}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="没有符合条件的审计记录" /> }}
        columns={[
          { title: '时间', dataIndex: 'at', width: 170, render: (v: string) => formatSecond(v) },
          {
            title: '操作人',
            key: 'actor',
            width: 180,
            render: (_: unknown, r: AuditEntry) => (
              <span>
                {r.actorName}
                {r.actorUsername && <Typography.Text type="secondary">（{r.actorUsername}）</Typography.Text>}
                {r.actorRole && (
                  <div>
                    <Tag>{r.actorRole}</Tag>
                  </div>
                )}
              </span>
            ),
          },
          { title: '操作', dataIndex: 'actionLabel', width: 150 },
          {
            title: '操作对象',
            key: 'target',
            render: (_: unknown, r: AuditEntry) =>
              r.targetType ? (
                <span>
                  {r.targetTypeLabel}
                  {r.targetLabel ? `：${r.targetLabel}` : ''}
                  {r.targetId && (
                    <div>
                      <Typography.Text type="secondary" copyable={{ text: r.targetId }} className="audit-id">
                        {r.targetId}
                      </Typography.Text>
                    </div>
                  )}
                </span>
              ) : (
                ''
              ),
          },
          { title: 'IP地址', dataIndex: 'ip', width: 130 },
          { title: '详情', dataIndex: 'detail', width: 260, render: (v: string) => detailText(v) },
          {
            title: '哈希链',
            dataIndex: 'chained',
            width: 90,
            render: (v: boolean) => (v ? <Tag color="green">已链接</Tag> : <Tag>待链接</Tag>),
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
    </Card>
  );
}
