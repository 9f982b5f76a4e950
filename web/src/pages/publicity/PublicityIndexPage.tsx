import { Alert, Card, List, Skeleton, Tag, Typography } from 'antd';
import { Link } from 'react-router';
import { publicIndex } from '../../client/publicity';
import { useLoader } from '../../hooks';
import { PHASE_COLORS, PublicFrame, publicPhase } from './PublicFrame';

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
          <List
            dataSource={data?.items ?? []}
            locale={{ emptyText: '暂无公示' }}
            renderItem={(p) => {
              const phase = publicPhase(p);
              return (
                <List.Item>
                  <List.Item.Meta
                    title={<Link to={`/gongshi/${p.id}`}>{p.title}</Link>}
                    description={
                      <span>
                        {p.publisher} · 公示期：{p.startsOn} 至 {p.endsOn} <Tag color={PHASE_COLORS[phase]}>{phase}</Tag>
                      </span>
                    }
                  />
                </List.Item>
              );
            }}
          />
        )}
      </Card>
    </PublicFrame>
  );
}
