import cliProgress from 'cli-progress';
import type { ProgressReporter } from '../pipeline/run.js';

/** The rate and the ETA are measured over this much recent time: they follow a run that speeds up or slows down. */
export const RATE_WINDOW_MS = 10_000;

/**
 * Bytes and events per second over the last RATE_WINDOW_MS, and the time left from the bytes still
 * to read (sizes on disk: compressed bytes for gzip, which is what is read).
 */
export class RateMeter {
  private readonly samples: { at: number; bytes: number; events: number }[] = [];

  constructor(private readonly windowMs = RATE_WINDOW_MS) {}

  add(at: number, bytes: number, events: number): void {
    this.samples.push({ at, bytes, events });
    // Keep one sample older than the window: the rate then spans the whole window.
    while (this.samples.length > 2 && this.samples[1]!.at <= at - this.windowMs) this.samples.shift();
  }

  /** Per second over the window; undefined until a measurable time has passed. */
  rates(): { bytes: number; events: number } | undefined {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last || last.at - first.at < 250) return undefined;
    const seconds = (last.at - first.at) / 1000;
    return { bytes: (last.bytes - first.bytes) / seconds, events: (last.events - first.events) / seconds };
  }

  /** Seconds until `total` bytes are read at the current rate; undefined when unknown (no size, no rate yet). */
  secondsLeft(total: number): number | undefined {
    const last = this.samples[this.samples.length - 1];
    const rate = this.rates()?.bytes;
    if (!last || !(total > 0) || !rate || rate <= 0) return undefined;
    return Math.max(0, (total - last.bytes) / rate);
  }
}

/** `42s`, `3m07s`, `2h05m`. */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** What the bar shows after the bar itself: read/total, rate, ETA, events, source. */
export function progressFields(done: number, total: number, events: number, source: string, meter: RateMeter): Record<string, string> {
  const rates = meter.rates();
  const left = meter.secondsLeft(total);
  const name = source.length > 40 ? `…${source.slice(-39)}` : source;
  return {
    read: total > 0 ? `${(done / 1e6).toFixed(1)}/${(total / 1e6).toFixed(1)} MB` : `${(done / 1e6).toFixed(1)} MB`,
    rate: rates ? `${(rates.bytes / 1e6).toFixed(1)} MB/s, ${Math.round(rates.events).toLocaleString('en-US')} events/s` : '…',
    eta: left === undefined ? 'ETA …' : `ETA ${formatDuration(left)}`,
    events: events.toLocaleString('en-US'),
    source: name,
  };
}

/**
 * A progress bar on stderr (only when stderr is a terminal): bytes read of the total, rate, ETA,
 * events, current source. `stop` may be called early (Ctrl-C): later updates are ignored.
 */
export function terminalProgress(enabled: boolean): ProgressReporter | undefined {
  if (!enabled || !process.stderr.isTTY) return undefined;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: ' {bar} {percentage}% | {read} | {rate} | {eta} | {events} events | {source}',
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const meter = new RateMeter();
  let total = 0;
  let running = false;
  return {
    start(totalBytes) {
      total = totalBytes;
      running = true;
      meter.add(Date.now(), 0, 0);
      bar.start(Math.max(1, totalBytes), 0, progressFields(0, total, 0, '', meter));
    },
    update(done, events, source) {
      if (!running) return;
      meter.add(Date.now(), done, events);
      bar.update(Math.min(done, Math.max(1, total)), progressFields(done, total, events, source, meter));
    },
    stop() {
      if (!running) return;
      running = false;
      bar.stop();
    },
  };
}
