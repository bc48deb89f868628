import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bindParams, literal, ParameterError } from './literals.js';
import { epochText } from './staged.js';
import { parseArray, timeText } from './results.js';

test('values become literals: strings escaped, numbers finite (negative ones in parentheses), booleans 1/0, NULL', () => {
  assert.equal(literal("it's \\ a\ttab\nline\0nul"), "'it\\'s \\\\ a\\ttab\\nline\\0nul'");
  assert.equal(literal(42), '42');
  assert.equal(literal(-5), '(-5)');
  assert.equal(literal(true), '1');
  assert.equal(literal(null), 'NULL');
  assert.equal(literal('\ud800x'), "'\ufffdx'");
  assert.throws(() => literal(NaN), ParameterError);
  assert.throws(() => literal(Infinity), ParameterError);
});

test('placeholders in strings, quoted identifiers and comments are text; others are replaced; a missing value is named', () => {
  const sql = `SELECT $a, '$a', "$a", \`$a\`, 'it''s $a', 'x\\'$a' -- $a\n, $b /* $a */ FROM t WHERE x-$n = 1`;
  assert.equal(bindParams(sql, { a: 'A', b: 2, n: -1 }), `SELECT 'A', '$a', "$a", \`$a\`, 'it''s $a', 'x\\'$a' -- $a\n, 2 /* $a */ FROM t WHERE x-(-1) = 1`);
  assert.throws(() => bindParams('SELECT $missing', { a: 1 }), /no value given for parameter \$missing/);
  assert.equal(bindParams('SELECT $1, $$', { a: 1 }), 'SELECT $1, $$');
});

test('staged times become epoch seconds with milliseconds, and stored times render as DuckDB renders a TIMESTAMP', () => {
  assert.equal(epochText('2026-11-20T08:00:16.363Z'), '1795161616.363');
  assert.equal(epochText('2026-11-20T08:00:16Z'), '1795161616.000');
  assert.equal(epochText('2026-11-20T08:00:16.123456Z'), '1795161616.123');
  assert.equal(epochText('1969-12-31T23:59:59.500Z'), '-0.500');
  assert.equal(timeText('1795161616.120', false), '2026-11-20 08:00:16.12');
  assert.equal(timeText('1795161616.000', false), '2026-11-20 08:00:16');
  assert.equal(timeText('1795161616.363', true), '2026-11-20T08:00:16.363Z');
  assert.deepEqual(parseArray("['a','b\\'c','d\\\\e','t\\tab',NULL]"), ['a', "b'c", 'd\\e', 't\tab', null]);
  assert.deepEqual(parseArray('[]'), []);
  // Nested arrays are elements whole, whatever their quoted strings hold (brackets, commas, quotes).
  assert.deepEqual(parseArray("[['a,]b','c\\''],['x'],[NULL],[]]"), ["['a,]b','c\\'']", "['x']", '[NULL]', '[]']);
  assert.deepEqual(parseArray(parseArray("[['a,]b','c\\'']]")[0]!), ['a,]b', "c'"]);
});
