import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../testing/tmp.js';
import { DuckDbStore } from '../../store/duckdb/duckdb-store.js';
import { AliasError, addAliasText, emptyAliasTable, findAlias, loadAliases, NORMALIZERS, type AliasTable } from './aliases.js';
import { compileSpl } from './compile.js';
import { looksLikeSpl } from './detect.js';
import { SplError } from './errors.js';
import { duckdbExpressions } from '../../store/duckdb/expressions.js';
import { ALIASES, CATALOG, spl } from './testing.fixture.js';

test('the built-in table: CIM and vendor names resolve to catalog columns, coalesced across sources', () => {
  assert.deepEqual(findAlias(ALIASES, 'src_ip')?.columns, ['source_ip', 'client_ip']);
  assert.equal(findAlias(ALIASES, 'userprincipalname'), undefined, 'field names are case-sensitive, as in Splunk');
  assert.ok(findAlias(ALIASES, 'UserPrincipalName'));
  assert.equal(findAlias(ALIASES, 'url')?.normalize, 'url');
  assert.match(spl('| table _time edge_location appid').sql, /"timestamp" AS "_time", "aws_cloudfront_edge_location" AS "edge_location", "network_application" AS "appid"/);
  assert.match(spl('| table domain').sql, /coalesce\("url_domain", "destination_domain", "dns_question_name", "tls_client_server_name"\) AS "domain"/);
  assert.match(spl('| table source.ip').sql, /"source_ip" AS "source\.ip"/, 'ECS dotted paths name their column');
  for (const [name, datasets] of ALIASES.indexes) assert.ok(datasets.length, name);
  assert.deepEqual(ALIASES.indexes.get('panfw'), ['panw.panos']);
  assert.deepEqual(ALIASES.indexes.get('defender'), ['microsoft.defender']);
});

test('the url alias normalizes a bare trailing slash on both sides of a comparison', () => {
  const c = spl('url="https://App.example.com/"');
  assert.equal(c.params.p1, 'https://App.example.com');
  assert.match(c.sql, /regexp_replace\(CAST\(coalesce\("url_full", "url_original"\) AS VARCHAR\)/);
  assert.match(c.sql, /CASE WHEN ends_with\(CAST\(coalesce\("url_full", "url_original"\) AS VARCHAR\), '\/'\) THEN regexp_replace/i, 'the regexp runs only on values ending in /');
});

test('the url normalizer gives the same value in SQL as in JS, NULL staying NULL', async () => {
  const values = ['https://app.example.com/', 'https://app.example.com', 'https://App.Example.com/a/', 'https://a.example/x', 'http://h:8080/', 'https://h/?q=1/', 'app.example.com/', '/', '', 'ftp://x/'];
  const store = await DuckDbStore.open(':memory:');
  try {
    const sql = `SELECT v, ${NORMALIZERS.url!.sql('v', duckdbExpressions)} FROM (SELECT unnest($vs::VARCHAR[]) AS v UNION ALL SELECT NULL)`;
    const rows = (await store.query(sql.replace('$vs::VARCHAR[]', `[${values.map((v) => `'${v}'`).join(', ')}]`))).rows;
    assert.equal(rows.length, values.length + 1);
    for (const [v, n] of rows) assert.equal(n, v === null ? null : NORMALIZERS.url!.js(String(v)), String(v));
  } finally {
    await store.close();
  }
});

test('users extend and override the table with --aliases files; bad files are refused with the reason', () => {
  const dir = tempDir();
  const file = join(dir, 'mine.yml');
  writeFileSync(file, 'fields:\n  client: [client_ip, source_ip]\n  src_ip: source_address\nindexes:\n  edge: [aws.cloudfront, aws.waf]\n');
  const table = loadAliases(CATALOG, [file]);
  assert.deepEqual(findAlias(table, 'src_ip')?.columns, ['source_address']);
  const c = compileSpl('index=edge | stats count by client', { catalog: CATALOG, aliases: table });
  assert.deepEqual(Object.values(c.params), ['aws.cloudfront', 'aws.waf']);
  assert.match(c.sql, /coalesce\("client_ip", "source_ip"\) AS "client"/);
  const bad = (text: string, re: RegExp) => {
    const t: AliasTable = emptyAliasTable();
    assert.throws(() => addAliasText(t, text, 'x.yml', CATALOG), (e: Error) => e instanceof AliasError && re.test(e.message));
  };
  bad('fields:\n  a: "source_ip; DROP TABLE events"\n', /'source_ip; DROP TABLE events' is not a column/);
  bad('fields:\n  a: [source_ip, related_ip]\n', /mixes list and single-value columns/);
  bad('fields:\n  a: {columns: [source_ip], normalize: exec}\n', /unknown normalize 'exec'/);
  bad('fieldz: {}\n', /unknown section 'fieldz'/);
  bad('indexes:\n  a: [1]\n', /expected dataset ids/);
  assert.throws(() => loadAliases(CATALOG, [join(dir, 'missing.yml')]), /cannot read alias file/);
});

test('index= names: unknown names fail with suggestions; index=* matches all', () => {
  assert.throws(() => spl('index=clodfront'), (e: SplError) => e instanceof SplError && /unknown index 'clodfront'; did you mean cloudfront/.test(e.message));
  assert.match(spl('index=*').sql, /FROM "events" WHERE TRUE\n/);
  assert.match(spl('NOT index=app').sql, /NOT coalesce\(\("event_dataset" IN \(\$p1\)\), FALSE\)/);
});

test('SPL vs SQL detection for packettrail query', () => {
  for (const q of ['| stats count', 'search foo', 'index=x', 'sourcetype=y', '(index=a OR index=b) | head', ' ( index = a)', 'earliest=-1h']) assert.ok(looksLikeSpl(q), q);
  for (const q of ['SELECT 1', 'select * from events', 'WITH x AS (SELECT 1) SELECT * FROM x', '(SELECT 1)', 'searchable']) assert.ok(!looksLikeSpl(q), q);
});
