import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDbStore } from '../../store/duckdb/duckdb-store.js';
import { SplError } from './errors.js';
import { likePattern } from './search.js';
import { seedDatabase, spl } from './testing.fixture.js';

let store: DuckDbStore;
let db: string;
before(async () => {
  db = seedDatabase();
  store = await DuckDbStore.open(db, { readOnly: true });
});
after(async () => store.close());

const HOSTILE = [`'; DROP TABLE events; --`, `" OR 1=1 --`, `x') OR ('1'='1`, `%' OR '%'='`, `\\'; SELECT 1; --`, `$x`, `*/ DROP /*`];

test('hostile values only ever become bound parameters', async () => {
  for (const v of HOSTILE) {
    const quoted = `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
    for (const q of [`user=${quoted}`, `${quoted}`, `| eval x=${quoted} | where x=${quoted} | table x`, `| stats count by user | where user=${quoted}`, `| eval y=replace(user, "x", ${quoted}) | table y`]) {
      const c = spl(q);
      assert.ok(!c.sql.includes(v), `value leaked into SQL for ${q}:\n${c.sql}`);
      assert.ok(Object.values(c.params).some((p) => typeof p === 'string' && (p.includes(v) || p.includes(likePattern(v)))), q);
      await store.query(c.sql, c.params);
    }
  }
  const r = await store.query('SELECT count(*) FROM events');
  assert.equal(r.rows[0]![0], 10, 'events intact');
});

test('hostile field names are unknown fields: null, named in the warning, never SQL', async () => {
  for (const q of ['| table "; DROP TABLE events; --"', '| stats count by "; DROP TABLE events; --"', '"; DROP TABLE events; --"=1', "| eval a='; DROP TABLE events; --' | table a", "| where '; DROP TABLE events; --' > 1", '| sort -"; DROP TABLE events; --"']) {
    const c = spl(q);
    assert.ok(c.warnings.some((w) => w.includes("field '; DROP TABLE events; --': it is null")), q);
    assert.doesNotMatch(c.sql.replace(/AS "[^"]*(""[^"]*)*"/g, ''), /DROP TABLE/, q);
    await store.query(c.sql, c.params);
  }
  assert.match(spl('| table sourc_ip').warnings[0]!, /field 'sourc_ip': it is null; did you mean source_ip/);
  assert.match(spl('| stats count by host | table user').warnings[0]!, /at this point of the pipeline .*there is no field 'user'/);
});

test('output names are quoted, so a hostile name stays a name', async () => {
  const c = spl('| eval "x\\" FROM events; DROP TABLE events; --"=1 | head 1');
  assert.match(c.sql, /AS "x"" FROM events; DROP TABLE events; --"/);
  const r = await store.query(c.sql, c.params);
  assert.equal(r.columns.at(-1)!.name, 'x" FROM events; DROP TABLE events; --');
  assert.throws(() => spl('| eval "a\u0007b"=1'), /invalid output field name/);
});

test('function and aggregation names come from the allow-list only', () => {
  assert.throws(() => spl('| eval x=read_csv("/etc/passwd")'), (e: SplError) => e instanceof SplError && /unknown function 'read_csv'/.test(e.message) && e.offset === 9);
  assert.throws(() => spl('| eval x=system("id")'), /unknown function 'system'/);
  assert.throws(() => spl('| eval x=count(user)'), /unknown function 'count' \(an aggregation: use it in stats\)/);
  assert.throws(() => spl('| stats read_csv(user)'), /unknown aggregation 'read_csv'/);
  assert.throws(() => spl('| stats perc999(user)'), /unknown aggregation 'perc999'/);
  assert.throws(() => spl('| eval x=lower(a, b)'), /lower\(\) takes 1 argument, got 2/);
  assert.throws(() => spl('| timechart span="1h\'); DROP" count'), /invalid span/);
  assert.throws(() => spl('| head 1;DROP'), /expected a row count/);
  assert.throws(() => spl('index="x\' OR 1=1"'), /unknown index/);
});
