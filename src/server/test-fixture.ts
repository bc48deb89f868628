/**
 * The database the server's tests run against: a small generated scenario ingested with every
 * built-in detection, plus app.json requests whose user agent, URI and user name carry HTML/JS
 * payloads, a rule whose title is one, and a rejected line that is one (shown on the sources page).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { prepareDetection } from '../commands/detect.js';
import { generate, LOGS_DIR, type Incident } from '../generate/index.js';
import { ingest } from '../pipeline/ingest.js';
import { tempDir } from '../testing/tmp.js';
import { DEFAULT_CONSOLE_DIR } from './index.js';

/** Each payload sets window.__pwned (and calls alert) if it ever runs. */
/** Debian's chromium, driven by playwright-core in the browser tests. */
export const CHROMIUM = '/usr/bin/chromium';

/** Why the browser tests cannot run here (said on stderr), or false. */
export function browserTestsSkip(): string | false {
  const skip = !existsSync(CHROMIUM)
    ? `${CHROMIUM} is absent (apt-get install chromium; .ci/run installs it): browser tests skipped`
    : !existsSync(join(DEFAULT_CONSOLE_DIR, 'index.html'))
      ? 'the console is not built (npm run build): browser tests skipped'
      : false;
  if (skip) process.stderr.write(`${skip}\n`);
  return skip;
}

export const PAYLOADS = {
  userAgent: `<img src=x onerror="window.__pwned='ua';alert('ua')">`,
  uri: `/search?q=<script>window.__pwned='uri';alert('uri')</script>`,
  /** Logged as `CORP\<img …>`: the identity normalizer keeps the part after the domain as user.name. */
  userName: `<img src=x onerror="window.__pwned='user';alert('user')">`,
  ruleTitle: `<img src=x onerror="window.__pwned='title';alert('title')"> Hostile Request`,
  deadLetter: `<script>window.__pwned='dead';alert('dead')</script>`,
};

export const HOSTILE_REQUEST_ID = 'HoStIlE-<b>req</b>-0001==';

export interface ConsoleDb {
  dir: string;
  db: string;
  incidents: Incident[];
}

function hostileAppLines(): string {
  const line = (i: number) =>
    JSON.stringify({
      timestamp: `2026-11-20T08:3${i}:00.000Z`, level: 'info', service: 'app-api', hostname: 'app-10-0-11-21',
      method: 'GET', path: PAYLOADS.uri.split('?')[0], query: PAYLOADS.uri.split('?')[1], status: 200, latency_ms: 12, bytes_out: 512, peer_ip: '10.0.1.15',
      headers: { Host: 'app.example.com', 'User-Agent': PAYLOADS.userAgent, 'X-Amz-Cf-Id': i === 0 ? HOSTILE_REQUEST_ID : `HoStIlE-${i}==`, 'X-Forwarded-For': '203.0.113.66' },
      user: `CORP\\${PAYLOADS.userName}`,
    });
  return [line(0), line(1), PAYLOADS.deadLetter].join('\n') + '\n';
}

const HOSTILE_RULE = `title: '${PAYLOADS.ruleTitle.replace(/'/g, "''")}'
id: 5e1f2c3d-0000-4000-8000-00000000beef
status: test
description: matches the console test's hostile requests
author: packettrail tests
logsource:
    category: webserver
detection:
    selection:
        cs-user-agent|contains: 'onerror'
    condition: selection
level: high
`;

/** Generates, adds the hostile records and ingests; about 10–20 s on a loaded machine. */
export async function buildConsoleDb(): Promise<ConsoleDb> {
  const dir = tempDir('packettrail-console-');
  await generate({ out: dir, users: 4, hours: 2, seed: 'console-tests' });
  const appDir = join(dir, LOGS_DIR, 'app', 'app-api', '2026-11-20');
  mkdirSync(appDir, { recursive: true });
  writeFileSync(join(appDir, 'app-api-hostile.jsonl'), hostileAppLines());
  const rules = join(dir, 'rules');
  mkdirSync(rules);
  writeFileSync(join(rules, 'hostile.yml'), HOSTILE_RULE);
  const db = join(dir, 'console.duckdb');
  await ingest({
    inputs: [join(dir, LOGS_DIR)], db, format: 'auto', threads: 0, deadLetterPath: join(dir, 'dead.ndjson'),
    detection: prepareDetection({ rules: [rules] }, true),
  });
  const incidents = (JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')) as { incidents: Incident[] }).incidents;
  return { dir, db, incidents };
}
