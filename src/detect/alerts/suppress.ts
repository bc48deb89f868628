import type { Alert } from '../types.js';
import { canonicalKey } from './build.js';

export const DEFAULT_SUPPRESS_WINDOW_MS = 10 * 60 * 1000;

interface Entry {
  start: number;
  /** Absent for a window restored after its alert left (see restore). */
  alert: Alert | undefined;
  suppressed: number;
  /** Still held back (not yet handed to the sinks), so its suppressed count can still grow. */
  pending: boolean;
}

export interface SuppressorSnapshot {
  watermark: number | null;
  minHeld: number | null;
  lastScan: number | null;
  held: { start: number; suppressed: number; alert: Alert }[];
  windows: { key: string; start: number; suppressed: number; held: number }[];
}

/**
 * Duplicate suppression: an alert with the same rule and key as a kept one, within `windowMs` of
 * event time after it, is dropped and counted. Kept alerts are held until event time (the latest
 * `@timestamp` seen) passes the end of their window, so they leave with `details.suppressed` set;
 * `drain()` releases the rest at the end of the run. The window counts both ways, so an event that
 * arrives late (an earlier file, out-of-order logs) is suppressed (counted) against the kept alert
 * while its window is remembered, even if that alert has left already.
 */
export class Suppressor {
  private readonly entries = new Map<string, Entry>();
  private readonly held: Entry[] = [];
  private watermark = -Infinity;
  private minHeld = Infinity;
  private lastScan = -Infinity;
  suppressed = 0;
  readonly perRule = new Map<string, number>();

  constructor(readonly windowMs = DEFAULT_SUPPRESS_WINDOW_MS) {}

  /** Offers an alert; returns the alerts now ready for the sinks (in the order they were kept). */
  offer(alert: Alert): Alert[] {
    const t = Date.parse(alert['@timestamp']);
    const time = Number.isNaN(t) ? 0 : t;
    const k = `${alert.rule.id}\n${canonicalKey(alert.key)}`;
    const entry = this.entries.get(k);
    if (entry && this.windowMs > 0 && Math.abs(time - entry.start) < this.windowMs) {
      entry.suppressed++;
      this.suppressed++;
      this.perRule.set(alert.rule.id, (this.perRule.get(alert.rule.id) ?? 0) + 1);
      if (entry.pending && entry.alert) (entry.alert.details ??= {}).suppressed = entry.suppressed;
      return [];
    }
    const fresh: Entry = { start: time, alert, suppressed: 0, pending: true };
    this.entries.set(k, fresh);
    this.held.push(fresh);
    if (time < this.minHeld) this.minHeld = time;
    if (time > this.watermark) this.watermark = time;
    // Scan the held alerts at most once per tenth of a window of event time: linear, not quadratic.
    if (this.minHeld + this.windowMs > this.watermark || this.watermark - this.lastScan < this.windowMs / 10) return [];
    this.lastScan = this.watermark;
    return this.release(false);
  }

  /**
   * The held alerts and remembered windows as JSON (a correlation pass over the store carries on
   * from them: src/detect/shared/). Counts are per run and not part of it.
   */
  snapshot(): SuppressorSnapshot {
    const finite = (n: number) => (Number.isFinite(n) ? n : null);
    const heldIndex = new Map(this.held.map((e, i) => [e, i]));
    return {
      watermark: finite(this.watermark), minHeld: finite(this.minHeld), lastScan: finite(this.lastScan),
      held: this.held.map((e) => ({ start: e.start, suppressed: e.suppressed, alert: e.alert! })),
      windows: [...this.entries].map(([key, e]) => ({ key, start: e.start, suppressed: e.suppressed, held: heldIndex.get(e) ?? -1 })),
    };
  }

  restore(s: SuppressorSnapshot): void {
    this.watermark = s.watermark ?? -Infinity;
    this.minHeld = s.minHeld ?? Infinity;
    this.lastScan = s.lastScan ?? -Infinity;
    const held: Entry[] = s.held.map((h) => ({ start: h.start, suppressed: h.suppressed, alert: h.alert, pending: true }));
    this.held.splice(0, this.held.length, ...held);
    this.entries.clear();
    for (const w of s.windows) {
      // A released alert's window is remembered without the alert (it is stored already).
      this.entries.set(w.key, held[w.held] ?? { start: w.start, suppressed: w.suppressed, alert: undefined, pending: false });
    }
  }

  /** Releases every held alert (end of run). */
  drain(): Alert[] {
    return this.release(true);
  }

  private release(all: boolean): Alert[] {
    const out: Alert[] = [];
    let keep = 0;
    this.minHeld = Infinity;
    for (const e of this.held) {
      if (all || e.start + this.windowMs <= this.watermark) {
        e.pending = false;
        if (e.alert) out.push(e.alert);
      } else {
        this.held[keep++] = e;
        if (e.start < this.minHeld) this.minHeld = e.start;
      }
    }
    this.held.length = keep;
    // Forget windows that ended long ago (bounded memory on long runs).
    if (this.entries.size > 10_000) {
      for (const [k, e] of this.entries) if (!e.pending && e.start + 2 * this.windowMs < this.watermark) this.entries.delete(k);
    }
    return out;
  }
}
