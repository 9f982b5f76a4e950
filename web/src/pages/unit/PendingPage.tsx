import { Card, Tabs, Typography } from 'antd';
import { useSearchParams } from 'react-router';
import { useAuth } from '../../auth';
import { PendingTable } from '../../components/workflow/PendingTable';

/** 【最美科技工作者】——【待审核申报表】: 待审核的 / 已办理的 (manual 二.2, 二.9). */
export default function PendingPage() {
  const { user } = useAuth();
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') === 'handled' ? 'handled' : 'pending';
  return (
    <Card title="待审核申报表">
      <Typography.Paragraph type="secondary">
        {user?.role === 'organizer'
          ? '点击【办理】查看、审核推荐单位提交的申请书（形式审查）：材料齐全的点击【受理】；需要推荐单位修改的，填写退回意见并【保存】后点击【退回】。'
          : '点击【办理】查看、审核申请书：有修改意见的，在【修改意见】中填写并【保存】后点击【退回】；无修改意见的，在【推荐单位意见】中保存初评结果和推荐单位意见，上传【推荐报告扫描件】及干部人事管理部门、纪检监察部门意见后点击【提交】。'}
      </Typography.Paragraph>
      <Tabs
        activeKey={tab}
        onChange={(key) => setParams(key === 'handled' ? { tab: 'handled' } : {}, { replace: true })}
        destroyOnHidden
        items={[
          { key: 'pending', label: '待审核的', children: <PendingTable tab="pending" /> },
          { key: 'handled', label: '已办理的', children: <PendingTable tab="handled" /> },
        ]}
      />
    </Card>
  );
}
