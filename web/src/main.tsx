import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App as AntApp, ConfigProvider } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { AuthProvider } from './auth';
import { AppRoutes } from './routes';
import './styles.css';

dayjs.locale('zh-cn');

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <ConfigProvider
        locale={zhCN}
        // Button texts must read exactly as in the manual (登录, not 登 录).
        button={{ autoInsertSpace: false }}
        theme={{ token: { colorPrimary: '#1f5fa8', borderRadius: 4, fontSize: 14 } }}
      >
        <AntApp>
          <AuthProvider>
            <AppRoutes />
          </AuthProvider>
        </AntApp>
      </ConfigProvider>
    </StrictMode>,
  );
}
