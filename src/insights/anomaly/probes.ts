import type { SqlExpressions } from '../../store/expressions.js';

/**
 * What scanner requests look like, as data: each kind is an RE2 pattern over one part of the request
 * (lower-cased; the query URL-decoded first). The patterns are ours, fixed text, never input; they
 * run over the distinct (method, path, query) combinations, not per request.
 */
export const PROBE_KINDS: readonly { kind: string; on: 'path' | 'query' | 'target' | 'method'; pattern: string }[] = [
  { kind: 'sensitive file', on: 'path', pattern: String.raw`(^|/)\.(git|svn|hg|env|aws|ssh|htaccess|htpasswd|ds_store|docker)(/|$)|/(wp-admin|wp-login\.php|wp-config\.php|xmlrpc\.php|phpmyadmin|phpinfo\.php|server-status|web\.config)(/|$)|\.(bak|old|sql|swp)$` },
  { kind: 'admin path', on: 'path', pattern: String.raw`^/(admin|administrator|manager|console|actuator|jmx-console|cgi-bin)(/|$)` },
  { kind: 'path traversal', on: 'target', pattern: String.raw`\.\./|\.\.\\|/etc/passwd|win\.ini` },
  { kind: 'SQL injection', on: 'query', pattern: String.raw`union\s+(all\s+)?select|'\s*or\s*'?\w*'?\s*=|\bor\s+1\s*=\s*1|sleep\s*\(|benchmark\s*\(|waitfor\s+delay|information_schema` },
  { kind: 'script injection', on: 'query', pattern: String.raw`<script|onerror\s*=|onload\s*=|javascript:|<img[^>]*src` },
  { kind: 'out-of-band callback', on: 'query', pattern: String.raw`oastify\.com|burpcollaborator\.net|interact\.sh|dnslog\.|=https?://[^&]*\.(oast|oastify|interactsh)` },
  { kind: 'unusual method', on: 'method', pattern: String.raw`^(trace|track|propfind|proppatch|mkcol|debug|connect)$` },
];

/** The request's parts a probe pattern reads: column names (or aliases), fixed text. */
export interface ProbeParts {
  method: string;
  path: string;
  query: string;
}

const CLOUDFRONT_PARTS: ProbeParts = { method: 'http_request_method', path: 'url_path', query: 'url_query' };

/** `CASE … END`: the request's probe kind, NULL for ordinary requests (a missing part reads as ''). */
export function probeKindSql(fn: SqlExpressions, parts: ProbeParts = CLOUDFRONT_PARTS): string {
  const text = (column: string) => fn.coalesce(column, "''");
  const field: Record<(typeof PROBE_KINDS)[number]['on'], string> = {
    path: fn.lower(text(parts.path)),
    query: fn.lower(fn.urlDecode(text(parts.query))),
    target: fn.lower(fn.urlDecode(`concat(${text(parts.path)}, '?', ${text(parts.query)})`)),
    method: fn.lower(text(parts.method)),
  };
  return `CASE ${PROBE_KINDS.map((k) => `WHEN ${fn.regexMatches(field[k.on], k.pattern)} THEN ${fn.literal(k.kind)}`).join(' ')} END`;
}
