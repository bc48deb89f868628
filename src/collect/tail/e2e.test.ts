import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigIssue } from '../intake.js';
import { collectLog } from '../log.js';
import { tempDir } from '../../testing/tmp.js';
import { openTestPipeline, queryStore, until } from '../../testing/collect-e2e.js';
import { tailInputType } from './input-type.js';
import type { TailInput } from './input.js';

collectLog.silent = true;

const line = (n: number): string => `{"time":"2026-11-20T10:00:00Z","msg":"request","n":${n}}\n`;
const lines = (from: number, to: number): string => Array.from({ length: to - from + 1 }, (_, i) => line(from + i)).join('');

test('watched folder → real pipeline → DuckDB: rotation, a restart from the checkpoint, bad lines dead-lettered with file and line', async () => {
  const dir = tempDir();
  const logs = join(dir, 'logs');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(logs);
  const log = join(logs, 'app.log');
  writeFileSync(log, `${lines(1, 100)}this is not json\n`);
  const make = (): TailInput => {
    const issues: ConfigIssue[] = [];
    const input = tailInputType.create({ type: 'tail', name: 'app', paths: [join(logs, '*.log')], format: 'app.json', checkpoint: join(dir, 'cp.json'), poll_ms: 20 }, 'inputs[0]', issues);
    assert.deepEqual(issues, []);
    return input as TailInput;
  };
  let run = await openTestPipeline(dir, 'tail');
  let input = make();
  await input.start(run.pipeline);
  await until('first lines', () => input.counts.lines >= 101);
  renameSync(log, join(logs, 'app.log.1'));
  appendFileSync(join(logs, 'app.log.1'), lines(101, 120));
  writeFileSync(log, lines(121, 150));
  await until('rotated lines', () => input.counts.lines >= 151);
  await input.stop();
  await run.pipeline.close();

  appendFileSync(log, lines(151, 200));
  run = await openTestPipeline(dir, 'tail');
  input = make();
  await input.start(run.pipeline);
  await until('lines after restart', () => input.counts.lines >= 50);
  await new Promise((r) => setTimeout(r, 100));
  await input.stop();
  await run.pipeline.close();
  assert.equal(input.counts.lines, 50, 'the restart read only what was appended');
  assert.equal(run.pipeline.counts.duplicates, 0);

  const [[stored, distinct]] = (await queryStore(run.db, "SELECT count(*), count(DISTINCT json_extract(app_extra, '$.n')) FROM events_app_json")) as [[bigint, bigint]];
  assert.equal(Number(stored), 200);
  assert.equal(Number(distinct), 200);
  const dead = (await queryStore(run.db, 'SELECT source, line, reason FROM dead_letters')) as [string, number, string][];
  assert.deepEqual(dead.map((d) => [d[0], Number(d[1])]), [[log, 101]]);
});
