import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../testing/tmp.js';
import { coveredStations } from './coverage.js';
import { tableCatalog } from './rows.js';
import type { TrailState } from './state.js';
import { ingestDir } from './test-helpers.js';

const HEADER = '#Version: 1.0\n#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken';
const line = (time: string, id: string) => `2026-11-20\t${time}\tLAX1\t392\t192.0.2.7\tGET\td1.cloudfront.net\t/\t200\t-\tcurl/8.5.0\t-\t-\tHit\t${id}\tapp.example.com\thttps\t23\t0.001`;

test('coverage from the day summaries is exact at the window edges, and the summary is read once per day', async () => {
  const dir = tempDir();
  const logs = join(dir, 'logs');
  mkdirSync(logs);
  // Events at 10:20:00.000 and 10:41:00; the window is the trail's time ± 10 minutes, bounds included.
  writeFileSync(join(logs, 'E2EXAMPLE.2026-11-20-10.a.log'), `${HEADER}\n${line('10:20:00', 'a==')}\n${line('10:41:00', 'b==')}\n`);
  const { store } = await ingestDir(logs, dir);
  try {
    const ctx = { store, catalog: await tableCatalog(store), queries: 0 };
    const covered = async (time: string) => (await coveredStations({ ctx, time: Date.parse(`2026-11-20T${time}Z`) } as unknown as TrailState, ['edge'])).has('edge');
    assert.equal(await covered('10:30:00.000'), true, '10:20:00.000 is the window start');
    assert.equal(ctx.queries, 1);
    assert.equal(await covered('10:30:00.001'), false, 'the window starts 1 ms after the event and ends before 10:41');
    assert.equal(await covered('10:50:59'), true, '10:41 in the first bucket of the window');
    assert.equal(await covered('10:31:00'), true, '10:41:00 is the window end');
    assert.equal(await covered('11:10:00'), false, 'nothing between 11:00 and 11:20');
    assert.equal(await covered('10:35:00'), true, 'an event in a bucket strictly inside');
    assert.equal(ctx.queries, 1, 'one summary query for the day, no existence queries');
  } finally {
    await store.close();
  }
});
