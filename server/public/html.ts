// A tagged template for the public pages' HTML: every interpolated value is escaped unless it is itself an Html
// (made by this tag or by `trusted` for the few fixed fragments of our own). No user text ever reaches the page raw.
// The tag is not called `html`: prettier would format such templates as HTML and change the bytes sent.

export class Html {
  constructor(readonly value: string) {}
  toString() {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

type Value = Html | string | number | boolean | null | undefined | readonly Value[];

function render(value: Value): string {
  if (value === null || value === undefined || value === false || value === true) return '';
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/** markup`<p>${text}</p>`: text escaped, nested markup`` fragments and arrays of them kept as they are. */
export function markup(strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return new Html(out);
}

/** A fixed fragment written in this code (the page's CSS): never for anything that came from a user. */
export const trusted = (fragment: string) => new Html(fragment);
