import { useCallback, useState, type Ref } from 'react';
import { Form, Input, type InputRef } from 'antd';
import { captchaUrl } from '../client/auth';

/** The image captcha's cache-busting token; `refresh()` loads a new image (after every failure). */
export function useCaptcha() {
  const [token, setToken] = useState(() => Date.now());
  const refresh = useCallback(() => setToken((t) => Math.max(Date.now(), t + 1)), []);
  return { token, refresh };
}

interface Props {
  /** The antd Form `name`, to link the label to the input id. */
  formName: string;
  token: number;
  onRefresh: () => void;
  required?: boolean;
}

interface InputProps {
  token: number;
  onRefresh: () => void;
  value?: string;
  onChange?: (e: React.ChangeEvent<HTMLInputElement>) => void;
  id?: string;
  'aria-describedby'?: string;
  'aria-invalid'?: boolean | 'true' | 'false';
  'aria-required'?: boolean | 'true' | 'false';
  ref?: Ref<InputRef>;
}

/**
 * The field's control: the input (which gets the Form.Item's id, value and aria-* — its describedby names the
 * error text the item renders) and the image beside it.
 */
function CaptchaInput({ token, onRefresh, ref, ...input }: InputProps) {
  return (
    <div className="captcha-row">
      <Input {...input} ref={ref} autoComplete="off" maxLength={8} inputMode="text" placeholder="请输入图中字符" />
      <button type="button" className="captcha-img" aria-label="换一张" title="看不清？点击换一张" onClick={onRefresh}>
        <img src={captchaUrl(token)} alt="验证码图片" width={120} height={38} />
      </button>
    </div>
  );
}

/** 验证码 input with the captcha image beside it; click the image for another one. */
export function CaptchaItem({ formName, token, onRefresh, required }: Props) {
  return (
    <Form.Item label="验证码" name="captcha" htmlFor={`${formName}_captcha`} required={required}>
      <CaptchaInput token={token} onRefresh={onRefresh} />
    </Form.Item>
  );
}
