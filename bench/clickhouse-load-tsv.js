// Loads the event tables of a DuckDB store into ClickHouse stores (one node, a cluster) for query
// benchmarks on stores too large to ingest twice here (the 10M-event store): DuckDB (opened
// read-only) exports each table once as a TabSeparated file in the ClickHouse table's column order,
// and `clickhouse-client` inserts the file (into the Distributed table of a cluster,
// insert_distributed_sync=1), in blocks of 32,768 rows (INSERT_BLOCK_ROWS of the store: 18.16's
// sort check of a block costs rows² × 8 bytes, see src/store/clickhouse/store.ts). Then each
// table's count and distinct ids are checked against DuckDB's. The servers come from
// bench/clickhouse-hold.js; `packettrail store init` creates the schema, the columns DuckDB's tables
// have are added on every node as the store adds them, and `store init` runs again for the view.
//
//   npx tsc -p tsconfig.json
//   node bench/clickhouse-hold.js --info /tmp/ch.json --shards 1,2 &
//   node bench/clickhouse-load-tsv.js --duckdb /work/bench-data/10m.duckdb --info /tmp/ch.json \
//        --dir /work/bench-data/p/10m-tsv [--keep] [--database bench] [--tables events_aws_cloudfront,…]
//        [--limit N] [--block-rows 32768]
//
// --limit N loads each table's rows up to the Nth row's time (and checks those), --block-rows sets the
// insert blocks (to compare with other sizes); each insert prints the server's CPU seconds (its
// PID's /proc stat, every node of the target).
// The exported files (≈ 400 bytes an event) go to --dir and are removed after the inserts (kept with
// --keep). A table already holding DuckDB's count in a target is skipped (a rerun resumes).
import { execFileSync, spawn } from 'node:child_process';
import { createReadStream, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { arg } from './lib.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'cli', 'main.js');
const duckPath = arg('duckdb', undefined);
const info = arg('info', undefined);
const dir = arg('dir', undefined);
if (!duckPath || !info || !dir) throw new Error('--duckdb STORE --info FILE (from bench/clickhouse-hold.js) --dir DIR are required');
const keep = process.argv.includes('--keep');
/** The store's INSERT_BLOCK_ROWS (src/store/clickhouse/store.ts). */
const BLOCK_ROWS = Number(arg('block-rows', '32768'));
const limit = arg('limit', undefined);
const only = arg('tables', undefined)?.split(',');
const databaseArg = arg('database', undefined);
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
/** A server's CPU seconds so far (user + system). */
function serverCpu(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}
mkdirSync(dir, { recursive: true });
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const sqlString = (s) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** The ClickHouse store's type of each DuckDB column type (src/store/clickhouse/dialect.ts TYPES). */
const CH_TYPES = {
  VARCHAR: 'Nullable(String)', JSON: 'Nullable(String)', BIGINT: 'Nullable(Int64)', DOUBLE: 'Nullable(Float64)',
  BOOLEAN: 'Nullable(UInt8)', TIMESTAMP: 'Nullable(Decimal64(3))', 'VARCHAR[]': 'Array(String)',
};
/** A string as TabSeparated writes it (backslash, tab, newline, carriage return escaped). */
const escaped = (x) => String.raw`replace(replace(replace(replace(${x}, '\', '\\'), chr(9), '\t'), chr(10), '\n'), chr(13), '\r')`;
/** A DuckDB column as the ClickHouse column's TabSeparated text (time as epoch seconds with ms, lists as ['…'], booleans 0/1, NULL as \N). */
function cell(name, type) {
  const q = `"${name}"`;
  if (type === 'TIMESTAMP') return String.raw`coalesce(CAST(CAST(epoch_ms(${q}) / 1000.0 AS DECIMAL(18,3)) AS VARCHAR), '\N')`;
  if (type.endsWith('[]')) return String.raw`'[' || coalesce(array_to_string(list_transform(CAST(${q} AS VARCHAR[]), x -> '''' || replace(${escaped('x')}, '''', '\''') || ''''), ','), '') || ']'`;
  if (type === 'BOOLEAN') return String.raw`coalesce(CAST(CAST(${q} AS UTINYINT) AS VARCHAR), '\N')`;
  if (type === 'VARCHAR' || type === 'JSON') return String.raw`coalesce(${escaped(`CAST(${q} AS VARCHAR)`)}, '\N')`;
  return String.raw`coalesce(CAST(${q} AS VARCHAR), '\N')`;
}

async function ch(http, sql, database) {
  const res = await fetch(`${http}/${database ? `?database=${database}` : ''}`, { method: 'POST', body: sql });
  const text = await res.text();
  if (!res.ok) throw new Error(`${http}: ${sql.slice(0, 200)}: ${text.slice(0, 500)}`);
  return text.split('\n').filter((l) => l).map((l) => l.split('\t'));
}

/** `clickhouse-client` inserting the file through the node's native port. */
function clientInsert(tcpPort, database, table, file) {
  return new Promise((resolve, reject) => {
    const child = spawn('clickhouse-client', [
      '--host', '127.0.0.1', '--port', String(tcpPort), '--database', database,
      '--max_insert_block_size', String(BLOCK_ROWS), '--min_insert_block_size_rows', String(BLOCK_ROWS), '--insert_distributed_sync', '1',
      '--query', `INSERT INTO "${table}" FORMAT TabSeparated`,
    ], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    createReadStream(file).pipe(child.stdin);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`clickhouse-client insert into ${table} exited ${code}: ${out.slice(0, 1000)}`))));
  });
}

const clusters = JSON.parse(readFileSync(info, 'utf8'));
const targets = clusters.map((c) => {
  const u = new URL(c.storeUrl.replace(/^clickhouse:/, 'http:'));
  if (databaseArg) u.pathname = `/${databaseArg}`;
  const url = u.toString().replace(/^http:/, 'clickhouse:');
  return { url, nodes: c.nodes, cluster: c.shards > 1, database: u.pathname.slice(1) };
});
for (const t of targets) execFileSync('node', [cli, 'store', 'init', '--store', t.url], { stdio: ['ignore', 'ignore', 'inherit'] });

const duck = await (await DuckDBInstance.create(duckPath, { access_mode: 'READ_ONLY' })).connect();
const rows = async (sql) => (await duck.runAndReadAll(sql)).getRows();
const tables = (await rows("SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'events\\_%' ESCAPE '\\' AND table_type = 'BASE TABLE' ORDER BY 1")).map((r) => r[0]).filter((t) => !only || only.includes(t));
/** The rows of a table loaded: all, or its first --limit by time. */
// (A cut by the Nth row's time: sorting whole 71-column rows for ORDER BY … LIMIT took 439 s on 10M.)
const source = (table) =>
  // A table with fewer rows than the limit: all of them.
  limit ? `(SELECT * FROM "${table}" WHERE "timestamp" <= coalesce((SELECT "timestamp" FROM "${table}" ORDER BY "timestamp" LIMIT 1 OFFSET ${Number(limit) - 1}), TIMESTAMP 'infinity'))` : `"${table}"`;
const t0 = performance.now();
for (const table of tables) {
  const cols = await rows(`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = '${table}' ORDER BY ordinal_position`);
  const want = Number((await rows(`SELECT count(*) FROM ${source(table)}`))[0][0]);
  const pending = [];
  for (const t of targets) {
    // Columns the table lacks, added as the store adds them: the local tables first, then the Distributed one.
    for (const suffix of t.cluster ? ['_local', ''] : ['']) {
      for (const node of t.nodes) {
        const have = new Set((await ch(node.http, `SELECT name FROM system.columns WHERE database = currentDatabase() AND table = ${sqlString(table + suffix)}`, t.database)).map((r) => r[0]));
        for (const [name, type] of cols) if (!have.has(name)) await ch(node.http, `ALTER TABLE "${table}${suffix}" ADD COLUMN "${name}" ${CH_TYPES[type]}`, t.database);
      }
    }
    const got = Number((await ch(t.nodes[0].http, `SELECT count() FROM "${table}"`, t.database))[0][0]);
    if (got === want) console.log(`${table} → ${t.url}: holds ${got} rows already`);
    else if (got) throw new Error(`${table} → ${t.url}: holds ${got} of ${want} rows (drop the table's rows and rerun)`);
    else pending.push(t);
  }
  if (pending.length) {
    const chColumns = await ch(pending[0].nodes[0].http, `SELECT name FROM system.columns WHERE database = currentDatabase() AND table = ${sqlString(table)}`, pending[0].database);
    const types = new Map(cols);
    const line = chColumns.map(([name]) => cell(name, types.get(name))).join(' || chr(9) || ');
    const file = join(dir, `${table}.tsv`);
    let t = performance.now();
    await duck.run(`COPY (SELECT ${line} AS line FROM ${source(table)}) TO '${file}' (FORMAT CSV, HEADER false, QUOTE '', ESCAPE '', DELIMITER chr(1))`);
    console.log(`${table}: ${want} rows exported (${(statSync(file).size / 1e6).toFixed(0)} MB) in ${((performance.now() - t) / 1000).toFixed(1)} s (load ${load()})`);
    for (const target of pending) {
      // Every target's table has the same column order (built the same way); checked, not assumed.
      const order = (await ch(target.nodes[0].http, `SELECT name FROM system.columns WHERE database = currentDatabase() AND table = ${sqlString(table)}`, target.database)).map((r) => r[0]).join(',');
      if (order !== chColumns.map((r) => r[0]).join(',')) throw new Error(`${table}: column order differs in ${target.url}`);
      t = performance.now();
      const cpu = () => target.nodes.reduce((a, n) => a + serverCpu(n.pid), 0);
      const cpu0 = cpu();
      await clientInsert(target.nodes[0].tcpPort, target.database, table, file);
      const wall = (performance.now() - t) / 1000;
      const server = cpu() - cpu0;
      console.log(`${table} → ${target.url}: inserted in ${wall.toFixed(1)} s = ${Math.round(want / wall).toLocaleString('en-US')} rows/s, blocks of ${BLOCK_ROWS} rows, server ${server.toFixed(1)} CPU-s = ${((server * 1e6) / want).toFixed(1)} µs/row (load ${load()})`);
    }
    if (!keep) rmSync(file, { force: true });
  }
  for (const t of targets) {
    const [[got, distinct]] = await ch(t.nodes[0].http, `SELECT count(), uniqExact(event_id) FROM "${table}"`, t.database);
    const ok = Number(got) === want && Number(distinct) === want;
    console.log(`${table}: DuckDB ${want}, ${t.url} ${got} rows, ${distinct} distinct ids ${ok ? 'ok' : 'MISMATCH'}`);
    if (!ok) process.exitCode = 1;
  }
}
// The events view over every table's columns.
for (const t of targets) execFileSync('node', [cli, 'store', 'init', '--store', t.url], { stdio: ['ignore', 'ignore', 'inherit'] });
console.log(`loaded ${tables.length} tables in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
duck.closeSync?.();
