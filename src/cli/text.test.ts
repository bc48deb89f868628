import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clip, renderTable, shellWord } from './text.js';
import { renderSummary } from './summary.js';
import { renderDetectionSummary } from './summary.js';

test('clip cuts at a word boundary with an ellipsis; a long token is cut where it must be', () => {
  assert.equal(clip('Could not load credentials from any providers', 24), 'Could not load…');
  assert.equal(clip('short', 24), 'short');
  assert.equal(clip('x'.repeat(30), 10), `${'x'.repeat(9)}…`);
  assert.equal(clip('cannot open: ENOENT: no such file, open', 22), 'cannot open: ENOENT…');
  assert.equal(renderTable(['a'], [['Could not load credentials from any providers']], 24).split('\n')[2], 'Could not load…');
});

test('the summary prints source errors whole, never cut mid-word', () => {
  const error = 'cannot list s3://logs/AWSLogs/: CredentialsProviderError: Could not load credentials from any providers';
  const out = renderSummary({ sources: [], missing: [{ arg: 's3://logs/AWSLogs/', reason: error }], seconds: 1, deadLetters: 0 }, true);
  assert.ok(out.includes(error), out);
});

test('the detection summary lists rules by title', () => {
  const out = renderDetectionSummary({
    matches: 3, alerts: 2, suppressed: 1, sinks: [],
    perRule: new Map([['c0a8c72d-6300-4d58-9e0f-6aad1c3c94cd', { title: 'Scanner-Like Requests', matches: 3, alerts: 2, suppressed: 1 }]]),
  });
  assert.match(out, /^Scanner-Like Requests +3 +2 +1$/m);
  assert.ok(!out.includes('c0a8c72d'), 'not the id');
});

test('shellWord quotes only what needs it', () => {
  assert.equal(shellWord('packettrail-demo/packettrail.duckdb'), 'packettrail-demo/packettrail.duckdb');
  assert.equal(shellWord("it's here"), `'it'\\''s here'`);
});
