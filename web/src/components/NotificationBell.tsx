import { useCallback, useEffect, useRef, useState } from 'react';
import { Badge, Button, Empty, Popover, Typography } from 'antd';
import { BellOutlined } from '@ant-design/icons';
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
 * messages that were new keep their highlight until it closes.
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

  const list =
    items.length === 0 ? (
      <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="暂无消息" />
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
              <Typography.Text type="secondary" className="bell-time">
                {formatTime(n.createdAt)}
              </Typography.Text>
            </li>
          );
        })}
      </ul>
    );

  return (
    <Popover
      // the title inside the named region: the popover renders outside the page's landmarks
      content={
        <div className="bell-popover" role="region" aria-label="消息通知">
          <div className="ant-popover-title">消息通知</div>
          {list}
        </div>
      }
      trigger="click"
      placement="bottomRight"
      open={open}
      onOpenChange={(o) => void onOpenChange(o)}
    >
      <Badge count={unread} size="small" overflowCount={99} offset={[-4, 4]}>
        <Button type="text" className="bell-btn" icon={<BellOutlined aria-hidden="true" />} aria-label={unread ? `消息通知（${unread}条未读）` : '消息通知'} />
      </Badge>
    </Popover>
  );
}
