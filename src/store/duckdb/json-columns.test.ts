import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDbStore } from './duckdb-store.js';
import { RowEncoder } from '../row-encoder.js';
import { allColumns, columnsFor } from '../schema.js';
import { getFormat, listFormats } from '../../formats/registry.js';
import { tempDir } from '../../testing/tmp.js';

test('found by fuzzing: a lone surrogate in a JSON column or in extra is stored as U+FFFD instead of failing the whole load', async () => {
  const dir = tempDir();
  const store = await DuckDbStore.open(join(dir, 't.duckdb'));
  try {
    await store.ensureSchema(allColumns(listFormats()));
    const columns = columnsFor(getFormat('windows.event'));
    const enc = new RowEncoder(columns);
    const row = enc.encode({
      '@timestamp': '2026-11-20T10:00:00Z', event: { id: 'lone', dataset: 'windows.event' },
      winlog: { event_data: { Message: 'Process \udc00x', ['key\ud800']: ['a\ud83d', 'pair 😀', 'text \\udc00 stays'] } },
      unmapped: { note: 'tail \ud800' },
    });
    const file = join(dir, 'stage.tsv');
    writeFileSync(file, row + '\n');
    const usedIndexes = enc.takeUsed();
    const used = columns.filter((_, i) => usedIndexes.includes(i));
    assert.equal(await store.loadStaged({ file, dataset: 'windows.event', columns, used, minTime: '2026-11-20 10:00:00', maxTime: '2026-11-20 10:00:01' }), 1);
    const r = await store.query(`SELECT winlog_event_data::VARCHAR, extra::VARCHAR FROM events WHERE event_id = 'lone'`);
    assert.deepEqual(JSON.parse(r.rows[0]![0] as string), { Message: 'Process \ufffdx', 'key\ufffd': ['a\ufffd', 'pair 😀', 'text \\udc00 stays'] });
    assert.deepEqual(JSON.parse(r.rows[0]![1] as string), { 'unmapped.note': 'tail \ufffd' });
  } finally {
    await store.close();
  }
});
