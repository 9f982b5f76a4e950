import { useState } from 'react';
import { App, Button, Form, Input, Result, Tabs } from 'antd';
import type { FormInstance } from 'antd';
import { Link, useNavigate } from 'react-router';
import type { ZodType } from 'zod';
import { applicantRegisterSchema, PASSWORD_RULE, unitRegisterSchema } from '../../../../core';
import { registerApplicant, registerUnit } from '../../client/auth';
import { useAuth } from '../../auth';
import { AuthBox } from '../../components/AuthBox';
import { CaptchaItem, useCaptcha } from '../../components/Captcha';
import { UnitInfoItems } from '../../components/UnitInfoItems';
import { ContactItems } from '../../components/ContactItems';
import { useCaptchaSubmit } from '../../components/useCaptchaSubmit';
import { showFieldErrors, validateWith } from '../../formUtils';

const USERNAME_HELP = '4至32个字符，以英文字母开头，可含字母、数字和下划线';

/** Schema check plus 确认密码, all messages shown under their fields. */
function validateRegistration<T>(form: FormInstance, schema: ZodType<T>, values: Record<string, unknown>): T | null {
  const checked = validateWith(schema, values);
  const fields = checked.ok ? [] : [...checked.fields];
  const confirm = values.confirmPassword;
  if (!confirm) fields.push({ name: ['confirmPassword'], errors: ['请再次输入密码'] });
  else if (confirm !== values.password) fields.push({ name: ['confirmPassword'], errors: ['两次输入的密码不一致'] });
  if (fields.length || !checked.ok) {
    showFieldErrors(form, fields);
    return null;
  }
  return checked.data;
}

function PasswordItems() {
  return (
    <>
      <Form.Item label="密码" name="password" required extra={PASSWORD_RULE}>
        <Input.Password autoComplete="new-password" maxLength={64} />
      </Form.Item>
      <Form.Item label="确认密码" name="confirmPassword" required>
        <Input.Password autoComplete="new-password" maxLength={64} />
      </Form.Item>
    </>
  );
}

/** 验证码 and the 注册 button, at the foot of both forms. */
function CaptchaAndSubmit({ formName, captcha, submitting }: { formName: string; captcha: ReturnType<typeof useCaptcha>; submitting: boolean }) {
  return (
    <>
      <CaptchaItem formName={formName} token={captcha.token} onRefresh={captcha.refresh} required />
      <Form.Item wrapperCol={{ span: 24 }}>
        <Button type="primary" htmlType="submit" block loading={submitting}>
          注册
        </Button>
      </Form.Item>
    </>
  );
}

const formLayout = {
  layout: 'horizontal' as const,
  labelCol: { flex: '96px' },
  wrapperCol: { flex: '1 1 0' },
  labelWrap: true,
};

function ApplicantRegister({ captcha }: { captcha: ReturnType<typeof useCaptcha> }) {
  const [form] = Form.useForm();
  const { submitting, run } = useCaptchaSubmit(form, captcha);
  const { message } = App.useApp();
  const { setUser } = useAuth();
  const navigate = useNavigate();

  const onFinish = async (values: Record<string, unknown>) => {
    const data = validateRegistration(form, applicantRegisterSchema, values);
    if (!data) return;
    await run(async () => {
      const reply = await registerApplicant(data);
      void message.success('注册成功');
      setUser(reply.user);
      navigate('/', { replace: true });
    });
  };

  return (
    <Form form={form} name="applicantRegister" {...formLayout} onFinish={onFinish}>
      <Form.Item label="用户名" name="username" required extra={USERNAME_HELP}>
        <Input autoComplete="username" maxLength={32} />
      </Form.Item>
      <PasswordItems />
      <Form.Item label="真实姓名" name="realName" required>
        <Input autoComplete="name" maxLength={30} />
      </Form.Item>
      <Form.Item label="手机" name="mobile" required>
        <Input autoComplete="tel" inputMode="numeric" maxLength={11} />
      </Form.Item>
      <Form.Item label="电子邮箱" name="email" required>
        <Input autoComplete="email" inputMode="email" maxLength={100} />
      </Form.Item>
      <CaptchaAndSubmit formName="applicantRegister" captcha={captcha} submitting={submitting} />
    </Form>
  );
}

function UnitRegister({ captcha, onDone }: { captcha: ReturnType<typeof useCaptcha>; onDone: (msg: string) => void }) {
  const [form] = Form.useForm();
  const { submitting, run } = useCaptchaSubmit(form, captcha);

  const onFinish = async (values: Record<string, unknown>) => {
    const data = validateRegistration(form, unitRegisterSchema, values);
    if (!data) return;
    await run(async () => {
      const reply = await registerUnit(data);
      onDone(reply.message || '注册成功，请等待自治区科协审核，审核通过后方可登录');
    });
  };

  return (
    <Form form={form} name="unitRegister" {...formLayout} onFinish={onFinish}>
      <UnitInfoItems registration />
      <ContactItems help />
      <Form.Item label="用户名" name="username" required extra={USERNAME_HELP}>
        <Input autoComplete="username" maxLength={32} />
      </Form.Item>
      <PasswordItems />
      <CaptchaAndSubmit formName="unitRegister" captcha={captcha} submitting={submitting} />
    </Form>
  );
}

export default function RegisterPage() {
  const captcha = useCaptcha();
  const [pendingMessage, setPendingMessage] = useState<string | null>(null);

  if (pendingMessage) {
    return (
      <AuthBox title="推荐单位注册" wide>
        <Result status="success" title="注册信息已提交" subTitle={pendingMessage} extra={<Link to="/login">返回登录</Link>} />
      </AuthBox>
    );
  }

  return (
    <AuthBox wide>
      <Tabs
        centered
        destroyOnHidden
        // One captcha cookie per browser: a new image whenever the other form is shown.
        onChange={() => captcha.refresh()}
        items={[
          { key: 'applicant', label: '个人注册', children: <ApplicantRegister captcha={captcha} /> },
          { key: 'unit', label: '推荐单位注册', children: <UnitRegister captcha={captcha} onDone={setPendingMessage} /> },
        ]}
      />
      <div className="auth-links">
        <span>已有账号？</span>
        <Link to="/login">返回登录</Link>
      </div>
    </AuthBox>
  );
}
