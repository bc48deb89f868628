import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DuckDbStore } from '../../store/duckdb/duckdb-store.js';
import { needsShared, sharedPath } from '../../testing/shared.js';
import { corpusMacros, ingested, parseCoverage, readDetections, runDetection, summarize, type Result } from './corpus.fixture.js';
import { demoStore } from './demo-store.fixture.js';
import { LookupCatalog } from './lookups/catalog.js';

// Splunk's security_content detections (../shared/spl-corpus, a development set): every detection
// over a data source packettrail ingests is run as written on the demo store and classified.
const skip = needsShared();
let store: DuckDbStore | undefined;
before(async () => {
  if (!skip) store = await demoStore();
});
after(async () => store?.close());

test('SPL corpus: detections over ingested sources run or are refused naming the construct, never broken; the corpus parses', { skip, timeout: 600_000 }, async () => {
  const corpus = sharedPath('spl-corpus');
  const all = readDetections(corpus);
  const macros = corpusMacros(corpus);
  const results: Result[] = [];
  // outputlookup writes (baseline subsearches): into a copy of the corpus's lookups, never into ../shared.
  const dir = mkdtempSync(join(tmpdir(), 'pt-corpus-lookups-'));
  try {
    cpSync(join(corpus, 'lookups'), dir, { recursive: true });
    const lookups = new LookupCatalog([dir], true);
    for (const d of all.filter(ingested)) results.push(await runDetection(store!, macros, d, lookups));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const cov = parseCoverage(all, macros);
  console.log(summarize(results, cov));
  assert.ok(results.length >= 50, `expected the corpus's ingested-source detections, found ${results.length}`);
  const broken = results.filter((r) => r.outcome === 'broken');
  assert.deepEqual(broken.map((r) => `${r.detection.file}: ${r.reason}`), [], 'no detection may fail other than by a refusal naming the construct');
});
