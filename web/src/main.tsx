import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { AuthProvider } from './auth';
import { AppRoutes } from './routes';
import './styles.css';

// Ant Design (its theme, locale and the App context of messages and dialogs) is set up in shell.tsx, loaded with
// the first page that uses it; the login page does without it (issue 11, item 9).
const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <AuthProvider>
        <AppRoutes />
      </AuthProvider>
    </StrictMode>,
  );
}
