import { createWriteStream, type WriteStream } from 'node:fs';
import type { RejectedRecord } from './chunk.js';
import { asOutputError, checkWritableFile, OutputError, writeFully } from './output.js';

export interface DeadLetterEntry extends RejectedRecord {
  source: string;
  /** Format the record was read with, or `unknown` when none was recognized. */
  format: string;
}

/**
 * The dead-letter output: one JSON object per rejected record or failed source, with the reason,
 * where it came from (file/object and line) and the record itself, so nothing rejected disappears:
 * whole up to DEAD_LETTER_RECORD_CHARS (chunk.ts), else its start with `truncated: true` and
 * `originalLength`. The file is created on the first rejection only. A write that fails (missing
 * directory, full disk) is an OutputError from `write` or `close`: rejected records are never dropped
 * silently.
 */
export class DeadLetterWriter {
  private stream: WriteStream | undefined;
  /** The first error the file stream reported; every later write and the close throw it. */
  private failure: OutputError | undefined;
  private listeners: ((entries: DeadLetterEntry[]) => Promise<void>)[] = [];
  /** Dead letters written (to the file, and to every listener). */
  count = 0;

  constructor(readonly path: string | undefined) {}

  /** What the file is called in messages. */
  get target(): string {
    return `the dead-letter file ${this.path}`;
  }

  /** Before a run: the file can be created (its directory exists and is writable), or appended to. */
  async check(): Promise<void> {
    if (this.path) await checkWritableFile(this.path, 'the dead-letter file');
  }

  /** Also hand every batch of dead letters to `fn` (the store keeps them for the console). */
  onWrite(fn: (entries: DeadLetterEntry[]) => Promise<void>): void {
    this.listeners.push(fn);
  }

  async write(source: string, format: string, records: readonly RejectedRecord[]): Promise<void> {
    if (!records.length) return;
    if (this.failure) throw this.failure;
    const entries = records.map((r) => ({
      time: new Date().toISOString(), source, line: r.line, format, reason: r.reason, record: r.record,
      // A cut record says so: it is the start of the record, not all of it.
      ...(r.truncated ? { truncated: r.truncated, originalLength: r.originalLength } : {}),
    }));
    if (this.path) {
      if (!this.stream) {
        this.stream = createWriteStream(this.path, { flags: 'a' });
        this.stream.on('error', (e) => (this.failure ??= new OutputError(this.target, e)));
      }
      await writeFully(this.stream, entries.map((e) => JSON.stringify(e)).join('\n') + '\n');
      if (this.stream.destroyed) this.failure ??= new OutputError(this.target, new Error('the file was closed'));
      if (this.failure) throw this.failure;
    }
    for (const fn of this.listeners) {
      try {
        await fn(entries);
      } catch (e) {
        throw asOutputError('dead letters to the store', e);
      }
    }
    this.count += entries.length;
  }

  /** Flushes and closes the file; throws the OutputError if anything written could not be. */
  async close(): Promise<void> {
    const stream = this.stream;
    this.stream = undefined;
    if (stream && !stream.destroyed) {
      await new Promise<void>((resolve) => {
        stream.once('close', resolve);
        stream.end();
      });
    }
    if (this.failure) throw this.failure;
  }
}
