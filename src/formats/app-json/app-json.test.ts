import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseText } from '../../testing/parse.js';
import type { EcsEvent } from '../../ecs/event.js';
import { MAX_TOKEN_CHARS } from './jwt.js';
import { tempDir } from '../../testing/tmp.js';

const F = 'app.json';

function get(e: EcsEvent | undefined, path: string): unknown {
  let cur: unknown = e;
  for (const p of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

function one(record: unknown, opts: Parameters<typeof parseText>[2] = {}): EcsEvent {
  const r = parseText(F, typeof record === 'string' ? record : JSON.stringify(record), opts);
  assert.deepEqual(r.rejected, [], JSON.stringify(r.rejected));
  assert.equal(r.events.length, 1);
  return r.events[0]!;
}

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const jwt = (claims: Record<string, unknown>, header: Record<string, unknown> = { alg: 'RS256', typ: 'JWT' }, signature = 'c2lnbmF0dXJlLWJ5dGVz') =>
  `${b64(header)}.${b64(claims)}.${signature}`;
// 2026-11-20T10:00:00Z
const T = 1795168800;
const CLAIMS = {
  iss: 'https://login.microsoftonline.com/tid-1/v2.0', aud: 'api://packettrail-app', sub: 'sub-1', oid: '4ee9dcb0-735b-442e-945c-177c665efe6b', tid: 'tid-1',
  preferred_username: 'Lee.Cole@corp.example', email: 'lee.cole@corp.example', name: 'Lee Cole', azp: 'spa-client', scp: 'Items.Read Items.Write',
  roles: ['Reader'], amr: ['pwd', 'mfa'], iat: T - 600, exp: T + 3000,
};

test('defaults: a flat request log', () => {
  const e = one({
    timestamp: '2026-11-20T10:00:00.250Z', level: 'INFO', method: 'post', path: '/api/items', query: 'a=1', status: 201, latency_ms: 35.5,
    client_ip: '198.51.100.23', user_agent: 'Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0', user: 'CORP\\lee.cole', message: 'created',
  });
  assert.equal(e['@timestamp'], '2026-11-20T10:00:00.250Z');
  assert.equal(get(e, 'log.level'), 'info');
  assert.equal(get(e, 'http.request.method'), 'POST');
  assert.equal(get(e, 'url.path'), '/api/items');
  assert.equal(get(e, 'url.query'), 'a=1');
  assert.equal(get(e, 'http.response.status_code'), 201);
  assert.equal(get(e, 'event.outcome'), 'success');
  assert.equal(get(e, 'event.duration'), 35_500_000);
  assert.equal(get(e, 'client.ip'), '198.51.100.23');
  assert.equal(get(e, 'source.ip'), '198.51.100.23');
  assert.equal(get(e, 'user_agent.name'), 'Firefox');
  assert.equal(get(e, 'user.name'), 'lee.cole');
  assert.equal(get(e, 'user.domain'), 'corp');
  assert.equal(get(e, 'message'), 'created');
  assert.equal(get(e, 'event.dataset'), F);
});

test('timestamps: epoch seconds (zap), milliseconds (pino) and numeric strings', () => {
  assert.equal(one({ ts: 1795168800.5, msg: 'x' })['@timestamp'], '2026-11-20T10:00:00.500Z');
  assert.equal(one({ time: 1795168800123, level: 30 })['@timestamp'], '2026-11-20T10:00:00.123Z');
  assert.equal(one({ '@timestamp': '1795168800' })['@timestamp'], '2026-11-20T10:00:00Z');
  assert.equal(get(one({ time: 1795168800123, level: 50 }), 'log.level'), 'error');
});

test('durations: unit from the key, from the text, or the default (ms)', () => {
  assert.equal(get(one({ ts: T, duration: '1.5s' }), 'event.duration'), 1_500_000_000);
  assert.equal(get(one({ ts: T, latency: '250µs' }), 'event.duration'), 250_000);
  assert.equal(get(one({ ts: T, request_time: 0.042 }), 'event.duration'), 42_000_000);
  assert.equal(get(one({ ts: T, responseTime: 12 }), 'event.duration'), 12_000_000);
});

test('nested headers of any case: X-Forwarded-For chain, X-Amz-Cf-Id join key, X-Amzn-Trace-Id, traceparent', () => {
  const e = one({
    time: '2026-11-20T10:00:00Z',
    request: {
      method: 'GET', url: '/app?x=1', remote_addr: '130.176.1.1',
      headers: {
        HOST: 'App.Example.com', 'X-FORWARDED-FOR': ['203.0.113.9', '10.0.0.1'], 'x-amz-cf-id': 'SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==',
        'X-Amzn-Trace-Id': 'Root=1-67891233-abcdef012345678912345678;Parent=53995c3f42cd8ad8;Sampled=1',
        Traceparent: '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01', 'X-Request-ID': 'req-77', 'X-Forwarded-Proto': 'https',
      },
    },
    response: { status: 503 },
  });
  assert.equal(get(e, 'http.request.id'), 'SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==');
  assert.equal(get(e, 'app.request_id'), 'req-77');
  assert.equal(get(e, 'trace.id'), '67891233abcdef012345678912345678');
  assert.equal(get(e, 'app.trace_header'), 'Root=1-67891233-abcdef012345678912345678;Parent=53995c3f42cd8ad8;Sampled=1');
  assert.equal(get(e, 'app.traceparent'), '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
  assert.equal(get(e, 'client.ip'), '203.0.113.9');
  assert.equal(get(e, 'source.ip'), '203.0.113.9');
  assert.equal(get(e, 'network.forwarded_ip'), '203.0.113.9');
  assert.deepEqual(get(e, 'app.forwarded_for'), ['203.0.113.9', '10.0.0.1']);
  assert.equal(get(e, 'app.peer_ip'), '130.176.1.1');
  assert.deepEqual(get(e, 'related.ip'), ['203.0.113.9', '10.0.0.1', '130.176.1.1']);
  assert.equal(get(e, 'url.full'), 'https://app.example.com/app?x=1');
  assert.equal(get(e, 'http.response.status_code'), 503);
  assert.equal(get(e, 'event.outcome'), 'failure');
});

test('request ids and trace ids without CloudFront or ALB headers', () => {
  const e = one({ ts: T, headers: { 'x-request-id': 'abc-123', traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }, remote_addr: '10.1.2.3', remote_port: 5555 });
  assert.equal(get(e, 'http.request.id'), 'abc-123');
  assert.equal(get(e, 'trace.id'), '4bf92f3577b34da6a3ce929d0e0e4736');
  assert.equal(get(e, 'span.id'), '00f067aa0ba902b7');
  assert.equal(get(e, 'source.ip'), '10.1.2.3');
  assert.equal(get(e, 'source.port'), 5555);
});

test('a bare X-Amzn-Trace-Id root (1-…-…) gives the same trace.id as ALB', () => {
  const e = one({ ts: T, amzn_trace_id: '1-67891233-abcdef012345678912345678' });
  assert.equal(get(e, 'trace.id'), '67891233abcdef012345678912345678');
  assert.equal(get(one({ ts: T, headers: { 'x-amzn-trace-id': 'Self=1-11111111-222222222222222222222222;Root=1-67891233-abcdef012345678912345678' } }), 'trace.id'), '67891233abcdef012345678912345678');
});

test('fields no mapping reads are kept under app.extra', () => {
  const e = one({ ts: T, order_id: 991, cart: { items: 3 } });
  assert.deepEqual(get(e, 'app.extra'), { order_id: 991, 'cart.items': 3 });
});

function mappingFile(name: string, content: string): string {
  const dir = tempDir('pt-app-json-');
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

test('a custom mapping file (YAML) overrides candidate keys, header containers and the duration unit', () => {
  const mapping = mappingFile('mapping.yaml', ['fields:', '  timestamp: when', '  status: [outcome.code]', '  duration: [took]', '  cf_id: ["header:X-Edge-Id"]', 'headers: [hdrs]', 'duration_unit: s', ''].join('\n'));
  const e = one({ when: '2026-11-20T10:00:00Z', outcome: { code: 404 }, took: 0.25, hdrs: { 'X-Edge-Id': 'edge-1' }, status: 200 }, { options: { mapping } });
  assert.equal(get(e, 'http.response.status_code'), 404);
  assert.equal(get(e, 'event.duration'), 250_000_000);
  assert.equal(get(e, 'http.request.id'), 'edge-1');
  assert.deepEqual(get(e, 'app.extra'), { status: 200 });
});

test('a custom mapping file (JSON)', () => {
  const mapping = mappingFile('mapping.json', JSON.stringify({ fields: { user: ['actor.login'], client_ip: 'src' } }));
  const e = one({ ts: T, actor: { login: 'lee.cole@corp.example' }, src: '192.0.2.1' }, { options: { mapping } });
  assert.equal(get(e, 'user.email'), 'lee.cole@corp.example');
  assert.equal(get(e, 'client.ip'), '192.0.2.1');
});

test('an invalid mapping file rejects every record with the reason (nothing is lost silently)', () => {
  const cases: [string, RegExp][] = [
    [mappingFile('bad.yaml', 'fields:\n  colour: [x]\n'), /unknown field "colour"/],
    [mappingFile('bad2.yaml', 'fields: [a, b]\n'), /"fields" must map/],
    [mappingFile('bad3.json', '{"fields": {'), /not valid JSON or YAML/],
    [mappingFile('bad4.yaml', 'duration_unit: minutes\n'), /duration_unit/],
    [join(tmpdir(), 'does-not-exist-pt.yaml'), /cannot read mapping file/],
  ];
  for (const [mapping, reason] of cases) {
    const r = parseText(F, `{"ts":${T}}\n{"ts":${T}}`, { options: { mapping } });
    assert.equal(r.events.length, 0);
    assert.equal(r.rejected.length, 2);
    for (const d of r.rejected) assert.match(d.reason, reason);
  }
});

test('JWT in an Authorization header: claims decoded into user.* and app.jwt.*, token stored nowhere', () => {
  const token = jwt(CLAIMS);
  const line = JSON.stringify({ ts: T, headers: { Authorization: `Bearer ${token}` }, path: `/cb`, note: `echo ${token}` });
  const e = one(line, { original: true });
  assert.equal(get(e, 'user.name'), 'lee.cole');
  assert.equal(get(e, 'user.email'), 'lee.cole@corp.example');
  assert.equal(get(e, 'user.id'), '4ee9dcb0-735b-442e-945c-177c665efe6b');
  assert.equal(get(e, 'user.full_name'), 'Lee Cole');
  assert.equal(get(e, 'app.jwt.iss'), 'https://login.microsoftonline.com/tid-1/v2.0');
  assert.deepEqual(get(e, 'app.jwt.aud'), ['api://packettrail-app']);
  assert.equal(get(e, 'app.jwt.oid'), '4ee9dcb0-735b-442e-945c-177c665efe6b');
  assert.equal(get(e, 'app.jwt.tid'), 'tid-1');
  assert.equal(get(e, 'app.jwt.azp'), 'spa-client');
  assert.deepEqual(get(e, 'app.jwt.scp'), ['Items.Read', 'Items.Write']);
  assert.deepEqual(get(e, 'app.jwt.roles'), ['Reader']);
  assert.deepEqual(get(e, 'app.jwt.amr'), ['pwd', 'mfa']);
  assert.equal(get(e, 'app.jwt.exp'), '2026-11-20T10:50:00Z');
  assert.equal(get(e, 'app.jwt.alg'), 'RS256');
  assert.deepEqual(get(e, 'app.jwt.flags'), []);
  assert.match(String(get(e, 'app.jwt.sha256')), /^[0-9a-f]{64}$/);
  const json = JSON.stringify(e);
  for (const part of token.split('.')) assert.ok(!json.includes(part), 'no part of the token survives');
  assert.match(String(get(e, 'event.original')), /"Bearer \[redacted jwt sha256:[0-9a-f]{64}\]"/);
  assert.match(String(get(e, 'app.extra.note')), /^echo \[redacted jwt sha256:/);
});

test('tokens under token keys, inside URLs and in any string value are redacted', () => {
  const idToken = jwt({ ...CLAIMS, upn: 'lee.cole@corp.example' });
  const access = jwt({ ...CLAIMS, sub: 'other' });
  const line = JSON.stringify({ ts: T, url: `https://app.example.com/cb?access_token=${access}&state=1`, id_token: idToken, token: 'opaque-refresh-credential-123456' });
  const e = one(line, { original: true });
  const json = JSON.stringify(e);
  for (const t of [idToken, access, 'opaque-refresh-credential-123456']) assert.ok(!json.includes(t));
  assert.equal(get(e, 'app.jwt_count'), 3);
  // URL parsing percent-encodes the marker's spaces.
  assert.match(String(get(e, 'url.query')), /^access_token=\[redacted(%20| )jwt(%20| )sha256:[0-9a-f]{64}\]&state=1$/);
});

test('expiry is judged against the event time, not the clock', () => {
  const old = jwt({ ...CLAIMS, iat: 1_600_000_000, exp: 1_600_003_600 });
  const live = one({ time: '2020-09-13T12:30:00Z', headers: { authorization: `Bearer ${old}` } });
  assert.deepEqual(get(live, 'app.jwt.flags'), []);
  const expired = one({ time: '2020-09-13T14:00:00Z', headers: { authorization: `Bearer ${old}` } });
  assert.deepEqual(get(expired, 'app.jwt.flags'), ['expired']);
  assert.deepEqual(get(expired, 'tags'), ['jwt_expired']);
});

test('alg none and unsigned tokens are flagged', () => {
  const none = jwt(CLAIMS, { alg: 'none' }, '');
  const e = one({ ts: T, access_token: none }, { original: true });
  assert.deepEqual(get(e, 'app.jwt.flags'), ['alg_none', 'unsigned']);
  assert.equal(get(e, 'app.jwt.source'), 'access_token');
  assert.ok(!JSON.stringify(e).includes(none));
});

test('malformed, encrypted and opaque tokens: app.jwt.error, still hashed and redacted', () => {
  const cases: [string, string, RegExp][] = [
    ['Bearer abc.def', 'malformed', /expected 3 dot-separated parts/],
    [`Bearer eyJub3QganNvbg.${b64(CLAIMS)}.sig`, 'malformed', /header is not base64url-encoded JSON/],
    [`Bearer ${b64({ alg: 'RS256' })}.bm90IGpzb24.sig`, 'malformed', /payload is not/],
    [`Bearer ${b64({ alg: 'RSA-OAEP', enc: 'A256GCM' })}.key.iv.cipher.tag`, 'encrypted', /JWE/],
    ['Bearer 2YotnFZFEjr1zCsicMWpAA', 'malformed', /opaque/],
  ];
  for (const [header, flag, error] of cases) {
    const e = one({ ts: T, headers: { Authorization: header } }, { original: true });
    assert.deepEqual(get(e, 'app.jwt.flags'), [flag], header);
    assert.match(String(get(e, 'app.jwt.error')), error);
    assert.match(String(get(e, 'app.jwt.sha256')), /^[0-9a-f]{64}$/);
    assert.ok(!JSON.stringify(e).includes(header.slice(7)), header);
  }
});

test('oversized tokens are flagged and not decoded', () => {
  const huge = jwt({ ...CLAIMS, groups: Array.from({ length: 2000 }, (_, i) => `group-${i}-xxxxxxxx`) });
  assert.ok(huge.length > MAX_TOKEN_CHARS);
  const e = one({ ts: T, headers: { authorization: `Bearer ${huge}` } }, { original: true });
  assert.deepEqual(get(e, 'app.jwt.flags'), ['oversized']);
  assert.equal(get(e, 'app.jwt.iss'), undefined);
  assert.equal(get(e, 'user'), undefined);
  assert.ok(!JSON.stringify(e).includes(huge.slice(0, 200)));
});

test('the app\'s own user field wins over token claims', () => {
  const e = one({ ts: T, user: 'svc-batch', headers: { authorization: `Bearer ${jwt(CLAIMS)}` } });
  assert.equal(get(e, 'user.name'), 'svc-batch');
  assert.equal(get(e, 'user.id'), '4ee9dcb0-735b-442e-945c-177c665efe6b');
});

test('rejections: no timestamp, bad timestamp, not JSON, not an object', () => {
  const r = parseText(F, ['{"msg":"no time"}', '{"ts":"yesterday"}', 'plain text', '[1,2]', '{"ts":'].join('\n'));
  assert.equal(r.events.length, 0);
  assert.match(r.rejected[0]!.reason, /no timestamp \(looked for timestamp, time/);
  assert.match(r.rejected[1]!.reason, /ts "yesterday" is not an ISO 8601 time or Unix epoch/);
  assert.match(r.rejected[2]!.reason, /one JSON object per line/);
  assert.match(r.rejected[3]!.reason, /one JSON object per line/);
  assert.match(r.rejected[4]!.reason, /invalid JSON/);
});

test('a rejected record keeps no token in its dead letter', () => {
  const token = ['eyJhbGciOiJIUzI1NiJ9', 'eyJzdWIiOiJsZWUuY29sZSJ9', 'c2lnbmF0dXJlLWJ5dGVz'].join('.');
  const broken = `{"path": "/api", "headers": {"authorization": "Bearer ${token}"`;
  const r = parseText('app.json', broken);
  assert.equal(r.rejected.length, 1);
  assert.ok(!r.rejected[0]!.record.includes(token), 'token not in the dead-letter record');
  assert.ok(!r.rejected[0]!.reason.includes(token), 'token not in the reason');
  assert.match(r.rejected[0]!.record, /\[redacted jwt sha256:[0-9a-f]{64}\]/);
});

test('found by fuzzing: a field nested 10^5 deep is rejected (writing the event overflowed the stack), a duration beyond a long is left unset', () => {
  const deep = parseText(F, `{"timestamp":"2026-11-20T10:00:00Z","x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
  assert.deepEqual(deep.rejected.map((d) => d.reason), ['JSON nested deeper than 100 levels']);
  assert.equal(one({ timestamp: '2026-11-20T10:00:00Z', latency_ms: 12 }).event?.duration, 12_000_000);
  assert.equal(one({ timestamp: '2026-11-20T10:00:00Z', latency_ms: 8640000000000001 }).event?.duration, undefined);
  assert.equal(one({ timestamp: '2026-11-20T10:00:00Z', latency_ms: 1e308 }).event?.duration, undefined);
});

test('found by fuzzing: a top-level "__proto__" field is kept among the leftovers instead of vanishing', () => {
  const e = one({ timestamp: '2026-11-20T10:00:00Z', x: 1, ['__proto__']: 'kept' }, {});
  assert.equal(JSON.stringify(get(e, 'app.extra')), '{"x":1,"__proto__":"kept"}');
});
