import type { Role } from './roles';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * The one table every request is checked against (by proxy.ts, before any handler runs).
 * A path matches a pattern segment by segment: `*` is one segment, `**` any number (at least
 * one). A path or method that is in no row is refused (default deny): 404 for paths, 405 for
 * methods. HEAD follows GET. README "Access and limits" shows this table.
 */
export interface AccessRule {
  pattern: string;
  methods: Partial<Record<Exclude<HttpMethod, 'HEAD'>, Role>>;
  /** What the row is for, shown in the README and the access-matrix test. */
  why: string;
}

export const ACCESS_TABLE: readonly AccessRule[] = [
  // Pages and the files the browser needs to render them.
  { pattern: '/', methods: { GET: 'viewer' }, why: 'the workbench lists sources' },
  { pattern: '/f/**', methods: { GET: 'public' }, why: 'share links (and their preview images) are public capabilities' },
  { pattern: '/signin', methods: { GET: 'public' }, why: 'sign-in page' },
  { pattern: '/monitor', methods: { GET: 'admin' }, why: 'monitoring page (issue: monitoring)' },
  { pattern: '/_next/**', methods: { GET: 'public' }, why: 'scripts, styles and fonts of the pages' },
  { pattern: '/wasm/**', methods: { GET: 'public' }, why: 'WASM binaries the browser worker loads' },
  { pattern: '/favicon.ico', methods: { GET: 'public' }, why: 'icon' },
  { pattern: '/icon.svg', methods: { GET: 'public' }, why: 'icon' },
  // Session: sign in with a token, sign out, who am I.
  { pattern: '/api/session', methods: { GET: 'public', POST: 'public', DELETE: 'public' }, why: 'sign-in issues the session cookie' },
  { pattern: '/api/health', methods: { GET: 'public' }, why: 'liveness for load balancers' },
  // Reading data and running forecasts.
  { pattern: '/api/sources', methods: { GET: 'viewer' }, why: 'list sources' },
  { pattern: '/api/sources/*/tables', methods: { GET: 'viewer' }, why: 'allow-listed tables or files of a source' },
  { pattern: '/api/sources/*/columns', methods: { GET: 'viewer' }, why: 'introspected columns' },
  { pattern: '/api/sources/*/series', methods: { GET: 'viewer' }, why: 'entities of a table' },
  { pattern: '/api/sources/*/window', methods: { GET: 'viewer' }, why: 'Arrow window stream' },
  { pattern: '/api/sources/*/quality', methods: { GET: 'viewer' }, why: 'data-quality report' },
  { pattern: '/api/sources/*/anomalies', methods: { GET: 'viewer' }, why: 'robust z-score and interval anomalies of a series' },
  { pattern: '/api/files/**', methods: { GET: 'viewer' }, why: 'parquet bytes by HTTP Range' },
  { pattern: '/api/forecast', methods: { POST: 'viewer' }, why: 'server-side inference (reads, stores nothing)' },
  { pattern: '/api/models', methods: { GET: 'viewer', POST: 'admin' }, why: 'installed models; installing is admin' },
  { pattern: '/api/models/trained', methods: { POST: 'editor' }, why: 'store a model trained in the browser (a new current revision)' },
  { pattern: '/api/models/trained/**', methods: { GET: 'viewer', POST: 'admin', DELETE: 'admin' }, why: 'trained models: revisions, records and weights; rollback and delete are admin' },
  { pattern: '/api/models/**', methods: { GET: 'viewer', POST: 'admin', PUT: 'admin', DELETE: 'admin' }, why: 'model files; install and remove are admin' },
  // Writes.
  { pattern: '/api/uploads', methods: { GET: 'viewer', POST: 'editor' }, why: 'store a CSV upload' },
  { pattern: '/api/uploads/*', methods: { DELETE: 'editor' }, why: 'delete an upload' },
  { pattern: '/api/forecasts', methods: { POST: 'editor' }, why: 'publish a share link' },
  { pattern: '/api/forecasts/*', methods: { GET: 'public', DELETE: 'public' }, why: 'a share is read by its token and deleted by its secret' },
  { pattern: '/api/jobs', methods: { GET: 'viewer', POST: 'editor' }, why: 'job queue (issue 9): list and submit' },
  { pattern: '/api/jobs/**', methods: { GET: 'viewer', POST: 'editor', DELETE: 'editor' }, why: 'job status, events; cancel' },
  { pattern: '/api/share-pages/**', methods: { GET: 'public' }, why: 'the cached share page and preview image /f/<token> is served from (same capability as /f/)' },
  { pattern: '/api/monitor', methods: { GET: 'admin' }, why: 'monitoring dashboard data' },
  { pattern: '/metrics', methods: { GET: 'admin' }, why: 'Prometheus scrape (a token with role admin)' },
  { pattern: '/api/telemetry', methods: { GET: 'admin', POST: 'viewer' }, why: 'monitoring: the page reports, admins read' },
  { pattern: '/api/telemetry/training', methods: { POST: 'viewer' }, why: 'monitoring: a browser training run and its step/epoch metrics' },
];

function matchSegments(pattern: string[], path: string[]): boolean {
  if (pattern.length === 0) return path.length === 0;
  const [head, ...rest] = pattern;
  if (head === '**') {
    for (let taken = 1; taken <= path.length; taken++) if (matchSegments(rest, path.slice(taken))) return true;
    return false;
  }
  if (path.length === 0) return false;
  if (head !== '*' && head !== path[0]) return false;
  return matchSegments(rest, path.slice(1));
}

function segments(path: string): string[] {
  return path.split('/').filter((segment) => segment.length > 0);
}

export function findRule(pathname: string, table: readonly AccessRule[] = ACCESS_TABLE): AccessRule | null {
  const path = segments(pathname);
  return table.find((rule) => matchSegments(segments(rule.pattern), path)) ?? null;
}

export type Requirement = { kind: 'role'; role: Role; rule: AccessRule } | { kind: 'no_route' } | { kind: 'no_method'; allowed: string[] };

/** The role a request needs, or why there is no row for it. */
export function requiredRole(method: string, pathname: string, table: readonly AccessRule[] = ACCESS_TABLE): Requirement {
  const rule = findRule(pathname, table);
  if (!rule) return { kind: 'no_route' };
  const key = (method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase()) as keyof AccessRule['methods'];
  const role = rule.methods[key];
  if (!role) {
    const allowed = Object.keys(rule.methods);
    return { kind: 'no_method', allowed: allowed.includes('GET') ? [...allowed, 'HEAD'] : allowed };
  }
  return { kind: 'role', role, rule };
}

export function isStateChanging(method: string): boolean {
  return !['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase());
}
