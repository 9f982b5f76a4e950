import { Typography } from 'antd';

/** 发布结果 (issue 15, 1.): 发布 or schedule it, and each winner's 宣传稿 */
export default function PublicationPage() {
  return <Typography.Title level={1}>发布结果</Typography.Title>;
}
