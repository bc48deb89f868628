import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import type { RejectedRecord } from './chunk.js';

export interface DeadLetterEntry extends RejectedRecord {
  source: string;
  /** Format the record was read with, or `unknown` when none was recognized. */
  format: string;
}

/**
 * The dead-letter output: one JSON object per rejected record or failed source, with the reason,
 * where it came from (file/object and line) and the record itself, so nothing rejected disappears:
 * whole up to DEAD_LETTER_RECORD_CHARS (chunk.ts), else its start with `truncated: true` and
 * `originalLength`.
 * The file is created on the first rejection only.
 */
export class DeadLetterWriter {
  private stream: WriteStream | undefined;
  private listeners: ((entries: DeadLetterEntry[]) => Promise<void>)[] = [];
  count = 0;

  constructor(readonly path: string | undefined) {}

  /** Also hand every batch of dead letters to `fn` (the store keeps them for the console). */
  onWrite(fn: (entries: DeadLetterEntry[]) => Promise<void>): void {
    this.listeners.push(fn);
  }

  async write(source: string, format: string, records: readonly RejectedRecord[]): Promise<void> {
    if (!records.length) return;
    const entries = records.map((r) => ({
      time: new Date().toISOString(), source, line: r.line, format, reason: r.reason, record: r.record,
      // A cut record says so: it is the start of the record, not all of it.
      ...(r.truncated ? { truncated: r.truncated, originalLength: r.originalLength } : {}),
    }));
    this.count += entries.length;
    if (this.path) {
      this.stream ??= createWriteStream(this.path, { flags: 'a' });
      const ok = this.stream.write(entries.map((e) => JSON.stringify(e)).join('\n') + '\n');
      if (!ok) await once(this.stream, 'drain');
    }
    for (const fn of this.listeners) await fn(entries);
  }

  async close(): Promise<void> {
    if (this.stream) {
      this.stream.end();
      await once(this.stream, 'finish');
      this.stream = undefined;
    }
  }
}
