import { lazy, Suspense, useState } from 'react';
import { Alert, Card, Col, Form, Row, Select, Skeleton, Statistic, Table, Typography } from 'antd';
import { STATUS_LABELS } from '../../../../core';
import { BREAKDOWNS, PROGRESS_COLUMNS, type BreakdownKey } from '../../../../core/stats';
import { useAuth } from '../../auth';
import { getStats, type StatsBreakdown, type StatsFilters, type UnitProgress } from '../../client/stats';
import { ResponsiveList, type ListColumn } from '../../components/ResponsiveList';
import { formatTime, useLoader } from '../../hooks';
import { chartHeight } from './chartSize';

// ECharts only here, and only once the figures are in: its own chunk, loaded by this page alone
const StatsChart = lazy(() => import('./StatsChart'));

const ALL = '全部';
/** Pies for the two-valued breakdowns, bars (horizontal, long labels) for the rest. */
const PIES: ReadonlySet<BreakdownKey> = new Set(['gender', 'academician']);
/** The most bars a chart draws (推荐单位: 200 units); the table below it lists every group. */
const MAX_BARS = 20;

const share = (count: number, total: number) => (total ? `${((count / total) * 100).toFixed(1)}%` : '—');

function BreakdownCard({ breakdown, total }: { breakdown: StatsBreakdown; total: number }) {
  const kind = PIES.has(breakdown.key) ? 'pie' : 'bar';
  const shown = kind === 'bar' ? breakdown.groups.slice(0, MAX_BARS) : breakdown.groups;
  const title = `按${breakdown.title}统计`;
  return (
    <Card className="stats-card" data-breakdown={breakdown.key}>
      <Typography.Title level={2} className="section-title">
        {title}
      </Typography.Title>
      {total > 0 && (
        <Suspense fallback={<Skeleton.Node active style={{ width: '100%', height: chartHeight({ kind, groups: shown }) }} />}>
          <StatsChart kind={kind} title={title} groups={shown} />
        </Suspense>
      )}
      {breakdown.groups.length > shown.length && (
        <Typography.Paragraph type="secondary">{`图中为数量最多的${MAX_BARS}个，全部${breakdown.groups.length}个见下表。`}</Typography.Paragraph>
      )}
      <Table
        className="stats-table"
        size="small"
        rowKey="value"
        pagination={breakdown.groups.length > 10 ? { pageSize: 10, size: 'small', showSizeChanger: false } : false}
        dataSource={breakdown.groups}
        columns={[
          { title: breakdown.title, dataIndex: 'label' },
          { title: '数量', dataIndex: 'count', align: 'right', width: 72 },
          { title: '占比', key: 'share', align: 'right', width: 80, render: (_: unknown, g) => share(g.count, total) },
        ]}
        summary={() => (
          <Table.Summary.Row>
            <Table.Summary.Cell index={0}>合计</Table.Summary.Cell>
            <Table.Summary.Cell index={1} align="right">
              {total}
            </Table.Summary.Cell>
            <Table.Summary.Cell index={2} align="right">
              {total ? '100%' : '—'}
            </Table.Summary.Cell>
          </Table.Summary.Row>
        )}
      />
    </Card>
  );
}

/** 统计 (issue 15, 5.): counts and charts under the campaign and year; a unit sees its own. */
export default function StatsPage() {
  const { user } = useAuth();
  const [filters, setFilters] = useState<StatsFilters>({});
  const { data, loading, error } = useLoader(() => getStats(filters), [filters.campaignId, filters.year, filters.status]);
  const isUnit = user?.role === 'unit';

  const campaigns = data?.campaigns ?? [];
  const years = [...new Set(campaigns.map((c) => c.year))];
  const progressColumns: ListColumn<UnitProgress>[] = [
    { key: 'unitName', title: '推荐单位', dataIndex: 'unitName' },
    { key: 'region', title: '地区', dataIndex: 'region' },
    ...PROGRESS_COLUMNS.map((c) => ({ key: c.key, title: c.title, dataIndex: c.key, align: 'right' as const })),
  ];

  return (
    <>
      <Typography.Title level={1}>统计</Typography.Title>
      <Typography.Paragraph type="secondary">
        {isUnit ? '本单位收到的申报表' : '全部推荐单位的申报表（不含申报人尚未提交的草稿）'}
        按评选活动、年度和当前步骤统计，与“查询申报表”在相同条件下的结果一致。
      </Typography.Paragraph>
      <Form layout="inline" className="block-gap stats-filters" aria-label="统计条件">
        <Form.Item label="评选活动" htmlFor="stats-campaign">
          <Select
            id="stats-campaign"
            style={{ minWidth: 240, maxWidth: '100%' }}
            value={filters.campaignId ?? ALL}
            onChange={(v: string) => setFilters((f) => ({ ...f, campaignId: v === ALL ? undefined : v }))}
            options={[{ value: ALL, label: ALL }, ...campaigns.map((c) => ({ value: c.id, label: c.title }))]}
          />
        </Form.Item>
        <Form.Item label="年度" htmlFor="stats-year">
          <Select
            id="stats-year"
            style={{ width: 120 }}
            value={filters.year === undefined ? ALL : String(filters.year)}
            onChange={(v: string) => setFilters((f) => ({ ...f, year: v === ALL ? undefined : Number(v) }))}
            options={[{ value: ALL, label: ALL }, ...years.map((y) => ({ value: String(y), label: String(y) }))]}
          />
        </Form.Item>
        <Form.Item label="当前步骤" htmlFor="stats-status">
          <Select
            id="stats-status"
            style={{ minWidth: 220, maxWidth: '100%' }}
            value={filters.status ?? ALL}
            onChange={(v: string) => setFilters((f) => ({ ...f, status: v === ALL ? undefined : v }))}
            options={[{ value: ALL, label: ALL }, ...Object.entries(STATUS_LABELS).map(([value, label]) => ({ value, label }))]}
          />
        </Form.Item>
      </Form>
      {error && <Alert className="block-gap" type="error" showIcon title={error} />}
      <Card className="block-gap" loading={!data && !error}>
        <Statistic title="符合条件的申报表" value={data?.total ?? 0} suffix="份" className="stats-total" />
        {data && <Typography.Text type="secondary">{`统计时间：${formatTime(data.computedAt)}（数据量大时每分钟更新一次）`}</Typography.Text>}
      </Card>

      <Card className="block-gap">
        <Typography.Title level={2} className="section-title">
          {isUnit ? '本单位进度' : '各推荐单位进度'}
        </Typography.Title>
        <ResponsiveList<UnitProgress>
          rowKey="unitId"
          label={isUnit ? '本单位进度' : '各推荐单位进度'}
          size="small"
          loading={loading}
          columns={progressColumns}
          dataSource={data?.progress ?? []}
          emptyText="暂无推荐单位"
          pagination={(data?.progress.length ?? 0) > 20 ? { pageSize: 20, showSizeChanger: false } : false}
        />
      </Card>

      {data && (
        <Row gutter={[16, 16]} className="block-gap stats-grid">
          {BREAKDOWNS.map(({ key }) => {
            const breakdown = data.breakdowns.find((b) => b.key === key);
            return breakdown ? (
              <Col key={key} xs={24} lg={12}>
                <BreakdownCard breakdown={breakdown} total={data.total} />
              </Col>
            ) : null;
          })}
        </Row>
      )}
    </>
  );
}
