import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { REPO_ROOT } from '../../testing/shared.js';
import { queryStore } from '../../testing/collect-e2e.js';
import { tempDir } from '../../testing/tmp.js';

// Decompression bombs and record multipliers, each run through `normalize` in a child process
// with a 256 MB heap: the run must finish, reject the bomb with the limit it hit, keep the rest,
// and hold events + dead letters = records.

const CLI = join(REPO_ROOT, 'dist', 'cli', 'main.js');
const HEAP = '--max-old-space-size=256';
const MB = 1 << 20;

const TRAIL = (name: string, id: string) =>
  JSON.stringify({ eventVersion: '1.09', userIdentity: { type: 'IAMUser', principalId: 'AIDA1', arn: 'arn:aws:iam::123456789012:user/lee.cole', accountId: '123456789012', userName: 'lee.cole' }, eventTime: '2026-11-20T10:15:01Z', eventSource: 'iam.amazonaws.com', eventName: name, awsRegion: 'us-east-1', sourceIPAddress: '198.51.100.7', userAgent: 'aws-cli/2.17.60', eventID: id, eventType: 'AwsApiCall', recipientAccountId: '123456789012' });
const payload = (messages: string[]) => ({ messageType: 'DATA_MESSAGE', owner: '123456789012', logGroup: 'trail', logStream: '123456789012_CloudTrail_us-east-1', subscriptionFilters: ['f'], logEvents: messages.map((message, i) => ({ id: String(i), timestamp: 1763633701000, message })) });
const gz = (data: string | Buffer) => gzipSync(data, { level: 9 });
const b64gz = (data: string | Buffer) => gz(data).toString('base64');
const batch = (...data: string[]) => JSON.stringify({ requestId: 'r1', timestamp: 1763633701000, records: data.map((d) => ({ data: d })) });

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  events: Record<string, any>[];
  dead: { line: number; reason: string; record: string; truncated?: boolean; originalLength?: number }[];
  totals: { records: number; events: number; rejected: number } | undefined;
  err: string;
}

function normalize(file: string, format: string): Run {
  const dl = `${file}.${format}.dead.ndjson`;
  const r = spawnSync(process.execPath, [HEAP, CLI, 'normalize', '--format', format, '--dead-letter', dl, file], { encoding: 'utf8', maxBuffer: 64 * MB });
  let dead: Run['dead'] = [];
  try {
    dead = readFileSync(dl, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Run['dead'][number]);
  } catch {
    /* no dead letters written */
  }
  const m = /total: ([\d,]+) records?, ([\d,]+) events?, ([\d,]+) rejected/.exec(r.stderr);
  const n = (s: string) => Number(s.replace(/,/g, ''));
  return {
    code: r.status,
    signal: r.signal,
    events: r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>),
    dead,
    totals: m ? { records: n(m[1]!), events: n(m[2]!), rejected: n(m[3]!) } : undefined,
    err: r.stderr.slice(-2000),
  };
}

test('envelope bombs (gzip of 60 MB, CloudWatch and Firehose, nested, a million records) are dead letters naming the limit; the other records are kept', { timeout: 300_000 }, () => {
  const dir = tempDir();
  const zeros = b64gz(Buffer.alloc(60 * MB));
  const lines = b64gz('1\n'.repeat(30 * MB));
  const cloudwatchBomb = b64gz(JSON.stringify(payload(['x'.repeat(60 * MB)])));
  // 60 MB inside two layers of gzip: a few hundred bytes.
  const nested = b64gz(b64gz(Buffer.alloc(60 * MB)));
  // 200,000 tiny events: 8 MB inflated, under the size limits, past the record limit.
  const manyEvents = b64gz(JSON.stringify(payload(Array.from({ length: 200_000 }, () => 'a'))));
  const file = join(dir, 'kinesis-and-firehose.txt');
  writeFileSync(
    file,
    [
      b64gz(JSON.stringify(payload([TRAIL('CreateUser', 'e1'), TRAIL('AttachUserPolicy', 'e2')]))),
      batch(zeros, b64gz(JSON.stringify(payload([TRAIL('CreateAccessKey', 'e3')])))),
      cloudwatchBomb,
      batch(nested),
      batch(lines),
      manyEvents,
      b64gz(JSON.stringify(payload([TRAIL('DeleteUser', 'e4')]))),
    ].join('\n') + '\n',
  );
  for (const format of ['auto', 'aws.cloudtrail']) {
    const r = normalize(file, format);
    assert.equal(r.signal, null, `${format}: killed by ${r.signal}: ${r.err}`);
    assert.equal(r.code, 1, `${format}: exit 1 (finished, some records rejected): ${r.err}`);
    assert.deepEqual(r.events.map((e) => e.event.action), ['CreateUser', 'AttachUserPolicy', 'CreateAccessKey', 'DeleteUser'], format);
    assert.deepEqual(
      r.dead.map((d) => [d.line, d.reason.replace(/\d+ characters/, 'N characters')]),
      [
        [2, 'records[0]: base64 payload is gzip and inflates beyond 16 MiB, the limit for one record (MAX_RECORD_INFLATED_BYTES; a decompression bomb?)'],
        [3, 'base64 payload is gzip and inflates beyond 16 MiB, the limit for one record (MAX_RECORD_INFLATED_BYTES; a decompression bomb?)'],
        [4, "records[0]: base64 payload is gzip and inflates beyond 1000 times the record's N characters, the limit for one record (MAX_INFLATE_RATIO; nested compression: a decompression bomb?)"],
        [5, 'records[0]: base64 payload is gzip and inflates beyond 16 MiB, the limit for one record (MAX_RECORD_INFLATED_BYTES; a decompression bomb?)'],
        [6, 'envelope holds more than 50000 records, the limit for one line (MAX_ENVELOPE_RECORDS)'],
      ],
      format,
    );
    // Each dead letter holds the payload as it arrived, whole: it can be recovered.
    assert.deepEqual(r.dead.map((d) => d.record.length), [zeros.length, cloudwatchBomb.length, nested.length, lines.length, manyEvents.length]);
    assert.ok(r.dead.every((d) => d.truncated === undefined));
    assert.deepEqual(r.totals, { records: 9, events: 4, rejected: 5 }, `${format}: events + dead letters = records`);
  }
});

test('a 7 KB gzip of a million one-character lines: every line a dead letter, in bounded memory', { timeout: 300_000 }, () => {
  const dir = tempDir();
  const good = JSON.stringify({ version: '1.100000', account_id: '111122223333', region: 'eu-west-1', vpc_id: 'vpc-0a1b2c3d', query_timestamp: '2025-03-01T10:00:00Z', query_name: 'example.com.', query_type: 'A', query_class: 'IN', rcode: 'NOERROR', answers: [], srcaddr: '10.0.0.5', srcport: '5353', transport: 'UDP', srcids: { instance: 'i-0a1b2c3d' } });
  const file = join(dir, 'tiny-lines.log.gz');
  const count = 600_000;
  writeFileSync(file, gz(`${good}\n${'1\n'.repeat(count)}${good}\n`));
  const r = normalize(file, 'aws.route53resolver');
  assert.equal(r.signal, null, `killed by ${r.signal}: ${r.err}`);
  assert.equal(r.code, 1, r.err);
  assert.equal(r.events.length, 2);
  assert.equal(r.dead.length, count);
  assert.deepEqual([r.dead[0]!.line, r.dead[count - 1]!.line], [2, count + 1]);
  assert.deepEqual(r.totals, { records: count + 2, events: 2, rejected: count });
});

test('a line longer than the line limit is a dead letter noting its length, holding its start; the lines around it are kept', { timeout: 300_000 }, () => {
  const dir = tempDir();
  const trail = (id: string) => JSON.stringify({ Records: [JSON.parse(TRAIL('GetUser', id))] });
  const file = join(dir, 'long-line.json.gz');
  const long = 100 * MB;
  writeFileSync(file, gz(`${trail('a1')}\n${'x'.repeat(long)}\n${trail('a2')}\n`));
  const r = normalize(file, 'aws.cloudtrail');
  assert.equal(r.signal, null, `killed by ${r.signal}: ${r.err}`);
  assert.equal(r.code, 1, r.err);
  assert.deepEqual(r.events.map((e) => e.event.action), ['GetUser', 'GetUser']);
  assert.equal(r.dead.length, 1);
  const d = r.dead[0]!;
  assert.equal(d.line, 2);
  assert.equal(d.reason, `line longer than the ${64 * MB}-character limit (maxLineChars): ${long} characters; only its start is kept`);
  assert.equal(d.truncated, true);
  assert.equal(d.originalLength, long);
  assert.equal(d.record, 'x'.repeat(64 * 1024));
  assert.deepEqual(r.totals, { records: 3, events: 2, rejected: 1 });
});

test('the Firehose collector survives a bomb in a POST: 200, the bomb dead-lettered, the other records stored, later requests served', { timeout: 300_000 }, async () => {
  const dir = tempDir();
  const key = 'firehose-access-key-0123456789';
  const child = spawn(process.execPath, [HEAP, join(REPO_ROOT, 'dist', 'testing', 'firehose-collector-child.js'), dir, 'aws.cloudtrail', key], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const port = Number(((await once(child.stdout, 'data')) as [Buffer])[0].toString().trim());
    const post = async (requestId: string, data: string[]) => {
      const res = await fetch(`http://127.0.0.1:${port}/`, {
        method: 'POST',
        body: gzipSync(batch(...data).replace('"r1"', JSON.stringify(requestId))),
        headers: { 'content-type': 'application/json', 'content-encoding': 'GZIP', 'x-amz-firehose-request-id': requestId, 'x-amz-firehose-access-key': key },
      });
      return { status: res.status, body: (await res.json()) as { requestId: string; errorMessage?: string } };
    };
    const bombs = [b64gz('1\n'.repeat(30 * MB)), b64gz(Buffer.alloc(60 * MB)), b64gz(b64gz(Buffer.alloc(60 * MB)))];
    const first = await post('req-1', [b64gz(JSON.stringify(payload([TRAIL('CreateUser', 'f1')]))), ...bombs, b64gz(JSON.stringify(payload([TRAIL('DeleteUser', 'f2')])))]);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.body.requestId, 'req-1');
    const second = await post('req-2', [b64gz(JSON.stringify(payload([TRAIL('GetUser', 'f3')])))]);
    assert.equal(second.status, 200, JSON.stringify(second.body));
  } finally {
    child.stdin.end();
  }
  assert.equal(await exited, 0, 'the collector stopped cleanly (it was not killed by the heap limit)');
  const events = (await queryStore(join(dir, 'firehose.duckdb'), 'SELECT event_action FROM events_aws_cloudtrail ORDER BY event_action')) as [string][];
  assert.deepEqual(events.map((r) => r[0]), ['CreateUser', 'DeleteUser', 'GetUser']);
  const dead = (await queryStore(join(dir, 'firehose.duckdb'), 'SELECT source, line, reason FROM dead_letters ORDER BY line')) as [string, number, string][];
  assert.deepEqual(dead.map((d) => [d[0], Number(d[1])]), [['firehose://fh/req-1', 2], ['firehose://fh/req-1', 3], ['firehose://fh/req-1', 4]]);
  assert.match(dead[0]![2], /MAX_RECORD_INFLATED_BYTES/);
  assert.match(dead[1]![2], /MAX_RECORD_INFLATED_BYTES/);
  assert.match(dead[2]![2], /MAX_INFLATE_RATIO/);
});
