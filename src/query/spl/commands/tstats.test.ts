import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDbStore } from '../../../store/duckdb/duckdb-store.js';
import { builtinDataModels, DataModelError, datasetsOf, loadDataModels } from '../datamodels.js';
import { seedDatabase, spl, splOn } from '../testing.fixture.js';

/*
 * tstats over the CIM data models (rules/mappings/cim-datamodels.yml), each answer compared with a
 * hand-written SQL query over the seed store. The seed's Web events: zscaler (1, from 10.20.1.15),
 * cloudfront (3, from 198.51.100.10) and the Palo Alto THREAT url log (no method, no status).
 */
let store: DuckDbStore;
before(async () => {
  store = await DuckDbStore.open(seedDatabase(), { readOnly: true });
});
after(async () => store.close());

type Row = Record<string, unknown>;
const rows = (r: { columns: { name: string }[]; rows: unknown[][] }): Row[] => r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c.name, row[i]])));

async function run(query: string): Promise<Row[]> {
  const c = await splOn(store, query);
  return rows(await store.query(c.sql, c.params));
}
const sql = async (text: string): Promise<Row[]> => rows(await store.query(text, {}));
const refused = (query: string, message: RegExp) => assert.throws(() => spl(query), message, query);

const WEB = `(event_dataset IN ('aws.cloudfront', 'zscaler.zia') OR (event_dataset = 'panw.panos' AND panw_panos_type = 'THREAT' AND panw_panos_sub_type = 'url'))`;

test('tstats count over Web by a field, where on a model field: as hand-written SQL over the datasets Splunk tags web', async () => {
  assert.deepEqual(
    await run('| tstats count from datamodel=Web where Web.status=200 by Web.src'),
    await sql(`SELECT coalesce(source_ip, source_address, client_ip) AS "Web.src", count(*) AS count FROM events WHERE ${WEB} AND http_response_status_code = 200 GROUP BY 1 ORDER BY 1`),
  );
  // CIM's default: a Web event without a method counts under "unknown".
  const methods = await run('| tstats count from datamodel=Web by Web.http_method');
  assert.deepEqual(methods, await sql(`SELECT coalesce(http_request_method, 'unknown') AS "Web.http_method", count(*) AS count FROM events WHERE ${WEB} GROUP BY 1 ORDER BY 1`));
  assert.deepEqual(methods, [{ 'Web.http_method': 'GET', count: 4 }, { 'Web.http_method': 'unknown', count: 1 }]);
  // IN, wildcards and time bounds in where.
  assert.deepEqual(
    await run('| tstats count from datamodel=Web where earliest=-2h Web.url IN ("*/login", "*other*") Web.http_method=GET'),
    await sql(`SELECT count(*) AS count FROM events WHERE ${WEB} AND timestamp >= TIMESTAMP '2026-11-20 10:00:00' AND url_full LIKE '%/login' AND http_request_method = 'GET'`),
  );
});

test('tstats aggregations (min/max/_time, dc, values, latest) by several fields and by sourcetype', async () => {
  assert.deepEqual(
    await run('| tstats count min(_time) as firstTime max(_time) as lastTime dc(Web.uri_path) as paths from datamodel=Web where Web.http_method=GET by Web.src Web.status'),
    await sql(`SELECT coalesce(source_ip, client_ip) AS "Web.src", CAST(http_response_status_code AS VARCHAR) AS "Web.status", count(*) AS count, min(timestamp) AS firstTime, max(timestamp) AS lastTime, count(DISTINCT url_path) AS paths
      FROM events WHERE ${WEB} AND http_request_method = 'GET' GROUP BY 1, 2 ORDER BY 1, 2`),
  );
  assert.deepEqual(await run('| tstats values(Web.uri_path) as paths latest(Web.uri_path) as last from datamodel=Web by sourcetype'), [
    // Splunk's sourcetype names where the alias table gives one (a dataset of several sourcetypes shows its id).
    { sourcetype: 'aws:cloudfront:accesslogs', paths: ['/', '/login'], last: '/login' },
    { sourcetype: 'panw.panos', paths: ['/'], last: '/' },
    { sourcetype: 'zscalernss-web', paths: ['/'], last: '/' },
  ]);
});

test('tstats by _time span= buckets time from the epoch; a by field missing drops the event unless fillnull_value gives it one', async () => {
  assert.deepEqual(
    await run('| tstats count from datamodel=Web by _time span=5s'),
    await sql(`SELECT make_timestamp((epoch_us(timestamp) // 5000000) * 5000000) AS _time, count(*) AS count FROM events WHERE ${WEB} GROUP BY 1 ORDER BY 1`),
  );
  assert.deepEqual(await run('| tstats count from datamodel=Web by _time span=1d'), [{ _time: '2026-11-20 00:00:00', count: 5 }]);
  assert.deepEqual(await run('| tstats count from datamodel=Web by Web.uri_query'), []);
  // ESCU's security_content_summariesonly macro.
  assert.deepEqual(await run('| tstats summariesonly=false allow_old_summaries=true fillnull_value=null count from datamodel=Web by Web.uri_query'), [{ 'Web.uri_query': 'null', count: 5 }]);
});

test('tstats datasets: a child by FROM or nodename, nodename as a by field, constraints over the model fields', async () => {
  const proxy = await sql(`SELECT source_ip AS "Web.src", count(*) AS count FROM events WHERE event_dataset = 'zscaler.zia' OR (event_dataset = 'panw.panos' AND panw_panos_sub_type = 'url') GROUP BY 1 ORDER BY 1`);
  assert.deepEqual(await run('| tstats count from datamodel=Web.Proxy by Web.src'), proxy);
  assert.deepEqual(await run('| tstats count from datamodel=Web.Web.Proxy by Web.src'), proxy);
  assert.deepEqual(await run('| tstats count from datamodel=Web where nodename=Web.Proxy by Web.src'), proxy);
  assert.deepEqual(await run('| tstats count from datamodel=Web by nodename'), [{ nodename: 'Web', count: 5 }, { nodename: 'Web.Proxy', count: 2 }]);
  assert.deepEqual(
    await run('| tstats count from datamodel=Network_Traffic.All_Traffic by All_Traffic.dest_port All_Traffic.transport'),
    // dest_port is text: one sourcetype's CIM definition makes it "unknown" where the port is missing (spl-aliases.yml).
    await sql(`SELECT CAST(destination_port AS VARCHAR) AS "All_Traffic.dest_port", lower(network_transport) AS "All_Traffic.transport", count(*) AS count FROM events WHERE event_dataset = 'panw.panos' AND panw_panos_type = 'TRAFFIC' GROUP BY 1, 2 ORDER BY 1, 2`),
  );
  // Traffic_By_Action needs action=*: the CIM default "unknown" counts too.
  assert.deepEqual(await run('| tstats count from datamodel=Network_Traffic where nodename=All_Traffic.Traffic_By_Action'), [{ count: 1 }]);
  assert.deepEqual(await run('| tstats count from datamodel=Intrusion_Detection'), [{ count: 0 }], 'the seed has no threat log but the url one');
  assert.deepEqual(await run('| tstats count where index=cloudfront by index'), [{ index: 'aws.cloudfront', count: 3 }], 'without FROM: the indexed fields');
});

test('tstats refuses what it cannot answer as Splunk would, naming it', () => {
  refused('| tstats count from datamodel=Change by All_Changes.object_attrs', /data model Change has no field 'object_attrs' mapped/);
  refused('| tstats count from datamodel=Endpoint.Processes', /data model 'Endpoint' is not mapped onto packettrail's store \(mapped: Web, Network_Traffic/);
  refused('| tstats count from datamodel=Web.Nope', /data model Web has no dataset 'Nope'/);
  refused('| tstats count from datamodel=Web by Web.cookie', /data model Web has no field 'cookie' mapped/);
  refused('| tstats count from datamodel=Web where src=10.0.0.1', /fields of data model Web are named Web.<field>; did you mean Web.src/);
  refused('| tstats count from datamodel=Web where foo', /a bare term in a tstats where is not supported/);
  refused('| tstats prestats=t count from datamodel=Web', /tstats option 'prestats' is not supported/);
  refused('| tstats count from datamodel=Web by _time span=1w', /span=1w is not supported/);
  refused('| tstats count from datamodel=Web by Web.src span=1h', /span= needs _time among the by fields/);
  refused('| tstats values(*) from datamodel=Web', /wildcard fields in aggregations are not supported/);
  refused('| tstats count by nodename', /tstats: no field 'nodename' here/);
  refused('index=cloudfront | tstats count', /tstats starts a search: it must be the first command/);
  refused('| tstats count from inputlookup:x', /expected datamodel=<Model> after FROM/);
  const c = spl('| tstats summariesonly=t count from datamodel=Web');
  assert.match(c.warnings.join('\n'), /no data model acceleration; every event is read/);
});

test('every field and dataset of the built-in data models compiles onto the store without a warning', () => {
  for (const model of builtinDataModels().values()) {
    if (model.refused) continue;
    const root = model.root.name;
    for (const field of model.fields.keys()) {
      const c = spl(`| tstats count from datamodel=${model.name} by ${root}.${field}`);
      assert.deepEqual(c.warnings, [], `${model.name}.${field}`);
    }
    for (const d of datasetsOf(model)) assert.deepEqual(spl(`| tstats count from datamodel=${model.name} where nodename=${d.lineage}`).warnings, []);
  }
});

test('data model files: a default of no field and a constraint that does not parse name the place', () => {
  assert.throws(() => loadDataModels('models:\n  M:\n    fields: {a: a}\n    default: {b: x}\n', 'f.yml'), (e: Error) => e instanceof DataModelError && /f.yml: models.M.default.b: not a field of the model/.test(e.message));
  assert.throws(() => loadDataModels('models:\n  M:\n    constraint: "a=("\n', 'f.yml'), (e: Error) => e instanceof DataModelError && /f.yml: models.M.constraint/.test(e.message));
});
