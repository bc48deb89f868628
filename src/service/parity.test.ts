/**
 * Every command that reads or writes a database, run twice on two copies of the same store: once
 * directly (no service), once while `packettrail serve` holds the store, so the command runs through
 * it. Stdout, stderr and the exit code must be the same byte for byte, after taking out only what
 * must differ (NORMALIZED). Real processes, a real socket, temporary directories.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { INSIGHT_VIEWS } from '../insights/views.js';
import { tempDir } from '../testing/tmp.js';
import { cli, startOwner, type CliRun } from './test-fixture.js';

/**
 * What legitimately differs between two runs of the same command: how long things took. Nothing
 * else is normalized.
 */
const NORMALIZED: [RegExp, string][] = [
  [/\b\d+(\.\d+)? ms\b/g, '<n> ms'],
  [/"tookMs": \d+(\.\d+)?/g, '"tookMs": <n>'],
  [/ in \d+\.\d+ s \([\d,]+ records\/s\)/g, ' in <n> s (<n> records/s)'],
  [/created in \d+\.\d s/g, 'created in <n> s'],
];

const normalize = (s: string) => NORMALIZED.reduce((t, [re, to]) => t.replace(re, to), s);

/** Values JSON cannot carry, to check they arrive exactly. */
const VALUES_SQL = `SELECT 'inf'::DOUBLE AS inf, '-inf'::DOUBLE AS ninf, 'nan'::DOUBLE AS nan, -0.0::DOUBLE AS negzero,
  12345678901234567890::HUGEINT AS huge, 9007199254740993::BIGINT AS big, 3.14::DECIMAL(5,2) AS dec,
  [1, NULL, 3] AS list, {'a': 1, '$num': 'x', '__proto__': 2} AS struct, MAP {'k': [1.5]} AS map,
  DATE '2026-11-20' AS d, TIMESTAMP '2026-11-20 08:00:00.123' AS ts, INTERVAL 90 MINUTE AS i, '\\x00 ✓ é' AS s, NULL AS nothing`;

test('every command prints the same directly and through the process that holds the database', { timeout: 20 * 60_000 }, async () => {
  const root = tempDir('packettrail-parity-');
  const scenario = join(root, 'scenario');
  const gen = await cli(['generate', '--out', scenario, '--start', '2026-11-20T08:00:00Z', '--users', '5', '--hours', '1'], { cwd: root });
  assert.equal(gen.code, 0, gen.stderr);
  const logs = join(scenario, 'logs');
  // The store both runs start from: everything but CloudTrail and Umbrella, which the runs ingest.
  const base = join(root, 'base');
  mkdirSync(base);
  const loaded = ['alb', 'app', 'cloudfront', 'defender', 'panos', 'route53resolver', 'vpcflow', 'waf', 'zscaler'].map((d) => join(logs, d));
  const seed = await cli(['ingest', '-q', '--db', join(base, 'packettrail.duckdb'), ...loaded], { cwd: root });
  assert.equal(seed.code, 0, seed.stderr);
  const dirs = { direct: join(root, 'direct'), service: join(root, 'service') };
  for (const dir of Object.values(dirs)) {
    mkdirSync(dir);
    cpSync(join(base, 'packettrail.duckdb'), join(dir, 'packettrail.duckdb'));
    cpSync(logs, join(dir, 'logs'), { recursive: true });
  }
  const truth = JSON.parse(readFileSync(join(scenario, 'truth.json'), 'utf8')) as { incidents: { events: { dataset: string; match: Record<string, string> }[] }[] };
  const requestId = truth.incidents.flatMap((i) => i.events).find((e) => e.dataset === 'aws.cloudfront' && e.match['http.request.id'])!.match['http.request.id']!;
  const umbrella = readFileSync(join(logs, 'umbrella', 'dnslogs', '2026-11-20', '2026-11-20-08-00-drze.csv.gz'));
  const byDataset = 'SELECT event_dataset AS dataset, count(*) AS n FROM events GROUP BY 1 ORDER BY 1';

  const commands: { args: string[]; input?: Buffer }[] = [
    { args: ['query', byDataset] },
    { args: ['query', '-o', 'json', byDataset] },
    { args: ['query', '-o', 'csv', byDataset] },
    { args: ['query', '--schema'] },
    { args: ['query', VALUES_SQL] },
    { args: ['query', '-o', 'json', VALUES_SQL] },
    { args: ['query', '-o', 'csv', VALUES_SQL] },
    { args: ['query', 'index=cloudfront | stats count by edge_location | sort -count, edge_location'] },
    { args: ['query', '--show-sql', 'index=cloudfront status>=400 | top limit=3 url'] },
    { args: ['query', 'SELECT 1 AS one; SELECT 2 AS two'] },
    { args: ['query', 'DESCRIBE events_aws_cloudfront'] },
    { args: ['query', 'SELEC 1'] },
    { args: ['query', 'SELECT * FROM no_such_table'] },
    { args: ['query', '--max-result-size', '1KB', 'SELECT * FROM events'] },
    // Rows capped while DuckDB streams (QueryBounds.maxRows), the "N more rows" footer with the count, RFC 3339 timestamps.
    { args: ['query', '--limit', '3', 'SELECT event_dataset, "timestamp", event_id FROM events ORDER BY ALL'] },
    { args: ['query', '-o', 'json', '--limit', '2', 'SELECT event_dataset, "timestamp", event_id FROM events ORDER BY ALL'] },
    { args: ['query', '-o', 'csv', '--limit', '2', 'SELECT event_dataset, "timestamp", event_id FROM events ORDER BY ALL'] },
    { args: ['query', '-x', '--limit', '2', 'SELECT * FROM events_aws_cloudfront ORDER BY event_id'] },
    { args: ['query', '-f', '-'], input: Buffer.from(byDataset) },
    // A time window that misses the stored events says where they are.
    { args: ['query', 'index=cloudfront earliest=2026-11-21T00:00:00Z | stats count'] },
    { args: ['trail', '--request-id', requestId] },
    { args: ['trail', '--request-id', requestId, '--json'] },
    { args: ['trail', '--request-id', 'no-such-request'] },
    { args: ['insights'] },
    ...INSIGHT_VIEWS.map((v) => ({ args: ['insights', v.id] })),
    { args: ['insights', 'cloudfront', '--json'] },
    { args: ['insights', 'vpc', '--diagnose'] },
    { args: ['vpcflow', 'diagnose'] },
    { args: ['index'] },
    { args: ['trail', '--request-id', requestId] },
    { args: ['index', '--drop'] },
    { args: ['ingest', 'logs/cloudtrail'] },
    { args: ['ingest', '--format', 'cisco.umbrella', '-'], input: umbrella },
    { args: ['ingest', 'logs/cloudtrail', 'logs/nothing-here'] },
    { args: ['ingest', '--index', '--no-builtin-rules', 'logs/umbrella'] },
    { args: ['query', byDataset] },
    { args: ['query', 'SELECT path, dataset, records, events, stored, duplicates, rejected, skipped, bytes, complete FROM ingested_files ORDER BY ALL'] },
    { args: ['query', 'SELECT rule_id, count(*) AS n FROM alerts GROUP BY 1 ORDER BY 1'] },
    { args: ['insights', 'cloudtrail'] },
    { args: ['detect', '--no-builtin-rules', 'logs/cloudtrail'] },
    { args: ['rules', 'list'] },
    { args: ['posture', 'no-such-file.json'] },
  ];

  const runAll = async (cwd: string): Promise<CliRun[]> => {
    const out: CliRun[] = [];
    for (const c of commands) out.push(await cli(c.args, { cwd, ...(c.input ? { input: c.input } : {}) }));
    return out;
  };
  const direct = await runAll(dirs.direct);
  const owner = await startOwner(['serve', '--port', '0'], { cwd: dirs.service, db: 'packettrail.duckdb', ready: /packettrail console: http/ });
  let through: CliRun[];
  let stopped: Awaited<ReturnType<typeof owner.stop>>;
  try {
    through = await runAll(dirs.service);
  } finally {
    stopped = await owner.stop();
  }
  if (process.env.PARITY_DUMP) writeFileSync(process.env.PARITY_DUMP, JSON.stringify({ commands, direct, through, owner: stopped.stderr }, null, 1));
  const differences: string[] = [];
  commands.forEach((c, i) => {
    const [a, b] = [direct[i]!, through[i]!];
    for (const part of ['stdout', 'stderr'] as const) {
      if (normalize(a[part]) !== normalize(b[part])) differences.push(`${c.args.join(' ')}: ${part} differs\n--- direct\n${a[part]}\n--- through serve\n${b[part]}`);
    }
    if (a.code !== b.code) differences.push(`${c.args.join(' ')}: exit ${a.code} directly, ${b.code} through serve\n${a.stderr}\n${b.stderr}`);
  });
  assert.deepEqual(differences, []);
  assert.equal(stopped.code, 0, stopped.stderr);
  // The commands did go through it: it counted them (each query, ingest job and index request).
  const counted = /for other commands: (\d+) queries \((\d+) failed\), (\d+) ingest job\(s\), (\d+) index request\(s\)/.exec(stopped.stderr);
  assert.ok(counted, stopped.stderr);
  assert.ok(Number(counted[1]) > 50, stopped.stderr);
  // An ingest naming an input that matches no file stops before anything (exit 2): it never reaches the owner.
  assert.equal(Number(counted[3]), commands.filter((c, i) => c.args[0] === 'ingest' && direct[i]!.code !== 2).length, stopped.stderr);
  assert.equal(Number(counted[4]), 2, stopped.stderr);
  // The runs did what they say: only the commands meant to fail failed.
  const failing = commands.filter((_, i) => direct[i]!.code !== 0).map((c) => c.args.slice(0, 3).join(' '));
  assert.deepEqual(failing, ['query SELEC 1', 'query SELECT * FROM no_such_table', 'query --max-result-size 1KB', 'trail --request-id no-such-request', 'ingest logs/cloudtrail logs/nothing-here', 'posture no-such-file.json']);
  const timings = commands.map((c, i) => `${c.args[0]} ${c.args[1] ?? ''}: ${direct[i]!.ms} ms direct, ${through[i]!.ms} ms through serve`);
  process.stdout.write(`wall time per command:\n${timings.join('\n')}\n`);
});
