import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseText } from '../../testing/parse.js';
import { getPath, type EcsEvent } from '../../ecs/event.js';
import { panos } from './format.js';

function one(line: string, options: Record<string, string> = {}): EcsEvent {
  const r = parseText('panw.panos', line, { options });
  assert.deepEqual(r.rejected, [], line);
  assert.equal(r.events.length, 1);
  return r.events[0]!;
}

const CEF_TRAFFIC =
  '<14>Nov 20 10:00:01 fw01 CEF:0|Palo Alto Networks|PAN-OS|11.1.2|end|TRAFFIC|1|rt=Nov 20 2026 09:00:01 GMT deviceExternalId=013201001234 ' +
  'src=10.1.2.3 dst=13.224.10.5 sourceTranslatedAddress=203.0.113.10 destinationTranslatedAddress=0.0.0.0 cs1Label=Rule cs1=allow web\\=egress ' +
  'suser=corp\\\\lee.cole duser= app=ssl cs3Label=Virtual System cs3=vsys1 cs4Label=Source Zone cs4=trust cs5Label=Destination Zone cs5=untrust ' +
  'deviceInboundInterface=ethernet1/2 deviceOutboundInterface=ethernet1/1 cs6Label=LogProfile cs6=default cn1Label=SessionID cn1=418273 cnt=1 ' +
  'spt=52114 dpt=443 sourceTranslatedPort=40001 destinationTranslatedPort=0 flexString1Label=Flags flexString1=0x400053 proto=tcp act=allow ' +
  'flexNumber1Label=Total bytes flexNumber1=5200 in=1200 out=4000 cn2Label=Packets cn2=20 PanOSPacketsReceived=11 PanOSPacketsSent=9 ' +
  'start=Nov 20 2026 09:00:00 GMT cn3Label=Elapsed time in seconds cn3=29 cs2Label=URL Category cs2=computer-and-internet-info externalId=7000001 ' +
  'reason=tcp-fin PanOSDGl1=0 PanOSDGl2=0 PanOSDGl3=0 PanOSDGl4=0 PanOSVsysName= dvchost=fw01-edge PanOSRuleUUID=9c1f7e2a';

test('CEF TRAFFIC: header, labelled custom fields, escapes, NAT', () => {
  const e = one(CEF_TRAFFIC);
  assert.equal(e['@timestamp'], '2026-11-20T09:00:00Z');
  assert.equal(e.event?.created, '2026-11-20T09:00:01Z');
  assert.deepEqual(getPath(e, 'source.nat'), { ip: '203.0.113.10', port: 40001 });
  assert.equal(getPath(e, 'source.user.name'), 'lee.cole');
  assert.equal(getPath(e, 'source.user.domain'), 'corp');
  assert.equal(getPath(e, 'destination.user'), undefined);
  assert.equal(getPath(e, 'rule.name'), 'allow web=egress');
  assert.equal(getPath(e, 'rule.uuid'), '9c1f7e2a');
  assert.equal(getPath(e, 'observer.ingress.zone'), 'trust');
  assert.equal(getPath(e, 'observer.hostname'), 'fw01-edge');
  assert.equal(getPath(e, 'observer.version'), '11.1.2');
  assert.equal(getPath(e, 'panw.panos.session_id'), '418273');
  assert.equal(getPath(e, 'network.bytes'), 5200);
  assert.equal(getPath(e, 'network.packets'), 20);
  assert.equal(getPath(e, 'source.packets'), 9);
  assert.equal(getPath(e, 'event.duration'), 29e9);
  assert.equal(getPath(e, 'event.action'), 'flow_terminated');
  assert.equal(getPath(e, 'event.reason'), 'tcp-fin');
  assert.equal(getPath(e, 'panw.panos.url.category'), 'computer-and-internet-info');
});

test('CEF THREAT with epoch-millisecond times and a threat id signature', () => {
  const e = one(
    'CEF:0|Palo Alto Networks|PAN-OS|10.2.4|Eicar File Detected(39040)|THREAT|5|rt=1795165200000 deviceExternalId=0123 src=10.1.2.3 dst=198.51.100.8 ' +
      'spt=50000 dpt=80 proto=tcp act=reset-both request=eicar.com.txt cs2Label=URL Category cs2=any flexString2Label=Direction ' +
      'flexString2=server-to-client PanOSThreatCategory=virus cs1Label=Rule cs1=r1 Subtype=virus',
  );
  assert.equal(e['@timestamp'], '2026-11-20T09:00:00Z');
  assert.deepEqual(getPath(e, 'panw.panos.threat'), { id: '39040', name: 'Eicar File Detected' });
  assert.equal(getPath(e, 'network.direction'), 'outbound');
  assert.equal(getPath(e, 'event.outcome'), 'failure');
  assert.equal(getPath(e, 'panw.panos.type'), 'THREAT');
});

test('LEEF 1.0 (PAN-OS QRadar form, | separated) and LEEF 2.0 with a custom delimiter', () => {
  const leef1 =
    '<14>Nov 20 10:00:01 fw01 LEEF:1.0|Palo Alto Networks|PAN-OS Syslog Integration|11.0.3|allow|cat=TRAFFIC|ReceiveTime=2026/11/20 10:00:01|' +
    'SerialNumber=013201001234|Type=TRAFFIC|Subtype=end|devTime=2026/11/20 10:00:00|src=10.1.2.3|dst=13.224.10.5|srcPostNAT=203.0.113.10|' +
    'dstPostNAT=0.0.0.0|RuleName=allow-web-egress|usrName=corp\\lee.cole|SourceUser=corp\\lee.cole|DestinationUser=|Application=ssl|' +
    'VirtualSystem=vsys1|SourceZone=trust|DestinationZone=untrust|IngressInterface=ethernet1/2|EgressInterface=ethernet1/1|' +
    'LogForwardingProfile=default|SessionID=418273|RepeatCount=1|srcPort=52114|dstPort=443|srcPostNATPort=40001|dstPostNATPort=0|' +
    'Flags=0x400053|proto=tcp|action=allow|totalBytes=5200|dstBytes=4000|srcBytes=1200|totalPackets=20|StartTime=2026/11/20 09:59:31|' +
    'ElapsedTime=29|URLCategory=any|sequence=7000001|ActionFlags=0x0|SourceLocation=10.0.0.0-10.255.255.255|DestinationLocation=United States|' +
    'dstPackets=11|srcPackets=9|SessionEndReason=tcp-fin|DeviceName=fw01-edge|';
  const e = one(leef1, { timezone: '+01:00' });
  assert.equal(e['@timestamp'], '2026-11-20T09:00:00Z');
  assert.deepEqual(getPath(e, 'source.nat'), { ip: '203.0.113.10', port: 40001 });
  assert.equal(getPath(e, 'destination.bytes'), 4000);
  assert.equal(getPath(e, 'user.name'), 'lee.cole');
  assert.equal(getPath(e, 'rule.name'), 'allow-web-egress');
  assert.equal(getPath(e, 'event.start'), '2026-11-20T08:59:31Z');
  const leef2 = 'LEEF:2.0|Palo Alto Networks|PAN-OS Syslog Integration|11.0.3|deny|^|cat=TRAFFIC^Subtype=deny^devTime=2026/11/20 10:00:00^src=10.1.2.3^dst=10.2.0.9^srcPort=1^dstPort=445^proto=tcp^action=deny^RuleName=block smb';
  const d = one(leef2);
  assert.equal(getPath(d, 'event.outcome'), 'failure');
  assert.equal(getPath(d, 'destination.port'), 445);
  assert.equal(getPath(d, 'rule.name'), 'block smb');
  const tabbed = 'LEEF:1.0|Palo Alto Networks|PAN-OS Syslog Integration|10.1|allow|cat=TRAFFIC\tdevTime=Nov 20 2026 09:00:00 GMT\tsrc=10.1.2.3\tdst=10.2.0.9\taction=allow';
  assert.equal(one(tabbed)['@timestamp'], '2026-11-20T09:00:00Z');
});

test('Strata Logging Service / Cortex Data Lake JSON', () => {
  const traffic = one(JSON.stringify({
    log_type: 'traffic', sub_type: 'end', time_generated: '2026-11-20T09:00:00.250000Z', receive_time: '2026-11-20T09:00:01Z',
    log_source_id: '013201001234', source_ip: '10.1.2.3', dest_ip: '13.224.10.5', nat_source: '203.0.113.10', nat_source_port: 40001,
    nat_dest: '0.0.0.0', source_port: 52114, dest_port: 443, rule_matched: 'allow-web-egress', rule_matched_uuid: 'u-9', app: 'ssl',
    source_user: 'lee.cole@corp.example', from_zone: 'trust', to_zone: 'untrust', session_id: 418273, action: 'allow',
    protocol: 'tcp', bytes_sent: 1200, bytes_received: 4000, bytes_total: 5200, session_end_reason: 'tcp-fin', total_time_elapsed: 29,
    device_name: 'fw01-edge', some_future_key: { nested: true },
  }));
  assert.equal(traffic['@timestamp'], '2026-11-20T09:00:00.250Z');
  assert.deepEqual(getPath(traffic, 'source.nat'), { ip: '203.0.113.10', port: 40001 });
  assert.equal(getPath(traffic, 'rule.uuid'), 'u-9');
  assert.equal(getPath(traffic, 'user.email'), 'lee.cole@corp.example');
  assert.equal(getPath(traffic, 'observer.serial_number'), '013201001234');
  assert.equal(getPath(traffic, 'event.action'), 'flow_terminated');
  const url = one(JSON.stringify({ log_type: { value: 'url' }, time_generated: 1795165200, source_ip: '10.1.2.3', dest_ip: '198.51.100.8', url_domain: 'www.example.com', uri: '/login?next=/', url_category: 'phishing', action: 'block-url', severity: 'High', http_method: 'post' }));
  assert.equal(getPath(url, 'panw.panos.sub_type'), 'url');
  assert.equal(getPath(url, 'url.domain'), 'www.example.com');
  assert.equal(getPath(url, 'url.path'), '/login');
  assert.equal(getPath(url, 'event.kind'), 'alert');
  assert.equal(getPath(url, 'event.severity'), 2);
  assert.equal(getPath(url, 'http.request.method'), 'POST');
  assert.equal(url['@timestamp'], '2026-11-20T09:00:00Z');
  const bad = parseText('panw.panos', '{"log_type":"traffic","source_ip":"x.y"');
  assert.match(bad.rejected[0]!.reason, /^invalid JSON/);
  const notIp = one('{"log_type":"traffic","time_generated":"2026-11-20T09:00:00Z","source_ip":"x.y","action":"allow"}');
  assert.equal(getPath(notIp, 'source.ip'), undefined);
  assert.match((getPath(notIp, 'packettrail.field_errors') as string[])[0]!, /src \(Source Address\) 'x\.y' is not an IP address/);
});

test('SLS JSON documents: an array of records, pretty-printed, each read or rejected on its own', () => {
  const rec = (ip: string, session: number, time = '2026-11-20T09:00:00Z') => ({ log_type: 'traffic', sub_type: 'start', time_generated: time, source_ip: ip, dest_ip: '10.2.0.9', action: 'allow', session_id: session });
  const doc = JSON.stringify({ logs: [rec('10.1.2.3', 1), rec('bad', 2), rec('10.1.2.4', 3, 'never')] }, null, 2);
  const r = parseText('panw.panos', doc, { document: true });
  assert.deepEqual(r.events.map((e) => getPath(e, 'source.ip')), ['10.1.2.3', undefined]);
  assert.deepEqual(getPath(r.events[1]!, 'packettrail.dropped_fields'), ['src']);
  assert.equal(r.rejected.length, 1);
  assert.match(r.rejected[0]!.reason, /no readable time: time_generated \(Generated Time\) 'never'/);
  assert.notEqual(r.events[0]!.event?.id, r.events[1]!.event?.id);
  const line = parseText('panw.panos', JSON.stringify([rec('10.1.2.5', 4)]));
  assert.equal(getPath(line.events[0]!, 'panw.panos.session_id'), '4');
});

test('detect: CSV with and without headers, CEF, LEEF, SLS JSON; not other logs', () => {
  const d = (lines: string[]) => panos.detect({ name: 'x.log', lines });
  assert.ok(d(['<14>Nov 20 10:00:01 fw01 1,2026/11/20 10:00:01,0123,TRAFFIC,end,2049,2026/11/20 10:00:00,10.0.0.1']) >= 0.9);
  assert.ok(d(['1,2026/11/20 10:00:01,0123,THREAT,url,2049,2026/11/20 10:00:00']) >= 0.9);
  assert.ok(d([CEF_TRAFFIC]) >= 0.9);
  assert.ok(d(['LEEF:1.0|Palo Alto Networks|PAN-OS Syslog Integration|11.0.3|allow|cat=TRAFFIC|']) >= 0.9);
  assert.ok(d(['{"log_type":"traffic","source_ip":"10.0.0.1","session_id":1}']) >= 0.5);
  assert.equal(d(['2026-11-20\t10:00:00\tLAX1\t123\t1.2.3.4\tGET\t']), 0);
  assert.equal(d(['2 123456789012 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 40 1 2 ACCEPT OK']), 0);
});
