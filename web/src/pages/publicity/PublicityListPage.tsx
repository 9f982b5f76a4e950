import { Alert, Button, Card, Space, Tag } from 'antd';
import { Link, useNavigate } from 'react-router';
import type { PublicityView } from '../../../../core';
import { useAuth } from '../../auth';
import { listPublicities } from '../../client/publicity';
import { ResponsiveList, type ListColumn } from '../../components/ResponsiveList';
import { formatTime, useLoader } from '../../hooks';
import { PHASE_COLORS } from './PublicFrame';

/** 初评公示: a unit's own 公示 (【发布公示】), or every unit's for 自治区科协. */
export default function PublicityListPage() {
  const { user } = useAuth();
  const navigate = useNavigate();
  const { data, loading, error, reload } = useLoader(listPublicities, []);
  const unit = user?.role === 'unit';
  const columns: ListColumn<PublicityView>[] = [
    { key: 'title', title: '公示标题', dataIndex: 'title', width: 280, render: (v: string, p) => <Link to={`/zmkj/publicity/${p.id}`}>{v}</Link> },
    ...(unit ? [] : [{ key: 'publisher', title: '发布单位', dataIndex: 'publisher', width: 180 }]),
    { key: 'period', title: '公示期', width: 200, render: (_: unknown, p: PublicityView) => `${p.startsOn} 至 ${p.endsOn}` },
    { key: 'entries', title: '候选人', width: 80, render: (_: unknown, p: PublicityView) => `${p.entries.length}名` },
    { key: 'phase', title: '状态', dataIndex: 'phaseLabel', width: 90, render: (v: string) => <Tag color={PHASE_COLORS[v]}>{v}</Tag> },
    {
      key: 'objections',
      title: '异议',
      width: 110,
      render: (_: unknown, p: PublicityView) =>
        !p.objections.total ? '无' : p.objections.open ? `${p.objections.total}件（待核实${p.objections.open}件）` : `${p.objections.total}件（均已核实）`,
    },
    { key: 'version', title: '版本', dataIndex: 'version', width: 70, render: (v: number) => `第${v}版` },
    { key: 'updatedAt', title: '更新时间', dataIndex: 'updatedAt', width: 150, render: (v: string) => formatTime(v) },
  ];
  return (
    <Card
      title="初评公示"
      extra={
        <Space>
          <Button onClick={() => void reload()} loading={loading}>
            刷新
          </Button>
          {unit && (
            <Button type="primary" onClick={() => navigate('/zmkj/publicity/new')}>
              发布公示
            </Button>
          )}
        </Space>
      }
    >
      {unit && (
        <Alert
          type="info"
          showIcon
          className="block-gap"
          title="初评结果为“通过”的候选人须经公示，公示期满且无异议（或异议经核实不成立）后，方可【提交】至自治区科协。"
        />
      )}
      {error && <Alert type="error" showIcon title={error} className="block-gap" />}
      <ResponsiveList<PublicityView>
        rowKey="id"
        loading={loading}
        dataSource={data ?? []}
        scrollX={900}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        emptyText={unit ? '暂无公示，请点击【发布公示】' : '暂无公示'}
        columns={columns}
        label="初评公示"
      />
    </Card>
  );
}
