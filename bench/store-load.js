// The staged load alone: what `ingest` asks of DuckDB for every batch (read the staged tab-separated
// rows, drop the ones already stored, write the rest), timed with no JavaScript running beside it.
// The rows are the real ones: CloudFront lines parsed and encoded by processChunk (output `rows`, as
// each parser thread does) into 250,000-row batch files first, untimed; then a fresh store loads them
// one after the other as StoreSink does, and loads them again (every row a duplicate: the CSV read and
// the duplicate check without the write).
//
//   node bench/store-load.js [--log bench/out/cloudfront-1000000.log] [--lines 1000000] [--batch 250000] [--memory 512MB]
//        [--clickhouse]
//
// Prints rows/s (wall) and CPU-µs per row for both passes. Ingest cannot store rows faster than the
// first pass, however fast the parsing. With --clickhouse the store is a single ClickHouse node
// started here (fresh temporary directory, stopped by its PID), and the server's CPU (utime + stime
// of its PID) is printed beside this process's.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arg } from './lib.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { processChunk } = await import(join(root, 'dist', 'pipeline', 'chunk.js'));
const { DuckDbStore } = await import(join(root, 'dist', 'store', 'duckdb', 'duckdb-store.js'));
const { INGEST_MEMORY_LIMIT } = await import(join(root, 'dist', 'pipeline', 'ingest.js'));
const { allColumns, columnsFor } = await import(join(root, 'dist', 'store', 'schema.js'));
const { getFormat, listFormats } = await import(join(root, 'dist', 'formats', 'registry.js'));

const log = arg('log', join(root, 'bench', 'out', 'cloudfront-1000000.log'));
const limit = Number(arg('lines', '1000000'));
const batchRows = Number(arg('batch', '250000'));
const memoryLimit = arg('memory', INGEST_MEMORY_LIMIT);
const dir = mkdtempSync(join(tmpdir(), 'pt-store-load-'));
const cpuSeconds = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};
const sqlTime = (ms) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');

const all = readFileSync(log, 'utf8').split('\n');
const headers = all.filter((l) => l.startsWith('#')).slice(0, 8);
const records = all.filter((l) => l && !l.startsWith('#')).slice(0, limit);
const columns = columnsFor(getFormat('aws.cloudfront'));
const batches = [];
for (let i = 0; i < records.length; i += batchRows) {
  const slice = records.slice(i, i + batchRows);
  const parts = [];
  const used = new Set();
  let min = Infinity;
  let max = -Infinity;
  // 2,500 lines ≈ 1 MiB, the pipeline's chunk size.
  for (let j = 0; j < slice.length; j += 2500) {
    const r = processChunk({
      formatId: 'aws.cloudfront', options: {}, source: log, original: false, ingested: new Date().toISOString(),
      headers, text: slice.slice(j, j + 2500).join('\n'), firstLine: i + j + 1, document: false, output: 'rows',
    });
    parts.push(r.text);
    for (const c of r.usedColumns ?? []) used.add(c);
    min = Math.min(min, r.minTime);
    max = Math.max(max, r.maxTime);
  }
  const file = join(dir, `batch-${batches.length}.tsv`);
  writeFileSync(file, parts.join(''));
  batches.push({
    file, dataset: 'aws.cloudfront', columns, used: columns.filter((_, k) => used.has(k)), rows: slice.length,
    minTime: sqlTime(min), maxTime: sqlTime(max),
  });
}

const clickhouse = process.argv.includes('--clickhouse') ? await (await import(join(root, 'dist', 'testing', 'clickhouse.js'))).startClickHouse(1) : undefined;
const { ClickHouseStore } = await import(join(root, 'dist', 'store', 'clickhouse', 'store.js'));
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
const serverCpu = () => {
  if (!clickhouse) return 0;
  const stat = readFileSync(`/proc/${clickhouse.nodes[0].pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
};
const store = clickhouse ? await ClickHouseStore.open(clickhouse.storeUrl('bench')) : await DuckDbStore.open(join(dir, 'store.duckdb'), { memoryLimit });
await store.ensureSchema(allColumns(listFormats()));
console.log(
  `staged load: ${records.length.toLocaleString('en-US')} CloudFront rows in ${batches.length} batches of ≤ ${batchRows.toLocaleString('en-US')}; ` +
    `${clickhouse ? 'ClickHouse, one node' : `DuckDB, memory limit ${memoryLimit}`}; ${availableParallelism()} cores; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`,
);
for (const pass of ['new rows (read + duplicate check + write)', 'again, all duplicates (read + duplicate check)']) {
  const c0 = cpuSeconds();
  const s0 = serverCpu();
  const t0 = performance.now();
  let stored = 0;
  for (const b of batches) stored += await store.loadStaged(b);
  const wall = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds() - c0;
  const server = serverCpu() - s0;
  console.log(
    `${pass}: ${stored.toLocaleString('en-US')} stored in ${wall.toFixed(2)} s = ${Math.round(records.length / wall).toLocaleString('en-US')} rows/s; ` +
      `${((cpu * 1e6) / records.length).toFixed(1)} CPU-µs per row` + (clickhouse ? `, server ${((server * 1e6) / records.length).toFixed(1)} CPU-µs per row` : ''),
  );
}
await store.close();
await clickhouse?.stop();
rmSync(dir, { recursive: true, force: true });
