import { lazy, Suspense, type ReactNode } from 'react';
import { Spin } from 'antd';
import { pdfOriginalUrl } from './links';

// pdf.js (about 500 kB, and its worker) comes with this chunk, only when a PDF is shown
const PdfDocument = lazy(() => import('./PdfDocument'));

interface Props {
  attachmentId: string;
  /** What the pages are, for screen readers: e.g. `主要事迹补充材料：成果证明.pdf`. */
  label: string;
  /** The file's name, for the download; read from the reply when not given. */
  name?: string;
  /** In a box of its own height (the 附件 viewer), or as part of the page. */
  framed?: boolean;
  onFileName?: (name: string) => void;
}

/** The 下载原件 link: the original as uploaded, always a download. */
export function PdfDownloadLink({ attachmentId, name, children = '下载原件' }: { attachmentId: string; name?: string; children?: ReactNode }) {
  return (
    <a href={pdfOriginalUrl(attachmentId)} download={name ?? true}>
      {children}
    </a>
  );
}

/** A PDF attachment drawn with pdf.js (scripting off) in our own page; see PdfDocument. */
export function PdfViewer({ attachmentId, label, name, framed, onFileName }: Props) {
  return (
    <Suspense
      fallback={
        <div className={framed ? 'viewer-frame viewer-fallback' : 'page-loading'}>
          <Spin description="正在打开 PDF 文件…" />
        </div>
      }
    >
      <PdfDocument
        src={pdfOriginalUrl(attachmentId)}
        label={label}
        framed={framed}
        onFileName={onFileName}
        downloadLink={<PdfDownloadLink attachmentId={attachmentId} name={name} />}
      />
    </Suspense>
  );
}
