import type { EventStore } from '../store/store.js';
import { findAnchor } from './anchor.js';
import { coveredStations } from './coverage.js';
import { classifyClient, hopRows, missingHop, presentHopGap, servedByCloudFront, type GapContext } from './gaps.js';
import { describeDns, describeEndpoint, describeFirewall, describeProxy } from './hops/client.js';
import { describeEdge, describeOrigin, describeWaf } from './hops/cloud.js';
import type { HopDescription } from './hops/facts.js';
import { joinEvidence } from './joins/evidence.js';
import { runLookup, type Lookup, type QueryContext } from './joins/lookup.js';
import { JOINS, type JoinSpec } from './joins/table.js';
import { datasetOf, iso, rowMillis, rowToDocument, str, tableCatalog, timeOf, type Row } from './rows.js';
import { learn, stationsOfHop, type Facts, type TrailState } from './state.js';
import { station, STATIONS } from './stations.js';
import { HOP_KINDS, type HopKind, type Trail, type TrailHop, type TrailQuery } from './types.js';

const DESCRIBE: Record<HopKind, (s: TrailState) => HopDescription> = {
  endpoint: describeEndpoint, dns: describeDns, proxy: describeProxy, firewall: describeFirewall, edge: describeEdge, waf: describeWaf, origin: describeOrigin,
};
const LIMIT = 25;

/** Follows one request across every log source: the anchor event, then joins strongest first, then each hop's verdict and gaps. */
export async function buildTrail(store: EventStore, query: TrailQuery): Promise<Trail> {
  const started = performance.now();
  const ctx: QueryContext = { store, catalog: await tableCatalog(store), queries: 0 };
  const anchor = await findAnchor(ctx, query);
  const s: TrailState = { ctx, query, anchor, found: new Map(), facts: {}, time: timeOf(anchor.row), covered: new Set() };
  s.covered = await coveredStations(s, STATIONS.map((st) => st.id).filter((id) => id !== anchor.station));
  s.found.set(anchor.station, { station: anchor.station, primary: anchor.row, rows: [anchor.row] });
  learn(s.facts, anchor.station, anchor.row);
  await followJoins(s);
  const { hops, gaps } = await describeHops(s);
  const trail: Trail = {
    query,
    anchor: { dataset: datasetOf(anchor.row), eventId: String(anchor.row.event_id ?? ''), timestamp: iso(timeOf(anchor.row)) },
    hops,
    gaps,
    tookMs: 0,
  };
  if (anchor.alternatives > 0) trail.notes = [`${anchor.alternatives}${anchor.alternatives >= 99 ? '+' : ''} other events matched the url query; this trail follows the ${query.at ? 'one closest to --at' : 'latest'} (narrow with --at, --user or --window)`];
  trail.queries = ctx.queries;
  trail.tookMs = Math.round((performance.now() - started) * 10) / 10;
  return trail;
}

/** Runs the strongest applicable join until no join can find anything more. */
async function followJoins(s: TrailState): Promise<void> {
  const tried = new Set<number>();
  for (;;) {
    const next = JOINS.findIndex((j, i) => !tried.has(i) && s.found.has(j.from) && !s.found.has(j.to));
    if (next < 0) return;
    tried.add(next);
    const spec = JOINS[next]!;
    const from = s.found.get(spec.from)!.primary;
    if (!s.covered.has(spec.to) || (spec.when && !spec.when(from)) || (spec.anchorOnly && spec.from !== s.anchor.station)) continue;
    const lookup = lookupFor(spec, from, s.facts);
    if (!lookup) continue;
    const ranked = await runLookup(s.ctx, lookup);
    if (!ranked.length) continue;
    const best = ranked[0]!.row;
    // Supporting stations keep every event they found (the session's other logs, every SmartScreen verdict).
    const rows = station(spec.to).supporting || spec.to === 'endpoint-protection' ? ranked.map((c) => c.row) : [best];
    s.found.set(spec.to, { station: spec.to, primary: best, rows, join: joinEvidence(spec, from, ranked, LIMIT, { ...s.facts }) });
    learn(s.facts, spec.to, best);
  }
}

export function lookupFor(spec: JoinSpec, from: Row, facts: Facts): Lookup | undefined {
  const conditions = [];
  for (const [a, b] of spec.keys) {
    const value = a.startsWith('@') ? facts[a.slice(1) as keyof Facts] : from[a];
    if (value === null || value === undefined || value === '' || typeof value === 'object') return undefined;
    conditions.push({ column: b, value: value as string | number });
  }
  const t = timeOf(from);
  const start = rowMillis(from.event_start) ?? t;
  const end = Math.max(rowMillis(from.event_end) ?? t, t);
  const prefer = spec.prefer;
  return {
    station: spec.to, conditions, from: Math.min(start, t) - spec.window[0], to: end + spec.window[1], center: Math.min(start, t), limit: LIMIT,
    ...(prefer ? { prefer: (row: Row) => prefer.filter(([x, y]) => valueOf(x, from, facts) !== undefined && valueOf(x, from, facts) === str(row, y)).length } : {}),
  };
}

/** A from column's value, or a trail fact for `@name`. */
function valueOf(key: string, from: Row, facts: Facts): string | undefined {
  return key.startsWith('@') ? facts[key.slice(1) as keyof Facts] : str(from, key);
}

async function describeHops(s: TrailState): Promise<{ hops: TrailHop[]; gaps: string[] }> {
  const described = new Map<HopKind, HopDescription>();
  for (const kind of HOP_KINDS) if (stationsOfHop(s, kind).some((f) => !station(f.station).supporting)) described.set(kind, DESCRIBE[kind](s));
  const c: GapContext = { s, described, client: await classifyClient(s, (h) => described.has(h)), covered: s.covered };
  if (['edge', 'waf', 'origin'].some((h) => !described.has(h as HopKind))) c.served = described.has('edge') ? true : await servedByCloudFront(s);
  const hops: TrailHop[] = [];
  const gaps: string[] = [];
  for (const kind of HOP_KINDS) {
    const d = described.get(kind);
    const found = stationsOfHop(s, kind);
    const hop: TrailHop = d
      ? { kind, sources: [...new Set(found.map((f) => station(f.station).dataset))], verdict: d.verdict, summary: d.summary, facts: d.facts, events: hopRows(s, kind).map(rowToDocument) }
      : { kind, sources: [], verdict: 'missing', summary: '', facts: {}, events: [] };
    const joins = found.map((f) => f.join).filter((j) => j !== undefined);
    if (joins.length) {
      hop.join = joins[0]!;
      hop.joins = joins;
    }
    const gap = d ? presentHopGap(c, kind, d) : undefined;
    if (d) {
      if (gap) hop.gap = gap;
    } else {
      const m = missingHop(c, kind);
      hop.verdict = m.verdict;
      if (m.gap) hop.gap = m.gap;
      hop.summary = m.gap ?? m.verdict;
    }
    if ((d?.verdict === 'blocked' || hop.verdict === 'blocked') && c.blockedAt === undefined) c.blockedAt = kind;
    if (hop.gap && !gaps.includes(hop.gap)) gaps.push(hop.gap);
    hops.push(hop);
  }
  return { hops, gaps };
}
