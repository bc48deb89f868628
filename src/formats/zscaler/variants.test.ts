import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseText } from '../../testing/parse.js';
import { getPath, type EcsEvent } from '../../ecs/event.js';
import { detectFormat } from '../registry.js';

// Records written from ../shared/reference/zscaler-umbrella-defender-variants.md §1: the same datum
// under the raw NSS token, the SIEM preset key and the Cloud NSS spelling; URLs as NSS logs them.

function one(line: string, options: Record<string, string> = {}): EcsEvent {
  const r = parseText('zscaler.zia', line, { options });
  assert.deepEqual(r.rejected, [], line);
  assert.equal(r.events.length, 1);
  assert.equal(r.events[0]!.tags, undefined, JSON.stringify(r.events[0]!.packettrail));
  return r.events[0]!;
}

// The Splunk/JSON preset (SUMO-ZIA): ClientIP, requestmethod, protocol, refererURL … and datetime.
const PRESET = {
  datetime: '2021-06-17 14:53:16', reason: 'Allowed', event_id: '6979298745321', protocol: 'HTTPS', action: 'Allowed',
  transactionsize: '1234', responsesize: '1000', requestsize: '234', urlcategory: 'Web Search', serverip: '198.51.100.7',
  requestmethod: 'GET', refererURL: 'https://portal.example.com/', useragent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)',
  product: 'NSS', location: 'HQ', ClientIP: '203.0.113.9', status: '200', user: 'jdoe@safemarch.com',
  url: 'app.example.com/search?q=1', vendor: 'Zscaler', hostname: 'app.example.com', threatcategory: 'None', threatname: 'None',
  appname: 'General Browsing', pagerisk: '5', department: 'Sales', urlsupercategory: 'Information Technology',
  appclass: 'General Browsing', dlpengine: 'None', urlclass: 'Business Use', contenttype: 'text/html', deviceowner: 'jdoe',
  devicehostname: 'LT-1',
};

test('web: the SIEM preset key names (ClientIP, requestmethod, protocol …) read like the NSS tokens', () => {
  for (const line of [JSON.stringify(PRESET), JSON.stringify({ sourcetype: 'zscalernss-web', event: PRESET })]) {
    const e = one(line, { timezone: '+02:00' });
    assert.equal(getPath(e, 'zscaler.feed'), 'web');
    assert.equal(e['@timestamp'], '2021-06-17T12:53:16Z', 'datetime in the feed zone');
    assert.equal(getPath(e, 'http.request.method'), 'GET');
    assert.equal(getPath(e, 'network.protocol'), 'https');
    assert.equal(getPath(e, 'source.nat.ip'), '203.0.113.9');
    assert.equal(getPath(e, 'destination.ip'), '198.51.100.7');
    assert.equal(getPath(e, 'destination.domain'), 'app.example.com');
    assert.equal(getPath(e, 'http.response.status_code'), 200);
    assert.deepEqual([getPath(e, 'http.request.bytes'), getPath(e, 'http.response.bytes'), getPath(e, 'network.bytes')], [234, 1000, 1234]);
    assert.equal(getPath(e, 'http.request.referrer'), 'https://portal.example.com/');
    assert.equal(getPath(e, 'user_agent.original'), PRESET.useragent);
    assert.equal(getPath(e, 'user.email'), 'jdoe@safemarch.com');
    assert.equal(getPath(e, 'zscaler.department'), 'Sales');
    assert.equal(getPath(e, 'zscaler.url_category'), 'Web Search');
    assert.equal(getPath(e, 'zscaler.url_super_category'), 'Information Technology');
    assert.equal(getPath(e, 'zscaler.record_id'), '6979298745321');
    assert.equal(getPath(e, 'event.risk_score'), 5);
    assert.equal(getPath(e, 'url.original'), 'app.example.com/search?q=1');
    assert.equal(getPath(e, 'url.scheme'), 'https');
    assert.equal(getPath(e, 'url.full'), 'https://app.example.com/search?q=1');
  }
  assert.equal(detectFormat({ name: 'stdin', lines: [JSON.stringify(PRESET)] }).format?.id, 'zscaler.zia');
  // Cloud NSS spellings: cltip, cltintip, cltsourceport.
  const cloud = one(JSON.stringify({ sourcetype: 'zscalernss-web', event: { time: 'Mon Oct 16 22:55:48 2023', cltip: '203.0.113.9', cltintip: '10.1.2.3', cltsourceport: '51515', serverip: '198.51.100.7', eurl: 'a.example.com/', proto: 'HTTP', reqmethod: 'GET' } }));
  assert.deepEqual([getPath(cloud, 'source.ip'), getPath(cloud, 'source.port'), getPath(cloud, 'source.nat.ip')], ['10.1.2.3', 51515, '203.0.113.9']);
});

test('web URLs: url.original as logged, the scheme from the protocol, none invented', () => {
  const web = (event: Record<string, string>) => one(JSON.stringify({ sourcetype: 'zscalernss-web', event: { time: 'Mon Oct 16 22:55:48 2023', ...event } }));
  const http = web({ eurl: 'test.zscaler.com/filestreamingservice/files/199', proto: 'HTTP', reqmethod: 'GET' });
  assert.deepEqual([getPath(http, 'url.original'), getPath(http, 'url.scheme'), getPath(http, 'url.full'), getPath(http, 'url.path')],
    ['test.zscaler.com/filestreamingservice/files/199', 'http', 'http://test.zscaler.com/filestreamingservice/files/199', '/filestreamingservice/files/199']);
  for (const proto of ['HTTPS', 'SSL']) assert.equal(getPath(web({ eurl: 'ebay.com/', proto }), 'url.scheme'), 'https', proto);
  // A CONNECT tunnel logs host:port.
  const tunnel = web({ url: 'hamsan.yektanet.com:443', proto: 'HTTP_PROXY', reqmethod: 'CONNECT' });
  assert.deepEqual([getPath(tunnel, 'url.original'), getPath(tunnel, 'url.domain'), getPath(tunnel, 'url.scheme')], ['hamsan.yektanet.com:443', 'hamsan.yektanet.com', 'https']);
  // No protocol, nothing else to tell: no scheme and no url.full, the parts still read.
  const unknown = web({ eurl: 'ebay.com/itm/1?x=2' });
  assert.deepEqual([getPath(unknown, 'url.original'), getPath(unknown, 'url.scheme'), getPath(unknown, 'url.full')], ['ebay.com/itm/1?x=2', undefined, undefined]);
  assert.deepEqual([getPath(unknown, 'url.domain'), getPath(unknown, 'url.path'), getPath(unknown, 'url.query')], ['ebay.com', '/itm/1', 'x=2']);
  // A logged URL that carries its scheme keeps it.
  assert.equal(getPath(web({ eurl: 'http://x.example/', proto: 'HTTPS' }), 'url.scheme'), 'http');
});

test('firewall: tsip 0.0.0.0 is no NAT address; ipproto is the protocol', () => {
  const fw = (tsip: string) => one(JSON.stringify({ sourcetype: 'zscalernss-fw', event: { datetime: 'Fri Dec 17 07:27:54 2021', csip: '10.1.2.3', csport: '55018', cdip: '198.51.100.7', cdport: '443', tsip, ipproto: 'TCP', action: 'Allow' } }));
  assert.equal(getPath(fw('0.0.0.0'), 'source.nat'), undefined);
  const nat = fw('89.160.20.128');
  assert.equal(getPath(nat, 'source.nat.ip'), '89.160.20.128');
  assert.equal(getPath(nat, 'network.transport'), 'tcp');
});

test('DNS with the raw NSS tokens (cip, sip, req, reqtype, res, domcat); CASB fullurl', () => {
  const dns = one('time="Mon Oct 16 22:55:48 2023" cip=10.1.2.3 sip=8.8.8.8 sport=53 req=www.example.com reqtype="A record" res=93.184.216.34 reqaction=REQ_ALLOW resaction=RES_ALLOW domcat="Professional Services"');
  assert.equal(getPath(dns, 'zscaler.feed'), 'dns');
  assert.deepEqual([getPath(dns, 'source.ip'), getPath(dns, 'destination.ip'), getPath(dns, 'destination.port')], ['10.1.2.3', '8.8.8.8', 53]);
  assert.deepEqual([getPath(dns, 'dns.question.name'), getPath(dns, 'dns.question.type'), getPath(dns, 'dns.resolved_ip')], ['www.example.com', 'A', ['93.184.216.34']]);
  assert.equal(getPath(dns, 'zscaler.dns.category'), 'Professional Services');
  const casb = one(JSON.stringify({ sourcetype: 'zscalernss-casb', event: { datetime: 'Mon Oct 16 22:55:48 2023', fullurl: 'https://drive.example.com/file/d/1', filename: 'plan.docx', user: 'jdoe@corp.example' } }));
  assert.deepEqual([getPath(casb, 'url.original'), getPath(casb, 'url.domain'), getPath(casb, 'file.name')], ['https://drive.example.com/file/d/1', 'drive.example.com', 'plan.docx']);
});
