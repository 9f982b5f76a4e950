import { Card, Typography } from 'antd';
import { ApplicationQuery } from '../../components/ApplicationQuery';
import { useAuth } from '../../auth';

/** 【最美科技工作者】——【查询申报表】 */
export default function SearchPage() {
  const { user } = useAuth();
  return (
    <Card title="查询申报表">
      <Typography.Paragraph type="secondary">
        {user?.role === 'unit'
          ? '可以查询提交到当前推荐单位的所有“最美科技工作者”申请书，点击【更多筛选条件】可以使用更多查询条件进行筛选。'
          : '可以查询所有推荐单位提交的“最美科技工作者”申请书，点击【更多筛选条件】可以使用更多查询条件进行筛选。'}
      </Typography.Paragraph>
      <ApplicationQuery formName="search" />
    </Card>
  );
}
