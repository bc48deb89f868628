import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseText } from '../../testing/parse.js';
import { getPath, type EcsEvent } from '../../ecs/event.js';
import { detectFormat } from '../registry.js';

// Rows written from ../shared/reference/zscaler-umbrella-defender-variants.md §2 (column orders and
// the observed column counts per schema version).

const q = (...cells: string[]): string => cells.map((c) => `"${c}"`).join(',');

function one(text: string, source: string): EcsEvent {
  const r = parseText('cisco.umbrella', text, { source });
  assert.deepEqual(r.rejected, [], source);
  assert.equal(r.events.length, 1);
  return r.events[0]!;
}

// The proxy layout through column 21 (AMP score): the shortest row of any schema version.
const PROXY_21 = [
  '2024-05-01 10:20:30', 'LAPTOP-7', '10.1.2.3', '203.0.113.9', '198.51.100.7', 'application/octet-stream', 'BLOCKED',
  'https://dl.example.com/setup.exe', 'https://portal.example.com/', 'Mozilla/5.0', '403', '512', '2048', '1900',
  'a459e1374395119b8a5aa26cf97738c3864d3130e93c083fbab6da3fe1ad9175', 'Malware', 'Win.Trojan.X', '', 'MALICIOUS', 'Win.Trojan', '95',
];

test('proxy rows of every schema version: 21 columns (through AMP score) up to the 49 documented', () => {
  for (const source of ['s3://logs/proxylogs/2024-05-01/2024-05-01-10-20-a1b2.csv.gz', 'stdin', 'upload.csv']) {
    const e = one(q(...PROXY_21), source);
    assert.equal(getPath(e, 'umbrella.log_type'), 'proxy', source);
    assert.equal(getPath(e, 'url.domain'), 'dl.example.com');
    assert.equal(getPath(e, 'http.response.status_code'), 403);
    assert.equal(getPath(e, 'file.hash.sha256'), PROXY_21[14]);
    assert.equal(getPath(e, 'umbrella.amp.score'), '95');
    assert.equal(getPath(e, 'event.action'), 'blocked');
  }
  const v49 = [...PROXY_21, 'Roaming Computers', 'Malware', 'LAPTOP-7', 'Roaming Computers', 'GET', ...new Array<string>(22).fill(''), '2222222'];
  assert.equal(v49.length, 49);
  const e = one(q(...v49), 's3://logs/proxylogs/x.csv.gz');
  assert.equal(getPath(e, 'http.request.method'), 'GET');
  assert.equal(getPath(e, 'umbrella.organization_id'), '2222222');
  assert.equal(detectFormat({ name: 'stdin', lines: [q(...PROXY_21)] }).format?.id, 'cisco.umbrella');
});

test('a DNS row whose query type is Other is recognized without a dnslogs/ path', () => {
  const row = q('2024-05-01 10:20:30', 'LAPTOP-7', 'LAPTOP-7', '10.1.2.3', '203.0.113.9', 'Allowed', 'Other', 'NOERROR', 'svc.example.com.', 'Infrastructure');
  for (const source of ['stdin', '/var/tmp/export.csv', 's3://logs/dnslogs/2024-05-01/x.csv.gz']) {
    const e = one(row, source);
    assert.equal(getPath(e, 'umbrella.log_type'), 'dns', source);
    assert.equal(getPath(e, 'dns.question.name'), 'svc.example.com');
    assert.equal(getPath(e, 'dns.question.type'), undefined, 'Other names no record type');
    assert.equal(getPath(e, 'umbrella.query_type'), 'Other');
    assert.equal(getPath(e, 'dns.response_code'), 'NOERROR');
  }
  assert.equal(detectFormat({ name: 'stdin', lines: [row] }).format?.id, 'cisco.umbrella');
});
