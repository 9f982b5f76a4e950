import { useState } from 'react';
import { Button, Image, Popconfirm, Typography } from 'antd';
import { DeleteOutlined, DownloadOutlined, FileOutlined, FilePdfOutlined } from '@ant-design/icons';
import { formatBytesMB, formatDuration, VIDEO_FRAME_SIZES, type ExtraKind, type MediaSettings } from '../../../../core';
import { deleteAttachment, originalUrl, previewUrl } from '../../client/attachments';
import { useErrorReporter } from '../../formUtils';
import type { Attachment } from '../../types';
import { MediaUploader } from './MediaUploader';
import { usePreview } from './usePreview';
import { pdfPageUrl } from '../pdf/links';

export const isVideoFile = (a: Pick<Attachment, 'mime'>) => a.mime.startsWith('video/');
export const isPdfFile = (a: Pick<Attachment, 'mime'>) => a.mime === 'application/pdf';

/** "1920×1080 横版" */
export function frameText(a: Pick<Attachment, 'width' | 'height'>): string | null {
  if (!a.width || !a.height) return null;
  const known = VIDEO_FRAME_SIZES.find((f) => f.width === a.width && f.height === a.height);
  return `${a.width}×${a.height}${known ? ` ${known.label}` : ''}`;
}

/** "时长 2秒 · 1920×1080 横版 · 3.2 MB" */
export function videoFacts(a: Attachment): string {
  return [a.durationSeconds != null ? `时长 ${formatDuration(a.durationSeconds)}` : null, frameText(a), formatBytesMB(a.size)].filter(Boolean).join(' · ');
}

interface ListProps {
  applicationId: string;
  media: MediaSettings | undefined;
  files: Attachment[];
  /** the applicant holds the application: upload and 删除 */
  editable: boolean;
  onAdded: (a: Attachment) => void;
  onRemoved: (id: string) => void;
}

function useRemove(onRemoved: (id: string) => void) {
  const report = useErrorReporter();
  const [busy, setBusy] = useState<string | null>(null);
  const remove = async (a: Attachment) => {
    setBusy(a.id);
    try {
      await deleteAttachment(a.id);
      onRemoved(a.id);
    } catch (err) {
      report(err);
    } finally {
      setBusy(null);
    }
  };
  return { busy, remove };
}

function DeleteButton({ file, busy, onConfirm }: { file: Attachment; busy: boolean; onConfirm: () => Promise<void> }) {
  return (
    <Popconfirm title={`确定删除“${file.name}”吗？`} okText="确定" cancelText="取消" onConfirm={onConfirm}>
      <Button type="link" danger size="small" icon={<DeleteOutlined />} loading={busy} aria-label={`删除 ${file.name}`}>
        删除
      </Button>
    </Popconfirm>
  );
}

/** An image's preview, 预览生成中… while its job makes it (usePreview), 无预览 if there is none. */
function Thumb({
  file,
  alt,
  className,
  rootClassName,
  missingClassName,
}: {
  file: Attachment;
  alt: string;
  className: string;
  rootClassName: string;
  missingClassName: string;
}) {
  const state = usePreview(file);
  if (state === 'ready') return <Image src={previewUrl(file.id)} alt={alt} className={className} rootClassName={rootClassName} />;
  return (
    <div className={missingClassName} role={state === 'pending' ? 'status' : undefined}>
      {state === 'pending' ? '预览生成中…' : '无预览'}
    </div>
  );
}

/** 照片: thumbnails (the previews) named 姓名+序号.jpg, the count against the limits, and the upload area. */
export function PhotoSection({ applicationId, media, files, editable, onAdded, onRemoved }: ListProps) {
  const { busy, remove } = useRemove(onRemoved);
  const photos = [...files].sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
  const min = media?.photoMinCount ?? 1;
  const max = media?.photoMaxCount ?? 10;
  return (
    <div className="media-section">
      <Typography.Paragraph className="media-count" type={photos.length < min ? 'warning' : undefined}>
        已上传 {photos.length} 张，至少 {min} 张，最多 {max} 张
      </Typography.Paragraph>
      {photos.length > 0 && (
        <ul className="photo-grid" aria-label="已上传的照片">
          {photos.map((p) => (
            <li key={p.id} className="photo-tile" aria-label={p.name}>
              <Thumb
                file={p}
                alt={`照片：${p.name}`}
                className="photo-thumb"
                rootClassName="photo-thumb-root"
                missingClassName="photo-thumb photo-thumb-missing"
              />
              <div className="photo-caption">
                <span className="photo-name" title={p.name}>
                  {p.name}
                </span>
                <Typography.Text type="secondary" className="photo-meta">
                  {[p.width && p.height ? `${p.width}×${p.height}` : null, formatBytesMB(p.size)].filter(Boolean).join(' · ')}
                </Typography.Text>
              </div>
              <div className="photo-actions">
                <a href={originalUrl(p.id)} download={p.name} aria-label={`下载原图 ${p.name}`}>
                  <DownloadOutlined /> 原图
                </a>
                {editable && <DeleteButton file={p} busy={busy === p.id} onConfirm={() => remove(p)} />}
              </div>
            </li>
          ))}
        </ul>
      )}
      {editable && media && (
        <MediaUploader applicationId={applicationId} kind="photo" media={media} existing={photos.length} limit={max} onUploaded={onAdded} />
      )}
    </div>
  );
}

/** 视频: each with its duration and frame size and a player, and the upload area. */
export function VideoSection({ applicationId, media, files, editable, onAdded, onRemoved }: ListProps) {
  const { busy, remove } = useRemove(onRemoved);
  const max = media?.videoMaxCount ?? 3;
  return (
    <div className="media-section">
      <Typography.Paragraph className="media-count">
        已上传 {files.length} 个，最多 {max} 个
      </Typography.Paragraph>
      {files.length > 0 && (
        <ul className="video-list" aria-label="已上传的视频">
          {files.map((v) => (
            <li key={v.id} className="video-item" aria-label={v.name}>
              <video className="video-player" controls preload="metadata" src={originalUrl(v.id)} aria-label={`视频：${v.name}`} />
              <div className="video-meta">
                <span className="video-name" title={v.name}>
                  {v.name}
                </span>
                <Typography.Text type="secondary">{videoFacts(v)}</Typography.Text>
                <span className="video-actions">
                  <a href={originalUrl(v.id)} download={v.name}>
                    <DownloadOutlined /> 下载
                  </a>
                  {editable && <DeleteButton file={v} busy={busy === v.id} onConfirm={() => remove(v)} />}
                </span>
              </div>
            </li>
          ))}
        </ul>
      )}
      {editable && media && <MediaUploader applicationId={applicationId} kind="video" media={media} existing={files.length} limit={max} onUploaded={onAdded} />}
    </div>
  );
}

/** 补充材料 under 主要事迹 / 感人故事: images as thumbnails, videos with a player, PDFs as a link. */
export function ExtraFiles({ applicationId, media, files, editable, onAdded, onRemoved, kind }: ListProps & { kind: ExtraKind }) {
  const { busy, remove } = useRemove(onRemoved);
  return (
    // two regions, two names (事迹补充材料, 故事补充材料); not 主要事迹…/感人故事…, which would also answer to
    // the text field's label
    <div className="media-section extra-files" role="region" aria-label={kind === 'deeds_extra' ? '事迹补充材料' : '故事补充材料'} data-kind={kind}>
      <div className="extra-title">
        补充材料<Typography.Text type="secondary">（选填，可上传图片、PDF 文件或视频）</Typography.Text>
      </div>
      {files.length === 0 && !editable && <Typography.Text type="secondary">未上传</Typography.Text>}
      {files.length > 0 && (
        <ul className="extra-list">
          {files.map((f) => (
            <li key={f.id} className="extra-item" aria-label={f.name}>
              <div className="extra-visual">
                {f.hasPreview || f.previewPending ? (
                  <Thumb
                    file={f}
                    alt={`补充材料：${f.name}`}
                    className="extra-thumb"
                    rootClassName="extra-thumb-root"
                    missingClassName="extra-thumb photo-thumb-missing"
                  />
                ) : isVideoFile(f) ? (
                  <video className="extra-video" controls preload="metadata" src={originalUrl(f.id)} aria-label={`视频：${f.name}`} />
                ) : isPdfFile(f) ? (
                  <FilePdfOutlined className="extra-icon" aria-hidden />
                ) : (
                  <FileOutlined className="extra-icon" aria-hidden />
                )}
              </div>
              <div className="extra-meta">
                {isPdfFile(f) ? (
                  <a href={pdfPageUrl(f.id)} target="_blank" rel="noopener noreferrer" className="extra-name">
                    {f.name}
                  </a>
                ) : (
                  <span className="extra-name">{f.name}</span>
                )}
                <Typography.Text type="secondary">{isVideoFile(f) ? videoFacts(f) : formatBytesMB(f.size)}</Typography.Text>
                <span className="extra-actions">
                  <a href={originalUrl(f.id)} download={f.name}>
                    <DownloadOutlined /> 下载
                  </a>
                  {editable && <DeleteButton file={f} busy={busy === f.id} onConfirm={() => remove(f)} />}
                </span>
              </div>
            </li>
          ))}
        </ul>
      )}
      {editable && media && <MediaUploader applicationId={applicationId} kind={kind} media={media} onUploaded={onAdded} label="补充材料" compact />}
    </div>
  );
}
