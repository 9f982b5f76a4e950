import { Suspense, useState } from 'react';
import { Button, Drawer, Grid, Layout, Spin } from 'antd';
import { MenuOutlined } from '@ant-design/icons';
import { Link, Navigate, Outlet, useLocation, useNavigate } from 'react-router';
import { ROLE_LABELS } from '../../../core/codes';
import { useAuth } from '../auth';
import { SideMenu } from './SideMenu';
import { ContactFooter } from './ContactFooter';
import { NotificationBell } from './NotificationBell';
import { confirmLeave } from './unsavedChanges';
import { FirstScreen, firstScreenOf } from './FirstScreen';

export function PageLoading() {
  return (
    <div className="page-loading">
      <Spin description="加载中…" />
    </div>
  );
}

/** 我的主页 frame: top bar, the manual's left menu (a drawer on phones), and the page. */
export function AppLayout() {
  const { user, loading, logout } = useAuth();
  const screens = Grid.useBreakpoint();
  const navigate = useNavigate();
  const location = useLocation();
  const [drawerOpen, setDrawerOpen] = useState(false);
  const wide = screens.md ?? (typeof window !== 'undefined' && window.innerWidth >= 768);

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
    <Layout className="app-layout">
      <Layout.Header className="app-header">
        {!wide && <Button type="text" className="header-menu-btn" icon={<MenuOutlined />} aria-label="打开菜单" onClick={() => setDrawerOpen(true)} />}
        <h1 className="app-brand-title">
          <Link to="/" className="app-brand">
            新疆科技工作者之家
          </Link>
        </h1>
        <div className="app-user">
          <NotificationBell role={user.role} userId={user.id} />
          <span className="app-user-name">{user.realName || user.username}</span>
          <span className="app-user-role">{ROLE_LABELS[user.role]}</span>
          <Button
            size="small"
            ghost
            onClick={async () => {
              // a form with unsaved changes asks first (【留在此页】 keeps the user here, logged in)
              if (!(await confirmLeave())) return;
              await logout();
              navigate('/login', { replace: true });
            }}
          >
            退出
          </Button>
        </div>
      </Layout.Header>
      <Layout>
        {wide ? (
          <Layout.Sider width={232} className="app-sider" theme="light">
            {menu}
          </Layout.Sider>
        ) : (
          <Drawer
            placement="left"
            open={drawerOpen}
            onClose={() => setDrawerOpen(false)}
            size={260}
            title="新疆科技工作者之家"
            styles={{ body: { padding: 0 } }}
          >
            {menu}
          </Drawer>
        )}
        <Layout.Content className="app-content">
          <Suspense fallback={firstScreenOf(location.pathname) ?? <PageLoading />}>
            <Outlet />
          </Suspense>
          <ContactFooter />
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
