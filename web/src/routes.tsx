import { lazy, Suspense, useEffect } from 'react';
import { createBrowserRouter, createRoutesFromElements, matchPath, Outlet, Route, RouterProvider, useLocation, useNavigate, type Params } from 'react-router';
import { prefetchGet, setUnauthenticatedHandler } from './api';
import { useAuth } from './auth';
import { afterFirstScreen, FirstScreen, firstScreenDone, RouteError } from './components/FirstScreen';
import LoginPage from './pages/public/LoginPage';

// Ant Design's frame, loaded with the first page that needs it (one module: the four resolve together), once the
// page's plain first screen is drawn (components/FirstScreen.tsx)
const shell = () => afterFirstScreen().then(() => import('./shell'));
const AntShell = lazy(async () => ({ default: (await shell()).AntShell }));
const AppLayout = lazy(async () => ({ default: (await shell()).AppLayout }));
const RequireRole = lazy(async () => ({ default: (await shell()).RequireRole }));
const NotFound = lazy(async () => ({ default: (await shell()).NotFound }));
const loadMine = () => import('./pages/applicant/MyApplicationsPage');
const loadEdit = () => import('./pages/applicant/ApplicationEditPage');
const loadPending = () => import('./pages/unit/PendingPage');
const loadHandle = () => import('./pages/unit/HandlePage');
const loadView = () => import('./pages/unit/ViewPage');
const loadSearch = () => import('./pages/unit/SearchPage');
const loadUnits = () => import('./pages/organizer/UnitsPage');
const loadHome = () => import('./pages/common/HomePage');
const RegisterPage = lazy(() => import('./pages/public/RegisterPage'));
const RecoverPage = lazy(() => import('./pages/public/RecoverPage'));
const HomePage = lazy(loadHome);
const MyApplicationsPage = lazy(loadMine);
const ApplicationEditPage = lazy(loadEdit);
const PendingPage = lazy(loadPending);
const SearchPage = lazy(loadSearch);
const HandlePage = lazy(loadHandle);
const ViewPage = lazy(loadView);
const UnitsPage = lazy(loadUnits);
const OutboxPage = lazy(() => import('./pages/organizer/OutboxPage'));
const SettingsPage = lazy(() => import('./pages/organizer/SettingsPage'));
const AccountPage = lazy(() => import('./pages/unit/AccountPage'));
const PdfPage = lazy(() => import('./components/pdf/PdfPage'));
const ScorePage = lazy(() => import('./pages/expert/ScorePage'));
const ReviewAdminPage = lazy(() => import('./pages/organizer/ReviewAdminPage'));
const RankingPage = lazy(() => import('./pages/organizer/RankingPage'));
const ShortlistPage = lazy(() => import('./pages/selection/ShortlistPage'));
const SelectionPage = lazy(() => import('./pages/selection/SelectionPage'));
const PublicationPage = lazy(() => import('./pages/publication/PublicationPage'));
const CertificatesPage = lazy(() => import('./pages/certificates/CertificatesPage'));
const ExportsPage = lazy(() => import('./pages/exports/ExportsPage'));
const StatsPage = lazy(() => import('./pages/stats/StatsPage'));
const SecurityPage = lazy(() => import('./pages/security/SecurityPage'));
const EnrollPage = lazy(() => import('./pages/security/EnrollPage'));
const AuditLogPage = lazy(() => import('./pages/audit/AuditLogPage'));
const MessagesPage = lazy(() => import('./pages/messages/MessagesPage'));
const MeetingAdminPage = lazy(() => import('./pages/meeting/MeetingAdminPage'));
const RoundPrintPage = lazy(() => import('./pages/meeting/RoundPrintPage'));
const ExpertMeetingPage = lazy(() => import('./pages/meeting/ExpertMeetingPage'));
const PublicityIndexPage = lazy(() => import('./pages/publicity/PublicityIndexPage'));
const PublicityPage = lazy(() => import('./pages/publicity/PublicityPage'));
const PublicityListPage = lazy(() => import('./pages/publicity/PublicityListPage'));
const PublicityFormPage = lazy(() => import('./pages/publicity/PublicityFormPage'));
const PublicityDetailPage = lazy(() => import('./pages/publicity/PublicityDetailPage'));
const ObjectionsPage = lazy(() => import('./pages/publicity/ObjectionsPage'));
const ExpertsPage = lazy(() => import('./pages/organizer/ExpertsPage'));
const ExpertGroupsPage = lazy(() => import('./pages/organizer/ExpertGroupsPage'));
const ChangePasswordPage = lazy(() => import('./pages/common/ChangePasswordPage'));
const ReviewListPage = lazy(() => import('./pages/expert/ReviewListPage'));

/**
 * The page the browser opens first: its code, Ant Design's frame and (for the 申请书) its data are asked for at
 * once, side by side with the session check, rather than one after the other (session → page code → data),
 * which on a slow phone network cost a round trip and a download each (issue 11, item 9). Only reads are
 * started early: a GET changes nothing, and a page the account may not open simply never uses the reply.
 *
 * A page with a plain first screen (`firstScreen`: components/FirstScreen.tsx draws it from that data) asks for
 * its code only once the first screen is drawn, so that the data is not queued behind 75 files; if it is never
 * drawn (a network that does not answer), the code is asked for after FIRST_SCREEN_WAIT_MS all the same.
 */
const EARLY: { path: string; load: () => Promise<unknown>; data?: (params: Params) => string; firstScreen?: boolean }[] = [
  { path: '/', load: loadHome },
  { path: '/zmkj/mine', load: loadMine, data: () => '/api/applications/mine' },
  { path: '/zmkj/applications/:id', load: loadEdit, data: (p) => `/api/applications/${encodeURIComponent(p.id ?? '')}`, firstScreen: true },
  { path: '/zmkj/pending', load: loadPending },
  { path: '/zmkj/handle/:id', load: loadHandle },
  { path: '/zmkj/view/:id', load: loadView },
  { path: '/zmkj/search', load: loadSearch },
  { path: '/admin/units', load: loadUnits },
];

const FIRST_SCREEN_WAIT_MS = 4000;

export function startCurrentPage(pathname: string): void {
  for (const page of EARLY) {
    const match = matchPath(page.path, pathname);
    if (!match) continue;
    if (page.data) prefetchGet(page.data(match.params));
    if (page.firstScreen) window.setTimeout(firstScreenDone, FIRST_SCREEN_WAIT_MS);
    else firstScreenDone();
    void shell().catch(() => undefined);
    // the page's own files a task later: each asked-for file adds a <link rel=modulepreload>, and the shell's and
    // the page's 75 together made one long task
    void afterFirstScreen()
      .then(() => new Promise((resolve) => window.setTimeout(resolve, 0)))
      .then(page.load)
      .catch(() => undefined); // a failure shows when the page itself loads
    return;
  }
  firstScreenDone();
}

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

/** Every route's frame: the session watcher, and a plain first screen while a lazy page loads (no Ant Design yet). */
function Root() {
  return (
    <>
      <SessionWatcher />
      <Suspense fallback={<FirstScreen />}>
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
      <Route element={<Root />} errorElement={<RouteError />}>
        <Route path="/login" element={<LoginPage />} />
        <Route element={<AntShell />}>
          <Route path="/register" element={<RegisterPage />} />
          <Route path="/recover" element={<RecoverPage />} />
          {/* a PDF attachment drawn by pdf.js, on a page of its own (附件 viewer: 在新窗口打开) */}
          <Route path="/pdf/:attachmentId" element={<PdfPage />} />
          {/* 公示公告: public, no login (the 公示 and the 异议 form) */}
          <Route path="/gongshi" element={<PublicityIndexPage />} />
          <Route path="/gongshi/:id" element={<PublicityPage />} />
          {/* 修改初始密码: outside 我的主页's frame (an account on its initial password may call nothing else) */}
          <Route path="/change-password" element={<ChangePasswordPage />} />
          {/* 开启两步验证 owed (自治区科协, 评审专家): outside 我的主页's frame, like 修改初始密码 */}
          <Route path="/mfa-setup" element={<EnrollPage />} />
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
              path="zmkj/publicity"
              element={
                <RequireRole roles={['unit', 'organizer']}>
                  <PublicityListPage />
                </RequireRole>
              }
            />
            <Route
              path="zmkj/publicity/new"
              element={
                <RequireRole roles={['unit']}>
                  <PublicityFormPage />
                </RequireRole>
              }
            />
            <Route
              path="zmkj/publicity/:id/edit"
              element={
                <RequireRole roles={['unit']}>
                  <PublicityFormPage />
                </RequireRole>
              }
            />
            <Route
              path="zmkj/publicity/:id"
              element={
                <RequireRole roles={['unit', 'organizer']}>
                  <PublicityDetailPage />
                </RequireRole>
              }
            />
            <Route
              path="admin/objections"
              element={
                <RequireRole roles={['organizer']}>
                  <ObjectionsPage />
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
              path="admin/experts"
              element={
                <RequireRole roles={['organizer']}>
                  <ExpertsPage />
                </RequireRole>
              }
            />
            <Route
              path="admin/expert-groups"
              element={
                <RequireRole roles={['organizer']}>
                  <ExpertGroupsPage />
                </RequireRole>
              }
            />
            <Route
              path="zmkj/review"
              element={
                <RequireRole roles={['expert']}>
                  <ReviewListPage />
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
              path="zmkj/review/:id"
              element={
                <RequireRole roles={['expert']}>
                  <ScorePage />
                </RequireRole>
              }
            />
            <Route
              path="admin/review"
              element={
                <RequireRole roles={['organizer']}>
                  <ReviewAdminPage />
                </RequireRole>
              }
            />
            <Route
              path="admin/ranking"
              element={
                <RequireRole roles={['organizer']}>
                  <RankingPage />
                </RequireRole>
              }
            />
            <Route
              path="admin/meeting"
              element={
                <RequireRole roles={['organizer']}>
                  <MeetingAdminPage />
                </RequireRole>
              }
            />
            <Route
              path="admin/meeting/rounds/:id/print"
              element={
                <RequireRole roles={['organizer']}>
                  <RoundPrintPage />
                </RequireRole>
              }
            />
            <Route
              path="zmkj/meeting"
              element={
                <RequireRole roles={['expert']}>
                  <ExpertMeetingPage />
                </RequireRole>
              }
            />
            <Route
              path="admin/shortlist"
              element={
                <RequireRole roles={['organizer']}>
                  <ShortlistPage />
                </RequireRole>
              }
            />
            <Route
              path="admin/selection"
              element={
                <RequireRole roles={['organizer']}>
                  <SelectionPage />
                </RequireRole>
              }
            />
            <Route
              path="admin/publication"
              element={
                <RequireRole roles={['organizer']}>
                  <PublicationPage />
                </RequireRole>
              }
            />
            <Route
              path="admin/certificates"
              element={
                <RequireRole roles={['organizer']}>
                  <CertificatesPage />
                </RequireRole>
              }
            />
            <Route
              path="zmkj/exports"
              element={
                <RequireRole roles={['organizer', 'unit']}>
                  <ExportsPage />
                </RequireRole>
              }
            />
            <Route
              path="account/security"
              element={
                <RequireRole roles={['applicant', 'unit', 'organizer', 'expert']}>
                  <SecurityPage />
                </RequireRole>
              }
            />
            <Route
              path="admin/audit"
              element={
                <RequireRole roles={['organizer']}>
                  <AuditLogPage />
                </RequireRole>
              }
            />
            <Route
              path="admin/messages"
              element={
                <RequireRole roles={['organizer']}>
                  <MessagesPage />
                </RequireRole>
              }
            />
            <Route
              path="zmkj/stats"
              element={
                <RequireRole roles={['organizer', 'unit']}>
                  <StatsPage />
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
        </Route>
      </Route>,
    ),
  );
  return router;
}

export function AppRoutes() {
  if (!router) startCurrentPage(window.location.pathname);
  return <RouterProvider router={appRouter()} />;
}
