import { columnPath, datasetOf, str, type Row } from '../rows.js';
import type { TrailJoin } from '../types.js';
import { confidenceOf, formatDelta, type Candidate } from './lookup.js';
import type { JoinSpec } from './table.js';

/** What a join matched, how well and why: the TrailJoin shown next to a hop. */
export function joinEvidence(spec: JoinSpec, from: Row, ranked: Candidate[], limit: number, facts: Record<string, string | undefined> = {}): TrailJoin {
  const best = ranked[0]!;
  const { confidence, tied } = confidenceOf(spec.confidence, ranked);
  const keys: Record<string, string> = {};
  const toFields: string[] = [];
  const fromFields: string[] = [];
  for (const [a, b] of spec.keys) {
    const toPath = columnPath(b);
    const fromPath = a.startsWith('@') ? `the trail's ${a.slice(1)}` : columnPath(a);
    keys[fromPath === toPath || a.startsWith('@') ? toPath : `${fromPath} = ${toPath}`] = str(best.row, b) ?? '';
    toFields.push(toPath);
    fromFields.push(fromPath);
  }
  const toDs = datasetOf(best.row);
  const fromDs = datasetOf(from);
  const values = Object.values(keys).join(', ');
  const parts = [`${toDs} ${toFields.join(' + ')} = ${fromDs} ${fromFields.join(' + ')} (${values})`];
  if (spec.method !== 'request-id' && spec.method !== 'trace-id' && spec.method !== 'session-id') {
    parts.push(best.distance === 0 && best.delta !== 0 ? `inside the ${fromDs === 'panw.panos' || toDs === 'panw.panos' ? 'session' : 'record'}'s interval (${formatDelta(best.delta)} between the logged times)` : `${toDs} logged it ${formatDelta(best.delta)} from ${fromDs}`);
  }
  const valueOf = (a: string) => (a.startsWith('@') ? facts[a.slice(1)] : str(from, a));
  const matched = (spec.prefer ?? []).filter(([a, b]) => valueOf(a) !== undefined && valueOf(a) === str(best.row, b)).map(([, b]) => columnPath(b));
  if (ranked.length === 1) parts.push('the only candidate in the window');
  else {
    const more = ranked.length >= limit ? `${limit}+` : String(ranked.length);
    const second = ranked[1]!;
    const by = [matched.length ? `same ${matched.join(', ')}` : '', 'closest time'].filter(Boolean).join(', then ');
    parts.push(`${more} candidates in the window (next best ${formatDelta(second.delta)}); chosen by ${by}`);
    if (tied > 1) parts.push(`${tied} candidates are indistinguishable: confidence split between them`);
  }
  return { method: spec.method, keys, confidence, evidence: parts.join('; '), from: fromDs, dataset: toDs };
}
