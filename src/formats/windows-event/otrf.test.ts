import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { getPath, type EcsEvent } from '../../ecs/event.js';
import { runPipeline, type EventSink } from '../../pipeline/run.js';
import { DeadLetterWriter } from '../../pipeline/dead-letter.js';
import { needsShared, SHARED_DIR } from '../../testing/shared.js';
import { extractZip, needsUnzip } from '../../testing/zip.js';

// Every OTRF dataset in ../shared/testdata/otrf (real Windows exports through NXLog/Logstash from
// attack simulations), read with -f auto as a user would: recognized as windows.event, no dead
// letter, no dropped field, and every event has its host, time, provider and channel.
const OTRF = SHARED_DIR ? join(SHARED_DIR, 'testdata', 'otrf') : '';
const zips = OTRF && existsSync(OTRF) ? readdirSync(OTRF).filter((f) => f.endsWith('.zip')).sort() : [];
const skip = needsShared() || needsUnzip() || (zips.length === 0 && 'no OTRF datasets in ../shared/testdata/otrf; skipped');

test('the OTRF datasets are there to test', { skip }, () => {
  assert.ok(zips.length >= 12, `${zips.length} datasets`);
});

for (const zip of zips) {
  test(`OTRF ${basename(zip, '.zip')}: recognized, zero dead letters, host/time/provider/channel filled`, { skip }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pt-otrf-'));
    try {
      const files = extractZip(join(OTRF, zip), dir);
      assert.equal(files.length, 1, `one export per dataset: ${files.join(', ')}`);
      let events = 0;
      const missing = new Map<string, number>();
      const dropped: string[] = [];
      const check = (e: EcsEvent) => {
        events++;
        for (const path of ['@timestamp', 'host.name', 'event.provider', 'winlog.provider_name', 'winlog.channel', 'winlog.computer_name']) {
          const v = getPath(e, path);
          if (typeof v !== 'string' || v === '') missing.set(path, (missing.get(path) ?? 0) + 1);
        }
        if (Array.isArray(e.tags) && e.tags.includes('_field_dropped')) dropped.push(JSON.stringify(e.packettrail));
      };
      const sink: EventSink = { output: 'events', write: async (_s, r) => void (r.eventList ?? []).forEach(check), endSource: async () => {} };
      const summary = await runPipeline({ inputs: files, format: 'auto', threads: 0, sink, deadLetters: new DeadLetterWriter(undefined) });
      const s = summary.sources[0]!;
      assert.equal(s.format, 'windows.event');
      assert.deepEqual(s.errors, []);
      assert.equal(s.rejected, 0);
      assert.equal(events, s.records);
      assert.ok(events > 0);
      assert.deepEqual([...missing], []);
      assert.deepEqual(dropped.slice(0, 3), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
