import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { ContactFooter } from '../../components/ContactFooter';

/** The frame of the public pages (no login): the platform's name, 公示公告, 登录, then the page. */
export function PublicFrame({ children }: { children: ReactNode }) {
  return (
    <div className="public-page">
      <header className="public-header">
        <Link to="/gongshi" className="public-brand">
          新疆科技工作者之家 · 公示公告
        </Link>
        <Link to="/login" className="public-login">
          登录
        </Link>
      </header>
      <main className="public-main">{children}</main>
      <ContactFooter />
    </div>
  );
}

/** 公示中 / 未开始 / 已期满 from the period and today (the server's `open` says whether objections are taken). */
export function publicPhase(p: { startsOn: string; endsOn: string; open: boolean }, today = new Date()): string {
  const day = new Date(today.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
  if (p.open) return '公示中';
  return day < p.startsOn ? '未开始' : '已期满';
}

export const PHASE_COLORS: Record<string, string> = { 公示中: 'green', 未开始: 'blue', 已期满: 'default', 已撤回: 'red' };
