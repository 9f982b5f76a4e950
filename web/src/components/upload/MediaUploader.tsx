import { useCallback, useEffect, useRef, useState, type DragEvent, type ReactNode } from 'react';
import { Alert, Button, Progress, Space, Typography } from 'antd';
import { CloseOutlined, CloudUploadOutlined, PauseOutlined, CaretRightOutlined, ReloadOutlined } from '@ant-design/icons';
import { formatBytesMB, mediaAcceptAttribute, type MediaKind, type MediaSettings } from '../../../../core';
import type { Attachment } from '../../types';
import { kindLabel, precheckInBrowser, requirementText } from './precheck';
import { discardUnfinished, findUnfinishedUploads, TusTransfer, type UnfinishedUpload } from './tusUpload';

/** Files sent at the same time; the others wait their turn. */
const MAX_PARALLEL = 2;

type Status = 'checking' | 'refused' | 'queued' | 'uploading' | 'processing' | 'paused' | 'failed';

interface Item {
  key: string;
  file: File;
  status: Status;
  sent: number;
  /** bytes per second over the last few seconds */
  speed: number;
  /** the server already held this many bytes when the upload continued */
  resumedFrom: number;
  message: string | null;
  /** paused by the user (继续 by hand) rather than by a broken connection (continues by itself) */
  pausedByUser: boolean;
}

interface Props {
  applicationId: string;
  kind: MediaKind;
  media: MediaSettings;
  /** how many of the kind the application holds: with `limit`, files beyond it are refused in the browser */
  existing?: number;
  limit?: number;
  onUploaded: (attachment: Attachment) => void;
  /** shown under the rule, e.g. where the files go */
  extra?: ReactNode;
  /** smaller drop area (supplementary files) */
  compact?: boolean;
  /** what the files are called in this place (default: the kind's label) */
  label?: string;
}

let nextKey = 0;
const sameFile = (a: File, b: File) => a.name === b.name && a.size === b.size && a.lastModified === b.lastModified;
const percentOf = (sent: number, size: number) => (size > 0 ? Math.min(100, Math.floor((sent / size) * 100)) : 0);

function etaText(item: Item): string | null {
  if (item.speed <= 0) return null;
  const s = Math.ceil((item.file.size - item.sent) / item.speed);
  if (s < 60) return `剩余约 ${s} 秒`;
  return `剩余约 ${Math.ceil(s / 60)} 分钟`;
}

/**
 * Choose files or drag them in; each gets a line with a progress bar (percent, speed, time left), 暂停/继续 and
 * 取消. Files that obviously break the kind's rule are refused here with the reason and never sent; the rest
 * go up resumably (tus): a broken connection continues by itself, a reload continues when the same file is
 * chosen again. The server checks every file and may still refuse it, with its reason.
 */
export function MediaUploader({ applicationId, kind, media, existing = 0, limit, onUploaded, extra, compact, label: labelProp }: Props) {
  const label = labelProp ?? kindLabel(kind);
  const unit = kind === 'photo' ? '张' : '个';
  const inputRef = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const itemsRef = useRef<Item[]>([]);
  const [items, setItems] = useState<Item[]>([]);
  const transfers = useRef(new Map<string, TusTransfer>());
  const samples = useRef(new Map<string, Array<{ t: number; sent: number }>>());
  const [unfinished, setUnfinished] = useState<UnfinishedUpload[]>([]);
  const onUploadedRef = useRef(onUploaded);
  onUploadedRef.current = onUploaded;

  const commit = (next: Item[]) => {
    itemsRef.current = next;
    setItems(next);
  };
  const patch = (key: string, p: Partial<Item>) => commit(itemsRef.current.map((i) => (i.key === key ? { ...i, ...p } : i)));
  const drop = (key: string) => {
    transfers.current.delete(key);
    samples.current.delete(key);
    commit(itemsRef.current.filter((i) => i.key !== key));
  };

  const refreshUnfinished = useCallback(() => {
    void findUnfinishedUploads({ applicationId, kind }).then(setUnfinished);
  }, [applicationId, kind]);

  useEffect(() => {
    refreshUnfinished();
  }, [refreshUnfinished]);

  // leaving the page stops the transfers; choosing the same files again later continues them
  useEffect(() => {
    const all = transfers.current;
    return () => all.forEach((t) => t.pause());
  }, []);

  const speedOf = (key: string, sent: number): number => {
    const now = performance.now();
    const list = (samples.current.get(key) ?? []).filter((s) => now - s.t < 4000 && s.sent <= sent);
    list.push({ t: now, sent });
    samples.current.set(key, list);
    const first = list[0]!;
    const dt = (now - first.t) / 1000;
    return dt >= 0.5 ? (sent - first.sent) / dt : 0;
  };

  const transferFor = (item: Item): TusTransfer => {
    const existingTransfer = transfers.current.get(item.key);
    if (existingTransfer) return existingTransfer;
    const key = item.key;
    const t = new TusTransfer(
      item.file,
      { applicationId, kind },
      {
        onProgress: (sent, total) => {
          const cur = itemsRef.current.find((i) => i.key === key);
          if (!cur || cur.status === 'paused') return;
          patch(key, { sent, speed: speedOf(key, sent), status: sent >= total ? 'processing' : 'uploading' });
        },
        onResumed: (offset) => patch(key, { resumedFrom: offset, sent: offset }),
        onSuccess: (attachment) => {
          drop(key);
          onUploadedRef.current(attachment);
          pump();
          refreshUnfinished();
        },
        onError: (failure) => {
          samples.current.delete(key);
          patch(key, {
            status: failure.retryable ? 'paused' : 'failed',
            message: failure.message,
            speed: 0,
            pausedByUser: false,
          });
          if (!failure.retryable) transfers.current.delete(key);
          pump();
        },
      },
    );
    transfers.current.set(key, t);
    return t;
  };

  /** Starts waiting files while fewer than MAX_PARALLEL are being sent. */
  function pump() {
    let running = itemsRef.current.filter((i) => i.status === 'uploading' || i.status === 'processing').length;
    for (const item of itemsRef.current) {
      if (running >= MAX_PARALLEL) break;
      if (item.status !== 'queued') continue;
      running++;
      const known = transfers.current.has(item.key);
      const t = transferFor(item);
      patch(item.key, { status: 'uploading', message: null, speed: 0 });
      if (known) t.resume();
      else void t.start();
    }
  }

  // a broken connection is back, or the phone is unlocked: continue what stopped by itself
  useEffect(() => {
    const wake = () => {
      if (document.visibilityState === 'hidden' || navigator.onLine === false) return;
      let any = false;
      commit(
        itemsRef.current.map((i) => {
          if (i.status !== 'paused' || i.pausedByUser) return i;
          any = true;
          return { ...i, status: 'queued' as const };
        }),
      );
      if (any) pump();
    };
    window.addEventListener('online', wake);
    document.addEventListener('visibilitychange', wake);
    return () => {
      window.removeEventListener('online', wake);
      document.removeEventListener('visibilitychange', wake);
    };
    // pump and commit only touch refs: one listener for the component's life
  }, []);

  const addFiles = async (files: File[]) => {
    if (!files.length) return;
    const fresh: Item[] = [];
    for (const file of files) {
      const item: Item = { key: `f${++nextKey}`, file, status: 'checking', sent: 0, speed: 0, resumedFrom: 0, message: null, pausedByUser: false };
      const active = itemsRef.current.filter((i) => i.status !== 'refused' && i.status !== 'failed');
      if (active.some((i) => sameFile(i.file, file))) {
        item.status = 'refused';
        item.message = '该文件已在上传列表中';
      } else if (limit !== undefined && existing + active.length >= limit) {
        item.status = 'refused';
        item.message = `${label}最多 ${limit} ${unit}，已上传 ${existing} ${unit}${active.length ? `、正在上传 ${active.length} ${unit}` : ''}；如需更换请先删除不需要的${label}`;
      }
      fresh.push(item);
      commit([...itemsRef.current, item]);
    }
    await Promise.all(
      fresh
        .filter((i) => i.status === 'checking')
        .map(async (item) => {
          const problems = await precheckInBrowser(item.file, kind, media);
          if (!itemsRef.current.some((i) => i.key === item.key)) return; // removed meanwhile
          if (problems.length) patch(item.key, { status: 'refused', message: problems.join('；') });
          else patch(item.key, { status: 'queued' });
          pump();
        }),
    );
  };

  const pause = (item: Item) => {
    transfers.current.get(item.key)?.pause();
    samples.current.delete(item.key);
    patch(item.key, { status: 'paused', speed: 0, message: null, pausedByUser: true });
    pump();
  };

  const resume = (item: Item) => {
    patch(item.key, { status: 'queued', message: null, pausedByUser: false });
    pump();
  };

  const cancel = (item: Item) => {
    const t = transfers.current.get(item.key);
    drop(item.key);
    if (t) void t.cancel().then(refreshUnfinished);
    pump();
  };

  const openPicker = () => inputRef.current?.click();

  const onDrop = (e: DragEvent<HTMLDivElement>) => {
    e.preventDefault();
    setDragging(false);
    void addFiles(Array.from(e.dataTransfer?.files ?? []));
  };

  const pending = unfinished.filter((u) => !items.some((i) => i.file.name === u.name && i.file.size === u.size && i.status !== 'refused'));

  return (
    <div className={compact ? 'media-uploader media-uploader-compact' : 'media-uploader'} role="group" aria-label={`上传${label}`}>
      <Typography.Paragraph type="secondary" className="media-requirement">
        要求：{requirementText(kind, media)}
      </Typography.Paragraph>
      {extra}
      {/* the whole area takes a click too; the 选择文件 button is the keyboard's and screen reader's way in */}
      <div
        className={dragging ? 'media-drop media-drop-active' : 'media-drop'}
        onClick={openPicker}
        onDragEnter={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragOver={(e) => {
          e.preventDefault();
          if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
        }}
        onDragLeave={(e) => {
          if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDragging(false);
        }}
        onDrop={onDrop}
      >
        <CloudUploadOutlined className="media-drop-icon" aria-hidden />
        <div className="media-drop-text">
          <span className="media-drop-dragtext">将{label}拖到此处，或</span>
          <Button
            type="primary"
            size={compact ? 'small' : 'middle'}
            className="media-drop-button"
            onClick={(e) => {
              e.stopPropagation();
              openPicker();
            }}
          >
            选择文件
          </Button>
        </div>
        <div className="media-drop-hint">可一次选择多个文件；网络中断或页面刷新后，重新选择同一文件即可从中断处继续上传</div>
      </div>
      <input
        ref={inputRef}
        type="file"
        multiple
        style={{ display: 'none' }}
        accept={mediaAcceptAttribute(kind)}
        aria-label={`选择${label}文件`}
        onChange={(e) => {
          const files = Array.from(e.target.files ?? []);
          e.target.value = ''; // the same file may be chosen again (to continue it)
          void addFiles(files);
        }}
      />
      {pending.map((u) => (
        <Alert
          key={u.urlStorageKey}
          type="info"
          showIcon
          className="media-unfinished"
          title={`上次未完成的上传：${u.name}（已上传 ${formatBytesMB(u.offset)} / ${formatBytesMB(u.size)}，${percentOf(u.offset, u.size)}%）`}
          description="重新选择或拖入同一文件，将从中断处继续上传。"
          action={
            <Button size="small" onClick={() => void discardUnfinished(u).then(refreshUnfinished)}>
              放弃
            </Button>
          }
        />
      ))}
      {items.length > 0 && (
        <ul className="media-queue" aria-label={`${label}上传列表`}>
          {items.map((item) => (
            <QueueLine
              key={item.key}
              item={item}
              label={label}
              sizeLimit={kind === 'photo' ? media.photoMinBytes : undefined}
              onPause={pause}
              onResume={resume}
              onCancel={cancel}
            />
          ))}
        </ul>
      )}
    </div>
  );
}

interface LineProps {
  item: Item;
  label: string;
  /** the size the file is compared with, so that 2 MB − 1 byte is not shown as "2 MB" */
  sizeLimit?: number;
  onPause: (i: Item) => void;
  onResume: (i: Item) => void;
  onCancel: (i: Item) => void;
}

function QueueLine({ item, label, sizeLimit, onPause, onResume, onCancel }: LineProps) {
  const { file, status } = item;
  const percent = percentOf(item.sent, file.size);
  const showBar = status === 'uploading' || status === 'processing' || status === 'paused' || (status === 'queued' && item.sent > 0);
  let state: ReactNode = null;
  switch (status) {
    case 'checking':
      state = <Typography.Text type="secondary">正在检查文件…</Typography.Text>;
      break;
    case 'queued':
      state = <Typography.Text type="secondary">等待上传</Typography.Text>;
      break;
    case 'uploading': {
      const parts = [`已上传 ${formatBytesMB(item.sent)} / ${formatBytesMB(file.size)}`];
      if (item.speed > 0) parts.push(`${formatBytesMB(item.speed)}/s`);
      const eta = etaText(item);
      if (eta) parts.push(eta);
      if (item.resumedFrom > 0) parts.push(`从 ${percentOf(item.resumedFrom, file.size)}% 处继续`);
      state = <Typography.Text type="secondary">{parts.join(' · ')}</Typography.Text>;
      break;
    }
    case 'processing':
      state = <Typography.Text type="secondary">已传完，服务器正在检查文件…</Typography.Text>;
      break;
    case 'paused':
      state = <Typography.Text type="warning">{item.message ?? `已暂停（已上传 ${formatBytesMB(item.sent)} / ${formatBytesMB(file.size)}）`}</Typography.Text>;
      break;
    case 'refused':
    case 'failed':
      state = (
        <Typography.Text type="danger" role="alert">
          {status === 'refused' ? '未上传：' : '上传失败：'}
          {item.message}
        </Typography.Text>
      );
      break;
  }
  const busy = status === 'uploading' || status === 'processing' || status === 'queued' || status === 'checking';
  return (
    <li className={`media-queue-item media-queue-${status}`} aria-label={file.name}>
      <div className="media-queue-head">
        <span className="media-queue-name" title={file.name}>
          {file.name}
        </span>
        <Typography.Text type="secondary" className="media-queue-size">
          {formatBytesMB(file.size, sizeLimit)}
        </Typography.Text>
        <Space size={0} className="media-queue-actions">
          {status === 'uploading' && (
            <Button type="link" size="small" icon={<PauseOutlined />} onClick={() => onPause(item)}>
              暂停
            </Button>
          )}
          {status === 'paused' && (
            <Button type="link" size="small" icon={item.pausedByUser ? <CaretRightOutlined /> : <ReloadOutlined />} onClick={() => onResume(item)}>
              继续
            </Button>
          )}
          {status !== 'processing' && (
            <Button
              type="link"
              size="small"
              danger={busy || status === 'paused'}
              icon={<CloseOutlined />}
              onClick={() => onCancel(item)}
              aria-label={`${busy || status === 'paused' ? '取消上传' : '移除'} ${file.name}`}
            >
              {busy || status === 'paused' ? '取消' : '移除'}
            </Button>
          )}
        </Space>
      </div>
      {showBar && (
        <Progress
          percent={percent}
          size="small"
          status={status === 'paused' ? 'normal' : 'active'}
          aria-label={`${label} ${file.name} 上传进度`}
          format={(p) => `${p ?? 0}%`}
        />
      )}
      <div className="media-queue-state">{state}</div>
    </li>
  );
}
