import { Suspense, useEffect, useRef, useState, useSyncExternalStore, type ReactNode } from 'react';
import { Link, Navigate, Outlet, useLocation, useNavigate } from 'react-router';
import { ROLE_LABELS } from '../../../core/codes';
import { useAuth } from '../auth';
import { SideMenu } from './SideMenu';
import { ContactFooter } from './ContactFooter';
import { NotificationBell } from './NotificationBell';
import { confirmLeave } from './unsavedChanges';
import { FirstScreen, PlainLoading, firstScreenOf } from './FirstScreen';

// 我的主页's frame is drawn with plain elements (styles.css, "logged-in frame"): it is on every logged-in page, and
// Ant Design's Layout, Menu, Drawer, Badge and Popover made a good part of each page's first seconds on a phone
// (issue 11, item 9). The page inside it is Ant Design's, under AntShell's theme (shell.tsx).

/** While a page of the frame loads. */
export function PageLoading() {
  return <PlainLoading />;
}

/** The width at which the side menu stands beside the page (Ant Design's md breakpoint); below it, a drawer. */
const WIDE = '(min-width: 768px)';

function subscribeWide(onChange: () => void) {
  const query = window.matchMedia(WIDE);
  query.addEventListener('change', onChange);
  return () => query.removeEventListener('change', onChange);
}

const useWide = () =>
  useSyncExternalStore(
    subscribeWide,
    () => window.matchMedia(WIDE).matches,
    () => true,
  );

/**
 * The side menu on a phone: the browser's own modal dialog (focus kept inside, Escape and a tap beside it close
 * it, the page behind it inert), sliding in from the left.
 */
function MenuDrawer({ open, onClose, children }: { open: boolean; onClose: () => void; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className="menu-drawer"
      aria-labelledby="menu-drawer-title"
      onClose={onClose}
      // the dialog's own box is covered by its content: a click on the dialog itself is on the backdrop
      onClick={(e) => {
        if (e.target === e.currentTarget) onClose();
      }}
    >
      <div className="menu-drawer-body">
        <div className="menu-drawer-head">
          <div id="menu-drawer-title" className="menu-drawer-title">
            新疆科技工作者之家
          </div>
          <button type="button" className="menu-drawer-close" aria-label="关闭" onClick={onClose}>
            <svg viewBox="64 64 896 896" width="1em" height="1em" fill="currentColor" aria-hidden="true" focusable="false">
              <path d="M563.8 512l262.5-312.9c4.4-5.2.7-13.1-6.1-13.1h-79.8c-4.7 0-9.2 2.1-12.3 5.7L511.6 449.8 295.1 191.7c-3-3.6-7.5-5.7-12.3-5.7H203c-6.8 0-10.5 7.9-6.1 13.1L459.4 512 196.9 824.9A7.95 7.95 0 00203 838h79.8c4.7 0 9.2-2.1 12.3-5.7l216.5-258.1 216.5 258.1c3 3.6 7.5 5.7 12.3 5.7h79.8c6.8 0 10.5-7.9 6.1-13.1L563.8 512z" />
            </svg>
          </button>
        </div>
        {children}
      </div>
    </dialog>
  );
}

/** 我的主页 frame: top bar, the manual's left menu (a drawer on phones), and the page. */
export function AppLayout() {
  const { user, loading, logout } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const [drawerOpen, setDrawerOpen] = useState(false);
  const wide = useWide();

  // the session is still being checked: the same plain first screen as before the frame loaded
  if (loading) return <FirstScreen />;
  if (!user) return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  // an account on the initial password sent by SMS (评审专家) may do nothing before changing it
  // two-factor log-in owed (docs/api/security.md): the code on the login page, or the set-up page
  if (user.stage === 'mfa') return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  if (user.stage === 'enroll') return <Navigate to="/mfa-setup" replace />;
  if (user.mustChangePassword) return <Navigate to="/change-password" replace />;

  const menu = <SideMenu role={user.role} onNavigate={() => setDrawerOpen(false)} />;

  return (
    <div className="app-layout">
      <header className="app-header">
        {!wide && (
          <button type="button" className="header-menu-btn" aria-label="打开菜单" aria-expanded={drawerOpen} onClick={() => setDrawerOpen(true)}>
            <svg viewBox="64 64 896 896" width="1em" height="1em" fill="currentColor" aria-hidden="true" focusable="false">
              <path d="M904 160H120c-4.4 0-8 3.6-8 8v64c0 4.4 3.6 8 8 8h784c4.4 0 8-3.6 8-8v-64c0-4.4-3.6-8-8-8zm0 624H120c-4.4 0-8 3.6-8 8v64c0 4.4 3.6 8 8 8h784c4.4 0 8-3.6 8-8v-64c0-4.4-3.6-8-8-8zm0-312H120c-4.4 0-8 3.6-8 8v64c0 4.4 3.6 8 8 8h784c4.4 0 8-3.6 8-8v-64c0-4.4-3.6-8-8-8z" />
            </svg>
          </button>
        )}
        <h1 className="app-brand-title">
          <Link to="/" className="app-brand">
            新疆科技工作者之家
          </Link>
        </h1>
        <div className="app-user">
          <NotificationBell role={user.role} userId={user.id} />
          <span className="app-user-name">{user.realName || user.username}</span>
          <span className="app-user-role">{ROLE_LABELS[user.role]}</span>
          <button
            type="button"
            className="app-logout"
            onClick={async () => {
              // a form with unsaved changes asks first (【留在此页】 keeps the user here, logged in)
              if (!(await confirmLeave())) return;
              await logout();
              navigate('/login', { replace: true });
            }}
          >
            退出
          </button>
        </div>
      </header>
      <div className="app-body">
        {wide ? (
          <aside className="app-sider">{menu}</aside>
        ) : (
          <MenuDrawer open={drawerOpen} onClose={() => setDrawerOpen(false)}>
            {menu}
          </MenuDrawer>
        )}
        <main className="app-content">
          <Suspense fallback={firstScreenOf(location.pathname) ?? <PageLoading />}>
            <Outlet />
          </Suspense>
          <ContactFooter />
        </main>
      </div>
    </div>
  );
}
