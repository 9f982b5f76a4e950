/**
 * bench/bundle: what a first visit of each page downloads, from the build's own manifest (issue 11, item 9).
 *
 *   npm run build:web && npm run bench:bundle
 *
 * For each page of web/src/routes.tsx it follows the static imports from index.html's entry, from Ant Design's frame
 * (web/src/shell.tsx, loaded by every page but the login page, which is part of the entry) and from the page's lazy
 * chunk (other dynamic imports, e.g. a dialog loaded on its first click, are not counted) and prints the
 * JavaScript and CSS in bytes as built and as sent (the .br copy when the browser accepts brotli, as Chromium
 * does). The HTML, the API's JSON, fonts and images are not in it: bench:web measures the whole wire.
 * It builds nothing and asserts nothing.
 */
import fs from 'node:fs';
import path from 'node:path';

const dist = path.resolve(process.env.WEB_DIST ?? path.join(import.meta.dirname, '../web/dist'));
const manifestFile = path.join(dist, '.vite/manifest.json');
if (!fs.existsSync(manifestFile)) {
  console.error(`没有找到 ${path.relative(process.cwd(), manifestFile)}：请先运行 npm run build:web`);
  process.exit(1);
}

interface Chunk {
  file: string;
  src?: string;
  isEntry?: boolean;
  imports?: string[];
  css?: string[];
}
const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Record<string, Chunk>;

const PAGES: Array<[string, string]> = [
  ['登录', 'pages/public/LoginPage.tsx'],
  ['注册', 'pages/public/RegisterPage.tsx'],
  ['我的主页', 'pages/common/HomePage.tsx'],
  ['我的申报表 (申请人)', 'pages/applicant/MyApplicationsPage.tsx'],
  ['申请书 (编辑)', 'pages/applicant/ApplicationEditPage.tsx'],
  ['待审核申报表 (推荐单位)', 'pages/unit/PendingPage.tsx'],
  ['查询申报表', 'pages/unit/SearchPage.tsx'],
  ['办理', 'pages/unit/HandlePage.tsx'],
  ['推荐单位管理 (组织单位)', 'pages/organizer/UnitsPage.tsx'],
];

/** Every file a chunk needs before it runs: itself, its static imports, recursively, and their CSS. */
function closure(keys: string[], into = new Set<string>()): Set<string> {
  for (const key of keys) {
    const chunk = manifest[key];
    if (!chunk || into.has(chunk.file)) continue;
    into.add(chunk.file);
    for (const css of chunk.css ?? []) into.add(css);
    closure(chunk.imports ?? [], into);
  }
  return into;
}

const size = (file: string) => {
  const full = path.join(dist, file);
  const raw = fs.statSync(full).size;
  return { raw, br: fs.existsSync(`${full}.br`) ? fs.statSync(`${full}.br`).size : raw };
};
const sum = (files: Iterable<string>) => {
  let raw = 0;
  let br = 0;
  for (const f of files) {
    const s = size(f);
    raw += s.raw;
    br += s.br;
  }
  return { raw, br };
};
const kb = (n: number) => (n / 1024).toFixed(0).padStart(7);

const entryKey = Object.keys(manifest).find((k) => manifest[k]!.isEntry);
if (!entryKey) throw new Error('manifest has no entry');
const entry = closure([entryKey]);
const shellKey = Object.keys(manifest).find((k) => k.endsWith('src/shell.tsx'));
const e = sum(entry);
console.log(`JavaScript and CSS of a first visit (web/dist, KB; "sent" = brotli copies)`);
console.log(`page                        |  built |   sent | of which the page's own | files (JS + CSS)`);
console.log(`----------------------------|--------|--------|-------------------------|-----------------`);
console.log(`${'(entry: every page)'.padEnd(28)}|${kb(e.raw)} |${kb(e.br)} |                         |${String(entry.size).padStart(6)}`);
for (const [label, src] of PAGES) {
  const key = Object.keys(manifest).find((k) => k.endsWith(src));
  const inEntry = !key && src.endsWith('LoginPage.tsx');
  if (!key && !inEntry) {
    console.log(`${label.padEnd(28)}| not in the build`);
    continue;
  }
  const all = inEntry ? new Set(entry) : closure([key!, ...(shellKey ? [shellKey] : [])], new Set(entry));
  const own = [...all].filter((f) => !entry.has(f));
  const t = sum(all);
  const o = sum(own);
  console.log(
    `${label.padEnd(28 - [...label].filter((c) => c > '\u2e80').length)}|${kb(t.raw)} |${kb(t.br)} |${kb(o.br)}                  |${String(all.size).padStart(6)}`,
  );
}
