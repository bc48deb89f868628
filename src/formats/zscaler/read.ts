import type { EcsObject } from '../../ecs/event.js';
import { percentDecode } from '../../ecs/url.js';
import { RecordError } from '../format.js';
import { MAX_JSON_DEPTH, nestedDeeperThan } from '../../util/json-depth.js';

/** One NSS record as named values (keys lower-cased), plus the feed its envelope names, if any. */
export interface NssRecord {
  values: Map<string, string | EcsObject>;
  sourcetype?: string;
}

/** What NSS writes when a field has no value. */
const ABSENT = new Set(['', 'None', 'none', 'NA', 'N/A', 'n/a', 'null', 'NULL', '-']);
/** URL-valued fields stay percent-encoded: the encoding belongs to the URL. */
const RAW_KEYS = new Set(['eurl', 'url', 'ereferer', 'referer', 'refererurl', 'b64url', 'b64referer']);

function put(out: Map<string, string | EcsObject>, key: string, value: string): void {
  const v = value.trim();
  if (ABSENT.has(v)) return;
  const k = key.toLowerCase();
  out.set(k, RAW_KEYS.has(k) ? v : percentDecode(v));
}

function clip(v: string): string {
  return v.length > 40 ? `${v.slice(0, 40)}…` : v;
}

/** JSON: the Elastic/Cloud NSS envelope `{"sourcetype":…,"event":{…}}` or a flat object. */
export function readJson(text: string): NssRecord {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    throw new RecordError(`invalid JSON: ${(e as Error).message}`);
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new RecordError('expected a JSON object per line');
  // Object values are kept as they are: one nested 10^5 deep overflowed the stack writing the event.
  if (nestedDeeperThan(obj)) throw new RecordError(`JSON nested deeper than ${MAX_JSON_DEPTH} levels; an NSS record is a few levels deep`);
  const top = obj as Record<string, unknown>;
  const inner = top.event;
  const enveloped = inner !== null && typeof inner === 'object' && !Array.isArray(inner);
  const body = (enveloped ? inner : top) as Record<string, unknown>;
  const values = new Map<string, string | EcsObject>();
  for (const key of Object.keys(body)) {
    if (key === 'sourcetype') continue;
    const v = body[key];
    if (v === null || v === undefined) continue;
    if (typeof v === 'object') values.set(key.toLowerCase(), v as EcsObject);
    else put(values, key, String(v));
  }
  const record: NssRecord = { values };
  const st = top.sourcetype ?? (enveloped ? undefined : body.sourcetype);
  if (typeof st === 'string') record.sourcetype = st;
  return record;
}

const KEY = /^[A-Za-z_][\w.-]*$/;
// A following `name=` ends an unquoted value at the space before it (values may contain spaces).
const NEXT_KEY = /[ \t]*[A-Za-z_][\w.-]*=/y;

/** Name-value output: `key=value` separated by spaces or tabs; values may be double-quoted. */
export function readKeyValue(text: string): NssRecord {
  const values = new Map<string, string | EcsObject>();
  const n = text.length;
  let i = 0;
  while (i < n) {
    while (i < n && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
    if (i >= n) break;
    const eq = text.indexOf('=', i);
    if (eq < 0) throw new RecordError(`expected key=value at character ${i + 1}, found '${clip(text.slice(i))}'`);
    const key = text.slice(i, eq);
    if (!KEY.test(key)) throw new RecordError(`'${clip(key)}' is not a field name (expected key=value pairs)`);
    i = eq + 1;
    let value: string;
    if (text.charCodeAt(i) === 34) {
      let j = i + 1;
      let v = '';
      for (;;) {
        const q = text.indexOf('"', j);
        if (q < 0) throw new RecordError(`value of ${key} opens a quote that is never closed`);
        if (text.charCodeAt(q - 1) === 92 /* \ */) {
          v += text.slice(j, q - 1) + '"';
          j = q + 1;
          continue;
        }
        v += text.slice(j, q);
        i = q + 1;
        break;
      }
      value = v;
    } else {
      let j = i;
      for (;;) {
        let k = j;
        while (k < n && text.charCodeAt(k) !== 32 && text.charCodeAt(k) !== 9) k++;
        if (k >= n || text.charCodeAt(k) === 9) {
          value = text.slice(i, k);
          i = k;
          break;
        }
        NEXT_KEY.lastIndex = k;
        if (NEXT_KEY.test(text)) {
          value = text.slice(i, k);
          i = k;
          break;
        }
        j = k + 1;
      }
    }
    put(values, key, value);
  }
  if (!values.size) throw new RecordError('no key=value pairs');
  return { values };
}

/** Tab-separated output, named by the feed's field list. */
export function readTsv(text: string, names: readonly string[]): NssRecord {
  const cells = text.split('\t');
  if (cells.length !== names.length) {
    throw new RecordError(`expected ${names.length} tab-separated fields per the fields option, got ${cells.length}`);
  }
  const values = new Map<string, string | EcsObject>();
  for (let i = 0; i < names.length; i++) put(values, names[i]!, cells[i]!);
  return { values };
}

const TEMPLATE_TOKEN = /%[-\d.]*[a-z]*\{([^}]+)\}/gi;

/**
 * The `fields` option: either the NSS feed output template (`%s{time}\t%s{login}…`) or plain names
 * separated by spaces, commas or tabs.
 */
export function parseFieldList(option: string): string[] {
  if (option.indexOf('{') >= 0) return [...option.matchAll(TEMPLATE_TOKEN)].map((m) => m[1]!.toLowerCase());
  return option.split(/[\s,]+/).filter(Boolean).map((s) => s.toLowerCase());
}
