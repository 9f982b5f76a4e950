import { Form, Input } from 'antd';

/**
 * The account's own 手机 (required) and 电子邮箱 (optional): where 找回 codes, log-in codes and 待办理 texts go.
 * In the unit's registration, 推荐单位管理 → 新建推荐单位 and 账号信息.
 */
export function ContactItems({ help = false }: { help?: boolean }) {
  return (
    <>
      <Form.Item
        label="手机"
        name="mobile"
        required
        extra={help ? '账号管理员的手机：接收找回密码验证码和待办理提醒（联系电话为固定电话时也须填写）' : undefined}
      >
        <Input autoComplete="tel" inputMode="numeric" maxLength={11} />
      </Form.Item>
      <Form.Item label="电子邮箱" name="email" extra={help ? '选填：也可通过电子邮箱找回密码' : undefined}>
        <Input autoComplete="email" inputMode="email" maxLength={100} />
      </Form.Item>
    </>
  );
}
