import { Card, Tabs } from 'antd';
import { ApplicationQuery } from '../../components/ApplicationQuery';

/** 【最美科技工作者】——【待审核申报表】: 待审核的 / 已办理的. */
export default function PendingPage() {
  return (
    <Card title="待审核申报表">
      <Tabs
        destroyOnHidden
        items={[
          { key: 'todo', label: '待审核的', children: <ApplicationQuery formName="pendingTodo" /> },
          { key: 'done', label: '已办理的', children: <ApplicationQuery formName="pendingDone" /> },
        ]}
      />
    </Card>
  );
}
