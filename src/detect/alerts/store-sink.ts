import type { EventStore } from '../../store/store.js';
import { ensureAlertsTable, insertAlerts } from '../../store/duckdb/alerts.js';
import type { Alert } from '../types.js';
import { AlertSink } from './sink.js';

/** Stores alerts in the `alerts` table in batches; re-stored alerts (same id) are counted as duplicates. */
export class StoreAlertSink extends AlertSink {
  readonly name = 'alerts table';
  private batch: Alert[] = [];
  private ready: Promise<void> | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly batchSize = 1000,
  ) {
    super();
  }

  async write(alert: Alert): Promise<void> {
    this.batch.push(alert);
    if (this.batch.length >= this.batchSize) await this.flush();
  }

  override async close(): Promise<void> {
    await this.flush();
  }

  private async flush(): Promise<void> {
    const batch = this.batch;
    if (!batch.length) return;
    this.batch = [];
    try {
      let stored: number;
      // A store with its own alerts table (ClickHouse: created with its schema) stores them itself.
      if (this.store.insertAlerts) stored = await this.store.insertAlerts(batch);
      else {
        this.ready ??= ensureAlertsTable(this.store);
        await this.ready;
        stored = await insertAlerts(this.store, batch);
      }
      this.delivered += stored;
      this.duplicates += batch.length - stored;
    } catch (e) {
      this.fail(`cannot store alerts: ${(e as Error).message}`, batch.length);
    }
  }
}
