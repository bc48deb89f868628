import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventSink } from '../run.js';
import { hasOutput, type ChunkResult } from '../chunk.js';
import type { SourceStats } from '../stats.js';
import type { EventStore } from '../../store/store.js';
import { columnsFor, type Column } from '../../store/schema.js';
import { getFormat } from '../../formats/registry.js';
import { OutputError } from '../output.js';

interface Batch {
  file: string;
  handle: FileHandle;
  dataset: string;
  rows: number;
  minTime: number;
  maxTime: number;
  columns: Column[];
  used: Set<number>;
  /** Event ids staged in this batch: the same record twice in one batch is staged once. */
  ids: Set<string>;
  /** Records left out as repeats of records in this batch. */
  duplicates: number;
}

/**
 * Stores parsed rows: stages them in a temporary tab-separated file and bulk-loads each batch (up to
 * `batchRows` rows, and at the end of every source) with the store's deduplicating load. One load
 * runs while the next batch is being parsed; memory stays bounded by the batch size.
 *
 * A load or a staging write that fails is an OutputError: the next `write` throws it (the run stops
 * reading at once), nothing more is loaded, and `endSource` counts only the loads the store
 * committed — each load is one statement, stored whole or not at all.
 */
export class StoreSink implements EventSink {
  readonly output = 'rows' as const;
  private dir: string | undefined;
  private batch: Batch | undefined;
  private seq = 0;
  private loading: Promise<void> = Promise.resolve();
  /** The first failure: once set, nothing more is staged or loaded. */
  private failure: OutputError | undefined;
  /** Of the current source's committed loads: new rows, rows loaded, repeats left out. */
  private committedStored = 0;
  private committedRows = 0;
  private committedDuplicates = 0;

  constructor(
    private readonly store: EventStore,
    private readonly batchRows = 250_000,
  ) {}

  async write(source: SourceStats, result: ChunkResult): Promise<void> {
    if (this.failure) throw this.failure;
    if (!hasOutput(result)) return;
    const batch = await this.current(source.format);
    batch.duplicates += result.duplicates ?? 0;
    const ids = result.rowIds ?? [];
    // Bytes from a worker are written as they are; the rare repeat below works on the text.
    let text: string | Uint8Array = result.bytes ?? result.text;
    let rows = ids.length;
    if (ids.some((id) => batch.ids.has(id))) {
      const all = result.text;
      // Rare: a record repeated across chunks of one batch. Keep only the first occurrence.
      const ends = result.rowEnds ?? [];
      const kept: string[] = [];
      rows = 0;
      ids.forEach((id, i) => {
        if (batch.ids.has(id)) {
          batch.duplicates++;
          return;
        }
        batch.ids.add(id);
        kept.push(all.slice(i === 0 ? 0 : ends[i - 1], ends[i]));
        rows++;
      });
      text = kept.join('');
    } else for (const id of ids) batch.ids.add(id);
    if (!rows) return;
    try {
      if (typeof text === 'string') await batch.handle.write(text);
      else await batch.handle.write(text);
    } catch (e) {
      throw this.fail(new OutputError(`staged rows to ${batch.file}`, e));
    }
    batch.rows += rows;
    for (const c of result.usedColumns ?? []) batch.used.add(c);
    batch.minTime = Math.min(batch.minTime, result.minTime!);
    batch.maxTime = Math.max(batch.maxTime, result.maxTime!);
    if (batch.rows >= this.batchRows) await this.flush();
  }

  /** Loads what is staged and counts the source's stored rows and duplicates, from committed loads only. */
  async endSource(source: SourceStats): Promise<void> {
    try {
      await this.flush();
    } finally {
      await this.loading;
      source.stored = this.committedStored;
      source.duplicates = this.committedRows - this.committedStored + this.committedDuplicates;
      this.committedStored = 0;
      this.committedRows = 0;
      this.committedDuplicates = 0;
    }
    if (this.failure) throw this.failure;
  }

  /**
   * Loads what is still staged and removes the staging directory. After a failure (already thrown
   * to the run) what is staged is dropped; a failure of this last load is thrown.
   */
  async close(): Promise<void> {
    const failedBefore = this.failure !== undefined;
    try {
      if (failedBefore) await this.batch?.handle.close().catch(() => {});
      else await this.flush();
      await this.loading;
    } finally {
      this.batch = undefined;
      if (this.dir) await rm(this.dir, { recursive: true, force: true });
    }
    if (!failedBefore && this.failure) throw this.failure;
  }

  private fail(e: OutputError): OutputError {
    this.failure ??= e;
    return this.failure;
  }

  private async current(dataset: string): Promise<Batch> {
    if (this.batch) return this.batch;
    let file = '';
    try {
      this.dir ??= await mkdtemp(join(this.store.stagingDir ?? tmpdir(), 'packettrail-stage-'));
      file = join(this.dir, `batch-${this.seq++}.tsv`);
      this.batch = {
        file, handle: await open(file, 'w'), dataset, rows: 0, minTime: Infinity, maxTime: -Infinity,
        columns: columnsFor(getFormat(dataset)), used: new Set(), ids: new Set(), duplicates: 0,
      };
    } catch (e) {
      throw this.fail(new OutputError(`staged rows to ${file || `a directory in ${this.store.stagingDir ?? tmpdir()}`}`, e));
    }
    return this.batch;
  }

  /**
   * Closes the batch being staged and starts loading it once the previous load is done. After a
   * failure the batch is dropped instead: a staging file that failed mid-write may end in half a row.
   */
  private async flush(): Promise<void> {
    const batch = this.batch;
    if (!batch) return;
    this.batch = undefined;
    try {
      await batch.handle.close();
    } catch (e) {
      this.fail(new OutputError(`staged rows to ${batch.file}`, e));
    }
    // One load at a time: wait for the previous one, then start this one without waiting for it.
    await this.loading;
    if (this.failure) {
      await rm(batch.file, { force: true });
      throw this.failure;
    }
    this.loading = (async () => {
      try {
        if (!batch.rows) return;
        const used = batch.columns.filter((_, i) => batch.used.has(i));
        const stored = await this.store.loadStaged({
          file: batch.file, dataset: batch.dataset, columns: batch.columns, used,
          minTime: sqlTime(batch.minTime), maxTime: sqlTime(batch.maxTime),
        });
        this.committedStored += stored;
        this.committedRows += batch.rows;
        this.committedDuplicates += batch.duplicates;
      } catch (e) {
        this.fail(new OutputError(`events to the store ${this.store.path}`, e));
      } finally {
        await rm(batch.file, { force: true });
      }
    })();
  }
}

function sqlTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}
