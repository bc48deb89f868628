import type { ChunkResult } from '../pipeline/chunk.js';
import type { EventSink } from '../pipeline/run.js';
import type { SourceStats } from '../pipeline/stats.js';
import type { EcsEvent } from '../ecs/event.js';
import type { Alert, Match, RuleMeta } from './types.js';
import type { Correlator, CorrelationOutput, RuleEntry } from './spec.js';
import { buildAlert } from './alerts/build.js';
import { entityKey } from './alerts/entity-key.js';
import { DEFAULT_SUPPRESS_WINDOW_MS, Suppressor, type SuppressorSnapshot } from './alerts/suppress.js';
import type { SharedDetectionTables } from './shared/tables.js';
import { asOutputError } from '../pipeline/output.js';
import type { AlertSink, AlertSinkStats } from './alerts/sink.js';

export interface RuleCounts {
  /** The rule's title, as tables show it (its id when the rule is unknown). */
  title: string;
  matches: number;
  alerts: number;
  suppressed: number;
}

export interface DetectionStats {
  /** Matches received from the workers (every rule, including correlation-only ones). */
  matches: number;
  /** Alerts handed to the sinks. */
  alerts: number;
  /** Duplicates dropped (same rule and key within the window). */
  suppressed: number;
  perRule: Map<string, RuleCounts>;
  sinks: AlertSinkStats[];
}

export interface StageOptions {
  /** Duplicate suppression window in event time; 0 turns suppression off. */
  suppressWindowMs?: number;
  /**
   * Detection shared with other processes feeding the same store: matches are stored there
   * (`rule_matches`) instead of becoming alerts here; a correlation pass (src/detect/shared/pass.ts)
   * raises the alerts from every process's matches.
   */
  matchStore?: SharedDetectionTables | undefined;
}

/** The stage's state between two correlation passes (JSON). */
export interface StageSnapshot {
  correlator?: unknown;
  suppressor: SuppressorSnapshot;
}

/**
 * The orchestrator side of detection: receives the workers' matches in input order, feeds the
 * correlator, turns matches and correlations into alerts, suppresses duplicates and writes to the
 * alert sinks. Plugs into the pipeline by wrapping the run's EventSink (`wrap`), so the pipeline
 * itself only carries the spec to the workers and the matches back.
 */
export class DetectionStage {
  private readonly suppressor: Suppressor;
  private readonly correlator: Correlator | undefined;
  private readonly perRule = new Map<string, RuleCounts>();
  private readonly pending: CorrelationOutput[] = [];
  private readonly matchStore: SharedDetectionTables | undefined;
  private matches = 0;
  private alerts = 0;
  /** Matches without an event id or a time, which a store of matches cannot order (shared detection only). */
  private unstorable = 0;

  constructor(
    private readonly rules: ReadonlyMap<string, RuleEntry>,
    private readonly sinks: AlertSink[],
    opts: StageOptions & { createCorrelator?: (() => Correlator) | undefined } = {},
  ) {
    this.suppressor = new Suppressor(opts.suppressWindowMs ?? DEFAULT_SUPPRESS_WINDOW_MS);
    this.correlator = opts.createCorrelator?.();
    this.matchStore = opts.matchStore;
  }

  /** An EventSink that passes chunks to `inner` and their matches to this stage. */
  wrap(inner: EventSink): EventSink {
    return {
      output: inner.output,
      write: async (source: SourceStats, result: ChunkResult) => {
        await inner.write(source, result);
        if (result.matches?.length) await this.onMatches(result.matches);
      },
      endSource: (source: SourceStats) => inner.endSource(source),
    };
  }

  async onMatches(matches: readonly Match[]): Promise<void> {
    if (this.matchStore) return this.storeMatches(this.matchStore, matches);
    const emit = (out: CorrelationOutput) => this.pending.push(out);
    for (const m of inReadingOrder(matches)) {
      this.matches++;
      this.counts(m.ruleId).matches++;
      this.correlator?.onMatch(m, emit);
      const entry = this.rules.get(m.ruleId);
      if (entry?.alert !== false) await this.offer(buildAlert({ rule: entry?.meta ?? unknownRule(m.ruleId), events: [m.event], key: entityKey(m.event, m.key), details: m.details }));
      await this.flushCorrelations();
    }
  }

  /**
   * Matches go to the store; the events behind them are stored already (`wrap` writes the chunk
   * first). A match that cannot be stored stops the run like an event that cannot: the alert it
   * leads to would be lost.
   */
  private async storeMatches(tables: SharedDetectionTables, matches: readonly Match[]): Promise<void> {
    for (const m of matches) {
      this.matches++;
      this.counts(m.ruleId).matches++;
    }
    try {
      const { unusable } = await tables.storeMatches(matches);
      this.unstorable += unusable.length;
    } catch (e) {
      throw asOutputError('rule matches to the rule_matches table', e);
    }
  }

  /** Matches left out of shared detection (no event id or time). */
  get unstorableMatches(): number {
    return this.unstorable;
  }

  /** The open windows and held alerts, for the next correlation pass. */
  snapshot(): StageSnapshot {
    const correlator = this.correlator?.snapshot?.();
    return { ...(correlator === undefined ? {} : { correlator }), suppressor: this.suppressor.snapshot() };
  }

  restore(s: StageSnapshot): void {
    if (s.correlator !== undefined) this.correlator?.restore?.(s.correlator);
    this.suppressor.restore(s.suppressor);
  }

  /** Hands what is ready to the sinks and flushes them, keeping open windows and held alerts (a pass that is not the last). */
  async flush(): Promise<DetectionStats> {
    await this.flushCorrelations();
    for (const s of this.sinks) await s.close();
    return this.stats();
  }

  /** End of input: pending correlations, held alerts, then the sinks are closed. */
  async finish(): Promise<DetectionStats> {
    this.correlator?.finish((out) => this.pending.push(out));
    await this.flushCorrelations();
    await this.write(this.suppressor.drain());
    for (const s of this.sinks) await s.close();
    return this.stats();
  }

  stats(): DetectionStats {
    for (const [rule, n] of this.suppressor.perRule) this.counts(rule).suppressed = n;
    return { matches: this.matches, alerts: this.alerts, suppressed: this.suppressor.suppressed, perRule: this.perRule, sinks: this.sinks.map((s) => s.stats()) };
  }

  private async flushCorrelations(): Promise<void> {
    while (this.pending.length) {
      const c = this.pending.shift()!;
      const rule = this.rules.get(c.ruleId)?.meta ?? unknownRule(c.ruleId);
      await this.offer(buildAlert({ rule, events: c.events as EcsEvent[], key: c.key, details: c.details }));
    }
  }

  private async offer(alert: Alert): Promise<void> {
    await this.write(this.suppressor.offer(alert));
  }

  private async write(alerts: Alert[]): Promise<void> {
    for (const a of alerts) {
      this.alerts++;
      this.counts(a.rule.id, a.rule.title).alerts++;
      for (const s of this.sinks) await s.write(a);
    }
  }

  private counts(ruleId: string, title?: string): RuleCounts {
    let c = this.perRule.get(ruleId);
    if (!c) {
      c = { title: this.rules.get(ruleId)?.meta.title ?? title ?? ruleId, matches: 0, alerts: 0, suppressed: 0 };
      this.perRule.set(ruleId, c);
    } else if (title && c.title === ruleId) c.title = title;
    return c;
  }
}

/**
 * A chunk's matches in event-time order, ties by rule id then event id: the order a correlation pass
 * over the store reads them in (src/detect/shared/), so that which events fill a correlation window
 * first, and which alert suppression keeps, do not depend on the order of lines within a chunk — one
 * process and several sharing a store raise the same alerts. Matches without a time come first.
 */
function inReadingOrder(matches: readonly Match[]): readonly Match[] {
  const time = (m: Match) => {
    const ts = m.event['@timestamp'];
    const t = typeof ts === 'string' ? Date.parse(ts) : NaN;
    return Number.isFinite(t) ? t : -Infinity;
  };
  const id = (m: Match) => String(m.event.event?.id ?? '');
  const keyed = matches.map((m) => ({ m, t: time(m), rule: m.ruleId, id: id(m) }));
  keyed.sort((a, b) => (a.t !== b.t ? (a.t < b.t ? -1 : 1) : a.rule !== b.rule ? (a.rule < b.rule ? -1 : 1) : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return keyed.map((k) => k.m);
}

/** A match for a rule the orchestrator does not know still alerts, visibly marked. */
function unknownRule(id: string): RuleMeta {
  return { id, title: `unknown rule ${id}`, level: 'medium', kind: 'builtin' };
}
