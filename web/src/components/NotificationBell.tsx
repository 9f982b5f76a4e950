import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { useLocation, useNavigate } from 'react-router';
import type { Role } from '../../../core';
import { listNotifications, markNotificationsRead } from '../client/notifications';
import { formatTime } from '../hooks';
import type { AppNotification, NotificationsReply } from '../types';

const REFRESH_MS = 60_000;

/** Where a message about an application leads, for each role. */
function targetOf(role: Role, applicationId: string): string {
  if (role === 'applicant') return `/zmkj/applications/${applicationId}`;
  return `/zmkj/handle/${applicationId}`;
}

/**
 * The top bar's bell: in-app messages, refreshed every minute and on navigation. The badge is the server's
 * unread count; opening the bell marks what it lists as read (POST /api/notifications/read), and the
 * messages that were new keep their highlight until it closes. Plain elements (styles.css, .bell-*): it is on
 * every logged-in page (issue 11, item 9).
 */
export function NotificationBell({ role, userId }: { role: Role; userId: string }) {
  const navigate = useNavigate();
  const location = useLocation();
  const [items, setItems] = useState<AppNotification[]>([]);
  const [unread, setUnread] = useState(0);
  const [open, setOpen] = useState(false);
  // ids marked read while the bell is open: still shown as new until it closes
  const [fresh, setFresh] = useState<ReadonlySet<AppNotification['id']>>(new Set());
  const openRef = useRef(false);
  const boxRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const panelId = useId();

  const load = useCallback(async (): Promise<NotificationsReply | null> => {
    try {
      const inbox = await listNotifications();
      setItems(inbox.items);
      setUnread(inbox.unread);
      return inbox;
    } catch {
      return null; // the bell stays as it was; the page itself reports errors
    }
  }, []);

  const markRead = useCallback(async (ids?: AppNotification['id'][]) => {
    try {
      const reply = await markNotificationsRead(ids);
      setUnread(reply.unread);
      const marked = ids ? new Set(ids) : null;
      setItems((list) => list.map((n) => (!marked || marked.has(n.id) ? { ...n, read: true } : n)));
    } catch {
      // still unread: the badge shows the server's count at the next refresh
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load, location.pathname, userId]);

  useEffect(() => {
    const timer = window.setInterval(() => {
      if (!openRef.current) void load();
    }, REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [load]);

  const onOpenChange = async (o: boolean) => {
    setOpen(o);
    openRef.current = o;
    if (!o) {
      setFresh(new Set());
      return;
    }
    const inbox = await load();
    if (!inbox || inbox.unread === 0) return;
    const listed = inbox.items.filter((n) => !n.read).map((n) => n.id);
    setFresh(new Set(listed));
    // older unread messages beyond the listed ones are marked too, or the badge would never clear
    await markRead(listed.length < inbox.unread ? undefined : listed);
  };

  const close = useCallback(() => {
    setOpen(false);
    openRef.current = false;
    setFresh(new Set());
  }, []);

  // a click outside the bell or its panel, or Escape, closes it (as a popover does)
  useEffect(() => {
    if (!open) return;
    const onPointer = (e: PointerEvent) => {
      if (e.target instanceof Node && !boxRef.current?.contains(e.target)) close();
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      close();
      buttonRef.current?.focus();
    };
    document.addEventListener('pointerdown', onPointer);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('pointerdown', onPointer);
      document.removeEventListener('keydown', onKey);
    };
  }, [open, close]);

  const list =
    items.length === 0 ? (
      <p className="bell-empty">暂无消息</p>
    ) : (
      <ul className="bell-list" aria-label="消息列表">
        {items.map((n) => {
          const isNew = !n.read || fresh.has(n.id);
          return (
            <li key={n.id} className={isNew ? 'bell-item bell-unread' : 'bell-item'}>
              {n.applicationId ? (
                <a
                  href={targetOf(role, n.applicationId)}
                  onClick={(e) => {
                    e.preventDefault();
                    setOpen(false);
                    openRef.current = false;
                    setFresh(new Set());
                    if (!n.read) void markRead([n.id]);
                    navigate(targetOf(role, n.applicationId!));
                  }}
                >
                  {n.body}
                </a>
              ) : (
                <span>{n.body}</span>
              )}
              <span className="bell-time">{formatTime(n.createdAt)}</span>
            </li>
          );
        })}
      </ul>
    );

  return (
    <div className="bell" ref={boxRef}>
      <button
        ref={buttonRef}
        type="button"
        className="bell-btn"
        aria-label={unread ? `消息通知（${unread}条未读）` : '消息通知'}
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => void onOpenChange(!open)}
      >
        <svg viewBox="64 64 896 896" width="1em" height="1em" fill="currentColor" aria-hidden="true" focusable="false">
          <path d="M816 768h-24V428c0-141.1-104.3-257.7-240-277.1V112c0-22.1-17.9-40-40-40s-40 17.9-40 40v38.9c-135.7 19.4-240 136-240 277.1v340h-24c-17.7 0-32 14.3-32 32v32c0 4.4 3.6 8 8 8h216c0 61.8 50.2 112 112 112s112-50.2 112-112h216c4.4 0 8-3.6 8-8v-32c0-17.7-14.3-32-32-32zM512 888c-26.5 0-48-21.5-48-48h96c0 26.5-21.5 48-48 48zM304 768V428c0-55.6 21.6-107.8 60.9-147.1S456.4 220 512 220c55.6 0 107.8 21.6 147.1 60.9S720 372.4 720 428v340H304z" />
        </svg>
      </button>
      {/* beside the button, not in it: the button's name says the count in words */}
      {unread > 0 && (
        <span className="bell-badge" aria-hidden="true">
          {unread > 99 ? '99+' : unread}
        </span>
      )}
      {open && (
        <div className="bell-popover" id={panelId} role="region" aria-label="消息通知">
          <div className="bell-title">消息通知</div>
          {list}
        </div>
      )}
    </div>
  );
}
