import type { Anchor } from './anchor.js';
import type { QueryContext } from './joins/lookup.js';
import { str, timeOf, type Row } from './rows.js';
import { station, type StationId } from './stations.js';
import type { HopKind, TrailJoin, TrailQuery } from './types.js';

/** One station's events on the trail: the event the joins continue from, and the supporting ones. */
export interface Found {
  station: StationId;
  primary: Row;
  rows: Row[];
  /** How it was reached; absent for the anchor. */
  join?: TrailJoin;
}

/** What the trail has learned so far, for joins that need more than the event they start from. */
export interface Facts {
  domain?: string;
  /** The ALB node that forwarded to the target (the app's peer address). */
  albNode?: string;
  /** The person behind the request (normalized `user.name`), from the first hop that names one. */
  user?: string;
}

/** Stations whose user is the person making the request (Defender logs DNS under the resolver service's account). */
const PERSON_STATIONS = new Set<StationId>(['origin-app', 'proxy-zscaler', 'proxy-umbrella', 'endpoint', 'firewall', 'dns-umbrella']);

export interface TrailState {
  ctx: QueryContext;
  query: TrailQuery;
  anchor: Anchor;
  /** In discovery order. */
  found: Map<StationId, Found>;
  facts: Facts;
  /** The anchor event's time: the centre of every window question. */
  time: number;
  /** Stations with any event near the trail's time: lookups elsewhere cannot match and are not run. */
  covered: Set<StationId>;
}

export function learn(facts: Facts, id: StationId, row: Row): void {
  facts.domain ??= str(row, 'url_domain') ?? str(row, 'dns_question_name');
  if (id === 'origin-app') facts.albNode ??= str(row, 'app_peer_ip');
  if (PERSON_STATIONS.has(id)) facts.user ??= str(row, 'user_name');
}

/** A hop's found stations, in discovery order. */
export function stationsOfHop(s: TrailState, hop: HopKind): Found[] {
  return [...s.found.values()].filter((f) => station(f.station).hop === hop);
}

export function foundRow(s: TrailState, id: StationId): Row | undefined {
  return s.found.get(id)?.primary;
}

/** The first found row among stations, in the given order. */
export function firstRow(s: TrailState, ids: readonly StationId[]): Row | undefined {
  for (const id of ids) {
    const r = s.found.get(id)?.primary;
    if (r) return r;
  }
  return undefined;
}

export function hopTime(s: TrailState, hop: HopKind): number {
  const f = stationsOfHop(s, hop)[0];
  return f ? timeOf(f.primary) : s.time;
}
