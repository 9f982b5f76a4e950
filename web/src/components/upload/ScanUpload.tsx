import { useState, type ReactNode } from 'react';
import { App, Button, Popconfirm, Progress, Space, Typography, Upload } from 'antd';
import { useErrorReporter } from '../../formUtils';
import { formatSize, formatTime } from '../../hooks';
import type { Attachment } from '../../types';
import { deleteAttachment, originalUrl, uploadAttachment } from '../../client/attachments';
import { pdfPageUrl } from '../pdf/links';

const ACCEPT = '.pdf,.jpg,.jpeg,.png';
const ACCEPT_RE = /\.(pdf|jpe?g|png)$/i;

interface UploadOptions {
  /** null: nothing is sent (the 附件 window before an application is chosen). */
  applicationId: string | null;
  /** All the application's attachments. */
  attachments: Attachment[];
  /** Largest scan accepted (campaign media.scanMaxBytes); checked before sending. */
  maxBytes?: number;
  /**
   * Called after an upload or a deletion with the change to make to the list: a function of the list as it is
   * then, so that two uploads finishing together both stay in it.
   */
  onChanged: (update: AttachmentsUpdate) => void;
}

export type AttachmentsUpdate = (attachments: Attachment[]) => Attachment[];

type Busy = { name: string; percent: number };

/**
 * Scanned attachments (PDF, JPG or PNG, one file at a time per kind): upload with progress, 删除. The progress
 * lives with the caller, so it outlasts the sections that show it (a dialog closed and opened again).
 */
export function useScanUpload({ applicationId, attachments, maxBytes, onChanged }: UploadOptions) {
  const { message } = App.useApp();
  const report = useErrorReporter();
  const [progress, setProgress] = useState<Record<string, Busy>>({});

  const start = async (kind: string, file: File) => {
    if (!ACCEPT_RE.test(file.name)) {
      void message.error('仅支持上传 PDF、JPG 或 PNG 格式的文件');
      return;
    }
    if (maxBytes && file.size > maxBytes) {
      void message.error(`文件“${file.name}”过大（${formatSize(file.size)}），单个文件不能超过 ${formatSize(maxBytes)}`);
      return;
    }
    if (!applicationId) return;
    setProgress((p) => ({ ...p, [kind]: { name: file.name, percent: 0 } }));
    try {
      const saved = await uploadAttachment(applicationId, kind, file, (percent) => setProgress((p) => ({ ...p, [kind]: { name: file.name, percent } })));
      onChanged((list) => [...list, saved]);
      void message.success(`“${saved.name}”已上传`);
    } catch (err) {
      report(err);
    } finally {
      setProgress((p) => {
        const next = { ...p };
        delete next[kind];
        return next;
      });
    }
  };

  const remove = async (a: Attachment) => {
    try {
      await deleteAttachment(a.id);
      onChanged((list) => list.filter((x) => x.id !== a.id));
      void message.success('已删除');
    } catch (err) {
      report(err);
    }
  };

  return { attachments, progress, start, remove };
}

interface SectionProps {
  /** useScanUpload's result. */
  scans: ReturnType<typeof useScanUpload>;
  /** The attachment kind this section lists and uploads. */
  kind: string;
  /** The kind's name: the heading, and the progress bar's accessible name (`…上传进度`). */
  label: string;
  /** Shows the upload button and 删除. */
  canUpload: boolean;
  /** The section's class; its head's is `${className}-head`. */
  className: string;
  /** Accessible name of the section. */
  regionLabel: string;
  buttonText: ReactNode;
  buttonIcon?: ReactNode;
  /** Below the head, if any. */
  help?: ReactNode;
  /** PDFs open in a new tab, drawn by pdf.js (/pdf/:id), instead of downloading. */
  openInline?: boolean;
}

/** One kind of scanned attachment: its heading and upload button, the progress, the files with size and time, 删除. */
export function ScanSection({ scans, kind, label, canUpload, className, regionLabel, buttonText, buttonIcon, help, openInline = false }: SectionProps) {
  const files = scans.attachments.filter((a) => a.kind === kind);
  const busy = scans.progress[kind];
  return (
    <section className={className} aria-label={regionLabel}>
      <div className={`${className}-head`}>
        <Typography.Text strong>{label}</Typography.Text>
        {canUpload && (
          <Upload
            accept={ACCEPT}
            showUploadList={false}
            multiple={false}
            disabled={!!busy}
            beforeUpload={(file) => {
              void scans.start(kind, file);
              return false;
            }}
          >
            <Button icon={buttonIcon} size="small" loading={!!busy}>
              {buttonText}
            </Button>
          </Upload>
        )}
      </div>
      {help}
      {busy && (
        <div className="attachment-progress">
          <Typography.Text>正在上传：{busy.name}</Typography.Text>
          <Progress percent={busy.percent} size="small" aria-label={`${label}上传进度`} />
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
                {openInline && a.mime === 'application/pdf' ? (
                  <a href={pdfPageUrl(a.id)} target="_blank" rel="noopener noreferrer">
                    {a.name}
                  </a>
                ) : (
                  <a href={originalUrl(a.id)}>{a.name}</a>
                )}
                <Typography.Text type="secondary">
                  {formatSize(a.size)} · {formatTime(a.createdAt)}
                </Typography.Text>
              </Space>
              {canUpload && (
                <Popconfirm title="确定删除该附件吗？" okText="确定" cancelText="取消" onConfirm={() => scans.remove(a)}>
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
