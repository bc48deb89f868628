import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigReader } from '../config-reader.js';
import type { ConfigIssue } from '../intake.js';
import type { SyslogMessage } from './header.js';
import { readRouter } from './routes.js';

const message = (hostname: string, body = 'x'): SyslogMessage => ({ rfc: '5424', hostname, appName: 'app', bodyStart: 0, body });

test('hostname wildcards match in linear time on crafted host names (a backtracking RegExp took 1.7 s per message)', () => {
  const issues: ConfigIssue[] = [];
  const router = readRouter(new ConfigReader({ routes: [{ hostname: 'FW-*-*-*-*-edge', format: 'panw.panos' }] }, 'inputs[0]', issues));
  assert.deepEqual(issues, []);
  assert.equal(router?.route(message('fw-a-b-c-d-EDGE'))?.format, 'panw.panos');
  assert.equal(router?.route(message('fw-a-b-c-edge')), undefined);
  const start = performance.now();
  for (let i = 0; i < 100; i++) assert.equal(router?.route(message(`fw-${'-'.repeat(250)}x`)), undefined);
  assert.ok(performance.now() - start < 2000, `took ${Math.round(performance.now() - start)} ms`);
});

test('body regexes run on RE2 (as Sigma rule regexes): lookaround is a config issue naming the construct', () => {
  const issues: ConfigIssue[] = [];
  const router = readRouter(new ConfigReader({ routes: [{ body: '^(?P<vendor>PAN|Zscaler)-', format: 'panw.panos' }] }, 'inputs[0]', issues));
  assert.equal(router?.route(message('fw', 'PAN-OS 1,2'))?.format, 'panw.panos');
  readRouter(new ConfigReader({ routes: [{ body: 'a(?=b)', format: 'panw.panos' }] }, 'inputs[0]', issues));
  assert.match(issues.map((i) => `${i.path}: ${i.message}`).join('\n'), /inputs\[0\]\.routes\[0\]\.body: regex uses lookahead \(\?=…\), which RE2 does not support/);
});
