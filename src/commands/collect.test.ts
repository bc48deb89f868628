import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../testing/tmp.js';
import { selfSignedCertificate } from '../testing/certs.js';

const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));

function check(yaml: string): { status: number | null; stdout: string; stderr: string } {
  const file = join(tempDir('packettrail-collect-cli-'), 'collect.yml');
  writeFileSync(file, yaml);
  const r = spawnSync(process.execPath, [CLI, 'collect', '--check', '--config', file], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('packettrail collect --check', () => {
  it('accepts a valid config and names its inputs', () => {
    const r = check('db: x.duckdb\ndetection: {builtin_rules: false}\ninputs:\n  - {type: s3-sqs, name: cf, queue_url: "https://sqs.eu-west-1.amazonaws.com/1/q"}\n');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /valid; 1 input\(s\): cf; database x\.duckdb/);
  });

  it('lists every problem with its path and line and exits 2', () => {
    const r = check('inputs:\n  - type: s3-sqs\n    queue_url: 12\n    wait_seconds: 60\n');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /2 problems/);
    assert.match(r.stderr, /inputs\[0\]\.queue_url: expected the queue URL .*, got 12 \(line 3\)/);
    assert.match(r.stderr, /inputs\[0\]\.wait_seconds: expected a whole number from 0 to 20 \(long-poll seconds\), got 60 \(line 4\)/);
  });

  it('checks TLS files and the dead-letter path; prints one problem a line', () => {
    const dir = tempDir('packettrail-collect-cli-');
    const a = selfSignedCertificate(dir, 'a');
    const b = selfSignedCertificate(dir, 'b');
    const yaml = [
      `db: ${dir}/x.duckdb`,
      `dead_letter: ${dir}/missing/dead.ndjson`,
      'detection: {builtin_rules: false}',
      'inputs:',
      '  - type: syslog',
      '    name: edge',
      '    default: app.json',
      '    tls:',
      '      port: 6514',
      `      cert: ${a.cert}`,
      `      key: ${b.key}`,
      '  - type: syslog',
      '    name: swapped',
      '    default: app.json',
      `    tls: {port: 6515, cert: ${a.key}, key: ${a.cert}}`,
      '  - type: syslog',
      '    name: missing',
      '    default: app.json',
      `    tls: {port: 6516, cert: ${dir}/none.pem, key: ${a.key}}`,
    ].join('\n');
    const r = check(yaml);
    assert.equal(r.status, 2, r.stdout);
    assert.doesNotMatch(r.stderr, /\\n/, 'no escaped line breaks');
    const lines = r.stderr.trimEnd().split('\n');
    assert.match(lines[0]!, /: 4 problems$/);
    assert.deepEqual(lines.slice(1).map((l) => l.replace(dir, '<dir>').replace(dir, '<dir>')), [
      '  dead_letter: the dead-letter file cannot be written: the directory <dir>/missing does not exist (line 2)',
      '  inputs[0].tls.key: the private key in <dir>/b.key.pem does not belong to the certificate in <dir>/a.cert.pem (line 11)',
      '  inputs[1].tls.cert: cert and key are swapped: <dir>/a.key.pem holds a private key and <dir>/a.cert.pem a certificate (line 15)',
      '  inputs[2].tls.cert: cannot read <dir>/none.pem: ENOENT: no such file or directory, open \'<dir>/none.pem\' (line 19)',
    ]);
  });

  it('reports a config file that cannot be read', () => {
    const r = spawnSync(process.execPath, [CLI, 'collect', '--check', '--config', '/nonexistent/collect.yml'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /cannot read the config: ENOENT/);
  });
});

describe('packettrail collect: the summary', () => {
  it('reports the UDP datagrams the kernel dropped', async () => {
    const dir = tempDir('packettrail-collect-cli-');
    const config = join(dir, 'collect.yml');
    writeFileSync(config, `db: ${dir}/x.duckdb\nthreads: 0\ndetection: {builtin_rules: false}\ninputs:\n  - {type: syslog, name: edge, udp: {port: 0, recv_buffer_bytes: 4096}, default: app.json}\n`);
    const child = spawn(process.execPath, [CLI, 'collect', '--config', config, '--status-every', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    const port = await new Promise<number>((resolve, reject) => {
      child.stderr.on('data', (d: string) => {
        stderr += d;
        const m = /syslog listening on udp 127\.0\.0\.1:(\d+)/.exec(stderr);
        if (m) resolve(Number(m[1]));
      });
      child.on('exit', () => reject(new Error(`collect exited: ${stderr}`)));
    });
    // Stopped, the collector reads nothing: what its receive buffer cannot hold, the kernel drops.
    child.kill('SIGSTOP');
    const udp = createSocket('udp4');
    const sent = 2000;
    await Promise.all(Array.from({ length: sent }, (_, i) => new Promise((resolve) => udp.send(`<14>1 2026-11-20T10:00:00Z h app - - - {"n":${i}}`, port, '127.0.0.1', resolve))));
    udp.close();
    child.kill('SIGCONT');
    await new Promise((r) => setTimeout(r, 1000));
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    const summary = /\[edge\]: (\d+) messages, .*UDP: (\d+) dropped by the kernel \(receive buffer full\), 0 dropped \(pipeline saturated\)/.exec(stderr);
    assert.ok(summary, stderr);
    const [received, dropped] = [Number(summary[1]), Number(summary[2])];
    assert.ok(dropped > 0, stderr);
    assert.equal(received + dropped, sent);
    assert.match(stderr, /the kernel dropped \d+ UDP datagrams/);
  });
});
