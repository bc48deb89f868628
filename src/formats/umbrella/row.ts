import type { EcsEvent, EcsObject, EcsValue } from '../../ecs/event.js';
import { setPath } from '../../ecs/event.js';
import { canonicalIp } from '../../ecs/ip.js';
import { millisFromDateTime } from '../../ecs/time.js';
import { identityToEcs } from '../../ecs/identity.js';
import { RecordError, type ParserContext } from '../format.js';
import type { FieldErrors } from '../shared/field-errors.js';
import { eventSkeleton } from '../shared/skeleton.js';
import { TIMESTAMP, type Layout } from './layouts.js';
import { splitList, type Resolved } from './identities.js';
import { clip } from '../shared/reason.js';
export { applyAction } from '../shared/action.js';

export const DATASET = 'cisco.umbrella';

const INTEGER = /^-?\d+$/;

/** Writes a dotted ECS path (setPath splits and caches paths). */
export const put = setPath;


/**
 * One CSV row read through its layout; empty cells and `null` read as absent. A cell that is not of
 * the expected kind is left out and noted in `errors` (shared/field-errors.ts); only the timestamp is
 * required.
 */
export class Row {
  constructor(
    readonly cells: string[],
    readonly layout: Layout,
    readonly raw: string,
    readonly errors: FieldErrors,
  ) {}

  get(name: string): string | undefined {
    const i = this.layout.index.get(name);
    if (i === undefined) return undefined;
    const v = this.cells[i];
    return v === undefined || v === '' || v === 'null' || v === '-' ? undefined : v;
  }

  private where(name: string): string {
    return `column ${(this.layout.index.get(name) ?? 0) + 1} (${name.replace(/_/g, ' ')})`;
  }

  /** Notes the column `name` as left out because its value is not what was expected. */
  drop(name: string, value: string, expected: string): undefined {
    return this.errors.drop(name.replace(/_/g, ' '), `${this.where(name)} '${clip(value)}' ${expected}`);
  }

  ip(name: string): string | undefined {
    const v = this.get(name);
    if (v === undefined) return undefined;
    return canonicalIp(v) ?? this.drop(name, v, 'is not an IP address');
  }

  long(name: string): number | undefined {
    const v = this.get(name);
    if (v === undefined) return undefined;
    // Beyond 2^53 a double is no longer exact, and beyond 2^63 the store cannot hold it at all.
    const n = Number(v);
    return INTEGER.test(v) && Number.isSafeInteger(n) ? n : this.drop(name, v, `is not a whole number (up to ${Number.MAX_SAFE_INTEGER})`);
  }

  port(name: string): number | undefined {
    const v = this.get(name);
    const n = this.long(name);
    return n !== undefined && (n < 0 || n > 65535) ? this.drop(name, v!, 'is not a port (0-65535)') : n;
  }

  list(name: string): string[] | undefined {
    const l = splitList(this.get(name));
    return l.length ? l : undefined;
  }

  millis(name: string): number {
    const v = this.get(name);
    if (v === undefined) throw new RecordError(`${this.where(name)} is empty (expected YYYY-MM-DD HH:MM:SS, UTC)`);
    const ms = TIMESTAMP.test(v) ? millisFromDateTime(v.slice(0, 10), v.slice(11)) : undefined;
    if (ms === undefined) throw new RecordError(`${this.where(name)} '${clip(v)}' is not a timestamp (expected YYYY-MM-DD HH:MM:SS, UTC)`);
    return ms;
  }

  /** Non-empty cells past the layout or under unnamed columns, by 1-based column number. */
  unmapped(): EcsObject | undefined {
    let out: EcsObject | undefined;
    for (let i = 0; i < this.cells.length; i++) {
      const v = this.cells[i]!;
      if (v === '' || (i < this.layout.columns.length && this.layout.columns[i] !== '')) continue;
      (out ??= {})[String(i + 1)] = v;
    }
    return out;
  }
}


export interface BaseSpec {
  kind: string;
  category: string[];
  type: string[];
  observerType: string;
}

export function baseEvent(row: Row, ms: number, spec: BaseSpec, ctx: ParserContext): EcsEvent {
  const out = eventSkeleton(
    { dataset: DATASET, module: 'cisco', raw: row.raw, ms, kind: spec.kind, category: spec.category, type: [...spec.type], observer: { vendor: 'Cisco', product: 'Umbrella', type: spec.observerType } },
    ctx,
  );
  out.umbrella = { log_type: row.layout.type };
  return out;
}

/** Writes `umbrella.<key>` (dotted keys nest). */
export function vendor(event: EcsEvent, key: string, value: EcsValue | undefined): void {
  put(event, `umbrella.${key}`, value);
}

/** user.* / host.name / network.name from resolved identities, plus the raw lists. */
export function applyIdentities(event: EcsEvent, r: Resolved): void {
  if (r.user) event.user = identityToEcs(r.user);
  if (r.host) put(event, 'host.name', r.host);
  if (r.network) put(event, 'network.name', r.network);
  // Resolutions are cached and shared between records: each event gets its own lists.
  if (r.identities.length) vendor(event, 'identities', r.identities.slice());
  if (r.types.length) vendor(event, 'identity_types', r.types.slice());
}

/** source/destination address + ip (+ port) in ECS form. */
export function endpoint(event: EcsEvent, side: 'source' | 'destination', ip: string | undefined, port?: number): void {
  if (ip === undefined && port === undefined) return;
  const o: EcsObject = (event[side] as EcsObject | undefined) ?? {};
  if (ip !== undefined) {
    o.address = ip;
    o.ip = ip;
  }
  if (port !== undefined) o.port = port;
  event[side] = o;
}

/** Cells copied to `umbrella.*` as they are: [column, key, kind]. */
export type CopySpec = readonly [string, string, 'keyword' | 'list' | 'long'];

export function copyColumns(event: EcsEvent, row: Row, specs: readonly CopySpec[]): void {
  for (const [column, key, kind] of specs) {
    const v = kind === 'list' ? row.list(column) : kind === 'long' ? row.long(column) : row.get(column);
    if (v !== undefined) vendor(event, key, v);
  }
}
