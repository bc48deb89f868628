import { TRAFFIC_FIELDS, THREAT_FIELDS, DECRYPTION_FIELDS } from './fields-network.js';
import {
  COMMON_FIELDS, SYSTEM_FIELDS, CONFIG_FIELDS, CONFIG_DEFAULT_FIELDS, USERID_FIELDS, GLOBALPROTECT_FIELDS, HIPMATCH_FIELDS,
  AUTHENTICATION_FIELDS,
} from './fields-system.js';
import { CORRELATION_FIELDS, IPTAG_FIELDS, SCTP_FIELDS, TUNNEL_FIELDS } from './fields-other.js';

/** Fields only the CEF, LEEF and Strata Logging Service forms deliver (split out or renamed there). */
const EXTRA_FIELDS = ['threat_name', 'url_domain', 'sender_sw_version', 'severity_number', 'receive_time_iso'] as const;

export type FieldName =
  | (typeof TRAFFIC_FIELDS)[number] | (typeof THREAT_FIELDS)[number] | (typeof DECRYPTION_FIELDS)[number]
  | (typeof SYSTEM_FIELDS)[number] | (typeof CONFIG_FIELDS)[number] | (typeof USERID_FIELDS)[number]
  | (typeof GLOBALPROTECT_FIELDS)[number] | (typeof HIPMATCH_FIELDS)[number] | (typeof AUTHENTICATION_FIELDS)[number]
  | (typeof TUNNEL_FIELDS)[number] | (typeof SCTP_FIELDS)[number] | (typeof IPTAG_FIELDS)[number]
  | (typeof CORRELATION_FIELDS)[number] | (typeof EXTRA_FIELDS)[number];

/**
 * A record in canonical form: values indexed by field id (`rec[F.natsrc]`), `undefined` when the
 * record lacks the field or it is empty. Every delivery form (CSV, CEF, LEEF, JSON) fills one, so a
 * single mapping turns all of them into ECS, and positional CSV needs no per-line name lookups.
 */
export type Rec = (string | undefined)[];

const ids = new Map<string, number>();
for (const table of [
  TRAFFIC_FIELDS, THREAT_FIELDS, DECRYPTION_FIELDS, SYSTEM_FIELDS, CONFIG_FIELDS, USERID_FIELDS, GLOBALPROTECT_FIELDS,
  HIPMATCH_FIELDS, AUTHENTICATION_FIELDS, TUNNEL_FIELDS, SCTP_FIELDS, IPTAG_FIELDS, CORRELATION_FIELDS, EXTRA_FIELDS,
] as readonly (readonly string[])[]) {
  for (const name of table) if (name !== 'future_use' && !ids.has(name)) ids.set(name, ids.size);
}

/** Field name → id in a canonical record. */
export const F = Object.fromEntries(ids) as Record<Exclude<FieldName, 'future_use'>, number>;
export const FIELD_COUNT = ids.size;

export function fieldId(name: string): number | undefined {
  return ids.get(name);
}

export interface Layout {
  /** The Type column value (`TRAFFIC`). */
  type: string;
  /** Field names by CSV position. */
  names: readonly string[];
  /** Field id by CSV position; -1 for placeholders. */
  ids: Int16Array;
  /** Fewest fields a record of this type must have to be read (through the fields the mapping needs). */
  min: number;
  /** Other orders the same type is written in, told apart by the record's values (first that holds). */
  variants?: readonly LayoutVariant[];
}

export interface LayoutVariant {
  /** `values` holds `count` fields (the array may be longer: it is reused between records). */
  when(values: readonly string[], count: number): boolean;
  layout: Layout;
}

function layout(type: string, names: readonly string[], minName: string): Layout {
  const min = names.indexOf(minName) + 1;
  if (min <= 0) throw new Error(`layout ${type}: no field ${minName}`);
  return { type, names, ids: Int16Array.from(names, (n) => ids.get(n) ?? -1), min };
}

// Minimums: session logs need everything through the action; the others through their main payload.
const TABLE: Layout[] = [
  layout('TRAFFIC', TRAFFIC_FIELDS, 'action'),
  layout('THREAT', THREAT_FIELDS, 'action'),
  layout('DECRYPTION', DECRYPTION_FIELDS, 'action'),
  layout('SYSTEM', SYSTEM_FIELDS, 'opaque'),
  {
    ...layout('CONFIG', CONFIG_FIELDS, 'result'),
    // The default format has no change details after the path: Sequence Number (digits) and Action
    // Flags (0x…) follow it at 15–16 (reference §3.3's robust rule).
    variants: [{ when: (v, n) => n > 15 && /^\d+$/.test(v[14]!) && /^0x/i.test(v[15]!), layout: layout('CONFIG', CONFIG_DEFAULT_FIELDS, 'result') }],
  },
  layout('USERID', USERID_FIELDS, 'user'),
  layout('GLOBALPROTECT', GLOBALPROTECT_FIELDS, 'srcuser'),
  layout('HIPMATCH', HIPMATCH_FIELDS, 'matchname'),
  layout('AUTHENTICATION', AUTHENTICATION_FIELDS, 'user'),
  // Tunnel Inspection writes the session stage as its Type.
  layout('START', TUNNEL_FIELDS, 'action'),
  layout('END', TUNNEL_FIELDS, 'action'),
  layout('SCTP', SCTP_FIELDS, 'action'),
  layout('IPTAG', IPTAG_FIELDS, 'src'),
  layout('CORRELATION', CORRELATION_FIELDS, 'src'),
];

/**
 * Other spellings of a Type column value: `HIP-MATCH` is how the docs (and some releases) spell
 * HIPMATCH; `AUTH` is Strata Logging Service's name for the Authentication log, which its forwarded
 * CSV carries.
 */
export const TYPE_ALIASES: Readonly<Record<string, string | undefined>> = Object.assign(Object.create(null) as Record<string, string>, {
  'HIP-MATCH': 'HIPMATCH',
  AUTH: 'AUTHENTICATION',
});

/** Layouts by Type column value, aliases included. */
export const LAYOUTS = new Map<string, Layout>(TABLE.map((l) => [l.type, l]));
for (const [alias, type] of Object.entries(TYPE_ALIASES)) LAYOUTS.set(alias, LAYOUTS.get(type!)!);

/** Log types without a table here (GTP, AUDIT …): the common head only. */
export const GENERIC = layout('*', COMMON_FIELDS, 'time_generated');
