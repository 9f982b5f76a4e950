import { DatePicker, Form, Input, Radio, Select } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import type { ApplicationField } from '../../../../core';
import { optionsOf } from '../../formUtils';

/**
 * Where the browser sizes a textarea to its text by itself (CSS field-sizing: Chromium, so most phones here), Ant
 * Design's autoSize is not used: it measures each textarea in script (a forced layout of the page) when drawn and
 * at each change, which on the 申请书 cost more than drawing its texts (issue 11, item 9). Elsewhere autoSize stays.
 */
const NATIVE_SIZING = typeof CSS !== 'undefined' && CSS.supports('field-sizing', 'content');
const TEXTAREA_CLASSES = { textarea: 'grow-textarea' };

/** Props that Form.Item injects into its child (id, value, onChange, …), passed on to the control. */
type Injected = Record<string, unknown>;

/** The input of one application field (without its Form.Item). */
export function FieldInput({ field, ...rest }: { field: ApplicationField } & Injected) {
  switch (field.kind) {
    case 'select':
      return <Select {...rest} options={optionsOf(field.options ?? [])} placeholder="请选择" allowClear showSearch={{ optionFilterProp: 'label' }} />;
    case 'date':
      return (
        <DatePicker {...rest} className="full-width" placeholder="请选择日期" format="YYYY-MM-DD" disabledDate={(d: Dayjs) => d.isAfter(dayjs(), 'day')} />
      );
    case 'textarea':
      return (
        <Input.TextArea
          {...rest}
          showCount
          maxLength={field.maxLength}
          autoSize={NATIVE_SIZING ? false : { minRows: 8, maxRows: 30 }}
          classNames={NATIVE_SIZING ? TEXTAREA_CLASSES : undefined}
          placeholder={field.help ? `请填写${field.label}，${field.help}` : `请填写${field.label}`}
        />
      );
    case 'bool':
      return (
        <Radio.Group {...rest} aria-label={field.label}>
          <Radio value={true}>是</Radio>
          <Radio value={false}>否</Radio>
        </Radio.Group>
      );
    default:
      return <Input {...rest} maxLength={field.maxLength} placeholder={field.help} autoComplete="off" />;
  }
}

/** Dates are kept as 'YYYY-MM-DD' strings in the form; the picker works with dayjs. */
const dateProps = {
  getValueProps: (v: unknown) => ({ value: typeof v === 'string' && v ? dayjs(v, 'YYYY-MM-DD') : undefined }),
  normalize: (v: unknown) => (dayjs.isDayjs(v) ? v.format('YYYY-MM-DD') : undefined),
};

/** A Form.Item for one field, with the red * of required fields (the check itself is the zod schema). */
export function FieldItem({ field, className }: { field: ApplicationField; className?: string }) {
  return (
    <Form.Item name={field.key} label={field.label} required={field.required} className={className} {...(field.kind === 'date' ? dateProps : {})}>
      <FieldInput field={field} />
    </Form.Item>
  );
}
