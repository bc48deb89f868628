import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { EcsEvent } from '../../ecs/event.js';
import { openStore, type IndexableStore } from '../../store/open.js';
import { tempDir } from '../../testing/tmp.js';
import { MemoryAlertSink } from '../alerts/memory-sink.js';
import { createMatcher } from '../sigma/compile/matcher.js';
import { createCorrelator } from '../sigma/correlation/engine.js';
import { stageCorrelator } from '../sigma/engine.js';
import { loadRuleText } from '../sigma/rule/load.js';
import { TEST_MAPPINGS } from '../sigma/test-helpers.js';
import type { RuleEntry } from '../spec.js';
import { DetectionStage } from '../stage.js';
import type { Alert, Match } from '../types.js';
import { CorrelationPass } from './pass.js';
import { MATCHES_TABLE, SharedDetectionTables, STATE_TABLE } from './tables.js';

/** A base rule that alerts (suppression applies), one that only feeds correlations, and one correlation of each type. */
const RULES = `title: login
id: b-login
name: login
level: low
logsource: {category: test}
detection: {sel: {action: login}, condition: sel}
---
title: sudo
id: b-sudo
name: sudo
level: informational
logsource: {category: test}
detection: {sel: {action: sudo}, condition: sel}
---
title: failed login
id: b-fail
level: medium
logsource: {category: test}
detection: {sel: {action: fail}, condition: sel}
---
title: login burst
id: c-count
level: high
correlation: {type: event_count, rules: [login], group-by: [host], timespan: 10m, condition: {gte: 3}}
---
title: many users
id: c-users
level: high
correlation: {type: value_count, rules: [login], group-by: [host], timespan: 30m, condition: {field: user, gte: 3}}
---
title: login and sudo
id: c-temporal
level: medium
correlation: {type: temporal, rules: [login, sudo], group-by: [host], timespan: 15m}
---
title: login then sudo
id: c-ordered
level: critical
correlation: {type: temporal_ordered, rules: [sudo, login], group-by: [host], timespan: 20m}
---
title: quiet host
id: c-few
level: low
correlation: {type: event_count, rules: [sudo], group-by: [host], timespan: 1h, condition: {lte: 6}}
`;

const rs = loadRuleText(RULES);
assert.deepEqual(rs.errors, []);
const matcher = createMatcher(rs, undefined, { mappings: TEST_MAPPINGS });
const rules = new Map<string, RuleEntry>([...rs.rules, ...rs.correlations].map((r) => [r.ruleId, { meta: r.meta, alert: r.alert }]));
const detection = { rules, createCorrelator: () => stageCorrelator(createCorrelator(rs, { mappings: TEST_MAPPINGS, now: () => new Date(0) })) };

const T0 = Date.parse('2026-03-01T00:00:00Z');
/** Six hours of logins and sudos over five hosts and a handful of users, some seconds apart (a fixed pseudo-random walk). */
function scenario(): EcsEvent[] {
  const events: EcsEvent[] = [];
  let x = 7;
  const next = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  let t = T0;
  for (let i = 0; i < 900; i++) {
    t += Math.floor(next() * 50_000);
    const host = `h${Math.floor(next() * 5)}`;
    const r = next();
    const action = r < 0.6 ? 'login' : r < 0.85 ? 'sudo' : 'fail';
    events.push({ '@timestamp': new Date(t).toISOString(), event: { dataset: 'test', id: `ev-${i}` }, host, action, user: `u${Math.floor(next() * 4)}` } as unknown as EcsEvent);
  }
  return events;
}

const matchesOf = (events: readonly EcsEvent[]): Match[] => events.flatMap((e) => matcher.match(e));
const timeOf = (m: Match) => Date.parse(m.event['@timestamp'] as string);
/** The pass's reading order. */
const byTime = (a: Match, b: Match) => timeOf(a) - timeOf(b) || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0) || (a.event.event!.id! < b.event.event!.id! ? -1 : 1);

/** Alerts as the comparison sees them: id, rule, key, events, suppressed count. */
const shape = (a: { id: string; rule: string; key: unknown; ids: string[]; suppressed: unknown }) => `${a.rule} ${JSON.stringify(a.key)} ${a.ids.join(',')} suppressed=${String(a.suppressed ?? 0)} ${a.id}`;

async function reference(matches: Match[]): Promise<string[]> {
  const sink = new MemoryAlertSink();
  const stage = new DetectionStage(rules, [sink], detection);
  await stage.onMatches([...matches].sort(byTime));
  await stage.finish();
  return sink.alerts.map((a: Alert) => shape({ id: a.event.id, rule: a.rule.id, key: a.key ?? {}, ids: a.event.reference_ids, suppressed: a.details?.suppressed })).sort();
}

async function storedAlerts(store: IndexableStore): Promise<string[]> {
  const r = await store.query(`SELECT id, rule_id, CAST(key AS VARCHAR), event_ids, CAST(details AS VARCHAR) FROM alerts`);
  return r.rows.map(([id, rule, key, ids, details]) => shape({ id: String(id), rule: String(rule), key: JSON.parse(String(key)), ids: (ids as string[]).map(String), suppressed: (JSON.parse(String(details)) as Record<string, unknown>).suppressed })).sort();
}

const dir = tempDir('packettrail-pass-');
const stores: IndexableStore[] = [];
after(async () => {
  for (const s of stores) await s.close();
});
async function freshStore(name: string): Promise<IndexableStore> {
  const s = await openStore(join(dir, `${name}.duckdb`));
  stores.push(s);
  return s;
}

/** Two "workers" store the matches of alternate chunks, through the stage's shared mode. */
async function storeFromTwoWorkers(store: IndexableStore, matches: Match[]): Promise<void> {
  const workers = [0, 1].map(() => new DetectionStage(rules, [], { matchStore: new SharedDetectionTables(store) }));
  for (let i = 0; i < matches.length; i += 37) await workers[(i / 37) % 2]!.onMatches(matches.slice(i, i + 37));
}

const events = scenario();
const all = matchesOf(events);

test('the reference raises alerts of every correlation type and suppresses duplicates', async () => {
  const ref = await reference(all);
  for (const rule of ['b-fail', 'c-count', 'c-users', 'c-temporal', 'c-ordered', 'c-few']) assert.ok(ref.some((a) => a.startsWith(`${rule} `)), `an alert of ${rule}`);
  assert.ok(ref.some((a) => !a.includes('suppressed=0')), 'some alert suppressed duplicates');
});

test('passes every so often while matches arrive, then a final one: the alerts of one process, each stored once', async () => {
  const store = await freshStore('live');
  const sorted = [...all].sort(byTime);
  const pass = new CorrelationPass(store, detection, { settleMs: 20 * 60_000, now: () => Number.MAX_SAFE_INTEGER });
  // Matches arrive in slices of event time; within a slice, out of order across the two workers.
  const slice = 40;
  let passes = 0;
  for (let i = 0; i < sorted.length; i += slice) {
    await storeFromTwoWorkers(store, sorted.slice(i, i + slice).reverse());
    const o = await pass.run();
    if (o.matches) passes++;
  }
  assert.ok(passes > 5, `${passes} passes read matches`);
  const before = await storedAlerts(store);
  assert.ok(before.length > 0, 'passes that are not final store alerts already');
  const last = await pass.run(true);
  assert.equal(last.final, true);
  assert.deepEqual(await storedAlerts(store), await reference(all));
  // The same matches stored again (a redelivery) change nothing.
  await storeFromTwoWorkers(store, all);
  const rows = await store.query(`SELECT count(*) FROM ${MATCHES_TABLE}`);
  assert.equal(Number(rows.rows[0]![0]), all.length);
});

test('a pass that fails after storing alerts but before its state is saved: the next one raises the same alerts again, stored once', async () => {
  const store = await freshStore('restart');
  const sorted = [...all].sort(byTime);
  let failSave = false;
  const flaky: IndexableStore = Object.create(store) as IndexableStore;
  flaky.query = async (sql, params, bounds) => {
    if (failSave && sql.startsWith(`INSERT INTO ${STATE_TABLE}`)) throw new Error('connection reset (test)');
    return store.query(sql, params, bounds);
  };
  const clock = { now: T0 };
  const pass = new CorrelationPass(flaky, detection, { settleMs: 15 * 60_000, now: () => clock.now });
  await storeFromTwoWorkers(store, sorted.slice(0, 300));
  clock.now = T0 + 24 * 3_600_000;
  await pass.run();
  failSave = true;
  await storeFromTwoWorkers(store, sorted.slice(300, 600));
  await assert.rejects(pass.run(), /connection reset/);
  failSave = false;
  const again = await pass.run();
  assert.ok(again.duplicates > 0, `the repeated pass finds its alerts stored (${again.duplicates})`);
  // A new process (a restart) carries on from the saved state.
  const restarted = new CorrelationPass(store, detection, { settleMs: 15 * 60_000, now: () => clock.now });
  await storeFromTwoWorkers(store, sorted.slice(600));
  await restarted.run();
  await restarted.run(true);
  assert.deepEqual(await storedAlerts(store), await reference(all));
});

test('copies of a match stored by two processes at once are read once', async () => {
  const store = await freshStore('copies');
  const tables = new SharedDetectionTables(store);
  const some = all.slice(0, 20);
  await tables.storeMatches(some);
  // What a race leaves: the same rows inserted again past the check.
  await store.query(`INSERT INTO ${MATCHES_TABLE} SELECT * FROM ${MATCHES_TABLE}`);
  const read = await tables.readMatches({ time: Number.MIN_SAFE_INTEGER, ruleId: '', eventId: '' }, Number.MAX_SAFE_INTEGER);
  assert.equal(read.length, 20);
  assert.deepEqual(read.map((m) => m.match.event.event?.id), [...some].sort(byTime).map((m) => m.event.event?.id));
});

test('a match without an event id or a time is counted, not stored', async () => {
  const store = await freshStore('unusable');
  const stage = new DetectionStage(rules, [], { matchStore: new SharedDetectionTables(store) });
  await stage.onMatches([{ ruleId: 'b-login', event: { event: { dataset: 'test' }, action: 'login' } as unknown as EcsEvent }]);
  assert.equal(stage.unstorableMatches, 1);
});

test('a pass before any match has settled saves its place, and the next one reports from the start', async () => {
  const store = await freshStore('early');
  const sorted = [...all].sort(byTime);
  await storeFromTwoWorkers(store, sorted.slice(0, 50));
  const newest = timeOf(sorted[49]!);
  // The clock just past the first match: nothing has settled 15 minutes behind it yet, the pass still runs and saves.
  const pass = new CorrelationPass(store, detection, { settleMs: 15 * 60_000, now: () => timeOf(sorted[0]!) + 60_000 });
  const first = await pass.run();
  assert.equal(first.matches, 0);
  assert.ok(first.until! < newest);
  const later = new CorrelationPass(store, detection, { settleMs: 0 });
  const second = await later.run();
  assert.equal(second.from, undefined, 'no match read before: the pass reads from the start');
  assert.equal(second.matches, 50);
});

