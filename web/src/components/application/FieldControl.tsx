import { createContext, useContext, type ChangeEvent, type ReactNode } from 'react';
import { Field } from '@rc-component/form';
import type { ApplicationField } from '../../../../core';

/**
 * The 申请书's fields, drawn with the browser's own controls (text, date, select, textarea, radio) inside the
 * page's Ant Design Form: `Field` (the Form's own engine, @rc-component/form) binds each to the form's values, its
 * errors (setFields, a refused 【保存】) and its id (`application_<key>`, which form.scrollToField finds). Ant
 * Design's Form.Item and its Input, Select and DatePicker cost most of the page's main-thread time on a phone
 * (issue 11, item 9: each Form.Item measures whether it is on screen, each control generates its styles), and a
 * phone's own date and list pickers are the ones its users know.
 */

/** Whether the form's controls are disabled (the 申请书 is not the applicant's to edit now). */
export const FieldsDisabled = createContext(false);

const today = () => {
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
};

interface ControlProps {
  field: ApplicationField;
  id: string;
  value: unknown;
  onChange: (value: unknown) => void;
  disabled: boolean;
  invalid: boolean;
  describedBy: string | undefined;
}

const text = (v: unknown) => (typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v));

/** The control of one field, by its kind. */
function Control({ field: f, id, value, onChange, disabled, invalid, describedBy }: ControlProps) {
  const common = {
    id,
    disabled,
    'aria-invalid': invalid || undefined,
    'aria-required': f.required || undefined,
    'aria-describedby': describedBy,
  };
  const onText = (e: ChangeEvent<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>) => onChange(e.target.value);
  switch (f.kind) {
    case 'select': {
      const v = text(value);
      // a stored value that is not one of the choices (a restored local copy, an older list) is shown as it is,
      // not as 请选择: 【保存】 then names it as not saved, and the user sees what to change
      const stray = v !== '' && !(f.options ?? []).includes(v);
      return (
        <select {...common} className="plain-input plain-select" value={v} onChange={onText}>
          <option value="">请选择</option>
          {stray && <option value={v}>{v}</option>}
          {(f.options ?? []).map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      );
    }
    case 'date':
      return <input {...common} type="date" className="plain-input" value={text(value)} max={today()} onChange={onText} />;
    case 'textarea': {
      const v = text(value);
      return (
        <div className="plain-textarea">
          <textarea
            {...common}
            className="plain-input plain-textarea-input"
            value={v}
            maxLength={f.maxLength}
            placeholder={f.help ? `请填写${f.label}，${f.help}` : `请填写${f.label}`}
            onChange={onText}
          />
          <span className="plain-count" aria-hidden="true">
            {f.maxLength ? `${v.length} / ${f.maxLength}` : v.length}
          </span>
        </div>
      );
    }
    case 'bool':
      return (
        <div
          id={id}
          role="radiogroup"
          aria-label={f.label}
          aria-disabled={disabled || undefined}
          aria-invalid={common['aria-invalid']}
          aria-required={common['aria-required']}
          aria-describedby={describedBy}
          className="plain-radios"
        >
          {[true, false].map((choice) => (
            <label key={String(choice)} className="plain-radio">
              <input type="radio" name={id} checked={value === choice} disabled={disabled} onChange={() => onChange(choice)} />
              {choice ? '是' : '否'}
            </label>
          ))}
        </div>
      );
    default:
      return (
        <input
          {...common}
          type="text"
          className="plain-input"
          value={text(value)}
          maxLength={f.maxLength}
          placeholder={f.help}
          autoComplete="off"
          onChange={onText}
        />
      );
  }
}

/** A field's label, with the red * of required fields (the check itself is the zod schema). */
function Label({ htmlFor, required, children }: { htmlFor?: string; required?: boolean; children: ReactNode }) {
  const Tag = htmlFor ? 'label' : 'span';
  return (
    <div className="plain-field-label">
      <Tag htmlFor={htmlFor} className={required ? 'plain-field-required' : undefined}>
        {children}
      </Tag>
    </div>
  );
}

/** One field of the 申请书: its label, its control and what is wrong with it. */
export function FieldItem({ field, className }: { field: ApplicationField; className?: string }) {
  const disabled = useContext(FieldsDisabled);
  const id = `application_${field.key}`;
  return (
    <Field name={field.key}>
      {(control, meta) => {
        const errors = meta.errors;
        const errorId = errors.length ? `${id}_error` : undefined;
        return (
          <div className={`plain-field${errors.length ? ' plain-item-error' : ''}${className ? ` ${className}` : ''}`}>
            <Label htmlFor={field.kind === 'bool' ? undefined : id} required={field.required}>
              {field.label}
            </Label>
            <div className="plain-field-control">
              <Control
                field={field}
                id={id}
                value={control.value}
                onChange={control.onChange as (v: unknown) => void}
                disabled={disabled}
                invalid={errors.length > 0}
                describedBy={errorId}
              />
              {errors.length > 0 && (
                <div id={errorId} className="plain-error" role="alert">
                  {errors.join('；')}
                </div>
              )}
            </div>
          </div>
        );
      }}
    </Field>
  );
}

/** A cell of 个人信息 that is not a field (申请书编号, 推荐单位, 附件材料): a label and what it shows. */
export function InfoItem({ label, required, children }: { label: string; required?: boolean; children: ReactNode }) {
  return (
    <div className="plain-field">
      <Label required={required}>{label}</Label>
      <div className="plain-field-control">{children}</div>
    </div>
  );
}
