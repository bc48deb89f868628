import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDbStore } from '../../store/duckdb/duckdb-store.js';
import { tempDir } from '../../testing/tmp.js';
import { compileSplOn } from './compile.js';
import { demoStore } from './demo-store.fixture.js';
import { LookupCatalog } from './lookups/catalog.js';
import { parseCsv } from './lookups/csv.js';
import { ALIASES, CATALOG } from './testing.fixture.js';

// Splunk's baseline-and-detect searches (security_content's "previously unseen" detections): the
// subsearch runs first, its outputlookup writes the rows reaching it and passes them on.
let store: DuckDbStore;
before(async () => {
  store = await demoStore();
});
after(async () => store?.close());

/** security_content's ec2_instance_started_with_previously_unseen_instance_type, as written. */
const AS_WRITTEN =
  '`cloudtrail` eventName=RunInstances [search `cloudtrail` eventName=RunInstances errorCode=success | fillnull value="m1.small" requestParameters.instanceType | stats earliest(_time) as earliest latest(_time) as latest by requestParameters.instanceType | rename requestParameters.instanceType as instanceType | inputlookup append=t previously_seen_ec2_instance_types.csv | stats min(earliest) as earliest max(latest) as latest by instanceType | outputlookup previously_seen_ec2_instance_types.csv | eval newType=if(earliest >= relative_time(now(), "-70m@m"), 1, 0) | `security_content_ctime(earliest)` | `security_content_ctime(latest)` | where newType=1 | rename instanceType as requestParameters.instanceType | table requestParameters.instanceType] | spath output=user userIdentity.arn | rename requestParameters.instanceType as instanceType, responseElements.instancesSet.items{}.instanceId as dest | table _time, user, dest, instanceType | `ec2_instance_started_with_previously_unseen_instance_type_filter`';

/**
 * The same with `eval user='userIdentity.arn'` for `spath output=user userIdentity.arn`: spath reads the
 * raw event, which the demo store does not keep (ingested without --original), so as written the query
 * is refused rather than answered with a null user.
 */
const UNSEEN_INSTANCE_TYPE = AS_WRITTEN.replace("| spath output=user userIdentity.arn", "| eval user='userIdentity.arn'");

/** Hand-written SQL: the successful RunInstances per instance type (first and last, epoch seconds). */
const TYPES_SQL = `SELECT coalesce(json_extract_string(aws_cloudtrail_request_parameters, '$.instanceType'), 'm1.small') AS t,
  epoch(min("timestamp")) AS first, epoch(max("timestamp")) AS last
  FROM events WHERE event_dataset = 'aws.cloudtrail' AND event_action = 'RunInstances' AND aws_cloudtrail_error_code IS NULL GROUP BY t ORDER BY t`;

async function run(query: string, lookups: LookupCatalog, now: Date): Promise<{ rows: Record<string, unknown>[]; warnings: string[] }> {
  const tables = await store.datasetColumns();
  const c = await compileSplOn((sql, params) => store.query(sql, params).then((r) => r.rows), query, { catalog: CATALOG, aliases: ALIASES, now, tables, lookups });
  const r = await store.query(c.sql, c.params);
  return { rows: r.rows.map((row) => Object.fromEntries(r.columns.map((col, i) => [col.name, row[i]]))), warnings: c.warnings };
}

test('outputlookup in a subsearch: the baseline is written, the rest of the subsearch runs on its rows, a second run sees the first', async () => {
  const types = (await store.query(TYPES_SQL, {})).rows.map(([t, first, last]) => ({ t: String(t), first: Number(first), last: Number(last) }));
  assert.ok(types.length > 0, 'the demo store has successful RunInstances');
  const newest = types.reduce((a, b) => (b.first > a.first ? b : a));
  // "now": 30 minutes after the newest type first appeared, so it (only it, unless others are as recent) is new.
  const now = new Date((newest.first + 30 * 60) * 1000);
  const cutoff = Math.floor(now.getTime() / 60_000) * 60 - 70 * 60;
  const newTypes = types.filter((t) => t.first >= cutoff).map((t) => t.t);
  const expected = (
    await store.query(
      `SELECT strftime("timestamp", '%Y-%m-%d %H:%M:%S.%g') AS _time, aws_cloudtrail_user_identity_arn AS user, json_extract_string(aws_cloudtrail_response_elements, '$.instancesSet.items[0].instanceId') AS dest, json_extract_string(aws_cloudtrail_request_parameters, '$.instanceType') AS instanceType
       FROM events WHERE event_dataset = 'aws.cloudtrail' AND event_action = 'RunInstances' AND list_contains($types, lower(json_extract_string(aws_cloudtrail_request_parameters, '$.instanceType'))) ORDER BY "timestamp" DESC`,
      { types: `[${newTypes.map((t) => `'${t.toLowerCase()}'`).join(',')}]` } as never,
    )
  ).rows.map(([_time, user, dest, instanceType]) => ({ _time, user, dest, instanceType }));

  const dir = tempDir('packettrail-baseline-');
  const file = join(dir, 'previously_seen_ec2_instance_types.csv');
  // The lookup exists and is empty at first (security_content ships it so).
  writeFileSync(file, 'instanceType,earliest,latest\n');
  const lookups = new LookupCatalog([dir], true);
  assert.notEqual(UNSEEN_INSTANCE_TYPE, AS_WRITTEN);
  await assert.rejects(run(AS_WRITTEN, lookups, now), /spath reads the raw event \(_raw\), which the store does not hold/);
  const first = await run(UNSEEN_INSTANCE_TYPE, lookups, now);
  assert.ok(expected.length > 0);
  assert.deepEqual(first.rows.map((r) => String(r.instanceType)).sort(), expected.map((r) => String(r.instanceType)).sort());
  assert.deepEqual(first.rows.length, expected.length);
  // dest is multivalue (items{}): the instances' ids; user is the identity's ARN.
  assert.deepEqual(first.rows.map((r) => String(r.user)).sort(), expected.map((r) => String(r.user)).sort());
  assert.deepEqual(first.rows.map((r) => [r.dest].flat().join(',')).sort(), expected.map((r) => String(r.dest)).sort());
  assert.ok(first.warnings.some((w) => w.includes('outputlookup in a subsearch wrote') && w.includes(file)), first.warnings.join('\n'));

  // The lookup holds the baseline: one row per type, times as epoch seconds.
  const written = parseCsv(readFileSync(file, 'utf8'), file);
  assert.deepEqual(written.header, ['instanceType', 'earliest', 'latest']);
  assert.deepEqual(
    written.rows.map(([t, e, l]) => ({ t, first: Number(e), last: Number(l) })).sort((a, b) => a.t!.localeCompare(b.t!)),
    types,
  );

  // Second run: an older first sighting in the lookup makes the newest type seen before: nothing is new.
  writeFileSync(file, `instanceType,earliest,latest\n${newest.t},${newest.first - 86_400},${newest.first - 86_400}\n`);
  const second = await run(UNSEEN_INSTANCE_TYPE, lookups, now);
  const stillNew = types.filter((t) => t.t !== newest.t && t.first >= cutoff).map((t) => t.t);
  assert.deepEqual([...new Set(second.rows.map((r) => r.instanceType))].sort(), stillNew.sort());
  const again = parseCsv(readFileSync(file, 'utf8'), file).rows.find((r) => r[0] === newest.t)!;
  assert.deepEqual([Number(again[1]), Number(again[2])], [newest.first - 86_400, newest.last], 'min of the old and the new first sighting, max of the last');

  // And the run after sees what that run wrote (no new row appears from nothing).
  const third = await run(UNSEEN_INSTANCE_TYPE, lookups, now);
  assert.deepEqual(third.rows, second.rows);
});

test('outputlookup in a subsearch: append=t appends, and it is refused where lookups are read-only or not writable', async () => {
  const dir = tempDir('packettrail-baseline-append-');
  const lookups = new LookupCatalog([dir], true);
  const query = '`cloudtrail` [search `cloudtrail` eventName=RunInstances | stats count by eventName | outputlookup append=t seen_calls.csv | table eventName]  | stats count by eventName';
  const now = new Date();
  const one = await run(query, lookups, now);
  const count = Number((await store.query(`SELECT count(*) FROM events WHERE event_dataset = 'aws.cloudtrail' AND event_action = 'RunInstances'`, {})).rows[0]![0]);
  assert.deepEqual(one.rows.map((r) => ({ ...r, count: Number(r.count) })), [{ eventName: 'RunInstances', count }]);
  await run(query, lookups, now);
  assert.equal(readFileSync(join(dir, 'seen_calls.csv'), 'utf8'), `eventName,count\nRunInstances,${count}\nRunInstances,${count}\n`);

  // The console's catalog is not writable: refused by name, nothing written.
  const readOnly = tempDir('packettrail-baseline-ro-');
  await assert.rejects(run(query, new LookupCatalog([readOnly], false), now), /outputlookup writes a file: not allowed here/);
  assert.equal(existsSync(join(readOnly, 'seen_calls.csv')), false);
  // A folder the write fails in: an error naming the file, never a silent skip.
  chmodSync(readOnly, 0o555);
  try {
    if (process.getuid?.() !== 0) await assert.rejects(run(query, new LookupCatalog([readOnly], true), now), /in the subsearch|outputlookup: cannot write .*seen_calls\.csv/);
  } finally {
    chmodSync(readOnly, 0o755);
  }
});
