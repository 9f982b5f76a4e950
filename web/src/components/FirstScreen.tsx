import { useEffect, useState, type ReactNode } from 'react';
import { isRouteErrorResponse, matchPath, useLocation, useRouteError } from 'react-router';
import { ROLE_LABELS } from '../../../core/codes';
import { statusTone } from '../../../core/status';
import { peekPrefetched } from '../api';
import { useAuth } from '../auth';

// The first screen of a page, drawn with plain elements (styles.css, .first-*) while the page's own code and Ant
// Design load: on a phone over slow 4G that is 75 files, seconds after the page's data has arrived (issue 11,
// item 9). Only what the page's data already says is shown, and nothing that looks as if it could be clicked: the
// page itself replaces it, with its controls, as soon as it can be used.

/**
 * When Ant Design and the page's code are asked for. A page with a first screen opens this gate once that screen
 * is on the glass (or has found it has nothing to show); the others at once (routes.tsx). Asked for earlier, their
 * 75 files share a slow network with the first screen's data and delay it: the title came at 6–8 s instead of 2 s.
 */
let openGate: () => void = () => undefined;
const gate = new Promise<void>((resolve) => {
  openGate = resolve;
});

/** Resolves when the page's code may be asked for (at once after the first screen). */
export const afterFirstScreen = (): Promise<void> => gate;

/** Lets the page's code load now (idempotent). */
export function firstScreenDone(): void {
  openGate();
}

/** Runs `fn` once what was just committed has been painted: after the next frame, or at once in a hidden tab. */
function afterPaint(fn: () => void): () => void {
  if (document.visibilityState === 'hidden') {
    fn();
    return () => undefined;
  }
  let timer: number | undefined;
  const frame = requestAnimationFrame(() => {
    timer = window.setTimeout(fn, 0);
  });
  return () => {
    cancelAnimationFrame(frame);
    window.clearTimeout(timer);
  };
}

/** What the 申请书's head shows: the title and the status. */
export interface EditorHeadData {
  name: string;
  mobile: string;
  status: string;
  statusLabel: string;
}

/**
 * The heads already read, by application id: each later stage of the first screen draws the same at once. The page
 * forgets one when it has the 申请书 itself (forgetEditorHead): coming back later must not show an old status.
 */
const heads = new Map<string, EditorHeadData>();

export function forgetEditorHead(id: string): void {
  heads.delete(id);
}

function headOf(reply: unknown): EditorHeadData | null {
  if (!reply || typeof reply !== 'object') return null;
  const r = reply as { applicantName?: unknown; status?: unknown; statusLabel?: unknown; form?: { name?: unknown; mobile?: unknown } };
  if (typeof r.status !== 'string' || typeof r.statusLabel !== 'string') return null;
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  return { name: str(r.form?.name) || str(r.applicantName), mobile: str(r.form?.mobile), status: r.status, statusLabel: r.statusLabel };
}

/** The 申请书's head from the GET started with the page (routes.tsx startCurrentPage), once it has arrived. */
function useEditorHead(id: string): { head: EditorHeadData | null; settled: boolean } {
  const [state, setState] = useState(() => ({ head: heads.get(id) ?? null, settled: heads.has(id) }));
  useEffect(() => {
    if (heads.has(id)) {
      setState({ head: heads.get(id)!, settled: true });
      return;
    }
    let live = true;
    void peekPrefetched(`/api/applications/${encodeURIComponent(id)}`).then((reply) => {
      const head = headOf(reply);
      if (head) heads.set(id, head);
      if (live) setState({ head, settled: true });
    });
    return () => {
      live = false;
    };
  }, [id]);
  return state;
}

/** The status as the page's StatusTag draws it (blue while the applicant holds it, green for a winner). */
function PlainStatus({ status, label }: { status: string; label: string }) {
  return (
    <>
      <span className={`first-tag first-tag-${statusTone(status)}`}>{label}</span>
      {status === 'national' && <span className="first-tag first-tag-success">当选</span>}
    </>
  );
}

/**
 * The 申请书's head (最美科技工作者/姓名[手机: …] and 状态), as ApplicationEditPage draws it, or a plain "loading"
 * until the 申请书 is known. The title is the page's largest text: drawn here first, it is what a phone shows
 * while the form loads.
 */
export function EditorFirstScreen({ id }: { id: string }) {
  const { user, loading } = useAuth();
  const { head, settled } = useEditorHead(id);
  // only the applicant's own 申请书 is drawn here; anyone else sees what the page says (无权访问) when it loads
  const shown = head !== null && user?.role === 'applicant';
  const final = shown || (settled && !loading);
  useEffect(() => (final ? afterPaint(firstScreenDone) : undefined), [final]);
  if (!shown) return <PlainLoading text="正在加载申请书…" />;
  return (
    <div className="editor first-screen">
      <div className="first-card editor-head">
        <div className="first-card-body">
          <div className="editor-head-title">
            <h2 className="page-title first-title">
              最美科技工作者/{head.name}[手机: {head.mobile}]
            </h2>
            <div className="first-status">
              <span>状态：</span>
              <PlainStatus status={head.status} label={head.statusLabel} />
            </div>
          </div>
        </div>
      </div>
      <div className="first-loading-note" role="status" aria-live="polite">
        正在加载申请书…
      </div>
    </div>
  );
}

export function PlainLoading({ text = '加载中…' }: { text?: string }) {
  return (
    <div className="page-loading" role="status" aria-live="polite">
      {text}
    </div>
  );
}

/** The first screen of the page at this path, or null for a page that has none. */
export function firstScreenOf(pathname: string): ReactNode {
  const edit = matchPath('/zmkj/applications/:id', pathname);
  if (edit?.params.id) return <EditorFirstScreen id={edit.params.id} />;
  return null;
}

/**
 * 我的主页's frame while Ant Design loads: the top bar (brand, the user) and the side menu's place, with the page's
 * first screen inside.
 */
function PlainFrame({ children }: { children: ReactNode }) {
  const { user } = useAuth();
  return (
    <div className="first-frame">
      <header className="first-header">
        <h1 className="app-brand-title">
          <span className="app-brand">新疆科技工作者之家</span>
        </h1>
        {user && (
          <div className="app-user">
            <span className="app-user-name">{user.realName || user.username}</span>
            <span className="app-user-role">{ROLE_LABELS[user.role]}</span>
          </div>
        )}
      </header>
      <div className="first-body">
        <div className="first-sider" />
        <main className="app-content first-content">{children}</main>
      </div>
    </div>
  );
}

/** While the whole app's frame loads (the router's fallback): the frame and the page's first screen, or "加载中…". */
export function FirstScreen() {
  const { pathname } = useLocation();
  const page = firstScreenOf(pathname);
  return page ? <PlainFrame>{page}</PlainFrame> : <PlainLoading />;
}

/** A page's code that could not be fetched: the network dropped, or a new version replaced the files it named. */
function isLoadFailure(error: unknown): boolean {
  const text = error instanceof Error ? `${error.name} ${error.message}` : String(error);
  return /dynamically imported module|Importing a module script failed|Failed to fetch|preload|ChunkLoadError|Unable to preload/i.test(text);
}

/**
 * What the router shows when a page cannot be drawn (its errorElement), plain because Ant Design may be what
 * failed to load: a Chinese message that says what to do, never a stack trace. The usual case is a page's code
 * that could not be fetched (a dropped connection, or the platform updated while this tab was open: the old
 * files are gone); reloading fetches the current ones. Nothing saved is lost: the 申请书 keeps its local copy.
 */
export function RouteError() {
  const error = useRouteError();
  const loadFailure = isLoadFailure(error);
  useEffect(() => {
    // for whoever looks at the console; the page itself says what to do
    if (!loadFailure && !isRouteErrorResponse(error)) console.warn('页面出错', error);
  }, [error, loadFailure]);
  return (
    <main className="first-frame route-error">
      <div role="alert">
        <h1 className="route-error-title">{loadFailure ? '页面加载失败' : '页面出错了'}</h1>
        <p>
          {loadFailure
            ? '网络连接中断，或平台已更新。请检查网络后点击【重新加载】；已保存的内容不会丢失。'
            : '页面遇到了问题。请点击【重新加载】重试；已保存的内容不会丢失。如仍不能打开，请联系自治区科协。'}
        </p>
      </div>
      <div className="route-error-actions">
        <button type="button" className="plain-button plain-button-primary" onClick={() => window.location.reload()}>
          重新加载
        </button>
        <a href="/">返回我的主页</a>
      </div>
    </main>
  );
}
