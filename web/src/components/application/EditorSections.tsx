import { memo, startTransition, useEffect, useState } from 'react';
import { Card, Typography } from 'antd';
import { APPLICATION_FIELDS, type ApplicationField, type ExtraKind, type MediaSettings } from '../../../../core';
import type { Attachment } from '../../types';
import { ExtraFiles, PhotoSection, VideoSection } from '../upload/MediaSections';
import { FieldItem } from './FieldControl';

// The 申请书's long middle: 主要事迹, 感人故事 and the other texts, then 照片 and 视频. Two things keep the page quick
// on a phone (issue 11, item 9: a full draft took 4.5 s of blocked main thread on Lighthouse's phone):
// - the sections are memoized on what they show, so typing in a field (which re-renders the page for the
//   header's 有未保存的修改 and the 资格条件 check) does not re-render them;
// - the page reveals its parts a few at a time (useStagedReveal: the title and the first cells of 个人信息, then the
//   next cells, then each text, 照片, 视频, …), each step in a task of its own, rather than building the whole form
//   in one long task: a phone's main thread is never blocked for long, and the title shows at once.

export const DEEDS = APPLICATION_FIELDS.filter((f) => f.section === 'deeds');

/** 补充材料 under 主要事迹 and 感人故事 (manual 二.4). */
export const EXTRA_KIND: Partial<Record<string, ExtraKind>> = { mainDeeds: 'deeds_extra', story: 'story_extra' };

/** 照片 and 视频: a card each, after 主要事迹 and 感人故事. */
export const MEDIA = [
  { id: 'sec-photos', title: '照片', kind: 'photo', Section: PhotoSection, intro: '请上传体现先进事迹的生活或工作照片。' },
  {
    id: 'sec-videos',
    title: '视频',
    kind: 'video',
    Section: VideoSection,
    intro: '请上传体现推荐人选工作生活的视频，横屏竖屏拍摄均可，画面人员穿着得体，避免逆光拍摄。',
  },
];

export interface FilesProps {
  /** how many of the cards to draw, from the first */
  shown?: number;
  applicationId: string;
  media: MediaSettings | undefined;
  /** every attachment of the application; each section shows its own kind */
  attachments: Attachment[];
  editable: boolean;
  onAdded: (a: Attachment) => void;
  onRemoved: (id: string) => void;
}

const ofKind = (attachments: Attachment[], kind: string) => attachments.filter((a) => a.kind === kind);

type CardProps = Omit<FilesProps, 'shown'>;

/**
 * One text of 主要事迹, 感人故事, …, with 补充材料 under two of them. Memoized by itself: when the page shows one
 * more card, the cards already there are not drawn again.
 */
const DeedCard = memo(function DeedCard({
  field: f,
  applicationId,
  media,
  attachments,
  editable,
  onAdded,
  onRemoved,
}: CardProps & { field: ApplicationField }) {
  const extraKind = EXTRA_KIND[f.key];
  return (
    <Card id={`sec-${f.key}`} title={f.label} className="editor-section">
      <FieldItem field={f} className="deeds-item" />
      {extraKind && (
        <div id={`sec-${f.key}-extra`} className="editor-subsection">
          <ExtraFiles
            kind={extraKind}
            applicationId={applicationId}
            media={media}
            files={ofKind(attachments, extraKind)}
            editable={editable}
            onAdded={onAdded}
            onRemoved={onRemoved}
          />
        </div>
      )}
    </Card>
  );
});

/** 主要事迹, 感人故事, …: the first `shown` of them. */
export const DeedsCards = memo(function DeedsCards({ shown = DEEDS.length, ...files }: FilesProps) {
  return (
    <>
      {DEEDS.slice(0, shown).map((f) => (
        <DeedCard key={f.key} field={f} {...files} />
      ))}
    </>
  );
});

/** 照片 or 视频, memoized by itself as DeedCard is. */
const MediaCard = memo(function MediaCard({
  part: m,
  applicationId,
  media,
  attachments,
  editable,
  onAdded,
  onRemoved,
}: CardProps & { part: (typeof MEDIA)[number] }) {
  return (
    <Card id={m.id} title={m.title} className="editor-section">
      <Typography.Paragraph type="secondary">{m.intro}</Typography.Paragraph>
      <m.Section applicationId={applicationId} media={media} files={ofKind(attachments, m.kind)} editable={editable} onAdded={onAdded} onRemoved={onRemoved} />
    </Card>
  );
});

/** 照片 and 视频: the first `shown` of them. */
export const MediaCards = memo(function MediaCards({ shown = MEDIA.length, ...files }: FilesProps) {
  return (
    <>
      {MEDIA.slice(0, shown).map((m) => (
        <MediaCard key={m.id} part={m} {...files} />
      ))}
    </>
  );
});

/**
 * How many of a page's `steps` parts to show: the first at once, then one more in each following task, as a
 * transition (React renders it in slices and lets input through). Starts again for another `key` (another
 * application). Everything is shown within a few frames; nothing waits on the network.
 */
export function useStagedReveal(steps: number, key: string | null): number {
  const [shown, setShown] = useState<{ key: string | null; n: number }>({ key, n: 1 });
  const n = shown.key === key ? shown.n : 1;
  if (shown.key !== key) setShown({ key, n: 1 });
  useEffect(() => {
    if (key === null || n >= steps) return;
    const timer = window.setTimeout(() => startTransition(() => setShown({ key, n: n + 1 })), 0);
    return () => window.clearTimeout(timer);
  }, [key, n, steps]);
  return n;
}
