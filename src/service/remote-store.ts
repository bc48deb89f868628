import type { QueryBounds } from '../store/bounds.js';
import { duckdbDialect } from '../store/duckdb/dialect.js';
import type { IndexOutcome } from '../store/duckdb/indexes.js';
import type { EventStore, QueryResult } from '../store/store.js';
import type { AlertChange } from '../detect/alerts/triage.js';
import type { ServiceClient } from './client.js';
import { ROUTES } from './protocol.js';

type Params = Record<string, string | number | boolean | null>;

/**
 * The store of a database another packettrail process holds, read through that process: a command
 * runs exactly as it would on the file (same code, same rendering, paths from its own working
 * directory), only its statements run in the owner, as reads, under the owner's query limits.
 */
export class RemoteStore implements EventStore {
  readonly dialect = duckdbDialect;

  private constructor(
    private readonly client: ServiceClient,
    /** The database as the command names it. */
    readonly path: string,
    private readonly tables: ReadonlyMap<string, ReadonlySet<string>>,
  ) {}

  /** Like opening the file: the dataset tables are read once, now. */
  static async open(client: ServiceClient, path: string): Promise<RemoteStore> {
    const tables = await client.call<[string, string[]][]>('GET', ROUTES.tables);
    return new RemoteStore(client, path, new Map(tables.map(([t, cols]) => [t, new Set(cols)])));
  }

  /** Who holds the database, for messages: `packettrail collect (pid 123)`. */
  get owner(): string {
    return this.client.owner;
  }

  async ensureSchema(): Promise<void> {
    // As on a read-only open: the owner keeps the schema.
  }

  private refuse(): never {
    throw new Error(`${this.path} is held by ${this.client.owner}: events are loaded by that process (packettrail ingest sends it the files)`);
  }

  loadStaged(): Promise<number> {
    this.refuse();
  }

  recordFile(): Promise<void> {
    this.refuse();
  }

  recordDeadLetters(): Promise<void> {
    this.refuse();
  }

  /**
   * Runs in the owner as a read (see QueryBounds.readsOnly); aborting the signal interrupts it there.
   * The result's shape (maxRows, rfc3339Timestamps) travels with it: the rows arrive as a direct read returns them.
   */
  query(sql: string, params?: Params, bounds?: QueryBounds): Promise<QueryResult> {
    const { maxResultBytes, maxRows, rfc3339Timestamps } = bounds ?? {};
    return this.client.call<QueryResult>('POST', ROUTES.query, { sql, params: params ?? {}, maxResultBytes, maxRows, rfc3339Timestamps }, { signal: bounds?.signal });
  }

  /** Triage changes are written by the owner, which holds the only connection that may write. */
  async appendAlertChanges(rows: readonly AlertChange[]): Promise<void> {
    await this.client.call<{ appended: number }>('POST', ROUTES.alertChanges, { rows });
  }

  async datasetColumns(): Promise<ReadonlyMap<string, ReadonlySet<string>>> {
    return this.tables;
  }

  createIndexes(): Promise<IndexOutcome[]> {
    return this.client.call<IndexOutcome[]>('POST', ROUTES.indexes, { drop: false });
  }

  dropIndexes(): Promise<string[]> {
    return this.client.call<string[]>('POST', ROUTES.indexes, { drop: true });
  }

  async close(): Promise<void> {
    this.client.close();
  }
}
