import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AlertSink } from '../detect/alerts/sink.js';
import { engineFor, makeSpec } from '../detect/spec.js';
import type { Alert } from '../detect/types.js';
import { ingest, type IngestResult } from '../pipeline/ingest.js';
import { DuckDbStore } from '../store/duckdb/duckdb-store.js';
import { tempDir } from '../testing/tmp.js';

/** Keeps the alerts an ingest raised (detections and post-ingest analyses). */
export class CollectAlerts extends AlertSink {
  readonly name = 'test';
  readonly alerts: Alert[] = [];
  async write(a: Alert): Promise<void> {
    this.alerts.push(a);
  }
}

export interface TestStore {
  dir: string;
  db: string;
  result: IngestResult;
  alerts: Alert[];
  /** Opens the database read-only (close it when done). */
  open(): Promise<DuckDbStore>;
}

/**
 * For tests: writes log files (relative path → content) and ingests them into a fresh database the
 * way `packettrail ingest` does, post-ingest analyses included.
 */
export async function storeFromFiles(files: Record<string, string>, o: { analyses?: boolean; dir?: string } = {}): Promise<TestStore> {
  const dir = o.dir ?? tempDir('packettrail-insights-');
  const logs = join(dir, 'logs');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(logs, path)), { recursive: true });
    writeFileSync(join(logs, path), text);
  }
  return ingestDir(logs, dir, o.analyses);
}

/** Ingests a directory; `detect` also runs the built-in rules, as `packettrail demo` does. */
export async function ingestDir(inputs: string, dir: string, analyses = true, detect = false): Promise<TestStore> {
  const db = join(dir, 'test.duckdb');
  const collect = new CollectAlerts();
  let detection;
  if (detect) {
    const spec = makeSpec({ rules: [], intel: [], builtin: true });
    detection = { spec, engine: engineFor(spec), active: true };
  }
  const result = await ingest({ inputs: [inputs], db, format: 'auto', threads: 0, deadLetterPath: join(dir, 'dead.ndjson'), alertSinks: [collect], analyses, detection });
  return { dir, db, result, alerts: collect.alerts, open: () => DuckDbStore.open(db, { readOnly: true }) };
}

/** VPC flow log v2 lines (with the header) for `records`. */
export function flowLog(records: { eni: string; src: string; dst: string; srcPort: number; dstPort: number; startS: number; action?: 'ACCEPT' | 'REJECT'; bytes?: number }[]): string {
  const lines = ['version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status'];
  for (const r of records) lines.push(`2 123456789012 ${r.eni} ${r.src} ${r.dst} ${r.srcPort} ${r.dstPort} 6 10 ${r.bytes ?? 840} ${r.startS} ${r.startS + 60} ${r.action ?? 'ACCEPT'} OK`);
  return lines.join('\n') + '\n';
}
