import { useCallback, useState } from 'react';
import { Form, Input } from 'antd';

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

/** 验证码 input with the captcha image beside it; click the image for another one. */
export function CaptchaItem({ formName, token, onRefresh, required }: Props) {
  return (
    <Form.Item label="验证码" htmlFor={`${formName}_captcha`} required={required}>
      <div className="captcha-row">
        <Form.Item name="captcha" noStyle>
          <Input autoComplete="off" maxLength={8} inputMode="text" placeholder="请输入图中字符" />
        </Form.Item>
        <button type="button" className="captcha-img" aria-label="换一张" title="看不清？点击换一张" onClick={onRefresh}>
          <img src={`/api/captcha?t=${token}`} alt="验证码图片" width={120} height={40} />
        </button>
      </div>
    </Form.Item>
  );
}
