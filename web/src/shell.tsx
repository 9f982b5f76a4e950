import { Outlet } from 'react-router';
import { App as AntApp, ConfigProvider, Result, type ThemeConfig } from 'antd';
import { LoadingOutlined } from '@ant-design/icons';
import zhCN from 'antd/locale/zh_CN';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { Link } from 'react-router';

// Everything that needs Ant Design, loaded by the first page that shows it: the login page is drawn without it
// (issue 11, item 9), so a first visit downloads and runs React, the router and the login form only.
export { AppLayout, PageLoading } from './components/AppLayout';
export { RequireRole } from './components/RequireRole';

dayjs.locale('zh-cn');

/**
 * Colours that meet WCAG 2.1 AA: text at least 4.5:1 on white and on the light tints it sits on
 * (#fafafa table heads, alert backgrounds), the focus ring at least 3:1 (1.4.11).
 * The login page's own stylesheet (styles.css, .plain-form) uses the same colours.
 */
const THEME: ThemeConfig = {
  token: {
    colorPrimary: '#1f5fa8', // 6.44:1 on white
    colorInfo: '#1f5fa8',
    colorLink: '#1f5fa8', // antd's default link is colorInfo #1677ff: 4.1:1
    colorLinkHover: '#174a85', // a hovered link stays readable: the derived #6195c2 was 3.18:1
    colorLinkActive: '#123a69',
    colorPrimaryHover: '#174a85', // hovered default/link buttons take this text colour
    colorPrimaryActive: '#123a69',
    colorTextSecondary: '#595959', // 7:1
    colorTextTertiary: '#595959', // Typography type="secondary", descriptions: #8c8c8c was 3.36:1
    colorTextDescription: '#595959',
    colorTextPlaceholder: '#6b6b6b', // 5.33:1 (was #bfbfbf, 1.83:1)
    colorWarningText: '#874d00', // 6.8:1 (was #faad14)
    colorSuccessText: '#237804', // 5.6:1 (was #52c41a)
    colorError: '#cf1322', // danger buttons and links, 5.57:1 (was #ff4d4f, 3.9:1)
    colorErrorText: '#cf1322',
    colorPrimaryBorder: '#3d72b3', // the focus outline of buttons: 4.9:1 (was #88b0cf, 2.29:1)
    controlOutline: 'rgba(31, 95, 168, 0.45)',
    borderRadius: 4,
    fontSize: 14,
  },
};

/**
 * Every Button: texts exactly as in the manual (登录, not 登 录), and the loading icon drawn without antd's
 * width animation. That animation (CSSMotion in antd's DefaultLoadingIcon) leaves the spinner on the button
 * for good when `loading` turns off while it is still entering: a refusal answered within a frame or two, as
 * 提交 after a missing 初评 is, showed an enabled 【提交】 that still spun (and was named "loading 提交").
 * A button given a loadingIcon shows it plainly while loading and drops it at once after.
 */
const BUTTON = { autoInsertSpace: false, loadingIcon: <LoadingOutlined /> };

/** Ant Design's theme, locale and message/modal context around every page but the login page. */
export function AntShell() {
  return (
    <ConfigProvider locale={zhCN} button={BUTTON} theme={THEME}>
      <AntApp>
        <Outlet />
      </AntApp>
    </ConfigProvider>
  );
}

export function NotFound() {
  return <Result status="404" title="页面不存在" extra={<Link to="/">返回我的主页</Link>} />;
}
