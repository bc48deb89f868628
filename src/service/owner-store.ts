import type { QueryBounds } from '../store/bounds.js';
import { READ_STATEMENT, type DuckDbStore } from '../store/duckdb/duckdb-store.js';
import type { IndexOutcome } from '../store/duckdb/indexes.js';
import type { Column } from '../store/schema.js';
import type { DeadLetter, EventStore, FileRecord, QueryResult, StagedBatch } from '../store/store.js';

type Params = Record<string, string | number | boolean | null>;

/**
 * The database as the process that holds it shares it between its collect inputs, the ingest jobs
 * and index builds commands send it, the console and the commands' reads. Writes run one at a time
 * in call order on DuckDB's main connection (loads of the same object at the same time stay exact,
 * as in SerialStore); reads run beside them on the read connections and see what is committed.
 */
export class OwnerStore implements EventStore {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly duck: DuckDbStore,
    /** The database as messages name it (an ingest job's: as its command named it). */
    readonly path: string = duck.path,
    private readonly shared?: OwnerStore,
  ) {}

  get dialect(): EventStore['dialect'] {
    return this.duck.dialect;
  }

  get stagingDir(): string | undefined {
    return this.duck.stagingDir;
  }

  /** The same store, its writes in the same queue, named as a command names it. */
  named(path: string): OwnerStore {
    return new OwnerStore(this.duck, path, this.shared ?? this);
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const queue = this.shared ?? this;
    const run = queue.tail.then(fn, fn);
    queue.tail = run.catch(() => {});
    return run;
  }

  ensureSchema(catalog: readonly Column[]): Promise<void> {
    return this.serial(() => this.duck.ensureSchema(catalog));
  }

  loadStaged(batch: StagedBatch): Promise<number> {
    return this.serial(() => this.duck.loadStaged(batch));
  }

  recordFile(file: FileRecord): Promise<void> {
    return this.serial(() => this.duck.recordFile(file));
  }

  recordDeadLetters(letters: readonly DeadLetter[]): Promise<void> {
    return this.serial(() => this.duck.recordDeadLetters(letters));
  }

  createIndexes(): Promise<IndexOutcome[]> {
    return this.serial(() => this.duck.createIndexes());
  }

  dropIndexes(): Promise<string[]> {
    return this.serial(() => this.duck.dropIndexes());
  }

  query(sql: string, params?: Params, bounds?: QueryBounds): Promise<QueryResult> {
    if (bounds?.readsOnly || READ_STATEMENT.test(sql)) return this.duck.query(sql, params, bounds);
    return this.serial(() => this.duck.query(sql, params, bounds));
  }

  datasetColumns(): Promise<ReadonlyMap<string, ReadonlySet<string>>> {
    return this.duck.datasetColumns();
  }

  /** Closes the database once every queued write is done; only the owner itself closes it. */
  close(): Promise<void> {
    if (this.shared) return Promise.resolve();
    return this.serial(() => this.duck.close());
  }
}
