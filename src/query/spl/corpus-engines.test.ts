import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { clickhouseSkip } from '../../testing/clickhouse.js';
import { engineScenario, type EngineScenario } from '../../testing/engine-scenario.js';
import { firstDifference } from '../../testing/first-difference.js';
import { needsShared, sharedPath } from '../../testing/shared.js';
import { corpusMacros, construct, ingested, readDetections } from './corpus.fixture.js';
import { parityAnswer } from './engine-parity.fixture.js';
import { SplError } from './errors.js';
import { LookupCatalog } from './lookups/catalog.js';
import { MacroError, expandMacros } from './macros.js';

// Splunk's security_content detections over the sources packettrail ingests (../shared/spl-corpus),
// run on the engine scenario in DuckDB and on one ClickHouse node: each one DuckDB runs either
// gives the same rows on ClickHouse or is refused there naming the construct — never other rows.
const skip = needsShared() || clickhouseSkip();
let scenario: EngineScenario | undefined;
before(async () => {
  if (!skip) scenario = await engineScenario({ single: true });
});
after(async () => scenario?.close());

type Outcome = 'same' | 'same, empty' | 'refused' | 'different' | 'broken';

test('SPL corpus on ClickHouse: what runs on DuckDB gives the same rows on ClickHouse or is refused by name', { skip, timeout: 900_000 }, async () => {
  const corpus = sharedPath('spl-corpus');
  const macros = corpusMacros(corpus);
  // outputlookup writes: each engine into its own copy of the corpus's lookups, never into ../shared.
  const dirs = [0, 1].map(() => {
    const dir = mkdtempSync(join(tmpdir(), 'pt-corpus-engines-'));
    cpSync(join(corpus, 'lookups'), dir, { recursive: true });
    return dir;
  });
  const [duckLookups, houseLookups] = dirs.map((d) => new LookupCatalog([d], true));
  const results: { file: string; outcome: Outcome; reason?: string }[] = [];
  let duckRuns = 0;
  try {
    for (const d of readDetections(corpus).filter(ingested)) {
      let query: string;
      try {
        query = expandMacros(d.search, macros);
      } catch (e) {
        if (e instanceof MacroError) continue;
        throw e;
      }
      let expected;
      try {
        expected = await parityAnswer(scenario!.duck, { query }, duckLookups);
      } catch {
        continue; // refused (or failing) on DuckDB: the DuckDB corpus test counts it
      }
      duckRuns++;
      try {
        const actual = await parityAnswer(scenario!.single!.store, { query }, houseLookups);
        const diff = JSON.stringify(actual.columns) !== JSON.stringify(expected.columns) ? `columns ${actual.columns.join(',')} ≠ ${expected.columns.join(',')}` : firstDifference(actual.rows, expected.rows);
        results.push({ file: d.file, outcome: diff ? 'different' : expected.rows.length ? 'same' : 'same, empty', ...(diff ? { reason: diff } : {}) });
      } catch (e) {
        results.push(e instanceof SplError ? { file: d.file, outcome: 'refused', reason: construct(e) } : { file: d.file, outcome: 'broken', reason: (e as Error).message.split('\n')[0]! });
      }
    }
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
  const count = (o: Outcome) => results.filter((r) => r.outcome === o).length;
  const blockers = new Map<string, number>();
  for (const r of results) if (r.outcome === 'refused') blockers.set(r.reason!, (blockers.get(r.reason!) ?? 0) + 1);
  console.log([
    `SPL corpus on ClickHouse: ${duckRuns} detections run on DuckDB; on ClickHouse ${count('same')} give the same rows, ${count('same, empty')} the same empty answer, ${count('refused')} are refused, ${count('different')} differ, ${count('broken')} fail`,
    '  refused on ClickHouse, by construct:',
    ...[...blockers].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k, v]) => `    ${String(v).padStart(4)}  ${k}`),
    ...results.filter((r) => r.outcome === 'different' || r.outcome === 'broken').map((r) => `  ${r.outcome.toUpperCase()} ${r.file}: ${r.reason}`),
  ].join('\n'));
  assert.ok(duckRuns >= 30, `expected the detections DuckDB runs, found ${duckRuns}`);
  assert.deepEqual(results.filter((r) => r.outcome === 'different' || r.outcome === 'broken').map((r) => `${r.file}: ${r.reason}`), [], 'ClickHouse never answers other rows, nor fails other than by a refusal naming the construct');
});
