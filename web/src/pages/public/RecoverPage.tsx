import { useState } from 'react';
import { Alert, Button, Form, Input, Radio, Result, Steps } from 'antd';
import { Link } from 'react-router';
import { PASSWORD_RULE, recoverResetSchema, recoverSendSchema } from '../../../../core';
import { resetPassword, sendRecoveryCode } from '../../client/auth';
import { AuthBox } from '../../components/AuthBox';
import { CaptchaItem, useCaptcha } from '../../components/Captcha';
import { useCaptchaSubmit } from '../../components/useCaptchaSubmit';
import { showFieldErrors, useFormSubmit, validateWith } from '../../formUtils';

const layout = {
  layout: 'horizontal' as const,
  labelCol: { flex: '96px' },
  wrapperCol: { flex: '1 1 0' },
};

function SendStep({ onSent }: { onSent: (username: string, message: string) => void }) {
  const [form] = Form.useForm();
  const captcha = useCaptcha();
  const { submitting, run } = useCaptchaSubmit(form, captcha);

  const onFinish = async (values: Record<string, unknown>) => {
    const checked = validateWith(recoverSendSchema, values);
    if (!checked.ok) {
      showFieldErrors(form, checked.fields);
      return;
    }
    await run(async () => {
      // The same answer whether or not the name exists or has that address (docs/SECURITY.md).
      const reply = await sendRecoveryCode(checked.data);
      onSent(checked.data.username, reply.message);
    });
  };

  return (
    <Form form={form} name="recoverSend" {...layout} initialValues={{ channel: 'mobile' }} onFinish={onFinish}>
      <Form.Item label="用户名" name="username" required>
        <Input autoComplete="username" maxLength={64} />
      </Form.Item>
      <Form.Item label="找回方式" name="channel" required>
        <Radio.Group aria-label="找回方式">
          <Radio value="mobile">手机</Radio>
          <Radio value="email">电子邮箱</Radio>
        </Radio.Group>
      </Form.Item>
      <CaptchaItem formName="recoverSend" token={captcha.token} onRefresh={captcha.refresh} required />
      <Form.Item wrapperCol={{ span: 24 }}>
        <Button type="primary" htmlType="submit" block loading={submitting}>
          发送验证码
        </Button>
      </Form.Item>
    </Form>
  );
}

function ResetStep({ username, message, onBack, onDone }: { username: string; message: string; onBack: () => void; onDone: () => void }) {
  const [form] = Form.useForm();
  const { submitting, run } = useFormSubmit(form);

  const onFinish = async (values: Record<string, unknown>) => {
    const checked = validateWith(recoverResetSchema, { ...values, username });
    const fields = checked.ok ? [] : [...checked.fields];
    if (!values.confirmPassword) fields.push({ name: ['confirmPassword'], errors: ['请再次输入新密码'] });
    else if (values.confirmPassword !== values.newPassword) {
      fields.push({ name: ['confirmPassword'], errors: ['两次输入的密码不一致'] });
    }
    if (!checked.ok || fields.length) {
      showFieldErrors(form, fields);
      return;
    }
    await run(async () => {
      await resetPassword(checked.data);
      onDone();
    });
  };

  return (
    <>
      <Alert type="info" showIcon title={message} className="auth-alert" role="status" />
      <Form form={form} name="recoverReset" {...layout} onFinish={onFinish}>
        <Form.Item label="验证码" name="code" required extra="请输入收到的6位数字验证码">
          <Input inputMode="numeric" autoComplete="one-time-code" maxLength={6} />
        </Form.Item>
        <Form.Item label="新密码" name="newPassword" required extra={PASSWORD_RULE}>
          <Input.Password autoComplete="new-password" maxLength={64} />
        </Form.Item>
        <Form.Item label="确认新密码" name="confirmPassword" required>
          <Input.Password autoComplete="new-password" maxLength={64} />
        </Form.Item>
        <Form.Item wrapperCol={{ span: 24 }}>
          <Button type="primary" htmlType="submit" block loading={submitting}>
            重置密码
          </Button>
        </Form.Item>
      </Form>
      <div className="auth-links">
        <Button type="link" onClick={onBack}>
          没有收到？重新发送
        </Button>
      </div>
    </>
  );
}

export default function RecoverPage() {
  const [step, setStep] = useState<0 | 1 | 2>(0);
  const [sent, setSent] = useState<{ username: string; message: string } | null>(null);

  return (
    <AuthBox title="找回密码" wide>
      <Steps size="small" current={step} className="recover-steps" items={[{ title: '验证身份' }, { title: '设置新密码' }, { title: '完成' }]} />
      {step === 0 && (
        <SendStep
          onSent={(username, message) => {
            setSent({ username, message });
            setStep(1);
          }}
        />
      )}
      {step === 1 && sent && <ResetStep username={sent.username} message={sent.message} onBack={() => setStep(0)} onDone={() => setStep(2)} />}
      {step === 2 && <Result status="success" title="密码已重置" subTitle="请使用新密码登录" extra={<Link to="/login">返回登录</Link>} />}
      {step !== 2 && (
        <div className="auth-links">
          <Link to="/login">返回登录</Link>
        </div>
      )}
    </AuthBox>
  );
}
