import type { EcsEvent } from '../../../ecs/event.js';
import { eventIdFor } from '../../../ecs/event-id.js';
import { LEVEL_SEVERITY, type Alert, type Match } from '../../types.js';
import { loadMappings, type Mappings } from '../pipeline/mappings.js';
import { MAX_CORRELATION_DEPTH } from '../rule/load.js';
import type { RuleSet, SigmaCorrelation, SigmaRule } from '../rule/types.js';
import { evaluateWindow, isMonotonic, type Entry, type Outcome } from './evaluate.js';
import { FieldReader } from './fields.js';

export interface CorrelatorOptions {
  /** How far behind the newest event time an event may arrive and still be correlated (default 6 h). */
  latenessMs?: number;
  /** Cap on buffered entries over all correlations and groups; the least recently updated groups are evicted (default 500,000). */
  maxEntries?: number;
  /** Cap per group; the oldest entries are dropped (default 10,000). */
  maxEntriesPerGroup?: number;
  /** Events kept in an alert (all their ids are kept in event.reference_ids). Default 100. */
  maxAlertEvents?: number;
  mappings?: Mappings;
  /** Wall clock for `event.created` (tests). */
  now?: () => Date;
}

export interface CorrelatorStats {
  matches: number;
  alerts: number;
  /** Entries and groups buffered now. */
  entries: number;
  groups: number;
  evictedGroups: number;
  evictedEntries: number;
  /** Entries older than every open window (beyond the lateness allowance) that could still be buffered. */
  late: number;
  /** Matches dropped because a group-by field was absent or the event had no @timestamp. */
  missingGroupBy: number;
  noTimestamp: number;
}

export type Emit = (alert: Alert) => void;

export interface Correlator {
  onMatch(match: Match, emit: Emit): void;
  /** Closes every open window (end of input) and emits what fires. */
  finish(emit: Emit): void;
  readonly stats: CorrelatorStats;
  /** Base rule ids the correlations consume: workers must emit their matches even when they do not alert. */
  readonly inputRuleIds: ReadonlySet<string>;
  /** The open windows as JSON, for a correlation pass over the store to carry on from (src/detect/shared/). */
  snapshot(): CorrelatorSnapshot;
  /** Takes up a snapshot's windows (groups of correlations the rules no longer have are dropped). */
  restore(snapshot: CorrelatorSnapshot): void;
}

/**
 * A correlator's open windows: every group's entries (per correlation, in the order groups were
 * opened, which is the order windows close in) and `recent`, the groups' indexes from least to most
 * recently updated (the order the entry cap evicts them in).
 */
export interface CorrelatorSnapshot {
  maxTime: number | null;
  lastSweep: number | null;
  groups: { rule: string; key: Record<string, string>; entries: Entry[] }[];
  recent: number[];
}

interface Group {
  corr: CorrState;
  keyText: string;
  key: Record<string, string>;
  entries: Entry[];
}

interface CorrState {
  corr: SigmaCorrelation;
  monotonic: boolean;
  groups: Map<string, Group>;
  /** Outer correlations fed by this one's alerts, with the reference they use. */
  parents: { state: CorrState; ref: string }[];
}

/** Base rule ids that correlations need (following chains of correlations down to rules). */
export function correlationInputIds(ruleSet: RuleSet): Set<string> {
  const byRef = refIndex(ruleSet);
  const out = new Set<string>();
  // Each correlation once: inner correlations shared by several (a diamond) would be visited once per path.
  const seen = new Set<SigmaCorrelation>();
  const visit = (c: SigmaCorrelation, depth: number) => {
    if (depth > MAX_CORRELATION_DEPTH || seen.has(c)) return;
    seen.add(c);
    for (const r of c.rules) {
      const t = byRef.get(r);
      if (t?.type === 'rule') out.add(t.ruleId);
      else if (t?.type === 'correlation') visit(t, depth + 1);
    }
  };
  for (const c of ruleSet.correlations) visit(c, 0);
  return out;
}

function refIndex(ruleSet: RuleSet): Map<string, SigmaRule | SigmaCorrelation> {
  const m = new Map<string, SigmaRule | SigmaCorrelation>();
  for (const r of [...ruleSet.rules, ...ruleSet.correlations]) {
    m.set(r.ruleId, r);
    if (r.name) m.set(r.name, r);
  }
  return m;
}

/**
 * The stateful half of Sigma (main thread): correlation rules over the Matches of base rules.
 * Windows are keyed by event time, so out-of-order and late events (up to `latenessMs` behind the
 * newest event) still correlate; conditions that can only grow (gt/gte) fire as soon as a window
 * holds them, the others when the window closes (event time passes its end plus the lateness
 * allowance, or `finish()`). Buffered state is capped and evictions are counted.
 */
export function createCorrelator(ruleSet: RuleSet, opts: CorrelatorOptions = {}): Correlator {
  const lateness = opts.latenessMs ?? 6 * 3_600_000;
  const maxEntries = opts.maxEntries ?? 500_000;
  const maxPerGroup = opts.maxEntriesPerGroup ?? 10_000;
  const maxAlertEvents = opts.maxAlertEvents ?? 100;
  const now = opts.now ?? (() => new Date());
  const byRef = refIndex(ruleSet);
  const fields = new FieldReader(ruleSet, opts.mappings ?? loadMappings());
  const states = new Map<string, CorrState>();
  for (const c of ruleSet.correlations) states.set(c.ruleId, { corr: c, monotonic: isMonotonic(c), groups: new Map(), parents: [] });
  /** Base rule id → consumers. */
  const consumers = new Map<string, { state: CorrState; ref: string }[]>();
  for (const s of states.values()) {
    for (const ref of s.corr.rules) {
      const t = byRef.get(ref);
      if (!t) continue;
      if (t.type === 'rule') {
        const list = consumers.get(t.ruleId) ?? [];
        list.push({ state: s, ref });
        consumers.set(t.ruleId, list);
      } else states.get(t.ruleId)?.parents.push({ state: s, ref });
    }
  }
  const stats: CorrelatorStats = { matches: 0, alerts: 0, entries: 0, groups: 0, evictedGroups: 0, evictedEntries: 0, late: 0, missingGroupBy: 0, noTimestamp: 0 };
  /** Every group, least recently updated first (Map keeps insertion order; updates re-insert). */
  const lru = new Map<string, Group>();
  let maxTime = -Infinity;
  let lastSweep = -Infinity;

  const add = (state: CorrState, entry: Entry, key: Record<string, string>, emit: Emit) => {
    const keyText = JSON.stringify(key);
    let g = state.groups.get(keyText);
    const lruKey = `${state.corr.ruleId}\u0000${keyText}`;
    if (!g) {
      g = { corr: state, keyText, key, entries: [] };
      state.groups.set(keyText, g);
      stats.groups++;
    } else lru.delete(lruKey);
    lru.set(lruKey, g);
    if (entry.time < maxTime - lateness - state.corr.timespanMs) stats.late++;
    insertSorted(g.entries, entry);
    stats.entries++;
    if (g.entries.length > maxPerGroup) {
      g.entries.shift();
      stats.entries--;
      stats.evictedEntries++;
    }
    if (entry.time > maxTime) maxTime = entry.time;
    if (state.monotonic) fireEager(g, entry.time, emit);
    while (stats.entries > maxEntries && lru.size) evictOldest();
  };

  const evictOldest = () => {
    const [k, g] = lru.entries().next().value as [string, Group];
    lru.delete(k);
    g.corr.groups.delete(g.keyText);
    stats.groups--;
    stats.entries -= g.entries.length;
    stats.evictedEntries += g.entries.length;
    stats.evictedGroups++;
  };

  const removeEntries = (g: Group, gone: Set<Entry>) => {
    const before = g.entries.length;
    g.entries = g.entries.filter((e) => !gone.has(e));
    stats.entries -= before - g.entries.length;
    if (g.entries.length === 0) dropGroup(g);
  };

  const dropGroup = (g: Group) => {
    g.corr.groups.delete(g.keyText);
    lru.delete(`${g.corr.corr.ruleId}\u0000${g.keyText}`);
    stats.groups--;
    stats.entries -= g.entries.length;
  };

  /** Windows [s, s + timespan] that contain `t`, for each start s among the entries; the first that holds fires. */
  const fireEager = (g: Group, t: number, emit: Emit) => {
    const span = g.corr.corr.timespanMs;
    const es = g.entries;
    let end = 0;
    for (let i = 0; i < es.length; i++) {
      const s = es[i]!.time;
      if (s < t - span) continue;
      if (s > t) break;
      if (end < i) end = i;
      while (end < es.length && es[end]!.time <= s + span) end++;
      const out = evaluateWindow(g.corr.corr, es.slice(i, end));
      if (out) {
        fire(g, out, emit);
        removeEntries(g, new Set(out.entries));
        return;
      }
    }
  };

  /** Closes windows that ended before the watermark (tumbling from each group's first entry). */
  const closeWindows = (g: Group, watermark: number, emit: Emit) => {
    const span = g.corr.corr.timespanMs;
    while (g.entries.length && g.entries[0]!.time + span < watermark) {
      const start = g.entries[0]!.time;
      const window = g.entries.filter((e) => e.time <= start + span);
      if (!g.corr.monotonic) {
        const out = evaluateWindow(g.corr.corr, window);
        if (out) fire(g, out, emit);
      }
      removeEntries(g, new Set(window));
      if (!g.corr.groups.has(g.keyText)) return;
    }
  };

  const sweep = (emit: Emit, final: boolean) => {
    for (const s of states.values()) {
      const watermark = final ? Infinity : maxTime - lateness;
      for (const g of [...s.groups.values()]) closeWindows(g, watermark, emit);
    }
  };

  const fire = (g: Group, out: Outcome, emit: Emit) => {
    const c = g.corr.corr;
    const times = out.entries.map((e) => e.time);
    const ids = [...new Set(out.entries.flatMap((e) => e.ids))];
    const events = out.entries.flatMap((e) => e.events).slice(0, maxAlertEvents);
    const start = Math.min(...times);
    const last = Math.max(...times);
    const alert: Alert = {
      '@timestamp': new Date(last).toISOString(),
      event: {
        kind: 'alert',
        id: eventIdFor('packettrail.alert', `${c.ruleId}\n${g.keyText}\n${start}\n${ids.join(',')}`),
        created: now().toISOString(),
        dataset: 'packettrail.alert',
        severity: LEVEL_SEVERITY[c.meta.level],
        reference_ids: ids,
      },
      rule: c.meta,
      key: g.key,
      details: { correlation: c.correlationType, timespan_ms: c.timespanMs, window: { start: new Date(start).toISOString(), end: new Date(last).toISOString() }, rules: c.rules, ...out.details },
      events,
    };
    stats.alerts++;
    if (c.alert) emit(alert);
    for (const p of g.corr.parents) {
      const key = fields.keyFromAlert(p.state.corr, p.ref, alert);
      if (!key) {
        stats.missingGroupBy++;
        continue;
      }
      add(p.state, { time: last, ref: p.ref, value: fields.valueFromAlert(p.state.corr, alert), ids, events }, key, emit);
    }
  };

  return {
    stats,
    inputRuleIds: correlationInputIds(ruleSet),
    onMatch(match, emit) {
      const list = consumers.get(match.ruleId);
      if (!list) return;
      stats.matches++;
      const ts = match.event['@timestamp'];
      const time = typeof ts === 'string' ? Date.parse(ts) : NaN;
      if (!Number.isFinite(time)) {
        stats.noTimestamp++;
        return;
      }
      const id = match.event.event?.id;
      for (const { state, ref } of list) {
        const key = fields.keyFromEvent(state.corr, ref, match.ruleId, match.event);
        if (!key) {
          stats.missingGroupBy++;
          continue;
        }
        const value = fields.valueFromEvent(state.corr, ref, match.ruleId, match.event);
        add(state, { time, ref, value, ids: id ? [id] : [], events: [match.event as EcsEvent] }, key, emit);
      }
      // Sweep closed windows when event time has moved on by a minute or more.
      if (maxTime - lastSweep >= 60_000) {
        lastSweep = maxTime;
        sweep(emit, false);
      }
    },
    finish(emit) {
      sweep(emit, true);
      for (const s of states.values()) for (const g of [...s.groups.values()]) dropGroup(g);
    },
    snapshot() {
      const finite = (n: number) => (Number.isFinite(n) ? n : null);
      const all = [...states.values()].flatMap((s) => [...s.groups.values()]);
      const index = new Map(all.map((g, i) => [g, i]));
      return {
        maxTime: finite(maxTime), lastSweep: finite(lastSweep),
        groups: all.map((g) => ({ rule: g.corr.corr.ruleId, key: g.key, entries: g.entries })),
        recent: [...lru.values()].map((g) => index.get(g)!),
      };
    },
    restore(snapshot) {
      maxTime = snapshot.maxTime ?? -Infinity;
      lastSweep = snapshot.lastSweep ?? -Infinity;
      const restored = snapshot.groups.map((saved) => {
        const state = states.get(saved.rule);
        if (!state || !saved.entries.length) return undefined;
        const keyText = JSON.stringify(saved.key);
        const g: Group = { corr: state, keyText, key: saved.key, entries: [...saved.entries] };
        state.groups.set(keyText, g);
        stats.groups++;
        stats.entries += g.entries.length;
        return g;
      });
      for (const i of snapshot.recent) {
        const g = restored[i];
        if (g) lru.set(`${g.corr.corr.ruleId}\u0000${g.keyText}`, g);
      }
    },
  };
}

function insertSorted(list: Entry[], e: Entry): void {
  let i = list.length;
  if (i === 0 || list[i - 1]!.time <= e.time) {
    list.push(e);
    return;
  }
  let lo = 0;
  let hi = i;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.time <= e.time) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, e);
}
