import type { EcsEvent, EcsObject } from '../../ecs/event.js';
import { RecordError, type ParserContext, type ParseSink } from '../format.js';
import { skeletonWithModule } from './skeleton.js';
import { clip } from './reason.js';
export { clip } from './reason.js';

/**
 * Helpers the AWS formats share (aws.alb, aws.s3access, aws.waf, aws.route53resolver): the
 * event skeleton, ARNs, and for the space-separated access logs (ALB/NLB/Classic ELB, S3) quoted
 * field splitting, null markers, numbers, request lines and TLS versions, so every format reads the
 * same text the same way.
 */

/** Shortens a value quoted in a rejection reason. */

/** AWS writes `-` (quoted or not) and sometimes an empty quoted string for "no value". */
export function present(v: string | undefined): string | undefined {
  return v === undefined || v === '-' || v === '' ? undefined : v;
}

/**
 * Splits a space-separated line whose fields may be double-quoted (`"GET / HTTP/1.1"`) and, when
 * `brackets` is set, bracketed (`[01/Aug/2019:00:24:41 +0000]`). A quote closes a field only when a
 * space or the end of the line follows it, so stray quotes inside user agents survive; `\"` is read
 * as a quote. Returns the fields, or a string saying why the line cannot be split.
 */
export function splitFields(line: string, brackets: boolean): string[] | string {
  const out: string[] = [];
  const n = line.length;
  let i = 0;
  while (i < n) {
    const c = line.charCodeAt(i);
    if (c === 32 /* space */) {
      i++;
      continue;
    }
    if (c === 34 /* " */) {
      let end = closingQuote(line, i + 1, true);
      // A field ending in a backslash (`"C:\"`) is not an escape: retry taking quotes literally.
      let escapes = true;
      if (end < 0) {
        end = closingQuote(line, i + 1, false);
        escapes = false;
      }
      if (end < 0) return `unterminated quoted field starting at column ${i + 1}: ${clip(line.slice(i))}`;
      const raw = line.slice(i + 1, end);
      out.push(escapes && raw.indexOf('\\"') >= 0 ? raw.replace(ESCAPED_QUOTE, '"') : raw);
      i = end + 1;
      continue;
    }
    if (brackets && c === 91 /* [ */) {
      let end = line.indexOf('] ', i);
      if (end < 0 && line.charCodeAt(n - 1) === 93 /* ] */) end = n - 1;
      if (end < 0) return `unterminated [bracketed] field starting at column ${i + 1}: ${clip(line.slice(i))}`;
      out.push(line.slice(i + 1, end));
      i = end + 1;
      continue;
    }
    let end = line.indexOf(' ', i);
    if (end < 0) end = n;
    out.push(line.slice(i, end));
    i = end;
  }
  return out;
}

const ESCAPED_QUOTE = /\\"/g;

function closingQuote(line: string, from: number, escapes: boolean): number {
  const n = line.length;
  for (let j = from; j < n; j++) {
    const c = line.charCodeAt(j);
    if (escapes && c === 92 /* \ */ && line.charCodeAt(j + 1) === 34) {
      j++;
      continue;
    }
    if (c === 34 && (j + 1 === n || line.charCodeAt(j + 1) === 32)) return j;
  }
  return -1;
}

const INTEGER = /^\d+$/;
const DECIMAL = /^\d+(\.\d+)?$/;

/**
 * A whole number, or undefined for a null marker (`-`, and `-1`, which AWS writes for "not
 * applicable", e.g. ALB's matched_rule_priority after a rule evaluation error); anything else is a
 * rejection naming the field.
 */
export function intField(name: string, v: string | undefined): number | undefined {
  const s = present(v);
  if (s === undefined || s === '-1') return undefined;
  // Beyond 2^53 a double is no longer exact; a few hundred digits are Infinity, which no store column holds.
  if (!INTEGER.test(s) || !Number.isSafeInteger(Number(s))) throw new RecordError(`${name} '${clip(s)}' is not a whole number (up to ${Number.MAX_SAFE_INTEGER})`);
  return Number(s);
}

/** A non-negative decimal (seconds, milliseconds); `-1` means "not applicable" and reads as absent. */
export function decimalField(name: string, v: string | undefined): number | undefined {
  const s = present(v);
  if (s === undefined || s === '-1') return undefined;
  if (!DECIMAL.test(s) || !Number.isFinite(Number(s))) throw new RecordError(`${name} '${clip(s)}' is not a non-negative number (or -1)`);
  return Number(s);
}

/** An HTTP status (`200`), undefined for a null marker; anything else is rejected. */
export function statusField(name: string, v: string | undefined): number | undefined {
  const s = present(v);
  if (s === undefined) return undefined;
  if (s.length !== 3 || !INTEGER.test(s)) throw new RecordError(`${name} '${clip(s)}' is not a 3-digit HTTP status`);
  return Number(s);
}

export interface RequestLine {
  method?: string;
  target?: string;
  /** Without the `HTTP/` prefix (`1.1`, `2.0`). */
  version?: string;
}

const HTTP_VERSION = /^HTTP\/(\d(?:\.\d)?)$/i;

/**
 * `METHOD target HTTP/x.y`. The target may itself contain spaces (ALB logs attack URLs unencoded),
 * so the method is everything before the first space and the version the last word when it looks
 * like one. `- - -` and other unparsable requests give an empty result, never an error: the raw
 * line stays in the vendor fields.
 */
export function splitRequestLine(request: string | undefined): RequestLine {
  const out: RequestLine = {};
  if (!request || request === '- - -') return out;
  const first = request.indexOf(' ');
  if (first < 0) {
    if (present(request)) out.target = request;
    return out;
  }
  const method = request.slice(0, first);
  if (present(method)) out.method = method;
  let rest = request.slice(first + 1);
  const last = rest.lastIndexOf(' ');
  const m = HTTP_VERSION.exec(last < 0 ? rest : rest.slice(last + 1));
  if (m) {
    out.version = m[1]!.length === 1 ? `${m[1]}.0` : m[1]!;
    rest = last < 0 ? '' : rest.slice(0, last);
  } else if (last === rest.length - 1) {
    rest = rest.slice(0, last);
  }
  if (present(rest)) out.target = rest;
  return out;
}

/**
 * Splits an absolute URL by hand instead of with WHATWG `URL`, which would resolve `/../`, re-encode
 * characters and drop a default `:80`: security logs must keep the request as the client sent it.
 */
const ABSOLUTE_URL = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/(\[[^\]/]*\]|[^/:?#\s]*)(?::(\d{1,5}))?(\/[^?#]*)?(?:\?([^#]*))?(?:#.*)?$/;

export interface UrlSplit {
  scheme: string;
  host: string;
  port?: number;
  path: string;
  query?: string;
}

/** Undefined when the value is not `scheme://host[:port][/path][?query]` (a garbled request stays a path). */
export function splitAbsoluteUrl(url: string): UrlSplit | undefined {
  const m = ABSOLUTE_URL.exec(url);
  if (!m) return undefined;
  const out: UrlSplit = { scheme: m[1]!.toLowerCase(), host: m[2]!.replace(BRACKETS, ''), path: m[4] || '/' };
  if (m[3] !== undefined) out.port = Number(m[3]);
  if (m[5]) out.query = m[5];
  return out;
}

const BRACKETS = /^\[|\]$/g;

/** Splits `path?query`. */
export function splitTarget(target: string): { path: string; query?: string } {
  const q = target.indexOf('?');
  if (q < 0) return { path: target };
  const query = target.slice(q + 1);
  return query ? { path: target.slice(0, q), query } : { path: target.slice(0, q) };
}

// TLSv1.2 (ALB, S3), tlsv12 (NLB), TLSv1 and SSLv3 (old clients).
const TLS_PROTOCOL = /^(TLS|SSL)v?(\d)(?:\.?(\d))?$/i;

/** ECS `tls.*` from a protocol name and cipher as AWS logs them; undefined when both are absent. */
export function tlsFields(protocol: string | undefined, cipher: string | undefined): EcsObject | undefined {
  const p = present(protocol);
  const c = present(cipher);
  if (!p && !c) return undefined;
  const tls: EcsObject = {};
  if (p) {
    const m = TLS_PROTOCOL.exec(p);
    if (m) {
      tls.version_protocol = m[1]!.toLowerCase();
      tls.version = `${m[2]}.${m[3] ?? '0'}`;
    } else tls.version = p;
  }
  if (c) tls.cipher = c;
  return tls;
}

export interface Arn {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

const ARN = /^arn:(aws[\w-]*):([\w-]+):([\w-]*):(\d*|[\w-]*):(.+)$/;

/** `arn:partition:service:region:account:resource`, or undefined. */
export function parseArn(value: string | undefined): Arn | undefined {
  if (!value) return undefined;
  const m = ARN.exec(value);
  if (!m) return undefined;
  return { partition: m[1]!, service: m[2]!, region: m[3]!, account: m[4]!, resource: m[5]! };
}

/** Sets `cloud.region` / `cloud.account.id` on a cloud object when known and not already set. */
export function setCloudOrigin(cloud: EcsObject, region: string | undefined, account: string | undefined): void {
  if (region && cloud.region === undefined) cloud.region = region;
  if (account && cloud.account === undefined) cloud.account = { id: account };
}

export interface EventSkeleton {
  dataset: string;
  /** The raw record: `event.id` and `event.original`. */
  raw: string;
  ms: number;
  category: string[];
  type: string[];
  service: string;
  observer?: EcsObject;
}

/**
 * The part of an event every AWS format here fills the same way: time, `event.*` bookkeeping,
 * `log.file.path`, `cloud.provider` and the AWS service.
 */
export function awsEvent(s: EventSkeleton, ctx: ParserContext): EcsEvent {
  const out = skeletonWithModule(s, 'aws', ctx);
  out.cloud = { provider: 'aws', service: { name: s.service } };
  return out;
}

/**
 * The start every space-separated AWS line parser shares: drops a trailing CR, skips blank lines and
 * rejects lines that cannot be split. Returns the line without its CR and its fields, or undefined
 * when the sink has already been told.
 */
export function splitLineOrReport(text: string, brackets: boolean, sink: ParseSink): { raw: string; fields: string[] } | undefined {
  const raw = text.charCodeAt(text.length - 1) === 13 /* \r */ ? text.slice(0, -1) : text;
  if (raw.trim() === '') {
    sink.skip('blank line');
    return undefined;
  }
  const fields = splitFields(raw, brackets);
  if (typeof fields === 'string') {
    sink.reject(fields);
    return undefined;
  }
  return { raw, fields };
}
