import { Typography } from 'antd';
import { UNIT_ATTACHMENT_KINDS } from '../../../../core';
import { formatSize } from '../../hooks';
import type { Attachment } from '../../types';
import { ScanSection, useScanUpload, type AttachmentsUpdate } from '../upload/ScanUpload';

const KIND = UNIT_ATTACHMENT_KINDS[0];

interface Props {
  applicationId: string;
  attachments: Attachment[];
  /** abilities.unitUpload */
  canUpload: boolean;
  maxBytes?: number;
  onChanged: (update: AttachmentsUpdate) => void;
  /** The upload button's text: 推荐报告扫描件 in the tab, 上传推荐报告扫描件 in the 附件 window. */
  buttonText?: string;
  /** Accessible name of the section, unique per page. */
  regionLabel?: string;
}

/** The unit's 【推荐报告扫描件】 (manual 二.6): upload with progress, the uploaded files, 删除. */
export function RecommendReportUpload({
  applicationId,
  attachments,
  canUpload,
  maxBytes,
  onChanged,
  buttonText = KIND.label,
  regionLabel = KIND.label,
}: Props) {
  const scans = useScanUpload({ applicationId, attachments, maxBytes, onChanged });
  return (
    <ScanSection
      scans={scans}
      kind={KIND.kind}
      label={KIND.label}
      canUpload={canUpload}
      className="report-upload"
      regionLabel={regionLabel}
      buttonText={buttonText}
      openInline
      help={
        <Typography.Paragraph type="secondary" className="attachment-help">
          {KIND.help}。支持 PDF、JPG、PNG 格式{maxBytes ? `，单个文件不超过 ${formatSize(maxBytes)}` : ''}。
        </Typography.Paragraph>
      }
    />
  );
}
