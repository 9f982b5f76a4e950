import { APPLICATION_FIELDS } from '../../../core';

/**
 * The local copy of a form being typed: in localStorage under the user and the application, written a
 * moment after each keystroke (and at once when the page goes away), removed after a complete save. A crash,
 * a flat battery or an expired session then loses nothing: on return the page offers to restore it.
 */
export interface LocalDraft {
  /** when it was written (ISO) */
  at: string;
  /** every field of the 申请书, blanks as null */
  form: Record<string, unknown>;
}

const PREFIX = 'xjkx.draft.';

export function draftKey(userId: string, applicationId: string): string {
  return `${PREFIX}${userId}.${applicationId}`;
}

export function readDraft(key: string): LocalDraft | null {
  try {
    const raw = window.localStorage.getItem(key);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as Partial<LocalDraft>;
    if (typeof parsed.at !== 'string' || typeof parsed.form !== 'object' || parsed.form === null) return null;
    return { at: parsed.at, form: parsed.form };
  } catch {
    return null;
  }
}

export function writeDraft(key: string, form: Record<string, unknown>): void {
  try {
    window.localStorage.setItem(key, JSON.stringify({ at: new Date().toISOString(), form } satisfies LocalDraft));
  } catch {
    /* storage full or disabled: the in-page prompt still guards */
  }
}

export function clearDraft(key: string): void {
  try {
    window.localStorage.removeItem(key);
  } catch {
    /* nothing to do */
  }
}

const blank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

/** Does the local copy say something the saved form does not? (blank, null and absent are the same) */
export function draftDiffers(local: Record<string, unknown>, saved: Record<string, unknown>): boolean {
  return APPLICATION_FIELDS.some((f) => {
    const a = local[f.key];
    const b = saved[f.key];
    if (blank(a) && blank(b)) return false;
    // the server trims what it saves (and writes the 身份证号码's X in capitals)
    const norm = (v: unknown) => (typeof v === 'string' ? v.trim().toUpperCase() : v);
    return norm(a) !== norm(b);
  });
}
