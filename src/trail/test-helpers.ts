import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { prepareDetection } from '../commands/detect.js';
import { generate, LOGS_DIR } from '../generate/generate.js';
import type { Incident } from '../generate/model.js';
import { ingest } from '../pipeline/ingest.js';
import { DuckDbStore } from '../store/duckdb/duckdb-store.js';
import { tempDir } from '../testing/tmp.js';

/** Ingests a log directory (with the built-in rules, so alerts exist) into a fresh store and opens it read-only. */
export async function ingestDir(logs: string, dir: string): Promise<{ db: string; store: DuckDbStore }> {
  const db = join(dir, 'trail.duckdb');
  await ingest({ inputs: [logs], db, format: 'auto', threads: 0, deadLetterPath: join(dir, 'dead.ndjson'), detection: prepareDetection({}, true), analyses: false });
  return { db, store: await DuckDbStore.open(db, { readOnly: true }) };
}

/** A small generated scenario (every incident injected) in a store. */
export async function scenarioStore(seed: string): Promise<{ db: string; store: DuckDbStore; incidents: Incident[] }> {
  const dir = tempDir('packettrail-trail-');
  await generate({ out: dir, users: 6, hours: 2, seed });
  const incidents = (JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')) as { incidents: Incident[] }).incidents;
  return { ...(await ingestDir(join(dir, LOGS_DIR), dir)), incidents };
}
