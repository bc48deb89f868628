import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Alert } from '../types.js';
import { AlertSink } from './sink.js';

/** One alert document per line on a stream (stdout for `detect`), honouring backpressure. */
export class NdjsonAlertSink extends AlertSink {
  readonly name = 'ndjson';
  private broken = false;

  constructor(private readonly out: Writable) {
    super();
    // A closed pipe (`| head`) ends output quietly instead of crashing the run.
    out.on('error', (e: Error) => {
      this.broken = true;
      this.fail(`output closed: ${e.message}`, 0);
    });
  }

  async write(alert: Alert): Promise<void> {
    if (this.broken) {
      this.fail('output closed');
      return;
    }
    this.delivered++;
    if (!this.out.write(JSON.stringify(alert) + '\n')) await Promise.race([once(this.out, 'drain'), once(this.out, 'error')]);
  }
}
