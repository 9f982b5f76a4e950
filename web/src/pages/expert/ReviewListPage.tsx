import { Card, Empty } from 'antd';

/**
 * 网上评选 — the expert's entry. A placeholder only until the assignments page fills it (issue 13 items 7–9: the
 * assigned candidates, 未评 / 已保存 / 已提交 and the time left in the window).
 */
export default function ReviewListPage() {
  return (
    <Card title="网上评选">
      <Empty description="自治区科协分配给您的评审任务将显示在这里。" />
    </Card>
  );
}
