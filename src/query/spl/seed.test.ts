import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { needsShared, sharedPath } from '../../testing/shared.js';
import { tempDir } from '../../testing/tmp.js';
import { SEED_SPL } from './seed.fixture.js';
import { cli, seedDatabase } from './testing.fixture.js';

let db: string;
before(() => {
  db = seedDatabase();
});

/** One row per URL: the first and last time, and every value the seed asks for, across all six sources. */
const EXPECTED = [
  {
    url: 'https://app.example.com',
    first: '2026-11-20T10:00:01Z',
    last: '2026-11-20T10:00:09Z',
    // Defender, Zscaler and the app log the UPN; the firewall only the sAMAccountName.
    'values(user)': ['lee.cole', 'lee.cole@corp.example'],
    'values(src_ip)': ['10.20.1.15', '198.51.100.10'],
    'values(nat_src_ip)': ['198.51.100.10'],
    'values(edge_location)': ['FRA56-P3'],
    'values(cache_status)': ['Hit', 'Miss'],
    'values(appid)': ['general browsing', 'web-browsing'],
    'values(action)': ['ConnectionSuccess', 'Hit', 'Miss', 'alert', 'allowed'],
  },
  {
    // Matched through domain= only: the search's OR.
    url: 'https://app.example.com/login',
    first: '2026-11-20T10:00:10Z',
    last: '2026-11-20T10:00:10Z',
    'values(user)': [],
    'values(src_ip)': ['198.51.100.10'],
    'values(nat_src_ip)': [],
    'values(edge_location)': ['FRA56-P3'],
    'values(cache_status)': ['Hit'],
    'values(appid)': [],
    'values(action)': ['Hit'],
  },
];

test('the seed SPL runs through packettrail query and returns one row per URL with the values it asks for', () => {
  const r = cli(['query', '--db', db, '-o', 'json', SEED_SPL]);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(r.out.trim().split('\n').map((l) => JSON.parse(l)), EXPECTED);
});

test('the seed SPL is taken verbatim from ../shared/seeds/000_*.txt', { skip: needsShared() }, () => {
  const dir = sharedPath('seeds');
  const file = readdirSync(dir).find((f) => f.startsWith('000_'));
  assert.ok(file, 'seed 000 present');
  assert.ok(readFileSync(join(dir, file), 'utf8').replace(/\r\n/g, '\n').includes(SEED_SPL), 'SEED_SPL appears in the seed text');
});

test('packettrail query: SPL detection, --spl/--sql, --show-sql, --aliases, errors with a caret (exit 2)', () => {
  const shown = cli(['query', '--db', db, '--show-sql', '-o', 'json', '| stats count by index | where count > 1']);
  assert.equal(shown.code, 0, shown.err);
  assert.match(shown.err, /^WITH s1 AS \(/);
  assert.match(shown.err, /-- params: \{"p1":1\}/);
  assert.deepEqual(shown.out.trim().split('\n').map((l) => JSON.parse(l).index), ['app.json', 'aws.cloudfront', 'panw.panos']);
  assert.equal(cli(['query', '--db', db, '--spl', 'cache_status=miss | stats count']).out.includes('1'), true);
  const sql = cli(['query', '--db', db, '--sql', '-o', 'json', 'SELECT count(*) AS n FROM events']);
  assert.equal(sql.out.trim(), '{"n":10}');
  const bad = cli(['query', '--db', db, 'index=cloudfront | stats count by edge_locaton']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /unknown field 'edge_locaton'; did you mean edge_location/);
  assert.match(bad.err, /\n +index=cloudfront \| stats count by edge_locaton\n {2,}\^{12}/);
  const aliases = join(tempDir(), 'a.yml');
  writeFileSync(aliases, 'fields:\n  pop: aws_cloudfront_edge_location\n');
  const ext = cli(['query', '--db', db, '--aliases', aliases, '-o', 'csv', 'index=cloudfront | stats count by pop']);
  assert.equal(ext.out, 'pop,count\nFRA56-P3,3\n');
  const badAliases = cli(['query', '--db', db, '--aliases', aliases + '.missing', 'index=cloudfront']);
  assert.equal(badAliases.code, 2);
  assert.match(badAliases.err, /cannot read alias file/);
});
