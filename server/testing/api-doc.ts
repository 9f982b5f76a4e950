import fs from 'node:fs';
import path from 'node:path';

export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export interface Route {
  method: Method;
  path: string;
}

/**
 * The routes as docs/API.md and docs/api/*.md (one file per area of issue 15 on) list them: `| METHOD /api/path… |`
 * rows (query strings dropped).
 */
export function documentedRoutes(): Route[] {
  const docs = path.join(import.meta.dirname, '..', '..', 'docs');
  const more = fs.existsSync(path.join(docs, 'api'))
    ? fs
        .readdirSync(path.join(docs, 'api'))
        .filter((f) => f.endsWith('.md'))
        .sort()
    : [];
  const doc = [path.join(docs, 'API.md'), ...more.map((f) => path.join(docs, 'api', f))].map((f) => fs.readFileSync(f, 'utf8')).join('\n');
  const seen = new Set<string>();
  const routes: Route[] = [];
  for (const m of doc.matchAll(/^\| (GET|HEAD|POST|PUT|PATCH|DELETE) (\/api\/[^\s|?]*)/gm)) {
    const key = `${m[1]} ${m[2]}`;
    if (seen.has(key)) continue;
    seen.add(key);
    routes.push({ method: m[1] as Method, path: m[2]! });
  }
  return routes;
}
