import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from './random.js';
import { buildWorld } from './world.js';
import { normalTraffic } from './traffic.js';
import { routineTrail } from './trail.js';
import { injectIncidents } from './incidents/index.js';
import type { Scenario } from './model.js';
import { Output } from './writers/output.js';
import { writeCloudFront } from './writers/cloudfront.js';
import { writeWaf } from './writers/waf.js';
import { writeAlb } from './writers/alb.js';
import { writeApp } from './writers/app.js';
import { writeVpcFlow } from './writers/vpcflow.js';
import { writeCloudTrail, writeRoute53 } from './writers/aws-misc.js';
import { writeUmbrella } from './writers/umbrella.js';
import { writeZscaler } from './writers/zscaler.js';
import { writePanos } from './writers/panos.js';
import { writeDefender } from './writers/defender.js';
import { writeCloudFrontBulk } from './writers/cloudfront-bulk.js';

export interface GenerateOptions {
  out: string;
  users?: number;
  hours?: number;
  /**
   * Epoch ms the scenario starts at. Without `start` or `end` the library keeps the fixed day
   * (FIXTURE_START, 2026-11-20T08:00:00Z) that tests and fixtures rely on; the CLI passes `end`.
   */
  start?: number;
  /** Epoch ms the scenario ends at (`start` = end − hours), for a day ending now; ignored with `start`. */
  end?: number;
  seed?: string;
  /** Extra internet CloudFront lines, as a multiple of 100,000 (benchmarks): `--scale 100` ≈ 10 M lines. */
  scale?: number;
}

export interface Manifest {
  generator: string;
  seed: string;
  users: number;
  hours: number;
  start: string;
  end: string;
  distribution: { id: string; domain: string };
  sources: Record<string, { files: number; lines: number }>;
  incidents: number;
}

/** Logs go under `<out>/logs/` so `truth.json` and `manifest.json` beside them are not taken for logs. */
export const LOGS_DIR = 'logs';
/** The library's default day, fixed so that tests and fixtures never move; `generate` and `demo` end at the current minute. */
export const FIXTURE_START = Date.UTC(2026, 10, 20, 8, 0, 0);
const DEFAULT_HOURS = 8;
export const BULK_LINES_PER_SCALE = 100_000;

/** Builds the scenario in memory (everything except the `--scale` bulk, which streams). */
export function buildScenario(o: Omit<GenerateOptions, 'out'>): Scenario {
  const seed = o.seed ?? 'packettrail';
  const spanMs = (o.hours ?? DEFAULT_HOURS) * 3_600_000;
  const start = o.start ?? (o.end !== undefined ? o.end - spanMs : FIXTURE_START);
  const end = start + spanMs;
  const world = buildWorld(seed, Math.max(5, o.users ?? 25));
  const rng = new Rng(`${seed}/traffic`);
  const s: Scenario = { world, start, end, requests: [], dns: [], vpcDns: [], flows: [], trail: [], incidents: [] };
  normalTraffic(world, rng, start, end, s);
  s.trail.push(...routineTrail(world, rng, start, end));
  injectIncidents(s, new Rng(`${seed}/incidents`));
  s.requests.sort((a, b) => a.t - b.t);
  s.dns.sort((a, b) => a.t - b.t);
  return s;
}

/** Every scenario writer, in the order `generate` runs them (the fuzzer takes its seeds from them too). */
export const WRITERS = [writeCloudFront, writeWaf, writeAlb, writeApp, writeVpcFlow, writeCloudTrail, writeRoute53, writeUmbrella, writeZscaler, writePanos, writeDefender];

/** Writes the scenario in each source's delivery layout, then `truth.json` and `manifest.json`. */
export async function generate(o: GenerateOptions): Promise<Manifest> {
  const s = buildScenario(o);
  const logs = join(o.out, LOGS_DIR);
  mkdirSync(logs, { recursive: true });
  const out = new Output(logs);
  for (const write of WRITERS) {
    write(s, out);
    out.flush();
  }
  if (o.scale && o.scale > 0) {
    const bulk = await writeCloudFrontBulk(s, logs, Math.round(o.scale * BULK_LINES_PER_SCALE));
    out.count('aws.cloudfront', bulk.files, bulk.lines);
  }
  const manifest: Manifest = {
    generator: 'packettrail generate', seed: s.world.seed, users: s.world.users.length, hours: (s.end - s.start) / 3_600_000,
    start: new Date(s.start).toISOString(), end: new Date(s.end).toISOString(),
    distribution: { id: s.world.distribution.id, domain: s.world.distribution.domain },
    sources: Object.fromEntries(Object.entries(out.counts).sort(([a], [b]) => a.localeCompare(b))), incidents: s.incidents.length,
  };
  writeFileSync(join(o.out, 'truth.json'), JSON.stringify({ seed: s.world.seed, incidents: s.incidents }, null, 2) + '\n');
  writeFileSync(join(o.out, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}
