import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { parseText } from '../../testing/parse.js';
import { needsShared, sharedPath } from '../../testing/shared.js';
import { getPath, type EcsObject } from '../../ecs/event.js';
import { detectFormat } from '../registry.js';
import { percentDecode } from '../../ecs/url.js';

const HEADER = '#Version: 1.0\n#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end';
const LINE = '2026-11-20\t10:15:01\tFRA56-P3\t5120\t198.51.100.7\tGET\td1abcdexample.cloudfront.net\t/api/v1/items\t200\thttps://app.example.com/\tMozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)%20AppleWebKit/537.36%20(KHTML,%20like%20Gecko)%20Chrome/126.0.0.0%20Safari/537.36\tid=7\t-\tMiss\tAbC123def456ghi789jkl012mno345pqr678stu901vwx234yz==\tapp.example.com\thttps\t512\t0.120\t203.0.113.9,%2010.0.0.5\tTLSv1.3\tTLS_AES_128_GCM_SHA256\tMiss\tHTTP/2.0\t-\t-\t50433\t0.100\tMiss\tapplication/json\t4800\t-\t-';

/** Every leaf of `expected` must equal the same path in `actual` (extra fields in `actual` are fine). */
function assertContains(actual: EcsObject, expected: EcsObject, skip: (path: string) => boolean, prefix = ''): void {
  for (const [k, v] of Object.entries(expected)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (skip(path)) continue;
    if (v && typeof v === 'object' && !Array.isArray(v)) assertContains(actual, v as EcsObject, skip, path);
    else assert.deepEqual(getPath(actual, path), v, path);
  }
}

test('standard log line maps to ECS', () => {
  const { events, rejected } = parseText('aws.cloudfront', `${HEADER}\n${LINE}`, { source: 's3://logs/cf/E2EXAMPLE123.2026-11-20-10.a1b2c3d4.gz' });
  assert.deepEqual(rejected, []);
  assert.equal(events.length, 1);
  const e = events[0]!;
  assert.equal(e['@timestamp'], '2026-11-20T10:15:01Z');
  assertContains(e, {
    event: { kind: 'event', category: ['web'], type: ['access'], action: 'Miss', outcome: 'success', dataset: 'aws.cloudfront', duration: 120_000_000 },
    source: { ip: '198.51.100.7', port: 50433 },
    destination: { domain: 'd1abcdexample.cloudfront.net', registered_domain: 'cloudfront.net' },
    url: { domain: 'app.example.com', path: '/api/v1/items', query: 'id=7', scheme: 'https', full: 'https://app.example.com/api/v1/items?id=7', original: '/api/v1/items?id=7' },
    http: { request: { id: 'AbC123def456ghi789jkl012mno345pqr678stu901vwx234yz==', method: 'GET', bytes: 512, referrer: 'https://app.example.com/' }, response: { status_code: 200, bytes: 5120, mime_type: 'application/json', body: { bytes: 4800 } }, version: '2.0' },
    network: { protocol: 'https', type: 'ipv4', forwarded_ip: '203.0.113.9' },
    tls: { version: '1.3', version_protocol: 'tls', cipher: 'TLS_AES_128_GCM_SHA256' },
    user_agent: { name: 'Chrome', version: '126.0.0.0' },
    aws: { cloudfront: { distribution_id: 'E2EXAMPLE123', edge_location: 'FRA56-P3', edge_result_type: 'Miss', time_to_first_byte: 0.1, x_forwarded_for: ['203.0.113.9', '10.0.0.5'] } },
    related: { ip: ['198.51.100.7', '203.0.113.9', '10.0.0.5'] },
  }, () => false);
  assert.equal((e.user_agent as EcsObject).original, 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36');
  assert.equal(e.event!.original, undefined);
});

test('event.original is kept when asked and ids are deterministic', () => {
  const a = parseText('aws.cloudfront', `${HEADER}\n${LINE}`, { original: true }).events[0]!;
  const b = parseText('aws.cloudfront', LINE, { source: 'elsewhere.log' }).events[0]!;
  assert.equal(a.event!.original, LINE);
  assert.equal(a.event!.id, b.event!.id, 'same record, same id, whatever the file');
});

test('the seed samples (JSON form) normalize to the ECS values shown', { skip: needsShared() }, () => {
  const dir = sharedPath('seeds');
  const seed = readFileSync(`${dir}/${readdirSync(dir).find((f) => f.startsWith('001_'))!}`, 'utf8');
  const samples: EcsObject[] = [];
  const lines = seed.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== '{') continue;
    const end = lines.indexOf('}', i);
    samples.push(JSON.parse(lines.slice(i, end + 1).join('\n')) as EcsObject);
    i = end;
  }
  assert.equal(samples.length, 2);
  for (const expected of samples) {
    const { events, rejected } = parseText('aws.cloudfront', expected.message as string);
    assert.deepEqual(rejected, []);
    const e = events[0]!;
    // Deliberate differences: the user agent is decoded (and parsed from the decoded string), and
    // the vendor's sekoiaio.* fields become aws.cloudfront.*.
    assertContains(e, expected, (p) => p === 'message' || p.startsWith('sekoiaio') || p === 'user_agent.original' || p.startsWith('user_agent.os') || p.startsWith('user_agent.device'));
    const ua = (expected.user_agent as EcsObject).original as string;
    assert.equal(getPath(e, 'user_agent.original'), percentDecode(ua));
    assert.equal(getPath(e, 'user_agent.os.name'), 'Mac OS');
    const count = Number(getPath(expected, 'sekoiaio.repeat.count'));
    assert.equal(getPath(e, 'aws.cloudfront.repeat_count'), count);
    assert.equal(getPath(e, 'event.start'), '2023-12-05T16:15:33Z');
  }
});

test('Elastic sample: every line parses and core fields agree with sample_event.json', { skip: needsShared() }, () => {
  const dir = sharedPath('testdata/elastic/aws/cloudfront_logs');
  const { events, rejected, skipped } = parseText('aws.cloudfront', readFileSync(`${dir}/test-cloudfront.log`, 'utf8'));
  assert.deepEqual(rejected, []);
  assert.equal(events.length, 12);
  assert.equal(skipped.header, 2);
  const sample = JSON.parse(readFileSync(`${dir}/sample_event.json`, 'utf8')) as EcsObject;
  const e = events.find((x) => getPath(x, 'http.request.id') === getPath(sample, 'http.request.id'))!;
  assert.ok(e, 'the sample event is among the parsed lines');
  assert.equal(Date.parse(e['@timestamp']!), Date.parse(sample['@timestamp'] as string));
  for (const path of [
    'source.ip', 'source.port', 'source.address', 'destination.domain', 'http.request.method', 'http.request.bytes',
    'http.response.status_code', 'http.response.bytes', 'http.response.body.bytes', 'http.response.mime_type', 'http.version',
    'url.domain', 'url.path', 'url.extension', 'url.full', 'url.scheme', 'url.registered_domain', 'url.subdomain',
    'user_agent.original', 'user_agent.name', 'user_agent.version', 'user_agent.os.name', 'user_agent.os.version', 'user_agent.os.full',
    'event.category', 'event.type', 'event.kind', 'event.outcome', 'event.duration', 'network.protocol', 'network.type',
    'tls.cipher', 'tls.version', 'tls.version_protocol', 'aws.cloudfront.domain', 'aws.cloudfront.edge_location',
    'aws.cloudfront.edge_result_type', 'aws.cloudfront.edge_response_result_type', 'aws.cloudfront.edge_detailed_result_type',
    'aws.cloudfront.time_to_first_byte', 'related.ip', 'related.hosts',
  ]) {
    assert.deepEqual(getPath(e, path), getPath(sample, path), path);
  }
  // The IPv6 client and the 31-field line (missing range fields) are there too.
  assert.ok(events.some((x) => getPath(x, 'network.type') === 'ipv6'));
  assert.ok(events.some((x) => getPath(x, 'url.path') === '/en(test)'));
});

test('real-time logs: epoch timestamp and --fields order', () => {
  const fields = 'timestamp c-ip time-to-first-byte sc-status sc-bytes cs-method cs-protocol cs-host cs-uri-stem cs-bytes x-edge-location x-edge-request-id x-host-header time-taken cs-protocol-version c-ip-version cs-user-agent c-country asn';
  const line = '1763633701.123\t2001:db8::7\t0.002\t403\t512\tPOST\thttps\td1abcdexample.cloudfront.net\t/login\t900\tIAD89-C2\tRtReqId0001==\tapp.example.com\t0.004\tHTTP/1.1\tIPv6\tcurl/8.5.0\tUS\t64496';
  const { events, rejected } = parseText('aws.cloudfront', line, { options: { fields } });
  assert.deepEqual(rejected, []);
  const e = events[0]!;
  assert.equal(e['@timestamp'], '2025-11-20T10:15:01.123Z');
  assertContains(e, {
    source: { ip: '2001:db8::7', geo: { country_iso_code: 'US' }, as: { number: 64496 } },
    http: { request: { id: 'RtReqId0001==', method: 'POST' }, response: { status_code: 403 } },
    event: { outcome: 'failure' },
    user_agent: { original: 'curl/8.5.0' },
    aws: { cloudfront: { ip_version: 'IPv6', edge_location: 'IAD89-C2' } },
  }, () => false);
  const short = parseText('aws.cloudfront', '1763633701.123\t192.0.2.1\t0.1', { options: { fields } });
  assert.match(short.rejected[0]!.reason, /expected 19 tab-separated fields per the --fields list \(19 fields\), got 3/);
});

test('v2 JSON lines (lower-case and Parquet-style keys) and W3C text with fewer fields', () => {
  const json = '{"date":"2026-11-20","time":"10:00:00","x-edge-location":"SEA19-C1","c-ip":"192.0.2.44","cs-method":"GET","cs(host)":"d1abcdexample.cloudfront.net","cs-uri-stem":"/","sc-status":"304","cs(user-agent)":"Mozilla/5.0","x-edge-request-id":"v2Id==","x-host-header":"app.example.com","x_edge_response_result_type":"RefreshHit"}';
  const a = parseText('aws.cloudfront', json);
  assert.deepEqual(a.rejected, []);
  assertContains(a.events[0]!, { destination: { domain: 'd1abcdexample.cloudfront.net' }, url: { domain: 'app.example.com' }, event: { action: 'RefreshHit', outcome: 'success' }, user_agent: { original: 'Mozilla/5.0' } }, () => false);
  const w3c = '#Version: 1.0\n#Fields: date time c-ip cs-method sc-status x-edge-request-id\n2026-11-20\t10:00:00\t192.0.2.45\tGET\t000\tw3cId==';
  const b = parseText('aws.cloudfront', w3c);
  assert.deepEqual(b.rejected, []);
  assert.equal(b.events[0]!.event!.outcome, 'failure');
  assert.match(String(b.events[0]!.event!.reason), /viewer closed/);
  assert.equal(getPath(b.events[0]!, 'http.response.status_code'), undefined);
});

test('bad records are rejected with a reason, never dropped', () => {
  const cases: [string, RegExp][] = [
    ['2026-11-20\t10:15:01\tFRA56-P3\t5120', /expected 33 tab-separated fields per the #Fields header \(33 fields\), got 4/],
    [LINE.replace('2026-11-20', '2026-13-45'), /bad date\/time '2026-13-45 10:15:01'/],
    [LINE.replace('198.51.100.7', 'not-an-ip'), /c-ip 'not-an-ip' is not an IP address/],
    [LINE.replace('\t200\t', '\tOK\t'), /sc-status 'OK' is not a 3-digit HTTP status/],
    [LINE.replace('\t5120\t', '\t5k\t'), /sc-bytes '5k' is not a whole number/],
    ['{"date": "2026-11-20", ', /invalid JSON/],
    ['#Fields:', /#Fields header lists no fields/],
  ];
  for (const [line, reason] of cases) {
    const r = parseText('aws.cloudfront', `${HEADER}\n${line}`);
    assert.equal(r.events.length, 0, line);
    assert.equal(r.rejected.length, 1, line);
    assert.match(r.rejected[0]!.reason, reason);
    assert.equal(r.rejected[0]!.line, 3);
  }
  const binary = parseText('aws.cloudfront', `${HEADER}\n\u0000\u0001\u0002PNG`);
  assert.match(binary.rejected[0]!.reason, /binary data/);
});

test('auto detection recognizes each CloudFront form', () => {
  assert.equal(detectFormat({ name: 'x.log', lines: HEADER.split('\n') }).format?.id, 'aws.cloudfront');
  assert.equal(detectFormat({ name: 'x.log', lines: [LINE] }).format?.id, 'aws.cloudfront');
  assert.equal(detectFormat({ name: '', lines: ['{"date":"2026-11-20","x-edge-location":"SEA19-C1"}'] }).format?.id, 'aws.cloudfront');
  assert.equal(detectFormat({ name: 'notes.txt', lines: ['hello world'] }).format, undefined);
});

test('found by fuzzing: counters beyond 2^53 are rejected, a time-taken beyond a long leaves event.duration unset (the store refused both)', () => {
  const port = parseText('aws.cloudfront', `${HEADER}\n${LINE.replace('\t50433\t', '\t100000000000000000000\t')}`);
  assert.match(port.rejected[0]!.reason, /c-port '100000000000000000000' is not a whole number \(0 to 9007199254740991\)/);
  const slow = parseText('aws.cloudfront', `${HEADER}\n${LINE.replace('\t0.120\t', '\t1e20\t')}`);
  assert.equal(slow.rejected.length, 0);
  assert.equal(slow.events[0]!.event?.duration, undefined);
  assert.equal(getPath(slow.events[0]!, 'aws.cloudfront.time_taken'), 1e20);
});
