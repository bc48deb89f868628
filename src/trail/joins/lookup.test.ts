import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../testing/tmp.js';
import { tableCatalog } from '../rows.js';
import { ingestDir } from '../test-helpers.js';
import { runLookup, type QueryContext } from './lookup.js';

const HEADER = '#Version: 1.0\n#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken';
const line = (time: string, id: string, path: string) => `2026-11-20\t${time}\tLAX1\t392\t192.0.2.7\tGET\td1.cloudfront.net\t${path}\t200\t-\tcurl/8.5.0\t-\t-\tHit\t${id}\tapp.example.com\thttps\t23\t0.001`;

test('a lookup inside a window already searched with the same conditions is answered from the earlier rows', async () => {
  const dir = tempDir();
  const logs = join(dir, 'logs');
  mkdirSync(logs);
  // The same request id on three lines an hour apart (a retried id is unusual but possible).
  writeFileSync(join(logs, 'E2EXAMPLE.2026-11-20-10.a.log'), `${HEADER}\n${line('10:00:00', 'dup==', '/a')}\n${line('11:00:00', 'dup==', '/b')}\n${line('12:00:00', 'dup==', '/c')}\n${line('11:00:01', 'other==', '/d')}\n`);
  const { store } = await ingestDir(logs, dir);
  try {
    const ctx: QueryContext = { store, catalog: await tableCatalog(store), queries: 0 };
    const at = (t: string) => Date.parse(`2026-11-20T${t}Z`);
    const conditions = [{ column: 'http_request_id', value: 'dup==' }];
    const all = await runLookup(ctx, { station: 'edge', conditions, from: at('00:00:00'), to: at('23:59:59'), center: at('11:00:00') });
    assert.deepEqual(all.map((c) => c.row.url_path), ['/b', '/a', '/c']);
    assert.equal(ctx.queries, 1);
    // Narrower window, same conditions: no query, only the rows inside it.
    const narrow = await runLookup(ctx, { station: 'edge', conditions, from: at('10:30:00'), to: at('11:30:00'), center: at('11:00:00') });
    assert.deepEqual(narrow.map((c) => c.row.url_path), ['/b']);
    assert.equal(ctx.queries, 1);
    // Other conditions, or a window reaching outside the one searched: the store is asked.
    const other = await runLookup(ctx, { station: 'edge', conditions: [{ column: 'http_request_id', value: 'other==' }], from: at('10:30:00'), to: at('11:30:00'), center: at('11:00:00') });
    assert.deepEqual(other.map((c) => c.row.url_path), ['/d']);
    assert.equal(ctx.queries, 2);
    const fresh: QueryContext = { store, catalog: ctx.catalog, queries: 0 };
    await runLookup(fresh, { station: 'edge', conditions, from: at('10:30:00'), to: at('11:30:00'), center: at('11:00:00') });
    const wider = await runLookup(fresh, { station: 'edge', conditions, from: at('09:00:00'), to: at('11:30:00'), center: at('11:00:00') });
    assert.deepEqual(wider.map((c) => c.row.url_path), ['/b', '/a']);
    assert.equal(fresh.queries, 2);
  } finally {
    await store.close();
  }
});
