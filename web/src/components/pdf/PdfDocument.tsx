import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Button, Spin, Typography } from 'antd';
import { ColumnWidthOutlined, ZoomInOutlined, ZoomOutOutlined } from '@ant-design/icons';
import { AnnotationMode, openPdf, pdfErrorMessage, RenderingCancelledException, type PDFDocumentProxy, type RenderTask } from './pdfjs';
import './pdf.css';

export interface PdfDocumentProps {
  /** The original: `/api/attachments/<id>` (a download to the browser; fetched here as bytes). */
  src: string;
  /** What the pages are, for screen readers: e.g. `主要事迹补充材料：成果证明.pdf`. */
  label: string;
  /** Shown with the error message. */
  downloadLink: ReactNode;
  /** In a box of its own height that scrolls (the 附件 viewer), or as part of the page (the PDF page). */
  framed?: boolean;
  /** The file name, read from the reply's Content-Disposition. */
  onFileName?: (name: string) => void;
}

type Loaded =
  { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; doc: PDFDocumentProxy; sizes: Array<{ width: number; height: number }> };

/** CSS pixels per PDF point at "100%" (96 dpi over 72). */
const PX_PER_PT = 96 / 72;
/** The largest automatic size: 125%, as readers do; wider boxes leave margins instead of huge text. */
const MAX_AUTO = 1.25 * PX_PER_PT;
const MIN_ZOOM = 0.25 * PX_PER_PT;
const MAX_ZOOM = 4 * PX_PER_PT;
/** A page's canvas holds at most this many pixels (about 4096×4096): sharper only costs memory. */
const MAX_CANVAS_PIXELS = 16_777_216;
/** Room around the pages in the scrolling box (padding and a scroll bar). */
const GUTTER = 40;

/** `filename*=UTF-8''…` of a Content-Disposition, decoded. */
function dispositionName(header: string | null): string | null {
  const m = header ? /filename\*=UTF-8''([^;]+)/i.exec(header) : null;
  if (!m?.[1]) return null;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return null;
  }
}

/** Why the file itself could not be fetched: the server's Chinese message when it sent one. */
async function fetchError(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { error?: { message?: string } };
    if (body.error?.message) return body.error.message;
  } catch {
    // not JSON
  }
  if (res.status === 401) return '登录已过期，请重新登录';
  if (res.status === 404) return '该文件不存在或无权查看';
  return `文件读取失败（${res.status}），请稍后重试`;
}

/** One page: a placeholder of the page's size, painted onto its canvas while it is near the visible part. */
function PageCanvas({
  doc,
  number,
  size,
  scale,
  root,
}: {
  doc: PDFDocumentProxy;
  number: number;
  size: { width: number; height: number };
  scale: number;
  root: Element | null;
}) {
  const boxRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [near, setNear] = useState(false);
  const [failed, setFailed] = useState(false);
  const cssWidth = Math.floor(size.width * scale);
  const cssHeight = Math.floor(size.height * scale);

  useEffect(() => {
    const box = boxRef.current;
    if (!box) return;
    const io = new IntersectionObserver((entries) => setNear(entries.some((e) => e.isIntersecting)), { root, rootMargin: '400px 0px' });
    io.observe(box);
    return () => io.disconnect();
  }, [root]);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    if (!near) {
      // far from view: give the pixels back, the placeholder keeps the page's place
      canvas.width = 0;
      canvas.height = 0;
      return;
    }
    let task: RenderTask | null = null;
    let cancelled = false;
    (async () => {
      const page = await doc.getPage(number);
      if (cancelled) return;
      const viewport = page.getViewport({ scale });
      const ratio = Math.min(window.devicePixelRatio || 1, Math.sqrt(MAX_CANVAS_PIXELS / (viewport.width * viewport.height)));
      canvas.width = Math.max(1, Math.floor(viewport.width * ratio));
      canvas.height = Math.max(1, Math.floor(viewport.height * ratio));
      task = page.render({ canvas, viewport, transform: ratio === 1 ? undefined : [ratio, 0, 0, ratio, 0, 0], annotationMode: AnnotationMode.ENABLE });
      await task.promise;
      setFailed(false);
    })().catch((err: unknown) => {
      if (!cancelled && !(err instanceof RenderingCancelledException)) setFailed(true);
    });
    return () => {
      cancelled = true;
      task?.cancel();
    };
  }, [doc, number, scale, near]);

  return (
    <div ref={boxRef} className="pdf-page" style={{ width: cssWidth, height: cssHeight }}>
      <canvas ref={canvasRef} role="img" aria-label={`第 ${number} 页`} style={{ width: cssWidth, height: cssHeight }} />
      {failed && <div className="pdf-page-error">第 {number} 页无法显示</div>}
    </div>
  );
}

/**
 * A PDF drawn by pdf.js onto canvases, scripting off (see ./pdfjs): every page in a column, 共 N 页, zoom
 * (缩小, 放大, 适合宽度). The bytes are fetched from our own API; the browser's PDF viewer is never involved.
 * Loaded lazily (PdfViewer), with pdf.js.
 */
export default function PdfDocument({ src, label, downloadLink, framed = false, onFileName }: PdfDocumentProps) {
  const [loaded, setLoaded] = useState<Loaded>({ state: 'loading' });
  const [zoom, setZoom] = useState<number | null>(null); // null: fit the width
  const [pagesEl, setPagesEl] = useState<HTMLDivElement | null>(null);
  const [width, setWidth] = useState(0);
  const nameCallback = useRef(onFileName);
  nameCallback.current = onFileName;

  useEffect(() => {
    let cancelled = false;
    let destroy: (() => Promise<void>) | null = null;
    setLoaded({ state: 'loading' });
    (async () => {
      let res: Response;
      try {
        res = await fetch(src, { credentials: 'same-origin' });
      } catch {
        throw new Error('网络连接失败，请检查网络后重试');
      }
      if (!res.ok) throw new Error(await fetchError(res));
      const name = dispositionName(res.headers.get('content-disposition'));
      if (name && !cancelled) nameCallback.current?.(name);
      const bytes = await res.arrayBuffer();
      if (cancelled) return;
      const task = openPdf(bytes);
      destroy = () => task.destroy();
      let opened: PDFDocumentProxy;
      try {
        opened = await task.promise;
      } catch (err) {
        throw new Error(pdfErrorMessage(err));
      }
      const sizes = [];
      for (let n = 1; n <= opened.numPages; n++) {
        const vp = (await opened.getPage(n)).getViewport({ scale: 1 });
        sizes.push({ width: vp.width, height: vp.height });
      }
      if (!cancelled) setLoaded({ state: 'ready', doc: opened, sizes });
    })().catch((err: unknown) => {
      if (!cancelled) setLoaded({ state: 'error', message: err instanceof Error && err.message ? err.message : '无法显示该PDF文件，请下载后查看' });
    });
    return () => {
      cancelled = true;
      // ends the worker's work on this file and frees its pages
      void destroy?.().catch(() => {});
    };
  }, [src]);

  useEffect(() => {
    if (!pagesEl) return;
    const ro = new ResizeObserver(() => setWidth(pagesEl.clientWidth));
    ro.observe(pagesEl);
    setWidth(pagesEl.clientWidth);
    return () => ro.disconnect();
  }, [pagesEl]);

  if (loaded.state === 'error') {
    return (
      <div className={`pdf-doc pdf-doc-error${framed ? ' pdf-doc-framed' : ''}`} role="alert">
        <Typography.Paragraph>{loaded.message}</Typography.Paragraph>
        {downloadLink}
      </div>
    );
  }

  const widest = loaded.state === 'ready' ? Math.max(...loaded.sizes.map((s) => s.width)) : 0;
  const fit = widest && width ? Math.max(MIN_ZOOM, Math.min(MAX_AUTO, (width - GUTTER) / widest)) : PX_PER_PT;
  const scale = zoom ?? fit;
  const percent = Math.round((scale / PX_PER_PT) * 100);
  const step = (factor: number) => setZoom(Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, scale * factor)));

  return (
    <section className={`pdf-doc${framed ? ' pdf-doc-framed' : ''}`} aria-label={label}>
      <div className="pdf-toolbar">
        <Typography.Text>{loaded.state === 'ready' ? `共 ${loaded.sizes.length} 页` : '正在打开…'}</Typography.Text>
        <span className="pdf-zoom">
          <Button
            size="small"
            icon={<ZoomOutOutlined />}
            aria-label="缩小"
            disabled={loaded.state !== 'ready' || scale <= MIN_ZOOM}
            onClick={() => step(1 / 1.25)}
          />
          <span className="pdf-zoom-value" aria-live="polite">
            {percent}%
          </span>
          <Button
            size="small"
            icon={<ZoomInOutlined />}
            aria-label="放大"
            disabled={loaded.state !== 'ready' || scale >= MAX_ZOOM}
            onClick={() => step(1.25)}
          />
          <Button size="small" icon={<ColumnWidthOutlined />} disabled={loaded.state !== 'ready' || zoom === null} onClick={() => setZoom(null)}>
            适合宽度
          </Button>
        </span>
      </div>
      <div className="pdf-pages" ref={setPagesEl} tabIndex={0} role="group" aria-label="PDF 页面">
        {loaded.state === 'loading' ? (
          <div className="pdf-loading">
            <Spin description="正在打开 PDF 文件…" />
          </div>
        ) : (
          width > 0 &&
          loaded.sizes.map((size, i) => <PageCanvas key={i + 1} doc={loaded.doc} number={i + 1} size={size} scale={scale} root={framed ? pagesEl : null} />)
        )}
      </div>
    </section>
  );
}
