import { useEffect, useState } from 'react';
import { Button, Card, Descriptions, Result, Space, Spin, Typography } from 'antd';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { api, errorMessage } from '../../api';
import { StatusTag } from '../../components/StatusTag';
import { ApplicationReadView } from '../../components/workflow/ApplicationReadView';
import { AttachmentViewer } from '../../components/workflow/AttachmentViewer';
import { FlowModal } from '../../components/workflow/FlowModal';
import type { ApplicationDetail, ChangesReply } from '../../types';
import { openApplication } from '../../workflow';

const LIST = '/zmkj/search';

/** 查看申请书 from 查询申报表 (manual 二.11): the application read-only, its opinions and 流程情况. */
export default function ViewPage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from ?? LIST;
  const [detail, setDetail] = useState<ApplicationDetail | null>(null);
  const [changes, setChanges] = useState<ChangesReply | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [viewerOpen, setViewerOpen] = useState(false);
  const [flowOpen, setFlowOpen] = useState(false);

  useEffect(() => {
    let live = true;
    setDetail(null);
    setLoadError(null);
    openApplication(id)
      .then((d) => live && setDetail(d))
      .catch((err: unknown) => live && setLoadError(errorMessage(err)));
    api<ChangesReply>('GET', `/api/applications/${id}/changes`)
      .then((c) => live && setChanges(c))
      .catch(() => live && setChanges(null));
    return () => {
      live = false;
    };
  }, [id]);

  if (loadError) {
    return <Result status="warning" title="无法打开申请书" subTitle={loadError} extra={<Link to={LIST}>返回查询申报表</Link>} />;
  }
  if (!detail) {
    return (
      <div className="page-loading">
        <Spin description="正在加载申请书…" />
      </div>
    );
  }
  const opinions = [
    { key: 'return', label: '修改意见', text: detail.opinions.return },
    { key: 'recommend', label: '推荐单位意见', text: detail.opinions.recommend },
    { key: 'org', label: '自治区科协退回意见', text: detail.opinions.org },
  ].filter((o) => o.text?.trim());

  return (
    <div className="handle-page">
      <Card size="small" className="handle-card">
        <div className="editor-head-row">
          <div className="handle-title">
            <Typography.Title level={4} className="no-margin">
              最美科技工作者/{detail.form.name || detail.applicantName}[手机: {detail.form.mobile ?? ''}]
            </Typography.Title>
            <Space size={4} wrap>
              <span>状态：</span>
              <StatusTag label={detail.statusLabel} status={detail.status} />
            </Space>
          </div>
          <Space wrap>
            <Button onClick={() => setFlowOpen(true)}>流程情况</Button>
            <Button onClick={() => navigate(from)}>返回</Button>
          </Space>
        </div>
      </Card>
      <ApplicationReadView
        detail={detail}
        changes={changes}
        idPrefix="view"
        attachmentsButton={
          <Button type="link" size="small" className="inline-link-btn" onClick={() => setViewerOpen(true)}>
            附件
          </Button>
        }
      />
      {opinions.length > 0 && (
        <Card size="small" title="办理意见" className="editor-section">
          <Descriptions
            bordered
            size="small"
            column={1}
            items={opinions.map((o) => ({ key: o.key, label: o.label, children: <span className="pre-wrap">{o.text}</span> }))}
          />
        </Card>
      )}
      <AttachmentViewer
        open={viewerOpen}
        onClose={() => setViewerOpen(false)}
        attachments={detail.attachments}
        subject={detail.form.name || detail.applicantName}
      />
      <FlowModal
        applicationId={flowOpen ? id : null}
        subject={`${detail.number} ${detail.applicantName}`}
        statusLabel={detail.statusLabel}
        onClose={() => setFlowOpen(false)}
      />
    </div>
  );
}
