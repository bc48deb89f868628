import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GeoLookup, parseNetworks } from './lookup.js';
import { lookupIpv4, lookupIpv6, parseIpv4Csv, parseIpv6Csv } from './asn-ranges.js';

test('ASN ranges: bisection finds the row holding the address, quoted names with commas decode', () => {
  const t = parseIpv4Csv(Buffer.from('16777216,16777471,13335,"Cloudflare, Inc."\n16778240,16779263,38803,Gtelecom Pty Ltd\nbad,row\n'));
  assert.deepEqual(lookupIpv4(t, '1.0.0.1'), { number: 13335, name: 'Cloudflare, Inc.' });
  assert.deepEqual(lookupIpv4(t, '1.0.4.9'), { number: 38803, name: 'Gtelecom Pty Ltd' });
  assert.equal(lookupIpv4(t, '1.0.2.0'), undefined, 'between two ranges');
  assert.equal(lookupIpv4(t, '0.255.255.255'), undefined, 'before the first range');
  const t6 = parseIpv6Csv(Buffer.from('2001::,2001::ffff:ffff:ffff:ffff:ffff:ffff,6939,Hurricane Electric LLC\n2001:200::,2001:200:1b9:ffff:ffff:ffff:ffff:ffff,2500,WIDE Project\n'));
  assert.equal(lookupIpv6(t6, '2001::1:2')?.number, 6939);
  assert.equal(lookupIpv6(t6, '2001:200:1b9::5')?.number, 2500);
  assert.equal(lookupIpv6(t6, '2001:200:1ba::5'), undefined);
});

test('the shipped databases: public addresses resolve per family, documentation ranges resolve to nothing', () => {
  const geo = new GeoLookup();
  const google = geo.lookup('8.8.8.8');
  assert.equal(google.country, 'US');
  assert.equal(google.asn, 15169);
  assert.equal(google.source, 'database');
  const google6 = geo.lookup('2001:4860:4860::8888');
  assert.equal(google6.asn, 15169);
  assert.equal(google6.country, 'US');
  assert.equal(geo.lookup('::ffff:8.8.8.8').asn, 15169, 'IPv4-mapped IPv6 is looked up as IPv4');
  assert.deepEqual(geo.lookup('192.0.2.10'), {});
  assert.deepEqual(geo.lookup('2001:db8::1'), {});
  assert.deepEqual(geo.lookup('not an ip'), {});
});

test('network overrides: most specific first, bad lines named with their line number', () => {
  const { networks, errors } = parseNetworks('cidr,asn,as_name,country\n192.0.2.0/24,AS64500,Example Net,fr\n192.0.2.160/28,64511,Flood Net,VN\n10.0.0.0/33,1,x,FR\n198.51.100.0/24,sixty,x,FR\n203.0.113.0/24,,,BRA\n', 'nets.csv');
  assert.equal(networks.length, 2);
  assert.equal(errors.length, 3);
  assert.match(errors[0]!, /^nets\.csv:4: expected a CIDR/);
  assert.match(errors[1]!, /^nets\.csv:5: expected an AS number/);
  assert.match(errors[2]!, /^nets\.csv:6: expected a two-letter ISO country/);
  const geo = new GeoLookup(networks);
  assert.deepEqual(geo.lookup('192.0.2.161'), { source: 'networks', asn: 64511, asName: 'Flood Net', country: 'VN' });
  assert.deepEqual(geo.lookup('192.0.2.1'), { source: 'networks', asn: 64500, asName: 'Example Net', country: 'FR' });
  assert.equal(geo.lookup('8.8.4.4').source, 'database');
});
