import { useCallback, useEffect, useState } from 'react';
import { Alert, App, Button, Card, Descriptions, Input, Modal, Popconfirm, Space, Table, Tag, Typography } from 'antd';
import { errorMessage } from '../../api';
import { useAuth } from '../../auth';
import {
  disableTotp,
  getSecurity,
  regenerateRecoveryCodes,
  revokeOtherSessions,
  resetUserTotp,
  revokeSession,
  revokeUserSessions,
  userSessions,
} from '../../client/security';
import type { SecurityOverview, SessionInfo, UserSessionsReply } from '../../../../core/security';
import { ROLE_LABELS } from '../../../../core/codes';
import { TotpEnrolment } from './TotpEnrolment';

const fmt = (iso: string) =>
  new Date(iso).toLocaleString('zh-CN', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  });

/** A browser's name from its user agent, short enough for the table (the whole string is its title). */
function browserOf(ua: string | null): string {
  if (!ua) return '未知';
  const os = /Windows/.test(ua)
    ? 'Windows'
    : /Android/.test(ua)
      ? 'Android'
      : /iPhone|iPad/.test(ua)
        ? 'iOS'
        : /Mac OS/.test(ua)
          ? 'macOS'
          : /Linux/.test(ua)
            ? 'Linux'
            : '';
  const name = /MicroMessenger/.test(ua)
    ? '微信'
    : /Edg\//.test(ua)
      ? 'Edge'
      : /Chrome\//.test(ua)
        ? 'Chrome'
        : /Firefox\//.test(ua)
          ? 'Firefox'
          : /Safari\//.test(ua)
            ? 'Safari'
            : '浏览器';
  return os ? `${name}（${os}）` : name;
}

function SessionsTable({ sessions, onRevoke }: { sessions: SessionInfo[]; onRevoke?: (s: SessionInfo) => void }) {
  return (
    <Table<SessionInfo>
      rowKey="id"
      size="small"
      pagination={false}
      dataSource={sessions}
      scroll={{ x: 640 }}
      locale={{ emptyText: '没有登录中的会话' }}
      columns={[
        { title: '登录时间', dataIndex: 'createdAt', render: (v: string) => fmt(v) },
        { title: '最近活动', dataIndex: 'lastSeenAt', render: (v: string) => fmt(v) },
        { title: 'IP 地址', dataIndex: 'ip', render: (v: string | null) => v ?? '—' },
        { title: '浏览器', dataIndex: 'userAgent', render: (v: string | null) => <span title={v ?? ''}>{browserOf(v)}</span> },
        {
          title: '状态',
          key: 'state',
          render: (_: unknown, s) => (
            <Space size={4}>
              {s.current && <Tag color="blue">当前</Tag>}
              {s.stage === 'mfa' && <Tag color="orange">待输入动态验证码</Tag>}
              {s.stage === 'enroll' && <Tag color="orange">待开启两步验证</Tag>}
            </Space>
          ),
        },
        ...(onRevoke
          ? [
              {
                title: '操作',
                key: 'action',
                render: (_: unknown, s: SessionInfo) =>
                  s.current ? (
                    <Typography.Text type="secondary">本会话</Typography.Text>
                  ) : (
                    <Popconfirm title="退出该会话？该设备需重新登录。" okText="退出该会话" cancelText="取消" onConfirm={() => onRevoke(s)}>
                      <Button size="small" danger>
                        退出该会话
                      </Button>
                    </Popconfirm>
                  ),
              },
            ]
          : []),
      ]}
    />
  );
}

/** A code from the app (or a recovery code) asked before 生成新的恢复码 or 关闭两步验证. */
function CodePrompt({
  title,
  okText,
  open,
  onCancel,
  onSubmit,
}: {
  title: string;
  okText: string;
  open: boolean;
  onCancel: () => void;
  onSubmit: (code: string) => Promise<void>;
}) {
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    if (!code.trim()) {
      setError('请输入身份验证器中的6位动态验证码，或一个恢复码');
      return;
    }
    setBusy(true);
    try {
      await onSubmit(code.trim());
      setCode('');
      setError(null);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal title={title} open={open} okText={okText} cancelText="取消" confirmLoading={busy} onOk={() => void submit()} onCancel={onCancel} destroyOnHidden>
      <p>请输入身份验证器中的6位动态验证码（或一个未用过的恢复码）：</p>
      <Input
        id="security_code"
        aria-label="动态验证码"
        value={code}
        maxLength={20}
        autoComplete="one-time-code"
        status={error ? 'error' : undefined}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? 'security_code_error' : undefined}
        onChange={(e) => {
          setCode(e.target.value);
          setError(null);
        }}
        onPressEnter={() => void submit()}
      />
      {error && (
        <div id="security_code_error" className="plain-error" role="alert">
          {error}
        </div>
      )}
    </Modal>
  );
}

/** 自治区科协: any account's sessions by user name, and 强制退出 of them all. */
function AdminSessions() {
  const { message } = App.useApp();
  const { user } = useAuth();
  const [username, setUsername] = useState('');
  const [found, setFound] = useState<UserSessionsReply | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const search = async () => {
    if (!username.trim()) {
      setError('请输入要查询的用户名');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      setFound(await userSessions(username.trim()));
    } catch (err) {
      setFound(null);
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title="用户会话管理（自治区科协）" className="block-gap">
      <Space.Compact style={{ maxWidth: 420, width: '100%' }}>
        <Input
          id="admin_sessions_username"
          aria-label="用户名"
          placeholder="输入用户名查询其登录会话"
          value={username}
          status={error ? 'error' : undefined}
          onChange={(e) => setUsername(e.target.value)}
          onPressEnter={() => void search()}
        />
        <Button type="primary" loading={busy} onClick={() => void search()}>
          查询
        </Button>
      </Space.Compact>
      {error && (
        <div className="plain-error" role="alert">
          {error}
        </div>
      )}
      {found && (
        <div className="block-gap">
          <Descriptions size="small" column={{ xs: 1, sm: 3 }}>
            <Descriptions.Item label="用户名">{found.user.username}</Descriptions.Item>
            <Descriptions.Item label="姓名">{found.user.realName}</Descriptions.Item>
            <Descriptions.Item label="角色">
              {ROLE_LABELS[found.user.role]}
              {found.user.totpEnabled ? '（已开启两步验证）' : ''}
            </Descriptions.Item>
          </Descriptions>
          <SessionsTable sessions={found.sessions} />
          <Popconfirm
            title={`强制退出 ${found.user.username} 的所有会话？该用户需重新登录。`}
            okText="强制退出"
            cancelText="取消"
            onConfirm={async () => {
              try {
                const { ended } = await revokeUserSessions(found.user.id);
                void message.success(`已强制退出 ${ended} 个会话`);
                setFound(await userSessions(found.user.username));
              } catch (err) {
                void message.error(errorMessage(err));
              }
            }}
          >
            <Button danger className="block-gap" disabled={found.sessions.length === 0}>
              强制退出该用户的所有会话
            </Button>
          </Popconfirm>
          {found.user.totpEnabled && found.user.id !== user?.id && (
            <Popconfirm
              title={`重置 ${found.user.username} 的两步验证？仅用于本人手机和恢复码均已丢失、且已核实身份的情况。重置后该用户的所有会话将退出，须重新开启两步验证。`}
              okText="重置"
              cancelText="取消"
              onConfirm={async () => {
                try {
                  await resetUserTotp(found.user.id);
                  void message.success('两步验证已重置');
                  setFound(await userSessions(found.user.username));
                } catch (err) {
                  void message.error(errorMessage(err));
                }
              }}
            >
              <Button danger className="block-gap" style={{ marginLeft: 8 }}>
                重置两步验证
              </Button>
            </Popconfirm>
          )}
        </div>
      )}
    </Card>
  );
}

/** 账号安全 (docs/api/security.md): two-factor log-in, its recovery codes, and the account's sessions. */
export default function SecurityPage() {
  const { user, setUser } = useAuth();
  const { message } = App.useApp();
  const [overview, setOverview] = useState<SecurityOverview | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [prompt, setPrompt] = useState<'regenerate' | 'disable' | null>(null);
  const [newCodes, setNewCodes] = useState<string[] | null>(null);

  const load = useCallback(async () => {
    try {
      setOverview(await getSecurity());
      setLoadError(null);
    } catch (err) {
      setLoadError(errorMessage(err));
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  if (loadError) return <Alert type="error" showIcon title={loadError} />;
  if (!overview || !user) return null;
  const { totp } = overview;
  const others = overview.sessions.filter((s) => !s.current).length;

  return (
    <>
      <Typography.Title level={4}>账号安全</Typography.Title>
      <Card title="两步验证" className="block-gap">
        {totp.enabled ? (
          <>
            <Descriptions size="small" column={1}>
              <Descriptions.Item label="状态">
                <Tag color="green">已开启</Tag>
                {totp.enabledAt && `（${fmt(totp.enabledAt)} 开启）`}
              </Descriptions.Item>
              <Descriptions.Item label="剩余恢复码">{totp.recoveryCodesLeft} 个</Descriptions.Item>
            </Descriptions>
            {totp.recoveryCodesLeft <= 3 && <Alert type="warning" showIcon className="block-gap" title="恢复码所剩不多，请生成新的恢复码并妥善保存。" />}
            {newCodes && (
              <Alert
                type="success"
                showIcon
                className="block-gap"
                title="新的恢复码（只显示这一次，旧的恢复码已作废）"
                description={
                  <ol className="totp-recovery-codes" aria-label="恢复码">
                    {newCodes.map((c) => (
                      <li key={c}>
                        <code>{c}</code>
                      </li>
                    ))}
                  </ol>
                }
              />
            )}
            <Space wrap>
              <Button onClick={() => setPrompt('regenerate')}>生成新的恢复码</Button>
              {totp.required ? (
                <Typography.Text type="secondary">您的账号必须使用两步验证，不能关闭。</Typography.Text>
              ) : (
                <Button danger onClick={() => setPrompt('disable')}>
                  关闭两步验证
                </Button>
              )}
            </Space>
          </>
        ) : (
          <TotpEnrolment
            onDone={(next) => {
              setUser(next);
              void message.success('两步验证已开启，其他设备上的登录已退出');
              void load();
            }}
          />
        )}
      </Card>
      <Card
        title="登录会话"
        className="block-gap"
        extra={
          <Popconfirm
            title="退出其他所有会话？其他设备需重新登录。"
            okText="全部退出"
            cancelText="取消"
            disabled={others === 0}
            onConfirm={async () => {
              try {
                const { ended } = await revokeOtherSessions();
                void message.success(`已退出 ${ended} 个其他会话`);
                await load();
              } catch (err) {
                void message.error(errorMessage(err));
              }
            }}
          >
            <Button disabled={others === 0}>退出其他所有会话</Button>
          </Popconfirm>
        }
      >
        <Typography.Paragraph type="secondary">以下是您的账号当前登录中的设备。发现不认识的登录时，请退出该会话并立即修改密码。</Typography.Paragraph>
        <SessionsTable
          sessions={overview.sessions}
          onRevoke={async (s) => {
            try {
              await revokeSession(s.id);
              void message.success('该会话已退出');
              await load();
            } catch (err) {
              void message.error(errorMessage(err));
            }
          }}
        />
      </Card>
      {user.role === 'organizer' && <AdminSessions />}
      <CodePrompt
        title={prompt === 'disable' ? '关闭两步验证' : '生成新的恢复码'}
        okText={prompt === 'disable' ? '关闭两步验证' : '生成'}
        open={prompt !== null}
        onCancel={() => setPrompt(null)}
        onSubmit={async (code) => {
          if (prompt === 'disable') {
            await disableTotp(code);
            void message.success('两步验证已关闭');
          } else {
            setNewCodes((await regenerateRecoveryCodes(code)).recoveryCodes);
          }
          setPrompt(null);
          await load();
        }}
      />
    </>
  );
}
