import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clickhouseSkip, startClickHouse, type ClickHouseCluster } from '../../testing/clickhouse.js';
import { tempDir } from '../../testing/tmp.js';
import { RowEncoder } from '../row-encoder.js';
import type { Column } from '../schema.js';
import { clickhouseColumnType } from './dialect.js';
import { binaryTypesMatch, parseList, RowBinaryConverter } from './row-binary.js';
import { convertStagedFile, StagedConverter, StagedRowError, type RowConverter } from './staged.js';
import { ClickHouseStore, INSERT_BLOCK_ROWS } from './store.js';

const col = (name: string, type: Column['type']): Column => ({ name, path: name, type });
/** Staged order; `unused` is never loaded, `event_id` sits after other columns on purpose. */
const COLUMNS: Column[] = [
  col('timestamp', 'date'), col('unused', 'keyword'), col('event_id', 'keyword'), col('n', 'long'), col('d', 'double'),
  col('b', 'boolean'), col('tags', 'keyword[]'), col('msg', 'text'), col('extra', 'json'), col('seen', 'date'), col('ip', 'ip'),
];
const USED = COLUMNS.filter((c) => c.name !== 'unused');

/** Every kind of cell RowEncoder stages: NULLs, empty strings, quoted cells, lists with escapes, extreme numbers, times before 1970. */
const EVENTS: Record<string, unknown>[] = [
  { timestamp: '2026-11-20T08:00:16.363Z', event_id: 'a1', n: 42, d: 1.5, b: true, tags: ['x', 'y'], msg: 'plain ✓ 😀', extra: { k: 'v' }, seen: '2026-11-20T08:00:15.1Z', ip: '10.0.0.1' },
  { timestamp: '2026-11-20T08:00:16.363Z', event_id: 'a2', msg: '', tags: [] },
  { timestamp: '2026-11-20T08:00:17Z', event_id: 'a3', n: -7, d: Number.NaN, b: false, msg: 'tab\there\nnew "quoted" back\\slash' },
  { timestamp: '2026-11-20T08:00:17Z', event_id: 'a4', msg: 'nul\0byte', tags: ["it's", 'a\\b', 'tab\tin "list"'] },
  { timestamp: '2026-11-20T08:00:18.5Z', event_id: 'a5', d: Number.POSITIVE_INFINITY, msg: '\\N', n: 9007199254740993 },
  { timestamp: '1969-12-31T23:59:59.500Z', event_id: 'a6', n: -9007199254740993, d: -1e300, seen: '1900-01-01T00:00:00Z' },
  { timestamp: '2026-11-20T08:00:19Z', event_id: 'a7', n: 2.5, d: -0, msg: 'x'.repeat(300), tags: ['y'.repeat(200)] },
];

function stage(dir: string, name: string, events: Record<string, unknown>[]): string {
  const encoder = new RowEncoder(COLUMNS);
  const file = join(dir, name);
  writeFileSync(file, events.map((e) => encoder.encode(e as never) + '\n').join(''));
  return file;
}

async function body(file: string, converter: RowConverter): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of convertStagedFile(file, converter)) parts.push(chunk);
  return Buffer.concat(parts);
}

const skip = clickhouseSkip();
let server: ClickHouseCluster | undefined;
before(async () => {
  if (!skip) server = await startClickHouse(1);
});
after(async () => {
  await server?.stop();
});

async function ch(sql: string, data?: Buffer): Promise<string> {
  const res = await fetch(`${server!.http}/?query=${encodeURIComponent(sql)}`, { method: 'POST', body: data ?? null });
  const text = await res.text();
  if (!res.ok) throw new Error(`${sql.slice(0, 200)}: ${text}`);
  return text;
}

/** The rows loaded through each converter into a table of the store's types, as the server prints them. */
async function loaded(name: string, file: string, converter: RowConverter): Promise<string> {
  const columns = converter.columns.map((c) => `"${c.name}" ${clickhouseColumnType(c)}`).join(', ');
  await ch(`CREATE TABLE default.${name} (${columns}) ENGINE = MergeTree ORDER BY (timestamp)`);
  await ch(`INSERT INTO default.${name} (${converter.columns.map((c) => `"${c.name}"`).join(', ')}) FORMAT ${converter.format}`, await body(file, converter));
  return ch(`SELECT * FROM default.${name} ORDER BY event_id FORMAT TSV`);
}

test('staged rows loaded as RowBinary read back exactly as the same rows loaded as TabSeparated: NULLs, empty strings, escapes, NUL, lists, large integers, floats, booleans, times', { skip }, async () => {
  const dir = tempDir('packettrail-rowbinary-');
  const file = stage(dir, 'cases.tsv', EVENTS);
  const binary = new RowBinaryConverter(COLUMNS, [...USED].reverse());
  assert.deepEqual(binary.columns.map((c) => c.name), USED.map((c) => c.name), 'the loaded columns in staged order');
  const text = await loaded('as_text', file, new StagedConverter(COLUMNS, USED));
  assert.equal(text.split('\n').length - 1, EVENTS.length);
  assert.equal(await loaded('as_binary', file, binary), text);
  assert.equal(binary.rowsConverted, EVENTS.length);
});

test('a RowBinary body of many chunks (rows with quotes, newlines and NUL across chunk boundaries) loads row for row, leaving out the ids to skip', { skip }, async () => {
  const dir = tempDir('packettrail-rowbinary-');
  const events: Record<string, unknown>[] = [];
  for (let i = 0; i < 6000; i++) events.push({ ...EVENTS[i % EVENTS.length], event_id: `id-${String(i).padStart(4, '0')}`, unused: i % 7 ? undefined : 'p'.repeat(997) });
  const file = stage(dir, 'many.tsv', events);
  const skipIds = new Set(['id-0000', 'id-0002', 'id-5999', 'id-0003']);
  const text = new StagedConverter(COLUMNS, USED);
  const binary = new RowBinaryConverter(COLUMNS, USED);
  text.skip = binary.skip = skipIds;
  const expected = await loaded('many_text', file, text);
  assert.equal(expected.split('\n').length - 1, 6000 - skipIds.size);
  assert.equal(await loaded('many_binary', file, binary), expected);
  assert.deepEqual([binary.rowsConverted, binary.rowsSkipped], [6000 - skipIds.size, skipIds.size]);
});

test('a staged cell that is not what its column holds names the row and the column (RowBinary)', async () => {
  const dir = tempDir('packettrail-rowbinary-');
  const cell = (n: string, d = '', b = '') => `2026-11-20T08:00:16Z\t\tok\t${n}\t${d}\t${b}\t\t\t\t\t\n`;
  for (const [row, why] of [
    [cell('lots'), /staged row 2, column n: expected a whole number, got "lots"/],
    [cell('1', 'many'), /staged row 2, column d: expected a number, got "many"/],
    [cell('1', '', 'yes'), /staged row 2, column b: expected true or false, got "yes"/],
  ] as const) {
    const bad = join(dir, 'bad.tsv');
    writeFileSync(bad, cell('1') + row);
    await assert.rejects(body(bad, new RowBinaryConverter(COLUMNS, USED)), (e: Error) => e instanceof StagedRowError && why.test(e.message), String(why));
  }
  const noId = join(dir, 'no-id.tsv');
  writeFileSync(noId, `2026-11-20T08:00:16Z\t\t\t1\t\t\t\t\t\t\t\n`);
  await assert.rejects(body(noId, new RowBinaryConverter(COLUMNS, USED)), /staged row 1: column event_id is empty/);
});

test('list literals parse with their escapes; anything else is refused', () => {
  assert.deepEqual(parseList("['a', 'b\\'c', 'd\\\\e']"), ['a', "b'c", 'd\\e']);
  assert.deepEqual(parseList('[]'), []);
  for (const bad of ["['a'", "'a'", "['a' 'b']", "['a']x"]) assert.throws(() => parseList(bad), StagedRowError, bad);
});

test('RowBinary only for the types it writes, as the table holds them', () => {
  const types = new Map(USED.map((c) => [c.name, clickhouseColumnType(c).replace('Decimal64(3)', 'Decimal(18, 3)')]));
  assert.equal(binaryTypesMatch(USED, types), true);
  assert.equal(binaryTypesMatch(USED, new Map([...types, ['n', 'Nullable(Int32)']])), false, 'a column of another type');
  assert.equal(binaryTypesMatch(USED, new Map([...types].filter(([n]) => n !== 'msg'))), false, 'a column the table lacks');
});

test('a load is inserted in blocks of at most INSERT_BLOCK_ROWS rows (18.16 checks each block\'s order at a cost of rows² × 8 bytes), and stores every row once', { skip }, async () => {
  const dir = tempDir('packettrail-rowbinary-');
  const rows = INSERT_BLOCK_ROWS + 7_232;
  const events: Record<string, unknown>[] = [];
  for (let i = 0; i < rows; i++) {
    const ms = Date.UTC(2026, 10, 20, 8) + Math.floor(i / 4) * 1000;
    events.push({ timestamp: new Date(ms).toISOString(), event_id: `e${i}`, n: i, msg: `m${i % 13}` });
  }
  const file = stage(dir, 'blocks.tsv', events);
  const used = COLUMNS.filter((c) => ['timestamp', 'event_id', 'n', 'msg'].includes(c.name));
  const store = await ClickHouseStore.open(`clickhouse://127.0.0.1:${server!.nodes[0]!.httpPort}/blocks`);
  try {
    await store.ensureSchema(COLUMNS);
    const stored = await store.loadStaged({ file, dataset: 'blocks', columns: COLUMNS, used, minTime: '2026-11-20 08:00:00.000', maxTime: '2026-11-20 11:00:00.000' });
    assert.equal(stored, rows);
  } finally {
    await store.close();
  }
  assert.equal((await ch("SELECT count(), uniqExact(event_id) FROM blocks.events_blocks FORMAT TSV")).trim(), `${rows}\t${rows}`);
  // Parts written by the insert (level 0), merged or not yet: each is one block.
  const parts = (await ch("SELECT count(), max(rows) FROM system.parts WHERE database = 'blocks' AND table = 'events_blocks' AND level = 0 FORMAT TSV")).trim().split('\t').map(Number);
  assert.ok(parts[0]! >= 2 && parts[1]! <= INSERT_BLOCK_ROWS, `level-0 parts (count, largest): ${parts.join(', ')}`);
});
