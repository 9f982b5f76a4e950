import { useId, useState, type KeyboardEvent } from 'react';
import { Link, useLocation } from 'react-router';
import type { Role } from '../../../core';

// The manual's left menu, drawn with plain elements (styles.css, .side-menu): every logged-in page shows it, so
// Ant Design's Menu (its styles generated at run time, its motion and overflow measuring) was part of every
// page's first seconds on a phone (issue 11, item 9). Each entry is a link: it opens in a new tab like any link,
// and the router's navigation (with the unsaved-changes guard) handles a plain click.

/** 最美科技工作者 sub-items per role, as in the manual. */
export const ROLE_MENU: Record<Role, { key: string; label: string }[]> = {
  applicant: [{ key: '/zmkj/mine', label: '我的申报表' }],
  unit: [
    { key: '/zmkj/pending', label: '待审核申报表' },
    { key: '/zmkj/search', label: '查询申报表' },
    { key: '/zmkj/publicity', label: '初评公示' },
    { key: '/zmkj/stats', label: '统计' },
    { key: '/zmkj/exports', label: '数据导出' },
  ],
  organizer: [
    { key: '/zmkj/pending', label: '待审核申报表' },
    { key: '/zmkj/search', label: '查询申报表' },
    { key: '/zmkj/publicity', label: '初评公示' },
    { key: '/admin/objections', label: '公示异议' },
    { key: '/admin/units', label: '推荐单位管理' },
    { key: '/admin/experts', label: '评审专家' },
    { key: '/admin/expert-groups', label: '评审组' },
    { key: '/admin/review', label: '网上评选管理' },
    { key: '/admin/ranking', label: '网上评选结果' },
    { key: '/admin/shortlist', label: '入围名单' },
    { key: '/admin/meeting', label: '集中评选' },
    { key: '/admin/selection', label: '最终评选结果' },
    { key: '/admin/publication', label: '发布结果' },
    { key: '/admin/certificates', label: '证书' },
    { key: '/zmkj/stats', label: '统计' },
    { key: '/zmkj/exports', label: '数据导出' },
    { key: '/admin/outbox', label: '消息发件箱' },
    { key: '/admin/messages', label: '消息模板与后台任务' },
    { key: '/admin/audit', label: '审计日志' },
    { key: '/admin/settings', label: '评选活动设置' },
  ],
  expert: [
    { key: '/zmkj/review', label: '网上评选' },
    { key: '/zmkj/meeting', label: '集中评选' },
  ],
};

/** Other programs of the business system: listed like the manual, not open yet. */
const OTHER_MODULES = ['资助学会重点项目', '科协九大代表、九届委员登记', '科学技术普及奖', '自然科学优秀论文奖', '新疆青年科技奖'];

/** The menu entry a page belongs to (a 申请书 opened from 我的申报表 keeps 我的申报表 marked). */
export function selectedKey(pathname: string): string {
  if (pathname.startsWith('/zmkj/applications/')) return '/zmkj/mine';
  if (pathname.startsWith('/zmkj/handle/')) return '/zmkj/pending';
  if (pathname.startsWith('/zmkj/view/')) return '/zmkj/search';
  if (pathname.startsWith('/zmkj/review/')) return '/zmkj/review';
  if (pathname.startsWith('/zmkj/publicity')) return '/zmkj/publicity';
  return pathname;
}

/**
 * ↑ ↓ Home End move between the menu's entries (the keys of a menu, WAI-ARIA's menu pattern); Tab still goes
 * through them in order as links do. Entries not open yet and those of a closed group are skipped.
 */
function moveFocus(event: KeyboardEvent<HTMLElement>) {
  const keys = ['ArrowDown', 'ArrowUp', 'Home', 'End'];
  if (!keys.includes(event.key)) return;
  const items = [...event.currentTarget.querySelectorAll<HTMLElement>('[role="menuitem"]:not([aria-disabled="true"])')].filter(
    (el) => el.offsetParent !== null,
  );
  if (items.length === 0) return;
  event.preventDefault();
  const at = items.indexOf(document.activeElement as HTMLElement);
  const next =
    event.key === 'Home'
      ? 0
      : event.key === 'End'
        ? items.length - 1
        : event.key === 'ArrowDown'
          ? (at + 1) % items.length
          : (at - 1 + items.length) % items.length;
  items[next]?.focus();
}

function Entry({ to, label, selected, onNavigate }: { to: string; label: string; selected: boolean; onNavigate?: () => void }) {
  return (
    <li role="none">
      <Link
        to={to}
        role="menuitem"
        className={selected ? 'side-menu-item side-menu-selected' : 'side-menu-item'}
        aria-current={selected ? 'page' : undefined}
        onClick={onNavigate}
      >
        {label}
      </Link>
    </li>
  );
}

export function SideMenu({ role, onNavigate }: { role: Role; onNavigate?: () => void }) {
  const { pathname } = useLocation();
  const [open, setOpen] = useState(true);
  const ids = useId();
  const selected = selectedKey(pathname);
  const common = [{ key: '/', label: '我的主页' }, ...(role === 'unit' ? [{ key: '/account', label: '账号信息' }] : [])];
  return (
    <nav aria-label="功能菜单" className="side-menu-nav">
      <ul role="menu" aria-label="功能菜单" className="side-menu" onKeyDown={moveFocus}>
        <li role="none" className="side-menu-group">
          <div id={`${ids}-common`} className="side-menu-group-title">
            常用功能
          </div>
          <ul role="group" aria-labelledby={`${ids}-common`}>
            {common.map((i) => (
              <Entry key={i.key} to={i.key} label={i.label} selected={selected === i.key} onNavigate={onNavigate} />
            ))}
          </ul>
        </li>
        {OTHER_MODULES.map((name) => (
          <li role="none" key={name}>
            <span role="menuitem" aria-disabled="true" className="side-menu-item side-menu-disabled" title="暂未开放">
              {name}
              <span className="visually-hidden">（暂未开放）</span>
            </span>
          </li>
        ))}
        <li role="none">
          <button
            type="button"
            role="menuitem"
            className="side-menu-item side-menu-submenu"
            aria-haspopup="true"
            aria-expanded={open}
            aria-controls={`${ids}-zmkj`}
            onClick={() => setOpen((o) => !o)}
          >
            最美科技工作者
            <svg className="side-menu-arrow" viewBox="64 64 896 896" width="10" height="10" fill="currentColor" aria-hidden="true" focusable="false">
              <path d="M884 256h-75c-5.1 0-9.9 2.5-12.9 6.6L512 654.2 227.9 262.6c-3-4.1-7.8-6.6-12.9-6.6h-75c-6.5 0-10.3 7.4-6.5 12.7l352.6 486.1c12.8 17.6 39 17.6 51.7 0l352.6-486.1c3.9-5.3.1-12.7-6.4-12.7z" />
            </svg>
          </button>
          <ul role="menu" id={`${ids}-zmkj`} aria-label="最美科技工作者" className="side-menu-sub" hidden={!open}>
            {ROLE_MENU[role].map((i) => (
              <Entry key={i.key} to={i.key} label={i.label} selected={selected === i.key} onNavigate={onNavigate} />
            ))}
          </ul>
        </li>
      </ul>
    </nav>
  );
}
