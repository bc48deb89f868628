import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TsvResultReader } from './results.js';

test('a UInt8 column named as a boolean column of the catalog reads true/false; other UInt8 columns stay numbers', () => {
  const reader = new TsvResultReader(false, new Set(['zscaler_ssl_decrypted']));
  assert.equal(reader.line('zscaler_ssl_decrypted\tn\tflag'), undefined);
  assert.equal(reader.line('Nullable(UInt8)\tUInt8\tNullable(String)'), undefined);
  assert.deepEqual(reader.columns, [
    { name: 'zscaler_ssl_decrypted', type: 'BOOLEAN' },
    { name: 'n', type: 'UTINYINT' },
    { name: 'flag', type: 'VARCHAR' },
  ]);
  assert.deepEqual(reader.line('1\t1\t1'), [true, 1, '1']);
  assert.deepEqual(reader.line('0\t0\t0'), [false, 0, '0']);
  assert.deepEqual(reader.line('\\N\t2\t\\N'), [null, 2, null]);
});
