import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { storeFromFiles } from '../insights/test-store.js';
import { cloudFrontLog } from '../testing/cloudfront-lines.js';
import { createConsoleServer } from './index.js';

test('console search: earliest=/latest= that miss the stored events add a warning saying where they are', async () => {
  const ts = await storeFromFiles({ 'cf/E2EXAMPLE.2026-11-20-10.abcd1234': cloudFrontLog(5, { startMs: Date.UTC(2026, 10, 20, 10) }) }, { analyses: false });
  const server = await createConsoleServer({ db: ts.db });
  try {
    await server.app.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
    const search = async (query: string) => {
      const res = await fetch(`${base}/api/query`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, language: 'spl' }) });
      assert.equal(res.status, 200);
      return (await res.json()) as { rows: unknown[][]; warnings: string[] };
    };
    const missed = await search('index=cloudfront earliest=2027-01-01T00:00:00Z | stats count');
    assert.deepEqual(missed.rows, [[0]]);
    assert.deepEqual(missed.warnings, ['no events in the time range (earliest 2027-01-01T00:00:00Z), but the store holds 5 aws.cloudfront events from 2026-11-20T10:00:00Z to 2026-11-20T10:00:04Z: widen earliest=/latest= to cover them']);
    assert.deepEqual((await search('index=cloudfront earliest=2026-11-20T00:00:00Z | stats count')).warnings, []);
  } finally {
    await server.close();
  }
});
