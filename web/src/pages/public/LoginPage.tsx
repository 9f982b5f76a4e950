import { useState } from 'react';
import { Alert, Button, Form, Input } from 'antd';
import { Link, Navigate, useLocation, useNavigate } from 'react-router';
import { loginSchema } from '../../../../core';
import { ApiError, errorMessage } from '../../api';
import { useAuth } from '../../auth';
import { login } from '../../client/auth';
import { AuthBox } from '../../components/AuthBox';
import { CaptchaItem, useCaptcha } from '../../components/Captcha';
import { useCaptchaSubmit } from '../../components/useCaptchaSubmit';
import { showFieldErrors, validateWith } from '../../formUtils';

interface LoginState {
  from?: string;
  expired?: boolean;
}

export default function LoginPage() {
  const [form] = Form.useForm();
  const { user, loading, oidc, setUser } = useAuth();
  const captcha = useCaptcha();
  const navigate = useNavigate();
  const location = useLocation();
  const state = (location.state ?? {}) as LoginState;
  // 使用合作网站登录 comes back as /login?error=… when the partner site refused or failed.
  const [error, setError] = useState<string | null>(() => new URLSearchParams(location.search).get('error'));
  // While the account is under attack from many addresses, the server asks for a code it sent to the
  // registered mobile (docs/SECURITY.md): the field appears and the next 登录 sends it.
  const [smsCodeAsked, setSmsCodeAsked] = useState(false);
  const { submitting, run } = useCaptchaSubmit(form, captcha, (err) => {
    setError(errorMessage(err));
    if (err instanceof ApiError && err.fields?.some((f) => f.field === 'smsCode')) setSmsCodeAsked(true);
    // a refused password (or account): the field is marked invalid, described by the message, and focused
    else if (err instanceof ApiError && err.status === 401) showFieldErrors(form, [{ name: ['password'], errors: [errorMessage(err)] }]);
    else if (err instanceof ApiError && err.fields?.length) {
      showFieldErrors(
        form,
        err.fields.map((f) => ({ name: [f.field], errors: [f.message] })),
      );
    }
  });
  const target = state.from && state.from !== '/login' ? state.from : '/';

  if (!loading && user) return <Navigate to={target} replace />;

  const onFinish = async (values: Record<string, unknown>) => {
    const { smsCode, ...credentials } = values;
    const checked = validateWith(loginSchema, smsCodeAsked && smsCode ? values : credentials);
    if (!checked.ok) {
      showFieldErrors(form, checked.fields);
      return;
    }
    setError(null);
    await run(async () => {
      const reply = await login(checked.data);
      setUser(reply.user);
      navigate(target, { replace: true });
    });
  };

  return (
    <AuthBox>
      {state.expired && !error && <Alert type="info" showIcon title="登录已过期，请重新登录" className="auth-alert" />}
      {error && <Alert type="error" showIcon title={error} className="auth-alert" role="alert" />}
      <Form
        form={form}
        name="login"
        layout="horizontal"
        labelCol={{ flex: smsCodeAsked ? '88px' : '72px' }} // 短信验证码 is the longest label
        wrapperCol={{ flex: '1 1 0' }}
        onFinish={onFinish}
        autoComplete="on"
        requiredMark={false}
      >
        <Form.Item label="用户名" name="username">
          <Input autoComplete="username" maxLength={64} />
        </Form.Item>
        <Form.Item label="密码" name="password">
          <Input.Password autoComplete="current-password" maxLength={64} />
        </Form.Item>
        <CaptchaItem formName="login" token={captcha.token} onRefresh={captcha.refresh} />
        {smsCodeAsked && (
          <Form.Item label="短信验证码" name="smsCode" extra="请输入手机短信（未登记手机时为电子邮件）中收到的6位数字">
            <Input inputMode="numeric" autoComplete="one-time-code" maxLength={6} />
          </Form.Item>
        )}
        <Form.Item wrapperCol={{ span: 24 }}>
          <Button type="primary" htmlType="submit" block loading={submitting}>
            登录
          </Button>
        </Form.Item>
      </Form>
      <div className="auth-links">
        <Link to="/register">注册</Link>
        <Link to="/recover">找回</Link>
      </div>
      {oidc.enabled && (
        <div className="auth-oidc">
          <a href="/api/auth/oidc/start" title={oidc.name || undefined}>
            使用合作网站登录
          </a>
        </div>
      )}
    </AuthBox>
  );
}
