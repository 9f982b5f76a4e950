import { Typography } from 'antd';

/** 统计 (issue 15, 5.): the dashboard; a unit sees its own */
export default function StatsPage() {
  return <Typography.Title level={1}>统计</Typography.Title>;
}
