import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SyslogFramer, type Framing } from './framing.js';

function frame(framing: Framing, chunks: (string | Buffer)[], maxBytes = 1024): { messages: string[]; malformed: string[] } {
  const messages: string[] = [];
  const malformed: string[] = [];
  const f = new SyslogFramer(framing, maxBytes, { message: (t) => messages.push(t), malformed: (r) => malformed.push(r) });
  for (const c of chunks) f.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
  f.end();
  return { messages, malformed };
}

test('octet counting across chunk boundaries, counts in bytes (UTF-8)', () => {
  const a = '<14>1 - h app - - - héllo wörld';
  const b = '<14>Nov 20 08:00:00 h x: second';
  const wire = Buffer.from(`${Buffer.byteLength(a)} ${a}${Buffer.byteLength(b)} ${b}`);
  for (let cut = 1; cut < wire.length; cut += 3) {
    const { messages, malformed } = frame('auto', [wire.subarray(0, cut), wire.subarray(cut)]);
    assert.deepEqual(messages, [a, b], `cut at ${cut}`);
    assert.deepEqual(malformed, []);
  }
});

test('newline framing: CRLF, blank lines, a final line without newline', () => {
  const { messages } = frame('newline', ['<14>a one\r\n\n<14>a tw', 'o\n<14>a three']);
  assert.deepEqual(messages, ['<14>a one', '<14>a two', '<14>a three']);
});

test('auto: headerless lines starting with digits stay lines; counted and newline frames mix', () => {
  const { messages } = frame('auto', ['1,2026/11/20 08:00:00,x\n', '12 <14>h x: abc\n', '42 is not a count\n']);
  assert.deepEqual(messages, ['1,2026/11/20 08:00:00,x', '<14>h x: abc', '42 is not a count']);
});

test('oversized frames are reported and skipped whole; the stream continues', () => {
  const big = `<14>${'x'.repeat(2000)}`;
  const counted = frame('auto', [`${big.length} ${big}`, '5 <14>a'], 1024);
  assert.deepEqual(counted.messages, ['<14>a']);
  assert.match(counted.malformed[0]!, /frame of 2004 bytes exceeds maxMessageBytes \(1024\)/);
  const line = frame('newline', [`${big.slice(0, 1500)}`, `${big.slice(1500)}\n<14>b\n`], 1024);
  assert.deepEqual(line.messages, ['<14>b']);
  assert.match(line.malformed[0]!, /without a newline/);
});

test('octet-counting only: a line is malformed; a cut frame at close is reported', () => {
  const r = frame('octet-counting', ['<14>not counted\n', '5 <14>a', '10 <14>ab']);
  assert.deepEqual(r.messages, ['<14>a']);
  assert.equal(r.malformed.length, 2);
  assert.match(r.malformed[0]!, /expected an octet-counted frame/);
  assert.match(r.malformed[1]!, /connection closed inside an octet-counted frame \(6 of 10 bytes received\)/);
});
