import { Modal, Spin, Typography } from 'antd';
import { UploadOutlined } from '@ant-design/icons';
import { ATTACHMENT_KINDS } from '../../../core';
import { getApplication } from '../client/applications';
import { useErrorReporter } from '../formUtils';
import { formatSize, useCampaign, useLoader } from '../hooks';
import type { ApplicationDetail } from '../types';
import { ScanSection, useScanUpload, type AttachmentsUpdate } from './upload/ScanUpload';

interface Props {
  applicationId: string | null;
  open: boolean;
  onClose: () => void;
  /** Called with the new list after an upload or a deletion. */
  onChanged?: (update: AttachmentsUpdate) => void;
  /**
   * Largest scan accepted, checked before sending; by default the scan limit of the application's own campaign
   * (media.scanMaxBytes), which is what the server applies.
   */
  maxBytes?: number;
}

/** 【附件】: 个人诚信承诺, 所在单位意见, 政审材料 — list, download, upload with progress, 删除. */
export function AttachmentsModal({ applicationId, open, onClose, onChanged, maxBytes: given }: Props) {
  const report = useErrorReporter();
  // loaded each time the dialog opens; the last one stays while it is closed
  const {
    data: detail,
    setData: setDetail,
    loading,
  } = useLoader<ApplicationDetail>(() => getApplication(applicationId!), [applicationId], {
    enabled: open && !!applicationId,
    onError: (err) => report(err),
  });

  const { data: campaign } = useCampaign(given === undefined ? detail?.campaignId : null);
  const maxBytes = given ?? campaign?.settings.media.scanMaxBytes;

  const attachments = detail?.attachments ?? [];
  const canUpload = detail?.abilities.upload ?? false;

  const update = (change: AttachmentsUpdate) => {
    setDetail((d) => (d ? { ...d, attachments: change(d.attachments) } : d));
    onChanged?.(change);
  };
  const scans = useScanUpload({ applicationId, attachments, maxBytes, onChanged: update });

  return (
    <Modal title="附件" open={open} onCancel={onClose} footer={null} width={720} destroyOnHidden>
      <Spin spinning={loading}>
        <Typography.Paragraph type="secondary">
          请上传个人诚信承诺、所在单位意见的相关佐证文件，以及个人政审材料。支持 PDF、JPG、PNG 格式
          {maxBytes ? `，单个文件不超过 ${formatSize(maxBytes)}` : ''}。
        </Typography.Paragraph>
        {ATTACHMENT_KINDS.map((k) => (
          <ScanSection
            key={k.kind}
            scans={scans}
            kind={k.kind}
            label={k.label}
            canUpload={canUpload}
            className="attachment-kind"
            regionLabel={k.label}
            buttonText={`上传${k.label}`}
            buttonIcon={<UploadOutlined />}
            help={
              'help' in k &&
              k.help && (
                <Typography.Paragraph type="secondary" className="attachment-help">
                  {k.help}
                </Typography.Paragraph>
              )
            }
          />
        ))}
      </Spin>
    </Modal>
  );
}
