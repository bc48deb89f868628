import { createHash } from 'node:crypto';
import type { EcsObject, EcsValue } from '../../ecs/event.js';
import { isoFromMillis } from '../../ecs/time.js';

/**
 * JWTs in application logs: found, decoded WITHOUT verification (claims are what the token says, not
 * what is true), and scrubbed from the record. The token itself is never kept: only its SHA-256.
 */

/** Tokens longer than this are flagged and not decoded (bounds the work per record). */
export const MAX_TOKEN_CHARS = 16 * 1024;
/** JWS (3 parts) or JWE (5 parts) compact serialization; the header is base64url JSON (`{"` → `eyJ`). */
const JWT_IN_TEXT = /eyJ[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*){2,4}/g;
const SEGMENT = /^[A-Za-z0-9_-]*$/;
/** Keys whose whole value is a credential, JWT or opaque. */
const TOKEN_KEYS = new Set(['authorization', 'token', 'id_token', 'access_token', 'refresh_token', 'jwt', 'bearer', 'idtoken', 'accesstoken', 'x-amz-security-token', 'proxy-authorization']);
const SCHEME = /^(?:Bearer|JWT|Token)\s+/i;
const MAX_DEPTH = 12;

export interface FoundToken {
  token: string;
  /** Dotted path of the value it was found in (`headers.authorization`). */
  where: string;
  sha256: string;
}

export function redaction(sha256: string): string {
  return `[redacted jwt sha256:${sha256}]`;
}

/**
 * Redacts JWT-shaped text in a raw record that could not be parsed, so a rejected line carries no
 * token into the dead-letter output either.
 */
export function redactTokensInText(text: string): string {
  if (text.indexOf('eyJ') < 0) return text;
  return text.replace(JWT_IN_TEXT, (token) => redaction(sha(token)));
}

function sha(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Replaces every token in the record's string values (in place) with its redaction marker and returns
 * what was found, in discovery order. Opaque credentials under token keys are redacted too.
 */
export function scrubTokens(record: Record<string, unknown>): FoundToken[] {
  const found: FoundToken[] = [];
  const seen = new Map<string, string>();
  const marker = (token: string, where: string): string => {
    let hash = seen.get(token);
    if (!hash) {
      hash = sha(token);
      seen.set(token, hash);
      found.push({ token, where, sha256: hash });
    }
    return redaction(hash);
  };
  const scrubString = (s: string, key: string, where: string): string => {
    if (TOKEN_KEYS.has(key)) {
      const scheme = SCHEME.exec(s);
      const token = (scheme ? s.slice(scheme[0].length) : s).trim();
      if (token && !/^Basic\s/i.test(s)) return (scheme ? scheme[0] : '') + marker(token, where);
      if (/^Basic\s/i.test(s)) return s.replace(/^(Basic\s+)\S+/i, (_m, p: string) => p + '[redacted basic credentials]');
    }
    if (s.indexOf('eyJ') < 0) return s;
    return s.replace(JWT_IN_TEXT, (token) => marker(token, where));
  };
  const walk = (node: unknown, where: string, depth: number): void => {
    if (depth > MAX_DEPTH || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const v: unknown = node[i];
        if (typeof v === 'string') node[i] = scrubString(v, '', where);
        else walk(v, where, depth + 1);
      }
      return;
    }
    const obj = node as Record<string, unknown>;
    for (const key of Object.keys(obj)) {
      const v = obj[key];
      const path = where ? `${where}.${key}` : key;
      if (typeof v === 'string') obj[key] = scrubString(v, key.toLowerCase(), path);
      else walk(v, path, depth + 1);
    }
  };
  walk(record, '', 0);
  return found;
}

/** Removes every found token from a raw text (the stored `event.original`), JSON-escaped forms included. */
export function redactText(raw: string, tokens: FoundToken[]): string {
  let out = raw;
  for (const t of tokens) {
    const marker = redaction(t.sha256);
    for (const form of new Set([t.token, JSON.stringify(t.token).slice(1, -1), JSON.stringify(t.token).slice(1, -1).replace(/\//g, '\\/')])) {
      if (form && out.includes(form)) out = out.split(form).join(marker);
    }
  }
  return out;
}

function b64json(segment: string): unknown {
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
}

const STRING_CLAIMS = ['iss', 'sub', 'azp', 'appid', 'client_id', 'upn', 'preferred_username', 'unique_name', 'email', 'name', 'oid', 'tid', 'jti', 'sid', 'acr', 'idp'];
const TIME_CLAIMS = ['exp', 'iat', 'nbf', 'auth_time'];
const LIST_CLAIMS = ['aud', 'roles', 'amr', 'groups'];
const MAX_LIST = 50;
const MAX_CLAIM_CHARS = 1024;

function clip(s: string): string {
  return s.length > MAX_CLAIM_CHARS ? `${s.slice(0, MAX_CLAIM_CHARS)}…` : s;
}

export interface DecodedJwt {
  /** `app.jwt.*` fields. */
  fields: EcsObject;
  /** Claims, when decoded (for identity). */
  claims?: Record<string, unknown>;
}

/**
 * Decodes one token's header and claims into `app.jwt.*`, flagging what a reviewer should know:
 * `alg_none`, `expired` / `not_yet_valid` relative to the event's own time, `oversized`, `encrypted`,
 * `malformed` (with `app.jwt.error`). Never throws; never returns the token.
 */
export function decodeJwt(t: FoundToken, eventMillis: number): DecodedJwt {
  const fields: EcsObject = { sha256: t.sha256, source: t.where };
  const flags: string[] = [];
  fields.flags = flags;
  const fail = (flag: string, error: string): DecodedJwt => {
    flags.push(flag);
    fields.error = error;
    return { fields };
  };
  if (t.token.length > MAX_TOKEN_CHARS) return fail('oversized', `token of ${t.token.length} characters exceeds ${MAX_TOKEN_CHARS}; not decoded`);
  const parts = t.token.split('.');
  if (parts.length === 5) return fail('encrypted', 'encrypted token (JWE): claims are not readable');
  if (parts.length !== 3) return fail('malformed', parts.length === 1 ? 'not a JWT (opaque token)' : `expected 3 dot-separated parts, got ${parts.length}`);
  if (!parts.every((p) => SEGMENT.test(p))) return fail('malformed', 'a part is not base64url');
  let header: unknown;
  let claims: unknown;
  try {
    header = b64json(parts[0]!);
  } catch {
    return fail('malformed', 'header is not base64url-encoded JSON');
  }
  try {
    claims = b64json(parts[1]!);
  } catch {
    return fail('malformed', 'payload is not base64url-encoded JSON');
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) return fail('malformed', 'header is not a JSON object');
  if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) return fail('malformed', 'payload is not a JSON object');
  const h = header as Record<string, unknown>;
  const c = claims as Record<string, unknown>;
  if (typeof h.alg === 'string') fields.alg = clip(h.alg);
  if (typeof h.kid === 'string') fields.kid = clip(h.kid);
  if (typeof h.typ === 'string') fields.typ = clip(h.typ);
  if (typeof h.alg !== 'string' || h.alg.toLowerCase() === 'none') flags.push('alg_none');
  if (parts[2] === '') flags.push('unsigned');
  for (const k of STRING_CLAIMS) if (typeof c[k] === 'string' && c[k] !== '') fields[k] = clip(c[k] as string);
  for (const k of TIME_CLAIMS) {
    const v = c[k];
    if (typeof v === 'number' && Number.isFinite(v) && Math.abs(v) < 1e11) fields[k] = isoFromMillis(Math.round(v * 1000));
  }
  for (const k of LIST_CLAIMS) {
    const v = c[k];
    if (typeof v === 'string') fields[k] = [clip(v)];
    else if (Array.isArray(v)) {
      const list = v.filter((x): x is string => typeof x === 'string').slice(0, MAX_LIST).map(clip);
      if (list.length) fields[k] = list;
      if (v.length > MAX_LIST) fields[`${k}_count`] = v.length;
    }
  }
  const scopes = typeof c.scp === 'string' ? c.scp : typeof c.scope === 'string' ? c.scope : undefined;
  if (scopes) fields.scp = scopes.split(/\s+/).filter(Boolean).slice(0, MAX_LIST).map(clip);
  else if (Array.isArray(c.scp)) fields.scp = (c.scp as EcsValue[]).filter((x): x is string => typeof x === 'string').slice(0, MAX_LIST);
  if (typeof c.exp === 'number' && c.exp * 1000 < eventMillis) flags.push('expired');
  if (typeof c.nbf === 'number' && c.nbf * 1000 > eventMillis + 5 * 60_000) flags.push('not_yet_valid');
  return { fields, claims: c };
}
