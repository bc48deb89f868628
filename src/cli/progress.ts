import cliProgress from 'cli-progress';
import type { ProgressReporter } from '../pipeline/run.js';

/** A progress bar on stderr (only when stderr is a terminal): bytes read, events, current source. */
export function terminalProgress(enabled: boolean): ProgressReporter | undefined {
  if (!enabled || !process.stderr.isTTY) return undefined;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: ' {bar} {percentage}% | {value_mb}/{total_mb} MB | {events} events | {source}',
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let total = 0;
  return {
    start(totalBytes) {
      total = totalBytes;
      bar.start(Math.max(1, totalBytes), 0, { value_mb: '0.0', total_mb: (totalBytes / 1e6).toFixed(1), events: 0, source: '' });
    },
    update(done, events, source) {
      const name = source.length > 40 ? `…${source.slice(-39)}` : source;
      bar.update(Math.min(done, Math.max(1, total)), { value_mb: (done / 1e6).toFixed(1), events: events.toLocaleString('en-US'), source: name });
    },
    stop() {
      bar.stop();
    },
  };
}
