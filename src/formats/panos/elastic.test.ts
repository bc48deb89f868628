import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { parseText } from '../../testing/parse.js';
import { needsShared, sharedPath } from '../../testing/shared.js';
import { getPath, type EcsObject } from '../../ecs/event.js';

const DIR = ['testdata', 'elastic', 'panw', 'panos'];
const skip = needsShared();

/**
 * The tz offset Elastic's test applies: `_conf.tz_offset` of the sample's `-config.yml` (the excerpts
 * share their original's, `x.excerpt.log` → `x.log-config.yml`), else `event.timezone` of its
 * `-expected.json`, else UTC.
 */
function offsetFor(file: string): string {
  for (const name of [`${file}-config.yml`, `${file.replace('.excerpt.log', '.log')}-config.yml`]) {
    try {
      const yml = readFileSync(sharedPath(...DIR, name), 'utf8');
      const m = /tz_offset:\s*"?([^"\s]+)"?/.exec(yml);
      if (m) return m[1]!;
    } catch {
      /* no config for this sample */
    }
  }
  try {
    return JSON.parse(readFileSync(sharedPath(...DIR, `${file}-expected.json`), 'utf8')).expected[0].event.timezone ?? 'UTC';
  } catch {
    return 'UTC';
  }
}

const utc = (v: unknown) => new Date(v as string).toISOString();

test('every Elastic PAN-OS sample log parses without rejects', { skip }, () => {
  const logs = readdirSync(sharedPath(...DIR)).filter((f) => f.endsWith('.log'));
  assert.ok(logs.length >= 3);
  for (const file of logs) {
    const r = parseText('panw.panos', readFileSync(sharedPath(...DIR, file), 'utf8'), { options: { timezone: offsetFor(file) } });
    assert.deepEqual(r.rejected, [], file);
    assert.ok(r.events.length > 0, file);
    for (const e of r.events) {
      assert.equal(e.event?.dataset, 'panw.panos');
      assert.ok((e.source as EcsObject).ip && (e.destination as EcsObject).ip, file);
    }
  }
});

test('URL-without-XFF sample agrees with Elastic expected core fields', { skip }, () => {
  const file = 'test-panw-panos-threat-url-no-xff-sample.log';
  const expected = JSON.parse(readFileSync(sharedPath(...DIR, `${file}-expected.json`), 'utf8')).expected[0];
  // This sample has no -config.yml here; its expected output records the offset Elastic applied.
  const r = parseText('panw.panos', readFileSync(sharedPath(...DIR, file), 'utf8'), { options: { timezone: expected.event.timezone }, original: true });
  assert.equal(r.events.length, 1);
  const e = r.events[0]!;
  for (const path of [
    'source.ip', 'source.port', 'source.nat.ip', 'source.nat.port', 'destination.ip', 'destination.port',
    'destination.nat.ip', 'destination.nat.port', 'destination.domain', 'rule.name', 'network.application',
    'network.transport', 'network.direction', 'event.action', 'event.outcome', 'event.severity', 'event.original', 'log.level',
    'url.domain', 'url.original', 'url.path', 'observer.serial_number', 'observer.hostname', 'observer.ingress.zone',
    'observer.egress.interface.name', 'panw.panos.flow_id', 'panw.panos.threat.id', 'panw.panos.threat.name',
    'panw.panos.url.category', 'panw.panos.sub_type', 'panw.panos.type', 'panw.panos.action', 'panw.panos.sequence_number',
  ]) {
    assert.deepEqual(getPath(e, path), getPath(expected, path), path);
  }
  assert.deepEqual(e.event?.type, expected.event.type);
  for (const c of expected.event.category) assert.ok(e.event?.category?.includes(c), c);
  assert.equal(utc(e['@timestamp']), utc(expected['@timestamp']));
  assert.equal(e['@timestamp'], '2018-11-30T07:14:36Z');
  assert.equal(utc(e.event?.created), utc(expected.panw.panos.received_time));
  assert.equal(e.user, undefined);
});

test('sample_event.json core fields agree', { skip }, () => {
  const expected = JSON.parse(readFileSync(sharedPath(...DIR, 'sample_event.json'), 'utf8'));
  const r = parseText('panw.panos', expected.event.original, { options: { timezone: expected.event.timezone } });
  assert.deepEqual(r.rejected, []);
  const e = r.events[0]!;
  for (const path of [
    'source.ip', 'source.port', 'source.user.name', 'user.name', 'destination.ip', 'destination.port', 'destination.domain',
    'rule.name', 'network.application', 'network.transport', 'network.type', 'network.direction', 'event.action',
    'event.outcome', 'event.severity', 'log.level', 'url.domain', 'url.original', 'url.path', 'url.extension',
    'observer.serial_number', 'observer.vendor', 'observer.product', 'observer.type', 'observer.ingress.zone',
    'observer.ingress.interface.name', 'observer.egress.zone', 'observer.egress.interface.name', 'panw.panos.flow_id',
    'panw.panos.threat.id', 'panw.panos.threat.name', 'panw.panos.url.category', 'panw.panos.http_content_type',
    'panw.panos.log_profile', 'panw.panos.virtual_sys', 'panw.panos.repeat_count', 'panw.panos.action_flags',
  ]) {
    assert.deepEqual(getPath(e, path), getPath(expected, path), path);
  }
  assert.equal(utc(e['@timestamp']), utc(expected['@timestamp']));
  assert.equal(utc(e.event?.created), utc(expected.event.created));
  assert.deepEqual(e.event?.type, expected.event.type);
  // NAT 0.0.0.0 means untranslated; Elastic's related.ip keeps it, we do not.
  assert.deepEqual(e.related?.ip, ['192.168.0.2', '175.16.199.1']);
  assert.deepEqual(e.related?.user, ['crusher']);
});

test('Elastic incremental TRAFFIC sample (no syslog host, tz -02:00)', { skip }, () => {
  const doc = JSON.parse(readFileSync(sharedPath(...DIR, 'test-panw-panos-inc-traffic.json'), 'utf8')).events[0];
  const r = parseText('panw.panos', doc.message, { options: { timezone: doc.event.timezone } });
  assert.deepEqual(r.rejected, []);
  const e = r.events[0]!;
  assert.equal(e['@timestamp'], '2012-04-10T06:39:58Z');
  assert.equal(e.event?.start, '2012-04-10T06:39:59Z');
  assert.equal(e.event?.created, '2012-10-30T11:46:12Z');
  assert.equal(e.event?.duration, 0);
  for (const path of ['source.ip', 'source.user.name', 'destination.ip', 'network.application', 'network.transport', 'observer.serial_number', 'panw.panos.flow_id']) {
    assert.equal(String(getPath(e, path)), String(getPath(doc, path)), path);
  }
  assert.equal((e.source as EcsObject).port, 59324);
  assert.equal((e.source as EcsObject).bytes, 78);
  assert.equal(getPath(e, 'source.nat'), undefined);
});
