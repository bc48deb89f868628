import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBytes, renderReport, sparkline, squeeze } from './render.js';
import type { InsightReport } from './report.js';

test('sparkline: scaled from zero to the maximum, gaps as spaces, flat series', () => {
  assert.equal(sparkline([0, 1, 2, 3, 4, 5, 6, 7]), '▁▂▃▄▅▆▇█');
  assert.equal(sparkline([0, null, 7]), '▁ █');
  assert.equal(sparkline([3, 3]), '██');
  assert.equal(sparkline([0, 0]), '▁▁');
  assert.equal(sparkline([]), '');
  assert.equal(sparkline([-4, 0, 4]), '▁▅█');
});

test('squeeze: long series are averaged into the width; short ones kept', () => {
  assert.deepEqual(squeeze([1, 2, 3], 5), [1, 2, 3]);
  assert.deepEqual(squeeze([1, 3, 5, 7], 2), [2, 6]);
  assert.deepEqual(squeeze([null, null, 4, 6], 2), [null, 5]);
  assert.equal(squeeze(Array.from({ length: 1000 }, (_, i) => i), 72).length, 72);
});

test('formatBytes', () => {
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(60_000_000), '57.2 MiB');
});

test('renderReport: tables with typed cells, series, findings by severity; hostile text is escaped', () => {
  const report: InsightReport = {
    view: 'test', title: 'Test\u001b[2J view', range: { since: '2026-11-20T08:00:00Z', until: null }, tookMs: 12,
    sections: [
      { kind: 'findings', id: 'f', title: 'Findings', findings: [
        { severity: 'low', title: 'minor', detail: 'small thing' },
        { severity: 'critical', title: 'evil\u001b]0;title\u0007', detail: 'line1\nline2', fix: 'do\tthis', facts: { ip: '192.0.2.1', n: 1234, list: ['a', 'b'], skipped: undefined }, at: '2026-11-20T09:00:00Z' },
      ] },
      { kind: 'table', id: 't', title: 'Table', columns: [{ name: 'who', type: 'string' }, { name: 'n', type: 'number' }, { name: 'bytes', type: 'bytes' }, { name: 'share', type: 'percent' }], rows: [['a\u001bb', 12345, 2048, 0.256], [null, 1.5, null, null]] },
      { kind: 'series', id: 's', title: 'Series', buckets: ['2026-11-20T08:00:00Z', '2026-11-20T08:05:00Z'], series: [{ name: 'requests', values: [1, 9] }, { name: 'error rate', values: [0.25, 0.5], additive: false }] },
      { kind: 'findings', id: 'g', title: 'Nothing', findings: [] },
      { kind: 'table', id: 'e', title: 'Empty', columns: [{ name: 'x', type: 'string' }], rows: [] },
    ],
  };
  const text = renderReport(report);
  assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f]/.test(text.replace(/\n/g, '')), 'no control characters');
  assert.match(text, /^Test\\x1b\[2J view {2}\[2026-11-20T08:00:00Z → end of data, 12 ms\]/);
  assert.ok(text.indexOf('[CRITICAL] evil\\x1b]0;title\\x07') < text.indexOf('[LOW] minor'), 'most severe first');
  assert.match(text, /line1\\nline2/);
  assert.match(text, /fix: do\\tthis/);
  assert.match(text, /n: 1,234/);
  assert.match(text, /list: \["a","b"\]/);
  assert.ok(!text.includes('skipped'));
  assert.match(text, /a\\x1bb\s+12,345\s+2\.0 KiB\s+25\.6%/);
  assert.match(text, /requests {4}▂█ {2}min 1 {2}max 9 {2}total 10/);
  assert.match(text, /error rate {2}▅█ {2}min 0\.25 {2}max 0\.50\n/, 'a rate has no total');
  assert.match(text, /Nothing\n {2}No findings\./);
  assert.match(text, /Empty\n {2}\(none\)/);
});
