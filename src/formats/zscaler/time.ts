import { localToUtcMillis, parseZone, type TimeZone } from '../../ecs/timezone.js';
import { millisFromIso } from '../../ecs/time.js';
import { RecordError } from '../format.js';

// `Mon Oct 16 22:55:48 2023`; firewall feeds may pad with double spaces (`Tue Dec  31 02:22:22 2022`).
const NSS_TIME = /^(?:[A-Za-z]{3},?\s+)?([A-Za-z]{3})\s+(\d{1,2})\s+(\d{1,2}):(\d{2}):(\d{2})\s+(\d{4})$/;
const MONTHS: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const EPOCH = /^\d{9,13}$/;
// The JSON presets' `datetime`, built from the broken-out tokens in the feed's zone: `2021-06-17 14:53:16`.
const ZONELESS = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})$/;

/**
 * Zone lookup for one parser: NSS writes the feed's zone in `tz` (usually the same on every record),
 * so parsed zones and failures are remembered.
 */
export class ZoneCache {
  private readonly zones = new Map<string, TimeZone | string>();

  zone(name: string): TimeZone {
    let z = this.zones.get(name);
    if (z === undefined) {
      try {
        z = parseZone(name);
      } catch (e) {
        z = (e as Error).message;
      }
      this.zones.set(name, z);
    }
    if (typeof z === 'string') throw new RecordError(z);
    return z;
  }
}

/**
 * Event time of an NSS record: `time`/`datetime` read in the record's `tz`, else the configured zone
 * (`--timezone`), else UTC; `epochtime` when neither text time is present.
 */
export function nssMillis(
  text: string | undefined,
  tz: string | undefined,
  epoch: string | undefined,
  fallbackZone: string | undefined,
  zones: ZoneCache,
): number {
  if (text !== undefined) {
    const m = NSS_TIME.exec(text);
    if (m) {
      const month = MONTHS[m[1]!.toLowerCase()];
      const zoneName = tz ?? fallbackZone ?? 'UTC';
      const zone = zones.zone(zoneName);
      const ms = month === undefined ? undefined : localToUtcMillis(Number(m[6]), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), 0, zone);
      if (ms === undefined) throw new RecordError(`time '${text}' is not a valid date`);
      return ms;
    }
    const local = ZONELESS.exec(text);
    if (local) {
      const zone = zones.zone(tz ?? fallbackZone ?? 'UTC');
      const ms = localToUtcMillis(Number(local[1]), Number(local[2]), Number(local[3]), Number(local[4]), Number(local[5]), Number(local[6]), 0, zone);
      if (ms === undefined) throw new RecordError(`time '${text}' is not a valid date`);
      return ms;
    }
    const iso = millisFromIso(text);
    if (iso !== undefined) return iso;
    throw new RecordError(`time '${text.slice(0, 40)}' is not an NSS time (expected e.g. Mon Oct 16 22:55:48 2023)`);
  }
  if (epoch !== undefined) {
    if (!EPOCH.test(epoch)) throw new RecordError(`epochtime '${epoch.slice(0, 40)}' is not Unix epoch seconds`);
    return epoch.length > 11 ? Number(epoch) : Number(epoch) * 1000;
  }
  throw new RecordError('no time field (expected time or datetime like Mon Oct 16 22:55:48 2023, or epochtime)');
}
