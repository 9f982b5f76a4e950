import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { Button, Empty, Grid, Modal, Space, Typography } from 'antd';
import { FileImageOutlined, FileOutlined, FilePdfOutlined, LeftOutlined, RightOutlined, VideoCameraOutlined } from '@ant-design/icons';
import { ATTACHMENT_KINDS, formatDuration, MEDIA_KINDS, UNIT_ATTACHMENT_KINDS } from '../../../../core';
import { formatSize, formatTime } from '../../hooks';
import type { Attachment } from '../../types';
import { pdfPageUrl } from '../pdf/links';
import { PdfViewer } from '../pdf/PdfViewer';
import { originalUrl, previewUrl } from '../../client/attachments';
import { frameText, isPdfFile, isVideoFile, videoFacts } from '../upload/MediaSections';
import { usePreview } from '../upload/usePreview';

interface Props {
  open: boolean;
  onClose: () => void;
  attachments: Attachment[];
  /** Name of the applicant, for the title. */
  subject?: string;
  /** Below the navigation: e.g. the unit's 【推荐报告扫描件】 upload. */
  navExtra?: ReactNode;
}

/** 照片, 视频, the two kinds of 补充材料, then the scans (the applicant's three and the unit's report). */
const KIND_ORDER: string[] = [...MEDIA_KINDS, ...ATTACHMENT_KINDS, ...UNIT_ATTACHMENT_KINDS].map((k) => k.kind);
const rank = (k: string) => (KIND_ORDER.includes(k) ? KIND_ORDER.indexOf(k) : KIND_ORDER.length);

function groups(attachments: Attachment[]) {
  const byKind = new Map<string, { label: string; files: Attachment[] }>();
  for (const a of attachments) {
    const g = byKind.get(a.kind) ?? { label: a.kindLabel, files: [] };
    g.files.push(a);
    byKind.set(a.kind, g);
  }
  for (const g of byKind.values()) g.files.sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0) || a.createdAt.localeCompare(b.createdAt));
  return [...byKind.entries()].sort(([a], [b]) => rank(a) - rank(b));
}

const isImage = (a: Attachment) => a.mime.startsWith('image/');

function KindIcon({ file }: { file: Attachment }) {
  if (isVideoFile(file)) return <VideoCameraOutlined aria-hidden />;
  if (isPdfFile(file)) return <FilePdfOutlined aria-hidden />;
  if (isImage(file)) return <FileImageOutlined aria-hidden />;
  return <FileOutlined aria-hidden />;
}

/**
 * A photo's thumbnail in the navigation: its preview, or an icon while the job makes it (opened seconds after the
 * upload, e.g. a unit opening a candidate just submitted); it appears by itself once made, as the large view does.
 */
function NavThumb({ file }: { file: Attachment }) {
  const preview = usePreview(file);
  if (preview === 'ready') return <img className="viewer-nav-thumb" src={previewUrl(file.id)} alt="" loading="lazy" />;
  return (
    <span className="viewer-nav-thumb viewer-nav-thumb-missing" title={preview === 'pending' ? '预览生成中…' : undefined}>
      <FileImageOutlined aria-hidden />
    </span>
  );
}

function Display({ file, position, onStep }: { file: Attachment; position: string; onStep: (delta: number) => void }) {
  const preview = usePreview(file);
  const download = (text: string) => (
    <a href={originalUrl(file.id)} download={file.name}>
      {text}
    </a>
  );
  const facts = isVideoFile(file)
    ? videoFacts(file)
    : [isImage(file) ? frameText(file) : null, formatSize(file.size), formatTime(file.createdAt)].filter(Boolean).join(' · ');
  let body: ReactNode;
  let links: ReactNode;
  if (isImage(file) && preview === 'pending') {
    body = (
      <div className="viewer-frame viewer-fallback" role="status">
        <Typography.Paragraph>预览生成中…（图片刚上传，几秒后自动显示）</Typography.Paragraph>
      </div>
    );
    links = download('下载原图');
  } else if (isImage(file) && preview === 'ready') {
    body = (
      <div className="viewer-frame viewer-image">
        <img src={previewUrl(file.id)} alt={`${file.kindLabel}：${file.name}`} />
      </div>
    );
    links = (
      <>
        <a href={previewUrl(file.id)} target="_blank" rel="noopener noreferrer">
          在新窗口打开
        </a>
        {download('下载原图')}
      </>
    );
  } else if (isVideoFile(file)) {
    body = (
      <div className="viewer-frame viewer-video">
        <video controls preload="metadata" src={originalUrl(file.id)} aria-label={`${file.kindLabel}：${file.name}`} />
      </div>
    );
    links = download('下载视频');
  } else if (isPdfFile(file)) {
    // drawn by pdf.js with scripting off, never by the browser's own PDF viewer (which runs a PDF's JavaScript)
    body = <PdfViewer attachmentId={file.id} name={file.name} label={`${file.kindLabel}：${file.name}`} framed />;
    links = (
      <>
        <a href={pdfPageUrl(file.id)} target="_blank" rel="noopener noreferrer">
          在新窗口打开
        </a>
        {download('下载原件')}
      </>
    );
  } else {
    body = (
      <div className="viewer-frame viewer-fallback">
        <Typography.Paragraph>该文件无法在此直接预览，请下载后查看。</Typography.Paragraph>
        {download('下载')}
      </div>
    );
    links = download('下载');
  }
  return (
    <div className="viewer-display">
      <div className="viewer-caption">
        <Typography.Text strong>
          {file.kindLabel}：{file.name}
        </Typography.Text>
        <Typography.Text type="secondary">{facts}</Typography.Text>
        <span className="viewer-links">{links}</span>
      </div>
      {body}
      <div className="viewer-steps">
        <Space>
          <Button size="small" icon={<LeftOutlined />} onClick={() => onStep(-1)} aria-label="上一个附件">
            上一个
          </Button>
          <Typography.Text type="secondary">{position}</Typography.Text>
          <Button size="small" onClick={() => onStep(1)} aria-label="下一个附件">
            下一个
            <RightOutlined />
          </Button>
        </Space>
      </div>
    </div>
  );
}

/**
 * 【附件】 (manual 二.3): the file on the left, a navigation on the right listing every attachment in groups —
 * 照片 as small thumbnails, 视频, 补充材料, the scans; clicking one switches the display. Images are shown
 * from their re-encoded preview (下载原图 gives the original), videos play in place, PDFs are drawn by pdf.js
 * (components/pdf; 在新窗口打开 is our own /pdf/:id page, 下载原件 the original).
 */
export function AttachmentViewer({ open, onClose, attachments, subject, navExtra }: Props) {
  const screens = Grid.useBreakpoint();
  const wide = screens.md ?? true;
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const grouped = useMemo(() => groups(attachments), [attachments]);
  const ordered = useMemo(() => grouped.flatMap(([, g]) => g.files), [grouped]);
  const selected = ordered.find((a) => a.id === selectedId) ?? ordered[0] ?? null;
  const index = selected ? ordered.indexOf(selected) : -1;

  useEffect(() => {
    if (!open) setSelectedId(null);
  }, [open]);

  const step = (delta: number) => {
    if (!ordered.length) return;
    const next = ordered[(index + delta + ordered.length) % ordered.length];
    if (next) setSelectedId(next.id);
  };

  const item = (a: Attachment, content: ReactNode, extraClass = '') => (
    <li key={a.id}>
      <a
        href={`#attachment-${a.id}`}
        className={`viewer-nav-item ${extraClass} ${selected?.id === a.id ? 'viewer-nav-active' : ''}`.trim()}
        aria-current={selected?.id === a.id ? 'true' : undefined}
        title={a.name}
        onClick={(e) => {
          e.preventDefault();
          setSelectedId(a.id);
        }}
      >
        {content}
      </a>
    </li>
  );

  const nav = (
    <nav className="viewer-nav" aria-label="附件导航">
      {attachments.length === 0 && <Typography.Text type="secondary">尚未上传附件</Typography.Text>}
      {grouped.map(([kind, g]) => (
        <section key={kind} className="viewer-nav-group" aria-label={`${g.label}附件`}>
          <div className="viewer-nav-kind">
            {g.label}
            {(kind === 'photo' || kind === 'video') && <span className="viewer-nav-count">（{g.files.length}）</span>}
          </div>
          <ul className={kind === 'photo' ? 'viewer-nav-photos' : undefined}>
            {g.files.map((a) =>
              kind === 'photo' || (isImage(a) && (a.hasPreview || a.previewPending))
                ? item(
                    a,
                    <>
                      <NavThumb file={a} />
                      <span className="viewer-nav-name">{a.name}</span>
                    </>,
                    'viewer-nav-thumbitem',
                  )
                : item(
                    a,
                    <>
                      <KindIcon file={a} /> <span className="viewer-nav-name">{a.name}</span>
                      {isVideoFile(a) && a.durationSeconds != null && <span className="viewer-nav-note">{formatDuration(a.durationSeconds)}</span>}
                    </>,
                  ),
            )}
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
          {selected ? (
            <Display key={selected.id} file={selected} position={`${index + 1} / ${ordered.length}`} onStep={step} />
          ) : (
            <Empty description="暂无附件" />
          )}
        </div>
        {wide && nav}
      </div>
    </Modal>
  );
}
