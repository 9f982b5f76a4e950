import { useState } from 'react';
import { Alert, Button, Input, Space, Typography } from 'antd';
import { errorMessage } from '../../api';
import { beginTotpSetup, enableTotp } from '../../client/security';
import type { User } from '../../types';
import type { TotpSetupReply } from '../../../../core/security';

/** The secret in groups of four, as the apps show a key typed by hand. */
const grouped = (secret: string) => secret.replace(/(.{4})/g, '$1 ').trim();

/**
 * 开启两步验证 (docs/api/security.md): 【开启两步验证】 shows the QR code and the key; a code from the app confirms it;
 * then the 10 recovery codes are shown once, to be written down or downloaded, and 【我已保存恢复码】 ends it.
 */
export function TotpEnrolment({ onDone }: { onDone: (user: User) => void }) {
  const [setup, setSetup] = useState<TotpSetupReply | null>(null);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<{ recoveryCodes: string[]; user: User } | null>(null);

  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      setSetup(await beginTotpSetup());
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const confirm = async () => {
    const given = code.trim();
    if (!/^\d{6}$/.test(given)) {
      setError(given ? '验证码应为身份验证器中显示的6位数字' : '请输入身份验证器中显示的6位数字');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      setDone(await enableTotp(given));
    } catch (err) {
      setError(errorMessage(err));
      setCode('');
    } finally {
      setBusy(false);
    }
  };

  if (done) {
    const text = `新疆科技工作者之家 申报平台 两步验证恢复码\n每个恢复码只能使用一次，请妥善保管。\n\n${done.recoveryCodes.join('\n')}\n`;
    return (
      <div className="totp-enrolment">
        <Alert
          type="success"
          showIcon
          title="两步验证已开启"
          description="以下10个恢复码只显示这一次。手机丢失或不在身边时，可用其中一个代替动态验证码登录，每个只能用一次。请立即抄写或下载保存，不要保存在同一部手机上。"
        />
        <ol className="totp-recovery-codes" aria-label="恢复码">
          {done.recoveryCodes.map((c) => (
            <li key={c}>
              <code>{c}</code>
            </li>
          ))}
        </ol>
        <Space wrap>
          <Button href={`data:text/plain;charset=utf-8,${encodeURIComponent(text)}`} download="新疆科协-恢复码.txt">
            下载恢复码
          </Button>
          <Button type="primary" onClick={() => onDone(done.user)}>
            我已保存恢复码
          </Button>
        </Space>
      </div>
    );
  }

  if (!setup) {
    return (
      <div className="totp-enrolment">
        {error && <Alert type="error" showIcon title={error} className="block-gap" />}
        <Typography.Paragraph>
          开启后，登录时除密码外还需输入手机身份验证器（如腾讯身份验证器、Microsoft Authenticator、Google
          Authenticator）中的6位动态验证码，密码泄露也不会被他人登录。
        </Typography.Paragraph>
        <Button type="primary" loading={busy} onClick={() => void start()}>
          开启两步验证
        </Button>
      </div>
    );
  }

  return (
    <div className="totp-enrolment">
      <Typography.Paragraph>第一步：用手机上的身份验证器扫描下面的二维码（或手动输入密钥）添加账号，账号名称显示为“新疆科协”。</Typography.Paragraph>
      <div className="totp-qr">
        <img src={setup.qr} alt="两步验证二维码" width={220} height={220} />
        <div>
          <div>无法扫描时，在身份验证器中选择“输入密钥”，密钥（基于时间）：</div>
          <code className="totp-secret" data-secret={setup.secret}>
            {grouped(setup.secret)}
          </code>
        </div>
      </div>
      <Typography.Paragraph>第二步：输入身份验证器中显示的6位数字，完成开启。</Typography.Paragraph>
      <Space.Compact className="totp-confirm">
        <Input
          id="totp_code"
          aria-label="动态验证码"
          placeholder="6位数字"
          value={code}
          maxLength={6}
          inputMode="numeric"
          autoComplete="one-time-code"
          status={error ? 'error' : undefined}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'totp_code_error' : undefined}
          onChange={(e) => {
            setCode(e.target.value);
            if (error) setError(null);
          }}
          onPressEnter={() => void confirm()}
        />
        <Button type="primary" loading={busy} onClick={() => void confirm()}>
          确认开启
        </Button>
      </Space.Compact>
      {error && (
        <div id="totp_code_error" className="plain-error" role="alert">
          {error}
        </div>
      )}
    </div>
  );
}
