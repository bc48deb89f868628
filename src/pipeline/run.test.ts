import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runPipeline, type EventSink } from './run.js';
import { DeadLetterWriter } from './dead-letter.js';
import type { ChunkResult } from './chunk.js';
import type { SourceStats } from './stats.js';
import { hadFailures } from './stats.js';
import { tempDir } from '../testing/tmp.js';

const HEADER = '#Version: 1.0\n#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end';
function line(i: number): string {
  return `2026-11-20\t10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}\tLAX1\t392\t192.0.2.${i % 250}\tGET\td1abcdexample.cloudfront.net\t/p${i}\t200\t-\tcurl/8.5.0\t-\t-\tHit\treq${i}==\tapp.example.com\thttps\t23\t0.001\t-\tTLSv1.2\tECDHE-RSA-AES128-GCM-SHA256\tHit\tHTTP/2.0\t-\t-\t${1024 + i}\t0.001\tHit\ttext/html\t78\t-\t-`;
}
function log(n: number, from = 0): string {
  return `${HEADER}\n${Array.from({ length: n }, (_, i) => line(i + from)).join('\n')}\n`;
}

class Collect implements EventSink {
  readonly output = 'ndjson' as const;
  lines: string[] = [];
  async write(_s: SourceStats, r: ChunkResult) {
    this.lines.push(...r.text.split('\n').filter(Boolean));
  }
  async endSource(_s: SourceStats) {}
}

async function run(inputs: string[], format = 'auto', threads = 0, chunkChars?: number) {
  const dir = tempDir();
  const deadPath = join(dir, 'dead.ndjson');
  const dead = new DeadLetterWriter(deadPath);
  const sink = new Collect();
  const summary = await runPipeline({ inputs, format, threads, sink, deadLetters: dead, chunkChars });
  await dead.close();
  let letters: { source: string; line: number; reason: string; record: string }[] = [];
  try {
    letters = readFileSync(deadPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  } catch {
    /* no dead letters written */
  }
  return { summary, sink, letters };
}

test('plain and gzip files, directories and globs; order kept across chunks and threads', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'z.log'), log(500));
  writeFileSync(join(dir, 'E2EXAMPLE.2026-11-20-10.abcd.gz'), gzipSync(log(300, 500)));
  for (const threads of [0, 2]) {
    const { summary, sink } = await run([dir], 'auto', threads, 4096);
    assert.equal(summary.sources.length, 2);
    assert.equal(sink.lines.length, 800);
    const paths = sink.lines.map((l) => JSON.parse(l).url.path);
    // directories are read in name order: the .gz file first
    assert.deepEqual(paths, [...Array.from({ length: 300 }, (_, i) => `/p${i + 500}`), ...Array.from({ length: 500 }, (_, i) => `/p${i}`)]);
    assert.equal(hadFailures(summary), false);
    const gz = JSON.parse(sink.lines[0]!);
    assert.equal(gz.aws.cloudfront.distribution_id, 'E2EXAMPLE');
  }
  const glob = await run([join(dir, '*.log')]);
  assert.equal(glob.sink.lines.length, 500);
});

test('headers are replayed into chunks parsed in parallel', async () => {
  const dir = tempDir();
  // A header with fewer fields: only correct if every chunk knows it.
  const text = '#Fields: date time c-ip cs-method sc-status x-edge-request-id\n' + Array.from({ length: 2000 }, (_, i) => `2026-11-20\t10:00:00\t192.0.2.1\tGET\t200\tid${i}`).join('\n');
  writeFileSync(join(dir, 'short.log'), text);
  const { sink, letters } = await run([join(dir, 'short.log')], 'aws.cloudfront', 2, 1024);
  assert.equal(letters.length, 0);
  assert.equal(sink.lines.length, 2000);
});

test('bad input: wrong field counts, bad dates, binary garbage — each a dead letter with file and line', async () => {
  const dir = tempDir();
  const bad = `${HEADER}\n${line(1)}\n2026-11-20\t10:00:00\tLAX1\n${line(2).replace('2026-11-20', '2026-02-30')}\n\u0000\u0001\u0002\u0003\n${line(3)}\n`;
  const path = join(dir, 'bad.log');
  writeFileSync(path, bad);
  const { summary, sink, letters } = await run([path]);
  assert.equal(sink.lines.length, 2);
  assert.equal(summary.sources[0]!.rejected, 3);
  assert.deepEqual(letters.map((l) => [l.source, l.line]), [[path, 4], [path, 5], [path, 6]]);
  assert.match(letters[0]!.reason, /expected 33 tab-separated fields/);
  assert.match(letters[1]!.reason, /bad date\/time/);
  assert.match(letters[2]!.reason, /binary data/);
  assert.equal(hadFailures(summary), true);
});

test('a truncated gzip keeps the lines before the damage and reports the file', async () => {
  const dir = tempDir();
  const gz = gzipSync(log(2000));
  const path = join(dir, 'E2EXAMPLE.2026-11-20-11.trunc.gz');
  writeFileSync(path, gz.subarray(0, Math.floor(gz.length * 0.6)));
  const { summary, sink, letters } = await run([path]);
  assert.ok(sink.lines.length > 100 && sink.lines.length < 2000, `kept ${sink.lines.length}`);
  assert.equal(summary.sources[0]!.errors.length, 1);
  assert.match(summary.sources[0]!.errors[0]!, /gzip stream is truncated or corrupt/);
  assert.equal(letters.length, 1);
  assert.match(letters[0]!.reason, /truncated/);
  assert.equal(hadFailures(summary), true);
});

test('a binary file given by mistake is one source error and one dead letter, not one per "line"', async () => {
  const dir = tempDir();
  const elf = join(dir, 'a.out');
  const body = Buffer.alloc(200_000);
  for (let i = 0; i < body.length; i++) body[i] = (i * 2654435761) >>> 24;
  writeFileSync(elf, Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), body]));
  const good = join(dir, 'good.log');
  writeFileSync(good, log(20));
  const { summary, sink, letters } = await run([elf, good]);
  assert.equal(letters.length, 1);
  assert.equal(letters[0]!.source, elf);
  assert.match(letters[0]!.reason, /not a text log: this looks like an ELF executable/);
  assert.deepEqual(summary.sources[0]!.errors, ['not a text log: this looks like an ELF executable or library']);
  assert.equal(summary.sources[0]!.records, 0);
  assert.equal(sink.lines.length, 20, 'the next file is read as usual');
  assert.equal(hadFailures(summary), true);
});

test('an empty file is reported, not an error', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'empty.log'), '');
  const { summary } = await run([join(dir, 'empty.log')], 'aws.cloudfront');
  assert.deepEqual(summary.sources[0]!.warnings, ['empty: no records']);
  assert.equal(hadFailures(summary), false);
});

test('a file in the wrong format: unrecognized under auto, rejected line by line under a fixed format', async () => {
  const dir = tempDir();
  const path = join(dir, 'notes.txt');
  writeFileSync(path, 'dear diary\ntoday I parsed logs\n');
  const auto = await run([path]);
  assert.equal(auto.letters.length, 2);
  assert.match(auto.letters[0]!.reason, /format not recognized/);
  assert.match(auto.summary.sources[0]!.errors[0]!, /format not recognized/);
  const fixed = await run([path], 'aws.cloudfront');
  assert.equal(fixed.letters.length, 2);
  assert.match(fixed.letters[0]!.reason, /expected 33 tab-separated fields/);
});

test('inputs that match nothing are reported', async () => {
  const { summary, letters } = await run(['/nonexistent/file.log', '/nonexistent/*.gz']);
  assert.equal(summary.missing.length, 2);
  assert.equal(letters.length, 2);
  assert.equal(hadFailures(summary), true);
});

test('with parser threads, sources read ahead still write in input order (events, dead letters, endSource)', async () => {
  const dir = tempDir();
  // Over the 4 MiB below which inputs parse inline: a multi-chunk file, then small ones, each with
  // one bad line, a gzip one and one no format recognizes.
  const names: string[] = [];
  const add = (name: string, data: string | Buffer) => {
    writeFileSync(join(dir, name), data);
    names.push(join(dir, name));
  };
  const bad = (text: string, at: number) => text.replace(`${line(at)}\n`, `${line(at)}\n2026-11-20\t10:00:00\tLAX1\n`);
  add('a.log', bad(log(20_000), 19_000));
  for (let f = 0; f < 6; f++) add(`b${f}.log`, bad(log(200, 100_000 + f * 1000), 100_000 + f * 1000 + f * 30));
  add('c.notes', 'dear diary\n');
  add('E2EXAMPLE.2026-11-20-12.d.gz', gzipSync(bad(log(300, 200_000), 200_100)));
  const order: string[] = [];
  class Recording extends Collect {
    override async write(s: SourceStats, r: ChunkResult) {
      order.push(`write ${s.source}`);
      // A slow sink: later sources are read and parsed meanwhile.
      await new Promise((resolve) => setTimeout(resolve, 5));
      await super.write(s, r);
    }
    override async endSource(s: SourceStats) {
      order.push(`end ${s.source}`);
    }
  }
  const deadPath = join(dir, 'dead.ndjson');
  const dead = new DeadLetterWriter(deadPath);
  const sink = new Recording();
  const summary = await runPipeline({ inputs: names, format: 'auto', threads: 2, sink, deadLetters: dead, chunkChars: 64 * 1024 });
  await dead.close();
  assert.deepEqual(summary.sources.map((s) => s.source), names);
  const expected = [...Array.from({ length: 20_000 }, (_, i) => i), ...Array.from({ length: 6 }, (_, f) => Array.from({ length: 200 }, (_, i) => 100_000 + f * 1000 + i)).flat(), ...Array.from({ length: 300 }, (_, i) => 200_000 + i)];
  assert.deepEqual(sink.lines.map((l) => JSON.parse(l).url.path), expected.map((i) => `/p${i}`));
  // Writes of a source come after the end of the one before, never interleaved.
  const seq = order.map((o) => names.indexOf(o.slice(o.indexOf(' ') + 1)));
  for (let i = 1; i < order.length; i++) {
    assert.ok(seq[i]! >= seq[i - 1]!, `${order[i - 1]} then ${order[i]}`);
    if (seq[i]! > seq[i - 1]!) assert.ok(order[i - 1]!.startsWith('end '), `${order[i]} before the end of the previous source`);
  }
  assert.equal(order.filter((o) => o.startsWith('end ')).length, names.length);
  const letters = readFileSync(deadPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { source: string; line: number });
  assert.deepEqual(letters.map((l) => [names.indexOf(l.source), l.line]), [[0, 19_004], ...Array.from({ length: 6 }, (_, f) => [1 + f, f * 30 + 4]), [7, 1], [8, 104]]);
  assert.deepEqual(summary.sources.map((s) => s.rejected), [1, 1, 1, 1, 1, 1, 1, 1, 1]);
});
