import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quoteLongIntegers } from './json-long-integers.js';

test('quoteLongIntegers: long integer literals become strings; strings, short and decimal numbers stay', () => {
  const text = '{"SequenceNo":7334523123456789012,"n":-12345678901234567,"short":123456789012345,"f":12345678901234567.5,"e":12345678901234567e3,"s":"x\\"12345678901234567890","a":[99999999999999999999]}';
  assert.deepEqual(JSON.parse(quoteLongIntegers(text)), {
    SequenceNo: '7334523123456789012',
    n: '-12345678901234567',
    short: 123456789012345,
    f: 12345678901234567.5,
    e: 12345678901234567e3,
    s: 'x"12345678901234567890',
    a: ['99999999999999999999'],
  });
  const plain = '{"a":1}';
  assert.equal(quoteLongIntegers(plain), plain);
  // Not JSON: returned for JSON.parse to report, never a throw here.
  assert.equal(typeof quoteLongIntegers('{"a":12345678901234567890'), 'string');
});
