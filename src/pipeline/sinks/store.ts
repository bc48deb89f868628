import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventSink } from '../run.js';
import { hasOutput, type ChunkResult } from '../chunk.js';
import type { SourceStats } from '../stats.js';
import type { EventStore } from '../../store/store.js';
import { columnsFor, type Column } from '../../store/schema.js';
import { getFormat } from '../../formats/registry.js';

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
}

/**
 * Stores parsed rows: stages them in a temporary tab-separated file and bulk-loads each batch (up to
 * `batchRows` rows, and at the end of every source) with the store's deduplicating load. One load
 * runs while the next batch is being parsed; memory stays bounded by the batch size.
 */
export class StoreSink implements EventSink {
  readonly output = 'rows' as const;
  private dir: string | undefined;
  private batch: Batch | undefined;
  private seq = 0;
  private loading: Promise<void> = Promise.resolve();
  private loadError: Error | undefined;
  private pendingStored = 0;
  private pendingRows = 0;
  private pendingDuplicates = 0;

  constructor(
    private readonly store: EventStore,
    private readonly batchRows = 250_000,
  ) {}

  async write(source: SourceStats, result: ChunkResult): Promise<void> {
    this.pendingDuplicates += result.duplicates ?? 0;
    if (!hasOutput(result)) return;
    const batch = await this.current(source.format);
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
          this.pendingDuplicates++;
          return;
        }
        batch.ids.add(id);
        kept.push(all.slice(i === 0 ? 0 : ends[i - 1], ends[i]));
        rows++;
      });
      text = kept.join('');
    } else for (const id of ids) batch.ids.add(id);
    if (!rows) return;
    if (typeof text === 'string') await batch.handle.write(text);
    else await batch.handle.write(text);
    batch.rows += rows;
    for (const c of result.usedColumns ?? []) batch.used.add(c);
    batch.minTime = Math.min(batch.minTime, result.minTime!);
    batch.maxTime = Math.max(batch.maxTime, result.maxTime!);
    if (batch.rows >= this.batchRows) await this.flush();
  }

  async endSource(source: SourceStats): Promise<void> {
    await this.flush();
    await this.loading;
    if (this.loadError) {
      const e = this.loadError;
      this.loadError = undefined;
      source.errors.push(`store load failed: ${e.message}`);
      source.stored = 0;
      source.duplicates = this.pendingDuplicates;
    } else {
      source.stored = this.pendingStored;
      source.duplicates = this.pendingRows - this.pendingStored + this.pendingDuplicates;
    }
    this.pendingStored = 0;
    this.pendingRows = 0;
    this.pendingDuplicates = 0;
  }

  async close(): Promise<void> {
    await this.flush();
    await this.loading;
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }

  private async current(dataset: string): Promise<Batch> {
    if (this.batch) return this.batch;
    this.dir ??= await mkdtemp(join(tmpdir(), 'packettrail-stage-'));
    const file = join(this.dir, `batch-${this.seq++}.tsv`);
    this.batch = {
      file, handle: await open(file, 'w'), dataset, rows: 0, minTime: Infinity, maxTime: -Infinity,
      columns: columnsFor(getFormat(dataset)), used: new Set(), ids: new Set(),
    };
    return this.batch;
  }

  private async flush(): Promise<void> {
    const batch = this.batch;
    if (!batch) return;
    this.batch = undefined;
    await batch.handle.close();
    // One load at a time: wait for the previous one, then start this one without waiting for it.
    await this.loading;
    this.loading = (async () => {
      try {
        if (!batch.rows) return;
        const used = batch.columns.filter((_, i) => batch.used.has(i));
        const stored = await this.store.loadStaged({
          file: batch.file, dataset: batch.dataset, columns: batch.columns, used,
          minTime: sqlTime(batch.minTime), maxTime: sqlTime(batch.maxTime),
        });
        this.pendingStored += stored;
        this.pendingRows += batch.rows;
      } catch (e) {
        this.loadError = e as Error;
        this.pendingRows += batch.rows;
      } finally {
        await rm(batch.file, { force: true });
      }
    })();
  }
}

function sqlTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}
