import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../testing/tmp.js';
import { RowEncoder } from '../row-encoder.js';
import type { Column } from '../schema.js';
import { convertStagedFile, StagedConverter, StagedRowError } from './staged.js';

const col = (name: string, type: Column['type']): Column => ({ name, path: name, type });
/** Staged order; `unused` is never loaded, `event_id` sits after other columns on purpose. */
const COLUMNS: Column[] = [
  col('timestamp', 'date'), col('unused', 'keyword'), col('event_id', 'keyword'), col('n', 'long'), col('d', 'double'),
  col('b', 'boolean'), col('tags', 'keyword[]'), col('msg', 'text'), col('extra', 'json'),
];
const USED = COLUMNS.filter((c) => c.name !== 'unused');

/** Staged rows (as RowEncoder writes them) and the TabSeparated line each must become. */
const CASES: { event: Record<string, unknown>; tsv: string }[] = [
  {
    event: { timestamp: '2026-11-20T08:00:16.363Z', event_id: 'a1', n: 42, d: 1.5, b: true, tags: ['x', 'y'], msg: 'plain ✓ 😀', extra: { k: 'v' } },
    tsv: "1795161616.363\ta1\t42\t1.5\t1\t['x', 'y']\tplain ✓ 😀\t{\"k\":\"v\"}",
  },
  { event: { timestamp: '2026-11-20T08:00:16.363Z', event_id: 'a2', msg: '' }, tsv: '1795161616.363\ta2\t\\N\t\\N\t\\N\t[]\t\t\\N' },
  {
    event: { timestamp: '2026-11-20T08:00:17Z', event_id: 'a3', n: -7, d: Number.NaN, b: false, msg: 'tab\there\nnew "quoted" back\\slash' },
    tsv: '1795161617.000\ta3\t-7\tnan\t0\t[]\ttab\\there\\nnew "quoted" back\\\\slash\t\\N',
  },
  { event: { timestamp: '2026-11-20T08:00:17Z', event_id: 'a4', msg: 'nul\0byte', tags: ["it's", 'a\\b'] }, tsv: "1795161617.000\ta4\t\\N\t\\N\t\\N\t['it\\'s', 'a\\\\b']\tnul\\0byte\t\\N" },
  { event: { timestamp: '2026-11-20T08:00:18.5Z', event_id: 'a5', d: Number.POSITIVE_INFINITY, msg: '\\N' }, tsv: '1795161618.500\ta5\t\\N\tinf\t\\N\t[]\t\\\\N\t\\N' },
];

function stage(dir: string, name: string, events: Record<string, unknown>[]): string {
  const encoder = new RowEncoder(COLUMNS);
  const file = join(dir, name);
  // RowEncoder walks ECS paths: the test columns are top-level paths.
  writeFileSync(file, events.map((e) => encoder.encode(e as never) + '\n').join(''));
  return file;
}

async function convert(file: string, converter: StagedConverter): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of convertStagedFile(file, converter)) parts.push(chunk);
  return Buffer.concat(parts).toString('utf8');
}

test('staged rows become ClickHouse TabSeparated in the loaded columns\' order: NULLs, empty strings, escapes, NUL, lists, numbers, booleans and times', async () => {
  const dir = tempDir('packettrail-staged-');
  const converter = new StagedConverter(COLUMNS, [...USED].reverse());
  assert.deepEqual(converter.columns.map((c) => c.name), USED.map((c) => c.name), 'the loaded columns in staged order, whatever order they were given in');
  const out = await convert(stage(dir, 'cases.tsv', CASES.map((c) => c.event)), converter);
  assert.deepEqual(out.split('\n').slice(0, -1), CASES.map((c) => c.tsv));
  assert.equal(converter.rowsConverted, CASES.length);
});

test('a staged file of many chunks converts row for row, with rows that hold quotes, newlines and NUL across the chunk boundaries', async () => {
  const dir = tempDir('packettrail-staged-');
  const padding = 'p'.repeat(997);
  const events: Record<string, unknown>[] = [];
  const expected: string[] = [];
  for (let i = 0; i < 6000; i++) {
    const c = CASES[i % CASES.length]!;
    const id = `id-${i}`;
    events.push({ ...c.event, event_id: id, unused: i % 7 ? undefined : padding });
    expected.push(c.tsv.replace(/\ta\d\t/, `\t${id}\t`));
  }
  const converter = new StagedConverter(COLUMNS, USED);
  converter.skip = new Set(['id-0', 'id-2', 'id-5999', 'id-3']);
  const out = await convert(stage(dir, 'many.tsv', events), converter);
  const kept = expected.filter((_, i) => ![0, 2, 3, 5999].includes(i));
  const lines = out.split('\n').slice(0, -1);
  assert.equal(lines.length, kept.length);
  const first = lines.findIndex((l, i) => l !== kept[i]);
  assert.equal(first, -1, `first differing row ${first}: ${lines[first]} vs ${kept[first]}`);
  assert.deepEqual([converter.rowsConverted, converter.rowsSkipped], [kept.length, 4]);
});

test('a staged cell that is not what its column holds names the row and the column; a file cut in a row is refused', async () => {
  const dir = tempDir('packettrail-staged-');
  const bad = join(dir, 'bad.tsv');
  writeFileSync(bad, `2026-11-20T08:00:16Z\t\tok\t1\t\t\t\t\t\n2026-11-20T08:00:16Z\t\tok2\tlots\t\t\t\t\t\n`);
  await assert.rejects(convert(bad, new StagedConverter(COLUMNS, USED)), (e: Error) => e instanceof StagedRowError && /staged row 2, column n: expected a whole number, got "lots"/.test(e.message));
  const cut = join(dir, 'cut.tsv');
  writeFileSync(cut, `2026-11-20T08:00:16Z\t\tok\t1\t\t\t\t"open\n`);
  await assert.rejects(convert(cut, new StagedConverter(COLUMNS, USED)), /ends in the middle of a row/);
});
