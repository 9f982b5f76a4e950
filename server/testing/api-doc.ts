import fs from 'node:fs';
import path from 'node:path';

export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export interface Route {
  method: Method;
  path: string;
}

/** The routes as docs/API.md lists them: `| METHOD /api/path… |` rows (query strings dropped). */
export function documentedRoutes(): Route[] {
  const doc = fs.readFileSync(path.join(import.meta.dirname, '..', '..', 'docs', 'API.md'), 'utf8');
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
