import { useMemo, useState } from 'react';
import { Alert, Button, Card, Form, Grid, Input, Pagination, Select, Space, Typography } from 'antd';
import { Link, useLocation, useSearchParams } from 'react-router';
import { DEFAULT_ORDER, rangeText, SORT_LABELS, SORTS, STATUS_LABELS, WORK_UNIT_HINT, type Sort, type SortOrder } from '../../../core';
import { ApiError } from '../api';
import { queryApplications } from '../client/applications';
import { serverFieldPath } from '../formUtils';
import { formatTime, useCurrentCampaign, useLoader } from '../hooks';
import type { ApplicationRow } from '../types';
import { pageItemRender, ResponsiveList } from './ResponsiveList';
import { RowActions } from './workflow/RowActions';
import { StatusLink } from './workflow/StatusLink';

const PAGE_SIZES = [10, 20, 50, 100];
const ALL = '全部';

interface Conditions {
  keyword: string;
  year: string;
  workUnit: string;
  status: string;
}

function readParams(p: URLSearchParams) {
  const sort = (SORTS as readonly string[]).includes(p.get('sort') ?? '') ? (p.get('sort') as Sort) : 'number';
  const order: SortOrder = p.get('order') === 'asc' || p.get('order') === 'desc' ? (p.get('order') as SortOrder) : DEFAULT_ORDER[sort];
  const page = Math.max(1, Number(p.get('page')) || 1);
  const size = Number(p.get('pageSize'));
  return {
    keyword: p.get('keyword') ?? '',
    year: p.get('year') ?? ALL,
    workUnit: p.get('workUnit') ?? '',
    status: p.get('status') ?? ALL,
    sort,
    order,
    page,
    pageSize: PAGE_SIZES.includes(size) ? size : 20,
  };
}

/** Characters as the server counts them (a Chinese character is one). */
const length = (s: string) => Array.from(s.trim()).length;

/**
 * 申请书查询 (manual 二.11): 条件 + 【查询】, 【更多筛选条件】 (年度, 工作单位, 当前步骤), 排序, "1-20 共N" and
 * 每页显示. The conditions live in the address, so 返回 from an opened application comes back to them.
 */
export function ApplicationQuery({ formName }: { formName: string }) {
  const [params, setParams] = useSearchParams();
  const location = useLocation();
  const q = readParams(params);
  const [form] = Form.useForm<Conditions>();
  const [more, setMore] = useState(q.year !== ALL || q.workUnit !== '' || q.status !== ALL);
  const { data: campaign } = useCurrentCampaign();
  const wide = Grid.useBreakpoint().md ?? true;

  const queryString = useMemo(() => {
    const s = new URLSearchParams();
    if (q.keyword.trim()) s.set('keyword', q.keyword.trim());
    if (q.year !== ALL) s.set('year', q.year);
    if (q.workUnit.trim()) s.set('workUnit', q.workUnit.trim());
    if (q.status !== ALL) s.set('status', q.status);
    s.set('sort', q.sort);
    s.set('order', q.order);
    s.set('page', String(q.page));
    s.set('pageSize', String(q.pageSize));
    return s.toString();
  }, [q.keyword, q.year, q.workUnit, q.status, q.sort, q.order, q.page, q.pageSize]);

  const { data, loading, error, reload } = useLoader(async () => {
    try {
      return await queryApplications(queryString);
    } catch (err) {
      // the server's own words under the field too (e.g. 工作单位 shorter than 4 characters)
      if (err instanceof ApiError && err.fields?.length) {
        const known = ['keyword', 'year', 'workUnit', 'status'] as const;
        const fields = err.fields
          .map((f) => ({ name: known.find((k) => k === serverFieldPath(f.field)[0]), errors: [f.message] }))
          .filter((f): f is { name: keyof Conditions; errors: string[] } => f.name !== undefined);
        if (fields.length) form.setFields(fields);
      }
      throw err;
    }
  }, [queryString]);

  const update = (patch: Partial<ReturnType<typeof readParams>>) => {
    const next = { ...q, ...patch };
    const s = new URLSearchParams();
    if (next.keyword.trim()) s.set('keyword', next.keyword.trim());
    if (next.year !== ALL) s.set('year', next.year);
    if (next.workUnit.trim()) s.set('workUnit', next.workUnit.trim());
    if (next.status !== ALL) s.set('status', next.status);
    if (next.sort !== 'number') s.set('sort', next.sort);
    if (next.order !== DEFAULT_ORDER[next.sort]) s.set('order', next.order);
    if (next.page !== 1) s.set('page', String(next.page));
    if (next.pageSize !== 20) s.set('pageSize', String(next.pageSize));
    setParams(s, { replace: false });
  };

  const search = (values: Conditions) => {
    const workUnit = (values.workUnit ?? '').trim();
    if (workUnit && length(workUnit) < 4) {
      form.setFields([{ name: 'workUnit', errors: [WORK_UNIT_HINT] }]);
      return;
    }
    form.setFields([{ name: 'workUnit', errors: [] }]);
    update({
      keyword: values.keyword ?? '',
      year: more ? (values.year ?? ALL) : ALL,
      workUnit: more ? workUnit : '',
      status: more ? (values.status ?? ALL) : ALL,
      page: 1,
    });
  };

  const thisYear = new Date().getFullYear();
  const years = [...new Set([thisYear, thisYear - 1, thisYear - 2, thisYear - 3, ...(campaign ? [campaign.year] : [])])].sort((a, b) => b - a);
  const rows = data?.rows ?? [];
  const total = data?.total ?? 0;
  const range = rangeText(q.page, q.pageSize, total);
  const from = location.pathname + location.search;

  return (
    <Card title="申请书查询" size="small" className="query-card">
      <Form
        form={form}
        name={formName}
        layout="inline"
        className="query-form"
        initialValues={{ keyword: q.keyword, year: q.year, workUnit: q.workUnit, status: q.status }}
        onFinish={search}
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
              <Select className="query-select" options={[ALL, ...years.map(String)].map((v) => ({ value: v, label: v }))} />
            </Form.Item>
            <Form.Item label="工作单位" name="workUnit">
              <Input placeholder={WORK_UNIT_HINT} allowClear className="query-workunit" />
            </Form.Item>
            <Form.Item label="当前步骤" name="status">
              <Select
                className="query-select-wide"
                options={[{ value: ALL, label: ALL }, ...Object.entries(STATUS_LABELS).map(([value, label]) => ({ value, label }))]}
              />
            </Form.Item>
          </div>
        )}
      </Form>
      {error && <Alert type="error" showIcon className="block-gap query-error" title={error} />}
      <div className="query-sort" role="group" aria-label="排序">
        <span>排序：</span>
        {SORTS.map((s) => (
          <Button
            key={s}
            type="link"
            size="small"
            className={s === q.sort ? 'query-sort-active' : undefined}
            aria-pressed={s === q.sort}
            // a second click on the active sort reverses it
            onClick={() => update(s === q.sort ? { order: q.order === 'asc' ? 'desc' : 'asc', page: 1 } : { sort: s, order: DEFAULT_ORDER[s], page: 1 })}
            title={s === q.sort ? `${q.order === 'asc' ? '升序' : '降序'}，再次点击改为${q.order === 'asc' ? '降序' : '升序'}` : undefined}
          >
            {s === 'number' && s === q.sort && q.order === 'asc' ? '申请书编号从低到高' : SORT_LABELS[s]}
            {s === q.sort && <span aria-hidden="true">{q.order === 'asc' ? ' ↑' : ' ↓'}</span>}
          </Button>
        ))}
        <Typography.Text type="secondary" className="query-total">
          {range}
        </Typography.Text>
      </div>
      <ResponsiveList<ApplicationRow>
        rowKey="id"
        label="查询结果"
        size="small"
        loading={loading}
        dataSource={rows}
        scrollX={960}
        pagination={false}
        emptyText="暂无数据"
        columns={[
          { title: '序号', key: 'index', width: 56, render: (_: unknown, __: ApplicationRow, i: number) => (q.page - 1) * q.pageSize + i + 1 },
          {
            title: '申请书名称',
            key: 'name',
            width: 230,
            render: (_: unknown, row) => (
              <div>
                <Link to={`/zmkj/view/${row.id}`} state={{ from }} className="query-name-link">
                  {row.applicantName || '（未填写姓名）'}
                </Link>
                <div className="query-row-meta">
                  <span>申请书编号: {row.number}</span> <span>添加时间: {formatTime(row.createdAt)}</span>
                </div>
              </div>
            ),
          },
          { title: '工作单位', dataIndex: 'workUnit', width: 150, render: (v: string) => v || '—' },
          { title: '推荐单位', dataIndex: 'unitName', width: 150, render: (v: string | null) => v ?? '—' },
          { title: '转交时间', dataIndex: 'transferredAt', width: 130, render: (v: string | null) => formatTime(v) || '—' },
          { title: '状态', key: 'status', width: 200, render: (_: unknown, row) => <StatusLink row={row} /> },
          {
            title: '操作',
            key: 'actions',
            width: 100,
            fixed: wide ? 'right' : undefined,
            render: (_: unknown, row) => <RowActions row={row} from={from} onChanged={() => void reload()} />,
          },
        ]}
      />
      <div className="query-footer">
        <Typography.Text type="secondary">{range}</Typography.Text>
        <Space size={4} className="query-page-size">
          <span id={`${formName}-page-size`}>每页显示:</span>
          <Select
            size="small"
            aria-labelledby={`${formName}-page-size`}
            value={q.pageSize}
            onChange={(v: number) => update({ pageSize: v, page: 1 })}
            options={PAGE_SIZES.map((n) => ({ value: n, label: `${n}条` }))}
            className="query-select-size"
          />
        </Space>
        <Pagination
          size="small"
          current={q.page}
          pageSize={q.pageSize}
          total={total}
          showSizeChanger={false}
          itemRender={pageItemRender}
          onChange={(page) => update({ page })}
        />
      </div>
    </Card>
  );
}
