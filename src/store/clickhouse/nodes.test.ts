import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { clickhouseSkip, startClickHouse, type ClickHouseCluster } from '../../testing/clickhouse.js';
import { ClickHouseNode } from './nodes.js';
import { parseStoreUrl } from './url.js';

const skip = clickhouseSkip();
let server: ClickHouseCluster | undefined;
let node: ClickHouseNode | undefined;

before(async () => {
  if (skip) return;
  server = await startClickHouse(1);
  node = new ClickHouseNode(server.http, parseStoreUrl(server.storeUrl('default')), 'default');
});
after(async () => {
  await node?.close();
  await server?.stop();
});

test('rows(): multi-byte characters split across response chunks come back whole', { skip }, async () => {
  // Rows of 1-, 2-, 3- and 4-byte characters, megabytes of them: the response arrives in many
  // chunks, and their boundaries fall inside characters.
  const rows = await node!.rows(`SELECT number, concat(toString(number), 'é€😀', toString(number)) FROM system.numbers LIMIT 200000`);
  assert.equal(rows.length, 200_000);
  const wrong = rows.find(([n, v]) => v !== `${n}é€😀${n}`);
  assert.equal(wrong, undefined, `row ${JSON.stringify(wrong)}`);
});
