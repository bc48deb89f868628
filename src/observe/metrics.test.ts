import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePrometheusText, valueOf } from '../testing/prometheus-text.js';
import { escapeHelp, escapeLabelValue, formatValue } from './exposition.js';
import { MAX_SERIES_PER_FAMILY, MetricsRegistry } from './metrics.js';

test('label values escape backslash, double quote and line feed, and nothing else; HELP escapes backslash and line feed', () => {
  assert.equal(escapeLabelValue('a\\b"c\nd\te'), 'a\\\\b\\"c\\nd\te');
  assert.equal(escapeHelp('x\\y\nz "q"'), 'x\\\\y\\nz "q"');
  assert.equal(formatValue(Infinity), '+Inf');
  assert.equal(formatValue(-Infinity), '-Inf');
  assert.equal(formatValue(NaN), 'NaN');
  assert.equal(formatValue(1.5e-7), '1.5e-7');
});

test('a hostile label value and help text round-trip through a strict reader of the format', () => {
  const r = new MetricsRegistry();
  const hostile = 'in"put\\ne\nw}{,=\u202e';
  const c = r.counter('packettrail_input_events_total', 'Events\\ of "inputs"\nsecond line', ['input']);
  c.inc({ input: hostile }, 3);
  c.inc({ input: 'plain' });
  const text = r.render();
  assert.ok(text.endsWith('\n'));
  const families = parsePrometheusText(text);
  const f = families.find((x) => x.name === 'packettrail_input_events_total')!;
  assert.equal(f.type, 'counter');
  assert.equal(f.help, 'Events\\ of "inputs"\nsecond line');
  assert.equal(valueOf(families, 'packettrail_input_events_total', { input: hostile }), 3);
  assert.equal(valueOf(families, 'packettrail_input_events_total', { input: 'plain' }), 1);
  // One sample line per label set: the line feed in the value did not split it.
  assert.equal(text.split('\n').filter((l) => l.startsWith('packettrail_input_events_total')).length, 2);
});

test('one family per name: HELP and TYPE once, before its samples, its samples together, each label set once', () => {
  const r = new MetricsRegistry();
  const a = r.counter('a_total', 'A.', ['input']);
  const g = r.gauge('b', 'B.', ['input']);
  a.inc({ input: 'x' });
  g.set({ input: 'x' }, 2);
  // The same family asked for again (another input wiring itself) is the same family.
  r.counter('a_total', 'A.', ['input']).inc({ input: 'y' }, 2);
  a.inc({ input: 'x' });
  // A callback feeding a family with a label set it already has: the first one stays, no duplicate line.
  r.gaugeCallback('b', 'B.', ['input'], () => [{ labels: { input: 'x' }, value: 99 }, { labels: { input: 'z' }, value: 7 }]);
  const text = r.render();
  const families = parsePrometheusText(text);
  assert.deepEqual(families.map((f) => f.name), ['a_total', 'b', 'packettrail_metrics_collect_errors_total']);
  assert.equal(text.match(/^# TYPE a_total /gm)?.length, 1);
  assert.equal(valueOf(families, 'a_total', { input: 'x' }), 2);
  assert.equal(valueOf(families, 'a_total', { input: 'y' }), 2);
  assert.equal(valueOf(families, 'b', { input: 'x' }), 2);
  assert.equal(valueOf(families, 'b', { input: 'z' }), 7);
  assert.throws(() => r.gauge('a_total', 'A.', ['input']), /already registered as a counter/);
  assert.throws(() => r.counter('a_total', 'A.', ['other']), /already registered/);
});

test('names, labels and values are checked: bad names refused, counters only go up, label sets must match', () => {
  const r = new MetricsRegistry();
  assert.throws(() => r.counter('1bad', 'x'), /metric name/);
  assert.throws(() => r.counter('bad-name', 'x'), /metric name/);
  assert.throws(() => r.counter('ok', 'x', ['__reserved']), /label name/);
  assert.throws(() => r.counter('ok2', 'x', ['bad-label']), /label name/);
  assert.throws(() => r.counter('ok3', 'x', ['a', 'a']), /twice/);
  const c = r.counter('c_total', 'C.', ['input']);
  assert.throws(() => c.inc({ input: 'x' }, -1), /only go up/);
  assert.throws(() => c.inc({ input: 'x' }, NaN), /only go up/);
  assert.throws(() => c.inc({}), /takes the labels \[input\]/);
  assert.throws(() => c.inc({ input: 'x', extra: 'y' }), /takes the labels/);
  const g = r.gauge('g', 'G.');
  g.set({}, Infinity);
  assert.match(r.render(), /^g \+Inf$/m);
});

test('a callback that throws leaves its samples out, counts the failure, and the scrape still answers', () => {
  const r = new MetricsRegistry();
  r.gauge('fine', 'Fine.').set({}, 1);
  r.gaugeCallback('broken', 'Broken.', [], () => {
    throw new Error('boom');
  });
  r.gaugeCallback('wrong_labels', 'Wrong.', ['input'], () => [{ labels: { nope: 'x' }, value: 1 }]);
  const families = parsePrometheusText(r.render());
  assert.equal(valueOf(families, 'fine'), 1);
  assert.equal(families.find((f) => f.name === 'broken'), undefined);
  assert.equal(families.find((f) => f.name === 'wrong_labels'), undefined);
  assert.equal(valueOf(families, 'packettrail_metrics_collect_errors_total'), 2);
});

test('a family holds at most MAX_SERIES_PER_FAMILY label sets', () => {
  const r = new MetricsRegistry();
  const c = r.counter('many_total', 'Many.', ['k']);
  for (let i = 0; i < MAX_SERIES_PER_FAMILY; i++) c.inc({ k: String(i) });
  assert.throws(() => c.inc({ k: 'one more' }), /MAX_SERIES_PER_FAMILY/);
  c.inc({ k: '0' });
  assert.equal(c.get({ k: '0' }), 2);
});

test('the strict reader refuses what Prometheus would: a split family, a sample before its TYPE, a repeated label set, a bad escape', () => {
  assert.throws(() => parsePrometheusText('# TYPE a counter\na 1\n# TYPE b gauge\nb 1\n# TYPE a counter\na{x="1"} 1\n'), /appears twice/);
  assert.throws(() => parsePrometheusText('a 1\n'), /outside its family/);
  assert.throws(() => parsePrometheusText('# TYPE a gauge\na{x="1"} 1\na{x="1"} 2\n'), /twice/);
  assert.throws(() => parsePrometheusText('# TYPE a gauge\na{x="\\t"} 1\n'), /bad escape/);
  assert.throws(() => parsePrometheusText('# TYPE a gauge\na 1'), /line feed/);
  assert.equal(parsePrometheusText('# HELP a x\n# TYPE a gauge\na{x="q\\"\\\\\\n"} -Inf\n')[0]!.samples[0]!.labels.x, 'q"\\\n');
});
