import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inlineNamedQueries } from './expressions.js';

test('named subqueries inline where a FROM or JOIN names them, never inside literals, quoted names or other words', () => {
  const sql = inlineNamedQueries(
    [
      ['s1', 'SELECT * FROM "events" WHERE x = \'FROM s1\''],
      ['s2', 'SELECT "s1", s1x FROM s1 JOIN s1 ON 1'],
    ],
    'SELECT * FROM s2',
  );
  const s1 = `(SELECT * FROM "events" WHERE x = 'FROM s1') AS s1`;
  assert.equal(sql, `SELECT * FROM (SELECT "s1", s1x FROM ${s1} JOIN ${s1} ON 1) AS s2`);
  assert.equal(inlineNamedQueries([], 'SELECT 1'), 'SELECT 1');
  // A backslash-escaped quote does not end a ClickHouse string literal.
  assert.equal(inlineNamedQueries([['s1', 'SELECT 1']], "SELECT 'a\\' FROM s1' FROM s1"), "SELECT 'a\\' FROM s1' FROM (SELECT 1) AS s1");
});
