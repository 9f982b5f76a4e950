import type { FormInstance } from 'antd';
import { useErrorReporter, useFormSubmit } from '../formUtils';
import type { useCaptcha } from './Captcha';

/**
 * `useFormSubmit` for a form with a 验证码: a captcha is good for one try, so after every failure the field
 * is cleared and a new image loaded. `onError` (by default the reporter, with the form's fields) runs first.
 */
export function useCaptchaSubmit(form: FormInstance, captcha: Pick<ReturnType<typeof useCaptcha>, 'refresh'>, onError?: (err: unknown) => void) {
  const report = useErrorReporter();
  return useFormSubmit(form, (err) => {
    if (onError) onError(err);
    else report(err, form);
    form.setFieldValue('captcha', '');
    captcha.refresh();
  });
}
