import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newestFirstAt } from './order.js';
import { parse } from './parser.js';

test('events are sorted newest first before the first command answering from their order, past commands keeping it (module commands too)', () => {
  const at = (q: string, resultOrderMatters = false) => newestFirstAt(parse(q), resultOrderMatters);
  assert.equal(at('index=vpcflow | head 5'), 1);
  assert.equal(at('index=vpcflow | rex field=url "(?<host>[^/]+)" | fillnull value=x host | streamstats count by host'), 1);
  assert.equal(at('index=vpcflow | convert ctime(_time) | bin _time span=1h | dedup _time'), 1);
  assert.equal(at('index=vpcflow | spath input=x path=a | eval b=1', true), 1, 'a subsearch cuts its rows in order');
  assert.equal(at('index=vpcflow | stats count by src | head 5'), -1, 'stats sets its own order');
  assert.equal(at('index=vpcflow | eval b=1'), -1);
});
