// The failed tests of a vitest JSON report, a line each: CI keeps only the end of a run's output, so the summary
// names each failure and its cause there, not only thousands of lines above it.
import fs from 'node:fs';
import path from 'node:path';

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
const MAX = 12;

/**
 * @param {string} report a vitest JSON report's path (missing or unreadable: none)
 * @param {string} root the repository, to print paths relative to it
 * @returns {string[]} `file:line › test name — the error's first line`, at most 12 and a count of the rest
 */
export function failedTests(report, root) {
  let json;
  try {
    json = JSON.parse(fs.readFileSync(report, 'utf8'));
  } catch {
    return [];
  }
  const lines = [];
  for (const file of json.testResults ?? []) {
    const rel = path.relative(root, file.name ?? '');
    const failed = (file.assertionResults ?? []).filter((t) => t.status === 'failed');
    // a file that failed outside its tests (an import, a hook) has a message of its own
    if (!failed.length && file.status === 'failed') lines.push(`${rel} — ${firstLine(file.message ?? '')}`);
    for (const t of failed) {
      const message = (t.failureMessages ?? []).join('\n').replace(ANSI, '');
      const escaped = rel.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const at = new RegExp(`${escaped}:(\\d+)`).exec(message);
      lines.push(`${rel}${at ? `:${at[1]}` : ''} › ${t.fullName ?? t.title} — ${firstLine(message)}`);
    }
  }
  return lines.length > MAX ? [...lines.slice(0, MAX), `… and ${lines.length - MAX} more`] : lines;
}

function firstLine(message) {
  const line =
    message
      .replace(ANSI, '')
      .split('\n')
      .find((l) => l.trim()) ?? '';
  const text = line.trim().replace(/\s+/g, ' ');
  return text.length > 240 ? `${text.slice(0, 240)}…` : text;
}
