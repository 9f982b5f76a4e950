import { useCallback, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { Link, Navigate, useLocation, useNavigate } from 'react-router';
import { ApiError, errorMessage } from '../../api';
import { useAuth } from '../../auth';
import { captchaUrl, login, OIDC_START_URL } from '../../client/auth';
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
      navigate(target, { replace: true });
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
