import type { Writable } from 'node:stream';
import { once } from 'node:events';
import type { EventSink } from '../run.js';
import { hasOutput, type ChunkResult } from '../chunk.js';

/** Writes events as NDJSON (one ECS document per line), honouring the stream's backpressure. */
export class NdjsonSink implements EventSink {
  readonly output = 'ndjson' as const;
  private broken = false;

  constructor(private readonly out: Writable) {
    // A closed pipe (`| head`) ends output quietly instead of crashing the run.
    out.on('error', () => (this.broken = true));
  }

  async write(_source: unknown, result: ChunkResult): Promise<void> {
    if (this.broken || !hasOutput(result)) return;
    if (this.out.write(result.bytes ?? result.text)) return;
    // once() rejects on 'error' itself; racing a second once(…, 'error') left one listener per wait behind.
    try {
      await once(this.out, 'drain');
    } catch {
      this.broken = true;
    }
  }

  async endSource(): Promise<void> {}
}
