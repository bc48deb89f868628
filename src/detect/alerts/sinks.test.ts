import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { buildAlert } from './build.js';
import { NdjsonAlertSink } from './ndjson-sink.js';
import { StoreAlertSink } from './store-sink.js';
import { DuckDbStore } from '../../store/duckdb/duckdb-store.js';
import type { RuleMeta } from '../types.js';

const rule: RuleMeta = { id: 'r-1', title: "O'Brien's rule", level: 'critical', author: 'A. Author', link: 'https://example.org/r-1.yml', license: 'DRL-1.1', tags: ['attack.t1190'], kind: 'sigma' };
const alertFor = (id: string) =>
  buildAlert({ rule, events: [{ '@timestamp': '2026-11-20T10:00:00.250Z', event: { id }, source: { ip: '198.51.100.1' } }], key: { 'source.ip': '198.51.100.1' }, details: { n: 1 } }, '2026-11-22T08:00:00.000Z');

test('NDJSON sink writes one alert document per line', async () => {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const sink = new NdjsonAlertSink(out);
  await sink.write(alertFor('e1'));
  await sink.write(alertFor('e2'));
  await sink.close();
  const lines = Buffer.concat(chunks).toString().trimEnd().split('\n');
  assert.equal(lines.length, 2);
  assert.deepEqual(JSON.parse(lines[0]!), JSON.parse(JSON.stringify(alertFor('e1'))));
  assert.equal(sink.stats().delivered, 2);
});

test('DuckDB alerts table: every column, idempotent by alert id', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'packettrail-alerts-'));
  const store = await DuckDbStore.open(join(dir, 'test.duckdb'));
  try {
    const sink = new StoreAlertSink(store, 2);
    for (const id of ['e1', 'e2', 'e3', 'e1']) await sink.write(alertFor(id));
    await sink.close();
    assert.deepEqual(sink.stats(), { name: 'alerts table', delivered: 3, duplicates: 1, failed: 0, errors: [] });
    const again = new StoreAlertSink(store);
    await again.write(alertFor('e2'));
    await again.close();
    assert.equal(again.stats().duplicates, 1);
    const r = await store.query(
      `SELECT id, CAST(timestamp AS VARCHAR), rule_id, rule_title, level, severity, rule_kind, author, link, license, tags, key, details, event_ids, json_extract_string(events, '$[0].source.ip')
       FROM alerts WHERE event_ids[1] = 'e1'`,
    );
    assert.deepEqual(r.rows, [[
      alertFor('e1').event.id, '2026-11-20 10:00:00.25', 'r-1', "O'Brien's rule", 'critical', 99, 'sigma', 'A. Author', 'https://example.org/r-1.yml', 'DRL-1.1',
      ['attack.t1190'], '{"source.ip":"198.51.100.1"}', '{"n":1}', ['e1'], '198.51.100.1',
    ]]);
    assert.equal((await store.query('SELECT count(*) FROM alerts')).rows[0]![0], 3);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
