import { RecordError } from '../format.js';
import { F, TYPE_ALIASES, type Rec } from './layouts.js';
import {
  CEF_KEYS, CEF_LABELS, CEF_SIGNATURE_FIELD, CEF_TYPE_RENAMES, LEEF_EVENT_ID, LEEF_KEYS, SLS_KEYS, SLS_TYPES, TYPE_RENAMES, emptyRec, put,
  squash,
} from './aliases.js';
import { clip } from './read.js';
import { quoteLongIntegers } from '../../util/json-long-integers.js';

/**
 * The keyed PAN-OS forms into canonical records: CEF (`CEF:0|Palo Alto Networks|PAN-OS|ver|sig|name|sev|k=v …`),
 * LEEF 1.0/2.0 (`LEEF:1.0|Palo Alto Networks|PAN-OS Syslog Integration|ver|event|k=v<TAB or |>…`) and
 * Strata Logging Service / Cortex Data Lake JSON objects.
 */

const LOG_TYPES = new Set(['TRAFFIC', 'THREAT', 'SYSTEM', 'CONFIG', 'USERID', 'GLOBALPROTECT', 'HIPMATCH', 'HIP-MATCH', 'AUTHENTICATION', 'AUTH', 'DECRYPTION', 'CORRELATION', 'TUNNEL', 'IPTAG', 'SCTP', 'AUDIT', 'GTP']);
const CEF_HEADER_FIELDS = 7;
/** CEF `dtz` values a time text can carry as a suffix (time.ts reads `GMT`, `UTC`, `Z` and `±hh:mm`). */
const CEF_ZONE = /^(?:GMT|UTC|Z|[+-]\d{2}:?\d{2})$/i;
const CEF_TIMES = ['rt', 'start', 'end', 'deviceReceiptTime'];

type Renames = Readonly<Record<string, Readonly<Record<string, string | undefined>> | undefined>>;

/**
 * The log type spellings of the keyed forms (SLS: `traffic`, `url`, `AUTH` …) as the CSV Type, with
 * the subtype some imply; then the fields a type names differently (TYPE_RENAMES, and the form's own).
 */
function canonicalType(rec: Rec, formRenames?: Renames): void {
  const logType = rec[F.type];
  if (logType === undefined) return;
  const lower = logType.toLowerCase();
  const mapped = SLS_TYPES[lower] ?? SLS_TYPES[lower.replace(/[\s-]/g, '_')] ?? SLS_TYPES[squash(lower)];
  const type = mapped ? mapped[0] : logType.toUpperCase();
  rec[F.type] = type;
  if (mapped?.[1] && rec[F.subtype] === undefined) rec[F.subtype] = mapped[1];
  rename(rec, TYPE_RENAMES[type]);
  if (formRenames) rename(rec, formRenames[type]);
}

function rename(rec: Rec, renames: Readonly<Record<string, string | undefined>> | undefined): void {
  if (!renames) return;
  for (const from in renames) {
    const fromId = F[from as keyof typeof F];
    const toId = F[renames[from] as keyof typeof F];
    if (rec[fromId] !== undefined && rec[toId] === undefined) {
      rec[toId] = rec[fromId];
      rec[fromId] = undefined;
    }
  }
}

/** Splits `a|b|c` on unescaped pipes, `count` fields at most; the rest of the text is the last element. */
function splitHeader(text: string, start: number, count: number): string[] {
  const out: string[] = [];
  let cur = '';
  let i = start;
  while (i < text.length && out.length < count) {
    const c = text[i]!;
    if (c === '\\' && (text[i + 1] === '|' || text[i + 1] === '\\')) {
      cur += text[i + 1];
      i += 2;
    } else if (c === '|') {
      out.push(cur);
      cur = '';
      i++;
    } else {
      cur += c;
      i++;
    }
  }
  out.push(text.slice(i));
  return out;
}

function cefUnescape(v: string): string {
  if (v.indexOf('\\') < 0) return v.trim();
  return v.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c)).trim();
}

export function parseCef(text: string, start: number): Rec {
  const head = splitHeader(text, start, CEF_HEADER_FIELDS);
  if (head.length <= CEF_HEADER_FIELDS) throw new RecordError(`expected a CEF header of 7 '|'-separated fields before the extension, got ${head.length - 1}`);
  const [, vendor, , version, signature, name] = head;
  if (vendor && !/palo alto/i.test(vendor)) throw new RecordError(`CEF device vendor '${clip(vendor)}' is not Palo Alto Networks`);
  const ext = head[CEF_HEADER_FIELDS]!;
  const rec = emptyRec();
  const pairs = cefPairs(ext);
  const labels = new Map<string, string>();
  for (const [k, v] of pairs) if (/Label$/.test(k)) labels.set(k.slice(0, -5).toLowerCase(), v);
  const dtz = pairs.find(([k]) => k === 'dtz')?.[1];
  const zone = dtz !== undefined && CEF_ZONE.test(dtz) ? dtz : undefined;
  for (const [k, v] of pairs) {
    if (/Label$/.test(k)) continue;
    const label = labels.get(k.toLowerCase());
    if (label !== undefined && put(rec, CEF_LABELS, label, v)) continue;
    // A time written without a zone is in the `dtz` zone when the record names one (SLS: dtz=UTC).
    // (Epoch milliseconds, which CEF also allows, carry no zone to add.)
    put(rec, CEF_KEYS, k, zone !== undefined && CEF_TIMES.includes(k) && /\d$/.test(v) && !/^\d+$/.test(v) ? `${v} ${zone}` : v);
  }
  // The firewall's own CEF puts the subtype in Signature ID and the type in Name; Strata Logging
  // Service's (`CEF:0|Palo Alto Networks|LF|2.0|TRAFFIC|end|…`) the other way round.
  if (isLogType(signature) && !isLogType(name)) fillHeader(rec, signature, name, version);
  else fillHeader(rec, name, signature, version);
  canonicalType(rec, CEF_TYPE_RENAMES);
  return rec;
}

/** A Type as the header writes it (`TRAFFIC`, `AUTH`); lower-case words there are subtypes (`url`). */
function isLogType(value: string | undefined): boolean {
  return value !== undefined && LOG_TYPES.has(value.trim());
}

/** `k=v k2=v with spaces` with `\=` and `\\` escapes: a key is the word before an unescaped `=`. */
function cefPairs(ext: string): [string, string][] {
  const eqs: number[] = [];
  for (let i = 0; i < ext.length; i++) {
    const c = ext.charCodeAt(i);
    if (c === 92 /* \ */) i++;
    else if (c === 61 /* = */) eqs.push(i);
  }
  const pairs: [string, string][] = [];
  let prevKey: string | undefined;
  let valueStart = 0;
  for (const eq of eqs) {
    const space = ext.lastIndexOf(' ', eq);
    const key = ext.slice(space + 1, eq);
    if (!/^[\w.[\]-]+$/.test(key) || space < valueStart - 1) continue; // an `=` inside a value
    if (prevKey !== undefined) pairs.push([prevKey, cefUnescape(ext.slice(valueStart, Math.max(valueStart, space)))]);
    prevKey = key;
    valueStart = eq + 1;
  }
  if (prevKey !== undefined) pairs.push([prevKey, cefUnescape(ext.slice(valueStart))]);
  return pairs;
}

function fillHeader(rec: Rec, name: string | undefined, event: string | undefined, version: string | undefined): void {
  const typeName = name?.trim().toUpperCase();
  if (rec[F.type] === undefined && typeName && LOG_TYPES.has(typeName)) rec[F.type] = typeName;
  const ev = event?.trim();
  const own = CEF_SIGNATURE_FIELD[TYPE_ALIASES[rec[F.type] ?? ''] ?? rec[F.type] ?? ''];
  if (ev && own !== undefined) {
    const id = F[own as keyof typeof F];
    if (rec[id] === undefined) rec[id] = ev;
  } else if (ev) {
    // Signature/Event ID: the subtype for session logs, a threat id or a SYSTEM event id otherwise.
    if (/\(\d+\)$|^\d+$/.test(ev)) {
      if (rec[F.threatid] === undefined) rec[F.threatid] = ev;
    } else if (rec[F.subtype] === undefined && /^[a-z][\w-]*$/.test(ev)) rec[F.subtype] = ev;
    else if (rec[F.action] === undefined) rec[F.action] = ev;
  }
  if (version && rec[F.sender_sw_version] === undefined) rec[F.sender_sw_version] = version;
}

export function parseLeef(text: string, start: number): Rec {
  const v2 = text.startsWith('LEEF:2', start);
  const head = splitHeader(text, start, v2 ? 6 : 5);
  if (head.length <= (v2 ? 6 : 5)) throw new RecordError(`expected a LEEF ${v2 ? '2.0' : '1.0'} header of ${v2 ? 6 : 5} '|'-separated fields, got ${head.length - 1}`);
  const [, vendor, , version, eventId] = head;
  if (vendor && !/palo alto/i.test(vendor)) throw new RecordError(`LEEF vendor '${clip(vendor)}' is not Palo Alto Networks`);
  let attrs = head[head.length - 1]!;
  let delimiter = '\t';
  if (v2) delimiter = leefDelimiter(head[5]!);
  else if (attrs.indexOf('\t') < 0 && attrs.indexOf('|') >= 0) delimiter = '|';
  if (attrs.endsWith(delimiter)) attrs = attrs.slice(0, -delimiter.length);
  const rec = emptyRec();
  for (const part of attrs.split(delimiter)) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    put(rec, LEEF_KEYS, part.slice(0, eq).trim(), part.slice(eq + 1));
  }
  if (version && rec[F.sender_sw_version] === undefined) rec[F.sender_sw_version] = version;
  canonicalType(rec);
  // What the header's Event ID holds depends on the log type (LEEF_EVENT_ID); the action by default.
  const ev = eventId?.trim();
  if (ev) {
    const field = LEEF_EVENT_ID[`${rec[F.type]}/${rec[F.subtype]}`] ?? LEEF_EVENT_ID[rec[F.type] ?? ''] ?? 'action';
    const id = F[field as keyof typeof F];
    if (rec[id] === undefined) rec[id] = ev;
  }
  return rec;
}

/** LEEF 2.0 delimiter: one character, or its code as `x09`/`0x09`/`\t`; tab when empty. */
function leefDelimiter(spec: string): string {
  if (spec === '') return '\t';
  if (spec === '\\t') return '\t';
  const hex = /^(?:0?x)([0-9a-f]{2,4})$/i.exec(spec);
  if (hex) return String.fromCharCode(parseInt(hex[1]!, 16));
  return spec[0]!;
}

export interface JsonRecord {
  rec: Rec;
  /** The object's own text: the line, or the element re-serialized when it came in an array. */
  raw: string;
}

/**
 * One JSON object per line, or (json-or-lines framing) a whole document: an object, an array of
 * objects, or an object carrying the array under `logs`/`records`/`data` as some exports write it.
 */
export function parseSlsJson(text: string): JsonRecord[] {
  let doc: unknown;
  try {
    // Sequence numbers are 64-bit: read as text, not as a double that rounds them.
    doc = JSON.parse(quoteLongIntegers(text));
  } catch (e) {
    throw new RecordError(`invalid JSON: ${(e as Error).message}`);
  }
  let list: unknown[] | undefined;
  if (Array.isArray(doc)) list = doc;
  else if (doc !== null && typeof doc === 'object') {
    const o = doc as Record<string, unknown>;
    const inner = o.logs ?? o.records ?? o.data;
    if (Array.isArray(inner) && o.log_type === undefined) list = inner;
  }
  if (!list) return [{ rec: slsRecord(doc), raw: text }];
  return list.map((item) => ({ rec: slsRecord(item), raw: JSON.stringify(item) }));
}

function slsRecord(obj: unknown): Rec {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new RecordError('expected a JSON object (or an array of them)');
  const rec = emptyRec();
  for (const [k, raw] of Object.entries(obj as Record<string, unknown>)) {
    // Some exports wrap values: {"source_ip": {"value": "10.0.0.1"}}.
    const v = raw !== null && typeof raw === 'object' && !Array.isArray(raw) && 'value' in raw ? (raw as { value: unknown }).value : raw;
    if (v === null || v === undefined || typeof v === 'object') continue;
    put(rec, SLS_KEYS, k, String(v));
  }
  canonicalType(rec);
  // URL logs split the URL: url_domain + uri (a path).
  const domain = rec[F.url_domain];
  const misc = rec[F.misc];
  if (domain && misc && misc.startsWith('/')) rec[F.misc] = domain + misc;
  else if (domain && !misc && rec[F.subtype] === 'url') rec[F.misc] = domain;
  return rec;
}
