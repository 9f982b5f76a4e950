import { useEffect, useState, type ReactNode } from 'react';
import { Empty, Grid, Modal, Typography } from 'antd';
import { ATTACHMENT_KINDS, UNIT_ATTACHMENT_KINDS } from '../../../../core';
import { formatSize, formatTime } from '../../hooks';
import type { Attachment } from '../../types';
import { attachmentUrl } from '../../workflow';

interface Props {
  open: boolean;
  onClose: () => void;
  attachments: Attachment[];
  /** Name of the applicant, for the title. */
  subject?: string;
  /** Below the navigation: e.g. the unit's 【推荐报告扫描件】 upload. */
  navExtra?: ReactNode;
}

const KIND_ORDER: string[] = [...ATTACHMENT_KINDS, ...UNIT_ATTACHMENT_KINDS].map((k) => k.kind);

function groups(attachments: Attachment[]) {
  const byKind = new Map<string, { label: string; files: Attachment[] }>();
  for (const a of attachments) {
    const g = byKind.get(a.kind) ?? { label: a.kindLabel, files: [] };
    g.files.push(a);
    byKind.set(a.kind, g);
  }
  const rank = (k: string) => (KIND_ORDER.includes(k) ? KIND_ORDER.indexOf(k) : KIND_ORDER.length);
  return [...byKind.entries()].sort(([a], [b]) => rank(a) - rank(b));
}

const isImage = (a: Attachment) => a.mime === 'image/jpeg' || a.mime === 'image/png' || a.mime === 'image/gif' || a.mime === 'image/webp';
const isPdf = (a: Attachment) => a.mime === 'application/pdf';

function Display({ file }: { file: Attachment }) {
  const inline = attachmentUrl(file.id, true);
  const openLink = (
    <a href={inline} target="_blank" rel="noopener noreferrer">
      在新窗口打开
    </a>
  );
  return (
    <div className="viewer-display">
      <div className="viewer-caption">
        <Typography.Text strong>
          {file.kindLabel}：{file.name}
        </Typography.Text>
        <Typography.Text type="secondary">
          {' '}
          {formatSize(file.size)} · {formatTime(file.createdAt)}
        </Typography.Text>
        <span className="viewer-links">
          {openLink}
          <a href={attachmentUrl(file.id)} download={file.name}>
            下载
          </a>
        </span>
      </div>
      {isImage(file) ? (
        <div className="viewer-frame viewer-image">
          <img src={inline} alt={`${file.kindLabel}：${file.name}`} />
        </div>
      ) : isPdf(file) ? (
        <object className="viewer-frame viewer-pdf" data={inline} type="application/pdf" aria-label={`${file.kindLabel}：${file.name}`}>
          <div className="viewer-fallback">
            <Typography.Paragraph>浏览器无法在此直接显示该 PDF 文件。</Typography.Paragraph>
            {openLink}
          </div>
        </object>
      ) : (
        <div className="viewer-frame viewer-fallback">
          <Typography.Paragraph>该类型的文件无法在此直接预览，请点击链接在新窗口中查看。</Typography.Paragraph>
          {openLink}
        </div>
      )}
    </div>
  );
}

/**
 * 【附件】 (manual 二.3): the file on the left, a navigation on the right listing every attachment by
 * its kind and name; clicking a name switches the display.
 */
export function AttachmentViewer({ open, onClose, attachments, subject, navExtra }: Props) {
  const screens = Grid.useBreakpoint();
  const wide = screens.md ?? true;
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const selected = attachments.find((a) => a.id === selectedId) ?? attachments[0] ?? null;

  useEffect(() => {
    if (!open) setSelectedId(null);
  }, [open]);

  const nav = (
    <nav className="viewer-nav" aria-label="附件导航">
      {attachments.length === 0 && <Typography.Text type="secondary">尚未上传附件</Typography.Text>}
      {groups(attachments).map(([kind, g]) => (
        <section key={kind} className="viewer-nav-group" aria-label={`${g.label}附件`}>
          <div className="viewer-nav-kind">{g.label}</div>
          <ul>
            {g.files.map((a) => (
              <li key={a.id}>
                <a
                  href={`#attachment-${a.id}`}
                  className={selected?.id === a.id ? 'viewer-nav-item viewer-nav-active' : 'viewer-nav-item'}
                  aria-current={selected?.id === a.id ? 'true' : undefined}
                  onClick={(e) => {
                    e.preventDefault();
                    setSelectedId(a.id);
                  }}
                >
                  {a.name}
                </a>
              </li>
            ))}
          </ul>
        </section>
      ))}
      {navExtra}
    </nav>
  );

  return (
    <Modal
      title={subject ? `附件材料 — ${subject}` : '附件材料'}
      open={open}
      onCancel={onClose}
      footer={null}
      width={wide ? 'min(1200px, 96vw)' : '100vw'}
      className="viewer-modal"
      destroyOnHidden
    >
      <div className={wide ? 'viewer viewer-wide' : 'viewer'}>
        {!wide && nav}
        <div className="viewer-main">
          {selected ? <Display key={selected.id} file={selected} /> : <Empty description="暂无附件" />}
        </div>
        {wide && nav}
      </div>
    </Modal>
  );
}
