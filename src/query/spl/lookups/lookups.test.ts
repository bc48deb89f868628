import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDbStore } from '../../../store/duckdb/duckdb-store.js';
import { needsShared, sharedPath } from '../../../testing/shared.js';
import { tempDir } from '../../../testing/tmp.js';
import { cli, seedDatabase, spl, splOn } from '../testing.fixture.js';
import { LookupCatalog } from './catalog.js';
import { parseCsv } from './csv.js';

let db: string;
let store: DuckDbStore;
const dir = tempDir('packettrail-lookups-');
const files: Record<string, string> = {
  'owners.csv': 'ip,owner,tier\n198.51.100.10,corp-nat,gold\n203.0.113.7,partner,\n10.20.1.15,wks,silver\n',
  'edges.csv': 'edge,city\nFRA*,Frankfurt\nfra56*,"Frankfurt, again"\nLAX*,Los Angeles\n',
  'edge_lookup.yml': 'name: edge_lookup\nfilename: edges.csv\nmatch_type: WILDCARD(edge)\ncase_sensitive_match: false\nmin_matches: 1\ndefault_match: unknown\n',
  'nets.yml': 'name: nets\nfilename: nets.csv\nmatch_type: CIDR(net)\nmax_matches: 1\n',
  'nets.csv': 'net,zone\n10.0.0.0/8,internal\n198.51.100.0/24,nat\n',
  'dup.csv': 'k,v\na,1\nA,2\na,3\n',
  'times.csv': 'k,firstTimeSeen\nolder,1795000000\nold,1795089600\nnew,1795172400\nodd,yesterday\n',
  'firsts.csv': 'src_ip,firstTime\n203.0.113.7,1795000000\n',
  'kv.yml': 'name: kv\ncollection: things\n',
  'seen.yml': 'name: seen\ncollection: seen_sources\nfields_list: _key, src_ip, firstTimeSeen, enough_data\n',
  'both.yml': 'name: both\ncollection: x\nfilename: x.csv\n',
};
for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
const lookups = new LookupCatalog([dir], true);

before(async () => {
  db = seedDatabase();
  store = await DuckDbStore.open(db, { readOnly: true });
});
after(async () => store.close());

async function run(query: string, catalog = lookups): Promise<Record<string, unknown>[]> {
  const c = await splOn(store, query, { lookups: catalog });
  const r = await store.query(c.sql, c.params);
  return r.rows.map((row) => Object.fromEntries(r.columns.map((col, i) => [col.name, row[i]])));
}

const refused = (query: string, message: RegExp, catalog: LookupCatalog | null = lookups) =>
  assert.throws(() => spl(query, catalog ? { lookups: catalog } : {}), message, query);

test('CSV lookup tables: quoted values, short rows, errors naming the file and line', () => {
  assert.deepEqual(parseCsv('a,b\r\n"x, ""y""",\n"multi\nline"\n', 'f.csv'), { header: ['a', 'b'], rows: [['x, "y"', ''], ['multi\nline', '']] });
  assert.throws(() => parseCsv('a,a\n1,2\n', 'f.csv'), /f.csv:1: the header names 'a' twice/);
  assert.throws(() => parseCsv('a,b\n1,2,3\n', 'f.csv'), /f.csv:2: expected 2 values as the header has, got 3/);
  assert.throws(() => parseCsv('a\n"open\n', 'f.csv'), /f.csv:2: a quoted value is not closed/);
  assert.throws(() => parseCsv('', 'f.csv'), /expected a header row/);
});

test('lookup: exact and case-sensitive by default, OUTPUT with AS, every other column without OUTPUT, no match leaves nothing', async () => {
  assert.deepEqual(await run('| stats count by src_ip | lookup owners.csv ip as src_ip OUTPUT owner tier as t'), [
    { src_ip: '10.20.1.15', count: 5, owner: 'wks', t: 'silver' },
    { src_ip: '198.51.100.10', count: 4, owner: 'corp-nat', t: 'gold' },
    { src_ip: '203.0.113.7', count: 1, owner: 'partner', t: null },
  ]);
  assert.deepEqual((await run('index=cloudfront | head 1 | lookup owners.csv ip as src_ip | table owner tier')), [{ owner: 'corp-nat', tier: 'gold' }]);
  // OUTPUT overwrites a field the result has (none when there is no match); OUTPUTNEW only fills a missing one.
  assert.deepEqual((await run('| stats count by index | eval owner="was" | eval ip=if(index="app.json", "10.20.1.15", "none") | lookup owners.csv ip OUTPUT owner | table owner')).map((r) => r.owner), ['wks', null, null, null, null, null]);
  assert.deepEqual((await run('| stats count by index | eval owner=if(index="app.json", null(), "was") | eval ip="10.20.1.15" | lookup owners.csv ip OUTPUTNEW owner | table owner')).map((r) => r.owner), ['wks', 'was', 'was', 'was', 'was', 'was']);
  // Several rows with the key: every match, in file order, as a multivalue (up to max_matches 100).
  assert.deepEqual(await run('| stats count by index | head 1 | eval k="a" | lookup dup.csv k OUTPUT v | table v'), [{ v: ['1', '3'] }]);
});

test('lookup definitions: WILDCARD and case_sensitive_match=false, min_matches/default_match, CIDR with max_matches=1', async () => {
  assert.deepEqual(await run('index=cloudfront | head 1 | lookup edge_lookup edge as edge_location | table city'), [{ city: ['Frankfurt', 'Frankfurt, again'] }]);
  assert.deepEqual(await run('index=cloudfront | head 1 | eval edge_location="XYZ" | lookup edge_lookup edge as edge_location | table city'), [{ city: ['unknown'] }]);
  assert.deepEqual(await run('| stats count by src_ip | lookup nets net as src_ip'), [
    { src_ip: '10.20.1.15', count: 5, zone: 'internal' },
    { src_ip: '198.51.100.10', count: 4, zone: 'nat' },
    { src_ip: '203.0.113.7', count: 1, zone: null },
  ]);
  refused('| lookup nosuch x', /unknown lookup 'nosuch'/);
  refused('| lookup owners.csv nope as src_ip', /lookup owners.csv has no column 'nope'/);
  refused('| lookup both k', /either a filename or a collection, not both/);
  refused('| lookup ../owners.csv ip', /invalid lookup name '..\/owners.csv'/);
  refused('| lookup event_time_field=t owners.csv ip', /lookup option 'event_time_field' is not supported/);
  refused('| lookup owners.csv ip as related_ip', /which holds several values/);
  refused('| lookup owners.csv ip as src_ip', /lookup tables are not available here/, null);
});

test('inputlookup: the rows in file order, where in search syntax, start/max; first in the pipeline unless append=true', async () => {
  assert.deepEqual(await run('| inputlookup owners.csv where owner=CORP*'), [{ ip: '198.51.100.10', owner: 'corp-nat', tier: 'gold' }]);
  assert.deepEqual(await run('| inputlookup start=1 max=1 owners.csv'), [{ ip: '203.0.113.7', owner: 'partner', tier: null }]);
  assert.deepEqual((await run('| stats count by src_ip | inputlookup append=t nets.csv | table src_ip zone net')).slice(2), [
    { src_ip: '203.0.113.7', zone: null, net: null },
    { src_ip: null, zone: 'internal', net: '10.0.0.0/8' },
    { src_ip: null, zone: 'nat', net: '198.51.100.0/24' },
  ]);
  refused('index=cloudfront | inputlookup owners.csv', /inputlookup starts a search/);
  // Options after the table, as security_content writes them.
  assert.deepEqual((await run('| stats count by src_ip | inputlookup nets.csv append=t | table zone')).slice(3), [{ zone: 'internal' }, { zone: 'nat' }]);
});

test('outputlookup writes the results as CSV from the command line; refused where nothing may be written and when not last', () => {
  const out = tempDir('packettrail-outputlookup-');
  const r = cli(['query', '--db', db, '--lookups', out, '-o', 'json', '| stats count by index | outputlookup counts.csv']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /outputlookup wrote 6 rows to .*counts.csv/);
  assert.equal(readFileSync(join(out, 'counts.csv'), 'utf8'), 'index,count\napp.json,2\naws.cloudfront,3\ncisco.umbrella,1\nmicrosoft.defender,1\npanw.panos,2\nzscaler.zia,1\n');
  const a = cli(['query', '--db', db, '--lookups', out, '| stats count by index | head 1 | eval extra="x" | outputlookup append=true counts.csv']);
  assert.equal(a.code, 0, a.err);
  assert.match(readFileSync(join(out, 'counts.csv'), 'utf8'), /zscaler.zia,1\napp.json,2\n$/, 'appended with the header\'s columns only');
  const back = cli(['query', '--db', db, '--lookups', out, '-o', 'csv', '| inputlookup counts.csv where index=app*']);
  assert.equal(back.out, 'index,count\napp.json,2\napp.json,2\n');
  // In a subsearch: written when the subsearch runs, its rows passed on (the outer search's answer is its own).
  const sub = cli(['query', '--db', db, '--lookups', out, '-o', 'csv', 'index=app [search index=app | stats count by src_ip | outputlookup sub.csv | where src_ip="198.51.100.10" | fields src_ip] | stats count by src_ip']);
  assert.equal(sub.code, 0, sub.err);
  assert.match(sub.err, /outputlookup in a subsearch wrote 2 row\(s\) to .*sub.csv/);
  assert.equal(parseCsv(readFileSync(join(out, 'sub.csv'), 'utf8'), 'sub.csv').header.join(','), 'src_ip,count');
  assert.deepEqual(parseCsv(readFileSync(join(out, 'sub.csv'), 'utf8'), 'sub.csv').rows.sort(), [['198.51.100.10', '1'], ['203.0.113.7', '1']]);
  assert.equal(sub.out, 'src_ip,count\n198.51.100.10,1\n');
  refused('| stats count by index | outputlookup x.csv', /outputlookup writes a file: not allowed here/, new LookupCatalog([dir], false));
  refused('| stats count by index | outputlookup x.csv | head 1', /outputlookup must be the last command/);
  refused('| stats values(src_ip) as ips | outputlookup x.csv', /outputlookup of 'ips', which holds several values, is not supported/);
  refused('| stats count | outputlookup key_field=k x.csv', /outputlookup option 'key_field' is not supported/);
  // In a subsearch it writes (subsearch-outputlookup.test.ts), but not where nothing may be written.
  refused('index=app [search index=app | stats count by src_ip | outputlookup x.csv | fields src_ip]', /in the subsearch: outputlookup writes a file: not allowed here/, new LookupCatalog([dir], false));
  refused('index=app | join src_ip [search index=app | stats count by src_ip | outputlookup x.csv]', /outputlookup in a join subsearch is not supported/);
});

test('a time compared with a lookup value: as epoch seconds when the value is a number, else as text (no type error)', async () => {
  // NOW is 2026-11-20 12:00 UTC; -24h@h is 2026-11-19 12:00 = 1795089600.
  assert.deepEqual(await run('| inputlookup times.csv | where firstTimeSeen >= relative_time(now(), "-24h@h") | table k'), [{ k: 'old' }, { k: 'new' }, { k: 'odd' }]);
  assert.deepEqual(await run('| inputlookup times.csv | where firstTimeSeen > relative_time(now(), "-24h@h") | table k'), [{ k: 'new' }, { k: 'odd' }]);
  assert.deepEqual(await run('| inputlookup times.csv | stats min(firstTimeSeen) as first | eval recent=if(first < now(), 1, 0) | table recent'), [{ recent: 1 }]);
  // OUTPUTNEW into min(_time) (security_content's cross-account detection): the results' times stay
  // times (the table's epoch seconds would fill a gap as one) instead of a type error.
  assert.deepEqual(await run('| stats min(_time) as firstTime by src_ip | lookup firsts.csv src_ip OUTPUTNEW firstTime | where firstTime >= relative_time(now(), "-24h@h") | stats count'), [{ count: 3 }]);
});

test('KV store collections: kept as <collection>.csv beside the definition; empty until written; lookup, inputlookup and outputlookup work on them', async () => {
  const out = tempDir('packettrail-kvstore-');
  writeFileSync(join(out, 'seen.yml'), files['seen.yml']!);
  const kv = new LookupCatalog([out], true);
  // Nothing written yet: the collection has its fields_list and no rows (a lookup matches nothing).
  assert.deepEqual(await run('| inputlookup seen', kv), []);
  assert.deepEqual(await run('| stats count by src_ip | lookup seen src_ip OUTPUT firstTimeSeen | table src_ip firstTimeSeen', kv), [
    { src_ip: '10.20.1.15', firstTimeSeen: null },
    { src_ip: '198.51.100.10', firstTimeSeen: null },
    { src_ip: '203.0.113.7', firstTimeSeen: null },
  ]);
  // outputlookup writes the collection's file; its fields_list columns are what lookups see.
  const w = cli(['query', '--db', db, '--lookups', out, '| stats min(_time) as firstTimeSeen by src_ip | eval enough_data=1, extra="x" | outputlookup seen']);
  assert.equal(w.code, 0, w.err);
  assert.match(w.err, /outputlookup wrote 3 rows to .*seen_sources.csv/);
  assert.match(readFileSync(join(out, 'seen_sources.csv'), 'utf8'), /^src_ip,firstTimeSeen,enough_data,extra\n10.20.1.15,/);
  // A time is written as epoch seconds, as Splunk writes min(_time), and compares with relative_time() as a number.
  assert.deepEqual(await run('| inputlookup seen where src_ip=203.*', kv), [{ _key: null, src_ip: '203.0.113.7', firstTimeSeen: String(Date.parse('2026-11-20T10:00:08Z') / 1000), enough_data: '1' }]);
  assert.deepEqual(await run('| inputlookup seen | where firstTimeSeen >= relative_time(now(), "-2h@h") | stats count', kv), [{ count: 3 }]);
  assert.deepEqual(await run('| inputlookup seen | where firstTimeSeen < relative_time(now(), "-2h@h") | stats count', kv), [{ count: 0 }]);
  assert.deepEqual(await run('| stats count by src_ip | lookup seen src_ip OUTPUT enough_data | where enough_data=1 | stats count', kv), [{ count: 3 }]);
  // A collection in the corpus's form (fields_list, no data shipped) loads as an empty table.
  assert.deepEqual(await run('| inputlookup kv'), []);
});

test('the corpus lookups load: 3cx_ioc_domains (WILDCARD, case-insensitive, default_match)', { skip: needsShared() }, async () => {
  const corpus = new LookupCatalog([sharedPath('spl-corpus', 'lookups')], false);
  const rows = (await run('| inputlookup 3cx_ioc_domains', corpus)).length;
  const lines = readFileSync(sharedPath('spl-corpus', 'lookups', '3cx_ioc_domains.csv'), 'utf8').trim().split('\n').length - 1;
  assert.equal(rows, lines);
  assert.deepEqual(await run('| stats count by index | head 1 | eval q="AKAMAICONTAINER.com" | lookup 3cx_ioc_domains domain as q OUTPUT isIOC | table isIOC', corpus), [{ isIOC: ['TRUE'] }], 'a WILDCARD lookup may match several rows: a multivalue');
  assert.deepEqual(await run('| stats count by index | head 1 | eval q="example.org" | lookup 3cx_ioc_domains domain as q OUTPUT isIOC | table isIOC', corpus), [{ isIOC: ['false'] }]);
});
