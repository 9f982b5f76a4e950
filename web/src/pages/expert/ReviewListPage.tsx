import { Alert, Button, Card, Space, Tag, Typography } from 'antd';
import { Link } from 'react-router';
import { myReviews } from '../../client/review';
import { ResponsiveList, type ListColumn } from '../../components/ResponsiveList';
import { useLoader } from '../../hooks';
import type { ReviewListReply } from '../../client/review';
import { WindowNote } from '../review/WindowNote';

type Item = ReviewListReply['items'][number];

export const STATE_COLORS: Record<Item['state'], string> = { todo: 'default', saved: 'orange', submitted: 'green' };

/**
 * 网上评选 — the expert's 我的主页: the candidates 自治区科协 assigned (minus those they declared 回避 for), each 未评 /
 * 已保存 / 已提交, and the time left in the 网上评选 window.
 */
export default function ReviewListPage() {
  const { data, loading, error, reload } = useLoader(myReviews, []);
  const columns: ListColumn<Item>[] = [
    { title: '申请书编号', dataIndex: 'number', width: 150 },
    { title: '候选人', dataIndex: 'applicantName', width: 100 },
    { title: '工作单位', dataIndex: 'workUnit' },
    { title: '推荐单位', dataIndex: 'unitName', width: 180 },
    {
      title: '评审状态',
      dataIndex: 'state',
      width: 110,
      render: (_: unknown, r: Item) => (
        <Space size={4} wrap>
          <Tag color={STATE_COLORS[r.state]}>{r.stateLabel}</Tag>
          {r.reopenReason !== null && <Tag color="red">退回重评</Tag>}
        </Space>
      ),
    },
    { title: '总分', dataIndex: 'total', width: 80, render: (v: number | null) => (v === null ? '—' : v.toFixed(1)) },
    {
      title: '操作',
      key: 'actions',
      width: 100,
      render: (_: unknown, r: Item) => (
        <Link to={`/zmkj/review/${r.applicationId}`}>
          <Button type="primary" size="small">
            {r.state === 'submitted' ? '查看' : '评审'}
          </Button>
        </Link>
      ),
    },
  ];
  return (
    <Card
      title="网上评选"
      extra={
        <Button onClick={() => void reload()} loading={loading}>
          刷新
        </Button>
      }
    >
      {error && <Alert type="error" showIcon title={error} className="block-gap" />}
      {data?.window && <WindowNote window={data.window} />}
      {data && (
        <Typography.Paragraph>
          共 {data.items.length} 位候选人：未评 {data.counts.todo}，已保存 {data.counts.saved}，已提交 {data.counts.submitted}。
          {data.counts.saved > 0 && ' 已保存的评分尚未提交，请在截止前点击【提交】。'}
        </Typography.Paragraph>
      )}
      <ResponsiveList<Item>
        rowKey="applicationId"
        columns={columns}
        dataSource={data?.items ?? []}
        loading={loading}
        emptyText="自治区科协尚未分配给您评审任务"
        scrollX={900}
        pagination={false}
        label="评审任务"
      />
    </Card>
  );
}
