import type { CorrelationCondition, SigmaCorrelation } from '../rule/types.js';

/** One input of a correlation group: a base-rule match or an inner correlation's alert. */
export interface Entry {
  time: number;
  /** Which referenced rule (id as written in the correlation's `rules`). */
  ref: string;
  /** The `condition.field` value (value_* types), when present. */
  value: string | undefined;
  /** Event ids behind the entry. */
  ids: string[];
  events: import('../../../ecs/event.js').EcsEvent[];
}

export interface Outcome {
  entries: Entry[];
  details: Record<string, unknown>;
}

/**
 * True when every condition holds only more strongly as a window gains entries (gt/gte on counts,
 * sums and "all rules seen"): such correlations fire as soon as a window satisfies them. The others
 * (lt/lte/eq/neq, averages, percentiles) are decided when the window closes.
 */
export function isMonotonic(c: SigmaCorrelation): boolean {
  if (c.correlationType === 'value_avg' || c.correlationType === 'value_percentile') return false;
  return c.conditions.every((x) => x.op === 'gt' || x.op === 'gte');
}

export function holds(conds: readonly CorrelationCondition[], n: number): boolean {
  return conds.every((c) => {
    switch (c.op) {
      case 'gt':
        return n > c.value;
      case 'gte':
        return n >= c.value;
      case 'lt':
        return n < c.value;
      case 'lte':
        return n <= c.value;
      case 'eq':
        return n === c.value;
      case 'neq':
        return n !== c.value;
    }
  });
}

/** Evaluates the correlation over the entries of one window (sorted by time); undefined when it does not fire. */
export function evaluateWindow(c: SigmaCorrelation, entries: readonly Entry[]): Outcome | undefined {
  switch (c.correlationType) {
    case 'event_count':
      return holds(c.conditions, entries.length) ? { entries: [...entries], details: { count: entries.length } } : undefined;
    case 'value_count': {
      const distinct = new Set(entries.map((e) => e.value).filter((v): v is string => v !== undefined));
      return holds(c.conditions, distinct.size) ? { entries: [...entries], details: { field: c.conditions[0]?.field, distinct: distinct.size } } : undefined;
    }
    case 'value_sum':
    case 'value_avg': {
      const nums = entries.map((e) => Number(e.value)).filter((n) => Number.isFinite(n));
      if (nums.length === 0) return undefined;
      const sum = nums.reduce((a, b) => a + b, 0);
      const v = c.correlationType === 'value_sum' ? sum : sum / nums.length;
      return holds(c.conditions, v) ? { entries: [...entries], details: { field: c.conditions[0]?.field, [c.correlationType === 'value_sum' ? 'sum' : 'avg']: v } } : undefined;
    }
    case 'value_percentile':
      return percentile(c, entries);
    case 'temporal': {
      const seen = new Set(entries.map((e) => e.ref));
      const needed = c.conditions.length ? holds(c.conditions, seen.size) : c.rules.every((r) => seen.has(r));
      return needed ? { entries: [...entries], details: { rules: [...seen] } } : undefined;
    }
    case 'temporal_ordered': {
      // Greedy: the earliest occurrence of each rule after the previous one in `rules` order.
      const chosen: Entry[] = [];
      let k = 0;
      for (const e of entries) {
        if (k < c.rules.length && e.ref === c.rules[k]) {
          chosen.push(e);
          k++;
        }
      }
      return k === c.rules.length ? { entries: [...entries], details: { rules: [...c.rules], ordered: chosen.map((e) => e.ref) } } : undefined;
    }
  }
}

/**
 * value_percentile: the share (in percent) of the window's entries carrying each value; the
 * condition selects rare (lte) or dominant (gte) values, e.g. a process name seen in ≤ 1 % of a
 * host's process starts. Fires with the entries of the matching values.
 */
function percentile(c: SigmaCorrelation, entries: readonly Entry[]): Outcome | undefined {
  const byValue = new Map<string, Entry[]>();
  for (const e of entries) {
    if (e.value === undefined) continue;
    const list = byValue.get(e.value);
    if (list) list.push(e);
    else byValue.set(e.value, [e]);
  }
  const total = entries.length;
  const hits: Entry[] = [];
  const values: Record<string, number> = {};
  for (const [v, list] of byValue) {
    const pct = (100 * list.length) / total;
    if (holds(c.conditions, pct)) {
      hits.push(...list);
      values[v] = Math.round(pct * 1000) / 1000;
    }
  }
  return hits.length ? { entries: hits.sort((a, b) => a.time - b.time), details: { field: c.conditions[0]?.field, percentiles: values, total } } : undefined;
}
