import type { ReactNode } from 'react';
import { ContactFooter } from './ContactFooter';

/** The manual's login box: platform name, module name, then the form. */
export function AuthBox({ title, children, wide }: { title?: string; children: ReactNode; wide?: boolean }) {
  return (
    <div className="auth-page">
      <main className={wide ? 'auth-box auth-box-wide' : 'auth-box'}>
        <header className="auth-head">
          <h1>新疆科技工作者之家 申报平台</h1>
          <div className="auth-module">最美科技工作者</div>
        </header>
        {title && <h2 className="auth-title">{title}</h2>}
        {children}
      </main>
      <ContactFooter />
    </div>
  );
}
