import { useState } from 'react';
import { App, Button, Popconfirm, Progress, Space, Typography, Upload } from 'antd';
import { UNIT_ATTACHMENT_KINDS } from '../../../../core';
import { api, upload } from '../../api';
import { useErrorReporter } from '../../formUtils';
import { formatSize, formatTime } from '../../hooks';
import type { Attachment } from '../../types';
import { attachmentUrl } from '../../workflow';

const KIND = UNIT_ATTACHMENT_KINDS[0];
const ACCEPT = '.pdf,.jpg,.jpeg,.png';
const ACCEPT_RE = /\.(pdf|jpe?g|png)$/i;

interface Props {
  applicationId: string;
  attachments: Attachment[];
  /** abilities.unitUpload */
  canUpload: boolean;
  maxBytes?: number;
  onChanged: (attachments: Attachment[]) => void;
  /** The upload button's text: 推荐报告扫描件 in the tab, 上传推荐报告扫描件 in the 附件 window. */
  buttonText?: string;
  /** Accessible name of the section, unique per page. */
  regionLabel?: string;
}

/** The unit's 【推荐报告扫描件】 (manual 二.6): upload with progress, the uploaded files, 删除. */
export function RecommendReportUpload({ applicationId, attachments, canUpload, maxBytes, onChanged, buttonText = KIND.label, regionLabel = KIND.label }: Props) {
  const { message } = App.useApp();
  const report = useErrorReporter();
  const [busy, setBusy] = useState<{ name: string; percent: number } | null>(null);
  const files = attachments.filter((a) => a.kind === KIND.kind);

  const start = async (file: File) => {
    if (!ACCEPT_RE.test(file.name)) {
      void message.error('仅支持上传 PDF、JPG 或 PNG 格式的文件');
      return;
    }
    if (maxBytes && file.size > maxBytes) {
      void message.error(`文件“${file.name}”过大（${formatSize(file.size)}），单个文件不能超过 ${formatSize(maxBytes)}`);
      return;
    }
    setBusy({ name: file.name, percent: 0 });
    try {
      const saved = await upload<Attachment>(`/api/applications/${applicationId}/attachments`, { kind: KIND.kind }, file, (percent) =>
        setBusy({ name: file.name, percent }),
      );
      onChanged([...attachments, saved]);
      void message.success(`“${saved.name}”已上传`);
    } catch (err) {
      report(err);
    } finally {
      setBusy(null);
    }
  };

  const remove = async (a: Attachment) => {
    try {
      await api('DELETE', `/api/attachments/${a.id}`);
      onChanged(attachments.filter((x) => x.id !== a.id));
      void message.success('已删除');
    } catch (err) {
      report(err);
    }
  };

  return (
    <section className="report-upload" aria-label={regionLabel}>
      <div className="report-upload-head">
        <Typography.Text strong>{KIND.label}</Typography.Text>
        {canUpload && (
          <Upload
            accept={ACCEPT}
            showUploadList={false}
            multiple={false}
            disabled={!!busy}
            beforeUpload={(file) => {
              void start(file);
              return false;
            }}
          >
            <Button size="small" loading={!!busy}>
              {buttonText}
            </Button>
          </Upload>
        )}
      </div>
      <Typography.Paragraph type="secondary" className="attachment-help">
        {KIND.help}。支持 PDF、JPG、PNG 格式{maxBytes ? `，单个文件不超过 ${formatSize(maxBytes)}` : ''}。
      </Typography.Paragraph>
      {busy && (
        <div className="attachment-progress">
          <Typography.Text>正在上传：{busy.name}</Typography.Text>
          <Progress percent={busy.percent} size="small" aria-label="推荐报告扫描件上传进度" />
        </div>
      )}
      {files.length === 0 ? (
        <Typography.Paragraph type="secondary" className="attachment-none">
          尚未上传
        </Typography.Paragraph>
      ) : (
        <ul className="attachment-list">
          {files.map((a) => (
            <li key={a.id}>
              <Space wrap size={4}>
                <a href={attachmentUrl(a.id, true)} target="_blank" rel="noopener noreferrer">
                  {a.name}
                </a>
                <Typography.Text type="secondary">
                  {formatSize(a.size)} · {formatTime(a.createdAt)}
                </Typography.Text>
              </Space>
              {canUpload && (
                <Popconfirm title="确定删除该附件吗？" okText="确定" cancelText="取消" onConfirm={() => remove(a)}>
                  <Button type="link" danger size="small" aria-label={`删除 ${a.name}`}>
                    删除
                  </Button>
                </Popconfirm>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
