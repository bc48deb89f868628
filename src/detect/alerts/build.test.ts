import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alertId, buildAlert } from './build.js';
import { Suppressor } from './suppress.js';
import type { RuleMeta } from '../types.js';
import type { EcsEvent } from '../../ecs/event.js';

const SIGMA_RULE: RuleMeta = {
  id: '5d1e2f4a-0000-4000-8000-000000000001',
  title: 'Suspicious web shell access',
  level: 'high',
  author: 'Florian Roth (Nextron Systems)',
  link: 'https://github.com/SigmaHQ/sigma/blob/master/rules/web/webserver_generic/web_shell.yml',
  license: 'DRL-1.1',
  references: ['https://example.org/report'],
  tags: ['attack.persistence', 'attack.t1505.003'],
  kind: 'sigma',
};

const ev = (id: string, ts: string): EcsEvent => ({ '@timestamp': ts, event: { id, kind: 'event' }, source: { ip: '198.51.100.1' } });

test('alert ids are deterministic in rule, key and events, and independent of key order', () => {
  const a = alertId('r1', { b: '2', a: '1' }, ['e1', 'e2']);
  assert.equal(a, alertId('r1', { a: '1', b: '2' }, ['e1', 'e2']));
  assert.notEqual(a, alertId('r2', { a: '1', b: '2' }, ['e1', 'e2']));
  assert.notEqual(a, alertId('r1', { a: '1', b: '3' }, ['e1', 'e2']));
  assert.notEqual(a, alertId('r1', { a: '1', b: '2' }, ['e1']));
  assert.match(a, /^[A-Za-z0-9_-]{22}$/);
  const events = [ev('e1', '2026-11-20T10:00:00Z')];
  assert.equal(buildAlert({ rule: SIGMA_RULE, events }, '2026-11-22T00:00:00Z').event.id, buildAlert({ rule: SIGMA_RULE, events }, '2026-11-23T00:00:00Z').event.id);
});

test('an alert is ECS-shaped and keeps the rule author, link and licence (DRL 1.1)', () => {
  const events = [ev('e1', '2026-11-20T10:00:00Z'), ev('e2', '2026-11-20T10:05:00Z')];
  const alert = buildAlert({ rule: SIGMA_RULE, events, key: { 'source.ip': '198.51.100.1' }, details: { count: 2 } }, '2026-11-22T00:00:00.000Z');
  assert.equal(alert['@timestamp'], '2026-11-20T10:05:00Z');
  assert.deepEqual(alert.event, {
    kind: 'alert', id: alertId(SIGMA_RULE.id, { 'source.ip': '198.51.100.1' }, ['e1', 'e2']), created: '2026-11-22T00:00:00.000Z',
    dataset: 'packettrail.alert', severity: 85, reference_ids: ['e1', 'e2'],
  });
  assert.equal(alert.rule.author, SIGMA_RULE.author);
  assert.equal(alert.rule.link, SIGMA_RULE.link);
  assert.equal(alert.rule.license, 'DRL-1.1');
  assert.deepEqual(alert.rule.tags, SIGMA_RULE.tags);
  assert.deepEqual(alert.events, events);
  assert.deepEqual(alert.key, { 'source.ip': '198.51.100.1' });
  assert.deepEqual(alert.details, { count: 2 });
  assert.equal(buildAlert({ rule: { ...SIGMA_RULE, level: 'critical' }, events }).event.severity, 99);
  assert.equal(buildAlert({ rule: { ...SIGMA_RULE, level: 'informational' }, events }).event.severity, 21);
  // An event without an id still gets a stable reference.
  const anon = { '@timestamp': '2026-11-20T10:00:00Z', message: 'x' };
  assert.deepEqual(buildAlert({ rule: SIGMA_RULE, events: [anon] }).event.reference_ids, buildAlert({ rule: SIGMA_RULE, events: [{ ...anon }] }).event.reference_ids);
});

test('duplicates within the window are suppressed, counted and carried on the kept alert', () => {
  const s = new Suppressor(10 * 60_000);
  const rule: RuleMeta = { id: 'r', title: 'r', level: 'low', kind: 'intel' };
  const at = (min: number, key = 'k1', id = `e${min}${key}`) => buildAlert({ rule, events: [ev(id, new Date(Date.UTC(2026, 10, 20, 10, min)).toISOString())], key: { k: key } });
  const released: string[] = [];
  const take = (alerts: ReturnType<typeof at>[]) => released.push(...alerts.map((a) => `${a.key!.k}@${a['@timestamp'].slice(11, 16)} suppressed=${a.details?.suppressed ?? 0}`));
  take(s.offer(at(0)));
  take(s.offer(at(3)));
  take(s.offer(at(9)));
  take(s.offer(at(5, 'k2')));
  take(s.offer(at(10))); // 10 minutes after the kept one: a new window
  take(s.offer(at(31, 'k3'))); // event time moves on: the first windows are released
  assert.deepEqual(released, ['k1@10:00 suppressed=2', 'k2@10:05 suppressed=0', 'k1@10:10 suppressed=0']);
  take(s.offer(at(1))); // late duplicate of a released window: still suppressed and counted
  take(s.drain());
  assert.deepEqual(released.slice(3), ['k3@10:31 suppressed=0']);
  assert.equal(s.suppressed, 3);
  assert.equal(s.perRule.get('r'), 3);
  // Window 0 turns suppression off.
  const off = new Suppressor(0);
  assert.equal(off.offer(at(0)).length + off.offer(at(0)).length + off.drain().length, 2);
});
