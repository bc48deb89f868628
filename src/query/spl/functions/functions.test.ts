import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDbStore } from '../../../store/duckdb/duckdb-store.js';
import { seedDatabase, spl, splOn } from '../testing.fixture.js';

let store: DuckDbStore;
before(async () => {
  store = await DuckDbStore.open(seedDatabase(), { readOnly: true });
});
after(async () => store.close());

/** Evaluates expressions on one event (the newest CloudFront one, 10:00:10, /login, FRA56-P3); NOW is 2026-11-20 12:00. */
async function evalOne(assignments: string, fields: string): Promise<Record<string, unknown>> {
  const c = await splOn(store, `index=cloudfront | head 1 | eval ${assignments} | table ${fields}`);
  const r = await store.query(c.sql, c.params);
  return Object.fromEntries(r.columns.map((col, i) => [col.name, r.rows[0]![i]]));
}

const refused = (query: string, message: RegExp) => assert.throws(() => spl(query), message, query);

test('multivalue functions: mvappend skips nulls, mvcount of one value is 1, mvindex from 0 with negatives and an inclusive end', async () => {
  assert.deepEqual(
    await evalOne(
      'a=mvappend("x", null(), split("y;z", ";")), b=mvappend(null(), null()), s=mvcount(edge_location), n=mvcount(null()), j=mvjoin(a, "|"), i0=mvindex(a, 0), il=mvindex(a, -1), ix=mvindex(a, 5), r=mvindex(a, 1, -1), one=mvindex(edge_location, 0)',
      'a b s n j i0 il ix r one',
    ),
    { a: ['x', 'y', 'z'], b: null, s: 1, n: null, j: 'x|y|z', i0: 'x', il: 'z', ix: null, r: ['y', 'z'], one: 'FRA56-P3' },
  );
  assert.deepEqual(
    await evalOne(
      'a=split("b,a,b,10,9,B", ","), d=mvdedup(a), srt=mvsort(a), f=mvfilter(match(a, "^[ab]$")), none=mvfilter(a="q"), m=mvmap(a, a . "!"), z=mvzip(mvappend("k1", "k2"), mvappend("v1", "v2", "v3"), "="), fi=mvfind(a, "^1"), fn=mvfind(a, "^q"), rg=mvrange(1, 7, 2), ch=split("abc", "")',
      'd srt f none m z fi fn rg ch',
    ),
    {
      d: ['b', 'a', '10', '9', 'B'], srt: ['10', '9', 'B', 'a', 'b', 'b'], f: ['b', 'a', 'b'], none: null, m: ['b!', 'a!', 'b!', '10!', '9!', 'B!'],
      z: ['k1=v1', 'k2=v2'], fi: 3, fn: null, rg: ['1', '3', '5'], ch: ['a', 'b', 'c'],
    },
  );
  // A multivalue made by eval groups by each value.
  const c = await splOn(store, 'index=cloudfront | eval l=split("a,b", ",") | stats count by l');
  assert.deepEqual((await store.query(c.sql, c.params)).rows, [['a', 3], ['b', 3]]);
  refused('| eval x=mvfilter(a=b)', /mvfilter\(\) needs an expression of exactly one field, found a, b/);
});

test('time functions: now() is the search time, relative_time snaps after the offset, strftime/strptime with Splunk variables, time arithmetic in seconds', async () => {
  assert.deepEqual(
    await evalOne(
      'n=now(), d=relative_time(now(), "-1d@d"), h=relative_time(now(), "-70m@m"), w0=relative_time(now(), "@w0"), w1=relative_time(now(), "@w1"), mo=relative_time(_time, "+1mon@mon"), s=strftime(_time, "%Y-%m-%dT%H:%M:%S%z %s|%e|%k|%F %T|%3N"), p=strptime("2026-11-20T11:00:00+0100", "%Y-%m-%dT%H:%M:%S%z"), age=now() - _time, later=_time + 60',
      'n d h w0 w1 mo s p age later',
    ),
    {
      n: '2026-11-20 12:00:00', d: '2026-11-19 00:00:00', h: '2026-11-20 10:50:00', w0: '2026-11-15 00:00:00', w1: '2026-11-16 00:00:00', mo: '2026-12-01 00:00:00',
      s: '2026-11-20T10:00:10+0000 1795168810|20|10|2026-11-20 10:00:10|000', p: '2026-11-20 10:00:00', age: 7190, later: 1795168870,
    },
  );
  // A comparison with relative_time (the ESCU idiom).
  const c = await splOn(store, 'index=cloudfront | where _time >= relative_time(now(), "-2h@h") | stats count');
  assert.deepEqual((await store.query(c.sql, c.params)).rows, [[3]]);
  refused('| eval t=relative_time(now(), "-1fortnight")', /unknown time unit 'fortnight'/);
  refused('| eval t=relative_time(now(), url)', /relative_time\(\) takes the time modifier as a literal string/);
  refused('| eval t=strftime(_time, "%c %x")', /time format variable '%x' is not supported/);
  refused('| eval t=strptime(url, "%s")', /time format variable '%s' is not supported in strptime/);
});

test('strftime fractions of the second: %9N is nine digits (DuckDB\'s own %n wrote six and three NUL characters)', async () => {
  assert.deepEqual(await evalOne('f=strftime(1795168810.25, "%9N|%6N|%3N|%a %B %e %j %U %W %V %G %u %w")', 'f'), { f: '250000000|250000|250|Fri November 20 324 46 46 47 2026 5 5' });
});

test('text, type and conversion functions', async () => {
  assert.deepEqual(
    await evalOne(
      'c=case(1=2, "a"), v=validate(1=1, "ok", 1=2, "bad"), nl=nullif("a", "a"), ty=typeof(status), t2=typeof("abc"), tn=tonumber("ff", 16), rnd=round(2.5), lg=log(100), lk=like("abc", "a%"), p=pi(), h=hypot(3, 4), tb=tostring(1==1), hx=tostring(255, "hex"), du=tostring(93784, "duration"), pf=printf("%05.1f|%s|%d", 3.14159, "a", 42), tr=trim("  x  "), rp=replace("a1b22", "(\\d+)", "<\\1>")',
      'c v nl ty t2 tn rnd lg lk p h tb hx du pf tr rp',
    ),
    { c: null, v: 'bad', nl: null, ty: 'Number', t2: 'String', tn: 255, rnd: 3, lg: 2, lk: true, p: 3.14159265359, h: 5, tb: 'True', hx: '0xFF', du: '1+02:03:04', pf: '003.1|a|42', tr: 'x', rp: 'a<1>b<22>' },
  );
  refused('| eval x=tostring(1, "roman")', /tostring format 'roman' is not one of hex, commas, duration/);
  refused('| eval x=printf("%\'d", 1)', /printf conversion '%'d' is not supported/);
  refused('| eval x=match(url, "(?<=a)b")', /regex uses lookbehind/);
  refused('| eval x=replace(url, "(a)\\1", "")', /backreference/);
});

test('JSON functions and cidrmatch', async () => {
  assert.deepEqual(
    await evalOne(
      'j="{\\"a\\":[1,2],\\"b\\":{\\"c\\":\\"x\\"}}", a=json_extract(j, "a"), all=json_extract(j, "a{}"), c=spath(j, "b.c"), ok=json_valid(j), bad=json_valid("{"), in=cidrmatch("10.0.0.0/8", "10.1.2.3"), out=cidrmatch("10.0.0.0/8", "11.0.0.1"), host=cidrmatch("192.0.2.1", "192.0.2.1"), nonip=cidrmatch("10.0.0.0/8", "x")',
      'a all c ok bad in out host nonip',
    ),
    { a: '[1,2]', all: ['1', '2'], c: 'x', ok: true, bad: false, in: true, out: false, host: true, nonip: false },
  );
  // IPv6 subnets: any spelling of an address in the prefix, the prefix's last digit in part (/30).
  assert.deepEqual(
    await evalOne('a=cidrmatch("2001:db8::/32", "2001:DB8:0::1"), b=cidrmatch("2001:db8::/32", "2001:db9::1"), c=cidrmatch("2001:db8::/30", "2001:dbb::1"), d=cidrmatch("2001:db8::/32", "10.0.0.1"), e=cidrmatch("2001:db8::1", "2001:db8:0:0:0:0:0:1"), f=cidrmatch("10.0.0.0/8", "2001:db8::1")', 'a b c d e f'),
    { a: true, b: false, c: true, d: false, e: true, f: false },
  );
  refused('| eval x=cidrmatch("2001:db8::/129", src_ip)', /invalid subnet '2001:db8::\/129'/);
  refused('| eval x=spath(url, "a{0}")', /array index in 'a\{0\}' is not supported/);
});
