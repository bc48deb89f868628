import type { DeadLetter, EventStore, FileRecord, QueryResult, StagedBatch } from '../store/store.js';
import type { Column } from '../store/schema.js';

/**
 * An EventStore whose operations run one at a time, in call order. `collect` reads several sources
 * at once but DuckDB has one connection here, and the duplicate check of a load must see the loads
 * before it (the same object delivered twice at the same time is stored once).
 */
export class SerialStore implements EventStore {
  private tail: Promise<unknown> = Promise.resolve();

  /** The inner store's own alert insert (ClickHouse's), in the same queue; absent when it has none. */
  insertAlerts?: EventStore['insertAlerts'];

  constructor(private readonly inner: EventStore) {
    const own = inner.insertAlerts?.bind(inner);
    if (own) this.insertAlerts = (alerts) => this.serial(() => own(alerts));
  }

  get dialect(): EventStore['dialect'] {
    return this.inner.dialect;
  }

  get path(): string {
    return this.inner.path;
  }

  get stagingDir(): string | undefined {
    return this.inner.stagingDir;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => {});
    return run;
  }

  ensureSchema(catalog: readonly Column[]): Promise<void> {
    return this.serial(() => this.inner.ensureSchema(catalog));
  }

  loadStaged(batch: StagedBatch): Promise<number> {
    return this.serial(() => this.inner.loadStaged(batch));
  }

  datasetColumns(): Promise<ReadonlyMap<string, ReadonlySet<string>>> {
    return this.serial(() => this.inner.datasetColumns());
  }

  recordFile(file: FileRecord): Promise<void> {
    return this.serial(() => this.inner.recordFile(file));
  }

  recordDeadLetters(letters: readonly DeadLetter[]): Promise<void> {
    return this.serial(() => this.inner.recordDeadLetters(letters));
  }

  query(sql: string, params?: Record<string, string | number | boolean | null>): Promise<QueryResult> {
    return this.serial(() => this.inner.query(sql, params));
  }

  close(): Promise<void> {
    return this.serial(() => this.inner.close());
  }
}
