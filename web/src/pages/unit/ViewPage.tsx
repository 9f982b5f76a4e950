import { useState } from 'react';
import { Button, Card, Descriptions, Space } from 'antd';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { FlowModal } from '../../components/lazyModals';
import { formatTime } from '../../hooks';
import { OpenedApplicationPending, OpenedApplicationReadView, OpenedApplicationTitle, OpenedApplicationViewer } from './OpenedApplication';
import { useOpenedApplication } from './useOpenedApplication';
import { ApplicationPdfButton } from '../certificates/ApplicationPdfButton';

const LIST = '/zmkj/search';

/** 查看申请书 from 查询申报表 (manual 二.11): the application read-only, its opinions and 流程情况. */
export default function ViewPage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from ?? LIST;
  const { detail, loadError, changes } = useOpenedApplication(id);
  const [viewerOpen, setViewerOpen] = useState(false);
  const [flowOpen, setFlowOpen] = useState(false);

  if (loadError || !detail) {
    return <OpenedApplicationPending loadError={loadError} back={<Link to={LIST}>返回查询申报表</Link>} />;
  }
  const p = detail.preliminary;
  const opinions = [
    // the unit's 初评 (the reply carries it for the unit and 自治区科协 only)
    { key: 'preliminary', label: '初评结果', text: p ? `${p.resultLabel}${p.reason ? `：${p.reason}` : ''}（${p.by}，${formatTime(p.at)}）` : null },
    { key: 'return', label: '修改意见', text: detail.opinions.return },
    { key: 'recommend', label: '推荐单位意见', text: detail.opinions.recommend },
    { key: 'org', label: '自治区科协退回意见', text: detail.opinions.org },
  ].filter((o) => o.text?.trim());

  return (
    <div className="handle-page">
      <Card size="small" className="handle-card">
        <div className="editor-head-row">
          <OpenedApplicationTitle detail={detail} />
          <Space wrap>
            <Button onClick={() => setFlowOpen(true)}>流程情况</Button>
            <ApplicationPdfButton applicationId={id} />
            <Button onClick={() => navigate(from)}>返回</Button>
          </Space>
        </div>
      </Card>
      <OpenedApplicationReadView detail={detail} changes={changes} idPrefix="view" onAttachments={() => setViewerOpen(true)} />
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
      <OpenedApplicationViewer detail={detail} open={viewerOpen} onClose={() => setViewerOpen(false)} />
      <FlowModal
        applicationId={flowOpen ? id : null}
        subject={`${detail.number} ${detail.applicantName}`}
        statusLabel={detail.statusLabel}
        onClose={() => setFlowOpen(false)}
      />
    </div>
  );
}
