import { Typography } from 'antd';
import { UNIT_ATTACHMENT_KINDS } from '../../../../core';
import { formatSize } from '../../hooks';
import type { Attachment } from '../../types';
import { ScanSection, useScanUpload, type AttachmentsUpdate } from '../upload/ScanUpload';

interface Props {
  applicationId: string;
  attachments: Attachment[];
  /** abilities.unitUpload */
  canUpload: boolean;
  maxBytes?: number;
  onChanged: (update: AttachmentsUpdate) => void;
  /** In the 附件 window the buttons and sections say 上传…: 上传推荐报告扫描件, 上传干部人事管理部门意见, … */
  inViewer?: boolean;
}

/**
 * The unit's 【附件】 (manual 二.6, the notice's 三、3 ①): 推荐报告扫描件, 干部人事管理部门意见 and 纪检监察部门意见, each
 * uploaded with progress, listed, 删除; all three are needed for 【提交】 to 自治区科协.
 */
export function UnitScansUpload({ applicationId, attachments, canUpload, maxBytes, onChanged, inViewer = false }: Props) {
  const scans = useScanUpload({ applicationId, attachments, maxBytes, onChanged });
  return (
    <div className="unit-scans">
      {UNIT_ATTACHMENT_KINDS.map((kind) => (
        <ScanSection
          key={kind.kind}
          scans={scans}
          kind={kind.kind}
          label={kind.label}
          canUpload={canUpload}
          className="report-upload"
          regionLabel={inViewer ? `上传${kind.label}` : kind.label}
          buttonText={inViewer ? `上传${kind.label}` : kind.label}
          openInline
          help={
            <Typography.Paragraph type="secondary" className="attachment-help">
              {kind.help}。支持 PDF、JPG、PNG 格式{maxBytes ? `，单个文件不超过 ${formatSize(maxBytes)}` : ''}。
            </Typography.Paragraph>
          }
        />
      ))}
    </div>
  );
}
