// The store's floor: how fast DuckDB alone writes rows of a dataset table into a database file, with
// no parsing, no JavaScript, no staging file and no duplicate check. Every path that stores events
// (ingest, S3 + SQS, syslog) pays at least this per row, whatever parses the logs.
//
//   node bench/store-floor.js [--db bench/out/bench.duckdb] [--table events_aws_cloudfront] [--rows 1000000] [--columns 30]
//
// The store must already hold the table: `npm run bench -- --only cloudfront` runs this script on the
// store its ingest step fills; on its own, first `packettrail ingest --db bench/out/bench.duckdb -f
// aws.cloudfront bench/out/cloudfront-1000000.log`. The store is only read. The rows are first copied into
// DuckDB's memory, then written into a fresh database file three times: with one thread, with two
// threads, and (`--columns`) with only the table's first N columns, for comparison with issue 2's
// "the appender takes about 90,000 rows/s for 30 columns". Prints rows/s (wall) and CPU-µs per row.
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir, loadavg, availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arg } from './lib.js';

const db = arg('db', join(dirname(fileURLToPath(import.meta.url)), 'out', 'bench.duckdb'));
const tableArg = arg('table', 'events_aws_cloudfront');
const rows = Number(arg('rows', '1000000'));
const narrow = Number(arg('columns', '30'));
const dir = mkdtempSync(join(tmpdir(), 'pt-store-floor-'));
const cpuSeconds = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};
const ident = (name) => `"${String(name).replace(/"/g, '""')}"`;

async function run(label, threads, columns) {
  const file = join(dir, `${label.replace(/\W+/g, '-')}.duckdb`);
  const instance = await DuckDBInstance.create(file, { threads: String(threads), memory_limit: '4GB' });
  const con = await instance.connect();
  try {
    await con.run(`ATTACH '${db.replace(/'/g, "''")}' AS src (READ_ONLY)`);
    const list = columns ? columns.map(ident).join(', ') : '*';
    await con.run(`CREATE TEMP TABLE staged AS SELECT ${list} FROM src.${ident(tableArg)} LIMIT ${rows}`);
    const n = Number((await con.runAndReadAll('SELECT count(*) FROM staged')).getRows()[0][0]);
    const width = (await con.runAndReadAll(`SELECT count(*) FROM information_schema.columns WHERE table_name = 'staged'`)).getRows()[0][0];
    const c0 = cpuSeconds();
    const t0 = performance.now();
    await con.run('CREATE TABLE written AS SELECT * FROM staged');
    await con.run('CHECKPOINT');
    const wall = (performance.now() - t0) / 1000;
    const cpu = cpuSeconds() - c0;
    await con.run('DROP TABLE staged');
    con.closeSync();
    instance.closeSync();
    const mb = statSync(file).size / 1e6;
    console.log(
      `${label}: ${n.toLocaleString('en-US')} rows × ${width} columns in ${wall.toFixed(2)} s = ${Math.round(n / wall).toLocaleString('en-US')} rows/s; ` +
        `${cpu.toFixed(2)} CPU-s = ${((cpu * 1e6) / n).toFixed(1)} CPU-µs per row; file ${mb.toFixed(0)} MB`,
    );
  } finally {
    rmSync(file, { force: true });
    rmSync(`${file}.wal`, { force: true });
  }
}

const probe = await DuckDBInstance.create(db, { access_mode: 'READ_ONLY' });
const pcon = await probe.connect();
const names = (await pcon.runAndReadAll(`SELECT column_name FROM information_schema.columns WHERE table_name = '${tableArg.replace(/'/g, "''")}' ORDER BY ordinal_position`)).getRows().map((r) => r[0]);
pcon.closeSync();
probe.closeSync();
if (!names.length) {
  console.error(`${db} has no table ${tableArg}`);
  process.exit(2);
}
console.log(`store floor: ${db} ${tableArg}; ${availableParallelism()} cores; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
await run('1 thread, every column', 1, undefined);
await run('2 threads, every column', 2, undefined);
await run(`1 thread, first ${narrow} columns`, 1, names.slice(0, narrow));
rmSync(dir, { recursive: true, force: true });
