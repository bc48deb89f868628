import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flowLog, storeFromFiles } from '../test-store.js';
import { coverageReport, SILENT_SOURCE_RULE } from './index.js';
import type { FindingsSection, TableSection } from '../report.js';

const T0 = Date.UTC(2026, 10, 20, 6, 0, 0) / 1000;
const ENIS = ['eni-0aaa00000000000a1', 'eni-0bbb00000000000b2', 'eni-0ccc00000000000c3'];

/** Six hours of one flow a minute per interface; `stopAfterS` ends one interface early, `pause` silences it for a while. */
function flows(o: { stopAfterS?: Record<string, number>; pause?: Record<string, [number, number]>; hours?: number } = {}): string {
  const recs = [];
  for (let t = 0; t < (o.hours ?? 6) * 3600; t += 60) {
    for (const [i, eni] of ENIS.entries()) {
      if (o.stopAfterS?.[eni] !== undefined && t > o.stopAfterS[eni]!) continue;
      const p = o.pause?.[eni];
      if (p && t >= p[0] && t < p[1]) continue;
      recs.push({ eni, src: `10.0.1.${10 + i}`, dst: '10.0.2.20', srcPort: 40000 + (t % 20000), dstPort: 443, startS: T0 + t });
    }
  }
  return flowLog(recs);
}

function findings(report: { sections: unknown[] }): FindingsSection['findings'] {
  return (report.sections.find((s) => (s as FindingsSection).kind === 'findings') as FindingsSection).findings;
}

test('coverage: an interface that stops delivering raises one alert naming it and its last event', async () => {
  const stopAt = 3 * 3600;
  const ts = await storeFromFiles({ 'vpc/flows.log': flows({ stopAfterS: { [ENIS[1]!]: stopAt } }) });
  const silent = ts.alerts.filter((a) => a.rule.id === SILENT_SOURCE_RULE.id);
  assert.equal(silent.length, 1, JSON.stringify(silent.map((a) => a.details)));
  const alert = silent[0]!;
  assert.equal(alert.key?.source, ENIS[1]);
  assert.equal(alert.key?.level, 'interface');
  const last = alert.events[0]!;
  // A flow record's time is the end of its aggregation window.
  assert.equal(last['@timestamp'], new Date((T0 + stopAt + 60) * 1000).toISOString().replace('.000Z', 'Z'));
  assert.equal((last.observer as { ingress: { interface: { name: string } } }).ingress.interface.name, ENIS[1]);
  assert.equal(alert['@timestamp'], last['@timestamp']);
  assert.equal(alert.details?.ongoing, true);

  const store = await ts.open();
  try {
    const report = await coverageReport(store, {});
    const f = findings(report);
    assert.equal(f.length, 1);
    assert.match(f[0]!.title, new RegExp(`network interface ${ENIS[1]} went silent`));
    assert.match(f[0]!.detail, /No events for 3\.0 h/);
    const table = report.sections.find((s) => s.id === 'sources') as TableSection;
    const statusOf = (name: string) => table.rows.find((r) => String(r[0]).endsWith(name))?.[7];
    assert.equal(statusOf(ENIS[1]!), 'silent');
    assert.equal(statusOf(ENIS[0]!), 'ok');
    assert.ok(report.sections.some((s) => s.kind === 'series' && s.series.some((x) => x.name === 'aws.vpcflow')));
    // The alert landed in the alerts table too.
    const stored = await store.query(`SELECT count(*) FROM alerts WHERE rule_id = $id`, { id: SILENT_SOURCE_RULE.id });
    assert.equal(stored.rows[0]![0], 1);
  } finally {
    await store.close();
  }
});

test('coverage: steady sources report nothing; a silence shorter than the threshold is not one', async () => {
  const ts = await storeFromFiles({ 'vpc/flows.log': flows({ pause: { [ENIS[0]!]: [3600, 3600 + 40 * 60] } }) });
  assert.deepEqual(ts.alerts.filter((a) => a.rule.id === SILENT_SOURCE_RULE.id), []);
  const store = await ts.open();
  try {
    assert.deepEqual(findings(await coverageReport(store, {})), []);
  } finally {
    await store.close();
  }
});

test('coverage: a source that stopped and came back is reported with both ends of its silence', async () => {
  const ts = await storeFromFiles({ 'vpc/flows.log': flows({ pause: { [ENIS[2]!]: [2 * 3600, 4 * 3600] } }) });
  const silent = ts.alerts.filter((a) => a.rule.id === SILENT_SOURCE_RULE.id);
  assert.equal(silent.length, 1);
  assert.equal(silent[0]!.details?.ongoing, false);
  const store = await ts.open();
  try {
    const f = findings(await coverageReport(store, {}));
    assert.equal(f.length, 1);
    assert.match(f[0]!.title, /was silent for 2\.0 h/);
    // Measured up to a time before the pause: nothing yet.
    assert.deepEqual(findings(await coverageReport(store, { until: new Date((T0 + 2 * 3600 - 60) * 1000).toISOString() })), []);
  } finally {
    await store.close();
  }
});

test('coverage: a silence the source has had twice before is its cadence, not an outage', async () => {
  const pauses = (start: number) => [start, start + 2 * 3600] as [number, number];
  // Three 2-hour lulls over 18 hours.
  const recsA = flows({ hours: 18, pause: { [ENIS[0]!]: pauses(2 * 3600) } });
  const text = recsA
    .split('\n')
    .filter((l) => {
      const m = / (\d{10}) \d{10} ACCEPT/.exec(l);
      if (!m || !l.includes(ENIS[0]!)) return true;
      const t = Number(m[1]) - T0;
      return !((t >= 8 * 3600 && t < 10 * 3600) || (t >= 14 * 3600 && t < 16 * 3600));
    })
    .join('\n');
  const ts = await storeFromFiles({ 'vpc/flows.log': text });
  const store = await ts.open();
  try {
    const f = findings(await coverageReport(store, {}));
    // The first two lulls are news; the third repeats them.
    const minute = (s: number) => new Date((T0 + s) * 1000).toISOString().slice(0, 16);
    assert.deepEqual(f.map((x) => x.at?.slice(0, 16)), [minute(2 * 3600), minute(8 * 3600)]);
    assert.ok(f.every((x) => x.title.includes(ENIS[0]!)), JSON.stringify(f));
  } finally {
    await store.close();
  }
});

test('coverage: a CloudFront distribution that stops delivering is named; one dataset, one distribution is one finding', async () => {
  const header = '#Version: 1.0\n#Fields: date time c-ip cs-method sc-status x-edge-request-id\n';
  const files: Record<string, string> = {};
  for (const dist of ['E1AAAAAAAAAAAA', 'E2BBBBBBBBBBBB']) {
    for (let h = 0; h < 6; h++) {
      if (dist === 'E2BBBBBBBBBBBB' && h >= 3) continue;
      const lines = [];
      for (let m = 0; m < 60; m += 2) lines.push(`2026-11-20\t${String(6 + h).padStart(2, '0')}:${String(m).padStart(2, '0')}:07\t192.0.2.${10 + h}\tGET\t200\t${dist}-${h}-${m}==`);
      files[`cf/${dist}.2026-11-20-${String(6 + h).padStart(2, '0')}.abc123`] = header + lines.join('\n') + '\n';
    }
  }
  const ts = await storeFromFiles(files);
  const silent = ts.alerts.filter((a) => a.rule.id === SILENT_SOURCE_RULE.id);
  assert.deepEqual(silent.map((a) => a.key?.source), ['E2BBBBBBBBBBBB']);
  assert.equal((silent[0]!.events[0]!.aws as { cloudfront: { distribution_id: string } }).cloudfront.distribution_id, 'E2BBBBBBBBBBBB');
  const store = await ts.open();
  try {
    const f = findings(await coverageReport(store, { distribution: 'E1AAAAAAAAAAAA' }));
    assert.deepEqual(f, []);
  } finally {
    await store.close();
  }
});
