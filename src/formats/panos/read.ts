import { canonicalIp } from '../../ecs/ip.js';
import { isoFromMillis, isTimeValue } from '../../ecs/time.js';
import type { TimeZone } from '../../ecs/timezone.js';
import { RecordError } from '../format.js';
import type { FieldErrors } from '../shared/field-errors.js';
import { F, type Rec } from './layouts.js';
import { parsePanTime } from './time.js';
import { lookup } from './mappings.js';
import { clip } from '../shared/reason.js';
export { clip } from '../shared/reason.js';

/** Names from the PAN-OS docs for the fields rejections mention most, so reasons read naturally. */
const DISPLAY: Record<string, string | undefined> = lookup({
  src: 'Source Address', dst: 'Destination Address', natsrc: 'NAT Source IP', natdst: 'NAT Destination IP',
  sport: 'Source Port', dport: 'Destination Port', natsport: 'NAT Source Port', natdport: 'NAT Destination Port',
  time_generated: 'Generated Time', receive_time: 'Receive Time', start: 'Start Time', high_res_timestamp: 'High Resolution Timestamp',
  ip: 'Source IP', public_ip: 'Public IP', private_ip: 'Private IP', public_ipv6: 'Public IPv6', private_ipv6: 'Private IPv6',
  srcipv6: 'Source IPv6 Address', xff_ip: 'XFF Address', bytes: 'Bytes', bytes_sent: 'Bytes Sent', bytes_received: 'Bytes Received',
  packets: 'Packets', pkts_sent: 'Packets Sent', pkts_received: 'Packets Received', elapsed: 'Elapsed Time', repeatcnt: 'Repeat Count',
});

const NAMES: string[] = [];
for (const [name, id] of Object.entries(F)) NAMES[id] = name;

/** The field's `$variable` name (`natsrc`), as dropped fields are listed. */
export function fieldName(id: number): string {
  return NAMES[id] ?? String(id);
}

export function label(id: number): string {
  const name = fieldName(id);
  const display = DISPLAY[name];
  return display ? `${name} (${display})` : name;
}


/** A field's text, or `undefined` when absent. */
export function str(r: Rec, id: number): string | undefined {
  return r[id];
}

/** Notes a field left out of the event because its value could not be read. */
export function dropField(e: FieldErrors, id: number, v: string, expected: string): undefined {
  return e.drop(fieldName(id), `${label(id)} '${clip(v)}' ${expected}`);
}

/** An IP field: canonical text, `undefined` when absent or (noted in `e`) not an address. */
export function ip(r: Rec, id: number, e: FieldErrors): string | undefined {
  const v = r[id];
  if (v === undefined) return undefined;
  const out = canonicalIp(v);
  return out === undefined ? dropField(e, id, v, 'is not an IP address') : out;
}

/** An IP-or-name field (Config "Host", relayed values): canonical IP or undefined, never throwing. */
export function maybeIp(r: Rec, id: number): string | undefined {
  const v = r[id];
  return v === undefined ? undefined : canonicalIp(v);
}

/** A non-negative whole number; `undefined` when absent or (noted in `e`) not one. */
export function int(r: Rec, id: number, e: FieldErrors): number | undefined {
  const v = r[id];
  if (v === undefined) return undefined;
  let n = 0;
  const len = v.length;
  if (len === 0 || len > 15) return slowWhole(v, id, e);
  for (let i = 0; i < len; i++) {
    const c = v.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return slowWhole(v, id, e);
    n = n * 10 + c;
  }
  return n;
}

function slowWhole(v: string, id: number, e: FieldErrors): number | undefined {
  // Some relays write counters as 1.0e3 or with spaces; accept what is still a whole number.
  const n = Number(v.trim());
  // Beyond 2^53 a double is no longer exact, and beyond 2^63 the store cannot hold it at all.
  if (v.trim() !== '' && Number.isSafeInteger(n) && n >= 0) return n;
  return dropField(e, id, v, `is not a whole number (0 to ${Number.MAX_SAFE_INTEGER})`);
}

/** A port: 0–65535. */
export function port(r: Rec, id: number, e: FieldErrors): number | undefined {
  const n = int(r, id, e);
  if (n !== undefined && n > 65535) return dropField(e, id, r[id]!, 'is not a port number (0–65535)');
  return n;
}

const ISO_SLOTS = 64;
// An epoch-0 High Resolution Timestamp in any zone: 1969-12-31 (west of UTC) or 1970-01-01.
const PLACEHOLDER_HRT = /^(?:1969-12-31|1970-01-01)T/;

/**
 * Times in the configured zone, with the last conversion remembered: consecutive records mostly
 * share their second, so most lines cost a string comparison instead of a conversion.
 */
export class TimeReader {
  private lastText = '';
  private lastMs = 0;
  private readonly isoMs = new Float64Array(ISO_SLOTS).fill(NaN);
  private readonly isoText: string[] = new Array<string>(ISO_SLOTS).fill('');

  constructor(readonly zone: TimeZone) {}

  /** Epoch ms of a time field; `undefined` when absent or (noted in `e`) not a time a timestamp can hold. */
  millis(r: Rec, id: number, e: FieldErrors): number | undefined {
    const v = r[id];
    if (v === undefined) return undefined;
    if (v === this.lastText) return this.lastMs;
    const ms = parsePanTime(v, this.zone);
    if (ms === undefined || !isTimeValue(ms)) {
      return dropField(e, id, v, `is not a valid time (expected YYYY/MM/DD HH:MM:SS in ${this.zone.name}, ISO 8601 or epoch)`);
    }
    this.lastText = v;
    this.lastMs = ms;
    return ms;
  }

  /**
   * The High Resolution Timestamp: firewalls on PAN-OS 9.1 and older (and some GlobalProtect
   * records) write an epoch-0 placeholder (`1969-12-31T16:00:00:000-08:00`,
   * `1970-01-01T01:00:00.000+01:00`), which means "none", as Elastic's pipeline reads it.
   */
  highResolution(r: Rec, id: number, e: FieldErrors): number | undefined {
    const v = r[id];
    if (v === undefined || PLACEHOLDER_HRT.test(v)) return undefined;
    const ms = this.millis(r, id, e);
    return ms !== undefined && ms > 0 ? ms : undefined;
  }

  /** RFC 3339 UTC text; a record writes several times (generated, received, start) from a few seconds. */
  iso(ms: number): string {
    // Beyond 2^53 `ms - frac` can equal `ms`: the sub-second branch would never end.
    if (!isTimeValue(ms)) throw new RecordError(`time ${ms} ms since 1970 is outside the range a timestamp can hold`);
    // Direct-mapped by second and millisecond, so a record's few distinct times rarely evict each other.
    const slot = ((ms / 1000) ^ (ms % 1000)) & (ISO_SLOTS - 1);
    if (this.isoMs[slot] === ms) return this.isoText[slot]!;
    const frac = ms % 1000;
    // A sub-second time (High Resolution Timestamp) reuses its second's text.
    const s = frac > 0 ? `${this.iso(ms - frac).slice(0, 19)}.${frac < 10 ? '00' : frac < 100 ? '0' : ''}${frac}Z` : isoFromMillis(ms);
    this.isoMs[slot] = ms;
    this.isoText[slot] = s;
    return s;
  }
}
