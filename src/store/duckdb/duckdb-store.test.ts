import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbStore } from './duckdb-store.js';
import { RowEncoder } from '../row-encoder.js';
import { allColumns, columnsFor } from '../schema.js';
import { getFormat, listFormats } from '../../formats/registry.js';
import { tempDir } from '../../testing/tmp.js';

test('staged rows round-trip hostile values; only used columns are stored; duplicates skipped', async () => {
  const dir = tempDir();
  let file = '';
  const store = await DuckDbStore.open(join(dir, 't.duckdb'));
  try {
    await store.ensureSchema(allColumns(listFormats()));
    const columns = columnsFor(getFormat('aws.cloudfront'));
    const enc = new RowEncoder(columns);
    const hosts = ["a'b.example", 'c\\d', 'e"f', 'x,y', "[z]', 'evil"];
    const rows = [
      enc.encode({ '@timestamp': '2026-11-20T10:00:00Z', event: { id: 'one', dataset: 'aws.cloudfront' }, related: { hosts }, message: 'tab\there\nnew "line"', url: { path: '' } }),
      enc.encode({ '@timestamp': '2026-11-20T10:00:01.5Z', event: { id: 'two', dataset: 'aws.cloudfront' }, source: { port: 443 } }),
    ];
    file = join(dir, 'stage.tsv');
    writeFileSync(file, rows.join('\n') + '\n');
    const usedIndexes = enc.takeUsed();
    const used = columns.filter((_, i) => usedIndexes.includes(i));
    const batch = { file, dataset: 'aws.cloudfront', columns, used, minTime: '2026-11-20 10:00:00', maxTime: '2026-11-20 10:00:02' };
    assert.equal(await store.loadStaged(batch), 2);
    assert.equal(await store.loadStaged(batch), 0, 'the same rows again are duplicates');
    const r = await store.query(`SELECT event_id, related_hosts, message, url_path, source_port, timestamp FROM events ORDER BY event_id`);
    assert.deepEqual(r.rows[0], ['one', hosts, 'tab\there\nnew "line"', '', null, '2026-11-20 10:00:00']);
    assert.deepEqual(r.rows[1]!.slice(0, 5), ['two', null, null, null, 443]);
    const cols = await store.query(`SELECT count(*) FROM information_schema.columns WHERE table_name = 'events_aws_cloudfront'`);
    assert.equal(cols.rows[0]![0], used.length, 'the dataset table holds only the used columns');
    const view = await store.query(`SELECT dns_question_name FROM events LIMIT 1`);
    assert.deepEqual(view.rows, [[null]], 'the view still has every catalog column');
    assert.deepEqual([...((await store.datasetColumns()).get('events_aws_cloudfront') ?? [])].sort(), used.map((c) => c.name).sort());
    // Collectors' small loads must not checkpoint (recompress the last row group) every 16 MB.
    assert.deepEqual((await store.query(`SELECT current_setting('checkpoint_threshold')`)).rows, [['244.1 MiB']]);
  } finally {
    await store.close();
  }

  // Read-only: SELECTs run side by side on several connections; settings made on the store hold on all of them.
  const ro = await DuckDbStore.open(join(dir, 't.duckdb'), { readOnly: true, readConnections: 3 });
  try {
    assert.deepEqual([...(await ro.datasetColumns()).keys()], ['events_aws_cloudfront']);
    const ids = await Promise.all(Array.from({ length: 12 }, (_, i) => ro.query(`SELECT event_id, $i AS i FROM events_aws_cloudfront ORDER BY event_id`, { i })));
    assert.deepEqual(ids.map((r) => r.rows.map((row) => row.join(':'))), Array.from({ length: 12 }, (_, i) => [`one:${i}`, `two:${i}`]));
    assert.equal((await ro.query(`SELECT count(*) FROM read_csv($f, delim='\t', header=false)`, { f: file })).rows[0]![0], 2);
    await ro.query('SET enable_external_access = false');
    const reads = await Promise.allSettled(Array.from({ length: 6 }, () => ro.query(`SELECT * FROM read_csv($f)`, { f: file })));
    assert.deepEqual(reads.map((r) => r.status), Array(6).fill('rejected'));
  } finally {
    await ro.close();
  }
});

test('the events view has every catalog column in catalog order and type, whatever each table holds', async () => {
  const dir = tempDir();
  const store = await DuckDbStore.open(join(dir, 'v.duckdb'));
  try {
    const catalog = allColumns(listFormats());
    await store.ensureSchema(catalog);
    const load = async (dataset: string, event: Parameters<RowEncoder['encode']>[0], n: number) => {
      const columns = columnsFor(getFormat(dataset));
      const enc = new RowEncoder(columns);
      const file = join(dir, `${dataset}.tsv`);
      writeFileSync(file, enc.encode(event) + '\n');
      const usedIndexes = enc.takeUsed();
      const used = columns.filter((_, i) => usedIndexes.includes(i));
      assert.equal(await store.loadStaged({ file, dataset, columns, used, minTime: '2026-11-20 00:00:00', maxTime: '2026-11-21 00:00:00' }), n);
    };
    const empty = await store.query(`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'events' ORDER BY ordinal_position`);
    await load('aws.cloudfront', { '@timestamp': '2026-11-20T10:00:00Z', event: { id: 'cf', dataset: 'aws.cloudfront' }, source: { ip: '192.0.2.1', port: 443 }, aws: { cloudfront: { edge_location: 'FRA56-P3' } } }, 1);
    await load('aws.waf', { '@timestamp': '2026-11-20T10:00:01Z', event: { id: 'waf', dataset: 'aws.waf' }, source: { ip: '192.0.2.2' }, rule: { name: 'AWS-AWSManagedRulesCommonRuleSet' } }, 1);
    const full = await store.query(`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'events' ORDER BY ordinal_position`);
    assert.deepEqual(full.rows.map((r) => r[0]), catalog.map((c) => c.name), 'catalog order, with tables or without');
    assert.deepEqual(full.rows, empty.rows, 'the same columns and types as before any table existed');
    const r = await store.query(`SELECT event_id, source_ip, source_port, aws_cloudfront_edge_location, rule_name, dns_question_name FROM events ORDER BY event_id`);
    assert.deepEqual(r.rows, [
      ['cf', '192.0.2.1', 443, 'FRA56-P3', null, null],
      ['waf', '192.0.2.2', null, null, 'AWS-AWSManagedRulesCommonRuleSet', null],
    ]);
  } finally {
    await store.close();
  }
});

test('a database made before ingested_files.complete gets the column once, and still opens after a crash', async () => {
  const db = join(tempDir(), 'old.duckdb');
  const old = await DuckDBInstance.create(db);
  const con = await old.connect();
  await con.run(`CREATE TABLE ingested_files (path VARCHAR, dataset VARCHAR, records BIGINT, events BIGINT, stored BIGINT,
     duplicates BIGINT, rejected BIGINT, skipped BIGINT, bytes BIGINT, ingested_at TIMESTAMP DEFAULT current_timestamp)`);
  await con.run(`INSERT INTO ingested_files (path, stored) VALUES ('before.log', 7)`);
  con.closeSync();
  old.closeSync();
  // Opens the store (which adds the column) and is killed before closing it, as a crash would.
  const crash = `const { DuckDbStore } = await import(${JSON.stringify(pathToFileURL(join(import.meta.dirname, 'duckdb-store.js')).href)});
    await DuckDbStore.open(${JSON.stringify(db)}); process.kill(process.pid, 'SIGKILL');`;
  assert.equal(spawnSync(process.execPath, ['--input-type=module', '-e', crash]).signal, 'SIGKILL');
  const store = await DuckDbStore.open(db);
  try {
    await store.recordFile({ path: 'stopped.log', dataset: 'aws.cloudfront', records: 5, events: 5, stored: 3, duplicates: 0, rejected: 0, skipped: 0, bytes: 100, complete: false });
    assert.deepEqual((await store.query('SELECT path, stored, complete FROM ingested_files ORDER BY path')).rows, [
      ['before.log', 7, true],
      ['stopped.log', 3, false],
    ]);
  } finally {
    await store.close();
  }
});

test('lists of integers come back as numbers in the safe range, as single integers do (the ClickHouse store returns them so)', async () => {
  const store = await DuckDbStore.open(join(tempDir(), 'l.duckdb'));
  try {
    const r = await store.query(`SELECT [200, 404]::BIGINT[] AS codes, [1, 9007199254740993]::BIGINT[] AS big, 7::BIGINT AS one, ['a']::VARCHAR[] AS texts`);
    assert.deepEqual(r.rows, [[[200, 404], [1, '9007199254740993'], 7, ['a']]]);
  } finally {
    await store.close();
  }
});
