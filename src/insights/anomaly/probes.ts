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

const FIELD: Record<(typeof PROBE_KINDS)[number]['on'], string> = {
  path: `lower(COALESCE(url_path, ''))`,
  query: `lower(url_decode(COALESCE(url_query, '')))`,
  target: `lower(url_decode(COALESCE(url_path, '') || '?' || COALESCE(url_query, '')))`,
  method: `lower(COALESCE(http_request_method, ''))`,
};

const sqlText = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** `CASE … END`: the request's probe kind, NULL for ordinary requests (reads url_path, url_query, http_request_method). */
export const PROBE_KIND_SQL = `CASE ${PROBE_KINDS.map((k) => `WHEN regexp_matches(${FIELD[k.on]}, ${sqlText(k.pattern)}) THEN ${sqlText(k.kind)}`).join(' ')} END`;
