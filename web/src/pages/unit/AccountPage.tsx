import { useEffect } from 'react';
import { Alert, App, Button, Card, Descriptions, Form, Input } from 'antd';
import { accountContactSchema } from '../../../../core';
import { getContact, saveContact } from '../../client/account';
import { useAuth } from '../../auth';
import { ContactItems } from '../../components/ContactItems';
import { showFieldErrors, useFormSubmit, validateWith } from '../../formUtils';
import { useLoader } from '../../hooks';

/**
 * The form's columns, made once: Ant Design's Form gives them to every Form.Item through a context, so a new
 * object at each render would draw every field again (each keystroke, each step of the page).
 */
const LABEL_COL = { flex: '96px' };
const WRAPPER_COL = { flex: '0 1 360px' };

/** 账号信息: the account's 手机 and 电子邮箱, where 找回 codes and 待办理 texts go (PUT /api/account/contact). */
export default function AccountPage() {
  const { user, refresh } = useAuth();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const { submitting, run } = useFormSubmit(form);
  const { data, loading, error } = useLoader(getContact, []);

  useEffect(() => {
    if (data) form.setFieldsValue({ mobile: data.mobile ?? '', email: data.email ?? '' });
  }, [data, form]);

  if (!user) return null;

  const save = async () => {
    const checked = validateWith(accountContactSchema, form.getFieldsValue(true));
    if (!checked.ok) {
      showFieldErrors(form, checked.fields);
      return;
    }
    await run(async () => {
      const saved = await saveContact(checked.data);
      form.setFieldsValue({ mobile: saved.mobile ?? '', email: saved.email ?? '', currentPassword: '' });
      void message.success('账号信息已保存');
      await refresh();
    });
  };

  return (
    <Card title="账号信息" loading={loading}>
      {error && <Alert type="error" showIcon title={error} className="block-gap" />}
      {data && !data.mobile && (
        <Alert
          type="warning"
          showIcon
          className="block-gap"
          title="本账号尚未登记手机"
          description="请填写手机并保存：找回密码的验证码和待办理申请书的短信提醒都发送到这里。"
        />
      )}
      <Descriptions column={1} size="small" className="block-gap">
        <Descriptions.Item label="用户名">{user.username}</Descriptions.Item>
        {user.unit && <Descriptions.Item label="单位">{user.unit.name}</Descriptions.Item>}
      </Descriptions>
      <Form form={form} name="accountContact" layout="horizontal" labelCol={LABEL_COL} wrapperCol={WRAPPER_COL} onFinish={() => void save()}>
        <ContactItems help />
        <Form.Item name="currentPassword" label="当前密码" extra="手机和电子邮箱用于找回密码，修改前请输入当前密码确认是本人操作">
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        <Form.Item label=" " colon={false}>
          <Button type="primary" htmlType="submit" loading={submitting}>
            保存
          </Button>
        </Form.Item>
      </Form>
    </Card>
  );
}
