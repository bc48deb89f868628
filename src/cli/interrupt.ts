import { EXIT, exitCodeForSignal } from './exit-codes.js';
import { RunInterrupted } from '../pipeline/output.js';

export interface StopOnSignals {
  /** Aborted (reason: a RunInterrupted) by the first SIGINT or SIGTERM. */
  readonly signal: AbortSignal;
  /** The signal received, if any. */
  received(): NodeJS.Signals | undefined;
  /** Removes the handlers: later signals act as they would without them. */
  dispose(): void;
}

/**
 * Ctrl-C (SIGINT) and SIGTERM during a run that writes: the first stops the run cleanly (the signal
 * aborts; the run stores what it staged, closes the store and reports), a second exits at once.
 * `onFirst` runs first (to take a progress bar off the terminal before the notice is written).
 */
export function stopOnSignals(notice: string, onFirst: () => void = () => {}): StopOnSignals {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const now = (sig: NodeJS.Signals) => {
    process.stderr.write(`\npackettrail: ${sig === 'SIGINT' ? 'Ctrl-C' : sig} again: quitting at once (what was committed stays stored; run it again to resume)\n`);
    process.exit(exitCodeForSignal(sig));
  };
  const first = (sig: NodeJS.Signals) => {
    process.off('SIGINT', first);
    process.off('SIGTERM', first);
    process.once('SIGINT', now);
    process.once('SIGTERM', now);
    received = sig;
    onFirst();
    process.stderr.write(`\npackettrail: ${sig === 'SIGINT' ? 'Ctrl-C' : sig}: stopping; ${notice} (${sig === 'SIGINT' ? 'Ctrl-C' : sig} again to quit at once)\n`);
    controller.abort(new RunInterrupted(sig));
  };
  process.on('SIGINT', first);
  process.on('SIGTERM', first);
  return {
    signal: controller.signal,
    received: () => received,
    dispose() {
      process.off('SIGINT', first);
      process.off('SIGTERM', first);
      process.off('SIGINT', now);
      process.off('SIGTERM', now);
    },
  };
}

/** Resolves with the first SIGINT/SIGTERM; a second one exits at once. */
export function stopSignal(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (sig: string) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      const now = () => process.exit(EXIT.FATAL);
      process.once('SIGINT', now);
      process.once('SIGTERM', now);
      resolve(sig);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
