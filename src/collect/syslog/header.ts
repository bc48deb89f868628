import { bsdTimestampEnd } from '../../formats/shared/bsd-timestamp.js';
/**
 * Syslog headers: RFC 5424 (`<165>1 2026-11-20T10:00:00.003Z fw01 app 42 ID47 [sd] msg`) and
 * RFC 3164 / BSD (`<14>Nov 20 10:00:00 fw01 sshd[42]: msg`, host and tag optional, an ISO timestamp
 * as written by rsyslog's forwarding template accepted too). The header is read for routing; the body
 * is handed to a log format. Lines with no `<PRI>` are taken whole as the body (relays that strip it).
 */
export interface SyslogMessage {
  rfc: '5424' | '3164' | 'none';
  facility?: number;
  severity?: number;
  timestamp?: string;
  hostname?: string;
  appName?: string;
  procId?: string;
  msgId?: string;
  /** RFC 5424 structured data as sent (`[id k="v"]…`), absent when `-`. */
  structuredData?: string;
  /** Offset of the body (the message after the header) in the line. */
  bodyStart: number;
  body: string;
}

/** A 3164 tag: `sshd`, `sshd[42]`, `panos`, followed by a colon. */
const TAG = /^([A-Za-z0-9_./-]{1,48})(?:\[([^\]\s]{1,32})\])?:$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** `<PRI>` at the start: its value and the offset after it, or undefined. */
function readPri(line: string): { pri: number; end: number } | undefined {
  if (line.charCodeAt(0) !== 60 /* < */) return undefined;
  let i = 1;
  let pri = 0;
  while (i < 5 && isDigit(line.charCodeAt(i))) pri = pri * 10 + line.charCodeAt(i++) - 48;
  if (i === 1 || line.charCodeAt(i) !== 62 /* > */ || pri > 191) return undefined;
  return { pri, end: i + 1 };
}

/** Space-separated token at `i`: its text and the offset after the following space (or the end). */
function token(line: string, i: number): { text: string; next: number } {
  const sp = line.indexOf(' ', i);
  return sp < 0 ? { text: line.slice(i), next: line.length } : { text: line.slice(i, sp), next: sp + 1 };
}

const nil = (v: string): string | undefined => (v === '-' || v === '' ? undefined : v);

/** A message with every field present (undefined when absent): one object shape, fast to build. */
function blank(line: string): SyslogMessage {
  return { rfc: 'none', facility: undefined, severity: undefined, timestamp: undefined, hostname: undefined, appName: undefined, procId: undefined, msgId: undefined, structuredData: undefined, bodyStart: 0, body: line } as SyslogMessage;
}

export function parseSyslog(line: string): SyslogMessage {
  const out = blank(line);
  const p = readPri(line);
  if (!p) return out;
  out.facility = p.pri >> 3;
  out.severity = p.pri & 7;
  const i = p.end;
  // RFC 5424: VERSION (1–2 digits, in practice `1`) then a space.
  if (isDigit(line.charCodeAt(i)) && (line.charCodeAt(i + 1) === 32 || (isDigit(line.charCodeAt(i + 1)) && line.charCodeAt(i + 2) === 32))) {
    if (rfc5424(line, line.indexOf(' ', i) + 1, out)) return out;
  }
  rfc3164(line, i, out);
  return out;
}

function rfc5424(line: string, i: number, out: SyslogMessage): boolean {
  const ts = token(line, i);
  if (ts.text !== '-' && !ISO_TIME.test(ts.text)) return false;
  const host = token(line, ts.next);
  const app = token(line, host.next);
  const proc = token(line, app.next);
  const msgId = token(line, proc.next);
  const sdStart = msgId.next;
  const sdEnd = structuredDataEnd(line, sdStart);
  if (sdEnd < 0) return false;
  let bodyStart = sdEnd;
  if (line.charCodeAt(bodyStart) === 32) bodyStart++;
  // An optional UTF-8 byte order mark announces a UTF-8 body.
  if (line.charCodeAt(bodyStart) === 0xfeff) bodyStart++;
  const sd = line.slice(sdStart, sdEnd);
  out.rfc = '5424';
  out.bodyStart = bodyStart;
  out.body = line.slice(bodyStart);
  out.timestamp = nil(ts.text);
  out.hostname = nil(host.text);
  out.appName = nil(app.text);
  out.procId = nil(proc.text);
  out.msgId = nil(msgId.text);
  out.structuredData = sd === '-' ? undefined : sd;
  return true;
}

/** End offset of STRUCTURED-DATA (`-` or `[id k="v\"]"]…`) starting at `i`, or -1 when malformed. */
function structuredDataEnd(line: string, i: number): number {
  if (line.charCodeAt(i) === 45 /* - */) return i + 1;
  if (line.charCodeAt(i) !== 91 /* [ */) return -1;
  while (line.charCodeAt(i) === 91) {
    i++;
    let quoted = false;
    for (;;) {
      if (i >= line.length) return -1;
      const c = line.charCodeAt(i);
      if (c === 92 /* \ */ && quoted) i += 2;
      else if (c === 34 /* " */) {
        quoted = !quoted;
        i++;
      } else if (c === 93 /* ] */ && !quoted) {
        i++;
        break;
      } else i++;
    }
  }
  return i;
}

function rfc3164(line: string, i: number, out: SyslogMessage): void {
  let at = i;
  const bsd = bsdTimestampEnd(line, at);
  if (bsd >= 0) {
    out.timestamp = line.slice(at, bsd);
    at = bsd + (line.charCodeAt(bsd) === 32 ? 1 : 0);
  } else {
    const t = token(line, at);
    if (ISO_TIME.test(t.text)) {
      out.timestamp = t.text;
      at = t.next;
    }
  }
  out.rfc = '3164';
  // Then HOSTNAME and TAG, both optional: a token ending in `:` is the tag; a token with a comma,
  // `{`, `=` or a CEF/LEEF prefix is already the message.
  const first = token(line, at);
  if (out.timestamp !== undefined && first.next < line.length && looksLikeHost(first.text)) {
    out.hostname = first.text;
    at = first.next;
  }
  const next = token(line, at);
  const tag = next.text.charCodeAt(next.text.length - 1) === 58 /* : */ ? TAG.exec(next.text) : null;
  if (tag) {
    out.appName = tag[1]!;
    if (tag[2] !== undefined) out.procId = tag[2];
    at = next.next;
  }
  out.bodyStart = at;
  out.body = line.slice(at);
}

const HOST = /^[A-Za-z0-9_.:%-]{1,255}$/;

function looksLikeHost(t: string): boolean {
  return HOST.test(t) && !t.endsWith(':') && !t.startsWith('CEF') && !t.startsWith('LEEF');
}
