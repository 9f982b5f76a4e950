import type { ReactNode } from 'react';
import { Button, Result, Space, Spin, Typography } from 'antd';
import { StatusTag } from '../../components/StatusTag';
import { ApplicationReadView } from '../../components/workflow/ApplicationReadView';
import { AttachmentViewer } from '../../components/workflow/AttachmentViewer';
import type { ApplicationDetail, ChangesReply } from '../../types';

/** What stands in for an opened application until it is there: why it could not be opened, or a spinner. */
export function OpenedApplicationPending({ loadError, back }: { loadError: string | null; back: ReactNode }) {
  if (loadError) {
    return <Result status="warning" title="无法打开申请书" subTitle={loadError} extra={back} />;
  }
  return (
    <div className="page-loading">
      <Spin description="正在加载申请书…" />
    </div>
  );
}

/** 最美科技工作者/姓名[手机: …] and the 状态 of an opened application. */
export function OpenedApplicationTitle({ detail }: { detail: ApplicationDetail }) {
  return (
    <div className="handle-title">
      <Typography.Title level={2} className="no-margin page-title">
        最美科技工作者/{detail.form.name || detail.applicantName}
        <span className="nowrap">[手机: {detail.form.mobile ?? ''}]</span>
      </Typography.Title>
      <Space size={4} wrap>
        <span>状态：</span>
        <StatusTag label={detail.statusLabel} status={detail.status} />
      </Space>
    </div>
  );
}

/** 申请书信息 read-only, with the 附件 link that opens the attachment viewer. */
export function OpenedApplicationReadView({
  detail,
  changes,
  idPrefix,
  onAttachments,
}: {
  detail: ApplicationDetail;
  changes: ChangesReply | null;
  idPrefix: string;
  onAttachments: () => void;
}) {
  return (
    <ApplicationReadView
      detail={detail}
      changes={changes}
      idPrefix={idPrefix}
      attachmentsButton={
        <Button type="link" size="small" className="inline-link-btn" onClick={onAttachments}>
          附件
        </Button>
      }
    />
  );
}

/** The attachment viewer of an opened application, titled with the applicant's name. */
export function OpenedApplicationViewer({
  detail,
  open,
  onClose,
  navExtra,
}: {
  detail: ApplicationDetail;
  open: boolean;
  onClose: () => void;
  /** Below the navigation: the unit's 【推荐报告扫描件】 upload in 办理. */
  navExtra?: ReactNode;
}) {
  return (
    <AttachmentViewer open={open} onClose={onClose} attachments={detail.attachments} subject={detail.form.name || detail.applicantName} navExtra={navExtra} />
  );
}
