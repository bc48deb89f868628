// Copies the event rows of a DuckDB store into a ClickHouse store (one node or a cluster), table by
// table, for query benchmarks on stores too large to ingest twice on this machine (10M events: hours
// with packettrail into ClickHouse here). The ClickHouse tables must exist with every column of the
// DuckDB ones: `packettrail store init` then `packettrail ingest` of a slice of the same logs (the
// script checks the columns and stops if one is missing). Rows whose event_id the ClickHouse table
// already holds (the slice) are left out; at the end each table's count must equal DuckDB's.
//
//   node bench/clickhouse-copy.js --duckdb /work/bench-data/10m.duckdb --store clickhouse://127.0.0.1:PORT/bench \
//     [--store2 URL] [--minutes 60] [--dir /tmp/x]
//
// DuckDB is opened read-only. Each table is exported per hour (--minutes) of `timestamp` as
// TabSeparated lines built in DuckDB (time as epoch seconds Decimal(18,3), lists as ['…'] never NULL,
// booleans 0/1, NULL as \N — what the ClickHouse store's types take) and each file POSTed to the HTTP
// interface as `INSERT … FORMAT TabSeparated` (into the Distributed table for a cluster,
// insert_distributed_sync=1).
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { arg } from './lib.js';

const duckPath = arg('duckdb', undefined);
const targets = [arg('store', undefined), arg('store2', undefined)].filter((s) => s);
if (!duckPath || !targets.length) throw new Error('--duckdb STORE --store URL [--store2 URL] are required');
// Rows per insert: a Distributed insert with insert_distributed_sync=1 holds the whole insert in
// memory on 18.16 (an hour of 1.25 M CloudFront rows passed the 4 GB limit): use --minutes 10 there.
const step = Number(arg('minutes', '60')) * 60;
const dir = arg('dir', join(tmpdir(), 'pt-ch-copy'));
mkdirSync(dir, { recursive: true });
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const sqlString = (s) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** A ClickHouse target: the HTTP address, every node's and the database of the URL. */
function target(url) {
  const u = new URL(url.replace(/^clickhouse:/, 'http:'));
  const nodes = (u.searchParams.get('nodes') ?? u.host).split(',').map((n) => `http://${n}`);
  return { url, http: `http://${u.host}`, nodes, database: u.pathname.slice(1), cluster: u.searchParams.get('cluster') };
}
async function chQuery(t, sql) {
  const res = await fetch(`${t.http}/?database=${t.database}`, { method: 'POST', body: sql });
  const text = await res.text();
  if (!res.ok) throw new Error(`${t.url}: ${text.slice(0, 500)}`);
  return text.split('\n').filter((l) => l).map((l) => l.split('\t'));
}
/** A string as TabSeparated writes it (backslash, tab, newline, carriage return escaped). */
const escaped = (x) => String.raw`replace(replace(replace(replace(${x}, '\', '\\'), chr(9), '\t'), chr(10), '\n'), chr(13), '\r')`;
/** Rows per block the server parses: its default (1,048,576) of 71 columns passed 18.16's 4 GB limit. */
const BLOCK_ROWS = 100_000;
/** POSTs the file to the server's HTTP interface (streamed by curl; the server parses it). */
function chInsert(t, table, columns, file) {
  return new Promise((resolve, reject) => {
    const query = `INSERT INTO "${table}" FORMAT TabSeparated`;
    const url = `${t.http}/?database=${encodeURIComponent(t.database)}&insert_distributed_sync=1&max_insert_block_size=${BLOCK_ROWS}&query=${encodeURIComponent(query)}`;
    const child = spawn('curl', ['-sS', '--fail-with-body', '-X', 'POST', '-T', file, url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('close', (code) => { code === 0 ? resolve() : reject(new Error(`insert into ${t.url} ${table} exited ${code}: ${out.slice(0, 1000)}`)); });
  });
}

/** The ClickHouse store's type of each DuckDB column type (src/store/clickhouse/dialect.ts TYPES). */
const CH_TYPES = {
  VARCHAR: 'Nullable(String)', JSON: 'Nullable(String)', BIGINT: 'Nullable(Int64)', DOUBLE: 'Nullable(Float64)',
  BOOLEAN: 'Nullable(UInt8)', TIMESTAMP: 'Nullable(Decimal64(3))', 'VARCHAR[]': 'Array(String)',
};
const chTargets = targets.map(target);
const duck = await (await DuckDBInstance.create(duckPath, { access_mode: 'READ_ONLY' })).connect();
const rows = async (sql) => (await duck.runAndReadAll(sql)).getRows();
const tables = (await rows("SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'events\\_%' ESCAPE '\\' AND table_type = 'BASE TABLE' ORDER BY 1")).map((r) => r[0]);
const t0 = performance.now();
for (const table of tables) {
  const cols = await rows(`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = '${table}' ORDER BY ordinal_position`);
  // One TabSeparated line per row, built in DuckDB: ClickHouse 18.16 parses JSONEachRow of these 71
  // columns at ≈ 3,000 rows/s, TabSeparated (what the store's own load sends) many times faster.
  const expr = new Map(cols.map(([name, type]) => [name, ((name, type) => {
    const q = `"${name}"`;
    if (type === 'TIMESTAMP' || type === 'TIMESTAMP WITH TIME ZONE') return String.raw`coalesce(CAST(CAST(epoch_ms(${q}) / 1000.0 AS DECIMAL(18,3)) AS VARCHAR), '\N')`;
    if (type.endsWith('[]')) return String.raw`'[' || coalesce(array_to_string(list_transform(CAST(${q} AS VARCHAR[]), x -> '''' || replace(${escaped('x')}, '''', '\''') || ''''), ','), '') || ']'`;
    if (type === 'BOOLEAN') return String.raw`coalesce(CAST(CAST(${q} AS UTINYINT) AS VARCHAR), '\N')`;
    if (type === 'VARCHAR' || type === 'JSON') return String.raw`coalesce(${escaped(`CAST(${q} AS VARCHAR)`)}, '\N')`;
    return String.raw`coalesce(CAST(${q} AS VARCHAR), '\N')`;
  })(name, type)]));
  const names = cols.map(([n]) => n);
  for (const t of chTargets) {
    const have = new Set((await chQuery(t, `SELECT name FROM system.columns WHERE database = currentDatabase() AND table = ${sqlString(table)}`)).map((r) => r[0]));
    const missing = names.filter((n) => !have.has(n));
    if (missing.length) {
      // A column the slice did not fill: added as the store adds it (local tables on every node first).
      const types = new Map(cols);
      for (const suffix of t.cluster ? ['_local', ''] : ['']) {
        for (const node of t.nodes) {
          for (const name of missing) await chQuery({ ...t, http: node }, `ALTER TABLE "${table}${suffix}" ADD COLUMN "${name}" ${CH_TYPES[types.get(name)]}`);
        }
      }
      console.log(`${t.url} ${table}: added ${missing.join(', ')} (then run \`packettrail store init\` again for the events view)`);
    }
  }
  // The lines carry the ClickHouse table's columns in its order (18.16 parses an insert naming its
  // columns many times slower after the first block, ≈ 1,000 rows/s): the ones DuckDB lacks as
  // NULL or an empty list. Every target was built the same way (the first one's order is used).
  const chColumns = await chQuery(chTargets[0], `SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = ${sqlString(table)}`);
  const line = chColumns.map(([name, type]) => expr.get(name) ?? (type.startsWith('Array') ? `'[]'` : String.raw`'\N'`)).join(' || chr(9) || ');
  // Hour by hour: an hour whose count already matches is skipped, and the ids a target holds in an
  // hour (the slice's, or a copy cut short) are left out, so a rerun resumes.
  const hours = (await rows(`SELECT CAST(floor(epoch("timestamp") / ${step}) * ${step} AS BIGINT) AS h, count(*) FROM "${table}" GROUP BY h ORDER BY h`)).map((r) => [Number(r[0]), Number(r[1])]);
  // The export of a chunk runs while the previous chunk is inserted (two files in turn).
  let pending = Promise.resolve();
  let turn = 0;
  for (const [hour, want] of hours) {
    const range = `"timestamp" >= ${hour} AND "timestamp" < ${hour + step}`;
    for (const ch of chTargets) {
      const got = Number((await chQuery(ch, `SELECT count() FROM "${table}" WHERE ${range}`))[0][0]);
      if (got === want) continue;
      const ids = (await chQuery(ch, `SELECT event_id FROM "${table}" WHERE ${range}`)).map((r) => r[0]);
      const skip = ids.length ? `AND event_id NOT IN (${ids.map((id) => `'${id.replace(/'/g, "''")}'`).join(', ')})` : '';
      const file = join(dir, `${table}.${turn++ % 2}.tsv`);
      const t = performance.now();
      await duck.run(`COPY (SELECT ${line} AS line FROM "${table}" WHERE "timestamp" >= make_timestamp(${hour * 1e6}) AND "timestamp" < make_timestamp(${(hour + step) * 1e6}) ${skip}) TO '${file}' (FORMAT CSV, HEADER false, QUOTE '', ESCAPE '', DELIMITER chr(1))`);
      const exported = performance.now() - t;
      const size = statSync(file).size;
      await pending;
      const t1 = performance.now();
      // A chunk the slice already holds whole exports nothing (an empty insert is refused).
      pending = (size ? chInsert(ch, table, names, file) : Promise.resolve()).then(() => {
        console.log(`${table} ${new Date(hour * 1000).toISOString()} → ${ch.url}: ${want - ids.length} rows, exported ${(size / 1e6).toFixed(0)} MB in ${(exported / 1000).toFixed(1)} s, inserted in ${((performance.now() - t1) / 1000).toFixed(1)} s (load ${load()})`);
        rmSync(file, { force: true });
      });
    }
  }
  await pending;
  const want = Number((await rows(`SELECT count(*) FROM "${table}"`))[0][0]);
  for (const ch of chTargets) {
    const got = Number((await chQuery(ch, `SELECT count() FROM "${table}"`))[0][0]);
    const distinct = Number((await chQuery(ch, `SELECT uniqExact(event_id) FROM "${table}"`))[0][0]);
    console.log(`${table}: DuckDB ${want}, ${ch.url} ${got} rows, ${distinct} distinct ids ${got === want && distinct === want ? 'ok' : 'MISMATCH'}`);
    if (got !== want || distinct !== want) process.exitCode = 1;
  }
}
console.log(`copied ${tables.length} tables in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
duck.closeSync?.();
