import { Button, Card, Typography } from 'antd';
import { useNavigate, useSearchParams } from 'react-router';
import { ApplicationQuery } from '../../components/ApplicationQuery';
import { useAuth } from '../../auth';
import { MyCertificates } from '../certificates/MyCertificates';

/** 【最美科技工作者】——【查询申报表】 */
export default function SearchPage() {
  const { user } = useAuth();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  // 导出汇总表: the current 查询 conditions (the address holds them) go to 数据导出
  const filters = new URLSearchParams();
  for (const k of ['keyword', 'year', 'workUnit', 'status']) if (params.get(k)) filters.set(k, params.get(k)!);
  return (
    <Card
      title="查询申报表"
      extra={
        <Button size="small" onClick={() => navigate(`/zmkj/exports${filters.size ? `?${filters}` : ''}`)}>
          导出汇总表
        </Button>
      }
    >
      <Typography.Paragraph type="secondary">
        {user?.role === 'unit'
          ? '可以查询提交到当前推荐单位的所有“最美科技工作者”申请书，点击【更多筛选条件】可以使用更多查询条件进行筛选。'
          : '可以查询所有推荐单位提交的“最美科技工作者”申请书，点击【更多筛选条件】可以使用更多查询条件进行筛选。'}
      </Typography.Paragraph>
      <ApplicationQuery formName="search" />
      {user?.role === 'unit' && <MyCertificates />}
    </Card>
  );
}
