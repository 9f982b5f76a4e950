import { Alert, Grid, Modal, Table, Timeline, Typography } from 'antd';
import { applicationHistory } from '../../client/applications';
import { formatTime, useLoader } from '../../hooks';

interface Props {
  /** The application whose 流程情况 is shown; null keeps the modal closed. */
  applicationId: string | null;
  /** 申请书编号 and name, for the title. */
  subject?: string;
  statusLabel?: string;
  onClose: () => void;
}

function FlowBody({ applicationId }: { applicationId: string }) {
  const screens = Grid.useBreakpoint();
  const { data, loading, error } = useLoader(() => applicationHistory(applicationId), [applicationId]);
  if (error) return <Alert type="error" showIcon title={error} />;
  const rows = (data ?? []).map((e, i) => ({ ...e, key: i }));
  if (screens.md === false) {
    // phones: a timeline reads better than a wide table
    return (
      <Timeline
        className="flow-timeline"
        items={rows.map((e) => ({
          key: e.key,
          content: (
            <div>
              <div>
                <Typography.Text strong>{e.actionLabel}</Typography.Text>
                <Typography.Text type="secondary"> {formatTime(e.at)}</Typography.Text>
              </div>
              <div>
                从 {e.fromName || '—'} 到 {e.toName || '—'}
              </div>
              <div>办理人：{e.actorName}</div>
              {e.opinion && <div className="pre-wrap">意见：{e.opinion}</div>}
            </div>
          ),
        }))}
      />
    );
  }
  return (
    <Table
      size="small"
      loading={loading}
      dataSource={rows}
      pagination={false}
      locale={{ emptyText: '暂无流程记录' }}
      columns={[
        { title: '时间', dataIndex: 'at', width: 140, render: (v: string) => formatTime(v) },
        { title: '操作', dataIndex: 'actionLabel', width: 90 },
        { title: '从', dataIndex: 'fromName', width: 150, render: (v: string) => v || '—' },
        { title: '到', dataIndex: 'toName', width: 150, render: (v: string) => v || '—' },
        { title: '办理人', dataIndex: 'actorName', width: 150 },
        {
          title: '意见',
          dataIndex: 'opinion',
          render: (v: string | null) => (v ? <span className="pre-wrap">{v}</span> : '—'),
        },
      ]}
    />
  );
}

/** 流程情况: every transfer of one application (GET /api/applications/:id/history). */
export function FlowModal({ applicationId, subject, statusLabel, onClose }: Props) {
  return (
    <Modal title={subject ? `流程情况 — ${subject}` : '流程情况'} open={applicationId !== null} onCancel={onClose} footer={null} width={960} destroyOnHidden>
      {statusLabel && (
        <Typography.Paragraph>
          当前状态：<Typography.Text strong>{statusLabel}</Typography.Text>
        </Typography.Paragraph>
      )}
      {applicationId && <FlowBody applicationId={applicationId} />}
    </Modal>
  );
}
