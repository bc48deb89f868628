import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliError } from '../cli/exit-codes.js';
import { runInsights } from '../commands/insights.js';
import { generate, LOGS_DIR } from '../generate/index.js';
import { tempDir } from '../testing/tmp.js';
import { cloudtrailReport } from './cloudtrail/index.js';
import { coverageReport } from './coverage/index.js';
import type { FindingsSection, InsightReport, TableSection } from './report.js';
import { ingestDir } from './test-store.js';
import { vpcReport } from './vpc/index.js';

const findings = (r: InsightReport) => r.sections.filter((s): s is FindingsSection => s.kind === 'findings').flatMap((s) => s.findings);

test('insights on the generated scenario: stolen key, IAM takeover and RDP scan reported, the clean part reports nothing', async () => {
  const dir = tempDir('packettrail-insights-scenario-');
  const manifest = await generate({ out: dir, users: 5, hours: 1, seed: 'insights' });
  const ts = await ingestDir(join(dir, LOGS_DIR), dir, true, true);
  const store = await ts.open();
  try {
    const trail = findings(await cloudtrailReport(store, {}));
    const stop = trail.find((f) => f.title.startsWith('cloudtrail:StopLogging'));
    assert.equal(stop?.severity, 'critical');
    assert.match(stop!.title, /by ci-deploy$/);
    assert.equal(stop!.facts?.['source ip'], '192.0.2.99');
    assert.equal(stop!.facts?.['access key'], 'AKIAIOSFODNN7EXAMPLE');
    assert.match(String(stop!.facts?.alerts), /CloudTrail Logging Stopped/);
    const repoint = trail.find((f) => f.title.startsWith('cloudfront:UpdateDistribution'));
    assert.equal(repoint?.facts?.change, 'origins now origin.attacker-example.net');
    // The stolen-key incident's two changes and the IAM takeover's risky ones (truth.json), nothing else.
    assert.deepEqual(trail.map((f) => f.title.split(' on ')[0]).sort(), [
      'cloudfront:UpdateDistribution', 'cloudtrail:DeleteTrail', 'cloudtrail:StopLogging', 'ec2:AuthorizeSecurityGroupIngress', 'ec2:DeleteNetworkAclEntry',
      'iam:CreateAccessKey', 'iam:CreateLoginProfile', 'iam:UpdateLoginProfile', 'logs:DeleteLogGroup',
    ], trail.map((f) => f.title).join('; '));

    const vpc = findings(await vpcReport(store, {}));
    assert.deepEqual(vpc.map((f) => f.title), ['Port scan from 192.0.2.77']);
    assert.match(vpc[0]!.detail, /on port 3389/);

    // Before the incidents (the RDP scan starts at 40 % of the day, the key at 65 %): nothing to report.
    const start = Date.parse(manifest.start);
    const until = new Date(start + 0.35 * 3_600_000).toISOString();
    assert.deepEqual(findings(await cloudtrailReport(store, { until })), []);
    assert.deepEqual(findings(await vpcReport(store, { until })), []);
    assert.deepEqual(findings(await coverageReport(store, { until })), []);
  } finally {
    await store.close();
  }

  // The command: list, text, JSON, and usage errors.
  assert.match(await runInsights(undefined, { db: ts.db }), /cloudtrail .*\n.*vpc|vpc[\s\S]*coverage/);
  const text = await runInsights('vpc', { db: ts.db, limit: '3' });
  assert.match(text, /^VPC traffic — \d+ flow records, 12 rejected/);
  assert.match(text, /\[MEDIUM\] Port scan from 192\.0\.2\.77/);
  const json = JSON.parse(await runInsights('cloudtrail', { db: ts.db, json: true, since: manifest.start })) as InsightReport;
  assert.equal(json.view, 'cloudtrail');
  assert.equal(json.range.since, manifest.start.replace('.000Z', 'Z'));
  await assert.rejects(runInsights('nope', { db: ts.db }), (e: CliError) => e.exitCode === 2 && /unknown view 'nope'; views: .*cloudtrail/.test(e.message));
  await assert.rejects(runInsights('cloudtrail', { db: ts.db, diagnose: true }), /--diagnose applies to the vpc view only/);
  await assert.rejects(runInsights('vpc', { db: ts.db, since: 'yesterday-ish' }), /--since 'yesterday-ish' is not a time/);
  await assert.rejects(runInsights('vpc', { db: join(dir, 'missing.duckdb') }), (e: CliError) => e.exitCode === 3);
  assert.match(await runInsights('vpc', { db: ts.db, diagnose: true, until: new Date(Date.parse(manifest.start) + 3_600_000 * 0.75).toISOString() }), /Why rejected/);

  // --networks: a corporate egress range overrides what the databases say of a viewer; bad lines are skipped.
  const clientsOf = async (networks?: string) => {
    const r = JSON.parse(await runInsights('cloudfront', { db: ts.db, json: true, limit: '50', ...(networks ? { networks } : {}) })) as InsightReport;
    return (r.sections.find((x) => x.id === 'clients') as TableSection).rows;
  };
  const before = await clientsOf();
  const viewer = before[0]!;
  assert.notEqual(viewer[6], 'AS64512');
  const nets = join(dir, 'networks.csv');
  writeFileSync(nets, `cidr,asn,as_name,country\n${viewer[0]}/${String(viewer[0]).includes(':') ? 128 : 32},AS64512,Example Corp egress,nz\n10.0.0.0/33,1,bad,FR\n`);
  const after = await clientsOf(nets);
  const overridden = after.find((row) => row[0] === viewer[0])!;
  assert.deepEqual(overridden.slice(5), ['NZ', 'AS64512', 'Example Corp egress']);
  // Only that viewer changed.
  assert.deepEqual(after.filter((row) => row[0] !== viewer[0]), before.filter((row) => row[0] !== viewer[0]));
  await assert.rejects(runInsights('vpc', { db: ts.db, networks: nets }), /--networks applies to the cloudfront view only/);
  await assert.rejects(runInsights('cloudfront', { db: ts.db, networks: join(dir, 'absent.csv') }), (e: CliError) => e.exitCode === 2 && /cannot read --networks .*ENOENT/.test(e.message));
});
