import { bsdTimestampEnd } from '../shared/bsd-timestamp.js';
/**
 * Finds the PAN-OS payload inside a syslog line: RFC 3164 (`<14>Nov 20 10:00:00 fw01 1,2026/…`, the
 * host being optional), RFC 5424 (`<14>1 2026-11-20T10:00:00+01:00 fw01 - - - - 1,2026/…`) or no
 * header at all (`1,2026/11/20 …`, as written by file exports and some relays).
 */
export interface Envelope {
  /** Offset of the payload (CSV, `CEF:`, `LEEF:` or `{`). */
  start: number;
  /** Host name from the syslog header, when there is one. */
  host: string | undefined;
}

const RFC5424 = /^<\d{1,3}>\d{1,2} (\S+) (\S+) \S+ \S+ \S+ /;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** `Mmm dd hh:mm:ss ` at `i`: the offset after it and its space, or -1. */
function bsdTimestamp(line: string, i: number): number {
  const end = bsdTimestampEnd(line, i);
  return end >= 0 && line.charCodeAt(end) === 32 ? end + 1 : -1;
}

export function envelope(line: string): Envelope {
  const e = headers(line);
  if (looksLikePayload(line, e.start)) return e;
  // Headers this reader does not know (ISO timestamps from relays, years in BSD timestamps):
  // find where a PAN-OS record begins instead.
  const m = PAYLOAD_START.exec(line);
  return m ? { start: m.index + m[0].length, host: undefined } : e;
}

// A CSV record (`1,2026/11/20 10:00:00,`; SLS-forwarded: `…,2026-11-20T10:00:00.000000Z,`), CEF, LEEF or
// JSON, after whitespace or at the start.
const PAYLOAD_START = /(?:^|\s)(?=[^\s,]*,\d{4}(?:\/\d{2}\/\d{2} |-\d{2}-\d{2}T)\d{2}:\d{2}:\d{2}[.\dZ]*,|CEF:\d|LEEF:\d|\{")/;

function looksLikePayload(line: string, start: number): boolean {
  const c = line.charCodeAt(start);
  if (c === 123 /* { */ || c === 91 /* [ */) return true;
  if (line.startsWith('CEF:', start) || line.startsWith('LEEF:', start)) return true;
  // CSV: the first field (FUTURE_USE) is short and followed by a comma, before any space.
  const comma = line.indexOf(',', start);
  const space = line.indexOf(' ', start);
  return comma >= 0 && comma - start <= 8 && (space < 0 || comma < space);
}

function headers(line: string): Envelope {
  let i = 0;
  // TCP syslog with octet counting (RFC 6587): `123 <14>…`.
  if (isDigit(line.charCodeAt(0))) {
    const sp = line.indexOf(' ');
    if (sp > 0 && sp < 7 && line.charCodeAt(sp + 1) === 60 && /^\d+$/.test(line.slice(0, sp))) {
      line = line.slice(sp + 1);
      const inner = headers(line);
      return { start: inner.start + sp + 1, host: inner.host };
    }
  }
  if (line.charCodeAt(0) === 60 /* < */) {
    const close = line.indexOf('>');
    if (close < 0 || close > 4) return { start: 0, host: undefined };
    i = close + 1;
    if (isDigit(line.charCodeAt(i)) && line.charCodeAt(i + 1) === 32 || (isDigit(line.charCodeAt(i + 1)) && line.charCodeAt(i + 2) === 32)) {
      const m = RFC5424.exec(line);
      if (m) return { start: skipStructuredData(line, m[0].length), host: m[2] === '-' ? undefined : m[2] };
    }
  }
  const after = bsdTimestamp(line, i);
  if (after < 0) return { start: i, host: undefined };
  // The next token is the host unless it is already the payload (it then contains a comma or is CEF/LEEF).
  const space = line.indexOf(' ', after);
  const comma = line.indexOf(',', after);
  const token = space < 0 ? line.slice(after) : line.slice(after, space);
  if (space < 0 || (comma >= 0 && comma < space) || token.startsWith('CEF:') || token.startsWith('LEEF:') || token.startsWith('{')) {
    return { start: after, host: undefined };
  }
  let start = space + 1;
  // A syslog tag some relays add after the host (`fw01 panos: 1,…`).
  const colon = line.indexOf(': ', start);
  if (colon > 0 && colon < line.indexOf(',', start) && line.indexOf(' ', start) === colon + 1) start = colon + 2;
  return { start, host: token };
}

function skipStructuredData(line: string, i: number): number {
  if (line.charCodeAt(i) === 45 /* - */) return line.charCodeAt(i + 1) === 32 ? i + 2 : i + 1;
  // [id k="v" …][…]: values may contain escaped \] and \"
  while (line.charCodeAt(i) === 91 /* [ */) {
    i++;
    while (i < line.length) {
      const c = line.charCodeAt(i);
      if (c === 92 /* \ */) i += 2;
      else if (c === 93 /* ] */) {
        i++;
        break;
      } else i++;
    }
  }
  if (line.charCodeAt(i) === 32) i++;
  // An optional UTF-8 byte order mark before the message.
  if (line.charCodeAt(i) === 0xfeff) i++;
  return i;
}
