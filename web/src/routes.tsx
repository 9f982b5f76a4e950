import { lazy, Suspense, useEffect } from 'react';
import { Result } from 'antd';
import { createBrowserRouter, createRoutesFromElements, Link, Outlet, Route, RouterProvider, useLocation, useNavigate } from 'react-router';
import { setUnauthenticatedHandler } from './api';
import { useAuth } from './auth';
import { AppLayout, PageLoading } from './components/AppLayout';
import { RequireRole } from './components/RequireRole';

const LoginPage = lazy(() => import('./pages/public/LoginPage'));
const RegisterPage = lazy(() => import('./pages/public/RegisterPage'));
const RecoverPage = lazy(() => import('./pages/public/RecoverPage'));
const HomePage = lazy(() => import('./pages/common/HomePage'));
const MyApplicationsPage = lazy(() => import('./pages/applicant/MyApplicationsPage'));
const ApplicationEditPage = lazy(() => import('./pages/applicant/ApplicationEditPage'));
const PendingPage = lazy(() => import('./pages/unit/PendingPage'));
const SearchPage = lazy(() => import('./pages/unit/SearchPage'));
const HandlePage = lazy(() => import('./pages/unit/HandlePage'));
const ViewPage = lazy(() => import('./pages/unit/ViewPage'));
const UnitsPage = lazy(() => import('./pages/organizer/UnitsPage'));
const OutboxPage = lazy(() => import('./pages/organizer/OutboxPage'));
const SettingsPage = lazy(() => import('./pages/organizer/SettingsPage'));
const AccountPage = lazy(() => import('./pages/unit/AccountPage'));
const PdfPage = lazy(() => import('./components/pdf/PdfPage'));

/** An expired session anywhere sends the user to the login page, then back. */
function SessionWatcher() {
  const navigate = useNavigate();
  const location = useLocation();
  const { setUser } = useAuth();
  useEffect(() => {
    setUnauthenticatedHandler(() => {
      setUser(null);
      if (location.pathname !== '/login') {
        navigate('/login', { replace: true, state: { from: location.pathname + location.search, expired: true } });
      }
    });
    return () => setUnauthenticatedHandler(null);
  }, [navigate, location, setUser]);
  return null;
}

function NotFound() {
  return <Result status="404" title="页面不存在" extra={<Link to="/">返回我的主页</Link>} />;
}

/** Every route's frame: the session watcher, and a spinner while a lazy page loads. */
function Root() {
  return (
    <>
      <SessionWatcher />
      <Suspense fallback={<PageLoading />}>
        <Outlet />
      </Suspense>
    </>
  );
}

/**
 * A data router (createBrowserRouter), so that a form with unsaved changes can block navigation
 * (useBlocker: web/src/components/unsavedChanges.tsx). Created once, on first render.
 */
let router: ReturnType<typeof createBrowserRouter> | null = null;

function appRouter() {
  router ??= createBrowserRouter(
    createRoutesFromElements(
      <Route element={<Root />}>
        <Route path="/login" element={<LoginPage />} />
        <Route path="/register" element={<RegisterPage />} />
        <Route path="/recover" element={<RecoverPage />} />
        {/* a PDF attachment drawn by pdf.js, on a page of its own (附件 viewer: 在新窗口打开) */}
        <Route path="/pdf/:attachmentId" element={<PdfPage />} />
        <Route element={<AppLayout />}>
          <Route index element={<HomePage />} />
          <Route
            path="zmkj/mine"
            element={
              <RequireRole roles={['applicant']}>
                <MyApplicationsPage />
              </RequireRole>
            }
          />
          <Route
            path="zmkj/applications/:id"
            element={
              <RequireRole roles={['applicant']}>
                <ApplicationEditPage />
              </RequireRole>
            }
          />
          <Route
            path="zmkj/pending"
            element={
              <RequireRole roles={['unit', 'organizer']}>
                <PendingPage />
              </RequireRole>
            }
          />
          <Route
            path="zmkj/handle/:id"
            element={
              <RequireRole roles={['unit', 'organizer']}>
                <HandlePage />
              </RequireRole>
            }
          />
          <Route
            path="zmkj/view/:id"
            element={
              <RequireRole roles={['unit', 'organizer']}>
                <ViewPage />
              </RequireRole>
            }
          />
          <Route
            path="zmkj/search"
            element={
              <RequireRole roles={['unit', 'organizer']}>
                <SearchPage />
              </RequireRole>
            }
          />
          <Route
            path="admin/units"
            element={
              <RequireRole roles={['organizer']}>
                <UnitsPage />
              </RequireRole>
            }
          />
          <Route
            path="admin/outbox"
            element={
              <RequireRole roles={['organizer']}>
                <OutboxPage />
              </RequireRole>
            }
          />
          <Route
            path="admin/settings"
            element={
              <RequireRole roles={['organizer']}>
                <SettingsPage />
              </RequireRole>
            }
          />
          <Route
            path="account"
            element={
              <RequireRole roles={['unit', 'applicant', 'organizer', 'expert']}>
                <AccountPage />
              </RequireRole>
            }
          />
          <Route path="*" element={<NotFound />} />
        </Route>
      </Route>,
    ),
  );
  return router;
}

export function AppRoutes() {
  return <RouterProvider router={appRouter()} />;
}
