import { Typography } from 'antd';

/** 数据导出 (issue 15, 4.): the exports as background jobs with their progress and downloads */
export default function ExportsPage() {
  return <Typography.Title level={1}>数据导出</Typography.Title>;
}
