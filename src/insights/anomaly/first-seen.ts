import { isoSeconds } from '../time-range.js';
import { FINDING_SEVERITY, type Anomaly, type Contributor } from './anomaly.js';
import { ANOMALY_DEFAULTS, type AnomalyContext } from './context.js';
import { ANOMALY_RULES } from './rules.js';

/**
 * The metro of a CloudFront edge location: the airport code its name starts with (`CDG50-C1` → CDG).
 * CloudFront adds and rotates POPs inside a metro all the time; a new metro is what changes where,
 * and to whom, the distribution is served.
 */
export function edgeMetro(edge: string): string {
  const m = /^([A-Z]{3})\d/.exec(edge);
  return m ? m[1]! : edge;
}

interface Sighting {
  first: number;
  requests: number;
  members: Map<string, number>;
}

function sight(map: Map<string, Sighting>, key: string, member: string, first: number, requests: number): void {
  const s = map.get(key) ?? { first, requests: 0, members: new Map<string, number>() };
  map.set(key, s);
  s.first = Math.min(s.first, first);
  s.requests += requests;
  s.members.set(member, (s.members.get(member) ?? 0) + requests);
}

/**
 * First-seen edge metros and viewer countries per distribution: reported when first seen after the
 * distribution's learning period (its whole history is the baseline, however old), with enough
 * requests to be more than a stray.
 */
export async function firstSeenAnomalies(ctx: AnomalyContext): Promise<Anomaly[]> {
  const { rows: clients, geo: viewers } = await ctx.clients();
  const metros = new Map<string, Sighting>();
  for (const r of ctx.shape) if (r.edge !== null) sight(metros, `${r.d}\u0000${edgeMetro(r.edge)}`, r.edge, r.firstMs, r.requests);
  const countries = new Map<string, Sighting>();
  for (const c of clients) {
    const country = viewers.get(c.ip)?.country;
    if (country) sight(countries, `${c.d}\u0000${country}`, c.ip, c.firstMs, c.requests);
  }
  const out: Anomaly[] = [];
  const report = (map: Map<string, Sighting>, kind: 'edge' | 'country') => {
    for (const [k, s] of map) {
      const [d, value] = k.split('\u0000') as [string, string];
      const historyStart = ctx.firstSeen.get(d);
      if (historyStart === undefined || s.first - historyStart < ctx.learningMs || s.requests < ANOMALY_DEFAULTS.firstSeenMinRequests) continue;
      if (ctx.range.sinceMs !== undefined && s.first < ctx.range.sinceMs) continue;
      // Tolerate late data: report once the first sighting has had its grace period to fill in.
      if (s.first + ctx.graceMs > ctx.horizonMs) continue;
      const members = [...s.members].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
      const rule = kind === 'edge' ? ANOMALY_RULES.newEdge : ANOMALY_RULES.newCountry;
      const contributors: Contributor[] = members.slice(0, 8).map(([m, n]) => ({ kind: kind === 'edge' ? 'edge location' : 'address', value: m, observed: n }));
      const known = [...map.keys()].filter((x) => x.startsWith(`${d}\u0000`) && map.get(x)!.first < s.first).map((x) => x.split('\u0000')[1]!).sort();
      const label = kind === 'edge' ? `edge location ${members.map(([m]) => m).join(', ')} (metro ${value})` : `viewer country ${value}`;
      const at = isoSeconds(s.first);
      out.push({
        rule, severity: FINDING_SEVERITY[rule.level], distribution: d, key: { distribution: d, [kind === 'edge' ? 'metro' : 'country']: value },
        title: `New ${label} for ${d}`,
        detail: `First request at ${at} (${s.requests} requests since), after ${((s.first - historyStart) / 3_600_000).toFixed(1)} h of history in which the distribution saw ${kind === 'edge' ? 'metros' : 'countries'} ${known.join(', ') || 'none'}.`,
        at, observed: value, baseline: known.join(', '), baselineKind: `${kind === 'edge' ? 'edge metros' : 'viewer countries'} seen since ${isoSeconds(historyStart)}`, contributors,
        facts: { first_seen: at, requests: s.requests, history_since: isoSeconds(historyStart), known },
        events: kind === 'edge'
          ? { startMs: s.first, endMs: ctx.horizonMs + 1, edge: members[0]![0] }
          : { startMs: s.first, endMs: ctx.horizonMs + 1, ips: members.map(([ip]) => ip).slice(0, 1000) },
      });
    }
  };
  report(metros, 'edge');
  report(countries, 'country');
  return out;
}
