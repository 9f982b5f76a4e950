import { useState } from 'react';
import { Button, Card, Form, Input, Select, Space, Table, Typography } from 'antd';
import { STATUS_LABELS } from '../../../core';

const SORTS = ['申请书编号从高到低', '转交时间', '工作单位', '推荐单位'] as const;

interface Row {
  id: string;
  number: string;
  applicantName: string;
  workUnit: string;
  unitName: string;
  statusLabel: string;
}

/**
 * 申请书查询 as in the manual: 条件, 【查询】, 【更多筛选条件】 (年度, 工作单位, 当前步骤), the 排序 line
 * and the list. Wired to the server in the next milestone; for now the list is empty.
 */
export function ApplicationQuery({ formName }: { formName: string }) {
  const [form] = Form.useForm();
  const [more, setMore] = useState(false);
  const [sort, setSort] = useState<(typeof SORTS)[number]>(SORTS[0]);
  const rows: Row[] = [];
  const thisYear = new Date().getFullYear();

  return (
    <Card title="申请书查询" size="small" className="query-card">
      <Form
        form={form}
        name={formName}
        layout="inline"
        className="query-form"
        initialValues={{ year: '全部', step: '全部' }}
        onFinish={() => undefined}
      >
        <Form.Item label="条件" name="keyword">
          <Input placeholder="申请书名称、申报书编号" allowClear className="query-keyword" />
        </Form.Item>
        <Form.Item>
          <Space>
            <Button type="primary" htmlType="submit">
              查询
            </Button>
            <Button type="link" onClick={() => setMore((m) => !m)} aria-expanded={more}>
              更多筛选条件
            </Button>
          </Space>
        </Form.Item>
        {more && (
          <div className="query-more">
            <Form.Item label="年度" name="year">
              <Select
                className="query-select"
                options={['全部', ...[0, 1, 2].map((d) => String(thisYear - d))].map((v) => ({ value: v, label: v }))}
              />
            </Form.Item>
            <Form.Item label="工作单位" name="workUnit">
              <Input placeholder="输入必须大于或等于4个字符" allowClear />
            </Form.Item>
            <Form.Item label="当前步骤" name="step">
              <Select
                className="query-select-wide"
                options={[{ value: '全部', label: '全部' }, ...Object.entries(STATUS_LABELS).map(([value, label]) => ({ value, label }))]}
              />
            </Form.Item>
          </div>
        )}
      </Form>
      <div className="query-sort" role="group" aria-label="排序">
        <span>排序：</span>
        {SORTS.map((s) => (
          <Button
            key={s}
            type="link"
            size="small"
            className={s === sort ? 'query-sort-active' : undefined}
            aria-pressed={s === sort}
            onClick={() => setSort(s)}
          >
            {s}
          </Button>
        ))}
        <Typography.Text type="secondary" className="query-total">
          共{rows.length}条
        </Typography.Text>
      </div>
      <Table<Row>
        rowKey="id"
        size="small"
        dataSource={rows}
        scroll={{ x: 720 }}
        locale={{ emptyText: '暂无数据' }}
        pagination={{ pageSize: 20, showTotal: (total, [a, b]) => `${a}-${b} 共${total}`, hideOnSinglePage: true }}
        columns={[
          { title: '申请书编号', dataIndex: 'number' },
          { title: '申请人姓名', dataIndex: 'applicantName' },
          { title: '工作单位', dataIndex: 'workUnit' },
          { title: '推荐单位', dataIndex: 'unitName' },
          { title: '状态', dataIndex: 'statusLabel' },
          { title: '操作', key: 'actions', render: () => null },
        ]}
      />
    </Card>
  );
}
