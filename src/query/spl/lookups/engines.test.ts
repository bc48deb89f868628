import { after, before, describe } from 'node:test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EventStore } from '../../../store/store.js';
import { clickhouseSkip } from '../../../testing/clickhouse.js';
import { engineScenario, type EngineScenario } from '../../../testing/engine-scenario.js';
import { tempDir } from '../../../testing/tmp.js';
import { parityTests, type ParityQuery, type RefusedQuery } from '../engine-parity.fixture.js';
import { LookupCatalog } from './catalog.js';

/**
 * Lookup tables on both engines (issue 24): the same lookups folder over the demo scenario stored in
 * DuckDB and in one ClickHouse node (src/testing/engine-scenario.ts) gives the same rows; what ClickHouse's SQL cannot express is
 * refused there by name. (src/query/spl/engines.test.ts compares the queries that need no lookups.)
 */

const WATCH = [
  'ip,label,level',
  '198.51.100.130,scanner,high',
  '198.51.100.131,"crawler, ""polite""",low',
  '198.51.100.10,,medium',
  '192.0.2.150,office,',
  '10.0.0.0/8,internal,low',
  '198.51.100.130,scanner-dup,high',
  // Hostile text stays a value: quotes, backslashes, percent signs and commas.
  "203.0.113.99,'); DROP TABLE x; --\\\\%2C,low",
  '',
].join('\n');

/** One row per address: lookup outputs one value, not a list. */
const UNIQUE = ['ip,label', '198.51.100.130,scanner', '198.51.100.131,crawler', ''].join('\n');
const METHODS = ['http_method,risky', 'GET,no', 'post,yes', 'DELETE,yes', ''].join('\n');

const QUERIES: readonly ParityQuery[] = [
  { query: '| inputlookup watch_ips.csv', ordered: true },
  { query: '| inputlookup watch_ips.csv where level=high OR label=*o*', ordered: true },
  { query: '| inputlookup start=1 max=3 watch_ips.csv', ordered: true },
  { query: '| inputlookup start=2 watch_ips.csv', ordered: true },
  { query: '| inputlookup watch_ips.csv | stats count by level' },
  { query: 'index=cloudfront [| inputlookup watch_ips.csv | rename ip as c_ip | fields c_ip] | stats count by c_ip' },
  { query: 'index=cloudfront [| inputlookup watch_ips.csv where level=high | rename ip as c_ip | fields c_ip] | stats count' },
  { query: 'sourcetype=aws:cloudwatchlogs:vpcflow [| inputlookup watch_ips.csv where label=internal | rename ip as src_ip | fields src_ip] | stats count' },
  // lookup: the table's columns bound as lists on ClickHouse (commands/lookup-arrays.ts).
  { query: 'index=cloudfront | lookup watch_ips.csv ip as c_ip OUTPUT label level | stats count by c_ip label level' },
  { query: 'index=cloudfront | lookup watch_ips.csv ip as c_ip | stats count by label level' },
  { query: 'index=cloudfront | stats count by c_ip | lookup unique_ips.csv ip as c_ip OUTPUT label as tag | where isnotnull(tag) | sort c_ip', ordered: true },
  { query: 'index=cloudfront | stats count by c_ip http_method | lookup methods.csv http_method OUTPUT risky | stats count by http_method risky' },
  { query: 'index=cloudfront | lookup watch_ips.csv ip as c_ip OUTPUT label | table _time c_ip label | head 20', ordered: true },
  { query: 'index=cloudfront | stats count by c_ip | eval label=if(c_ip="198.51.100.130", "pre", null()) | lookup unique_ips.csv ip as c_ip OUTPUTNEW label | stats count by label' },
  { query: 'index=cloudfront | lookup unique_ips.csv ip as c_ip | stats count by label' },
];

const REFUSED: readonly RefusedQuery[] = [
  { query: '| inputlookup watch_ips.csv | stats count by level | inputlookup append=t watch_ips.csv', construct: 'inputlookup append=true' },
];

describe('lookups: the same rows on DuckDB and on ClickHouse', { skip: clickhouseSkip() }, () => {
  let duck: EventStore;
  let house: EventStore;
  let scenario: EngineScenario;
  const dir = tempDir('packettrail-lookups-');
  mkdirSync(join(dir, 'lookups'));
  writeFileSync(join(dir, 'lookups', 'watch_ips.csv'), WATCH);
  writeFileSync(join(dir, 'lookups', 'unique_ips.csv'), UNIQUE);
  writeFileSync(join(dir, 'lookups', 'methods.csv'), METHODS);
  const lookups = new LookupCatalog([join(dir, 'lookups')], false);

  // The shared engine scenario (one load per test run), on one node of its own.
  before(async () => {
    scenario = await engineScenario({ single: true });
    [duck, house] = [scenario.duck, scenario.single!.store];
  });
  after(() => scenario?.close());

  parityTests(() => ({ duck, house }), QUERIES, REFUSED, lookups);
});
