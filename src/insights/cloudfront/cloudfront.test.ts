import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SeriesSection, TableSection } from '../report.js';
import { storeFromFiles } from '../test-store.js';
import { CLOUDFRONT_VIEW } from './index.js';

const FIELDS = '#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end';

interface Req { t: string; ip: string; path: string; status: number; result: string; edge?: string; ua?: string; bytes?: number; taken?: number }

let seq = 0;
function line(r: Req): string {
  const [date, time] = r.t.split('T') as [string, string];
  const id = `req${String(seq++).padStart(8, '0')}`.padEnd(54, 'x') + '==';
  return [date, time.replace('Z', ''), r.edge ?? 'CDG50-C1', r.bytes ?? 1000, r.ip, 'GET', 'd111111abcdef8.cloudfront.net', r.path, r.status, '-', r.ua ?? 'Mozilla/5.0', '-', '-', r.result, id,
    'app.example.com', 'https', 300, r.taken ?? 0.01, '-', 'TLSv1.3', 'TLS_AES_128_GCM_SHA256', r.result, 'HTTP/2.0', '-', '-', 40000, (r.taken ?? 0.01) - 0.001, r.result, 'text/html', r.bytes ?? 1000, '-', '-'].join('\t');
}

function logOf(reqs: Req[]): string {
  return ['#Version: 1.0', FIELDS, ...reqs.map(line)].join('\n') + '\n';
}

/** A WAF record for one viewer address with the country AWS recorded. */
function waf(ip: string, country: string, asn?: number): string {
  return JSON.stringify({
    timestamp: Date.parse('2026-11-20T08:00:30Z'), formatVersion: 1, webaclId: 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/acl/3fdd1b84-c5e9-4e27-8459-97c7af66cb42',
    terminatingRuleId: 'Default_Action', terminatingRuleType: 'REGULAR', action: 'ALLOW', terminatingRuleMatchDetails: [], httpSourceName: 'CF', httpSourceId: 'E1ABCDEF',
    ruleGroupList: [], rateBasedRuleList: [], nonTerminatingMatchingRules: [], ...(asn ? { clientAsn: String(asn) } : {}),
    httpRequest: { clientIp: ip, country, headers: [], uri: '/', args: '', httpVersion: 'HTTP/2.0', httpMethod: 'GET', requestId: `waf-${ip}` },
  });
}

test('cloudfront view: per-distribution totals, status classes, cache hit ratio, top tables, countries and ASNs from the log, WAF and the database', async () => {
  const a: Req[] = [];
  // 08:00-08:10: 8.8.8.8 (database: US, AS15169) 6 requests, 192.0.2.7 (WAF: NL) 3, 2001:db8::9 (nothing knows it) 1.
  for (let i = 0; i < 6; i++) a.push({ t: `2026-11-20T08:0${i}:00Z`, ip: '8.8.8.8', path: '/', status: 200, result: i < 4 ? 'Hit' : 'Miss', taken: 0.01 * (i + 1) });
  for (let i = 0; i < 3; i++) a.push({ t: `2026-11-20T08:0${i}:30Z`, ip: '192.0.2.7', path: '/api/items', status: i === 0 ? 503 : 404, result: 'Error', edge: 'FRA56-P8', ua: 'curl/8.0' });
  a.push({ t: '2026-11-20T08:09:00Z', ip: '2001:db8::9', path: '/favicon.ico', status: 304, result: 'RefreshHit' });
  const b: Req[] = [{ t: '2026-11-20T08:05:00Z', ip: '8.8.4.4', path: '/other', status: 200, result: 'Miss' }];
  const ts = await storeFromFiles({
    'cf/E1ABCDEF.2026-11-20-08.aaaa1111.gz': logOf(a),
    'cf/E2ZYXWVU.2026-11-20-08.bbbb2222.gz': logOf(b),
    'waf/aws-waf-logs-x/2026/11/20/08/00/waf.log': waf('192.0.2.7', 'NL', 64500) + '\n',
  }, { analyses: false });
  const store = await ts.open();
  try {
    const report = await CLOUDFRONT_VIEW.run(store, { limit: 2 });
    const table = (id: string) => report.sections.find((s) => s.id === id) as TableSection;
    const col = (t: TableSection, name: string) => t.columns.findIndex((c) => c.name === name);
    const dists = table('distributions');
    assert.deepEqual(dists.rows.map((r) => [r[0], r[1]]), [['E1ABCDEF', 10], ['E2ZYXWVU', 1]]);
    const d1 = dists.rows[0]!;
    assert.deepEqual([d1[col(dists, '2xx')], d1[col(dists, '3xx')], d1[col(dists, '4xx')], d1[col(dists, '5xx')]], [6, 1, 2, 1]);
    assert.equal(d1[col(dists, 'error rate')], 0.3);
    // Hits: 4 Hit + 1 RefreshHit; lookups add the 2 Misses; errors are not lookups.
    assert.equal(d1[col(dists, 'cache hit ratio')], 5 / 7);
    // Percentiles are values of the sample: rank ⌊0.99 × (6 − 1)⌋ of the six Hit/Miss times (the others have 0.01).
    assert.equal(d1[col(dists, 'time taken p50 s')], 0.01);
    assert.equal(d1[col(dists, 'time taken p99 s')], 0.05);
    const series = report.sections.find((s) => s.id === 'requests') as SeriesSection;
    assert.equal(series.series[0]!.values.reduce((n: number, v) => n + (v ?? 0), 0), 11);
    assert.deepEqual(table('uris').rows.map((r) => r[0]), ['/', '/api/items'], 'limit 2');
    assert.deepEqual(table('edges').rows.map((r) => [r[0], r[1]]), [['CDG50-C1', 8], ['FRA56-P8', 3]]);
    assert.deepEqual(table('cache-results').rows.map((r) => [r[0], r[1]]), [['Hit', 4], ['Error', 3], ['Miss', 3], ['RefreshHit', 1]]);
    const clients = table('clients');
    assert.deepEqual(clients.rows[0]!.slice(0, 2), ['8.8.8.8', 6]);
    assert.equal(clients.rows[0]![col(clients, 'ASN')], 'AS15169');
    const countries = table('countries');
    assert.deepEqual(countries.rows.map((r) => [r[0], r[1], r[col(countries, 'from')]]), [['US', 7, 'database'], ['NL', 3, 'waf']]);
    const asns = table('asns');
    assert.deepEqual(asns.rows.map((r) => [r[0], r[col(asns, 'requests')], r[col(asns, 'from')]]), [['AS15169', 7, 'database'], ['AS64500', 3, 'waf']]);
    // One distribution only.
    const one = await CLOUDFRONT_VIEW.run(store, { distribution: 'E2ZYXWVU' });
    assert.deepEqual((one.sections.find((s) => s.id === 'distributions') as TableSection).rows.map((r) => [r[0], r[1]]), [['E2ZYXWVU', 1]]);
    const none = await CLOUDFRONT_VIEW.run(store, { since: '2027-01-01' });
    assert.match(none.title, /no requests/);
  } finally {
    await store.close();
  }
});
