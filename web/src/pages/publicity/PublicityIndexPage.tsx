import { Alert, Card, Skeleton, Tag, Typography } from 'antd';
import { Link } from 'react-router';
import type { PublicIndexReply } from '../../../../core';
import { publicIndex } from '../../client/publicity';
import { ResponsiveList, type ListColumn } from '../../components/ResponsiveList';
import { useLoader } from '../../hooks';
import { PHASE_COLORS, PublicFrame, publicPhase } from './PublicFrame';

type Item = PublicIndexReply['items'][number];

const columns: ListColumn<Item>[] = [
  { key: 'title', title: '公示标题', dataIndex: 'title', render: (v: string, p) => <Link to={`/gongshi/${p.id}`}>{v}</Link> },
  { key: 'publisher', title: '发布单位', dataIndex: 'publisher', width: 200 },
  { key: 'period', title: '公示期', width: 210, render: (_: unknown, p) => `${p.startsOn} 至 ${p.endsOn}` },
  {
    key: 'phase',
    title: '状态',
    width: 90,
    render: (_: unknown, p) => {
      const phase = publicPhase(p);
      return <Tag color={PHASE_COLORS[phase]}>{phase}</Tag>;
    },
  },
];

/** 公示公告 (public, no login): every current 公示 of the campaign, those open for objections first. */
export default function PublicityIndexPage() {
  const { data, loading, error } = useLoader(publicIndex, []);
  return (
    <PublicFrame>
      <Card title={<h1 className="public-title">公示公告</h1>}>
        {data && <Typography.Paragraph type="secondary">{data.campaign}</Typography.Paragraph>}
        {error && <Alert type="error" showIcon title={error} />}
        {loading && !data ? (
          <Skeleton active />
        ) : (
          <ResponsiveList<Item> rowKey="id" dataSource={data?.items ?? []} columns={columns} pagination={false} emptyText="暂无公示" label="公示公告" />
        )}
      </Card>
    </PublicFrame>
  );
}
