import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../testing/shared.js';

const run = promisify(execFile);
const CLI = join(REPO_ROOT, 'dist', 'cli', 'main.js');

// A version-5 custom format with a header, as delivered to S3: one web server ENI (10.0.1.15).
const HEADER = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status tcp-flags flow-direction';
const LINES = [
  HEADER,
  // Inbound SSH attempt rejected (SYN only): NACL or SG.
  '5 123456789012 eni-0web 203.0.113.9 10.0.1.15 51515 22 6 3 180 1763798400 1763798460 REJECT OK 2 ingress',
  // Inbound HTTPS accepted, reply rejected: the NACL's outbound rule.
  '5 123456789012 eni-0web 198.51.100.20 10.0.1.15 40000 443 6 4 240 1763798400 1763798460 ACCEPT OK 2 ingress',
  '5 123456789012 eni-0web 10.0.1.15 198.51.100.20 443 40000 6 4 240 1763798400 1763798460 REJECT OK 18 egress',
  // Outbound database connection rejected.
  '5 123456789012 eni-0web 10.0.1.15 192.0.2.50 45000 5432 6 2 120 1763798400 1763798460 REJECT OK 2 egress',
  // Outbound HTTPS accepted, reply rejected: the NACL's inbound rule for ephemeral ports.
  '5 123456789012 eni-0web 10.0.1.15 192.0.2.80 46000 443 6 5 300 1763798400 1763798460 ACCEPT OK 2 egress',
  '5 123456789012 eni-0web 192.0.2.80 10.0.1.15 443 46000 6 5 300 1763798400 1763798460 REJECT OK 18 ingress',
  // Allowed both ways.
  '5 123456789012 eni-0web 203.0.113.50 10.0.1.15 50000 80 6 10 900 1763798400 1763798460 ACCEPT OK 27 ingress',
  '5 123456789012 eni-0web 10.0.1.15 203.0.113.50 80 50000 6 8 4000 1763798400 1763798460 ACCEPT OK 27 egress',
  '5 123456789012 eni-0web - - - - - - - 1763798460 1763798520 - NODATA - -',
];

test('ingest a flow log into DuckDB, then vpcflow diagnose explains each rejection', { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'packettrail-vpcflow-'));
  try {
    const file = join(dir, '123456789012_vpcflowlogs_us-east-1_fl-0abc_20251122T0800Z_1a2b.log');
    const db = join(dir, 'case.duckdb');
    await writeFile(file, LINES.join('\n') + '\n');
    await run(process.execPath, [CLI, 'ingest', '--quiet', '--threads', '0', '--db', db, '--dead-letter', join(dir, 'dl.ndjson'), file]);

    const { stdout } = await run(process.execPath, [CLI, 'vpcflow', 'diagnose', '--db', db, '--json']);
    const result = JSON.parse(stdout) as { records: number; connections: { cause: string; startedBy: string; server: { ip: string; port: number }; client: { ip: string } }[]; neverLogged: string[] };
    // Only conversations with a REJECT are read (the allowed port-80 exchange is not).
    assert.equal(result.records, 6);
    const byServer = new Map(result.connections.map((c) => [`${c.server.ip}:${c.server.port}`, c]));
    assert.equal(result.connections.length, 4);
    assert.equal(byServer.get('10.0.1.15:22')?.cause, 'nacl-or-sg');
    assert.equal(byServer.get('10.0.1.15:22')?.startedBy, 'remote');
    assert.equal(byServer.get('10.0.1.15:443')?.cause, 'nacl-return');
    assert.equal(byServer.get('10.0.1.15:443')?.startedBy, 'remote');
    assert.equal(byServer.get('192.0.2.50:5432')?.cause, 'nacl-or-sg');
    assert.equal(byServer.get('192.0.2.50:5432')?.startedBy, 'interface');
    assert.equal(byServer.get('192.0.2.80:443')?.cause, 'nacl-return');
    assert.equal(byServer.get('192.0.2.80:443')?.startedBy, 'interface');
    assert.ok(result.neverLogged.length >= 8);

    const table = await run(process.execPath, [CLI, 'vpcflow', 'diagnose', '--db', db, '--port', '22', '--since', '2025-11-22T07:00:00Z', '--until', '2025-11-22T09:00:00Z']);
    assert.match(table.stdout, /203\.0\.113\.9:51515 +10\.0\.1\.15:22 +tcp +reject +not logged +inbound request REJECT: blocked by a network ACL or a security group/);
    assert.match(table.stdout, /1 rejected connection explained/);
    assert.match(table.stdout, /Flow logs never record:/);

    const imds = await run(process.execPath, [CLI, 'vpcflow', 'diagnose', '--db', db, '--dst', '169.254.169.254']);
    assert.match(imds.stdout, /^Note: --dst 169\.254\.169\.254 is 169\.254\.169\.254, the instance metadata service: flow logs never record this traffic, so the absence of records for it is expected\./);
    assert.match(imds.stdout, /No rejected connections match/);

    const all = JSON.parse((await run(process.execPath, [CLI, 'vpcflow', 'diagnose', '--db', db, '--all', '--json'])).stdout) as typeof result;
    assert.equal(all.records, 8);
    assert.equal(all.connections.length, 5);
    assert.equal(all.connections.filter((c) => c.cause === 'allowed').length, 1);

    const late = await run(process.execPath, [CLI, 'vpcflow', 'diagnose', '--db', db, '--since', '2026-01-01', '--json']);
    assert.equal((JSON.parse(late.stdout) as { records: number }).records, 0);

    await assert.rejects(run(process.execPath, [CLI, 'vpcflow', 'diagnose', '--db', db, '--src', 'nope']), (e: { code?: number; stderr?: string }) => {
      assert.equal(e.code, 2);
      assert.match(String(e.stderr), /--src 'nope' is not an IP address or CIDR/);
      return true;
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
