import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { parseText } from '../../testing/parse.js';
import { needsShared, sharedPath } from '../../testing/shared.js';
import { getPath, type EcsEvent } from '../../ecs/event.js';
import { detectFormat } from '../registry.js';

const DIR = ['testdata', 'elastic', 'aws', 'vpcflow'];
const skip = needsShared();

function read(name: string): string {
  return readFileSync(sharedPath(...DIR, name), 'utf8');
}

test('every Elastic vpcflow sample input parses with zero rejects and is auto-detected', { skip }, () => {
  const inputs = readdirSync(sharedPath(...DIR)).filter((f) => f.endsWith('.log'));
  assert.ok(inputs.length >= 7);
  for (const name of inputs) {
    const text = read(name);
    const r = parseText('aws.vpcflow', text, { source: name });
    assert.deepEqual(r.rejected, [], name);
    const dataLines = text.split('\n').filter((l) => l.trim() && !l.startsWith('version ')).length;
    assert.equal(r.events.length, dataLines, name);
    const detected = detectFormat({ name, lines: text.split('\n').slice(0, 20) });
    assert.equal(detected.format?.id, 'aws.vpcflow', name);
  }
});

// Core fields compared with Elastic's processed output (ECS values Elastic writes in other shapes,
// like the upper-case action, are compared in packettrail's convention: lower case).
const CORE_PATHS = [
  '@timestamp', 'source.ip', 'source.address', 'source.port', 'source.bytes', 'source.packets', 'destination.ip',
  'destination.address', 'destination.port', 'network.transport', 'network.iana_number', 'network.type', 'network.direction',
  'network.bytes', 'network.packets', 'network.community_id', 'event.start', 'event.end', 'event.outcome', 'event.reason',
  'event.category', 'event.type', 'event.kind', 'cloud.account.id', 'cloud.provider', 'related.ip', 'service.name',
  'orchestrator.cluster.id', 'orchestrator.cluster.name', 'orchestrator.resource.id', 'orchestrator.resource.name',
  'aws.vpcflow.account_id', 'aws.vpcflow.action', 'aws.vpcflow.log_status', 'aws.vpcflow.version',
  'aws.vpcflow.ecs_container_id', 'aws.vpcflow.ecs_second_container_id', 'aws.vpcflow.ecs_task_arn',
  'aws.vpcflow.ecs_task_definition_arn', 'aws.vpcflow.ecs_task_id',
];

function sameInstant(a: unknown, b: unknown): boolean {
  return typeof a === 'string' && typeof b === 'string' && Date.parse(a) === Date.parse(b);
}

function compareCore(actual: EcsEvent, expected: EcsEvent, paths: readonly string[]): void {
  for (const path of paths) {
    const want = getPath(expected, path);
    if (want === undefined) continue;
    const got = getPath(actual, path);
    if (path === '@timestamp' || path.startsWith('event.start') || path.startsWith('event.end')) {
      assert.ok(sameInstant(got, want), `${path}: ${String(got)} vs ${String(want)}`);
    } else assert.deepEqual(got, want, path);
  }
}

test('the v8 sample agrees with test-v8-samples.log-expected.json', { skip }, () => {
  const expected = (JSON.parse(read('test-v8-samples.log-expected.json')) as { expected: EcsEvent[] }).expected;
  const r = parseText('aws.vpcflow', read('test-v8-samples.log'), { original: true });
  assert.equal(r.events.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    const got = r.events[i]!;
    const want = expected[i]!;
    compareCore(got, want, CORE_PATHS);
    assert.equal(got.event?.action, String(getPath(want, 'event.action')).toLowerCase());
    assert.equal(got.event?.original, want.event?.original);
    assert.equal(getPath(got, 'aws.vpcflow.reject_reason'), 'BPA');
  }
});

test('the default-format sample agrees with sample_event.json', { skip }, () => {
  const want = JSON.parse(read('sample_event.json')) as EcsEvent;
  const r = parseText('aws.vpcflow', String(want.event?.original), { original: true });
  assert.equal(r.events.length, 1);
  const got = r.events[0]!;
  // This sample predates ECS 8 (category/type/outcome were single strings then): compare the rest.
  const paths = CORE_PATHS.filter((p) => !['event.category', 'event.type', 'event.outcome'].includes(p));
  compareCore(got, want, paths);
  assert.equal(getPath(got, 'aws.vpcflow.interface_id'), getPath(want, 'aws.vpcflow.interface_id'));
  assert.equal(getPath(got, 'observer.ingress.interface.name'), getPath(want, 'aws.vpcflow.interface_id'));
  assert.equal(got.event?.outcome, 'success');
  assert.equal(got.event?.action, 'accept');
});

test('Elastic samples: ECS task fields, v5 fields, TGW layout and the message wrapper', { skip }, () => {
  const ecs = parseText('aws.vpcflow', read('test-ecs-samples.log')).events;
  assert.equal(ecs.length, 10);
  assert.equal(getPath(ecs[0]!, 'orchestrator.cluster.name'), 'frontend-cluster');
  assert.equal(getPath(ecs[0]!, 'aws.vpcflow.ecs_task_id'), '6adbd0d6-211');
  assert.equal(getPath(ecs[0]!, 'network.direction'), 'ingress');

  const [v5] = parseText('aws.vpcflow', read('test-v5-all-fields.log')).events;
  assert.equal(getPath(v5!, 'aws.vpcflow.pkt_src_aws_service'), 'AMAZON');
  assert.equal(getPath(v5!, 'aws.vpcflow.pkt_dst_aws_service'), 'CLOUDFRONT');
  assert.equal(getPath(v5!, 'aws.vpcflow.traffic_path'), '1');
  assert.equal(getPath(v5!, 'aws.vpcflow.az_id'), 'use1-az5');
  assert.equal(getPath(v5!, 'cloud.region'), 'us-east-1');
  assert.equal(getPath(v5!, 'cloud.instance.id'), 'i-0axxxxxx1ad77');
  assert.deepEqual(getPath(v5!, 'aws.vpcflow.tcp_flags_array'), ['FIN']);

  const tgw = parseText('aws.vpcflow', read('test-tgw-samples.log')).events;
  assert.equal(tgw.length, 10);
  assert.equal(getPath(tgw[0]!, 'aws.vpcflow.tgw_id'), 'tgw-0a12bc34de56f7890');
  assert.equal(getPath(tgw[0]!, 'aws.vpcflow.tgw_attachment_id'), 'tgw-attach-0789ijkl');
  assert.equal(getPath(tgw[0]!, 'aws.vpcflow.log_status'), 'SKIPDATA');
  assert.equal(getPath(tgw[2]!, 'source.port'), 36721);
  assert.equal(getPath(tgw[2]!, 'destination.port'), 8080);
  assert.equal(getPath(tgw[2]!, 'cloud.service.name'), 'transitgateway');

  const [wrapped] = parseText('aws.vpcflow', read('test-with-message-field.log'), { original: true }).events;
  assert.equal(wrapped!.event?.action, 'no-data');
  assert.equal(getPath(wrapped!, 'observer.ingress.interface.name'), 'eni-0e0bf7be352692297');
  assert.equal(wrapped!.event?.original, '2 428961148399 eni-0e0bf7be352692297 - - - - - - - 1671029698 1671029728 - NODATA');
});
