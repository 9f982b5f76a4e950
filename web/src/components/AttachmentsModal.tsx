import { useEffect, useRef, useState } from 'react';
import { App, Button, Modal, Popconfirm, Progress, Space, Spin, Typography, Upload } from 'antd';
import { UploadOutlined } from '@ant-design/icons';
import { ATTACHMENT_KINDS } from '../../../core';
import { api, upload } from '../api';
import { useErrorReporter } from '../formUtils';
import { formatSize, formatTime } from '../hooks';
import type { ApplicationDetail, Attachment } from '../types';

const ACCEPT = '.pdf,.jpg,.jpeg,.png';
const ACCEPT_RE = /\.(pdf|jpe?g|png)$/i;

interface Props {
  applicationId: string | null;
  open: boolean;
  onClose: () => void;
  /** Called with the new list after an upload or a deletion. */
  onChanged?: (attachments: Attachment[]) => void;
  /** Largest scan accepted (campaign media.scanMaxBytes); checked before sending. */
  maxBytes?: number;
}

/** 【附件】: 个人诚信承诺, 所在单位意见, 政审材料 — list, download, upload with progress, 删除. */
export function AttachmentsModal({ applicationId, open, onClose, onChanged, maxBytes }: Props) {
  const { message } = App.useApp();
  const report = useErrorReporter();
  const reportRef = useRef(report);
  reportRef.current = report;
  const [detail, setDetail] = useState<ApplicationDetail | null>(null);
  const [loading, setLoading] = useState(false);
  const [progress, setProgress] = useState<Record<string, { name: string; percent: number }>>({});

  useEffect(() => {
    if (!open || !applicationId) return;
    let live = true;
    setLoading(true);
    api<ApplicationDetail>('GET', `/api/applications/${applicationId}`)
      .then((d) => live && setDetail(d))
      .catch((err: unknown) => live && reportRef.current(err))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [open, applicationId]);

  const attachments = detail?.attachments ?? [];
  const canUpload = detail?.abilities.upload ?? false;

  const update = (next: Attachment[]) => {
    setDetail((d) => (d ? { ...d, attachments: next } : d));
    onChanged?.(next);
  };

  const startUpload = async (kind: string, file: File) => {
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
      const saved = await upload<Attachment>(
        `/api/applications/${applicationId}/attachments`,
        { kind },
        file,
        (percent) => setProgress((p) => ({ ...p, [kind]: { name: file.name, percent } })),
      );
      update([...attachments, saved]);
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

  const remove = async (att: Attachment) => {
    try {
      await api('DELETE', `/api/attachments/${att.id}`);
      update(attachments.filter((a) => a.id !== att.id));
      void message.success('已删除');
    } catch (err) {
      report(err);
    }
  };

  return (
    <Modal
      title="附件"
      open={open}
      onCancel={onClose}
      footer={null}
      width={720}
      destroyOnHidden
    >
      <Spin spinning={loading}>
        <Typography.Paragraph type="secondary">
          请上传个人诚信承诺、所在单位意见的相关佐证文件，以及个人政审材料。支持 PDF、JPG、PNG 格式
          {maxBytes ? `，单个文件不超过 ${formatSize(maxBytes)}` : ''}。
        </Typography.Paragraph>
        {ATTACHMENT_KINDS.map((k) => {
          const files = attachments.filter((a) => a.kind === k.kind);
          const busy = progress[k.kind];
          return (
            <section key={k.kind} className="attachment-kind" aria-label={k.label}>
              <div className="attachment-kind-head">
                <Typography.Text strong>{k.label}</Typography.Text>
                {canUpload && (
                  <Upload
                    accept={ACCEPT}
                    showUploadList={false}
                    multiple={false}
                    disabled={!!busy}
                    beforeUpload={(file) => {
                      void startUpload(k.kind, file);
                      return false;
                    }}
                  >
                    <Button icon={<UploadOutlined />} size="small" loading={!!busy}>
                      上传{k.label}
                    </Button>
                  </Upload>
                )}
              </div>
              {'help' in k && k.help && (
                <Typography.Paragraph type="secondary" className="attachment-help">
                  {k.help}
                </Typography.Paragraph>
              )}
              {busy && (
                <div className="attachment-progress">
                  <Typography.Text>正在上传：{busy.name}</Typography.Text>
                  <Progress percent={busy.percent} size="small" aria-label={`${k.label}上传进度`} />
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
                        <a href={`/api/attachments/${a.id}`}>
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
        })}
      </Spin>
    </Modal>
  );
}
