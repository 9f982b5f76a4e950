import { useCallback, useEffect, useState } from 'react';
import { Badge, Button, Empty, Popover, Typography } from 'antd';
import { BellOutlined } from '@ant-design/icons';
import { useLocation, useNavigate } from 'react-router';
import type { Role } from '../../../core';
import { api } from '../api';
import { formatTime } from '../hooks';
import type { AppNotification } from '../types';

const REFRESH_MS = 60_000;

/** Where a message about an application leads, for each role. */
function targetOf(role: Role, applicationId: string): string {
  if (role === 'applicant') return `/zmkj/applications/${applicationId}`;
  return `/zmkj/handle/${applicationId}`;
}

/** The top bar's bell: in-app messages (GET /api/notifications), refreshed every minute and on navigation. */
export function NotificationBell({ role, userId }: { role: Role; userId: string }) {
  const navigate = useNavigate();
  const location = useLocation();
  const [items, setItems] = useState<AppNotification[]>([]);
  const [open, setOpen] = useState(false);
  // The server keeps no "read" mark yet; what was listed when the bell was last opened counts as read.
  const seenKey = `xjkx.notifications.seen.${userId}`;
  const [seenAt, setSeenAt] = useState<string>(() => localStorage.getItem(seenKey) ?? '');

  const load = useCallback(async () => {
    try {
      setItems(await api<AppNotification[]>('GET', '/api/notifications'));
    } catch {
      // the bell stays as it was; the page itself reports errors
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load, location.pathname]);

  useEffect(() => {
    const timer = window.setInterval(() => void load(), REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [load]);

  const isUnread = (n: AppNotification) => !n.read && n.createdAt > seenAt;
  const unread = items.filter(isUnread).length;

  const markSeen = () => {
    const newest = items.reduce((m, n) => (n.createdAt > m ? n.createdAt : m), seenAt);
    if (newest !== seenAt) {
      localStorage.setItem(seenKey, newest);
      setSeenAt(newest);
    }
  };

  const list =
    items.length === 0 ? (
      <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="暂无消息" />
    ) : (
      <ul className="bell-list" aria-label="消息列表">
        {items.map((n) => (
          <li key={n.id} className={isUnread(n) ? 'bell-item bell-unread' : 'bell-item'}>
            {n.applicationId ? (
              <a
                href={targetOf(role, n.applicationId)}
                onClick={(e) => {
                  e.preventDefault();
                  setOpen(false);
                  markSeen();
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
        ))}
      </ul>
    );

  return (
    <Popover
      title="消息通知"
      content={<div className="bell-popover">{list}</div>}
      trigger="click"
      placement="bottomRight"
      open={open}
      onOpenChange={(o) => {
        setOpen(o);
        if (o) void load();
        else markSeen();
      }}
    >
      <Badge count={unread} size="small" overflowCount={99} offset={[-4, 4]}>
        <Button
          type="text"
          className="bell-btn"
          icon={<BellOutlined aria-hidden="true" />}
          aria-label={unread ? `消息通知（${unread}条未读）` : '消息通知'}
        />
      </Badge>
    </Popover>
  );
}
