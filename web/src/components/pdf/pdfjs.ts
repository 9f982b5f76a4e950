/**
 * pdf.js, set up to draw a PDF and do nothing else: no JavaScript of the PDF (pdf.js runs it only in its
 * scripting sandbox, which is never loaded here), no `eval` (PostScript functions are interpreted), no XFA
 * forms, no annotation layer (pages are painted onto a <canvas>; links and form fields are not made live).
 *
 * Everything comes from our own origin, bundled by Vite from node_modules: this module, the worker (a module
 * worker, allowed by `script-src 'self'`, which `worker-src` falls back to), the CMaps of CJK fonts that are
 * not embedded, the two symbol fonts, and the JavaScript JPEG 2000 decoder. WebAssembly is not used (the CSP
 * has no 'wasm-unsafe-eval'): JBIG2 and CCITT scans use pdf.js's JavaScript decoders.
 *
 * The legacy build: the same code with polyfills, for the older Chromium cores of browsers still common here
 * (the modern build needs features as recent as Map.prototype.getOrInsertComputed).
 *
 * Imported only through `import()` (PdfDocument is lazy), so a page without a PDF never downloads it.
 */
import { getDocument, GlobalWorkerOptions, type PDFDocumentLoadingTask } from 'pdfjs-dist/legacy/build/pdf.mjs';
import workerUrl from 'pdfjs-dist/legacy/build/pdf.worker.min.mjs?url';
import jpxFallbackUrl from 'pdfjs-dist/wasm/openjpeg_nowasm_fallback.js?url';

GlobalWorkerOptions.workerSrc = workerUrl;

// Emitted as files (never inlined as data: URLs, which `connect-src 'self'` would refuse to fetch); only the
// URLs are in this module, each file is fetched when a PDF needs it.
const cMaps = import.meta.glob<string>('../../../../node_modules/pdfjs-dist/cmaps/*.bcmap', { query: '?url&no-inline', import: 'default', eager: true });
// Other standard fonts are taken from the system (useSystemFonts); pdf.js asks for these two only.
const fonts = import.meta.glob<string>('../../../../node_modules/pdfjs-dist/standard_fonts/{FoxitSymbol,FoxitDingbats}.pfb', {
  query: '?url&no-inline',
  import: 'default',
  eager: true,
});

const byFileName = (files: Record<string, string>) => new Map(Object.entries(files).map(([path, url]) => [path.slice(path.lastIndexOf('/') + 1), url]));
const FILES: Record<string, Map<string, string>> = { cMapUrl: byFileName(cMaps), standardFontDataUrl: byFileName(fonts) };

/**
 * The worker asks the page for a CMap or a font by file name (`useWorkerFetch: false`); Vite gave each a
 * hashed URL, so pdf.js's "base URL + name" cannot find them on its own.
 */
class BundledDataFactory {
  async fetch({ kind, filename }: { kind: string; filename: string }): Promise<Uint8Array> {
    const url = FILES[kind]?.get(filename);
    if (!url) throw new Error(`pdf.js: no bundled ${kind} ${filename}`);
    const res = await fetch(url);
    if (!res.ok) throw new Error(`pdf.js: ${url} answered ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  }
}

/**
 * pdf.js imports `${wasmUrl}openjpeg_nowasm_fallback.js` when a page has a JPEG 2000 image. Vite's file is
 * `/assets/openjpeg_nowasm_fallback-<hash>.js`; ending the "directory" with `?/` turns pdf.js's file name into
 * a query string the static server ignores, so the import finds the hashed file.
 */
const wasmUrl = `${jpxFallbackUrl}?/`;

/** Starts reading a PDF from its bytes (which are handed over to the worker). */
export function openPdf(bytes: ArrayBuffer): PDFDocumentLoadingTask {
  return getDocument({
    data: new Uint8Array(bytes),
    isEvalSupported: false,
    enableXfa: false,
    useWasm: false,
    wasmUrl,
    useWorkerFetch: false,
    BinaryDataFactory: BundledDataFactory,
    stopAtErrors: false,
    // a PDF can ask for huge images; beyond 100 megapixels one is skipped rather than exhausting memory
    maxImageSize: 100_000_000,
  });
}

/** The Chinese sentence for why a PDF could not be shown. */
export function pdfErrorMessage(err: unknown): string {
  if ((err as { name?: unknown } | null)?.name === 'PasswordException') return '该PDF文件设有密码，无法在此显示，请下载后查看';
  return '无法显示该PDF文件，请下载后查看';
}

export { AnnotationMode, RenderingCancelledException } from 'pdfjs-dist/legacy/build/pdf.mjs';
export type { PDFDocumentProxy, PDFPageProxy, RenderTask } from 'pdfjs-dist';
