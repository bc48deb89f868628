import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { processChunk, type ChunkOutput } from '../pipeline/chunk.js';
import { Rng } from '../generate/random.js';
import { needsShared, SHARED_DIR } from '../testing/shared.js';

/**
 * Mutated real records: truncated, with characters inserted or cut, fields replaced by hostile values
 * (prototype names, 20-digit numbers, impossible dates, 70,000 characters, lone surrogates), JSON
 * values swapped for other types. Whatever the input, a parser must answer with events or dead
 * letters: never a throw, never an internal error, and every event valid NDJSON with its core fields.
 * Deterministic (seeded), a few seconds; it found a PAN-OS time that recursed without end.
 */

const SAMPLE_DIRS: [string, string][] = [
  ['aws/cloudfront_logs', 'aws.cloudfront'], ['aws/cloudtrail', 'aws.cloudtrail'], ['aws/elb_logs', 'aws.alb'],
  ['aws/route53_resolver_logs', 'aws.route53resolver'], ['aws/s3access', 'aws.s3access'], ['aws/vpcflow', 'aws.vpcflow'], ['aws/waf', 'aws.waf'],
  ['cisco_umbrella/log', 'cisco.umbrella'], ['m365_defender/event', 'microsoft.defender'], ['panw/panos', 'panw.panos'],
  ['zscaler_zia/dns', 'zscaler.zia'], ['zscaler_zia/firewall', 'zscaler.zia'], ['zscaler_zia/web', 'zscaler.zia'],
];
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const JWT = `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64({ iss: 'https://login.example/v2.0', aud: 'api://app', sub: 's1', upn: 'lee.cole@corp.example', exp: 1795172400, iat: 1795168800 })}.c2ln`;
/** Formats without Elastic samples: records written here. */
const INLINE: [string, string[]][] = [
  ['app.json', [
    JSON.stringify({ timestamp: '2026-11-20T10:00:00.250Z', method: 'GET', path: '/api/items', status: 200, latency_ms: 12, client_ip: '10.0.11.5', headers: { 'X-Forwarded-For': '198.51.100.7, 10.0.2.27', 'X-Amz-Cf-Id': 'SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==', Authorization: `Bearer ${JWT}` } }),
    JSON.stringify({ ts: 1795168800123, level: 'warn', req: { method: 'POST', url: '/login?next=%2F', headers: { 'user-agent': 'curl/8.5.0', 'x-amzn-trace-id': 'Root=1-67891233-abcdef012345678912345678' } }, res: { statusCode: 401 }, id_token: JWT }),
  ]],
  ['windows.event', [
    JSON.stringify({ Event: { System: { Provider: { '#attributes': { Name: 'Microsoft-Windows-Sysmon' } }, EventID: 3, TimeCreated: { '#attributes': { SystemTime: '2025-11-27T07:40:10.165324Z' } }, Channel: 'Microsoft-Windows-Sysmon/Operational', Computer: 'host1' }, EventData: { Image: 'C:\\Windows\\System32\\curl.exe', DestinationIp: '13.224.10.1', DestinationPort: 443, User: 'CORP\\lee.cole' } } }),
    JSON.stringify({ EventID: 4624, Channel: 'Security', TimeCreated: '2026-11-20T10:00:00Z', Computer: 'dc1.corp.example', LogonType: 3, TargetUserName: 'lee.cole', TargetDomainName: 'CORP', IpAddress: '10.20.1.15' }),
  ]],
];
const MUTATIONS_PER_FILE = 60;
const HOSTILE = [
  '', '-', '__proto__', 'constructor', 'toString', '99999999999999999999', '-1', 'NaN', '1e309', 'null', '2026-13-45T99:99:99Z',
  'A'.repeat(70_000), '::ffff:1.2.3.4', '1.2.3.4.5', '%00', '%ZZ', '"', '{"a":', '\u2028', '\ud800', '0x', '[]', '{}', 'true', '\t', '\\',
  '300.1.1.1', 'fe80::1%eth0', '9999-12-31T23:59:59Z', '0000-00-00T00:00:00Z', '-62135596800', 'Bearer a.b.c', 'eyJhbGciOiJub25lIn0.e30.',
];
const CHARS = ['\t', ',', ' ', '"', '\\', '{', '}', '[', ']', 'é', '😀', '%', '-', '\r', ':', '=', '\u0085'];

function mutateJson(rng: Rng, text: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  let node = value;
  for (let depth = 0; node && typeof node === 'object'; depth++) {
    const obj = node as Record<string, unknown>;
    const keys = Object.keys(obj);
    if (!keys.length) break;
    const key = rng.pick(keys);
    if (depth < 3 && obj[key] && typeof obj[key] === 'object' && rng.chance(0.6)) node = obj[key];
    else {
      obj[key] = rng.pick<unknown>([null, 0, -1, 1e308, true, 'x', [], {}, [1, 'a'], { a: 1 }, rng.pick(HOSTILE), 12345678901234567890]);
      break;
    }
  }
  return JSON.stringify(value);
}

function mutate(rng: Rng, s: string): string {
  const r = rng.next();
  const at = () => rng.int(0, Math.max(0, s.length - 1));
  if (r < 0.15) return s.slice(0, at());
  if (r < 0.3) {
    const i = at();
    return s.slice(0, i) + rng.pick(CHARS) + s.slice(i);
  }
  if (r < 0.4) {
    const i = at();
    return s.slice(0, i) + s.slice(i + 1 + rng.int(0, 20));
  }
  if (r < 0.75) {
    const delimiter = s.includes('\t') ? '\t' : s.includes(',') && !s.startsWith('{') ? ',' : ' ';
    const parts = s.split(delimiter);
    parts[rng.int(0, parts.length - 1)] = rng.pick(HOSTILE);
    return parts.join(delimiter);
  }
  return (s.trimStart().startsWith('{') ? mutateJson(rng, s) : undefined) ?? s + rng.pick(CHARS);
}

/** Problems in one chunk's result; empty when the parser answered soundly. */
function problems(format: string, input: string, output: ChunkOutput): string[] {
  let result;
  try {
    result = processChunk({ formatId: format, options: {}, source: 'fuzz', original: true, ingested: '2026-11-23T00:00:00.000Z', headers: [], text: input, firstLine: 1, document: false, output });
  } catch (e) {
    return [`threw: ${(e as Error).message}`];
  }
  const found = result.deadLetters.filter((d) => /internal error|parser failure/.test(d.reason)).map((d) => `internal error: ${d.reason}`);
  if (output === 'ndjson' && result.bytes) {
    for (const line of Buffer.from(result.bytes).toString('utf8').split('\n')) {
      if (!line) continue;
      try {
        const e = JSON.parse(line) as { '@timestamp'?: string; event?: { id?: string; dataset?: string } };
        if (Number.isNaN(Date.parse(e['@timestamp'] ?? '')) || !e.event?.id || e.event.dataset !== format) found.push(`event without its core fields: ${line.slice(0, 200)}`);
      } catch (err) {
        found.push(`invalid NDJSON (${(err as Error).message}): ${line.slice(0, 200)}`);
      }
    }
  }
  return found;
}

/** Mutates records of one sample `MUTATIONS_PER_FILE` times, three records per chunk, and collects the problems. */
function fuzz(rng: Rng, format: string, name: string, lines: string[], failures: string[]): number {
  const headers = lines.filter((l) => l.startsWith('#'));
  const records = lines.filter((l) => !l.startsWith('#'));
  let cases = 0;
  for (let i = 0; i < MUTATIONS_PER_FILE && records.length; i++) {
    const picked = Array.from({ length: 3 }, () => {
      let record = rng.pick(records);
      for (let n = rng.int(1, 4); n > 0; n--) record = mutate(rng, record);
      return record;
    });
    const input = [...headers, ...picked].join('\n');
    for (const output of ['ndjson', 'rows'] as const) {
      cases++;
      for (const p of problems(format, input, output)) failures.push(`${format} ${name} (${output}): ${p}\n  input: ${JSON.stringify(input.slice(0, 400))}`);
    }
  }
  return cases;
}

test('mutated records of app.json (JWTs) and windows.event become events or dead letters', () => {
  const rng = new Rng('robustness-inline');
  const failures: string[] = [];
  let cases = 0;
  for (const [format, lines] of INLINE) {
    assert.equal(problems(format, lines.join('\n'), 'ndjson').length, 0, `${format}: the unmutated records parse`);
    cases += fuzz(rng, format, 'inline', lines, failures);
  }
  assert.ok(cases >= 200, `${cases} cases`);
  assert.deepEqual(failures.slice(0, 5), []);
});

test('mutated real records become events or dead letters: no throw, no internal error, valid NDJSON', { skip: needsShared() }, () => {
  const rng = new Rng('robustness');
  const failures: string[] = [];
  let cases = 0;
  for (const [dir, format] of SAMPLE_DIRS) {
    const root = join(SHARED_DIR!, 'testdata/elastic', dir);
    for (const file of readdirSync(root).filter((f) => f.startsWith('test-') && !f.includes('expected') && !f.endsWith('.yml'))) {
      const lines = readFileSync(join(root, file), 'utf8').split('\n').filter((l) => l.length > 0);
      cases += fuzz(rng, format, file, lines, failures);
    }
  }
  assert.ok(cases > 1000, `${cases} cases`);
  assert.deepEqual(failures.slice(0, 5), []);
});
