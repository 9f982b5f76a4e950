import { Alert, Button, Form, Input } from 'antd';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { checkPassword, PASSWORD_RULE, passwordChangeSchema } from '../../../../core';
import { useAuth } from '../../auth';
import { changePassword } from '../../client/experts';
import { AuthBox } from '../../components/AuthBox';
import { AuthLogoutLink } from '../../components/AuthLogoutLink';
import { PageLoading } from '../../components/AppLayout';
import { showFieldErrors, useFormSubmit, validateWith } from '../../formUtils';

const layout = {
  layout: 'horizontal' as const,
  labelCol: { flex: '110px' },
  wrapperCol: { flex: '1 1 0' },
};

/**
 * 修改初始密码 (and 修改密码): a page of its own, outside 我的主页's frame, because an account on the initial password
 * sent by SMS may call nothing else (docs/API.md) — AppLayout sends it here. After the change it goes to 我的主页.
 */
export default function ChangePasswordPage() {
  const { user, loading, setUser } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const [form] = Form.useForm();
  const { submitting, run } = useFormSubmit(form);

  if (loading) return <PageLoading />;
  if (!user) return <Navigate to="/login" replace state={{ from: location.pathname }} />;
  const initial = user.mustChangePassword;

  const onFinish = async (values: Record<string, unknown>) => {
    const checked = validateWith(passwordChangeSchema, { oldPassword: values.oldPassword ?? '', newPassword: values.newPassword ?? '' });
    const fields = checked.ok ? [] : [...checked.fields];
    if (!values.confirmPassword) fields.push({ name: ['confirmPassword'], errors: ['请再次输入新密码'] });
    else if (values.confirmPassword !== values.newPassword) fields.push({ name: ['confirmPassword'], errors: ['两次输入的新密码不一致'] });
    const notName = checked.ok ? checkPassword(checked.data.newPassword, user.username) : null;
    if (notName) fields.push({ name: ['newPassword'], errors: [notName] });
    else if (checked.ok && checked.data.oldPassword === checked.data.newPassword)
      fields.push({ name: ['newPassword'], errors: ['新密码不能与原密码相同，请设置一个新的密码'] });
    if (!checked.ok || fields.length) {
      showFieldErrors(form, fields);
      return;
    }
    await run(async () => {
      const reply = await changePassword(checked.data);
      setUser(reply.user);
      navigate('/', { replace: true, state: { passwordChanged: true } });
    });
  };

  return (
    <AuthBox title={initial ? '修改初始密码' : '修改密码'}>
      {initial && (
        <Alert
          type="warning"
          showIcon
          className="auth-alert"
          title={`${user.realName}您好：您正在使用${user.role === 'expert' ? '短信发送' : '自治区科协设置'}的初始密码。为保障账号安全，请先设置新的密码，修改后方可使用评选平台。`}
        />
      )}
      <Form form={form} name="changePassword" {...layout} onFinish={onFinish}>
        <Form.Item label={initial ? '初始密码' : '原密码'} name="oldPassword" required>
          <Input.Password autoComplete="current-password" maxLength={64} />
        </Form.Item>
        <Form.Item label="新密码" name="newPassword" required extra={PASSWORD_RULE}>
          <Input.Password autoComplete="new-password" maxLength={64} />
        </Form.Item>
        <Form.Item label="确认新密码" name="confirmPassword" required>
          <Input.Password autoComplete="new-password" maxLength={64} />
        </Form.Item>
        <Form.Item wrapperCol={{ span: 24 }}>
          <Button type="primary" htmlType="submit" block loading={submitting}>
            确定修改
          </Button>
        </Form.Item>
      </Form>
      <AuthLogoutLink />
    </AuthBox>
  );
}
