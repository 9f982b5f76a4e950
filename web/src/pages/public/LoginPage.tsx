import { useCallback, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { Link, Navigate, useLocation, useNavigate } from 'react-router';
import { ApiError, errorMessage } from '../../api';
import { useAuth } from '../../auth';
import { captchaUrl, login, OIDC_START_URL } from '../../client/auth';
import { submitSecondFactor } from '../../client/security';
import { AuthBox } from '../../components/AuthBox';

interface LoginState {
  from?: string;
  expired?: boolean;
}

/**
 * core's loginSchema, fetched when the user first focuses a field (or at the latest on 登录): the rules and zod are
 * not part of the first screen, so a phone paints the form and responds without waiting for them.
 */
let accounts: Promise<typeof import('../../../../core/accounts')> | null = null;
const loadRules = () => (accounts ??= import('../../../../core/accounts'));

type Field = 'username' | 'password' | 'captcha' | 'smsCode';
type Values = Record<Field, string>;
const ORDER: Field[] = ['username', 'password', 'captcha', 'smsCode'];

/**
 * 登录 — the first page of every user, drawn without Ant Design (plain elements styled like it in styles.css,
 * `.plain-form`), so that a first visit on a phone needs only React, the router and this form (issue 11, item 9).
 * It keeps what the Ant Design form did: the fields' ids (login_username, …), labels, the check of core's
 * loginSchema before sending, every error next to its field (aria-invalid, aria-describedby) with the first
 * invalid field focused, a refused password marked and focused, the captcha renewed after every failure, and
 * the 短信验证码 field when the account is under attack (docs/SECURITY.md).
 */
export default function LoginPage() {
  const { user, loading, oidc, setUser } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const state = (location.state ?? {}) as LoginState;
  // 使用合作网站登录 comes back as /login?error=… when the partner site refused or failed.
  const [error, setError] = useState<string | null>(() => new URLSearchParams(location.search).get('error'));
  const [smsCodeAsked, setSmsCodeAsked] = useState(false);
  const [values, setValues] = useState<Values>({ username: '', password: '', captcha: '', smsCode: '' });
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [submitting, setSubmitting] = useState(false);
  const [captchaToken, setCaptchaToken] = useState(() => Date.now());
  const [showPassword, setShowPassword] = useState(false);
  const inputs = useRef<Partial<Record<Field, HTMLInputElement | null>>>({});
  const target = state.from && state.from !== '/login' ? state.from : '/';

  const refreshCaptcha = useCallback(() => setCaptchaToken((t) => Math.max(Date.now(), t + 1)), []);

  /** Shows the errors and moves focus to the first field that has one (screen readers announce it). */
  const showErrors = (next: Partial<Record<Field, string>>) => {
    setErrors(next);
    const first = ORDER.find((f) => next[f]);
    if (first) window.setTimeout(() => inputs.current[first]?.focus(), 0);
  };

  // the password was right and the account has two-factor log-in: the second step (docs/api/security.md)
  if (!loading && user?.stage === 'mfa') return <SecondFactor target={target} />;
  if (!loading && user) return <Navigate to={target} replace />;

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    if (submitting) return;
    const { smsCode, ...credentials } = values;
    const input = smsCodeAsked && smsCode ? { ...credentials, smsCode } : credentials;
    let checked;
    try {
      checked = (await loadRules()).loginSchema.safeParse(input);
    } catch {
      accounts = null; // the rules could not be fetched (network): the server checks everything anyway
      setError('网络连接失败，请检查网络后重试');
      return;
    }
    if (!checked.success) {
      const next: Partial<Record<Field, string>> = {};
      for (const issue of checked.error.issues) {
        const field = issue.path[0] as Field;
        next[field] ??= issue.message;
      }
      showErrors(next);
      return;
    }
    setErrors({});
    setError(null);
    setSubmitting(true);
    // the pages after 登录 need Ant Design's frame (shell.tsx): fetch it while the server checks the password
    void import('../../shell').catch(() => {});
    try {
      const reply = await login(checked.data);
      setUser(reply.user);
      // stage 'mfa': this page shows the second step (above); 'enroll': 我的主页 sends the user to the set-up page
      if (reply.user.stage !== 'mfa') navigate(target, { replace: true });
    } catch (err) {
      const message = errorMessage(err);
      setError(message);
      if (err instanceof ApiError && err.fields?.some((f) => f.field === 'smsCode')) setSmsCodeAsked(true);
      // a refused password (or account): the field is marked invalid, described by the message, and focused
      else if (err instanceof ApiError && err.status === 401) showErrors({ password: message });
      else if (err instanceof ApiError && err.fields?.length) {
        const next: Partial<Record<Field, string>> = {};
        for (const f of err.fields) if ((ORDER as string[]).includes(f.field)) next[f.field as Field] ??= f.message;
        showErrors(next);
      }
      // a captcha is good for one try
      setValues((v) => ({ ...v, captcha: '' }));
      refreshCaptcha();
    } finally {
      setSubmitting(false);
    }
  };

  const field = (name: Field, label: string, control: (props: ControlProps) => ReactNode, extra?: string) => {
    const id = `login_${name}`;
    const message = errors[name];
    const described = [message ? `${id}_error` : null, extra ? `${id}_extra` : null].filter(Boolean).join(' ') || undefined;
    return (
      <div className={message ? 'plain-item plain-item-error' : 'plain-item'}>
        <label className="plain-label" htmlFor={id}>
          {label}
        </label>
        <div className="plain-control">
          {control({
            id,
            name,
            value: values[name],
            'aria-invalid': message ? true : undefined,
            'aria-describedby': described,
            ref: (el: HTMLInputElement | null) => {
              inputs.current[name] = el;
            },
            onChange: (e) => {
              const value = e.target.value;
              setValues((v) => ({ ...v, [name]: value }));
              if (errors[name]) setErrors((x) => ({ ...x, [name]: undefined }));
            },
          })}
          {message && (
            <div id={`${id}_error`} className="plain-error" role="alert">
              {message}
            </div>
          )}
          {extra && (
            <div id={`${id}_extra`} className="plain-extra">
              {extra}
            </div>
          )}
        </div>
      </div>
    );
  };

  return (
    <AuthBox>
      {state.expired && !error && (
        <div className="plain-alert plain-alert-info auth-alert" role="status">
          登录已过期，请重新登录
        </div>
      )}
      {error && (
        <div className="plain-alert plain-alert-error auth-alert" role="alert">
          {error}
        </div>
      )}
      <form
        className={smsCodeAsked ? 'plain-form plain-form-wide' : 'plain-form'}
        name="login"
        onFocus={() => void loadRules().catch(() => (accounts = null))}
        onSubmit={(e) => void onSubmit(e)}
        noValidate
      >
        {field('username', '用户名', (p) => (
          <input {...p} className="plain-input" autoComplete="username" maxLength={64} />
        ))}
        {field('password', '密码', (p) => (
          <span className="plain-affix">
            <input {...p} className="plain-input" type={showPassword ? 'text' : 'password'} autoComplete="current-password" maxLength={64} />
            <button
              type="button"
              className="plain-eye"
              aria-label={showPassword ? '隐藏明文' : '显示明文'}
              aria-pressed={showPassword}
              onClick={() => setShowPassword((s) => !s)}
            >
              <EyeIcon open={showPassword} />
            </button>
          </span>
        ))}
        {field('captcha', '验证码', (p) => (
          <div className="captcha-row">
            <input {...p} className="plain-input" autoComplete="off" maxLength={8} inputMode="text" placeholder="请输入图中字符" />
            <button type="button" className="captcha-img" aria-label="换一张" title="看不清？点击换一张" onClick={refreshCaptcha}>
              <img src={captchaUrl(captchaToken)} alt="验证码图片" width={120} height={38} />
            </button>
          </div>
        ))}
        {smsCodeAsked &&
          field(
            'smsCode',
            '短信验证码',
            (p) => <input {...p} className="plain-input" inputMode="numeric" autoComplete="one-time-code" maxLength={6} />,
            '请输入手机短信（未登记手机时为电子邮件）中收到的6位数字',
          )}
        <button type="submit" className="plain-button plain-button-primary" aria-busy={submitting || undefined} disabled={submitting}>
          {submitting && <span className="plain-spinner" aria-hidden="true" />}
          登录
        </button>
      </form>
      <div className="auth-links">
        <Link to="/register">注册</Link>
        <Link to="/recover">找回</Link>
        <Link to="/gongshi">公示公告</Link>
      </div>
      {oidc.enabled && (
        <div className="auth-oidc">
          <a href={OIDC_START_URL} title={oidc.name || undefined}>
            使用合作网站登录
          </a>
        </div>
      )}
    </AuthBox>
  );
}

/**
 * 两步验证, the second step of 登录: the 6 digits of the authenticator app, or one of the recovery codes. Plain
 * elements like the form above; the error is shown next to the field, which keeps the focus.
 */
function SecondFactor({ target }: { target: string }) {
  const { setUser, logout } = useAuth();
  const navigate = useNavigate();
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const input = useRef<HTMLInputElement | null>(null);

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    if (submitting) return;
    const given = code.trim();
    if (!/^\d{6}$/.test(given) && !/^[A-Za-z0-9]{5}[\s-]?[A-Za-z0-9]{5}$/.test(given)) {
      setError(given ? '验证码格式不正确：应为身份验证器中的6位数字，或形如 k7m2p-x9qra 的恢复码' : '请输入身份验证器中的6位动态验证码，或一个恢复码');
      input.current?.focus();
      return;
    }
    setSubmitting(true);
    try {
      const reply = await submitSecondFactor(given);
      setUser(reply.user);
      navigate(target, { replace: true });
    } catch (err) {
      setError(errorMessage(err));
      setCode('');
      // locked (423) or the session ended: back to the password
      if (err instanceof ApiError && (err.status === 423 || err.status === 401)) setUser(null);
      else window.setTimeout(() => input.current?.focus(), 0);
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <AuthBox>
      <form className="plain-form plain-form-wide" name="mfa" onSubmit={(e) => void onSubmit(e)} noValidate>
        <h2 className="auth-step-title">两步验证</h2>
        <p className="plain-extra" id="login_code_extra">
          请打开手机上的身份验证器（如腾讯身份验证器、Microsoft
          Authenticator），输入“新疆科协”下显示的6位动态验证码。手机不在身边时，可输入开启两步验证时保存的一个恢复码（每个只能用一次）。
        </p>
        <div className={error ? 'plain-item plain-item-error' : 'plain-item'}>
          <label className="plain-label" htmlFor="login_code">
            动态验证码
          </label>
          <div className="plain-control">
            <input
              id="login_code"
              name="code"
              ref={input}
              className="plain-input"
              value={code}
              autoFocus
              autoComplete="one-time-code"
              maxLength={20}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? 'login_code_error login_code_extra' : 'login_code_extra'}
              onChange={(e) => {
                setCode(e.target.value);
                if (error) setError(null);
              }}
            />
            {error && (
              <div id="login_code_error" className="plain-error" role="alert">
                {error}
              </div>
            )}
          </div>
        </div>
        <button type="submit" className="plain-button plain-button-primary" aria-busy={submitting || undefined} disabled={submitting}>
          {submitting && <span className="plain-spinner" aria-hidden="true" />}
          验证并登录
        </button>
      </form>
      <div className="auth-links">
        <button type="button" className="plain-link" onClick={() => void logout()}>
          返回重新登录
        </button>
      </div>
    </AuthBox>
  );
}

interface ControlProps {
  id: string;
  name: string;
  value: string;
  'aria-invalid'?: boolean;
  'aria-describedby'?: string;
  ref: (el: HTMLInputElement | null) => void;
  onChange: (e: React.ChangeEvent<HTMLInputElement>) => void;
}

function EyeIcon({ open }: { open: boolean }) {
  return (
    <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false">
      <path
        fill="currentColor"
        d="M12 5c-5 0-9 4.5-10 7 1 2.5 5 7 10 7s9-4.5 10-7c-1-2.5-5-7-10-7zm0 12a5 5 0 1 1 0-10 5 5 0 0 1 0 10zm0-8a3 3 0 1 0 0 6 3 3 0 0 0 0-6z"
      />
      {!open && <path stroke="currentColor" strokeWidth="2" d="M4 4l16 16" />}
    </svg>
  );
}
