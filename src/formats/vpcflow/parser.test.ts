import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseText } from '../../testing/parse.js';
import { getPath } from '../../ecs/event.js';
import { detectFormat } from '../registry.js';
import { communityId } from './community-id.js';
import { tcpFlagNames } from './to-ecs.js';
import { fieldsUpTo, TGW_FIELDS } from './fields.js';
import { vpcflow } from './format.js';

const parse = (text: string, options: Record<string, string> = {}) => parseText('aws.vpcflow', text, { options, original: true });
const V2 = '2 123456789012 eni-0a1b2c3d4e5f67890 10.0.1.15 198.51.100.7 49152 443 6 12 4210 1763798400 1763798460 ACCEPT OK';

test('default version-2 line maps to ECS', () => {
  const r = parse(V2);
  assert.deepEqual(r.rejected, []);
  const e = r.events[0]!;
  assert.equal(e['@timestamp'], '2025-11-22T08:01:00Z');
  assert.equal(e.event?.start, '2025-11-22T08:00:00Z');
  assert.equal(e.event?.end, '2025-11-22T08:01:00Z');
  assert.equal(e.event?.action, 'accept');
  assert.equal(e.event?.outcome, 'success');
  assert.deepEqual(e.event?.type, ['connection', 'allowed']);
  assert.equal(e.event?.dataset, 'aws.vpcflow');
  assert.equal(e.event?.ingested, '2026-01-01T00:00:00.000Z');
  assert.equal(e.event?.original, V2);
  assert.equal(typeof e.event?.id, 'string');
  assert.deepEqual(e.source, { address: '10.0.1.15', ip: '10.0.1.15', port: 49152, bytes: 4210, packets: 12 });
  assert.deepEqual(e.destination, { address: '198.51.100.7', ip: '198.51.100.7', port: 443 });
  assert.equal(getPath(e, 'network.transport'), 'tcp');
  assert.equal(getPath(e, 'network.iana_number'), '6');
  assert.equal(getPath(e, 'network.type'), 'ipv4');
  assert.equal(getPath(e, 'network.bytes'), 4210);
  assert.equal(getPath(e, 'network.packets'), 12);
  assert.equal(getPath(e, 'cloud.account.id'), '123456789012');
  assert.equal(getPath(e, 'observer.ingress.interface.name'), 'eni-0a1b2c3d4e5f67890');
  assert.equal(getPath(e, 'aws.vpcflow.interface_id'), 'eni-0a1b2c3d4e5f67890');
  assert.equal(getPath(e, 'log.file.path'), 'test.log');
  assert.deepEqual(getPath(e, 'related.ip'), ['10.0.1.15', '198.51.100.7']);
  assert.match(String(getPath(e, 'network.community_id')), /^1:[A-Za-z0-9+/]{27}=$/);
  // The same record always gets the same id.
  assert.equal(parse(V2).events[0]!.event?.id, e.event?.id);
});

test('REJECT, ICMP and an unknown protocol number', () => {
  const [rej, icmp, gre] = parse(
    [
      '2 123456789012 eni-0a1b2c3d4e5f67890 203.0.113.9 10.0.1.15 51515 22 6 1 40 1763798400 1763798460 REJECT OK',
      '2 123456789012 eni-0a1b2c3d4e5f67890 203.0.113.9 10.0.1.15 0 0 1 4 336 1763798400 1763798460 ACCEPT OK',
      '2 123456789012 eni-0a1b2c3d4e5f67890 203.0.113.9 10.0.1.15 0 0 253 4 336 1763798400 1763798460 ACCEPT OK',
    ].join('\n'),
  ).events;
  assert.equal(rej!.event?.action, 'reject');
  assert.equal(rej!.event?.outcome, 'failure');
  assert.deepEqual(rej!.event?.type, ['connection', 'denied']);
  assert.equal(getPath(icmp!, 'network.transport'), 'icmp');
  assert.equal(getPath(icmp!, 'network.community_id'), undefined);
  assert.equal(getPath(gre!, 'network.transport'), undefined);
  assert.equal(getPath(gre!, 'network.iana_number'), '253');
});

test('NODATA and SKIPDATA records are events without network fields', () => {
  const r = parse(
    '2 123456789012 eni-0a1b2c3d4e5f67890 - - - - - - - 1763798400 1763798460 - NODATA\n' +
      '2 123456789012 eni-0a1b2c3d4e5f67890 - - - - - - - 1763798400 1763798460 - SKIPDATA',
  );
  assert.deepEqual(r.rejected, []);
  const [nodata, skip] = r.events;
  assert.equal(nodata!.event?.action, 'no-data');
  assert.equal(nodata!.event?.outcome, 'unknown');
  assert.match(String(nodata!.event?.reason), /no network traffic/);
  assert.equal(getPath(nodata!, 'aws.vpcflow.log_status'), 'NODATA');
  assert.equal(skip!.event?.action, 'skip-data');
  assert.equal(getPath(skip!, 'aws.vpcflow.log_status'), 'SKIPDATA');
  for (const e of [nodata!, skip!]) {
    assert.equal(e.source, undefined);
    assert.equal(e.destination, undefined);
    assert.equal(e.network, undefined);
    assert.equal(getPath(e, 'observer.ingress.interface.name'), 'eni-0a1b2c3d4e5f67890');
  }
});

test('IPv6 addresses are canonicalized and typed', () => {
  const [e] = parse('2 123456789012 eni-0a1b2c3d4e5f67890 2001:DB8:0:0:0:0:0:1 2001:db8::ff00:42:8329 34892 22 6 5 500 1763798400 1763798460 ACCEPT OK').events;
  assert.equal(getPath(e!, 'source.ip'), '2001:db8::1');
  assert.equal(getPath(e!, 'destination.ip'), '2001:db8::ff00:42:8329');
  assert.equal(getPath(e!, 'network.type'), 'ipv6');
});

test('each version\'s "all fields" layout is recognized by its field count', () => {
  const sample: Record<string, string> = {
    version: '8', 'account-id': '123456789012', 'interface-id': 'eni-0a1b', srcaddr: '10.0.0.5', dstaddr: '10.0.0.9', srcport: '40000',
    dstport: '5432', protocol: '6', packets: '3', bytes: '180', start: '1763798400', end: '1763798460', action: 'ACCEPT',
    'log-status': 'OK', 'vpc-id': 'vpc-01', 'subnet-id': 'subnet-01', 'instance-id': 'i-01', 'tcp-flags': '19', type: 'IPv4',
    'pkt-srcaddr': '10.0.0.5', 'pkt-dstaddr': '10.0.0.9', region: 'eu-west-1', 'az-id': 'euw1-az2', 'sublocation-type': 'outpost',
    'sublocation-id': 'op-01', 'pkt-src-aws-service': '-', 'pkt-dst-aws-service': 'S3', 'flow-direction': 'egress', 'traffic-path': '2',
    'ecs-cluster-arn': 'arn:aws:ecs:eu-west-1:123456789012:cluster/c1', 'ecs-cluster-name': 'c1', 'ecs-container-instance-arn': 'arn:ci',
    'ecs-container-instance-id': 'ci-1', 'ecs-container-id': 'ct-1', 'ecs-second-container-id': 'ct-2', 'ecs-service-name': 'svc',
    'ecs-task-definition-arn': 'arn:td', 'ecs-task-arn': 'arn:task', 'ecs-task-id': 't-1', 'reject-reason': '-',
  };
  for (const version of [2, 3, 4, 5, 7, 8]) {
    const names = fieldsUpTo(version);
    const r = parse(names.map((n) => sample[n]).join(' '));
    assert.deepEqual(r.rejected, [], `v${version}`);
    const e = r.events[0]!;
    assert.equal(getPath(e, 'destination.port'), 5432, `v${version}`);
    if (version >= 3) {
      assert.equal(getPath(e, 'aws.vpcflow.vpc_id'), 'vpc-01');
      assert.equal(getPath(e, 'aws.vpcflow.subnet_id'), 'subnet-01');
      assert.equal(getPath(e, 'cloud.instance.id'), 'i-01');
      assert.equal(getPath(e, 'aws.vpcflow.tcp_flags'), 19);
      assert.deepEqual(getPath(e, 'aws.vpcflow.tcp_flags_array'), ['FIN', 'SYN', 'ACK', 'SYN-ACK']);
      assert.equal(getPath(e, 'aws.vpcflow.pkt_dstaddr'), '10.0.0.9');
    }
    if (version >= 4) {
      assert.equal(getPath(e, 'cloud.region'), 'eu-west-1');
      assert.equal(getPath(e, 'aws.vpcflow.sublocation.type'), 'outpost');
      assert.equal(getPath(e, 'aws.vpcflow.sublocation.id'), 'op-01');
    }
    if (version >= 5) {
      assert.equal(getPath(e, 'network.direction'), 'egress');
      assert.equal(getPath(e, 'aws.vpcflow.traffic_path'), '2');
      assert.equal(getPath(e, 'aws.vpcflow.pkt_dst_aws_service'), 'S3');
      assert.equal(getPath(e, 'aws.vpcflow.pkt_src_aws_service'), undefined);
    }
    if (version >= 7) {
      assert.equal(getPath(e, 'orchestrator.cluster.name'), 'c1');
      assert.equal(getPath(e, 'service.name'), 'svc');
      assert.equal(getPath(e, 'aws.vpcflow.ecs_task_id'), 't-1');
    }
  }
});

test('custom order from a header line, repeated mid-file, with unknown extra fields', () => {
  const text = [
    'interface-id srcaddr dstaddr dstport srcport protocol bytes packets end start action log-status flow-direction reject-reason encryption-status',
    'eni-0aa 10.0.0.1 10.0.0.2 80 33000 6 100 2 1763798460 1763798400 REJECT OK ingress BPA 1',
    '',
    'account-id start end srcaddr dstaddr action log-status',
    '123456789012 1763798400 1763798460 10.0.0.3 10.0.0.4 ACCEPT OK',
  ].join('\n');
  const r = parse(text);
  assert.deepEqual(r.rejected, []);
  assert.equal(r.events.length, 2);
  assert.equal(r.skipped.header, 2);
  const [a, b] = r.events;
  assert.equal(getPath(a!, 'destination.port'), 80);
  assert.equal(getPath(a!, 'source.port'), 33000);
  assert.equal(a!.event?.start, '2025-11-22T08:00:00Z');
  assert.equal(a!.event?.reason, 'BPA');
  assert.equal(getPath(a!, 'network.direction'), 'ingress');
  assert.equal(getPath(a!, 'aws.vpcflow.encryption_status'), '1');
  assert.equal(getPath(b!, 'cloud.account.id'), '123456789012');
  assert.equal(getPath(b!, 'source.ip'), '10.0.0.3');
  assert.equal(getPath(b!, 'source.port'), undefined);
});

test('a parser starting mid-file gets the header replayed through headerPattern', () => {
  const header = 'version srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status interface-id';
  const text = `${header}\n5 10.0.0.1 10.0.0.2 1 2 6 1 1 1763798400 1763798460 ACCEPT OK eni-1\n`;
  const found = text.match(vpcflow.headerPattern!);
  assert.deepEqual(found, [header]);
  // Data lines, even those starting with a lower-case id, are not headers.
  assert.equal('eni-0aa 10.0.0.1 10.0.0.2 80'.match(vpcflow.headerPattern!), null);
  assert.equal('vpc-01 subnet-01 i-01'.match(vpcflow.headerPattern!), null);
});

test('--fields gives the layout (space or comma separated)', () => {
  for (const fields of ['srcaddr dstaddr srcport dstport protocol start end action log-status', '${srcaddr},${dstaddr}, srcport,dstport,protocol,start,end,action,log-status']) {
    const r = parse('10.0.0.1 10.0.0.2 40000 443 6 1763798400 1763798460 ACCEPT OK', { fields });
    assert.deepEqual(r.rejected, [], fields);
    assert.equal(getPath(r.events[0]!, 'destination.port'), 443);
  }
});

test('field-count mismatches are rejected, naming the header', () => {
  const header = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
  const r = parse(`${header}\n2 123456789012 eni-1 10.0.0.1 10.0.0.2 1 2 6 1`);
  assert.equal(r.rejected.length, 1);
  assert.equal(r.rejected[0]!.reason, `expected 14 space-separated fields per header "${header}", got 9`);
  const opt = parse('10.0.0.1 10.0.0.2 1', { fields: 'srcaddr dstaddr srcport dstport' });
  assert.match(opt.rejected[0]!.reason, /^expected 4 space-separated fields per the --fields list "srcaddr dstaddr srcport dstport", got 3$/);
  const none = parse('2 123456789012 eni-1 10.0.0.1 10.0.0.2 1 2 6 1');
  assert.match(none.rejected[0]!.reason, /^expected 14 space-separated fields per the default version-2 format "version account-id .* log-status" .*, got 9$/);
});

test('bad values are rejected with what was expected', () => {
  const bad = [
    ['2 123456789012 eni-1 10.0.0.999 10.0.0.2 1 2 6 1 1 1763798400 1763798460 ACCEPT OK', /srcaddr '10.0.0.999' is not an IP address/],
    ['2 123456789012 eni-1 10.0.0.1 10.0.0.2 1 70000 6 1 1 1763798400 1763798460 ACCEPT OK', /dstport '70000' is not a whole number from 0 to 65535/],
    ['2 123456789012 eni-1 10.0.0.1 10.0.0.2 1 2 6 x 1 1763798400 1763798460 ACCEPT OK', /packets 'x' is not a whole number/],
    ['2 123456789012 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 - - ACCEPT OK', /no start or end time/],
    ['2 123456789012 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 1763798400 1763798460 ALLOW OK', /action 'ALLOW' is not ACCEPT or REJECT/],
    ['2 123456789012 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 1763798400 1763798460 constructor OK', /action 'constructor' is not ACCEPT or REJECT/],
    ['2 123456789012 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 99999999999999 1763798460 ACCEPT OK', /start '99999999999999' is not a whole number from 0 to 253402300799/],
    ['{"srcaddr": "10.0.0.1"', /invalid JSON/],
    ['{"foo": 1}', /no flow-log fields/],
  ] as const;
  const guessed = parse('2 123456789012 eni-1 10.0.0.1 nope 1 2 6 1 1 1763798400 1763798460 ACCEPT OK');
  assert.match(guessed.rejected[0]!.reason, /^dstaddr 'nope' is not an IP address \(fields read as the default version-2 format \(14 fields\); give the header line or --fields/);
  for (const [line, reason] of bad) {
    const r = parse(line);
    assert.equal(r.events.length, 0, line);
    assert.match(r.rejected[0]!.reason, reason, line);
  }
});

test('tcp-flags decoding', () => {
  assert.deepEqual(tcpFlagNames(2), ['SYN']);
  assert.deepEqual(tcpFlagNames(18), ['SYN', 'ACK', 'SYN-ACK']);
  assert.deepEqual(tcpFlagNames(3), ['FIN', 'SYN']);
  assert.deepEqual(tcpFlagNames(4), ['RST']);
  assert.deepEqual(tcpFlagNames(8 | 16 | 32), ['PSH', 'ACK', 'URG']);
  assert.deepEqual(tcpFlagNames(0), []);
});

test('Transit Gateway default layout (36 fields)', () => {
  const v: Record<string, string> = Object.fromEntries(TGW_FIELDS.map((n) => [n, '-']));
  Object.assign(v, {
    version: '6', 'resource-type': 'TransitGateway', 'account-id': '123456789012', 'tgw-id': 'tgw-0123', 'tgw-attachment-id': 'tgw-attach-0a',
    'tgw-src-vpc-id': 'vpc-src', 'tgw-dst-vpc-id': 'vpc-dst', srcaddr: '10.1.0.5', dstaddr: '10.2.0.9', srcport: '50000', dstport: '443',
    protocol: '6', packets: '10', bytes: '900', start: '1763798400', end: '1763798460', 'log-status': 'OK', type: 'IPv4',
    'packets-lost-no-route': '3', 'packets-lost-blackhole': '0', 'tcp-flags': '2', region: 'us-east-1', 'flow-direction': 'ingress',
  });
  const r = parse(TGW_FIELDS.map((n) => v[n]).join(' '));
  assert.deepEqual(r.rejected, []);
  const e = r.events[0]!;
  assert.equal(getPath(e, 'aws.vpcflow.tgw_id'), 'tgw-0123');
  assert.equal(getPath(e, 'aws.vpcflow.resource_type'), 'TransitGateway');
  assert.equal(getPath(e, 'aws.vpcflow.packets_lost_no_route'), 3);
  assert.equal(getPath(e, 'aws.vpcflow.packets_lost_blackhole'), 0);
  assert.equal(e.event?.reason, 'packets lost at the transit gateway: 3 no route');
  assert.equal(e.event?.outcome, 'failure');
  assert.equal(getPath(e, 'observer.name'), 'tgw-0123');
  assert.equal(getPath(e, 'source.ip'), '10.1.0.5');
  assert.equal(getPath(e, 'cloud.region'), 'us-east-1');
  assert.equal(detectFormat({ name: '', lines: [TGW_FIELDS.map((n) => v[n]).join(' ')] }).format?.id, 'aws.vpcflow');
});

test('JSON records (Parquet exports) with underscore or hyphen keys, and message wrappers', () => {
  const json = [
    '{"version":5,"account_id":"123456789012","interface_id":"eni-0a","srcaddr":"10.0.0.1","dstaddr":"10.0.0.2","srcport":40000,"dstport":443,"protocol":6,"packets":4,"bytes":400,"start":1763798400,"end":1763798460,"action":"REJECT","log_status":"OK","flow_direction":"egress","tcp_flags":2}',
    '{"account-id":"123456789012","interface-id":"eni-0b","start":"1763798400","end":"1763798460","log-status":"NODATA","srcaddr":null}',
    '{"message":"2 123456789012 eni-0c 10.0.0.1 10.0.0.2 1 2 17 1 1 1763798400 1763798460 ACCEPT OK","@timestamp":"2025-11-22T08:01:00Z"}',
  ].join('\n');
  const r = parse(json);
  assert.deepEqual(r.rejected, []);
  const [a, b, c] = r.events;
  assert.equal(a!.event?.action, 'reject');
  assert.equal(getPath(a!, 'destination.port'), 443);
  assert.equal(getPath(a!, 'network.direction'), 'egress');
  assert.deepEqual(getPath(a!, 'aws.vpcflow.tcp_flags_array'), ['SYN']);
  assert.equal(getPath(a!, 'observer.ingress.interface.name'), 'eni-0a');
  assert.equal(b!.event?.action, 'no-data');
  assert.equal(getPath(b!, 'observer.ingress.interface.name'), 'eni-0b');
  assert.equal(getPath(c!, 'network.transport'), 'udp');
  // The wrapped record has the same id as the bare record.
  const bare = parse('2 123456789012 eni-0c 10.0.0.1 10.0.0.2 1 2 17 1 1 1763798400 1763798460 ACCEPT OK').events[0]!;
  assert.equal(c!.event?.id, bare.event?.id);
  assert.equal(detectFormat({ name: '', lines: json.split('\n') }).format?.id, 'aws.vpcflow');
});

test('blank lines, tabs and doubled spaces', () => {
  const r = parse(`\n  \n${V2.replace(/ /g, '\t')}\n${V2.replace(/ /, '  ')}`);
  assert.deepEqual(r.rejected, []);
  assert.equal(r.events.length, 2);
});

test('community id matches the spec examples for both directions', () => {
  const a = communityId('10.0.1.15', '198.51.100.7', 6, 49152, 443);
  const b = communityId('198.51.100.7', '10.0.1.15', 6, 443, 49152);
  assert.equal(a, b);
  // Published Community ID v1 test vector (tcp 128.232.110.120:34855 → 66.35.250.204:80).
  assert.equal(communityId('128.232.110.120', '66.35.250.204', 6, 34855, 80), '1:LQU9qZlK+B5F3KDmev6m5PMibrg=');
});

test('detection: header lines, default lines, object names', () => {
  assert.equal(detectFormat({ name: '', lines: ['version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status'] }).score, 1);
  assert.equal(detectFormat({ name: '', lines: [V2] }).format?.id, 'aws.vpcflow');
  assert.ok(vpcflow.detect({ name: 'AWSLogs/123456789012/vpcflowlogs/us-east-1/2025/11/22/123456789012_vpcflowlogs_us-east-1_fl-0abc_20251122T0800Z_1a2b.log.gz', lines: [] }) > 0);
});
