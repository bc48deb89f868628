import type { EcsObject } from './event.js';
import { splitDomain } from './domain.js';

/**
 * Decodes `%XX` sequences once. Invalid sequences are kept as written instead of throwing
 * (`decodeURIComponent` rejects a lone `%`), and `+` is left alone: log formats encode spaces as
 * `%20`, and `+` is a literal in paths and user agents.
 */
export function percentDecode(value: string): string {
  if (value.indexOf('%') < 0) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value.replace(/(%[0-9a-fA-F]{2})+/g, (seq) => {
      try {
        return decodeURIComponent(seq);
      } catch {
        return seq;
      }
    });
  }
}

/** File extension of a URL path as ECS wants it (`/a/b.tar.gz` → `gz`, no dot, lower case). */
export function pathExtension(path: string): string | undefined {
  const slash = path.lastIndexOf('/');
  const dot = path.lastIndexOf('.');
  if (dot <= slash + 1 || dot === path.length - 1) return undefined;
  const ext = path.slice(dot + 1).toLowerCase();
  return ext.length <= 16 && /^[a-z0-9]+$/.test(ext) ? ext : undefined;
}

export interface UrlParts {
  scheme?: string | undefined;
  domain?: string | undefined;
  port?: number | undefined;
  path?: string | undefined;
  query?: string | undefined;
}

/** Builds ECS `url.*` from parts; `original`/`full` are reconstructed when scheme and domain are known. */
export function buildUrl(parts: UrlParts): EcsObject {
  const url: EcsObject = {};
  if (parts.scheme) url.scheme = parts.scheme;
  if (parts.domain) {
    const d = splitDomain(parts.domain);
    url.domain = d?.domain ?? parts.domain.toLowerCase();
    if (d?.registered_domain) url.registered_domain = d.registered_domain;
    if (d?.subdomain) url.subdomain = d.subdomain;
    if (d?.top_level_domain) url.top_level_domain = d.top_level_domain;
  }
  if (parts.port !== undefined) url.port = parts.port;
  if (parts.path) {
    url.path = parts.path;
    const ext = pathExtension(parts.path);
    if (ext) url.extension = ext;
  }
  if (parts.query) url.query = parts.query;
  if (parts.scheme && url.domain) {
    const port = parts.port !== undefined ? `:${parts.port}` : '';
    url.full = `${parts.scheme}://${url.domain as string}${port}${parts.path ?? '/'}${parts.query ? `?${parts.query}` : ''}`;
    url.original = url.full;
  }
  return url;
}

/** Parses an absolute or relative URL string into ECS `url.*`, never throwing. */
export function parseUrl(value: string): EcsObject {
  try {
    const u = new URL(value);
    const scheme = u.protocol.replace(/:$/, '');
    const url = buildUrl({
      scheme,
      domain: u.hostname.replace(/^\[|\]$/g, ''),
      port: u.port ? Number(u.port) : undefined,
      path: u.pathname,
      query: u.search ? u.search.slice(1) : undefined,
    });
    url.original = value;
    return url;
  } catch {
    const q = value.indexOf('?');
    const url = buildUrl({ path: q >= 0 ? value.slice(0, q) : value, query: q >= 0 ? value.slice(q + 1) : undefined });
    url.original = value;
    return url;
  }
}
