import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitCsv } from './csv.js';
import { envelope } from './syslog.js';

function split(line: string, start = 0): string[] {
  const out: string[] = [];
  const n = splitCsv(line, start, out);
  return out.slice(0, n);
}

test('splitCsv: plain, empty and trailing fields', () => {
  assert.deepEqual(split('a,b,,c'), ['a', 'b', '', 'c']);
  assert.deepEqual(split('a,'), ['a', '']);
  assert.deepEqual(split(''), ['']);
  assert.deepEqual(split('xx1,2', 2), ['1', '2']);
});

test('splitCsv: quoted values with commas and doubled quotes', () => {
  assert.deepEqual(split('1,"a,b",c'), ['1', 'a,b', 'c']);
  assert.deepEqual(split('"say ""hi"", ok",2'), ['say "hi", ok', '2']);
  assert.deepEqual(split('1,"",3'), ['1', '', '3']);
  assert.deepEqual(split('1,"last"'), ['1', 'last']);
  assert.deepEqual(split('1,"Korea, Republic of"'), ['1', 'Korea, Republic of']);
});

test('splitCsv: quotes inside an unquoted value are literal; broken quoting does not throw', () => {
  assert.deepEqual(split('1,Mozilla "x" y,3'), ['1', 'Mozilla "x" y', '3']);
  assert.deepEqual(split('1,"unterminated,2'), ['1', 'unterminated,2']);
  assert.deepEqual(split('1,"a"b,c'), ['1', 'ab', 'c']);
});

test('splitCsv reuses its output array', () => {
  const out: string[] = [];
  assert.equal(splitCsv('a,b,c,d', 0, out), 4);
  assert.equal(splitCsv('x,y', 0, out), 2);
  assert.deepEqual(out.slice(0, 2), ['x', 'y']);
});

test('envelope: RFC 3164 with and without host, RFC 5424, none', () => {
  const p = '1,2026/11/20 10:00:00,0123,TRAFFIC';
  const cases: [string, string | undefined][] = [
    [`<14>Nov 20 10:00:00 fw01 ${p}`, 'fw01'],
    [`<14>Nov  2 10:00:00 fw01.corp.example ${p}`, 'fw01.corp.example'],
    [`Nov 20 10:00:00 fw01 ${p}`, 'fw01'],
    [`Oct 30 09:46:12 ${p}`, undefined],
    [`<14>1 2026-11-20T10:00:00.123+01:00 fw01 - - - - ${p}`, 'fw01'],
    [`<14>1 2026-11-20T10:00:00Z fw01 panos 123 TRAFFIC [meta x="a\\]b"] ${p}`, 'fw01'],
    [`<14>1 2026-11-20T10:00:00Z - - - - - ${p}`, undefined],
    [p, undefined],
    [`<14>Nov 20 10:00:00 fw01 panos: ${p}`, 'fw01'],
  ];
  for (const [line, host] of cases) {
    const e = envelope(line);
    assert.equal(line.slice(e.start), p, line);
    assert.equal(e.host, host, line);
  }
  // Headers only found by looking for the record: ISO timestamps, years, octet counting.
  for (const line of [`<14>2026-11-20T10:00:00+01:00 fw01 ${p}`, `<14>Nov 20 2026 10:00:00 fw01 ${p}`, `231 <14>Nov 20 10:00:00 fw01 ${p}`, `2026-11-20 10:00:00 relay fw01 ${p}`]) {
    assert.equal(line.slice(envelope(line).start), p, line);
  }
  assert.equal(envelope(`231 <14>Nov 20 10:00:00 fw01 ${p}`).host, 'fw01');
  const cef = '<14>Nov 20 10:00:00 fw01 CEF:0|Palo Alto Networks|PAN-OS|11.0|end|TRAFFIC|1|src=1.2.3.4';
  assert.ok(cef.slice(envelope(cef).start).startsWith('CEF:0|'));
  const bare = 'Nov 20 10:00:00 CEF:0|Palo Alto Networks|PAN-OS|11.0|end|TRAFFIC|1|src=1.2.3.4';
  assert.ok(bare.slice(envelope(bare).start).startsWith('CEF:0|'));
});
