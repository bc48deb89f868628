import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FindingsSection, InsightReport, TableSection } from '../report.js';
import { flowLog, storeFromFiles } from '../test-store.js';
import { vpcReport } from './index.js';

const T0 = Date.UTC(2026, 10, 20, 9, 0, 0) / 1000;
const ENI = 'eni-0aaa00000000000a1';

const findings = (r: InsightReport) => (r.sections.find((s) => s.kind === 'findings') as FindingsSection).findings;
const table = (r: InsightReport, id: string) => r.sections.find((s) => s.id === id) as TableSection;

test('vpc: exposed SSH, database probes, scans, top talkers and bytes out per internet destination', async () => {
  const recs: Parameters<typeof flowLog>[0] = [];
  // Normal traffic: the app talks to its database, and uploads to one internet address.
  for (let i = 0; i < 60; i++) {
    recs.push({ eni: ENI, src: '10.0.1.10', dst: '10.0.2.20', srcPort: 40000 + i, dstPort: 5432, startS: T0 + i * 60, bytes: 20_000 });
    recs.push({ eni: ENI, src: '10.0.1.10', dst: '198.51.100.7', srcPort: 41000 + i, dstPort: 443, startS: T0 + i * 60, bytes: 1_000_000 });
  }
  recs.push({ eni: ENI, src: '10.0.1.10', dst: '203.0.113.200', srcPort: 42000, dstPort: 443, startS: T0, bytes: 5_000 });
  // SSH open to the internet: accepted from outside.
  recs.push({ eni: ENI, src: '203.0.113.9', dst: '10.0.1.10', srcPort: 50123, dstPort: 22, startS: T0 + 300, action: 'ACCEPT' });
  // A scanner: 30 ports on one host within a minute, all rejected.
  for (let p = 0; p < 30; p++) recs.push({ eni: ENI, src: '192.0.2.50', dst: '10.0.1.10', srcPort: 61000, dstPort: 1000 + p * 7, startS: T0 + 600, action: 'REJECT' });
  // A persistent MySQL prober (one port, one host: no scan) and a noise source below the threshold.
  for (let i = 0; i < 12; i++) recs.push({ eni: ENI, src: '192.0.2.60', dst: '10.0.1.10', srcPort: 62000 + i, dstPort: 3306, startS: T0 + i * 300, action: 'REJECT' });
  for (let i = 0; i < 3; i++) recs.push({ eni: ENI, src: '192.0.2.61', dst: '10.0.1.10', srcPort: 63000 + i, dstPort: 3389, startS: T0 + i * 300, action: 'REJECT' });
  const ts = await storeFromFiles({ 'vpc/flows.log': flowLog(recs) }, { analyses: false });
  const store = await ts.open();
  try {
    const r = await vpcReport(store, { limit: 5 });
    const f = findings(r);
    const titles = f.map((x) => `${x.severity} ${x.title}`);
    assert.deepEqual(titles.sort(), ['high 22 (SSH) reachable from the internet', 'low 192.0.2.60 probing 3306 (MySQL)', 'medium Port scan from 192.0.2.50'].sort());
    assert.match(f.find((x) => x.title.startsWith('Port scan'))!.detail, /probed 1 host on ports 1000, 1007, .* \(30 host:port targets\); 30 flows rejected/);
    const out = table(r, 'bytes-out');
    assert.deepEqual(out.rows.map((row) => [row[0], row[1]]), [['198.51.100.7', 60_000_000], ['203.0.113.200', 5_000]]);
    assert.deepEqual(table(r, 'top-talkers').rows[0]!.slice(0, 2), ['10.0.1.10', '198.51.100.7']);
    assert.equal(table(r, 'top-talkers').rows.length, 5);
    assert.deepEqual(table(r, 'rejected-by-source').rows.map((row) => [row[0], row[1], row[2]]), [['192.0.2.50', 'yes', 30], ['192.0.2.60', 'yes', 12], ['192.0.2.61', 'yes', 3]]);
    assert.equal(table(r, 'rejected-by-port').rows.length, 5);
    const series = r.sections.find((s) => s.kind === 'series');
    assert.ok(series && series.kind === 'series' && series.series[1]!.values.reduce((a, b) => (a ?? 0) + (b ?? 0), 0) === 45);

    // With the diagnosis, each rejected connection is explained and the scan finding says why.
    const d = await vpcReport(store, { diagnose: true } as Parameters<typeof vpcReport>[1]);
    const diag = table(d, 'diagnosis');
    assert.ok(diag.rows.length >= 30);
    assert.match(String(diag.rows[0]![5]), /network ACL or a security group/);
    assert.match(String(findings(d).find((x) => x.title.startsWith('Port scan'))!.facts!['why rejected']), /30× inbound request REJECT/);
  } finally {
    await store.close();
  }
});

test('vpc: a store without flow records says so and reports nothing else', async () => {
  const ts = await storeFromFiles({ 'app/app.log': '{"timestamp":"2026-11-20T10:00:00Z","level":"info","message":"hello","method":"GET","path":"/","status":200}\n' }, { analyses: false });
  const store = await ts.open();
  try {
    const r = await vpcReport(store, {});
    assert.deepEqual(findings(r).map((x) => x.title), ['No VPC flow records']);
    assert.equal(table(r, 'top-talkers').rows.length, 0);
  } finally {
    await store.close();
  }
});
