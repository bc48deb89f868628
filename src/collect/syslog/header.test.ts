import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSyslog } from './header.js';

test('RFC 5424: every header field, structured data with escapes, BOM before the body', () => {
  const line = '<165>1 2026-11-20T10:00:00.003Z mymachine.example.com evntslog 1234 ID47 [exampleSDID@32473 iut="3" eventSource="App\\"lic]ation"][x@1 a="b"] \uFEFFAn application event';
  const m = parseSyslog(line);
  assert.equal(m.rfc, '5424');
  assert.equal(m.facility, 20);
  assert.equal(m.severity, 5);
  assert.equal(m.timestamp, '2026-11-20T10:00:00.003Z');
  assert.equal(m.hostname, 'mymachine.example.com');
  assert.equal(m.appName, 'evntslog');
  assert.equal(m.procId, '1234');
  assert.equal(m.msgId, 'ID47');
  assert.equal(m.structuredData, '[exampleSDID@32473 iut="3" eventSource="App\\"lic]ation"][x@1 a="b"]');
  assert.equal(m.body, 'An application event');
});

test('RFC 5424 with nil values and no structured data', () => {
  const m = parseSyslog('<14>1 - - - - - - 1,2026/11/20 10:00:00,0123,TRAFFIC');
  assert.equal(m.rfc, '5424');
  assert.equal(m.hostname, undefined);
  assert.equal(m.appName, undefined);
  assert.equal(m.structuredData, undefined);
  assert.equal(m.body, '1,2026/11/20 10:00:00,0123,TRAFFIC');
});

test('RFC 3164: host, tag with pid, space-padded day', () => {
  const m = parseSyslog('<38>Nov  2 08:01:02 bastion-1 sshd[4242]: Accepted publickey for lee from 10.0.0.7');
  assert.equal(m.rfc, '3164');
  assert.equal(m.facility, 4);
  assert.equal(m.severity, 6);
  assert.equal(m.timestamp, 'Nov  2 08:01:02');
  assert.equal(m.hostname, 'bastion-1');
  assert.equal(m.appName, 'sshd');
  assert.equal(m.procId, '4242');
  assert.equal(m.body, 'Accepted publickey for lee from 10.0.0.7');
});

test('RFC 3164: PAN-OS CSV after the host (no tag), and without a host', () => {
  const withHost = parseSyslog('<14>Nov 20 08:00:00 fw01-edge 1,2026/11/20 08:00:00,013201001234,TRAFFIC,end');
  assert.equal(withHost.hostname, 'fw01-edge');
  assert.equal(withHost.appName, undefined);
  assert.equal(withHost.body, '1,2026/11/20 08:00:00,013201001234,TRAFFIC,end');
  const noHost = parseSyslog('<14>Nov 20 08:00:00 1,2026/11/20 08:00:00,013201001234,TRAFFIC,end');
  assert.equal(noHost.hostname, undefined);
  assert.equal(noHost.body, '1,2026/11/20 08:00:00,013201001234,TRAFFIC,end');
});

test('RFC 3164 with an ISO timestamp (rsyslog forwarding) and a tag without host', () => {
  const m = parseSyslog('<13>2026-11-20T08:00:00.123+01:00 nss01 zscaler-nss: {"sourcetype":"zscalernss-web"}');
  assert.equal(m.timestamp, '2026-11-20T08:00:00.123+01:00');
  assert.equal(m.hostname, 'nss01');
  assert.equal(m.appName, 'zscaler-nss');
  assert.equal(m.body, '{"sourcetype":"zscalernss-web"}');
  const tagOnly = parseSyslog('<13>Nov 20 08:00:00 umbrella: "2026-11-20 08:00:00","lee"');
  assert.equal(tagOnly.hostname, undefined);
  assert.equal(tagOnly.appName, 'umbrella');
});

test('no PRI: the whole line is the body; invalid PRI is not a header', () => {
  const none = parseSyslog('1,2026/11/20 08:00:00,x');
  assert.equal(none.rfc, 'none');
  assert.equal(none.body, '1,2026/11/20 08:00:00,x');
  assert.equal(none.hostname, undefined);
  assert.equal(parseSyslog('<999>Nov 20 08:00:00 h x').rfc, 'none');
  assert.equal(parseSyslog('<>x').rfc, 'none');
});

test('a broken RFC 5424 header falls back to 3164 reading without throwing', () => {
  const m = parseSyslog('<14>1 2026-11-20T10:00:00Z host app - - [unterminated sd');
  assert.equal(m.rfc, '3164');
  assert.ok(m.body.length > 0);
  for (const junk of ['<', '<1>', '<1>1', '<1>1 ', '<1>Nov', '<1>Nov 20 08:00:00', '\u0000\u0001', '']) assert.doesNotThrow(() => parseSyslog(junk));
});
