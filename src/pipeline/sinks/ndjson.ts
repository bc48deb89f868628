import type { Writable } from 'node:stream';
import type { EventSink } from '../run.js';
import { hasOutput, type ChunkResult } from '../chunk.js';
import { OutputError, writeFully } from '../output.js';

/**
 * Writes events as NDJSON (one ECS document per line), honouring the stream's backpressure.
 * A reader that closes the pipe (`| head`) ends the output normally: the run goes on counting and
 * dead-lettering, and nothing more is written. Any other write failure (a full disk behind
 * `> file`) is an OutputError that stops the run.
 */
export class NdjsonSink implements EventSink {
  readonly output = 'ndjson' as const;
  /** The reader went away (EPIPE). */
  private readerGone = false;
  private failure: OutputError | undefined;

  constructor(
    private readonly out: Writable,
    /** What the output is called in messages. */
    private readonly target = 'the NDJSON output',
  ) {
    out.on('error', (e) => this.noteError(e));
  }

  async write(_source: unknown, result: ChunkResult): Promise<void> {
    this.check();
    if (this.readerGone || !hasOutput(result)) return;
    await writeFully(this.out, result.bytes ?? result.text);
    this.check();
  }

  async endSource(): Promise<void> {}

  /** Waits until everything written has reached the stream's destination; throws if it could not. */
  async close(): Promise<void> {
    this.check();
    if (this.readerGone) return;
    if (this.out.destroyed) {
      await writeFully(this.out, '');
      return this.check();
    }
    // A write's callback runs once it and every write before it are done, with their error if any.
    await new Promise<void>((resolve) =>
      this.out.write('', (e) => {
        if (e) this.noteError(e);
        resolve();
      }),
    );
    this.check();
  }

  private noteError(e: Error): void {
    if ((e as NodeJS.ErrnoException).code === 'EPIPE') this.readerGone = true;
    else this.failure ??= new OutputError(this.target, e);
  }

  private check(): void {
    if (this.failure) throw this.failure;
  }
}
