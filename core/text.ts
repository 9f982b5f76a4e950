// The one text schema. Every text a user sends (form fields, names, opinions, queries, settings) is a
// `text(label)`: a string that holds only characters a person can type. A NUL byte, another control
// character or half of a UTF-16 surrogate pair cannot be stored by PostgreSQL (or is silently mangled),
// so it is refused here, with the field's name, before anything reaches the database.
// Lint forbids `z.string()` anywhere else (eslint.config.js), so no text field can bypass this.
import { z } from 'zod';
import { zhCN } from 'zod/locales';

// zod's own messages (a union, a wrong type without our message) in Chinese. In the browser `jitless` keeps zod
// from probing `new Function`, which the CSP forbids; on the server (no window) zod compiles each object schema's
// parser once, which makes a 300-row reply's encoding about a third faster (bench:review). It must be decided here,
// before any schema is built: zod fixes the choice when a schema is constructed.
z.config({ ...zhCN(), jitless: typeof window !== 'undefined' });

// C0 controls except tab, line feed and carriage return; DEL; unpaired surrogates; the non-characters U+FFFE/U+FFFF.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNTYPEABLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The problem with a text's characters, or null: "<label>含有无法识别的字符…". */
export function checkCharacters(value: string, label: string): string | null {
  const m = UNTYPEABLE.exec(value);
  if (!m) return null;
  const code = m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
  return `${label}含有无法识别的字符（第${Array.from(value.slice(0, m.index)).length + 1}个字符，U+${code}，如空字符、控制字符或不完整的文字编码），请删除后重新输入`;
}

export interface TextOptions {
  /** the message when the value is missing or not a string; defaults to "请填写<label>" */
  required?: string;
}

/**
 * A string field named `label`: not a string (or missing) → `required`'s message; untypeable characters →
 * checkCharacters' message. Chain `.trim()`, `.min()`, `.max()`, `.regex()` … as with z.string().
 */
export function text(label: string, options: TextOptions = {}) {
  return z.string({ error: options.required ?? `请填写${label}` }).refine((v) => checkCharacters(v, label) === null, {
    error: (issue) => checkCharacters(String(issue.input), label) ?? `${label}含有无法识别的字符`,
    abort: true,
  });
}

/**
 * A string in a reply schema (core/replies.ts): text the server sends, checked by text(label) when it came in.
 * Reply schemas choose which fields leave the server; they do not judge stored text again (one old value would
 * turn every reply carrying it into a 500). Never for input: a request's text is `text(label)`.
 */
export function replyText() {
  return z.string();
}
