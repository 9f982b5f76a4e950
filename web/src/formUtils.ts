// Shared form helpers: client-side validation with the server's own zod schemas, and
// showing server errors next to their fields.
import { useCallback, useState } from 'react';
import { App } from 'antd';
import type { FormInstance } from 'antd';
import type { ZodType } from 'zod';
import { ApiError, errorMessage } from './api';

export type FieldPath = (string | number)[];

export interface FieldErrorData {
  name: FieldPath;
  errors: string[];
}

function toPath(path: readonly PropertyKey[]): FieldPath {
  return path.filter((p): p is string | number => typeof p === 'string' || typeof p === 'number');
}

/** Validates `values` with a zod schema; on failure one message per field (the first), in schema order. */
export function validateWith<T>(
  schema: ZodType<T>,
  values: unknown,
  mapPath: (path: FieldPath) => FieldPath = (p) => p,
): { ok: true; data: T } | { ok: false; fields: FieldErrorData[] } {
  const result = schema.safeParse(values);
  if (result.success) return { ok: true, data: result.data };
  const byKey = new Map<string, FieldErrorData>();
  for (const issue of result.error.issues) {
    const name = mapPath(toPath(issue.path));
    const key = name.join('.');
    if (!byKey.has(key)) byKey.set(key, { name, errors: [issue.message] });
  }
  return { ok: false, fields: [...byKey.values()] };
}

/** Server field names may be prefixed ("form.idNumber"); the forms use the bare key. */
export function serverFieldPath(field: string): FieldPath {
  const parts = field.split('.');
  if (parts[0] === 'form' && parts.length > 1) parts.shift();
  return parts.map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

/** Clears the errors of every field that currently has one. */
export function clearErrors(form: FormInstance): void {
  const withErrors = form.getFieldsError().filter((f) => f.errors.length > 0);
  if (withErrors.length) form.setFields(withErrors.map((f) => ({ name: f.name, errors: [] })));
}

/**
 * Puts validation messages under their fields (each field becomes aria-invalid and described by its message)
 * and moves the focus to the first invalid field the form shows, in the page's order, so a screen reader
 * announces it; a message for a field the form does not show stays in the form's own alert.
 */
export function showFieldErrors(form: FormInstance, fields: FieldErrorData[]): void {
  clearErrors(form);
  form.setFields(fields);
  const shown = fields.filter((f) => f.name.length && form.getFieldInstance(f.name) !== undefined);
  const first = firstInPage(form, shown.length ? shown : fields);
  if (!first || !first.name.length) return;
  // after React has rendered the messages, so the focused field is announced with its aria-describedby
  setTimeout(() => {
    form.scrollToField(first.name, { block: 'center', focus: true });
  }, 0);
}

/** The field whose element comes first in the document (validation order is the schema's, not the page's). */
function firstInPage(form: FormInstance, fields: FieldErrorData[]): FieldErrorData | undefined {
  const located = fields.map((f) => ({ f, el: fieldElement(form, f.name) }));
  const withEl = located.filter((x): x is { f: FieldErrorData; el: Element } => x.el !== null);
  if (!withEl.length) return fields[0];
  withEl.sort((a, b) => (a.el.compareDocumentPosition(b.el) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));
  return withEl[0]!.f;
}

function fieldElement(form: FormInstance, name: FieldPath): Element | null {
  const instance: unknown = form.getFieldInstance(name);
  if (instance instanceof Element) return instance;
  const nested = (instance as { input?: unknown; nativeElement?: unknown } | undefined) ?? {};
  if (nested.input instanceof Element) return nested.input;
  if (nested.nativeElement instanceof Element) return nested.nativeElement;
  return null;
}

/**
 * Returns a reporter for failed requests: the server's Chinese message as a toast, and,
 * when the reply names fields and a form is given, each message under its field.
 */
export function useErrorReporter() {
  const { message } = App.useApp();
  return useCallback(
    (err: unknown, form?: FormInstance, mapPath?: (path: FieldPath) => FieldPath) => {
      if (form && err instanceof ApiError && err.fields?.length) {
        showFieldErrors(
          form,
          err.fields.map((f) => {
            const path = serverFieldPath(f.field);
            return { name: mapPath ? mapPath(path) : path, errors: [f.message] };
          }),
        );
      }
      void message.error(errorMessage(err));
    },
    [message],
  );
}

/**
 * A form's request in flight: `run(action)` sets `submitting` until the action settles; when it fails the
 * error goes to `onError`, by default the reporter (toast, and the server's messages under `form`'s fields).
 */
export function useFormSubmit(form?: FormInstance, onError?: (err: unknown) => void) {
  const report = useErrorReporter();
  const [submitting, setSubmitting] = useState(false);
  const run = async (action: () => Promise<void>) => {
    setSubmitting(true);
    try {
      await action();
    } catch (err) {
      if (onError) onError(err);
      else report(err, form);
    } finally {
      setSubmitting(false);
    }
  };
  return { submitting, run };
}

/** Select options from a plain code table. */
export function optionsOf(values: readonly string[]): { value: string; label: string }[] {
  return values.map((v) => ({ value: v, label: v }));
}
