import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigIssue } from '../intake.js';
import { RecordingIntake } from '../../testing/recording-intake.js';
import { tempDir } from '../../testing/tmp.js';
import { until } from '../../testing/collect-e2e.js';
import { collectLog } from '../log.js';
import { tailInputType } from './input-type.js';
import type { TailInput } from './input.js';

collectLog.silent = true;

function tail(dir: string, extra: Record<string, unknown> = {}): TailInput {
  const issues: ConfigIssue[] = [];
  const input = tailInputType.create({ type: 'tail', name: 'app', paths: [join(dir, '*.log')], format: 'app.json', checkpoint: join(dir, 'cp.json'), poll_ms: 20, ...extra }, 'inputs[0]', issues);
  assert.deepEqual(issues, []);
  return input as TailInput;
}

const lines = (from: number, to: number): string => Array.from({ length: to - from + 1 }, (_, i) => `{"n":${from + i}}\n`).join('');
const numbers = (intake: RecordingIntake): number[] => intake.lines.map((l) => (JSON.parse(l) as { n: number }).n);
const settle = (ms = 150): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('only complete lines; rotation by rename + new file; truncation; nothing lost or repeated', async () => {
  const dir = tempDir();
  const log = join(dir, 'app.log');
  writeFileSync(log, `${lines(1, 3)}{"n":4`);
  const intake = new RecordingIntake();
  const input = tail(dir);
  await input.start(intake);
  try {
    await intake.waitFor(3);
    await settle();
    assert.deepEqual(numbers(intake), [1, 2, 3], 'the unterminated line waits');
    appendFileSync(log, `}\n${lines(5, 6)}`);
    await intake.waitFor(6);
    // Rotation: renamed out of the glob, the writer still appends to it, then a new file appears.
    renameSync(log, join(dir, 'app.log.1'));
    appendFileSync(join(dir, 'app.log.1'), lines(7, 8));
    writeFileSync(log, lines(9, 10));
    await intake.waitFor(10);
    // Truncation: copytruncate-style rotation.
    await settle();
    truncateSync(log, 0);
    appendFileSync(log, lines(11, 11));
    await intake.waitFor(11);
    await settle();
    assert.deepEqual(numbers(intake).sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    await until('the rotated file to be let go', () => input.counts.rotations === 1, 5000);
    assert.equal(input.counts.truncations, 1);
    const rotated = intake.deliveries.find((d) => d.lines.includes('{"n":7}'))!;
    assert.equal(rotated.source, log, 'lines of the rotated file are attributed to the path it was read as');
  } finally {
    await input.stop();
  }
});

test('restart from the checkpoint: no duplicates, line numbers go on; a rewritten file is read again', async () => {
  const dir = tempDir();
  const log = join(dir, 'app.log');
  writeFileSync(log, lines(1, 5));
  const first = new RecordingIntake();
  let input = tail(dir);
  await input.start(first);
  await first.waitFor(5);
  await input.stop();
  const cp = JSON.parse(readFileSync(join(dir, 'cp.json'), 'utf8')) as { files: { offset: number; line: number; ino: number }[] };
  assert.equal(cp.files.length, 1);
  assert.equal(cp.files[0]!.offset, lines(1, 5).length);
  assert.equal(cp.files[0]!.line, 5);

  appendFileSync(log, lines(6, 8));
  const second = new RecordingIntake();
  input = tail(dir);
  await input.start(second);
  await second.waitFor(3);
  await settle();
  await input.stop();
  assert.deepEqual(numbers(second), [6, 7, 8]);
  assert.equal(second.deliveries[0]!.firstLine, 6);

  // Same inode, different first bytes (rewritten while stopped): the checkpoint no longer applies.
  writeFileSync(log, `{"rewritten":true,"n":100}\n${lines(101, 120)}`);
  const third = new RecordingIntake();
  input = tail(dir);
  await input.start(third);
  await third.waitFor(21);
  await input.stop();
  assert.equal(numbers(third)[0], 100);
});

test('a failed delivery is retried at the next poll; start_at end skips what was there; gzip files are not tailed', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'old.log'), lines(1, 3));
  writeFileSync(join(dir, 'rotated.log'), Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]));
  const intake = new RecordingIntake();
  intake.failNext = 1;
  const input = tail(dir, { start_at: 'end' });
  await input.start(intake);
  try {
    appendFileSync(join(dir, 'old.log'), lines(4, 5));
    writeFileSync(join(dir, 'new.log'), lines(6, 6));
    await intake.waitFor(3);
    await settle();
    assert.deepEqual(numbers(intake).sort(), [4, 5, 6]);
    assert.equal(input.counts.failedDeliveries, 1);
  } finally {
    await input.stop();
  }
});

test('header lines are replayed in front of later deliveries (CloudFront #Fields)', async () => {
  const dir = tempDir();
  const log = join(dir, 'cf.log');
  writeFileSync(log, '#Version: 1.0\n#Fields: date time x-edge-location\n2026-11-20\t10:00:00\tFRA56-C1\n');
  const intake = new RecordingIntake();
  const input = tail(dir, { format: 'aws.cloudfront' });
  await input.start(intake);
  try {
    await intake.waitFor(3);
    appendFileSync(log, '2026-11-20\t10:00:01\tFRA56-C1\n');
    await intake.waitFor(4);
    const later = intake.deliveries[intake.deliveries.length - 1]!;
    assert.deepEqual(later.header, ['#Version: 1.0', '#Fields: date time x-edge-location']);
    assert.equal(later.firstLine, 4);
  } finally {
    await input.stop();
  }
});
