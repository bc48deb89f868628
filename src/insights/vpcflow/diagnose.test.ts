import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnose, type FlowRow } from './diagnose.js';
import { NEVER_LOGGED, expectedAbsences, parseAddressFilter } from './never-logged.js';

const T0 = Date.UTC(2026, 10, 20, 8, 0, 0);
const ENI = 'eni-0web';
const WEB = '10.0.1.15';

function flow(src: string, sport: number, dst: string, dport: number, action: 'accept' | 'reject', extra: Partial<FlowRow> = {}): FlowRow {
  return { eni: ENI, srcIp: src, srcPort: sport, dstIp: dst, dstPort: dport, protocol: 6, action, startMs: T0, endMs: T0 + 60_000, ...extra };
}

// Background traffic that makes 10.0.1.15 the interface's own address.
const BACKGROUND: FlowRow[] = [
  flow('203.0.113.50', 50000, WEB, 80, 'accept'),
  flow(WEB, 80, '203.0.113.50', 50000, 'accept'),
];

test('inbound REJECT: a network ACL or a security group', () => {
  const [c, ...rest] = diagnose([...BACKGROUND, flow('203.0.113.9', 51515, WEB, 22, 'reject')]);
  assert.equal(rest.length, 0);
  assert.equal(c!.startedBy, 'remote');
  assert.equal(c!.cause, 'nacl-or-sg');
  assert.equal(c!.request, 'reject');
  assert.equal(c!.response, undefined);
  assert.deepEqual(c!.client, { ip: '203.0.113.9', port: 51515 });
  assert.deepEqual(c!.server, { ip: WEB, port: 22 });
  assert.equal(c!.basis, 'ports');
  assert.match(c!.explanation, /^inbound request REJECT: blocked by a network ACL or a security group \(inbound rules\)/);
});

test('inbound ACCEPT with outbound REJECT of the return traffic: the network ACL', () => {
  const [c] = diagnose([
    ...BACKGROUND,
    flow('198.51.100.20', 40000, WEB, 443, 'accept', { startMs: T0 + 5_000 }),
    flow(WEB, 443, '198.51.100.20', 40000, 'reject', { startMs: T0 + 7_000 }),
  ]);
  assert.equal(c!.startedBy, 'remote');
  assert.equal(c!.cause, 'nacl-return');
  assert.equal(c!.request, 'accept');
  assert.equal(c!.response, 'reject');
  assert.equal(c!.records, 2);
  assert.match(c!.explanation, /the network ACL \(stateless\) dropped the return traffic.*the security group allowed it/);
});

test('outbound REJECT and outbound ACCEPT with the return rejected', () => {
  const out = diagnose([
    ...BACKGROUND,
    flow(WEB, 45000, '192.0.2.50', 5432, 'reject', { startMs: T0 + 1_000 }),
    flow(WEB, 46000, '192.0.2.80', 443, 'accept', { startMs: T0 + 2_000 }),
    flow('192.0.2.80', 443, WEB, 46000, 'reject', { startMs: T0 + 2_500 }),
  ]);
  assert.equal(out.length, 2);
  const [blocked, returnDropped] = out;
  assert.equal(blocked!.startedBy, 'interface');
  assert.equal(blocked!.cause, 'nacl-or-sg');
  assert.match(blocked!.explanation, /^outbound request REJECT: .*outbound rules/);
  assert.equal(returnDropped!.startedBy, 'interface');
  assert.equal(returnDropped!.cause, 'nacl-return');
  assert.equal(returnDropped!.request, 'accept');
  assert.equal(returnDropped!.response, 'reject');
  assert.match(returnDropped!.explanation, /^outbound request ACCEPT, inbound return traffic REJECT: the network ACL/);
});

test('flow-direction decides inbound/outbound when ports are ambiguous', () => {
  const [c] = diagnose([
    flow('10.0.9.9', 9090, '10.0.2.7', 8080, 'accept', { eni: 'eni-0app', direction: 'egress' }),
    flow('10.0.2.7', 8080, '10.0.9.9', 9090, 'reject', { eni: 'eni-0app', direction: 'ingress' }),
  ]);
  assert.equal(c!.sides, 'flow-direction');
  assert.equal(c!.startedBy, 'interface');
  assert.deepEqual(c!.client, { ip: '10.0.9.9', port: 9090 });
  assert.equal(c!.cause, 'nacl-return');
});

test('a SYN without ACK names the initiator even against the port heuristic', () => {
  const [c] = diagnose([...BACKGROUND, flow('10.0.3.3', 443, WEB, 3000, 'reject', { tcpFlags: 2 })]);
  assert.equal(c!.basis, 'tcp-flags');
  assert.deepEqual(c!.client, { ip: '10.0.3.3', port: 443 });
  assert.equal(c!.startedBy, 'remote');
});

test('return traffic rejected with no request logged, and Block Public Access', () => {
  const out = diagnose([
    ...BACKGROUND,
    flow(WEB, 22, '203.0.113.77', 60000, 'reject', { startMs: T0 + 1_000 }),
    flow('198.51.100.1', 55555, WEB, 443, 'reject', { startMs: T0 + 2_000, reason: 'BPA' }),
  ]);
  assert.equal(out[0]!.cause, 'return-rejected-request-unseen');
  assert.equal(out[0]!.startedBy, 'remote');
  assert.equal(out[1]!.cause, 'block-public-access');
});

test('records more than a window apart are separate connections; accepted ones only with all', () => {
  const rows = [
    ...BACKGROUND,
    flow('203.0.113.9', 51515, WEB, 22, 'reject'),
    flow('203.0.113.9', 51515, WEB, 22, 'accept', { startMs: T0 + 3 * 3600_000, endMs: T0 + 3 * 3600_000 + 60_000 }),
    flow(WEB, 22, '203.0.113.9', 51515, 'accept', { startMs: T0 + 3 * 3600_000, endMs: T0 + 3 * 3600_000 + 60_000 }),
  ];
  assert.equal(diagnose(rows).length, 1);
  const all = diagnose(rows, { all: true });
  assert.equal(all.length, 3);
  assert.deepEqual(all.map((c) => c.cause).sort(), ['allowed', 'allowed', 'nacl-or-sg']);
  assert.equal(all.find((c) => c.server.port === 80)!.explanation, 'accepted in both directions');
});

test('filters: --src / --dst CIDRs match the client and server, --port either side', () => {
  const rows = [
    ...BACKGROUND,
    flow('203.0.113.9', 51515, WEB, 22, 'reject'),
    flow(WEB, 45000, '192.0.2.50', 5432, 'reject'),
  ];
  assert.equal(diagnose(rows, { src: parseAddressFilter('203.0.113.0/24') }).length, 1);
  assert.equal(diagnose(rows, { dst: parseAddressFilter('192.0.2.50') })[0]!.server.port, 5432);
  assert.equal(diagnose(rows, { dst: parseAddressFilter('10.0.0.0/8') })[0]!.server.port, 22);
  assert.equal(diagnose(rows, { port: 5432 }).length, 1);
  assert.equal(diagnose(rows, { port: 45000 }).length, 1);
  assert.equal(diagnose(rows, { port: 3389 }).length, 0);
});

test('never-logged traffic: the list and the expected-absence notes', () => {
  const text = NEVER_LOGGED.join('\n');
  for (const needle of ['169.254.169.254', 'Amazon DNS', '169.254.169.253', '169.254.169.123', 'DHCP', 'Windows license activation', 'mirrored', 'VPC router', 'Network Load Balancer']) {
    assert.ok(text.includes(needle), needle);
  }
  const imds = expectedAbsences({ dst: parseAddressFilter('169.254.169.254') });
  assert.equal(imds.length, 1);
  assert.match(imds[0]!, /^--dst 169\.254\.169\.254 is 169\.254\.169\.254, the instance metadata service: .*absence of records for it is expected/);
  const linkLocal = expectedAbsences({ dst: parseAddressFilter('169.254.169.0/24') });
  assert.ok(linkLocal.length >= 5);
  assert.match(expectedAbsences({ dst: parseAddressFilter('169.254.169.123') })[0]!, /Time Sync/);
  assert.match(expectedAbsences({ src: parseAddressFilter('fd00:ec2::254') })[0]!, /^--src fd00:ec2::254 .*metadata/);
  assert.match(expectedAbsences({ dst: parseAddressFilter('10.0.0.2') })[0]!, /Amazon DNS resolver.*expected/);
  assert.match(expectedAbsences({ dst: parseAddressFilter('10.0.4.1') })[0]!, /VPC router.*expected/);
  assert.match(expectedAbsences({ port: 67 })[0]!, /DHCP/);
  assert.deepEqual(expectedAbsences({ dst: parseAddressFilter('10.0.1.15'), port: 443 }), []);
  assert.throws(() => parseAddressFilter('not-an-ip'));
});

test('the interface address from the store decides inbound/outbound for a lone record', () => {
  const lone = [flow('10.0.7.7', 33000, WEB, 8443, 'reject')];
  const addresses = new Map([[ENI, WEB]]);
  assert.equal(diagnose(lone, { interfaceAddresses: addresses })[0]!.startedBy, 'remote');
  const outbound = [flow(WEB, 33000, '10.0.7.7', 8443, 'reject')];
  assert.equal(diagnose(outbound, { interfaceAddresses: addresses })[0]!.startedBy, 'interface');
  assert.equal(diagnose(outbound, { interfaceAddresses: addresses })[0]!.sides, 'interface-address');
});
