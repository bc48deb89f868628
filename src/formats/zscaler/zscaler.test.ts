import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseText } from '../../testing/parse.js';
import { getPath, type EcsEvent } from '../../ecs/event.js';
import { eventIdFor } from '../../ecs/event-id.js';
import { detectFormat } from '../registry.js';
import { parseFieldList, readKeyValue } from './read.js';

type Opts = { options?: Record<string, string>; original?: boolean };

function one(text: string, opts: Opts = {}): EcsEvent {
  const r = parseText('zscaler.zia', text, { source: 's3://nss/web/2024/05/01/feed.log', ...opts });
  assert.deepEqual(r.rejected, []);
  assert.equal(r.events.length, 1);
  return r.events[0]!;
}

function reject(text: string, opts: Opts = {}): string {
  const r = parseText('zscaler.zia', text, { source: 'feed.log', ...opts });
  assert.equal(r.events.length, 0);
  assert.equal(r.rejected.length, 1);
  return r.rejected[0]!.reason;
}

const WEB = {
  time: 'Mon Oct 16 22:55:48 2023', tz: 'GMT', login: 'jdoe%40safemarch.com', dept: 'Sales%20EMEA', location: 'HQ',
  cltintip: '10.1.2.3', cltpubip: '203.0.113.9', sip: '198.51.100.7', eurl: 'app.example.com/a%20b?x=1', host: 'app.example.com',
  proto: 'HTTPS', reqmethod: 'GET', respcode: '200', reqsize: '100', respsize: '2000', action: 'Allowed', urlcat: 'Business',
  urlsupercat: 'Business and Economy', urlclass: 'Business Use', ssldecrypted: 'Yes', rulelabel: 'Default%20Allow', appname: 'Salesforce',
  ua: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15',
  dlpeng: 'None', dlpdict: 'NA', threatname: 'N/A', malwarecat: 'None', ereferer: 'https://portal.example.com/',
};

function checkWeb(e: EcsEvent): void {
  assert.equal(getPath(e, '@timestamp'), '2023-10-16T22:55:48Z');
  assert.equal(getPath(e, 'zscaler.feed'), 'web');
  assert.deepEqual(getPath(e, 'user'), { name: 'jdoe', domain: 'safemarch.com', email: 'jdoe@safemarch.com' });
  assert.equal(getPath(e, 'zscaler.department'), 'Sales EMEA');
  assert.equal(getPath(e, 'source.ip'), '10.1.2.3');
  assert.equal(getPath(e, 'source.nat.ip'), '203.0.113.9');
  assert.equal(getPath(e, 'destination.ip'), '198.51.100.7');
  assert.equal(getPath(e, 'url.original'), 'app.example.com/a%20b?x=1', 'as logged: no scheme, percent-encoding kept');
  assert.equal(getPath(e, 'url.full'), 'https://app.example.com/a%20b?x=1');
  assert.equal(getPath(e, 'url.scheme'), 'https');
  assert.equal(getPath(e, 'url.query'), 'x=1');
  assert.equal(getPath(e, 'destination.domain'), 'app.example.com');
  assert.equal(getPath(e, 'event.action'), 'allowed');
  assert.equal(getPath(e, 'event.outcome'), 'success');
  assert.equal(getPath(e, 'zscaler.ssl_decrypted'), true);
  assert.equal(getPath(e, 'rule.name'), 'Default Allow');
  assert.equal(getPath(e, 'network.application'), 'salesforce');
  assert.equal(getPath(e, 'http.request.bytes'), 100);
  assert.equal(getPath(e, 'http.response.status_code'), 200);
  assert.equal(getPath(e, 'user_agent.name'), 'Safari');
  assert.equal(getPath(e, 'zscaler.dlp'), undefined, 'None/NA/N/A are absent');
  assert.equal(getPath(e, 'zscaler.threat_name'), undefined);
  assert.deepEqual(getPath(e, 'related.ip'), ['10.1.2.3', '203.0.113.9', '198.51.100.7']);
}

test('JSON in the Elastic envelope and as a flat object (feed from sourcetype, or from the fields)', () => {
  const enveloped = JSON.stringify({ sourcetype: 'zscalernss-web', event: WEB });
  const e = one(enveloped, { original: true });
  checkWeb(e);
  assert.equal(getPath(e, 'event.original'), enveloped);
  assert.equal(getPath(e, 'event.id'), eventIdFor('zscaler.zia', enveloped));
  assert.equal(getPath(e, 'event.ingested'), '2026-01-01T00:00:00.000Z');
  assert.equal(getPath(e, 'log.file.path'), 's3://nss/web/2024/05/01/feed.log');
  checkWeb(one(JSON.stringify(WEB)));
  checkWeb(one(JSON.stringify({ ...WEB, sourcetype: 'zscalernss-web' })));
});

test('key=value: space- and tab-separated, unquoted values with spaces, quoted values with escapes', () => {
  const pairs = Object.entries(WEB);
  checkWeb(one(pairs.map(([k, v]) => `${k}="${v}"`).join(' ')));
  checkWeb(one(pairs.map(([k, v]) => `${k}=${v}`).join('\t')));
  checkWeb(one(pairs.filter(([k]) => k !== 'ua').map(([k, v]) => `${k}=${v}`).join(' ') + ` ua="${WEB.ua}"`));
  const kv = readKeyValue('time=Mon Oct 16 22:55:48 2023 reason="said \\"no\\"" x=');
  assert.equal(kv.values.get('time'), 'Mon Oct 16 22:55:48 2023');
  assert.equal(kv.values.get('reason'), 'said "no"');
  assert.equal(kv.values.has('x'), false);
});

test('tab-separated values need the fields option (names or the feed output template)', () => {
  const names = Object.keys(WEB);
  const line = Object.values(WEB).join('\t');
  checkWeb(one(line, { options: { fields: names.join(',') } }));
  checkWeb(one(line, { options: { fields: names.map((n) => `%s{${n}}`).join('\\t') } }));
  assert.deepEqual(parseFieldList('%s{time}\\t%d{reqsize}\\t%-10s{login}'), ['time', 'reqsize', 'login']);
  assert.match(reject(line), /tab-separated NSS record but no field list: pass the feed output format as the fields option/);
  assert.match(reject(line.split('\t').slice(0, 5).join('\t'), { options: { fields: names.join(' ') } }), new RegExp(`expected ${names.length} tab-separated fields per the fields option, got 5`));
});

test('time zones: tz field, then --timezone, then UTC; IANA names; epochtime; bad zones rejected', () => {
  const at = (event: Record<string, string>, opts: Opts = {}): unknown => getPath(one(JSON.stringify({ sourcetype: 'zscalernss-fw', event }), opts), '@timestamp');
  const base = { datetime: 'Mon Oct 16 22:55:48 2023', csip: '10.0.0.1', action: 'Allow' };
  assert.equal(at({ ...base, tz: 'GMT+02:00' }), '2023-10-16T20:55:48Z');
  assert.equal(at({ ...base, tz: 'America/New_York' }), '2023-10-17T02:55:48Z');
  assert.equal(at({ ...base, tz: 'GMT' }, { options: { timezone: '+05:00' } }), '2023-10-16T22:55:48Z', 'tz wins over --timezone');
  assert.equal(at(base, { options: { timezone: '+05:30' } }), '2023-10-16T17:25:48Z');
  assert.equal(at(base, { options: { timezone: 'Europe/Paris' } }), '2023-10-16T20:55:48Z');
  assert.equal(at(base), '2023-10-16T22:55:48Z');
  assert.equal(at({ ...base, datetime: 'Tue Dec  31 02:22:22 2022' }), '2022-12-31T02:22:22Z');
  assert.equal(at({ csip: '10.0.0.1', epochtime: '1578128400' }), '2020-01-04T09:00:00Z');
  assert.match(reject(JSON.stringify({ sourcetype: 'zscalernss-fw', event: { ...base, tz: 'Mars/Olympus' } })), /unknown time zone 'Mars\/Olympus'/);
  assert.match(reject(JSON.stringify({ sourcetype: 'zscalernss-fw', event: { ...base, datetime: 'Mon Feb 30 10:00:00 2023' } })), /time 'Mon Feb 30 10:00:00 2023' is not a valid date/);
  assert.match(reject(JSON.stringify({ sourcetype: 'zscalernss-fw', event: { ...base, datetime: 'yesterday' } })), /is not an NSS time/);
  assert.match(reject(JSON.stringify({ sourcetype: 'zscalernss-fw', event: { csip: '10.0.0.1' } })), /no time field/);
});

test('DNS feed as key=value: question, type, IPv6 answers, request/response actions and rules', () => {
  const e = one('datetime=Mon Oct 16 22:55:48 2023 user=jdoe%40corp.example clt_sip=10.1.2.3 srv_dip=8.8.8.8 srv_dport=53 ' +
    'dns_req=WWW.Example.com. dns_reqtype=AAAA record dns_resp=2001:db8::1 reqaction=REQ_ALLOW resaction=RES_BLOCK ' +
    'reqrulelabel=Allow%20All resrulelabel=Block%20Bad durationms=12 protocol=UDP');
  assert.equal(getPath(e, 'zscaler.feed'), 'dns');
  assert.equal(getPath(e, 'dns.question.name'), 'www.example.com');
  assert.equal(getPath(e, 'dns.question.type'), 'AAAA');
  assert.deepEqual(getPath(e, 'dns.resolved_ip'), ['2001:db8::1']);
  assert.deepEqual(getPath(e, 'dns.answers'), [{ data: '2001:db8::1', type: 'AAAA' }]);
  assert.equal(getPath(e, 'event.action'), 'blocked');
  assert.equal(getPath(e, 'zscaler.dns.response_rule'), 'Block Bad');
  assert.equal(getPath(e, 'source.ip'), '10.1.2.3');
  assert.equal(getPath(e, 'destination.port'), 53);
  assert.equal(getPath(e, 'network.transport'), 'udp');
  assert.equal(getPath(e, 'event.duration'), 12_000_000);
  assert.equal(getPath(e, 'user.email'), 'jdoe@corp.example');
});

test('firewall feed: client side, tunnel source as NAT, server side, bytes', () => {
  const e = one(JSON.stringify({ sourcetype: 'zscalernss-fw', event: { datetime: 'Mon Oct 16 22:55:48 2023', user: 'NA', csip: '10.1.2.3', csport: '50000',
    cdip: '198.51.100.7', cdport: '443', tsip: '203.0.113.9', ssip: '100.64.0.1', ssport: '40000', sdip: '198.51.100.7', sdport: '443',
    action: 'Allow', proto: 'TCP', nwapp: 'https', inbytes: '5000', outbytes: '700', durationms: '1500', rulelabel: 'Default' } }));
  assert.equal(getPath(e, 'user'), undefined);
  assert.equal(getPath(e, 'source.port'), 50000);
  assert.equal(getPath(e, 'source.nat.ip'), '203.0.113.9');
  assert.equal(getPath(e, 'destination.ip'), '198.51.100.7');
  assert.equal(getPath(e, 'zscaler.firewall.server_source_ip'), '100.64.0.1');
  assert.equal(getPath(e, 'zscaler.firewall.server_source_port'), 40000);
  assert.equal(getPath(e, 'network.bytes'), 5700);
  assert.equal(getPath(e, 'event.duration'), 1_500_000_000);
  assert.equal(getPath(e, 'event.action'), 'allowed');
});

test('tunnel, admin audit and CASB feeds get a generic mapping that keeps every field', () => {
  const tunnel = one(JSON.stringify({ sourcetype: 'zscalernss-tunnel', event: { datetime: 'Thu Dec 30 11:40:27 2021', Recordtype: 'Tunnel Samples',
    tunneltype: 'IPSEC IKEV2', user: 'vpn@corp.example', location: 'Branch', sourceip: '203.0.113.9', destinationip: '198.51.100.1', sourceport: '500',
    txbytes: '12560', rxbytes: '0' } }));
  assert.equal(getPath(tunnel, 'zscaler.feed'), 'tunnel');
  assert.equal(getPath(tunnel, 'source.ip'), '203.0.113.9');
  assert.equal(getPath(tunnel, 'source.bytes'), 12560);
  assert.equal(getPath(tunnel, 'zscaler.tunnel.tunneltype'), 'IPSEC IKEV2');
  assert.equal(getPath(tunnel, 'observer.type'), 'vpn');
  const audit = one(JSON.stringify({ sourcetype: 'zscalernss-audit', event: { time: 'Mon Oct 16 22:55:48 2023', action: 'Update', category: 'POLICY',
    adminid: 'admin@corp.example', clientip: '203.0.113.9', result: 'SUCCESS', preaction: { a: 1 }, postaction: { a: 2 } } }));
  assert.equal(getPath(audit, 'user.email'), 'admin@corp.example');
  assert.equal(getPath(audit, 'event.outcome'), 'success');
  assert.deepEqual(getPath(audit, 'zscaler.audit.postaction'), { a: 2 });
  assert.deepEqual(getPath(audit, 'event.category'), ['configuration']);
  const casb = one('time="Mon Oct 16 22:55:48 2023" tenant=corp applicationname=Box user=jdoe%40corp.example filename=plan.xlsx filemd5=ABCDEF action=Quarantine');
  assert.equal(getPath(casb, 'zscaler.feed'), 'casb');
  assert.equal(getPath(casb, 'file.hash.md5'), 'abcdef');
  assert.equal(getPath(casb, 'event.action'), 'quarantine');
});

test('syslog <PRI> header before JSON and before key=value', () => {
  checkWeb(one(`<13>Oct 16 22:55:49 nss-vm ${JSON.stringify({ sourcetype: 'zscalernss-web', event: WEB })}`));
  checkWeb(one(`<13>Oct 16 22:55:49 nss-vm ${Object.entries(WEB).map(([k, v]) => `${k}="${v}"`).join(' ')}`));
});

test('a malformed optional field is left out and noted; the record is kept', () => {
  const cases: [Record<string, unknown>, string, string, RegExp][] = [
    [{ sourcetype: 'zscalernss-web', event: { ...WEB, cltintip: '10.1.2' } }, 'source.ip', 'cltintip', /^cltintip '10.1.2' is not an IP address$/],
    [{ sourcetype: 'zscalernss-web', event: { ...WEB, reqsize: 'big', time_taken: 'x' } }, 'http.request.bytes', 'reqsize', /reqsize 'big' is not a whole number/],
    [{ sourcetype: 'zscalernss-fw', event: { datetime: WEB.time, csip: '10.1.2.3', csport: '70000' } }, 'source.port', 'csport', /csport '70000' is not a port/],
    [{ sourcetype: 'zscalernss-web', event: { ...WEB, b64url: '@@@', eurl: 'None' } }, 'url', 'b64url', /b64url '@@@' is not base64/],
  ];
  for (const [record, path, field, why] of cases) {
    const line = JSON.stringify(record);
    const r = parseText('zscaler.zia', line);
    assert.equal(r.rejected.length, 0, line);
    const e = r.events[0]!;
    assert.equal(getPath(e, path), undefined, path);
    assert.deepEqual(e.tags, ['_field_dropped']);
    assert.deepEqual(getPath(e, 'packettrail.dropped_fields'), [field]);
    assert.match((getPath(e, 'packettrail.field_errors') as string[])[0]!, why);
    assert.equal(e.event?.original, line);
  }
});

test('malformed records are rejected with a reason', () => {
  assert.match(reject('{"sourcetype":"zscalernss-web","event":{'), /invalid JSON/);
  assert.match(reject('[1,2]'), /expected an NSS record/);
  assert.match(reject('"just a string"'), /expected an NSS record/);
  assert.match(reject('{"a":1}'), /cannot tell the NSS feed/);
  assert.match(reject(JSON.stringify({ sourcetype: 'zscalernss-web', event: { ...WEB, time: 'yesterday' } })), /time 'yesterday' is not an NSS time/);
  assert.match(reject('time="Mon Oct 16 22:55:48 2023 login=x'), /value of time opens a quote that is never closed/);
  assert.match(reject('reason="x"y login=z'), /'y login' is not a field name \(expected key=value pairs\)/);
  assert.match(reject('hello world'), /expected an NSS record/);
  const r = parseText('zscaler.zia', '\n\n', { source: 'x' });
  assert.equal(r.rejected.length, 0);
});

test('auto detection: envelope, flat JSON and key=value NSS records; not generic JSON', () => {
  const kv = Object.entries(WEB).map(([k, v]) => `${k}="${v}"`).join(' ');
  assert.equal(detectFormat({ name: 'stdin', lines: [JSON.stringify({ sourcetype: 'zscalernss-web', event: WEB })] }).format?.id, 'zscaler.zia');
  assert.equal(detectFormat({ name: 'stdin', lines: [JSON.stringify(WEB)] }).format?.id, 'zscaler.zia');
  assert.equal(detectFormat({ name: 'stdin', lines: [kv] }).format?.id, 'zscaler.zia');
  assert.notEqual(detectFormat({ name: 'app.log', lines: ['{"url":"/x","ua":"curl","action":"get"}'] }).format?.id, 'zscaler.zia');
});

test('found by fuzzing: typed fields hold only what fits them (the rest is left out and noted), Object member names are plain words, deep JSON is rejected', () => {
  const fw = (over: Record<string, unknown>) =>
    JSON.stringify({ sourcetype: 'zscalernss-fw', event: { datetime: 'Tue Dec 31 02:22:22 2022', tz: 'UTC', csip: '10.0.0.1', cdip: '10.0.0.2', csport: '123', cdport: '80', action: 'Allow', ...over } });
  // A yes/no field that is neither (or an object) stays beside its boolean column: in it, the store refused the chunk.
  const odd = one(fw({ stateful: 'Maybe', dnat: { a: 1 }, aggregate: 'No' }));
  assert.deepEqual(getPath(odd, 'zscaler.firewall'), { stateful_raw: 'Maybe', dnat_raw: { a: 1 }, aggregate: false });
  // Numbers that no column holds are left out and noted; the record is kept.
  const big = one(fw({ numsessions: '100000000000000000000000000000000', avgduration: '1' + '0'.repeat(400) }));
  assert.equal(getPath(big, 'zscaler.firewall.sessions'), undefined);
  assert.equal(getPath(big, 'zscaler.firewall.avg_duration_ms'), undefined);
  const errors = String(getPath(big, 'packettrail.field_errors'));
  assert.match(errors, /numsessions '100000000000000000000000000000000' is not a whole number \(up to 9007199254740991\)/);
  assert.match(errors, /avgduration '1000.*' is not a number/);
  // `zscalernss-constructor` named Object's constructor as the feed (zscaler.feed held a function).
  const ctor = one(JSON.stringify({ sourcetype: 'zscalernss-constructor', event: { datetime: 'Tue Dec 31 02:22:22 2022', login: 'a@b.c' } }));
  assert.deepEqual([getPath(ctor, 'zscaler.feed'), ctor.event?.category, ctor.event?.type], ['constructor', ['network'], ['info']]);
  const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
  assert.equal(reject(fw({ login: '__DEEP__' }).replace('"__DEEP__"', deep)), 'JSON nested deeper than 100 levels; an NSS record is a few levels deep');
});

test('found by fuzzing: a sourcetype of __proto__ wrote every leftover field into Object.prototype; feed names are words, leftover keys own fields', () => {
  const web = (sourcetype: string, extra: Record<string, unknown> = {}) => JSON.stringify({ sourcetype, event: { ...WEB, leftover: 'x', ...extra } });
  const e = one(web('__proto__'));
  assert.equal(({} as Record<string, unknown>).leftover, undefined);
  assert.equal(({} as Record<string, unknown>).host, undefined);
  assert.deepEqual([getPath(e, 'zscaler.feed'), getPath(e, 'zscaler.unknown.leftover')], ['unknown', 'x']);
  assert.equal(getPath(one(web(`zscalernss-${'a'.repeat(10_000)}`)), 'zscaler.feed'), 'unknown');
  const keys = JSON.parse(`{"sourcetype":"zscalernss-web","event":${JSON.stringify({ ...WEB }).slice(0, -1)},"__proto__":{"a":1},"constructor":"c"}}`) as unknown;
  const own = one(JSON.stringify(keys));
  assert.equal(JSON.stringify(getPath(own, 'zscaler.web')), '{"__proto__":{"a":1},"constructor":"c"}');
});

test('found by fuzzing: a duration beyond a long of nanoseconds is left unset (8.64e21 made the store refuse the chunk)', () => {
  const fw = (durationms: string) => JSON.stringify({ sourcetype: 'zscalernss-fw', event: { datetime: 'Tue Dec 31 02:22:22 2022', tz: 'UTC', csip: '10.0.0.1', cdip: '10.0.0.2', action: 'Allow', durationms } });
  assert.equal(one(fw('1234')).event?.duration, 1_234_000_000);
  assert.equal(one(fw('8640000000000001')).event?.duration, undefined);
});
