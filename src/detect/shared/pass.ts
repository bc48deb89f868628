import type { EventStore } from '../../store/store.js';
import type { AlertSink } from '../alerts/sink.js';
import { StoreAlertSink } from '../alerts/store-sink.js';
import type { Correlator, RuleEntry } from '../spec.js';
import { DetectionStage, type DetectionStats, type StageSnapshot } from '../stage.js';
import { SharedDetectionTables, type MatchCursor } from './tables.js';

/**
 * How far behind the newest stored match (event time) the pass reads: matches other processes store
 * later than this behind the newest are past the pass's position and are not correlated. CloudTrail
 * delivers within about 15 minutes, hence the default.
 */
export const DEFAULT_CORRELATION_SETTLE_MS = 15 * 60_000;
/** How often `collect --correlate-every` runs a pass when asked without a value. */
export const DEFAULT_CORRELATE_EVERY_MS = 30_000;

export interface CorrelationPassOptions {
  /** See DEFAULT_CORRELATION_SETTLE_MS. */
  settleMs?: number;
  /** Alert destinations besides the store's alerts table (webhooks). */
  sinks?: () => AlertSink[];
  /** Wall clock (tests). */
  now?: () => number;
}

/** What one pass did. */
export interface PassOutcome {
  /** Event time the pass read from (exclusive; undefined: the first pass) and up to (inclusive). */
  from: number | undefined;
  until: number | undefined;
  /** Matches read; alerts stored (new), already stored, suppressed. */
  matches: number;
  alerts: number;
  duplicates: number;
  suppressed: number;
  /** True when every open window was closed (`final`). */
  final: boolean;
  stats: DetectionStats | undefined;
}

/** What a pass saves, after its alerts are stored. */
interface PassState {
  cursor: MatchCursor;
  stage?: StageSnapshot;
}

const FIRST: MatchCursor = { time: Number.MIN_SAFE_INTEGER, ruleId: '', eventId: '' };

/** Orders states written in the same millisecond (two passes at once: the furthest position wins anyway). */
let lastSeq = 0;
function nextSeq(): number {
  lastSeq = Math.max(lastSeq + 1, Date.now() * 1000);
  return lastSeq;
}

/**
 * The correlation pass of shared detection: reads the stored matches of every process in event-time
 * order (time, rule id, event id) from the last pass's position, runs them through a detection stage
 * (per-event alerts, the Sigma correlator, duplicate suppression) restored from the last pass's
 * state, stores the alerts it releases, and only then saves its position and state. A pass that
 * fails saves nothing: the next reads the same matches again and raises the same alerts (ids are
 * deterministic, stored once).
 *
 * Matches newer than `settle` behind the newest wait for a later pass; open windows and held alerts
 * are carried in the saved state. `final` closes every window (like the end of an ingest).
 */
export class CorrelationPass {
  private readonly tables: SharedDetectionTables;

  constructor(
    private readonly store: EventStore,
    private readonly detection: { rules: ReadonlyMap<string, RuleEntry>; createCorrelator?: (() => Correlator) | undefined },
    private readonly opts: CorrelationPassOptions = {},
  ) {
    this.tables = new SharedDetectionTables(store);
  }

  async run(final = false): Promise<PassOutcome> {
    const saved = await this.tables.lastState();
    const state = saved?.state as PassState | undefined;
    const cursor = state?.cursor ?? FIRST;
    // A pass that read nothing yet keeps the first cursor: it has no event time to report.
    const from = cursor.time === FIRST.time ? undefined : cursor.time;
    const newest = await this.tables.newestMatchTime();
    const settle = this.opts.settleMs ?? DEFAULT_CORRELATION_SETTLE_MS;
    const until = newest === undefined ? undefined : final ? newest : Math.min(newest, (this.opts.now ?? Date.now)()) - settle;
    const idle: PassOutcome = { from, until, matches: 0, alerts: 0, duplicates: 0, suppressed: 0, final, stats: undefined };
    // Nothing settled since the last pass (a final pass still closes the windows it left open).
    if (until === undefined || (until <= cursor.time && !(final && state?.stage))) return idle;

    const store = new StoreAlertSink(this.store);
    const stage = new DetectionStage(this.detection.rules, [store, ...(this.opts.sinks?.() ?? [])], { createCorrelator: this.detection.createCorrelator });
    if (state?.stage) stage.restore(state.stage);
    let at = cursor;
    let matches = 0;
    for (;;) {
      const page = await this.tables.readMatches(at, until);
      if (!page.length) break;
      matches += page.length;
      await stage.onMatches(page.map((m) => m.match));
      const last = page[page.length - 1]!;
      at = { time: last.time, ruleId: last.ruleId, eventId: last.eventId };
    }
    const stats = final ? await stage.finish() : await stage.flush();
    const stored = stats.sinks.find((s) => s.name === store.name)!;
    // The position moves only once the alerts are stored: the next pass raises them again otherwise.
    if (stored.failed) throw new Error(`correlation pass: ${stored.failed} alerts not stored (${stored.errors.join('; ')}); the pass will be run again from the same position`);
    const next: PassState = final ? { cursor: at } : { cursor: at, stage: stage.snapshot() };
    await this.tables.saveState({ position: Math.max(until, at.time), seq: nextSeq(), state: next });
    return { from, until, matches, alerts: stored.delivered, duplicates: stored.duplicates, suppressed: stats.suppressed, final, stats };
  }
}
