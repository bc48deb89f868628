import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../testing/shared.js';

/**
 * What `npm i -g packettrail` installs: only what runs (no compiled tests, test helpers or source
 * maps), everything that runs (every module a shipped module imports), the examples the README's
 * tour uses, and dependencies that support every Node version the package claims.
 */

interface PackedFile {
  path: string;
  size: number;
}

const packed: Promise<PackedFile[]> = (async () => {
  const { stdout } = await promisify(execFile)('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO_ROOT, maxBuffer: 64 << 20, timeout: 120_000 });
  return (JSON.parse(stdout) as { files: PackedFile[] }[])[0]!.files;
})();

/** Test code and its helpers, by the names the tree gives them (STYLE.md: tests sit next to the code), and the fuzzer (a development tool). */
const NOT_RUNTIME = [/\.test\.(js|d\.ts)$/, /\.map$/, /^dist\/testing\//, /^dist\/fuzz\//, /\/test-[^/]*\.(js|d\.ts)$/, /\.fixture\.(js|d\.ts)$/];

test('npm pack ships no compiled tests, test helpers, fuzzer or source maps', async () => {
  const files = await packed;
  const offending = files.filter((f) => NOT_RUNTIME.some((re) => re.test(f.path))).map((f) => f.path);
  assert.deepEqual(offending, []);
});

test('npm pack ships every module a shipped module imports, the entry points, the rules and the examples', async () => {
  const files = await packed;
  const paths = new Set(files.map((f) => f.path));
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string>; main: string; types: string };
  for (const entry of [...Object.values(pkg.bin), pkg.main, pkg.types]) assert.ok(paths.has(normalize(entry)), `${entry} is shipped`);
  assert.ok([...paths].some((p) => /^rules\/builtin\/.+\.yml$/.test(p)), 'the built-in rules');
  assert.ok([...paths].some((p) => p.startsWith('rules/mappings/')), 'the rule mappings');
  for (const example of ['examples/intel/feed.stix.json', 'examples/intel/feed.misp.json', 'examples/intel/feed.csv', 'examples/posture/trails.json', 'examples/posture/status-org-trail.json', 'examples/posture/selectors.json']) {
    assert.ok(paths.has(example), `${example} is shipped`);
  }
  // Relative imports, static and dynamic (`import('../commands/x.js')`), of every shipped module.
  const missing: string[] = [];
  for (const path of paths) {
    if (!path.endsWith('.js') || !path.startsWith('dist/')) continue;
    const source = readFileSync(join(REPO_ROOT, path), 'utf8');
    for (const m of source.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^import\s*)['"](\.\.?\/[^'"]+)['"]/gm)) {
      const target = normalize(join(dirname(path), m[1]!));
      if (!paths.has(target)) missing.push(`${path} imports ${m[1]}`);
    }
  }
  assert.deepEqual(missing, []);
  if (existsSync(join(REPO_ROOT, 'dist/console/index.html'))) assert.ok(paths.has('dist/console/index.html'), 'the built console');
});

/** Whether a Node version satisfies an `engines.node` range of the forms packages use (`>=18`, `^20.17 || >=22`, `20 || >=22`, `*`). */
function satisfiesNode(version: string, range: string): boolean {
  const v = version.split('.').map(Number);
  const compare = (parts: number[]) => {
    for (let i = 0; i < parts.length; i++) if (v[i] !== parts[i]) return v[i]! - parts[i]!;
    return 0;
  };
  return range.split('||').some((alternative) => {
    const tokens = alternative.trim().replace(/(>=|<=|>|<|=|\^|~)\s+/g, '$1').split(/\s+/).filter(Boolean);
    return tokens.every((token) => {
      const [, op = '', ver = ''] = /^(>=|<=|>|<|=|\^|~)?v?(.*)$/.exec(token)!;
      if (ver === '*' || ver === 'x' || ver === '') return true;
      const parts = ver.split('.').filter((p) => p !== 'x' && p !== '*').map(Number);
      const c = compare(parts);
      if (op === '>=') return c >= 0;
      if (op === '>') return c > 0;
      if (op === '<=') return c <= 0;
      if (op === '<') return c < 0;
      if (op === '^') return v[0] === parts[0] && c >= 0;
      if (op === '~') return v[0] === parts[0] && (parts.length < 2 || v[1] === parts[1]) && c >= 0;
      return compare(parts) === 0; // `20`, `=20.1`: the version's leading parts
    });
  });
}

test('satisfiesNode reads the engine ranges of the dependency tree', () => {
  assert.equal(satisfiesNode('20.0.0', '>=22'), false);
  assert.equal(satisfiesNode('20.0.0', '>= 0.8'), true);
  assert.equal(satisfiesNode('20.0.0', '20 || >=22'), true);
  assert.equal(satisfiesNode('20.0.0', '^20.17.0 || >=22.9.0'), false);
  assert.equal(satisfiesNode('20.18.1', '^20.17.0 || >=22.9.0'), true);
  assert.equal(satisfiesNode('20.0.0', '>=16 || 14 >=14.17'), true);
  assert.equal(satisfiesNode('14.16.0', '>=16 || 14 >=14.17'), false);
  assert.equal(satisfiesNode('20.0.0', '>= 10.x'), true);
  assert.equal(satisfiesNode('20.0.0', '*'), true);
});

test('every installed dependency supports the oldest Node the package claims, without overrides installers ignore', () => {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { engines: { node: string }; overrides?: unknown };
  // `overrides` apply to this checkout only: `npm i -g` of the package resolves its dependencies'
  // own ranges, so a version forced there is not what users get (cookie@2 and EBADENGINE on Node 20).
  assert.equal(pkg.overrides, undefined, 'package.json has no overrides');
  const oldest = /^>=\s*(\d+)$/.exec(pkg.engines.node.trim());
  assert.ok(oldest, `engines.node is a plain lower bound, got ${pkg.engines.node}`);
  const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string; dev?: boolean; optional?: boolean; engines?: { node?: string } }> };
  const unsupported = Object.entries(lock.packages)
    .filter(([path, p]) => path && !p.dev && p.engines?.node && !satisfiesNode(`${oldest[1]}.0.0`, p.engines.node))
    .map(([path, p]) => `${path.replace(/^.*node_modules\//, '')}@${p.version} requires node ${p.engines!.node}`);
  assert.deepEqual(unsupported, []);
});
