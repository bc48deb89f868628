import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { EcsEvent } from '../../ecs/event.js';
import { openStore } from '../../store/open.js';
import { tempDir } from '../../testing/tmp.js';
import type { RuleEntry } from '../spec.js';
import { CorrelationPass } from './pass.js';
import { correlateEveryOf, CorrelationSchedule } from './schedule.js';
import { SharedDetectionTables } from './tables.js';

const rules = new Map<string, RuleEntry>([['r1', { meta: { id: 'r1', title: 'r1', level: 'high', kind: 'sigma' }, alert: true }]]);
const match = (i: number) => ({ ruleId: 'r1', event: { '@timestamp': new Date(Date.UTC(2026, 0, 1, i)).toISOString(), event: { id: `e${i}` }, source: { ip: `192.0.2.${i}` } } as unknown as EcsEvent });

test('the schedule runs passes one at a time, reports a failed one and goes on', async () => {
  const store = await openStore(join(tempDir('packettrail-schedule-'), 'db.duckdb'));
  try {
    await new SharedDetectionTables(store).storeMatches([0, 1, 2, 3, 4].map(match));
    let failNext = true;
    const flaky = Object.create(store) as typeof store;
    flaky.query = async (sql, params, bounds) => {
      if (failNext && sql.startsWith('SELECT rule_id, event_id, time')) {
        failNext = false;
        throw new Error('server went away (test)');
      }
      return store.query(sql, params, bounds);
    };
    const errors: string[] = [];
    const schedule = new CorrelationSchedule(new CorrelationPass(flaky, { rules }, { settleMs: 0 }), 20, { failed: (e) => errors.push(e.message) });
    const [a, b] = [schedule.runOnce(), schedule.runOnce()];
    assert.equal(a, b, 'a pass asked for while one runs is that one');
    await a;
    assert.deepEqual(errors, ['server went away (test)']);
    schedule.start();
    const deadline = Date.now() + 30_000;
    while (schedule.passes < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await schedule.stop();
    assert.ok(schedule.passes >= 2, `${schedule.passes} passes`);
    assert.equal(schedule.failures, 1);
    // Every match up to the newest is read (settle 0); the newest alert waits in suppression for its window.
    const stored = await store.query('SELECT count(*) FROM alerts');
    assert.equal(Number(stored.rows[0]![0]), 4);
  } finally {
    await store.close();
  }
});

test('--correlate-every takes whole seconds within bounds', () => {
  assert.equal(correlateEveryOf('30'), 30_000);
  for (const bad of ['0', '-1', '1.5', 'x', '86401']) assert.throws(() => correlateEveryOf(bad), /--correlate-every must be a whole number of seconds/);
});
